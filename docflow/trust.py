"""One trust value: what signatures are checked against, for every job alike.

``docflow validate``, ``docflow verify``, ``docflow audit`` and the simulator used to set up
trust three ways, with two default policies and two legacy switches (one for XML-DSig, one for
certificates). A :class:`Trust` says it once: the trust anchors, the CRLs, the revocation mode,
the validation time, the role mapping, a key given out of band, and **one** named
:class:`AlgorithmPolicy` that covers signatures and certificates together. It is built once —
from command-line options (:meth:`Trust.from_options`) or in Python — and handed to
:func:`docflow.validate`, :func:`docflow.verify` and :func:`docflow.audit`, so the library and
the command line give the same verdict on the same file.

A ``Trust`` holds names of files and settings only, never loaded keys: it is hashable (the
loaded trust source is cached per value, :func:`docflow.profile.trusted.trust_source`), it
pickles to the audit's worker processes, and its :meth:`~Trust.fingerprint` (over the bytes of
every file) tags stored audit results. Each layer reads the value its own way, and imports point
down: :mod:`docflow.dsig.policy` maps the algorithm policy to its ``VerifyPolicy``,
:mod:`docflow.pki.policy` to its ``ValidationPolicy``.

Examples
--------
>>> trust = Trust.from_options(["ca.pem"], legacy=True, revocation="off")
>>> trust.policy, trust.revocation, trust.anchors
(<AlgorithmPolicy.LEGACY: 'legacy'>, <RevocationMode.OFF: 'off'>, (PosixPath('ca.pem'),))
>>> trust.policy_name
'legacy+revocation=off'
>>> Trust().trusts_anything
False
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from docflow.errors import InputError, Location, UsageError

__all__ = ["AlgorithmPolicy", "KeyUsageRule", "RevocationMode", "Trust"]


class AlgorithmPolicy(enum.StrEnum):
    """The one named algorithm policy, for XML-DSig signatures and certificates together.

    A signature is only as strong as the weakest algorithm between the document and the trust
    anchor, so one name decides both: under ``DEFAULT`` neither a SHA-1 signature nor a SHA-1
    certificate passes; ``LEGACY`` admits both (and DSA, RSA-1024 and HMAC), by name.
    """

    DEFAULT = "default"
    """SHA-2, RSA of 2048 bits and more, ECDSA, Ed25519: what the Government CA issues."""
    LEGACY = "legacy"
    """Also SHA-1, SHA-224, DSA, RSA-1024, HMAC and the trivial XPath filter, for old
    documents and interoperability tests. MD5 stays refused under every policy."""


class RevocationMode(enum.StrEnum):
    """How revocation is checked; the values are the configuration words (``--revocation``)."""

    REQUIRE = "require"
    """Every certificate under the anchor needs a usable CRL in force; none is a finding."""
    IF_AVAILABLE = "if-available"
    """Check where a CRL is in force; a missing CRL is not a finding, a bad one is."""
    OFF = "off"
    """No revocation check (for certificates of a CA that publishes no CRL)."""


class KeyUsageRule(enum.StrEnum):
    """Whether a signing certificate must carry a keyUsage extension (``--key-usage``)."""

    REQUIRE = "require"
    """The default: RFC 5280 reads "no keyUsage" as "any usage", but every CA profile in use
    (the Government CA's included) sets it, so its absence means the certificate was not made
    for signing."""
    IF_PRESENT = "if-present"
    """Check keyUsage only where the certificate has one, as RFC 5280 and xmlsec1 do: for test
    corpora and CAs whose end-entity certificates carry none. Everything else (a CA
    certificate never signs a document, MD5 never) still holds."""


def _paths(values: Iterable[str | os.PathLike[str]]) -> tuple[Path, ...]:
    if isinstance(values, str | os.PathLike):
        values = (values,)
    return tuple(Path(v) for v in values)


@dataclass(frozen=True, slots=True)
class Trust:
    """What signatures are checked against; the default trusts nothing.

    With no anchor and no key, no signature can pass: a check that forgot its trust store
    reports INDETERMINATE (or an audit 0% valid), never a false PASSED.
    """

    anchors: tuple[Path, ...] = ()
    """Trust anchor files (PEM may hold several, or DER), or ``docflow pki init`` folders,
    whose root is the anchor and whose hub CAs and CRLs are loaded too."""
    crls: tuple[Path, ...] = ()
    """CRL files, besides a PKI folder's own."""
    revocation: RevocationMode = RevocationMode.REQUIRE
    """CRLs required by default: a verifier cannot call a certificate good without knowing it
    is not revoked (ETSI EN 319 102-1 makes that INDETERMINATE)."""
    at: datetime | None = None
    """The validation time. ``None`` is now for ``validate`` and ``verify``, and each
    signature's signing time for ``audit`` (the question an audit of past documents asks). A
    naive time is taken as UTC."""
    roles: Path | None = None
    """A role mapping (TOML, :func:`docflow.pki.roles.read_role_mapping`) for certificates of
    other CAs; ``None``: only docflow's own policy OIDs give a role."""
    policy: AlgorithmPolicy = AlgorithmPolicy.DEFAULT
    """The algorithms accepted in signatures and certificates: secure by default, legacy by
    name."""
    key_usage: KeyUsageRule = KeyUsageRule.REQUIRE
    """keyUsage required of a signing certificate, by default."""
    key: Path | None = None
    """A key known out of band, for plain XML-DSig (``--profile xmldsig``): a certificate or a
    public key (PEM or DER) that is trusted as it is, or, under the legacy policy only, an HMAC
    secret (any other bytes). Anchors and a key are exclusive: one trust source per check."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "anchors", _paths(self.anchors))
        object.__setattr__(self, "crls", _paths(self.crls))
        for name in ("roles", "key"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, Path(value))
        try:
            object.__setattr__(self, "revocation", RevocationMode(self.revocation))
            object.__setattr__(self, "policy", AlgorithmPolicy(self.policy))
            object.__setattr__(self, "key_usage", KeyUsageRule(self.key_usage))
        except ValueError as exc:
            raise UsageError("DF-TRU-004", str(exc)) from None
        if self.at is not None and self.at.tzinfo is None:
            object.__setattr__(self, "at", self.at.replace(tzinfo=UTC))
        if self.key is not None and self.anchors:
            raise UsageError("DF-TRU-004", "give trust anchors or one key known out of band, "
                             "not both: a signature is checked against one trust source")

    @classmethod
    def from_options(cls, anchors: Iterable[str | os.PathLike[str]] = (),
                     crls: Iterable[str | os.PathLike[str]] = (), *,
                     at: datetime | None = None, revocation: str = "require",
                     legacy: bool = False, roles: str | os.PathLike[str] | None = None,
                     key: str | os.PathLike[str] | None = None,
                     key_usage: str = "require") -> Trust:
        """The trust of the command-line options ``--trust``, ``--crl``, ``--at``,
        ``--revocation``, ``--legacy``, ``--roles``, ``--key-usage`` and ``--key``.

        Raises
        ------
        UsageError
            ``DF-TRU-004``: anchors and a key together, or an unknown revocation mode.
        """
        try:
            mode, usage = RevocationMode(revocation), KeyUsageRule(key_usage)
        except ValueError as exc:
            raise UsageError("DF-TRU-004", str(exc)) from None
        return cls(anchors=_paths(anchors), crls=_paths(crls), at=at, revocation=mode,
                   roles=None if roles is None else Path(roles),
                   policy=AlgorithmPolicy.LEGACY if legacy else AlgorithmPolicy.DEFAULT,
                   key_usage=usage, key=None if key is None else Path(key))

    @classmethod
    def load(cls, anchors: Iterable[str | os.PathLike[str]],
             crls: Iterable[str | os.PathLike[str]] = (), at: datetime | None = None,
             **settings: object) -> Trust:
        """:meth:`from_options`, checking now that every file named can be read.

        An unreadable anchor or CRL is then an error with its code before any document is
        looked at, not a failure in the middle of a run.

        Raises
        ------
        InputError
            ``DF-IO-001`` for a file or folder that cannot be read.
        """
        trust = cls.from_options(anchors, crls, at=at, **settings)  # type: ignore[arg-type]
        trust.fingerprint()
        return trust

    def replace(self, **changes: object) -> Trust:
        """A copy with ``changes`` (:func:`dataclasses.replace`)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def trusts_anything(self) -> bool:
        """Whether an anchor or a key is given: without one no signature can pass."""
        return bool(self.anchors) or self.key is not None

    @property
    def legacy(self) -> bool:
        """The legacy algorithm policy is named."""
        return self.policy is AlgorithmPolicy.LEGACY

    @property
    def policy_name(self) -> str:
        """The name audit results are stored under: the algorithm policy, with the revocation
        mode and the key usage rule when they are not the defaults."""
        name = self.policy.value
        if self.revocation is not RevocationMode.REQUIRE:
            name += f"+revocation={self.revocation.value}"
        if self.key_usage is not KeyUsageRule.REQUIRE:
            name += f"+key-usage={self.key_usage.value}"
        return name

    def fingerprint(self) -> str:
        """SHA-256 over the policy and the bytes of every anchor, CRL, role mapping and key,
        order-free.

        The same files in another order, or under other names, give the same fingerprint;
        one byte changed in any of them changes it. A folder counts with every file in it.
        The validation time is not part of it (the audit stores it beside).

        Raises
        ------
        InputError
            ``DF-IO-001`` when a file cannot be read.
        """
        digest = hashlib.sha256(f"policy={self.policy_name}\n".encode())
        roles = () if self.roles is None else (self.roles,)
        key = () if self.key is None else (self.key,)
        for label, paths in (("anchor", self.anchors), ("crl", self.crls), ("roles", roles),
                             ("key", key)):
            for item in sorted(d for p in paths for d in _digests(p)):
                digest.update(f"{label}={item}\n".encode())
        return digest.hexdigest()


def _digests(path: Path) -> list[str]:
    try:
        if path.is_dir():
            return [f"{f.relative_to(path).as_posix()}:"
                    f"{hashlib.sha256(f.read_bytes()).hexdigest()}"
                    for f in sorted(path.rglob("*")) if f.is_file()]
        return [hashlib.sha256(path.read_bytes()).hexdigest()]
    except OSError as exc:
        raise InputError("DF-IO-001", f"cannot read: {exc.strerror or exc}",
                         Location(file=os.fspath(path))) from None
