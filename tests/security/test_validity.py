"""Certificates out of their time: expired, not yet valid, revoked, and tricks with ``at``.

Path validation decides at the time ``at`` the caller gives, which is *now* unless the caller
chooses otherwise; nothing the document says (its TraceHeader timestamps, its promulgation
date) moves that time. The attacks: sign with an expired or revoked key and make the message
look older; reuse a validator that once found the certificate good; rely on a CRL that is stale,
missing or forged.
"""

from __future__ import annotations

import datetime as dt

from lxml import etree

from docflow.pki.builder import Issuer
from docflow.pki.crl import Revocation, build_crl
from docflow.pki.roles import Role
from docflow.pki.store import TrustStore
from docflow.pki.validate import PathValidator
from docflow.profile.edxml import sign_message

from .attack import ed, edit
from .outcome import refused, verify
from .pki import AGENCY_A, AGENCY_A_NAME, EXPIRES, ISSUED, NOW, Credential, SmallPki, ec_key

REVOKED_AT = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def _backdate(document: bytes) -> bytes:
    """The message's own dates moved back to when the certificate was good (unsigned by
    the signature check, which must not read them)."""
    def change(root: etree._Element) -> None:
        for element in root.iter(ed("Timestamp"), ed("PromulgationDate")):
            element.text = "2025/02/01" + (element.text or "")[10:]
    return edit(document, change)


def _organ(pki: SmallPki, **kwargs: object) -> Credential:
    return pki.agency(AGENCY_A, AGENCY_A_NAME, Role.ORGAN, **kwargs)  # type: ignore[arg-type]


def test_expired_certificate_with_backdated_message(message: bytes, pki: SmallPki) -> None:
    """Expired certificate: the organ key of a certificate that expired in 2025-12 signs a
    message whose TraceHeader timestamp and promulgation date say 2025-02. Defence: the
    certificate is judged at ``at`` (now), not at a time the document claims (DF-PKI-003)."""
    expired = _organ(pki, not_after=dt.datetime(2025, 12, 1, tzinfo=dt.UTC))
    signed = sign_message(_backdate(message), expired.signer(), "organ")
    refused(verify(signed, pki), "DF-PKI-003")


def test_certificate_not_yet_valid(message: bytes, pki: SmallPki) -> None:
    """A certificate issued for the future (notBefore 2027) signing now. Defence: DF-PKI-004."""
    future = _organ(pki, not_before=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    refused(verify(sign_message(message, future.signer(), "organ"), pki), "DF-PKI-004")


def test_revoked_certificate_with_backdated_message(message: bytes, pki: SmallPki) -> None:
    """Revoked certificate: the organ certificate was revoked (key compromise) on 2026-03-01
    and the thief signs a message dated before that. Defence: revocation is judged at ``at``,
    after the revocation (DF-PKI-005)."""
    stolen = _organ(pki)
    signed = sign_message(_backdate(message), stolen.signer(), "organ")
    refused(verify(signed, pki, trust=pki.validator((stolen.certificate, REVOKED_AT))),
            "DF-PKI-005")


def test_validator_cache_across_times(message: bytes, pki: SmallPki) -> None:
    """``at`` manipulation against the validator's cache: one shared validator is first asked
    at a time before the revocation (the certificate was good, and the answer is cached),
    then at a time after it. Defence: a cached answer is reused only within the time window
    where it holds (DF-PKI-005 on the second call)."""
    stolen = _organ(pki)
    signed = sign_message(message, stolen.signer(), "organ")
    validator = pki.validator((stolen.certificate, REVOKED_AT))
    before = verify(signed, pki, trust=validator, at=REVOKED_AT - dt.timedelta(seconds=1))
    assert before.passed, before.to_dict()
    refused(verify(signed, pki, trust=validator, at=REVOKED_AT), "DF-PKI-005")
    refused(verify(signed, pki, trust=validator, at=NOW), "DF-PKI-005")


def test_naive_time_is_utc_not_local(message: bytes, pki: SmallPki) -> None:
    """A naive ``at`` one hour after the revocation instant in UTC (which local time in
    Vietnam, UTC+7, would place seven hours earlier, before the revocation). Defence: a naive
    time is UTC (DF-PKI-005)."""
    stolen = _organ(pki)
    signed = sign_message(message, stolen.signer(), "organ")
    naive = (REVOKED_AT + dt.timedelta(hours=1)).replace(tzinfo=None)
    refused(verify(signed, pki, trust=pki.validator((stolen.certificate, REVOKED_AT)),
                   at=naive), "DF-PKI-005")


def test_revocation_hidden_by_a_stale_crl(message: bytes, pki: SmallPki) -> None:
    """A stale CRL: the only CRL of the hub CA predates the revocation and its nextUpdate
    has passed, so it does not list the stolen certificate. Defence: a CRL past its
    nextUpdate does not vouch for anything (DF-PKI-015)."""
    stolen = _organ(pki)
    signed = sign_message(message, stolen.signer(), "organ")
    old_crl = build_crl(pki.hub_issuer, ISSUED, ISSUED + dt.timedelta(days=30), [])
    root_crl = build_crl(pki.root_issuer, ISSUED, EXPIRES, [])
    validator = PathValidator(TrustStore(anchors=(pki.root,), crls=(old_crl, root_crl)))
    refused(verify(signed, pki, trust=validator), "DF-PKI-015")


def test_revocation_status_missing(message: bytes, pki: SmallPki) -> None:
    """No CRL of the hub CA at all (the attacker blocked its distribution point).
    Defence: without revocation data the result is not PASSED (DF-PKI-014)."""
    signed = sign_message(message, _organ(pki).signer(), "organ")
    validator = PathValidator(TrustStore(anchors=(pki.root,), crls=(
        build_crl(pki.root_issuer, ISSUED, EXPIRES, []),)))
    refused(verify(signed, pki, trust=validator), "DF-PKI-014")


def test_forged_crl_newer_than_the_real_one(message: bytes, pki: SmallPki) -> None:
    """A forged CRL: newer than the real one, with the hub CA's name but signed by the
    attacker, listing nothing — to shadow the real CRL that lists the stolen certificate.
    Defence: only CRLs signed by the issuer's key count; the real one still decides
    (DF-PKI-005)."""
    stolen = _organ(pki)
    signed = sign_message(message, stolen.signer(), "organ")
    real = build_crl(pki.hub_issuer, ISSUED, EXPIRES,
                     [Revocation(stolen.certificate.serial_number, REVOKED_AT)])
    forged = build_crl(Issuer.from_key(pki.hub.subject, ec_key()),
                       NOW - dt.timedelta(days=1), EXPIRES, [], number=99)
    validator = PathValidator(TrustStore(anchors=(pki.root,), crls=(
        real, forged, build_crl(pki.root_issuer, ISSUED, EXPIRES, []))))
    refused(verify(signed, pki, trust=validator), "DF-PKI-005", "DF-PKI-016")



def test_validation_time_outside_the_utc_range(both: bytes, pki: SmallPki) -> None:
    """A validation time with no UTC datetime — midnight of 0001-01-01 at +07:00, which an
    audit takes from a document's own TraceHeader, or the last instant of 9999 at -07:00 —
    is a result, never an exception: at the first no certificate is valid yet (DF-PKI-004),
    at the last every one has expired (DF-PKI-003)."""
    first = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    refused(verify(both, pki, at=first), "DF-PKI-004")
    last = dt.datetime.max.replace(tzinfo=dt.timezone(dt.timedelta(hours=-7)))
    refused(verify(both, pki, at=last), "DF-PKI-003")
