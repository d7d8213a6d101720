"""The shared XML-DSig corpus: every row of ``vectors/xmldsig/MANIFEST.tsv``, one test each.

Each row names a file, a trust configuration and the outcome xmlsec1 1.2.37 gave. The test
verifies the file as the row says (legacy policy where the algorithms need it, the pinned
clock where the notes give one) and checks docflow's indication:

* a ``valid`` row must PASS, or, for the keys of :data:`EMBEDDED`, be cryptographically
  intact with only "no trust established" against it;
* an ``invalid`` row must not pass, and must fail *for the reason the row states*: the
  finding code is read from the error text xmlsec1 printed (``data and digest do not match``
  is a digest failure, ``HMAC min output length`` a truncation refusal, and so on).

docflow is stricter than xmlsec1 on a few rows; :data:`STRICTER` lists them with the reason and
the exact outcome docflow gives, which the test asserts instead. On two invalid rows docflow
names another first failure than xmlsec1, because it checks in another order
(:data:`FIRST_FAILURE`). Nothing is skipped.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
from typing import Any

import pytest
from cryptography import x509

from docflow.dsig import (
    DEFAULT_POLICY,
    ENVELOPED,
    ENVELOPING,
    LEGACY,
    EmbeddedKeyValue,
    HmacKey,
    PinnedKeyChecker,
    TrustSource,
    verify_at,
)
from docflow.dsig.keyinfo import read_key_info, signing_certificate
from docflow.dsig.structure import SignatureSyntaxError, read_signature
from docflow.errors import Indication, Severity
from docflow.pki import validate
from docflow.pki.roles import Role, RoleMapping, RoleRule
from docflow.pki.store import TrustStore
from docflow.xmlsafe import parse_xml

from .pkitools import VECTORS

ROWS = list(csv.DictReader((VECTORS / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))

RUN_DATE = dt.datetime(2026, 11, 21, tzinfo=dt.UTC)
"""The day RUN.md records the xmlsec1 checks; the clock of rows without a pinned time."""

WEAK_KEYS = {
    "signxml/pyXMLSecurity/SAML_assertion_sha256.xml": "RSA-1024 certificate",
    "derived/tampered-content-SAML_assertion_sha256.xml": "RSA-1024 certificate",
    "xmlsec/xmldsig11-interop-2012/signature-enveloping-sha256-rsa-sha256.xml":
        "RSA-1024 RSAKeyValue",
}
"""Rows whose only legacy feature is a key below the default policy's 2048 bits."""

_CA_LEAF = ("xmlsec's test signing certificates are CA certificates (basicConstraints cA=TRUE); "
            "docflow's path validator refuses a CA certificate as a signing certificate")
STRICTER: dict[tuple[str, str], tuple[Indication, frozenset[str], str]] = {
    ("xmlsec/aleksey-xmldsig-01/enveloping-sha1-rsa-sha1.xml", "valid"):
        (Indication.INDETERMINATE, frozenset({"DF-PKI-018"}), _CA_LEAF),
    ("xmlsec/aleksey-xmldsig-01/enveloping-sha256-rsa-sha256.xml", "valid"):
        (Indication.INDETERMINATE, frozenset({"DF-PKI-018"}), _CA_LEAF),
    ("xmlsec/aleksey-xmldsig-01/enveloping-sha256-ecdsa-sha256.xml", "valid"):
        (Indication.INDETERMINATE, frozenset({"DF-PKI-018"}), _CA_LEAF),
    ("xmlsec/aleksey-xmldsig-01/enveloping-sha512-ecdsa-sha512.xml", "valid"):
        (Indication.INDETERMINATE, frozenset({"DF-PKI-018"}), _CA_LEAF),
    ("derived/generated-enveloped-rsa-sha256-exc-c14n-x509.xml", "valid"):
        (Indication.INDETERMINATE, frozenset({"DF-PKI-018"}), _CA_LEAF),
    ("derived/generated-enveloped-ecdsa-sha256-exc-c14n-x509-id.xml", "valid"):
        (Indication.INDETERMINATE, frozenset({"DF-PKI-018"}), _CA_LEAF),
    ("xmlsec/phaos-xmldsig-three/signature-rsa-enveloped.xml", "valid"):
        (Indication.INDETERMINATE, frozenset({"DF-PKI-019"}),
         "the Phaos client certificate is signed with MD5, which no docflow policy accepts"),
    ("xmlsec/aleksey-xmldsig-01/enveloping-sha256-hmac-sha256-64.xml", "valid"):
        (Indication.FAILED, frozenset({"DF-SIG-004"}),
         "HMACOutputLength 80 is below half of HMAC-SHA256's 256 bits; XML-DSig 1.1 §6.3.1 "
         "requires max(80, L/2) = 128, xmlsec1 1.2.37 only a fixed 80"),
}
"""Rows where docflow deliberately refuses what xmlsec1 accepts: the outcome it gives instead."""

