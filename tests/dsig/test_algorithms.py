"""Algorithm identifiers and their implementations (docflow/dsig/algorithms.py)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from docflow.dsig.algorithms import (
    SIGNATURE_ALGORITHMS,
    C14NMethod,
    DigestMethod,
    SignatureMethod,
    default_signature_method,
    key_problem,
    sign_value,
    verify_value,
)

# RFC 8032 §7.1, TEST 1–3: secret key, public key, message, signature (hex).
RFC8032 = [
    ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
     "1cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613"
     "d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760"
     "984dc6594a7c15e9716ed28dc027beceea1ec40a"),
]


@pytest.mark.parametrize("secret,public,message,signature", RFC8032,
                         ids=["test1", "test2", "test3"])
def test_ed25519_rfc8032_vectors(secret: str, public: str, message: str,
                                 signature: str) -> None:
    """Ed25519 signs and verifies the RFC 8032 test vectors bit for bit."""
    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret))
    assert key.public_key().public_bytes_raw().hex() == public
    value = sign_value(SignatureMethod.ED25519, key, bytes.fromhex(message))
    assert value.hex() == signature
    check = verify_value(SignatureMethod.ED25519, key.public_key(), value,
                         bytes.fromhex(message))
    assert check.valid
    assert not verify_value(SignatureMethod.ED25519, key.public_key(), value,
                            bytes.fromhex(message) + b"x").valid


def test_ed25519_uri_is_rfc9231() -> None:
    """The Ed25519 identifier is the one RFC 9231 §2.3.7 registers."""
    assert SignatureMethod.ED25519.value == \
        "http://www.w3.org/2021/04/xmldsig-more#eddsa-ed25519"


def test_every_method_has_one_implementation() -> None:
    """The table maps every enum member, and nothing else."""
    assert set(SIGNATURE_ALGORITHMS) == set(SignatureMethod)
    assert len({m.value for m in SignatureMethod}) == len(SignatureMethod)
    assert len({m.value for m in C14NMethod}) == len(C14NMethod)
    assert len({m.value for m in DigestMethod}) == len(DigestMethod)


@pytest.mark.parametrize("curve,size", [(ec.SECP256R1(), 64), (ec.SECP384R1(), 96),
                                        (ec.SECP521R1(), 132)])
def test_ecdsa_values_are_fixed_length_raw(curve: ec.EllipticCurve, size: int) -> None:
    """ECDSA SignatureValues are raw r||s with fixed-length halves, not DER."""
    key = ec.generate_private_key(curve)
    method = default_signature_method(key)
    value = sign_value(method, key, b"data")
    assert len(value) == size
    assert verify_value(method, key.public_key(), value, b"data").valid


def test_short_ecdsa_value_is_left_padded_and_flagged() -> None:
    """A P-521 value with 65-byte halves (the Java quirk) verifies, marked as padded."""
    key = ec.generate_private_key(ec.SECP521R1())
    for _ in range(64):  # find a signature whose r and s both fit in 65 bytes
        der = key.sign(b"data", ec.ECDSA(hashes.SHA512()))
        r, s = decode_dss_signature(der)
        if r < 1 << 520 and s < 1 << 520:
            break
    else:
        pytest.skip("no short signature drawn")
    short = r.to_bytes(65, "big") + s.to_bytes(65, "big")
    check = verify_value(SignatureMethod.ECDSA_SHA512, key.public_key(), short, b"data")
    assert check.valid and check.padded
    assert not verify_value(SignatureMethod.ECDSA_SHA512, key.public_key(), short[:-1],
                            b"data").valid


def test_hmac_truncation_compares_the_prefix() -> None:
    """A truncated HMAC is compared on its leading bytes, in constant time."""
    import hmac

    mac = hmac.new(b"k", b"data", "sha256").digest()
    assert verify_value(SignatureMethod.HMAC_SHA256, b"k", mac[:16], b"data", 128).valid
    assert not verify_value(SignatureMethod.HMAC_SHA256, b"k", mac[:16], b"data").valid
    assert not verify_value(SignatureMethod.HMAC_SHA256, b"other", mac, b"data").valid


def test_key_problem_refuses_crossed_families() -> None:
    """Each method needs a key of its own family; an HMAC never takes a public key."""
    rsa_public = rsa.generate_private_key(65537, 1024).public_key()
    ec_public = ec.generate_private_key(ec.SECP256R1()).public_key()
    assert key_problem(SignatureMethod.RSA_SHA256, rsa_public) is None
    assert key_problem(SignatureMethod.RSA_SHA256, ec_public) is not None
    assert key_problem(SignatureMethod.ECDSA_SHA256, rsa_public) is not None
    assert key_problem(SignatureMethod.HMAC_SHA256, rsa_public) is not None
    assert key_problem(SignatureMethod.ED25519, ec_public) is not None
    assert key_problem(SignatureMethod.ECDSA_SHA256,
                       ec.generate_private_key(ec.SECP256K1()).public_key()) is not None
    dsa_public = dsa.generate_private_key(1024).public_key()  # fast to generate
    assert key_problem(SignatureMethod.DSA_SHA1, dsa_public) is None


def test_dsa_values_are_raw_halves_of_q() -> None:
    """DSA values are raw r||s with halves the size of q (legacy verification only)."""
    key = dsa.generate_private_key(1024)  # 2048-bit parameters take seconds to generate
    r, s = decode_dss_signature(key.sign(b"data", hashes.SHA256()))
    half = (key.parameters().parameter_numbers().q.bit_length() + 7) // 8
    value = r.to_bytes(half, "big") + s.to_bytes(half, "big")
    assert verify_value(SignatureMethod.DSA_SHA256, key.public_key(), value, b"data").valid
    assert not verify_value(SignatureMethod.DSA_SHA256, key.public_key(), value, b"other").valid
    assert not verify_value(SignatureMethod.DSA_SHA256, key.public_key(), value[1:],
                            b"data").valid


def test_signing_refuses_legacy_and_mismatched_keys() -> None:
    """``sign_value`` only signs with a key of the method's family."""
    key = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(ValueError):
        sign_value(SignatureMethod.RSA_SHA256, key, b"data")
    with pytest.raises(ValueError):
        default_signature_method(ec.generate_private_key(ec.SECP256K1()))
