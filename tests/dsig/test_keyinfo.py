"""Reading KeyInfo and choosing the signing certificate (docflow/dsig/keyinfo.py)."""

from __future__ import annotations

import base64
import itertools

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pki import damaged

from docflow.dsig.keyinfo import (
    UnreadableCertificate,
    encode_certificate,
    read_key_info,
    signing_certificate,
)
from docflow.dsig.structure import SignatureSyntaxError
from docflow.xmlsafe import parse_xml

from .pkitools import SamplePki, self_signed

DS = "http://www.w3.org/2000/09/xmldsig#"


def key_info(inner: str) -> object:
    return parse_xml(f'<KeyInfo xmlns="{DS}">{inner}</KeyInfo>'.encode())


def test_signing_certificate_is_found_in_any_order(pki: SamplePki) -> None:
    """The signing certificate is the one that issues none of the others, wherever it is."""
    for order in itertools.permutations([pki.signer, pki.sub, pki.root]):
        leaf, others = signing_certificate(order)  # type: ignore[misc]
        assert leaf == pki.signer and set(others) == {pki.sub, pki.root}


def test_two_unrelated_certificates_are_ambiguous(pki: SamplePki) -> None:
    """Two candidates for the signing certificate: docflow refuses to guess."""
    other = self_signed(ec.generate_private_key(ec.SECP256R1()), "other")
    assert signing_certificate((pki.signer, other)) is None
    assert signing_certificate(()) is None


def test_reads_certificates_once_each(pki: SamplePki) -> None:
    """X509Data certificates are read in order, repeats dropped."""
    cert = f"<X509Certificate>{encode_certificate(pki.signer)}</X509Certificate>"
    sub = f"<X509Certificate>{encode_certificate(pki.sub)}</X509Certificate>"
    content = read_key_info(key_info(f"<X509Data>{cert}{sub}</X509Data><X509Data>{cert}"
                                     "</X509Data><KeyName>ignored</KeyName>"))
    assert content.certificates == (pki.signer, pki.sub)


def test_reads_rsa_and_ec_key_values() -> None:
    """RSAKeyValue and dsig11 ECKeyValue (named curve) give public keys."""
    import base64

    public = rsa.generate_private_key(65537, 1024).public_key()
    numbers = public.public_numbers()
    b64 = lambda n: base64.b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big")).decode()  # noqa: E731
    content = read_key_info(key_info(
        f"<KeyValue><RSAKeyValue><Modulus>{b64(numbers.n)}</Modulus>"
        f"<Exponent>{b64(numbers.e)}</Exponent></RSAKeyValue></KeyValue>"))
    assert content.key_values[0].public_numbers() == numbers  # type: ignore[union-attr]


@pytest.mark.parametrize("inner", [
    "<X509Data><X509Certificate>AAAA</X509Certificate></X509Data>",
    "<X509Data><X509Certificate>not base64!</X509Certificate></X509Data>",
    "<KeyValue><RSAKeyValue><Modulus>AQAB</Modulus></RSAKeyValue></KeyValue>",
    '<KeyValue><ECKeyValue xmlns="http://www.w3.org/2009/xmldsig11#"><NamedCurve '
    'URI="urn:oid:1.3.132.0.10"/><PublicKey>BAAA</PublicKey></ECKeyValue></KeyValue>',
    '<KeyValue><ECKeyValue xmlns="http://www.w3.org/2009/xmldsig11#"><NamedCurve '
    'URI="urn:oid:1.2.840.10045.3.1.7"/><PublicKey>BAAA</PublicKey></ECKeyValue></KeyValue>',
    "<KeyValue><Unknown/></KeyValue>",
])
def test_malformed_keys_are_refused(inner: str) -> None:
    """Certificates and key values that do not decode are DF-SIG-001, never a traceback."""
    with pytest.raises(SignatureSyntaxError):
        read_key_info(key_info(inner))


@pytest.mark.parametrize("make", [damaged.issuer_der, damaged.subject_der, damaged.key_der,
                                  damaged.extensions_der, damaged.version_der])
def test_certificates_that_cannot_be_read_are_df_sig_027(pki: SamplePki, make: object) -> None:
    """A certificate whose name, key, extensions or version cannot be read is refused when
    KeyInfo is read (DF-SIG-027), whichever field the certificate library decodes late, so
    that nothing after it meets an unreadable field."""
    text = base64.b64encode(make(pki.sub)).decode()  # type: ignore[operator]
    with pytest.raises(UnreadableCertificate) as caught:
        read_key_info(key_info(f"<X509Data><X509Certificate>{encode_certificate(pki.signer)}"
                               f"</X509Certificate><X509Certificate>{text}</X509Certificate>"
                               "</X509Data>"))
    assert caught.value.code == "DF-SIG-027"