_VALUE_FIRST = ("SignedInfo was changed after signing, so its SignatureValue fails too; docflow "
                "checks the SignatureValue before any digest (a DigestValue nothing vouches for "
                "is not worth a canonicalization), where xmlsec1 digests first")
FIRST_FAILURE: dict[str, tuple[frozenset[str], str]] = {
    "xmlsec/phaos-xmldsig-three/signature-rsa-enveloped-bad-digest-val.xml":
        (frozenset({"DF-SIG-012"}), _VALUE_FIRST),
    "signxml/aleksey-xmldsig-01-enveloped/invalid_enveloped_transform.xml":
        (frozenset({"DF-SIG-012"}), _VALUE_FIRST),
}
"""Invalid rows whose first failure in docflow's order of checks is another than xmlsec1's:
the codes docflow gives instead, and why."""

FAILURE_CODES = [
    ("data and digest do not match", {"DF-SIG-011"}),
    ("HMAC min output length", {"DF-SIG-004"}),
    ("expected=DigestValue", {"DF-SIG-001"}),
    ("certificate has expired", {"DF-PKI-003"}),
    ("unable to get local issuer certificate", {"DF-PKI-001"}),
    ("'certificate'", {"DF-PKI-001", "DF-PKI-002", "DF-SIG-015"}),
    ("'FAIL'", {"DF-SIG-012"}),
]
"""xmlsec1's error text in a row's notes, and the docflow codes that mean the same failure."""

CORPUS_ROLES = RoleMapping(rules=(RoleRule(Role.SIGNER, subject=".*"),))
"""The corpus certificates carry no role; the test's trust configuration gives them one."""


def _row_id(row: dict[str, str]) -> str:
    return f"{row['file'].rsplit('/', 1)[-1]}[{row['trust'].rsplit('/', 1)[-1]}]"


def _needs_legacy(row: dict[str, str]) -> bool:
    algorithms = row["signature_method"] + row["digest_method"]
    transforms = row["notes"].split(";", 2)[1]
    return "sha1" in algorithms or "hmac" in algorithms or "xpath" in transforms \
        or row["file"] in WEAK_KEYS


def _pinned_time(row: dict[str, str]) -> dt.datetime:
    check = row["notes"].rsplit("|| check:", 1)[-1]
    found = re.search(r'--verification-gmt-time "([^"]+)"', check)
    if found is None:
        return RUN_DATE
    return dt.datetime.fromisoformat(found.group(1)).replace(tzinfo=dt.UTC)


def _certificate(path: str) -> x509.Certificate:
    data = (VECTORS / path).read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def _signing_certificate(document: bytes) -> x509.Certificate | None:
    root = parse_xml(document)
    signature = next(root.iter("{http://www.w3.org/2000/09/xmldsig#}Signature"))
    try:
        split = signing_certificate(read_key_info(read_signature(signature).key_info)
                                    .certificates)
    except SignatureSyntaxError:
        return None
    return split[0] if split else None


