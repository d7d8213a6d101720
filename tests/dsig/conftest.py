"""Shared keys for the XML-DSig tests: RSA keys once per session, the rest per test."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .pkitools import SamplePki, make_pki, self_signed


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    """The signer's RSA-2048 key (generated once: RSA generation is slow)."""
    return rsa.generate_private_key(65537, 2048)


@pytest.fixture(scope="session")
def attacker_key() -> rsa.RSAPrivateKey:
    """Another RSA-2048 key, the attacker's."""
    return rsa.generate_private_key(65537, 2048)


@pytest.fixture(scope="session")
def rsa_cert(rsa_key: rsa.RSAPrivateKey) -> x509.Certificate:
    return self_signed(rsa_key)


@pytest.fixture(scope="session")
def pki(rsa_key: rsa.RSAPrivateKey) -> SamplePki:
    """A root, a hub CA and an organ (RSA) and a signer (EC) certificate."""
    return make_pki(rsa_key)


@pytest.fixture
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())
