"""The trust store: what a verifier trusts, and what it may use to build and check paths.

A :class:`TrustStore` is immutable. Adding a CRL or an anchor makes a new store (and a
:class:`~docflow.pki.validate.PathValidator` over it starts with an empty cache), so a cached
validation can never outlive the trust decisions it was made under.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509

from docflow.errors import InputError
from docflow.pki.crl import CrlInfo
from docflow.pki.index import read_index
from docflow.pki.io import read_certificates, read_crls
from docflow.pki.roles import RoleMapping
from docflow.x509safe import certificate_problem, crl_problem

__all__ = ["TrustStore"]


@dataclass(frozen=True, slots=True)
class TrustStore:
    """Trust anchors, known intermediate CAs, CRLs and the role mapping.

    Examples
    --------
    >>> store = TrustStore(anchors=())
    >>> store.issuers_of_name(x509.Name([]))
    ()
    """

    anchors: tuple[x509.Certificate, ...]
    """The certificates trusted as they are; a path is complete when it reaches one."""
    intermediates: tuple[x509.Certificate, ...] = ()
    """CA certificates that may complete a path when a document's KeyInfo omits them. They
    are not trusted: a path through them must still reach an anchor."""
    crls: tuple[x509.CertificateRevocationList, ...] = ()
    """CRLs of the CAs; several per CA are fine, the newest one in force at the validation
    time is used."""
    roles: RoleMapping = field(default_factory=RoleMapping)
    """How a signing certificate gets its role; docflow's policy OIDs only, by default."""
    _issuers: dict[x509.Name, tuple[x509.Certificate, ...]] = field(
        init=False, repr=False, compare=False)
    _anchor_set: frozenset[x509.Certificate] = field(init=False, repr=False, compare=False)
    _crls_by_issuer: dict[x509.Name, tuple[CrlInfo, ...]] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_readable(self.anchors, self.intermediates, self.crls)
        anchors = tuple(dict.fromkeys(self.anchors))
        intermediates = tuple(c for c in dict.fromkeys(self.intermediates) if c not in anchors)
        object.__setattr__(self, "anchors", anchors)
        object.__setattr__(self, "intermediates", intermediates)
        object.__setattr__(self, "crls", tuple(self.crls))
        issuers: dict[x509.Name, list[x509.Certificate]] = {}
        for cert in anchors + intermediates:  # anchors first: a path prefers to end early
            issuers.setdefault(cert.subject, []).append(cert)
        object.__setattr__(self, "_issuers", {k: tuple(v) for k, v in issuers.items()})
        object.__setattr__(self, "_anchor_set", frozenset(anchors))
        by_issuer: dict[x509.Name, list[CrlInfo]] = {}
        for crl in self.crls:
            info = CrlInfo.of(crl)
            by_issuer.setdefault(info.issuer, []).append(info)
        object.__setattr__(self, "_crls_by_issuer", {
            k: tuple(sorted(v, key=lambda i: i.this_update, reverse=True))
            for k, v in by_issuer.items()})

    def issuers_of_name(self, name: x509.Name) -> tuple[x509.Certificate, ...]:
        """Anchors and intermediates whose subject is ``name``, anchors first."""
        return self._issuers.get(name, ())

    def is_anchor(self, certificate: x509.Certificate) -> bool:
        """Whether ``certificate`` is one of the anchors (compared by its DER encoding)."""
        return certificate in self._anchor_set

    def crls_of(self, issuer: x509.Name) -> tuple[CrlInfo, ...]:
        """The CRLs issued under the name ``issuer``, newest thisUpdate first."""
        return self._crls_by_issuer.get(issuer, ())

    def with_crls(self, *crls: x509.CertificateRevocationList) -> TrustStore:
        """A new store with ``crls`` added (for example, a newer CRL of the same CA)."""
        return dataclasses.replace(self, crls=self.crls + crls)

    def with_roles(self, roles: RoleMapping) -> TrustStore:
        """A new store with another role mapping."""
        return dataclasses.replace(self, roles=roles)

    @classmethod
    def from_files(cls, anchors: Iterable[str | Path], intermediates: Iterable[str | Path] = (),
                   crls: Iterable[str | Path] = (), roles: RoleMapping | None = None
                   ) -> TrustStore:
        """A store from PEM or DER files; a PEM file may hold several certificates or CRLs.

        Raises
        ------
        InputError
            ``DF-IO-001`` for a file that cannot be read, ``DF-PKI-021``/``DF-PKI-022`` for
            one that is not a certificate/CRL.
        """
        return cls(anchors=tuple(c for p in anchors for c in read_certificates(p)),
                   intermediates=tuple(c for p in intermediates for c in read_certificates(p)),
                   crls=tuple(c for p in crls for c in read_crls(p)),
                   roles=roles or RoleMapping())

    @classmethod
    def from_pki_dir(cls, folder: str | Path, roles: RoleMapping | None = None) -> TrustStore:
        """The store that trusts the PKI written by ``docflow pki init`` in ``folder``.

        The root is the anchor, the hub CAs are intermediates, and every CA's CRL is loaded.

        Raises
        ------
        InputError
            ``DF-PKI-025`` when ``folder`` has no readable index, or the errors of
            :meth:`from_files`.
        """
        base = Path(folder)
        index = read_index(base)
        cas = list(index.cas.values())
        return cls.from_files([base / index.root.cert], [base / ca.cert for ca in cas],
                              [base / index.root.crl] + [base / ca.crl for ca in cas], roles)


def _check_readable(anchors: Sequence[x509.Certificate],
                    intermediates: Sequence[x509.Certificate],
                    crls: Sequence[x509.CertificateRevocationList]) -> None:
    """Refuse a store whose certificates or CRLs cannot be read (:mod:`docflow.x509safe`).

    Files were read in full by :mod:`docflow.pki.io`; objects built in code are checked here,
    so that no path validation meets an unreadable name or key of the store's own.

    Raises
    ------
    InputError
        ``DF-PKI-021`` for a certificate, ``DF-PKI-022`` for a CRL, naming which one.
    """
    for what, certs in (("trust anchor", anchors), ("intermediate", intermediates)):
        for number, cert in enumerate(certs, 1):
            problem = certificate_problem(cert)
            if problem is not None:
                raise InputError("DF-PKI-021", f"{what} {number} of the trust store cannot be "
                                 f"read: {problem}")
    for number, crl in enumerate(crls, 1):
        problem = crl_problem(crl)
        if problem is not None:
            raise InputError("DF-PKI-022", f"CRL {number} of the trust store cannot be read: "
                             f"{problem}")
