"""Real signed PDFs for the PDF tests, made with pyHanko (the reference implementation) and
docflow's national test PKI, in the order Decree 30/2020 prescribes: the person (``signer``)
signs first, the organ then signs in an incremental update.

Until docflow's own signer lands these are the benign corpus; every attack test starts from
them and changes bytes the way the published attacks do.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from docflow.pki.national import Agency, Credentials, Hub, NationalPki
from docflow.pki.roles import Role

ORGAN_CODE = "000.00.00.H49"
OTHER_CODE = "000.00.01.H49"
AGENCIES = (
    Agency(ORGAN_CODE, "Ủy ban nhân dân tỉnh Nghệ An", "province", "lgsp-h49"),
    Agency(OTHER_CODE, "Sở Tài chính tỉnh Nghệ An", "province", "lgsp-h49"),
)
HUBS = (Hub("lgsp-h49", "Nền tảng tích hợp, chia sẻ dữ liệu tỉnh Nghệ An"),)

SIGNER_BOX = (340, 120, 520, 200)
"""The person's visible signature, bottom right of the signing block."""
ORGAN_BOX = (280, 110, 400, 210)
"""The organ's seal, overlapping the left third of the person's image."""
BODY = b"BT /F1 14 Tf 72 760 Td (QUYET DINH ve viec phe duyet ke hoach) Tj ET\n" \
       b"BT /F1 12 Tf 72 730 Td (So tien: 1.000.000 dong) Tj ET\n"


def build_pki(seed: int = 14) -> NationalPki:
    """Issued 30 days before today (whole days, so a run of the suite sees one PKI), so that
    signatures pyHanko makes now are inside the certificates' and CRLs' validity."""
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return NationalPki.build(AGENCIES, seed=seed, at=today - dt.timedelta(days=30), hubs=HUBS)


def plain_pdf(body: bytes = BODY, *, extra_objects: bool = False) -> bytes:
    """A one-page PDF with a Helvetica text body, as pyHanko's writer lays it out."""
    writer = PdfFileWriter()
    font = writer.add_object(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/Type1"),
        pdf_name("/BaseFont"): pdf_name("/Helvetica"),
        pdf_name("/Encoding"): pdf_name("/WinAnsiEncoding")}))
    content = writer.add_object(generic.StreamObject(stream_data=body))
    resources = generic.DictionaryObject({
        pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): font})})
    writer.insert_page(PageObject(contents=content, media_box=(0, 0, 595, 842),
                                  resources=resources))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def pyhanko_signer(credentials: Credentials) -> signers.SimpleSigner:
    """A pyHanko signer over docflow PKI credentials (key, certificate, CA chain)."""
    der = serialization.Encoding.DER
    key = credentials.key.private_bytes(der, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    certificate = asn1_x509.Certificate.load(credentials.certificate.public_bytes(der))
    chain = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in credentials.chain]
    return signers.SimpleSigner(signing_cert=certificate,
                                signing_key=asn1_keys.PrivateKeyInfo.load(key),
                                cert_registry=SimpleCertificateStore.from_certs(chain))


def sign(pdf: bytes, credentials: Credentials, field: str,
         box: tuple[int, int, int, int] | None, *,
         subfilter: fields.SigSeedSubFilter = fields.SigSeedSubFilter.PADES,
         md_algorithm: str = "sha256", timestamper: object = None) -> bytes:
    """``pdf`` with one more signature in a new field ``field``, as an incremental update."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=subfilter,
                                        md_algorithm=md_algorithm)
    spec = fields.SigFieldSpec(sig_field_name=field, box=box, on_page=0) if box else \
        fields.SigFieldSpec(sig_field_name=field)
    out = signers.sign_pdf(writer, meta, signer=pyhanko_signer(credentials),
                           new_field_spec=spec, timestamper=timestamper)
    return out.getvalue()  # type: ignore[no-any-return]


def signed_by_signer(pki: NationalPki, code: str = ORGAN_CODE, body: bytes = BODY) -> bytes:
    """The document signed by its competent person (first signature, visible)."""
    return sign(plain_pdf(body), pki.credentials_for(code, Role.SIGNER), "NguoiKy", SIGNER_BOX)


def signed_by_both(pki: NationalPki, code: str = ORGAN_CODE, body: bytes = BODY) -> bytes:
    """The document signed by the person, then by the organ in an incremental update."""
    return sign(signed_by_signer(pki, code, body), pki.credentials_for(code, Role.ORGAN),
                "CoQuan", ORGAN_BOX)


def timestamper(pki: NationalPki, *, eku: bool = True) -> object:
    """A local RFC 3161 TSA (pyHanko's in-process one) with a certificate from the PKI's
    hub CA; ``eku=False`` gives it the document-signing EKU instead of timeStamping."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    from docflow.pki.builder import DOCUMENT_SIGNING, Issuer, leaf_certificate

    hub = HUBS[0].hub_id
    ca = pki.ca(hub)
    issuer = Issuer.from_key(ca.subject, pki.ca_key(hub))
    key = rsa.generate_private_key(65537, 2048)  # pyHanko's in-process TSA is RSA-only
    usage = ExtendedKeyUsageOID.TIME_STAMPING if eku else DOCUMENT_SIGNING
    cert = leaf_certificate(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA thử")]),
                            key.public_key(), issuer, 0x7154, pki.at,
                            pki.at + dt.timedelta(days=365), policy=None,
                            extended_key_usage=(usage,))
    der = serialization.Encoding.DER
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        certs_to_embed=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(ca.public_bytes(der))]))
