"""Universal signature forgery (Mladenov et al., NDSS 2019 §4.1): a signature dictionary whose
/Contents or /ByteRange is missing, null, empty or malformed, or whose CMS names no
certificate, so that a lax viewer skips a check and still shows a valid signature. Each variant
is made in place on the organ's real signature (no offset moves) and none may pass."""

from __future__ import annotations

import re

import pytest
from asn1crypto import cms

from docflow.errors import Indication
from docflow.pdf.cms import der_length
from docflow.pki.validate import PathValidator
from docflow.profile.nd30 import verify_document_pdf
from tests.security.pdf.tools import same_length


def _organ_contents(data: bytes) -> re.Match[bytes]:
    *_, match = re.finditer(rb"/Contents <([0-9A-Fa-f]+)>", data)
    return match


def _organ_byte_range(data: bytes) -> bytes:
    found = re.findall(rb"/ByteRange \[[0-9 ]+\] *", data)
    return found[-1]  # type: ignore[no-any-return]


def _with_cms(data: bytes, transform) -> bytes:  # type: ignore[no-untyped-def]
    match = _organ_contents(data)
    padded = bytes.fromhex(match[1].decode())
    raw = padded[:der_length(padded)]  # not rstrip: the DER itself may end with zero bytes
    info = cms.ContentInfo.load(raw)
    new = transform(info).dump(force=True)
    hexed = new.hex().upper().encode().ljust(len(match[1]), b"0")
    assert len(hexed) == len(match[1])
    return data[:match.start(1)] + hexed + data[match.end(1):]


def _drop_certificates(info: cms.ContentInfo) -> cms.ContentInfo:
    info["content"]["certificates"] = None
    return info


def _variants(data: bytes) -> dict[str, tuple[bytes, set[str]]]:
    contents = _organ_contents(data)
    byte_range = _organ_byte_range(data)
    numbers = byte_range[12:byte_range.index(b"]")].split()
    zeros = b"0" * len(contents[1])
    return {
        "contents removed": (same_length(data, contents[0], b""), {"DF-PDF-071"}),
        "contents renamed": (data[:contents.start()] + b"/Contentz" +
                             data[contents.start() + 9:], {"DF-PDF-071"}),
        "contents null": (same_length(data, contents[0], b"/Contents null"), {"DF-PDF-071"}),
        "contents empty": (same_length(data, contents[0], b"/Contents <>"), {"DF-PDF-071"}),
        "contents zeros": (data[:contents.start(1)] + zeros + data[contents.end(1):],
                           {"DF-PDF-071"}),
        "contents literal": (data[:contents.start(1) - 1] + b"(" + contents[1] + b")" +
                             data[contents.end(1) + 1:], {"DF-PDF-071"}),
        "byte range removed": (same_length(data, byte_range, b""), {"DF-PDF-071"}),
        "byte range null": (same_length(data, byte_range, b"/ByteRange null"),
                            {"DF-PDF-071"}),
        "byte range short": (same_length(data, byte_range, b"/ByteRange [%s %s %s]" % tuple(
            numbers[:3])), {"DF-PDF-071"}),
        "byte range negative": (same_length(data, byte_range, b"/ByteRange [0 %s %s -1]" % (
            numbers[1], numbers[2])), {"DF-PDF-071"}),
        "byte range zeros": (same_length(data, byte_range, b"/ByteRange [0 0 0 0]"),
                             {"DF-PDF-072"}),
        "byte range real": (same_length(data, byte_range, b"/ByteRange [0 %s.0 %s %s]" % (
            numbers[1], numbers[2], numbers[3])), {"DF-PDF-071"}),
        "byte range shifted": (same_length(data, byte_range, b"/ByteRange [0 %d %d %d]" % (
            int(numbers[1]) - 1, int(numbers[2]), int(numbers[3]))), {"DF-PDF-072"}),
        "byte range offset start": (same_length(data, byte_range, b"/ByteRange [1 %s %s %s]" % (
            numbers[1], numbers[2], numbers[3])), {"DF-PDF-072"}),
        "no certificate": (_with_cms(data, _drop_certificates), {"DF-PDF-078"}),
        "subfilter x509 sha1": (same_length(data, b"/SubFilter /ETSI.CAdES.detached",
                                            b"/SubFilter /adbe.x509.rsa_sha1"), {"DF-PDF-074"}),
        "contents not der": (data[:contents.start(1)] + b"31" + data[contents.start(1) + 2:],
                             {"DF-PDF-075"}),
    }


