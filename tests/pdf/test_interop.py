"""pyHanko (the reference implementation) and poppler's pdfsig (an independent checker) agree
with docflow on the benign corpus, signature by signature, and on its tampered copies.

pyHanko validates with the same trust: the PKI's root as its only trust root, the hub CA and
the CRLs given, no fetching, revocation required. pdfsig checks integrity only (-nocert):
its certificate check needs an NSS database, and trust is docflow's own decision anyway.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from docflow.errors import Indication
from docflow.pki.national import NationalPki
from docflow.pki.roles import Role
from docflow.pki.validate import PathValidator
from docflow.profile.nd30 import verify_document_pdf
from tests.pdf import corpus

_DER = serialization.Encoding.DER


def pyhanko_context(pki: NationalPki) -> ValidationContext:
    """pyHanko's validation context over the same trust as ``pki.validator()``."""
    store = pki.trust_store()
    return ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(c.public_bytes(_DER)) for c in store.anchors],
        other_certs=[asn1_x509.Certificate.load(c.public_bytes(_DER))
                     for c in store.intermediates],
        crls=[asn1_crl.CertificateList.load(c.public_bytes(_DER)) for c in store.crls],
        allow_fetching=False, revocation_mode="hard-fail")


def pyhanko_verdicts(data: bytes, pki: NationalPki) -> list[bool]:
    """pyHanko's bottom line for each signature, in file order."""
    reader = PdfFileReader(BytesIO(data))
    return [bool(validate_pdf_signature(sig, pyhanko_context(pki)).bottom_line)
            for sig in reader.embedded_signatures]


def benign_corpus(pki: NationalPki) -> dict[str, bytes]:
    """Documents signed in Decree 30's order with the usual variations."""
    organ = pki.credentials_for(corpus.ORGAN_CODE, Role.ORGAN)
    signer = pki.credentials_for(corpus.ORGAN_CODE, Role.SIGNER)
    other = pki.credentials_for(corpus.OTHER_CODE, Role.ORGAN)
    plain = corpus.plain_pdf()
    return {
        "person then organ": corpus.signed_by_both(pki),
        "invisible signatures": corpus.sign(corpus.sign(plain, signer, "A", None), organ, "B",
                                            None),
        "appendix: organ only": corpus.sign(plain, other, "CoQuan", None),
        "sha512": corpus.sign(corpus.sign(plain, signer, "A", corpus.SIGNER_BOX,
                                          md_algorithm="sha512"),
                              organ, "B", corpus.ORGAN_BOX, md_algorithm="sha384"),
        "adbe.pkcs7.detached": corpus.sign(
            corpus.sign(plain, signer, "A", corpus.SIGNER_BOX,
                        subfilter=fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED),
            organ, "B", corpus.ORGAN_BOX,
            subfilter=fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED),
    }


@pytest.fixture(scope="module")
def benign(pdf_pki: NationalPki) -> dict[str, bytes]:
    return benign_corpus(pdf_pki)


def _tampered(data: bytes) -> bytes:
    """One byte of the page text changed (the first revision, under every signature)."""
    at = data.find(b"Tj ET")
    assert at > 0
    return data[:at - 3] + bytes([data[at - 3] ^ 0x01]) + data[at - 2:]


@pytest.mark.parametrize("case", ["person then organ", "invisible signatures",
                                  "appendix: organ only", "sha512", "adbe.pkcs7.detached"])
def test_pyhanko_agrees_on_the_benign_corpus(case: str, benign: dict[str, bytes],
                                             pdf_pki: NationalPki,
                                             validator: PathValidator) -> None:
    """Every signature passes in both, and every tampered copy fails in both."""
    data = benign[case]
    result = verify_document_pdf(data, validator, required_roles=set())
    assert result.indication is Indication.PASSED, result.findings
    assert [s.passed for s in result.signatures] == pyhanko_verdicts(data, pdf_pki)
    tampered = _tampered(data)
    broken = verify_document_pdf(tampered, validator, required_roles=set())
    assert [s.passed for s in broken.signatures] == pyhanko_verdicts(tampered, pdf_pki)
    assert not any(s.passed for s in broken.signatures)


@pytest.mark.parametrize("case", ["person then organ", "sha512", "adbe.pkcs7.detached"])
def test_pdfsig_agrees_on_integrity(case: str, benign: dict[str, bytes],
                                    validator: PathValidator, tmp_path: Path) -> None:
    """pdfsig finds each signature valid exactly when docflow finds it intact, on the file
    and on its tampered copy. pdfsig (poppler-utils) is required: no skip."""
    assert shutil.which("pdfsig"), "pdfsig (Debian poppler-utils) must be installed"
    for name, data in (("intact", benign[case]), ("tampered", _tampered(benign[case]))):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(data)
        out = subprocess.run(["pdfsig", "-nocert", str(path)], capture_output=True,
                             text=True, check=False, timeout=60).stdout
        theirs = [v == "Signature is Valid." for v in
                  re.findall(r"Signature Validation: (.*)", out)]
        ours = [s.passed for s in verify_document_pdf(data, validator,
                                                      required_roles=set()).signatures]
        assert theirs == ours and len(ours) == 2, (name, out)
