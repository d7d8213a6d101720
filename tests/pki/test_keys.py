"""Deterministic key derivation and the on-disk RSA key cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from docflow.errors import InputError
from docflow.pki.io import key_pem
from docflow.pki.keys import KeyAlgorithm, RsaKeyCache, derive_bytes, derive_key


def test_hkdf_matches_rfc5869_structure() -> None:
    """derive_bytes is HKDF-SHA256: its output equals cryptography's HKDF for the same input."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    expected = HKDF(hashes.SHA256(), 80, b"docflow-pki/v1", b"organ/x").derive(b"42")
    assert derive_bytes(42, "organ/x", 80) == expected


@pytest.mark.parametrize(("algorithm", "kind"), [
    (KeyAlgorithm.ECDSA_P256, ec.EllipticCurvePrivateKey),
    (KeyAlgorithm.ED25519, ed25519.Ed25519PrivateKey),
])
def test_derived_keys_are_deterministic_and_distinct(algorithm: KeyAlgorithm,
                                                     kind: type) -> None:
    a = derive_key(5, "organ/000.00.00.H49", algorithm)
    assert isinstance(a, kind)
    assert key_pem(a) == key_pem(derive_key(5, "organ/000.00.00.H49", algorithm))
    assert key_pem(a) != key_pem(derive_key(5, "signer/000.00.00.H49", algorithm))
    assert key_pem(a) != key_pem(derive_key(6, "organ/000.00.00.H49", algorithm))


def test_rsa_keys_come_from_the_cache(tmp_path: Path) -> None:
    """An RSA key is generated once, stored, and the same key comes back from the cache."""
    cache = RsaKeyCache(tmp_path)
    first = derive_key(1, "root", KeyAlgorithm.RSA_2048, cache)
    assert isinstance(first, rsa.RSAPrivateKey) and first.key_size == 2048
    assert cache.path_for(1, "root").is_file()
    again = derive_key(1, "root", KeyAlgorithm.RSA_2048, RsaKeyCache(tmp_path))
    assert key_pem(again) == key_pem(first)
    assert cache.path_for(1, "root") != cache.path_for(2, "root")


def test_fill_generates_only_missing_keys(tmp_path: Path) -> None:
    cache = RsaKeyCache(tmp_path)
    cache.get(1, "a")
    assert cache.fill(1, ["a", "b"], jobs=1) == 1
    assert cache.fill(1, ["a", "b"], jobs=1) == 0


def test_damaged_cache_file_is_an_input_error(tmp_path: Path) -> None:
    cache = RsaKeyCache(tmp_path)
    path = cache.path_for(1, "x")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage")
    with pytest.raises(InputError) as info:
        cache.get(1, "x")
    assert info.value.code == "DF-PKI-023"


def test_unknown_algorithm_name() -> None:
    assert KeyAlgorithm.parse("ed25519") is KeyAlgorithm.ED25519
    with pytest.raises(InputError, match=r"DF-PKI-029.*allowed: ecdsa-p256, ed25519, rsa-2048"):
        KeyAlgorithm.parse("dsa-1024")
