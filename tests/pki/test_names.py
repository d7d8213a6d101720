"""Subject names: organ code, Vietnamese names in UTF8String, RFC 5280 bounds."""

from __future__ import annotations

from cryptography.x509.oid import NameOID

from docflow.pki.names import organ_name, shorten, signer_name


def test_organ_code_and_name_are_in_the_subject() -> None:
    name = organ_name("000.00.00.H38", "Ủy ban nhân dân tỉnh Thanh Hóa")
    assert name.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)[0].value == \
        "000.00.00.H38"
    assert name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == \
        "Ủy ban nhân dân tỉnh Thanh Hóa"
    assert organ_name("000.00.00.H38", "x") != signer_name("000.00.00.H38", "x")


def test_shorten_respects_characters_or_bytes() -> None:
    text = "Ủy ban nhân dân " * 8
    assert len(shorten(text)) == 64
    assert len(shorten(text, utf8=True).encode()) <= 64
    assert shorten("  a   b ") == "a b"
