"""docflow sign FILE.pdf: PAdES in the Decree's order, checked by pdfsig and pyHanko."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from asn1crypto import cms
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from docflow.errors import InputError, UsageError
from docflow.pki.roles import Role
from docflow.profile.nd30_sign import sign_document
from tests.pdf.making import (
    ORGAN,
    OTHER,
    count_colour,
    document,
    info,
    nss_database,
    pki,
    render,
    run,
    sign,
    signatures,
    signing_time,
    tool,
)

CASES = {
    "signer": lambda ts: sign(document(), Role.SIGNER, timestamped=ts),
    "signer+organ": lambda ts: sign(sign(document(), Role.SIGNER, timestamped=ts), Role.ORGAN,
                                    minutes=5, timestamped=ts),
    "appendix": lambda ts: sign(document(appendix=True), Role.ORGAN, timestamped=ts),
}


@pytest.fixture(scope="module")
def nss(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An NSS database trusting the test PKI's root, made once for the module."""
    return nss_database(tmp_path_factory.mktemp("nss"))


def _validation_context() -> ValidationContext:
    def der(x: object) -> bytes:
        return x.public_bytes(Encoding.DER)  # type: ignore[attr-defined,no-any-return]

    return ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(der(pki().root))],
        crls=[asn1_crl.CertificateList.load(der(pki().crl(h))) for h in (None, "H49")],
        allow_fetching=False, moment=signing_time(30))


def _pyhanko(data: bytes) -> list[object]:
    reader = PdfFileReader(io.BytesIO(data))
    return [validate_pdf_signature(s, _validation_context())
            for s in reader.embedded_signatures]


