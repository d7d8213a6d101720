"""The RFC 3161 signature timestamp of a PAdES B-T signature (ETSI EN 319 142-1 §5.3).

A timestamp token proves the signature value existed at ``genTime``: its imprint must be the
hash of exactly this signature's value, the TSA's own CMS signature must verify, and the TSA's
certificate must chain to a trust anchor at that time. Only then is ``genTime`` used as the
signing time for the signer's certificate path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from asn1crypto import cms

from docflow.errors import Finding, Location
from docflow.pdf.cms import (
    DIGESTS,
    LEGACY_DIGESTS,
    as_set,
    signing_certificate,
    verify_signer_info,
)
from docflow.pki.validate import PathValidator

__all__ = ["TimestampCheck", "check_timestamp"]

_ASN1_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError)
_ROLELESS = {"DF-PKI-012", "DF-PKI-013"}
"""A TSA certificate has no signing role; those findings do not apply to it."""


@dataclass(frozen=True, slots=True)
class TimestampCheck:
    """The outcome: ``time`` is set only when the token is valid and its TSA trusted."""

    findings: tuple[Finding, ...]
    time: dt.datetime | None = None
    claimed: dt.datetime | None = None
    """genTime as the token states it, valid or not (for the report)."""


def check_timestamp(token: cms.ContentInfo, signature: bytes, validator: PathValidator, *,
                    legacy: bool = False, where: Location | None = None) -> TimestampCheck:
    """Check ``token`` as the timestamp of the signature value ``signature``."""
    where = where or Location()

    def bad(message: str, claimed: dt.datetime | None = None) -> TimestampCheck:
        return TimestampCheck((Finding("DF-PDF-085", message, where),), None, claimed)

    try:
        if token["content_type"].native != "signed_data":
            return bad("the timestamp token is not SignedData")
        data = token["content"]
        encap = data["encap_content_info"]
        if encap["content_type"].native != "tst_info":
            return bad("the timestamp token does not hold a TSTInfo")
        raw = encap["content"].contents
        info = encap["content"].parsed
        claimed = info["gen_time"].native
        imprint = info["message_imprint"]
        name = imprint["hash_algorithm"]["algorithm"].native
        digests = LEGACY_DIGESTS if legacy else DIGESTS
        if name not in digests:
            return bad(f"the timestamp imprint uses {name}", claimed)
        if hashlib.new(name, signature).digest() != imprint["hashed_message"].native:
            return bad("the timestamp's imprint is not the hash of this signature's value",
                       claimed)
        signers = data["signer_infos"]
        if len(signers) != 1:
            return bad("the timestamp token has not exactly one SignerInfo", claimed)
        signer = signers[0]
        found, others = signing_certificate(signer["sid"], [
            c.chosen for c in data["certificates"] or () if c.name == "certificate"])
        if found is None:
            return TimestampCheck((Finding("DF-PDF-086", "the timestamp token carries no "
                                                         "TSA certificate", where),), None,
                                  claimed)
        tsa = found[0]
        digest_name = signer["digest_algorithm"]["algorithm"].native
        if digest_name not in digests:
            return bad(f"the timestamp's digest {digest_name} is not allowed", claimed)
        attrs = signer["signed_attrs"]
        signed_set = as_set(attrs)  # before any child is parsed (see cms.as_set)
        digest = {a["type"].native: a["values"][0].native for a in attrs}.get("message_digest")
        if digest != hashlib.new(digest_name, raw).digest():
            return bad("the timestamp's message digest is not the hash of its TSTInfo",
                       claimed)
        problem = verify_signer_info(signer, tsa, digests[digest_name](), signed_set,
                                     legacy)
        if problem is not None:
            return bad(f"the timestamp's signature: {problem[1]}", claimed)
    except _ASN1_ERRORS as exc:
        return bad(f"the timestamp token cannot be parsed: {exc}")
    chain = validator.check(tsa, list(others), claimed)
    problems = [f for f in chain.problems if f.code not in _ROLELESS]
    if not chain.trusted or problems:
        first = problems[0].message if problems else "no path to a trust anchor"
        return TimestampCheck((Finding("DF-PDF-086", f"the TSA certificate: {first}", where),),
                              None, claimed)
    return TimestampCheck((), claimed, claimed)