@pytest.fixture(scope="module")
def variants(both_pdf: bytes) -> dict[str, tuple[bytes, set[str]]]:
    return _variants(both_pdf)


CASES = sorted([
    "contents removed", "contents renamed", "contents null", "contents empty",
    "contents zeros", "contents literal", "byte range removed", "byte range null",
    "byte range short", "byte range negative", "byte range zeros", "byte range real",
    "byte range shifted", "byte range offset start", "no certificate",
    "subfilter x509 sha1", "contents not der"])


@pytest.mark.parametrize("case", CASES)
def test_forged_signature_dictionary_never_passes(case: str, variants: dict[
        str, tuple[bytes, set[str]]], validator: PathValidator) -> None:
    """Each forgery of the organ's signature dictionary is refused with its own code, the
    organ's signature is not PASSED, and neither is the document."""
    data, codes = variants[case]
    result = verify_document_pdf(data, validator)
    assert result.indication is not Indication.PASSED
    found = {f.code for f in result.findings}
    assert codes <= found, (case, found)
    organ = [s for s in result.signatures if s.field == "CoQuan"]
    assert not organ or organ[0].indication is not Indication.PASSED


def test_signature_of_another_document_fails(both_pdf: bytes, pdf_pki,  # type: ignore[no-untyped-def]
                                             validator: PathValidator) -> None:
    """The organ's real CMS moved onto another document's signature: digest mismatch."""
    from tests.pdf import corpus

    other = corpus.signed_by_both(pdf_pki, body=b"BT /F1 12 Tf 72 700 Td (Khac) Tj ET\n")
    theirs = _organ_contents(other)[1]
    mine = _organ_contents(both_pdf)
    size = min(len(theirs), len(mine[1]))
    moved = both_pdf[:mine.start(1)] + theirs[:size].ljust(len(mine[1]), b"0") + \
        both_pdf[mine.end(1):]
    result = verify_document_pdf(moved, validator)
    assert result.signatures[1].indication is Indication.FAILED
    assert "DF-PDF-076" in {f.code for f in result.signatures[1].findings}


def _resigned(data: bytes, pki, change) -> bytes:  # type: ignore[no-untyped-def]
    """The organ's CMS with its signed attributes changed by ``change`` and signed again with
    the organ's own key: the signature verifies, only the changed attribute can fail."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from docflow.pki.roles import Role
    from tests.pdf import corpus

    key = pki.credentials_for(corpus.ORGAN_CODE, Role.ORGAN).key

    def transform(info: cms.ContentInfo) -> cms.ContentInfo:
        signer = info["content"]["signer_infos"][0]
        change(signer["signed_attrs"])
        attrs = signer["signed_attrs"].dump(force=True)
        signer["signature"] = key.sign(b"\x31" + attrs[1:], ec.ECDSA(hashes.SHA256()))
        return info

    return _with_cms(data, transform)


def _ess(attrs) -> object:  # type: ignore[no-untyped-def]
    for attr in attrs:
        if attr["type"].native == "signing_certificate_v2":
            return attr["values"][0]["certs"][0]
    raise LookupError


def test_ess_naming_another_certificate_fails(both_pdf: bytes, pdf_pki,  # type: ignore[no-untyped-def]
                                             validator: PathValidator) -> None:
    """ESS signing-certificate-v2 with another certificate's hash, in a CMS whose signature
    and digest verify (re-signed by the organ's own key): DF-PDF-079, so a certificate with
    the same key cannot be swapped in. The unchanged re-signing passes: the test is fair."""
    same = _resigned(both_pdf, pdf_pki, lambda attrs: None)
    assert verify_document_pdf(same, validator).passed

    def wrong_hash(attrs) -> None:  # type: ignore[no-untyped-def]
        _ess(attrs)["cert_hash"] = b"\x01" * 32  # type: ignore[index]

    result = verify_document_pdf(_resigned(both_pdf, pdf_pki, wrong_hash), validator)
    organ = result.signatures[1]
    assert [f.code for f in organ.findings] == ["DF-PDF-079"]
    assert organ.indication is Indication.FAILED
