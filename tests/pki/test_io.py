"""Reading certificates, CRLs and keys: every refusal is an InputError with a stable code."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from docflow.errors import InputError
from docflow.pki.io import (
    key_pem,
    parse_certificates,
    parse_crls,
    parse_private_key,
    read_certificates,
    read_passphrase,
    read_private_key,
)
from docflow.pki.keys import KeyAlgorithm

from . import damaged
from .factory import Ca, key

ROOT = Ca.root("IO Root", "io-root")
SUB = ROOT.sub_ca("IO Sub", "io-sub")


def test_pem_bundle_and_der() -> None:
    bundle = SUB.cert.public_bytes(Encoding.PEM) + ROOT.cert.public_bytes(Encoding.PEM)
    assert parse_certificates(bundle) == (SUB.cert, ROOT.cert)
    assert parse_certificates(ROOT.cert.public_bytes(Encoding.DER)) == (ROOT.cert,)
    crls = ROOT.crl().public_bytes(Encoding.PEM) + SUB.crl().public_bytes(Encoding.PEM)
    assert len(parse_crls(crls)) == 2
    assert len(parse_crls(SUB.crl().public_bytes(Encoding.DER))) == 1


@pytest.mark.parametrize(("data", "code"), [
    (b"\x30\x03\x02\x01\x01", "DF-PKI-021"),
    (b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "DF-PKI-021"),
    (b"", "DF-PKI-021"),
])
def test_garbage_certificates(data: bytes, code: str) -> None:
    with pytest.raises(InputError) as info:
        parse_certificates(data, "bad.pem")
    assert info.value.code == code and info.value.location.file == "bad.pem"


@pytest.mark.parametrize(("make", "field"), [
    (damaged.issuer_der, "issuer name"), (damaged.subject_der, "subject name"),
    (damaged.key_der, "public key"), (damaged.extensions_der, "extensions"),
    (damaged.version_der, "not a DER X.509 certificate"),
])
def test_certificates_with_a_damaged_field(make: object, field: str) -> None:
    """A certificate file whose names, key, extensions or version cannot be read is refused
    when it is read (DF-PKI-021, naming the field), as DER and as PEM, not when path
    validation first reads the field."""
    data = make(SUB.cert)  # type: ignore[operator]
    with pytest.raises(InputError, match=field) as info:
        parse_certificates(data, "bad.der")
    assert info.value.code == "DF-PKI-021" and info.value.location.file == "bad.der"
    if field != "not a DER X.509 certificate":
        pem = x509.load_der_x509_certificate(data).public_bytes(Encoding.PEM)
        with pytest.raises(InputError, match="DF-PKI-021"):
            parse_certificates(ROOT.cert.public_bytes(Encoding.PEM) + pem)


def test_crl_with_a_damaged_issuer() -> None:
    """A CRL file whose issuer cannot be read is refused when it is read (DF-PKI-022)."""
    crl = damaged.crl_issuer(SUB.crl())
    for data in (crl.public_bytes(Encoding.DER), crl.public_bytes(Encoding.PEM)):
        with pytest.raises(InputError, match=r"DF-PKI-022.*issuer"):
            parse_crls(data, "bad.crl")


@pytest.mark.parametrize("data", [b"garbage", b"-----BEGIN X509 CRL-----\nAA==\n-----END X509 CRL"
                                  b"-----\n", b"-----BEGIN CERTIFICATE-----\n"])
def test_garbage_crls(data: bytes) -> None:
    with pytest.raises(InputError, match="DF-PKI-022"):
        parse_crls(data)


def test_keys_with_and_without_passphrase() -> None:
    k = key("io-key")
    plain, locked = key_pem(k), key_pem(k, b"s3cret")
    assert b"ENCRYPTED PRIVATE KEY" in locked
    assert key_pem(parse_private_key(plain)) == plain
    assert key_pem(parse_private_key(locked, b"s3cret")) == plain
    for data, passphrase in [(locked, None), (locked, b"wrong"), (plain, b"s3cret")]:
        with pytest.raises(InputError) as info:
            parse_private_key(data, passphrase, "k.pem")
        assert info.value.code == "DF-PKI-024", (data[:30], passphrase)


def test_ed25519_key_round_trip() -> None:
    k = key("io-ed", KeyAlgorithm.ED25519)
    assert key_pem(parse_private_key(key_pem(k))) == key_pem(k)


@pytest.mark.parametrize("data", [b"garbage", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END "
                                  b"PRIVATE KEY-----\n", ROOT.cert.public_bytes(Encoding.PEM)])
def test_garbage_keys(data: bytes) -> None:
    with pytest.raises(InputError, match="DF-PKI-023"):
        parse_private_key(data)


def test_missing_files_and_passphrases(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="DF-IO-001"):
        read_certificates(tmp_path / "absent.pem")
    with pytest.raises(InputError, match="DF-IO-001"):
        read_private_key(tmp_path / "absent.key")
    (tmp_path / "pass").write_bytes(b"line one\nline two\n")
    assert read_passphrase(tmp_path / "pass") == b"line one"
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(InputError, match="DF-IO-003"):
        read_passphrase(tmp_path / "empty")
