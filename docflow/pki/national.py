"""The national test PKI: a root CA, a sub-CA per hub, and two certificates per agency.

The hierarchy mirrors how documents travel: the national axis, each province's hub (its LGSP)
and each ministry's hub has a sub-CA under one root, and every agency gets, from its hub's CA,

* an **organ certificate** (policy :data:`~docflow.pki.roles.ORGAN_POLICY`) for the issuing
  body's signature over the whole message, and
* a **person certificate** (policy :data:`~docflow.pki.roles.SIGNER_POLICY`) for the competent
  person's signature over the content.

Everything is derived from the seed: keys (see :mod:`docflow.pki.keys`), serial numbers
(HKDF of the certificate's path, 159 bits) and validity (from the ``at`` passed in; the builder
never reads the clock). The same agencies, seed, time and algorithm give byte-identical
certificates and CRLs, in any order of requests and in any process.

Nothing is issued until asked for: :meth:`NationalPki.credentials_for` issues (and keeps) one
agency's certificate on first use, so a simulation that signs with 2,000 agencies issues 2,000
certificates, not 21,000. :func:`docflow.pki.export.write_pki` issues them all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from docflow.errors import ConfigError, UsageError
from docflow.pki import names
from docflow.pki.builder import (
    DOCUMENT_SIGNING,
    Issuer,
    ca_certificate,
    leaf_certificate,
    tsa_certificate,
)
from docflow.pki.crl import Revocation, build_crl
from docflow.pki.keys import KeyAlgorithm, PrivateKey, RsaKeyCache, derive_bytes, derive_key
from docflow.pki.roles import ORGAN_POLICY, SIGNER_POLICY, Role, RoleMapping
from docflow.pki.store import TrustStore
from docflow.pki.validate import PathValidator, ValidationPolicy

__all__ = [
    "AXIS",
    "Agency",
    "AgencyLike",
    "Credentials",
    "Hub",
    "NationalPki",
    "PkiValidity",
]

_POLICY = {Role.ORGAN: ORGAN_POLICY, Role.SIGNER: SIGNER_POLICY}


class AgencyLike(Protocol):
    """What the PKI needs of an agency; a topology's agency objects fit as they are."""

    @property
    def organ_code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def hub_id(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Agency:
    """An agency as the PKI sees it: organ code, Vietnamese name, level, and its hub."""

    organ_code: str
    """``V1V2V3.Z1Z2.Y1Y2.M1M2M3``, e.g. ``000.00.00.H49``; names the agency's files too."""
    name: str
    level: str
    """A :class:`~docflow.levels.Level` value; recorded in the index, not in certificates."""
    hub_id: str
    """The hub whose sub-CA issues the agency's certificates."""


@dataclass(frozen=True, slots=True)
class Hub:
    """A hub with a sub-CA: the national axis, a province's hub or a ministry's."""

    hub_id: str
    name: str


AXIS = Hub("axis", "Trục liên thông văn bản quốc gia")
"""The national document axis; its sub-CA always exists."""


@dataclass(frozen=True, slots=True)
class PkiValidity:
    """How long what the PKI issues at ``at`` stays valid (from ``at`` on)."""

    root_days: int = 7305
    """20 years, as national roots are issued."""
    ca_days: int = 3653
    """10 years for a hub's sub-CA."""
    leaf_days: int = 1095
    """3 years for organ and person certificates: the Government CA's usual term, and longer
    than any simulated period."""
    crl_days: int = 400
    """A CRL issued at ``at`` stays in force 400 days, so that a simulated year verifies
    against one CRL per CA. Real CAs reissue weekly; tests of stale CRLs validate past it."""


LEAF_EXTENDED_KEY_USAGE = (DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION)
"""documentSigning (RFC 9336) and emailProtection, as the Government CA's signing certificates
carry: NSS — poppler's ``pdfsig``, Thunderbird — checks a PDF or S/MIME signer for the
email-signer usage, which an extendedKeyUsage without emailProtection fails."""


class Credentials(NamedTuple):
    """What signing needs: the key, its certificate, and the CAs above it.

    Unpacks as ``key, certificate, chain = pki.credentials_for(code, role)``.
    """

    key: PrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    """The issuing CAs, nearest first, without the root (a verifier has the root as its
    anchor): what goes into the signature's KeyInfo after the certificate."""


class NationalPki:
    """A national test PKI over a list of agencies, issued lazily; build with :meth:`build`.

    Examples
    --------
    >>> import datetime as dt
    >>> at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    >>> pki = NationalPki.build(
    ...     [Agency("000.00.00.H49", "Ủy ban nhân dân tỉnh Nghệ An", "province", "H49")],
    ...     seed=7, at=at)
    >>> key, cert, chain = pki.credentials_for("000.00.00.H49", Role.ORGAN)
    >>> cert.subject.rfc4514_string()
    'CN=Ủy ban nhân dân tỉnh Nghệ An,2.5.4.97=000.00.00.H49,O=Ủy ban nhân dân tỉnh Nghệ An,C=VN'
    >>> [c.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value
    ...  for c in chain]
    ['H49']
    >>> pki.validator().check(cert, chain, at).trusted
    True
    """

    def __init__(self, agencies: Mapping[str, Agency], hubs: Mapping[str, Hub], seed: int,
                 at: dt.datetime, algorithm: KeyAlgorithm, validity: PkiValidity,
                 revoked: Mapping[tuple[str, Role], dt.datetime],
                 expired: frozenset[tuple[str, Role]], rsa_cache: RsaKeyCache | None) -> None:
        self._agencies = agencies
        self._hubs = hubs
        self.seed = seed
        self.at = at
        self.algorithm = algorithm
        self.validity = validity
        self._revoked = revoked
        self._expired = expired
        self.rsa_cache = rsa_cache
        self._root: tuple[Issuer, x509.Certificate] | None = None
        self._cas: dict[str, tuple[Issuer, x509.Certificate]] = {}
        self._credentials: dict[tuple[str, Role], Credentials] = {}
        self._tsa: Credentials | None = None

    @classmethod
    def build(cls, agencies: Iterable[AgencyLike], *, seed: int, at: dt.datetime,
              algorithm: KeyAlgorithm = KeyAlgorithm.ECDSA_P256, hubs: Iterable[Hub] = (),
              validity: PkiValidity = PkiValidity(),
              revoked: Mapping[tuple[str, Role], dt.datetime] | None = None,
              expired: Collection[tuple[str, Role]] = (),
              rsa_cache: RsaKeyCache | None = None) -> NationalPki:
        """Describe a PKI for ``agencies``; certificates are issued on first use.

        Parameters
        ----------
        agencies
            Objects with ``organ_code``, ``name``, ``level`` and ``hub_id``.
        seed
            Everything derives from it.
        at
            Issue time (timezone-aware): every certificate and CRL is valid from it.
        algorithm
            Key type of every key; ECDSA P-256 by default (fast to derive and to sign with).
        hubs
            Names of the hubs; a hub an agency names but ``hubs`` omits is named by its id.
            The national axis (:data:`AXIS`) is always present.
        validity
            Terms of certificates and CRLs.
        revoked
            ``(organ_code, role) → revocation time``: listed in the hub CA's CRL (all of them,
            even those dated after ``at``, so that validation at any time in the CRL's window
            sees exactly the revocations that happened by then).
        expired
            ``(organ_code, role)`` whose certificate is issued already expired at ``at`` (valid
            for ``leaf_days`` up to one second before ``at``), for the simulator's faults.
        rsa_cache
            Where RSA keys are kept (see :class:`~docflow.pki.keys.RsaKeyCache`).

        Raises
        ------
        ConfigError
            ``DF-PKI-028`` for a duplicate organ code or an empty code, name or hub.
        UsageError
            ``DF-PKI-027`` when ``revoked`` or ``expired`` names an agency not in the list.
        """
        if at.tzinfo is None:
            raise ValueError("at must be timezone-aware")
        table: dict[str, Agency] = {}
        for raw in agencies:
            agency = Agency(str(raw.organ_code), str(raw.name), str(raw.level), str(raw.hub_id))
            if not agency.organ_code or not agency.name.strip() or not agency.hub_id:
                raise ConfigError("DF-PKI-028", f"agency {agency!r} needs an organ code, a "
                                                "name and a hub")
            if agency.organ_code in table:
                raise ConfigError("DF-PKI-028", f"organ code {agency.organ_code} is listed "
                                                "twice")
            table[agency.organ_code] = agency
        hub_table = {AXIS.hub_id: AXIS}
        for hub in hubs:
            hub_table[hub.hub_id] = hub
        for agency in table.values():
            hub_table.setdefault(agency.hub_id, Hub(agency.hub_id, agency.hub_id))
        revoked = dict(revoked or {})
        for code, role in [*revoked, *expired]:
            if code not in table:
                raise UsageError("DF-PKI-027", f"no agency {code!r} to revoke or expire")
            Role(role)
        return cls(table, hub_table, seed, at, algorithm, validity, revoked,
                   frozenset(expired), rsa_cache)

    # --- what the PKI holds ----------------------------------------------------------------

    @property
    def agencies(self) -> tuple[Agency, ...]:
        """The agencies, in the order given."""
        return tuple(self._agencies.values())

    @property
    def hubs(self) -> tuple[Hub, ...]:
        """The hubs with a sub-CA, the national axis first, then in order of appearance."""
        return tuple(self._hubs.values())

    def agency(self, organ_code: str) -> Agency:
        """The agency with ``organ_code``.

        Raises
        ------
        UsageError
            ``DF-PKI-027`` when the PKI has none.
        """
        try:
            return self._agencies[organ_code]
        except KeyError:
            raise UsageError("DF-PKI-027", f"the PKI has no agency {organ_code!r}") from None

    @property
    def root(self) -> x509.Certificate:
        """The root CA certificate: the trust anchor."""
        return self._root_ca()[1]

    @property
    def root_key(self) -> PrivateKey:
        """The root CA's private key."""
        return self._root_ca()[0].key

    def ca(self, hub_id: str) -> x509.Certificate:
        """The sub-CA certificate of the hub ``hub_id``."""
        return self._hub_ca(hub_id)[1]

    def ca_key(self, hub_id: str) -> PrivateKey:
        """The sub-CA private key of the hub ``hub_id``."""
        return self._hub_ca(hub_id)[0].key

    def credentials_for(self, organ_code: str, role: Role) -> Credentials:
        """The key, certificate and chain of ``organ_code`` in ``role``; issued once, kept.

        Raises
        ------
        UsageError
            ``DF-PKI-027`` when the PKI has no such agency.
        """
        key = (organ_code, role)
        found = self._credentials.get(key)
        if found is None:
            found = self._credentials[key] = self.issue(organ_code, role)
        return found

    def issue(self, organ_code: str, role: Role) -> Credentials:
        """Issue the credentials of ``organ_code`` in ``role`` without keeping them.

        The same bytes as :meth:`credentials_for`; for writing a whole PKI to disk without
        holding 21,000 keys in memory.
        """
        agency = self.agency(organ_code)
        role = Role(role)
        issuer, ca_cert = self._hub_ca(agency.hub_id)
        label = f"{role.value}/{organ_code}"
        key = derive_key(self.seed, label, self.algorithm, self.rsa_cache)
        subject = names.organ_name(organ_code, agency.name) if role is Role.ORGAN else \
            names.signer_name(organ_code, agency.name)
        if (organ_code, role) in self._expired:
            not_after = self.at - dt.timedelta(seconds=1)
            not_before = not_after - dt.timedelta(days=self.validity.leaf_days)
        else:
            not_before = self.at
            not_after = self.at + dt.timedelta(days=self.validity.leaf_days)
        cert = leaf_certificate(subject, key.public_key(), issuer, self._serial(label),
                                not_before, not_after, policy=_POLICY[role],
                                extended_key_usage=LEAF_EXTENDED_KEY_USAGE)
        return Credentials(key, cert, (ca_cert,))

    def tsa(self) -> Credentials:
        """The key and certificate of the PKI's timestamp authority (RFC 3161), issued by the
        root with a critical extendedKeyUsage of timeStamping; its chain is empty (the root
        is the anchor)."""
        if self._tsa is None:
            root_issuer, _ = self._root_ca()
            key = derive_key(self.seed, "tsa", self.algorithm, self.rsa_cache)
            cert = tsa_certificate(names.tsa_name(), key.public_key(), root_issuer,
                                   self._serial("tsa"), self.at,
                                   self.at + dt.timedelta(days=self.validity.leaf_days))
            self._tsa = Credentials(key, cert, ())
        return self._tsa

    def crl(self, hub_id: str | None = None) -> x509.CertificateRevocationList:
        """The CRL of the hub's sub-CA, or of the root (revoking no sub-CA) for ``None``."""
        if hub_id is None:
            issuer = self._root_ca()[0]
            entries: list[Revocation] = []
        else:
            issuer = self._hub_ca(hub_id)[0]
            entries = [Revocation(self._serial(f"{role.value}/{code}"), when)
                       for (code, role), when in self._revoked.items()
                       if self._agencies[code].hub_id == hub_id]
        return build_crl(issuer, self.at, self.at + dt.timedelta(days=self.validity.crl_days),
                         entries)

    def trust_store(self, roles: RoleMapping | None = None) -> TrustStore:
        """A store trusting this PKI: the root as anchor, every sub-CA, every CA's CRL."""
        hub_ids = list(self._hubs)
        return TrustStore(anchors=(self.root,),
                          intermediates=tuple(self.ca(h) for h in hub_ids),
                          crls=(self.crl(None), *(self.crl(h) for h in hub_ids)),
                          roles=roles or RoleMapping())

    def validator(self, policy: ValidationPolicy | None = None,
                  roles: RoleMapping | None = None) -> PathValidator:
        """A :class:`~docflow.pki.validate.PathValidator` over :meth:`trust_store`."""
        return PathValidator(self.trust_store(roles), policy or ValidationPolicy())

    def with_revocations(self, revoked: Mapping[tuple[str, Role], dt.datetime]) -> NationalPki:
        """The same PKI with more revocations (a new object; issued certificates are shared,
        since a revocation changes only the CRLs)."""
        new = NationalPki.build(self._agencies.values(), seed=self.seed, at=self.at,
                                algorithm=self.algorithm, hubs=self._hubs.values(),
                                validity=self.validity,
                                revoked={**self._revoked, **revoked}, expired=self._expired,
                                rsa_cache=self.rsa_cache)
        new._root, new._cas, new._credentials = self._root, dict(self._cas), \
            dict(self._credentials)
        return new

    def labels(self) -> Iterator[str]:
        """The path of every key in the PKI (for :meth:`RsaKeyCache.fill`)."""
        yield "root"
        yield "tsa"
        for hub_id in self._hubs:
            yield f"ca/{hub_id}"
        for code in self._agencies:
            for role in Role:
                yield f"{role.value}/{code}"

    # --- issuing ---------------------------------------------------------------------------

    def _serial(self, label: str) -> int:
        # 159 bits: positive in DER and within RFC 5280's 20 octets; HKDF output is uniform, so
        # serials of different labels collide with probability ~2^-159.
        return int.from_bytes(derive_bytes(self.seed, "serial/" + label, 20), "big") >> 1 or 1

    def _root_ca(self) -> tuple[Issuer, x509.Certificate]:
        if self._root is None:
            key = derive_key(self.seed, "root", self.algorithm, self.rsa_cache)
            issuer = Issuer.from_key(names.root_name(), key)
            cert = ca_certificate(issuer.name, key.public_key(), issuer, self._serial("root"),
                                  self.at, self.at + dt.timedelta(days=self.validity.root_days),
                                  path_length=1, policies=())
            self._root = (issuer, cert)
        return self._root

    def _hub_ca(self, hub_id: str) -> tuple[Issuer, x509.Certificate]:
        found = self._cas.get(hub_id)
        if found is None:
            hub = self._hubs.get(hub_id)
            if hub is None:
                raise UsageError("DF-PKI-027", f"the PKI has no hub {hub_id!r}")
            root_issuer, _ = self._root_ca()
            label = f"ca/{hub_id}"
            key = derive_key(self.seed, label, self.algorithm, self.rsa_cache)
            issuer = Issuer.from_key(names.ca_name(hub.hub_id, hub.name), key)
            cert = ca_certificate(issuer.name, key.public_key(), root_issuer,
                                  self._serial(label), self.at,
                                  self.at + dt.timedelta(days=self.validity.ca_days),
                                  path_length=0)
            found = self._cas[hub_id] = (issuer, cert)
        return found

    def __getstate__(self) -> dict[str, object]:
        # Keys do not pickle, and need not: everything issued is rebuilt identically from the
        # seed, so a copy sent to a worker process travels without its caches.
        state = dict(self.__dict__)
        state.update(_root=None, _cas={}, _credentials={}, _tsa=None)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return (f"NationalPki({len(self._agencies)} agencies, {len(self._hubs)} hubs, "
                f"seed={self.seed}, algorithm={self.algorithm.value}, at={self.at.isoformat()})")