@pytest.mark.parametrize("timestamped", [False, True], ids=["B-B", "B-T"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_pyhanko_finds_every_signature_intact_valid_and_trusted(case: str,
                                                                timestamped: bool) -> None:
    """pyHanko, the reference implementation, validates each signature with the docflow
    root as its only anchor: intact, valid, trusted, and the signer's signature still
    covering what the reader sees after the organ's update; with B-T, the timestamp too."""
    data = CASES[case](timestamped)
    statuses = _pyhanko(data)
    assert len(statuses) == (2 if case == "signer+organ" else 1)
    for status in statuses:
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        assert status.bottom_line
        if timestamped:
            assert status.timestamp_validity is not None
            assert status.timestamp_validity.intact and status.timestamp_validity.valid
            assert status.timestamp_validity.trusted
        else:
            assert status.timestamp_validity is None
    if case == "signer+organ":
        assert statuses[0].modification_level.name in ("FORM_FILLING", "LTA_UPDATES")
        assert statuses[1].coverage.name == "ENTIRE_FILE"


@pytest.mark.parametrize("timestamped", [False, True], ids=["B-B", "B-T"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_pdfsig_finds_every_signature_valid_and_trusted(case: str, timestamped: bool,
                                                        nss: str, tmp_path: Path) -> None:
    """poppler's pdfsig, an independent implementation on NSS, trusting only the docflow
    root: every signature valid, its certificate trusted, the last one covering the file."""
    tool("pdfsig")
    source = tmp_path / "signed.pdf"
    source.write_bytes(CASES[case](timestamped))
    out = run("pdfsig", "-nssdir", nss, source).stdout.decode()
    count = 2 if case == "signer+organ" else 1
    assert out.count("Signature Validation: Signature is Valid.") == count, out
    assert out.count("Certificate Validation: Certificate is Trusted.") == count, out
    assert out.count("Signature Type: ETSI.CAdES.detached") == count
    assert "Total document signed" in out.split("Signature #")[-1]


@pytest.mark.parametrize("timestamped", [False, True], ids=["B-B", "B-T"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_docflow_verify_passes_what_docflow_signs(case: str, timestamped: bool) -> None:
    """docflow's own verifier (the strict reader, the update check, the Decree's profile)
    passes every signature and every update docflow makes; a signer-only document passes
    when the organ is not required."""
    from docflow.pki.roles import Role as R
    from docflow.profile.nd30 import verify_document_pdf

    required = {R.SIGNER} if case == "signer" else {R.ORGAN}
    result = verify_document_pdf(CASES[case](timestamped), pki().validator(),
                                 at=signing_time(30), required_roles=required)
    assert result.passed, [f.to_dict() for f in result.findings]
    assert all(s.indication.value == "PASSED" for s in result.signatures)
    assert [u.signed for u in result.updates] == [True] * len(result.signatures)


def test_the_signatures_are_incremental_updates_of_the_document() -> None:
    """The original bytes stay a prefix of the signed file, and the signer's file of the
    organ's: nothing the signer signed is rewritten."""
    first = sign(document(), Role.SIGNER)
    second = sign(first, Role.ORGAN, minutes=5)
    assert first.startswith(document()) and second.startswith(first)
    assert [name for name, _ in signatures(second)] == ["ND30-signer", "ND30-organ"]


def test_the_cms_has_the_pades_attributes_and_no_signing_time() -> None:
    data = sign(document(), Role.SIGNER)
    ((_, sig),) = signatures(data)
    assert sig["SubFilter"] == "ETSI.CAdES.detached"
    assert sig["M"].startswith(b"D:") and sig["M"].endswith(b"+07'00'")  # type: ignore
    signed = cms.ContentInfo.load(sig["Contents"])["content"]  # type: ignore[arg-type]
    attrs = {a["type"].native for a in signed["signer_infos"][0]["signed_attrs"]}
    assert attrs == {"content_type", "message_digest", "signing_certificate_v2"}
    assert signed["encap_content_info"]["content"].native is None  # detached


def test_the_same_inputs_and_time_give_the_same_bytes() -> None:
    assert sign(document(), Role.SIGNER) == sign(document(), Role.SIGNER)
    assert sign(document(), Role.SIGNER) != sign(document(), Role.SIGNER, minutes=1)


def test_the_images_are_blue_for_the_signer_and_red_for_the_seal(tmp_path: Path) -> None:
    """Rendered by pdftoppm: blue ink in the signer's place once the signer signed, red ink
    in the seal's place once the organ signed and not before."""
    found = info(document())

    def box(key: str) -> tuple[float, float, float, float]:
        return tuple(float(v) for v in found[key][1:])  # type: ignore

    def blue(r: int, g: int, b: int) -> bool:
        return b > 120 and r < 90

    def red(r: int, g: int, b: int) -> bool:
        return r > 150 and g < 90 and b < 90

    signer_only = render(sign(document(), Role.SIGNER), tmp_path)
    assert count_colour(signer_only, box("ND30Signer"), blue) > 20
    assert count_colour(signer_only, box("ND30Organ"), red) == 0
    both = render(sign(sign(document(), Role.SIGNER), Role.ORGAN, minutes=5), tmp_path)
    assert count_colour(both, box("ND30Organ"), red) > 50
    unsigned = render(document(), tmp_path)
    assert count_colour(unsigned, box("ND30Signer"), blue) == 0


@pytest.mark.parametrize(("steps", "code"), [
    ([("organ", ORGAN)], "DF-PDF-007"),  # the organ before the signer
    ([("signer", ORGAN), ("organ", ORGAN), ("signer", ORGAN)], "DF-PDF-008"),  # after organ
    ([("signer", ORGAN), ("signer", ORGAN)], "DF-PDF-008"),  # a second signer
    ([("signer", ORGAN), ("organ", OTHER)], "DF-PDF-009"),  # another organ's seal
])
def test_signing_out_of_the_decrees_order_is_refused(steps: list[tuple[str, str]],
                                                     code: str) -> None:
    data = document()
    *before, (role, organ) = steps
    for i, (r, o) in enumerate(before):
        data = sign(data, Role(r), organ=o, minutes=i)
    with pytest.raises(UsageError) as caught:
        sign(data, Role(role), organ=organ, minutes=9)
    assert caught.value.code == code


def test_an_appendix_is_signed_by_the_organ_only() -> None:
    with pytest.raises(UsageError) as caught:
        sign(document(appendix=True), Role.SIGNER)
    assert caught.value.code == "DF-PDF-010"


def test_the_role_comes_from_the_certificate() -> None:
    """An organ certificate cannot sign as the signer, nor a certificate without a role
    policy (the TSA's) as anyone."""
    key, cert, chain = pki().credentials_for(ORGAN, Role.ORGAN)
    with pytest.raises(UsageError) as caught:
        sign_document(document(), key, [cert, *chain], Role.SIGNER, at=signing_time())
    assert caught.value.code == "DF-PDF-006"
    tsa = pki().tsa()
    with pytest.raises(UsageError) as caught:
        sign_document(document(), tsa.key, [tsa.certificate], Role.SIGNER, at=signing_time())
    assert caught.value.code == "DF-PDF-011"


def test_a_key_that_is_not_the_certificates_is_refused() -> None:
    key = pki().credentials_for(OTHER, Role.SIGNER).key
    _, cert, chain = pki().credentials_for(ORGAN, Role.SIGNER)
    with pytest.raises(UsageError) as caught:
        sign_document(document(), key, [cert, *chain], Role.SIGNER, at=signing_time())
    assert caught.value.code == "DF-PDF-012"


@pytest.mark.parametrize("damage", [
    lambda d: d[:len(d) // 2],  # truncated: no startxref
    lambda d: d.replace(b"startxref\n", b"startxref\n9"),  # startxref past the end
    lambda d: d.replace(b"/Root 1 0 R", b"/Root 9 9 X"),  # no /Root reference
    lambda d: b"%PDF-1.7\n" + b"\0" * 64,  # a header and nothing
    lambda d: d.replace(b"/Type /Pages", b"/Type /Pagez").replace(b"/Kids", b"/Kidz"),
])
def test_a_damaged_pdf_is_a_coded_error_not_a_traceback(damage: object) -> None:
    key, cert, chain = pki().credentials_for(ORGAN, Role.SIGNER)
    with pytest.raises(InputError) as caught:
        sign_document(damage(document()), key, [cert, *chain], Role.SIGNER,  # type: ignore
                      at=signing_time())
    # The strict reader's codes (DF-PDF-05x/06x), or the signer's own for the page tree.
    assert caught.value.code == "DF-PDF-004" or "DF-PDF-050" <= caught.value.code <= \
        "DF-PDF-062", caught.value


def test_a_pdf_not_laid_out_by_docflow_is_signed_in_default_places() -> None:
    """A PDF without docflow's placement record (here pyHanko's own blank page) is still
    signed and validates; fonts for the seal's text are embedded in the update."""
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    writer.insert_page(_blank_page(writer))
    buffer = io.BytesIO()
    writer.write(buffer)
    data = sign(sign(buffer.getvalue(), Role.SIGNER), Role.ORGAN, minutes=1)
    statuses = _pyhanko(data)
    assert [s.bottom_line for s in statuses] == [True, True]


def _blank_page(writer: object) -> object:
    from pyhanko.pdf_utils import generic

    return generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Page"),
        generic.NameObject("/MediaBox"): generic.ArrayObject(
            [generic.NumberObject(0), generic.NumberObject(0), generic.NumberObject(595),
             generic.NumberObject(842)]),
        generic.NameObject("/Resources"): generic.DictionaryObject(),
        generic.NameObject("/Contents"): writer.add_object(  # type: ignore[attr-defined]
            generic.StreamObject(stream_data=b"")),
    })


def test_the_organ_signs_after_a_signature_whose_der_ends_in_a_zero_byte() -> None:
    """The placeholder is padded with zeros, and a CMS may end in a zero byte itself: the
    signature already there is read by its DER length, never by stripping zeros (which
    once made the organ's signature fail with DF-PDF-016 one time in 256)."""
    for minute in range(3000):
        first = sign(document(), Role.SIGNER, minutes=minute)
        ((_, sig),) = signatures(first)
        der = cms.ContentInfo.load(sig["Contents"]).dump()  # type: ignore[arg-type]
        if der.endswith(b"\0"):
            break
    else:
        pytest.fail("no signature ending in a zero byte within 3000 tries")
    second = sign(first, Role.ORGAN, minutes=minute + 1)
    assert len(signatures(second)) == 2


def test_a_timestamp_larger_than_foreseen_gets_room_and_still_validates() -> None:
    """A TSA whose token carries a long chain (here the root 24 times, ~12 KB) overflows the
    room first reserved; the signer signs again with room for it, and pyHanko finds the
    signature and its timestamp valid."""
    from docflow.pki.tsa import TimestampAuthority

    creds = pki().tsa()
    bulky = TimestampAuthority(creds.key, creds.certificate, chain=(pki().root,) * 24)
    key, cert, chain = pki().credentials_for(ORGAN, Role.SIGNER)
    at = signing_time()
    data = sign_document(document(), key, [cert, *chain], Role.SIGNER, at=at,
                         timestamp=bulky.timestamper(at))
    ((_, sig),) = signatures(data)
    assert len(sig["Contents"]) > 12_000  # type: ignore[arg-type]
    (status,) = _pyhanko(data)
    assert status.bottom_line and status.timestamp_validity.valid  # type: ignore[attr-defined]


@pytest.mark.parametrize("algorithm", ["rsa-2048", "ed25519"])
def test_rsa_and_ed25519_keys_sign_pades_too(algorithm: str, tmp_path: Path) -> None:
    """With a PKI of RSA (PKCS#1 v1.5, SHA-256) or Ed25519 (SHA-512, RFC 8419) keys, the
    signer and the organ sign, and pyHanko and docflow's verifier pass both signatures;
    pdfsig too for RSA (NSS has no Ed25519 in CMS, so pdfsig cannot check those)."""
    import datetime as dt

    from docflow.pki.keys import KeyAlgorithm
    from docflow.pki.national import Agency, Hub, NationalPki
    from docflow.profile.nd30 import verify_document_pdf
    from tests.pdf.making import issued_at

    other = NationalPki.build(
        [Agency(ORGAN, "Ủy ban nhân dân tỉnh Quảng Nam", "province", "H49")], seed=11,
        at=issued_at(), hubs=[Hub("H49", "Quảng Nam")], algorithm=KeyAlgorithm(algorithm))
    at = signing_time()
    data = document()
    for role in (Role.SIGNER, Role.ORGAN):
        key, cert, chain = other.credentials_for(ORGAN, role)
        data = sign_document(data, key, [cert, *chain], role, at=at)
    result = verify_document_pdf(data, other.validator(), at=at + dt.timedelta(minutes=5))
    assert result.passed, [f.to_dict() for f in result.findings]

    def der(x: object) -> bytes:
        return x.public_bytes(Encoding.DER)  # type: ignore[attr-defined,no-any-return]

    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(der(other.root))],
        crls=[asn1_crl.CertificateList.load(der(other.crl(h))) for h in (None, "H49")],
        allow_fetching=False, moment=signing_time(30))
    statuses = [validate_pdf_signature(s, context)
                for s in PdfFileReader(io.BytesIO(data)).embedded_signatures]
    assert [s.bottom_line for s in statuses] == [True, True]
    if algorithm == "rsa-2048":
        database = nss_database(tmp_path / "nss", other.root)
        source = tmp_path / "signed.pdf"
        source.write_bytes(data)
        out = run("pdfsig", "-nssdir", database, source).stdout.decode()
        assert out.count("Signature is Valid.") == 2, out
        assert out.count("Certificate is Trusted.") == 2, out
