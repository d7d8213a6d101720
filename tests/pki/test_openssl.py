"""An independent check: ``openssl verify -crl_check_all`` agrees with the path validator.

Each case is a chain, the trust anchor, the CRLs and a validation time. OpenSSL decides from
the files alone; the path validator from the same certificates; their verdicts must agree.
(OpenSSL checks neither docflow's roles nor document-signing purposes, so the cases are the
rules both implement: signatures, validity, CA constraints, CRLs.)

One rule differs on purpose, and a case pins the difference: OpenSSL treats every serial a CRL
lists as revoked, whatever its revocationDate; docflow, validating at a time ``at``, treats it
as revoked only from its revocationDate on (RFC 5280 §5.1.2.6: "the date on which the
revocation occurred"), so that a signature made before a revocation stays valid.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from docflow.pki.builder import Issuer
from docflow.pki.national import NationalPki
from docflow.pki.roles import Role
from docflow.pki.store import TrustStore
from docflow.pki.validate import PathValidator

from .conftest import AT as PKI_AT
from .factory import T0, YEAR, Ca, key

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")

DAY = dt.timedelta(days=1)
AT = T0 + 30 * DAY
LONG = {"next_update": T0 + 6 * YEAR}

ROOT = Ca.root("OpenSSL Root", "ossl-root")
SUB = ROOT.sub_ca("OpenSSL Sub", "ossl-sub")
_, LEAF = SUB.leaf("OpenSSL Leaf", "ossl-leaf")
_, LATE = SUB.leaf("Late Leaf", "ossl-late", not_before=T0 + 60 * DAY)
_, REVOKED = SUB.leaf("Revoked Leaf", "ossl-revoked")
NO_CERT_SIGN = ROOT.sub_ca("No Cert Sign", "ossl-nocs", key_usage=x509.KeyUsage(
    True, False, False, False, False, False, True, False, False))
DEEP = SUB.sub_ca("Too Deep", "ossl-deep", path_length=None)
LEAF_AS_CA = Ca(LEAF, Issuer.from_key(LEAF.subject, key("OpenSSL Leaf")))
IMPOSTOR = Ca(SUB.cert, Issuer.from_key(SUB.cert.subject, key("ossl-impostor")))
FOREIGN = Ca.root("OpenSSL Root", "ossl-foreign-root")  # same name, another key
FOREIGN_SUB = FOREIGN.sub_ca("OpenSSL Sub", "ossl-foreign-sub")


def _cases() -> list[tuple[str, x509.Certificate, Sequence[x509.Certificate],
                           Sequence[x509.CertificateRevocationList], dt.datetime, bool | str]]:
    good_crls = (ROOT.crl(**LONG), SUB.crl([(REVOKED, T0 + 10 * DAY)], **LONG))
    return [
        ("good", LEAF, [SUB.cert], good_crls, AT, True),
        ("revoked", REVOKED, [SUB.cert], good_crls, AT, False),
        ("revoked later than the time", REVOKED, [SUB.cert], good_crls, T0 + 5 * DAY,
         "docflow trusts, openssl refuses"),
        ("expired", LEAF, [SUB.cert], good_crls, T0 + 3 * YEAR + DAY, False),
        ("not yet valid", LATE, [SUB.cert], good_crls, AT, False),
        ("stale CRL", LEAF, [SUB.cert], (ROOT.crl(**LONG), SUB.crl(next_update=T0 + 20 * DAY)),
         AT, False),
        ("missing CRL", LEAF, [SUB.cert], (ROOT.crl(**LONG),), AT, False),
        ("forged CRL", LEAF, [SUB.cert], (ROOT.crl(**LONG), IMPOSTOR.crl(**LONG)), AT, False),
        ("revoked CA", LEAF, [SUB.cert], (ROOT.crl([(SUB.cert, T0)], **LONG), SUB.crl(**LONG)),
         AT, False),
        ("leaf used as CA", LEAF_AS_CA.leaf("Under a leaf", "ossl-under-leaf")[1],
         [LEAF, SUB.cert], (*good_crls, LEAF_AS_CA.crl(**LONG)), AT, False),
        ("CA without keyCertSign", NO_CERT_SIGN.leaf("x", "ossl-nocs-leaf")[1],
         [NO_CERT_SIGN.cert], (ROOT.crl(**LONG), NO_CERT_SIGN.crl(**LONG)), AT, False),
        ("pathLen exceeded", DEEP.leaf("deep", "ossl-deep-leaf")[1], [DEEP.cert, SUB.cert],
         (*good_crls, DEEP.crl(**LONG)), AT, False),
        ("wrong issuer key", IMPOSTOR.leaf("forged", "ossl-forged")[1], [SUB.cert], good_crls,
         AT, False),
        ("foreign anchor", FOREIGN_SUB.leaf("foreign", "ossl-foreign")[1], [FOREIGN_SUB.cert],
         (FOREIGN.crl(**LONG), FOREIGN_SUB.crl(**LONG)), AT, False),
    ]


def _openssl_verify(tmp: Path, anchor: x509.Certificate, leaf: x509.Certificate,
                    intermediates: Sequence[x509.Certificate],
                    crls: Sequence[x509.CertificateRevocationList], at: dt.datetime
                    ) -> subprocess.CompletedProcess[str]:
    pem = Encoding.PEM
    (tmp / "anchor.pem").write_bytes(anchor.public_bytes(pem))
    (tmp / "leaf.pem").write_bytes(leaf.public_bytes(pem))
    (tmp / "untrusted.pem").write_bytes(b"".join(c.public_bytes(pem) for c in intermediates))
    (tmp / "crls.pem").write_bytes(b"".join(c.public_bytes(pem) for c in crls))
    command = ["openssl", "verify", "-CAfile", "anchor.pem", "-crl_check_all",
               "-attime", str(int(at.timestamp()))]
    if intermediates:
        command += ["-untrusted", "untrusted.pem"]
    if crls:
        command += ["-CRLfile", "crls.pem"]
    return subprocess.run([*command, "leaf.pem"], cwd=tmp, capture_output=True, text=True,
                          check=False)


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c[0])
def test_openssl_agrees(case: tuple, tmp_path: Path) -> None:
    """openssl verify and PathValidator reach the same verdict on the same files."""
    _name, leaf, intermediates, crls, at, expected = case
    ours = PathValidator(TrustStore(anchors=(ROOT.cert,), crls=tuple(crls))).check(
        leaf, intermediates, at)
    theirs = _openssl_verify(tmp_path, ROOT.cert, leaf, intermediates, crls, at)
    ours_expected, theirs_expected = (True, False) if isinstance(expected, str) else \
        (expected, expected)
    assert ours.trusted is ours_expected, ours.problems
    assert (theirs.returncode == 0) is theirs_expected, theirs.stdout + theirs.stderr


def test_openssl_accepts_the_national_pki(pki: NationalPki, tmp_path: Path) -> None:
    """Certificates and CRLs of the national PKI verify with OpenSSL, both roles."""
    for role in Role:
        _, cert, chain = pki.credentials_for("000.00.00.H38", role)
        crls = [pki.crl(None), pki.crl("lgsp-h38")]
        done = _openssl_verify(tmp_path, pki.root, cert, chain, crls, PKI_AT + DAY)
        assert done.returncode == 0, done.stdout + done.stderr
