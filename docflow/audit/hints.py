"""A hint for the auditor when the failures look like the wrong trust store, not bad documents.

An archive audited against the wrong anchors (another PKI, the test PKI of another seed, a CA
that was re-keyed) fails almost every signature with "no known CA issued this certificate"
(DF-PKI-001) or "the issuer's signature on it does not verify" (DF-PKI-002, same CA name,
another key). Reported plainly, that reads as a national signing rate of zero; the hint says
what it more likely is and what to do.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["UNKNOWN_ISSUER", "trust_hint"]

UNKNOWN_ISSUER = ("DF-PKI-001", "DF-PKI-002")
"""The codes of a certificate that chains to no anchor of the trust store."""

SHARE = 0.5
"""Share of all invalid-signature reasons above which the hint is given: when most failures
are an unknown issuer, the trust store is the likelier culprit than the documents."""


def trust_hint(reasons: Mapping[str, int]) -> str | None:
    """The hint for these reason counts (code → documents), or ``None`` when it does not apply.

    Examples
    --------
    >>> trust_hint({"DF-PKI-001": 90, "DF-SIG-011": 10})[:40]
    'Most invalid signatures (90 of 100 reaso'
    >>> trust_hint({"DF-PKI-001": 1, "DF-SIG-011": 10}) is None
    True
    """
    total = sum(reasons.values())
    unknown = sum(reasons.get(code, 0) for code in UNKNOWN_ISSUER)
    if total == 0 or unknown <= SHARE * total:
        return None
    return (f"Most invalid signatures ({unknown:,} of {total:,} reasons) are certificates "
            f"that no anchor of the trust store issued ({', '.join(UNKNOWN_ISSUER)}). This "
            "usually means the wrong trust store, not unsigned documents: audit again with "
            "the anchors (and CRLs) of the PKI that issued the signers' certificates, "
            "e.g. --trust PKI_DIR/root.pem --crl PKI_DIR/crl.pem.")
