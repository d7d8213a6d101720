"""The one place the PDF checks meet the trust objects of today (``PathValidator`` and its
``TrustStore``), so that the unified ``Trust`` value replaces them here alone.

A timestamp authority's certificate is validated by the same anchors, CRLs and revocation
mode, but its extended key usage is timeStamping (RFC 3161 §2.3), not document signing: that
validator is derived once per signing validator and kept, with its own cache.
"""

from __future__ import annotations

import dataclasses

from cryptography.x509.oid import ExtendedKeyUsageOID

from docflow.pki.validate import PathValidator

__all__ = ["tsa_validator"]

_DERIVED: dict[int, tuple[PathValidator, PathValidator]] = {}
_KEEP = 16
"""Validators kept; a process uses one or two, tests a few more."""


def tsa_validator(validator: PathValidator) -> PathValidator:
    """The validator of TSA certificates under the same trust as ``validator``."""
    found = _DERIVED.get(id(validator))
    if found is not None and found[0] is validator:
        return found[1]
    policy = dataclasses.replace(validator.policy,
                                 document_ekus=frozenset({ExtendedKeyUsageOID.TIME_STAMPING}))
    derived = PathValidator(validator.store, policy)
    if len(_DERIVED) >= _KEEP:
        del _DERIVED[next(iter(_DERIVED))]
    _DERIVED[id(validator)] = (validator, derived)
    return derived