def _trust(row: dict[str, str], document: bytes, legacy: bool) -> TrustSource:
    if row["trust"] == "embedded-keyvalue":
        return EmbeddedKeyValue()
    if row["key_info"] == "hmac":
        return HmacKey((VECTORS / row["trust"]).read_bytes())
    anchor = _certificate(row["trust"])
    if row["key_info"] == "none" or anchor == _signing_certificate(document):
        # The anchor is the signing certificate itself, or the key comes out of band: pinning.
        return PinnedKeyChecker((anchor,))
    # A CA: path validation by docflow's PKI. The corpus CAs publish no CRLs and their
    # certificates have no key usage extension; the role comes from CORPUS_ROLES.
    policy = dataclasses.replace(validate.LEGACY_POLICY if legacy else validate.DEFAULT_POLICY,
                                 revocation=validate.RevocationCheck.OFF,
                                 require_key_usage=False)
    return validate.PathValidator(TrustStore(anchors=(anchor,), roles=CORPUS_ROLES), policy)


def _errors(result: Any) -> frozenset[str]:
    return frozenset(f.code for f in result.findings if f.effective_severity is Severity.ERROR)


@pytest.mark.parametrize("row", ROWS, ids=[_row_id(r) for r in ROWS])
def test_manifest_row(row: dict[str, str]) -> None:
    """A row's file verifies to the row's expected outcome, for the row's stated reason."""
    document = (VECTORS / row["file"]).read_bytes()
    legacy = _needs_legacy(row)
    layout = ENVELOPING if row["notes"].startswith("enveloping") else ENVELOPED
    result = verify_at(document, _pinned_time(row), trust=_trust(row, document, legacy),
                       policy=LEGACY if legacy else DEFAULT_POLICY, layout=layout)
    errors = _errors(result)
    stricter = STRICTER.get((row["file"], row["expected"]))
    if stricter is not None:
        indication, codes, _reason = stricter
        assert (result.indication, errors) == (indication, codes), result.findings
        if not errors & {"DF-SIG-004"}:
            assert result.certificate is not None  # the cryptography itself held
    elif row["expected"] == "valid" and row["trust"] == "embedded-keyvalue":
        assert result.indication is Indication.INDETERMINATE, result.findings
        assert errors == {"DF-SIG-016"}, result.findings
        assert result.signed and not result.trusted
    elif row["expected"] == "valid":
        assert result.indication is Indication.PASSED, result.findings
        assert result.signed and result.trusted
    else:
        assert result.indication is not Indication.PASSED
        assert not result.signed
        check = row["notes"].rsplit("->", 1)[-1]
        expected = FIRST_FAILURE[row["file"]][0] if row["file"] in FIRST_FAILURE else next(
            codes for text, codes in FAILURE_CODES if text in check)
        assert errors & expected, (expected, result.findings)


def test_every_stricter_row_is_in_the_manifest() -> None:
    """The list of deliberate divergences names only rows that exist."""
    keys = {(r["file"], r["expected"]) for r in ROWS}
    assert set(STRICTER) <= keys
    assert {(f, "invalid") for f in FIRST_FAILURE} <= keys
    assert set(WEAK_KEYS) <= {r["file"] for r in ROWS}


def test_java_short_ecdsa_value_is_reported() -> None:
    """The 130-byte P-521 value of a Java signer is accepted and flagged DF-SIG-019."""
    row = next(r for r in ROWS if r["file"].endswith("enveloped-ecdsa-java-bug.xml"))
    document = (VECTORS / row["file"]).read_bytes()
    result = verify_at(document, _pinned_time(row), trust=_trust(row, document, False),
                       policy=DEFAULT_POLICY)
    assert result.passed
    assert [f.code for f in result.findings] == ["DF-SIG-019"]


def test_expired_row_passes_inside_its_validity() -> None:
    """The expired-certificate row fails only because of the date (its control check)."""
    row = next(r for r in ROWS if r["file"].endswith("enveloping-expired-cert.xml"))
    document = (VECTORS / row["file"]).read_bytes()
    at = dt.datetime(2026, 3, 15, tzinfo=dt.UTC)
    result = verify_at(document, at, trust=_trust(row, document, True), policy=LEGACY,
                       layout=ENVELOPING)
    assert _errors(result) == {"DF-PKI-018"}  # what remains is the CA-as-leaf refusal
