"""A :class:`~docflow.trust.Trust` made into the trust source a verification asks.

The ``Trust`` value names files and settings; this module reads them, once per value and
process (:func:`trust_source` is cached: the path validator behind it caches each certificate's
validation, and one organ certificate signs thousands of documents):

* anchors → docflow's :class:`~docflow.pki.validate.PathValidator` over the trust store (a
  ``docflow pki init`` folder brings its hub CAs and CRLs), with the certificate side of the
  named algorithm policy and the revocation mode. For plain XML-DSig the path is checked in
  full but a certificate's role is not asked for (:class:`PathOnly`): roles are edXML
  meaning, which that profile does not check;
* a key known out of band (plain XML-DSig) → a pinned certificate
  (:class:`~docflow.dsig.PinnedKeyChecker`), a pinned public key
  (:class:`~docflow.dsig.PinnedPublicKey`) or, under the legacy policy only, an HMAC secret;
* neither → for plain XML-DSig, the document's own key with no trust established
  (:class:`~docflow.dsig.EmbeddedKeyValue`, at best INDETERMINATE); for the edXML profile, a
  path validator over an empty store, which trusts nothing.

The files are read when a trust value is first used in a process: a CRL replaced on disk is
read by the next process (or after ``trust_source.cache_clear()`` and
``path_validator.cache_clear()``), as a long-running service reloads its configuration.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa

from docflow.dsig import (
    ChainResult,
    EmbeddedKeyValue,
    HmacKey,
    PinnedKeyChecker,
    PinnedPublicKey,
    TrustSource,
    VerifyPolicy,
)
from docflow.dsig.algorithms import PublicKey
from docflow.dsig.policy import verify_policy
from docflow.errors import InputError, Location, UsageError
from docflow.pki.io import parse_certificates
from docflow.pki.policy import validation_policy
from docflow.pki.roles import read_role_mapping
from docflow.pki.store import TrustStore
from docflow.pki.validate import PathValidator
from docflow.trust import Trust

__all__ = ["PathOnly", "path_validator", "signature_policy", "trust_source"]

_PUBLIC = (rsa.RSAPublicKey, ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey,
           dsa.DSAPublicKey)


_ROLE_CODES = frozenset({"DF-PKI-012", "DF-PKI-013"})
"""The path validator's findings about a certificate's role (unknown, ambiguous)."""


@dataclass(frozen=True)
class PathOnly:
    """A path validator for plain XML-DSig: every check of the path, no role asked for.

    The path validator reports a certificate of no known role (``DF-PKI-012``/``-013``) as a
    finding, which fails any signature: right for the edXML profile, where the role decides
    where a signature may stand, and meaningless for a SAML assertion or an invoice signed by
    another CA's certificate. Its ``trusted`` speaks of the path alone, and stays as it is.
    """

    validator: PathValidator

    def check(self, leaf: x509.Certificate, intermediates: Sequence[x509.Certificate],
              at: datetime) -> ChainResult:
        """The path validator's answer without its role findings."""
        result = self.validator.check(leaf, intermediates, at)
        return ChainResult(result.trusted, result.chain, result.role, tuple(
            p for p in result.problems if p.code not in _ROLE_CODES))


def signature_policy(trust: Trust) -> VerifyPolicy:
    """The XML-DSig side of the trust's named algorithm policy."""
    return verify_policy(trust.policy)


@functools.lru_cache(maxsize=16)
def path_validator(trust: Trust) -> PathValidator:
    """The path validator over the trust's anchors, CRLs and role mapping, built once per
    trust value and process.

    Raises
    ------
    InputError
        An anchor, CRL or role mapping that cannot be read (``DF-IO``, ``DF-PKI`` codes).
    ConfigError
        ``DF-PKI-026``: the role mapping is not TOML or a rule is invalid.
    """
    folders = [a for a in trust.anchors if a.is_dir()]
    files = [a for a in trust.anchors if not a.is_dir()]
    mapping = read_role_mapping(trust.roles) if trust.roles is not None else None
    store = TrustStore.from_files(files, crls=trust.crls, roles=mapping)
    for folder in folders:
        extra = TrustStore.from_pki_dir(folder)
        store = dataclasses.replace(store, anchors=store.anchors + extra.anchors,
                                    intermediates=store.intermediates + extra.intermediates,
                                    crls=store.crls + extra.crls)
    return PathValidator(store, validation_policy(trust.policy, trust.revocation,
                                                  trust.key_usage))


@functools.lru_cache(maxsize=16)
def trust_source(trust: Trust, *, plain: bool = False) -> TrustSource:
    """The trust source of ``trust`` for one kind of check (``plain`` XML-DSig or the edXML
    profile), built once per value and process.

    Raises
    ------
    InputError
        A trust file that cannot be read (``DF-IO``, ``DF-PKI`` codes).
    UsageError
        ``DF-TRU-004``: a key given for the edXML profile, whose roles come from certificates
        under the trust anchors; a key file that is no certificate or public key outside the
        legacy policy (an HMAC secret needs it).
    """
    if trust.key is not None:
        if not plain:
            raise UsageError("DF-TRU-004", "a key given out of band (--key) checks plain "
                             "XML-DSig only (--profile xmldsig): the edXML profile takes its "
                             "roles from certificates under trust anchors (--trust)",
                             Location(file=str(trust.key)))
        return _key_source(trust.key, trust.legacy)
    if not trust.anchors and plain:
        return EmbeddedKeyValue()
    return PathOnly(path_validator(trust)) if plain else path_validator(trust)


def _key_source(path: Path, legacy: bool) -> TrustSource:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError("DF-IO-001", f"cannot read: {exc.strerror or exc}",
                         Location(file=str(path))) from None
    key = _public_key(data)
    if key is not None:
        return PinnedPublicKey((key,), role=None)
    try:
        return PinnedKeyChecker(parse_certificates(data, str(path)))
    except (InputError, ValueError):
        pass
    if not legacy:
        raise UsageError("DF-TRU-004", "the key file is neither a certificate nor a public key "
                         "(PEM or DER); an HMAC secret is used only under the legacy policy "
                         "(--legacy)", Location(file=str(path)))
    return HmacKey(data)


def _public_key(data: bytes) -> PublicKey | None:
    for load in (serialization.load_pem_public_key, serialization.load_der_public_key):
        try:
            key = load(data)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            continue
        return key if isinstance(key, _PUBLIC) else None
    return None

