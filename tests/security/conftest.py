"""Keys, certificates and validly signed documents for the attack tests.

Everything is built once per session: a PKI with a root and a hub CA, agency A (the sender:
an RSA-2048 organ key, an ECDSA person key) and agency B (the receiver), and an edXML message
from A signed the Decree 30 way — the person over the attachments, then the organ over the
whole message.
"""

from __future__ import annotations

import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from docflow.dsig import SignReference
from docflow.envelope.builder import build
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.samples import sample_document
from docflow.pki.roles import Role
from docflow.profile.edxml import MessageVerification, sign_message

from .judge import trust_options
from .outcome import PLAIN, SIGNER_ONLY, verify
from .pki import (
    AGENCY_A,
    AGENCY_A_NAME,
    AGENCY_B,
    AGENCY_B_NAME,
    Credential,
    SmallPki,
    make_pki,
)


@pytest.fixture(scope="session")
def pki() -> SmallPki:
    return make_pki()


@pytest.fixture(scope="session")
def organ_a(pki: SmallPki) -> Credential:
    """Agency A's organ certificate, on an RSA-2048 key."""
    return pki.agency(AGENCY_A, AGENCY_A_NAME, Role.ORGAN, rsa.generate_private_key(65537, 2048))


@pytest.fixture(scope="session")
def signer_a(pki: SmallPki) -> Credential:
    """The person certificate of agency A's competent signer."""
    return pki.agency(AGENCY_A, AGENCY_A_NAME, Role.SIGNER)


@pytest.fixture(scope="session")
def organ_b(pki: SmallPki) -> Credential:
    return pki.agency(AGENCY_B, AGENCY_B_NAME, Role.ORGAN)


@pytest.fixture(scope="session")
def signer_b(pki: SmallPki) -> Credential:
    return pki.agency(AGENCY_B, AGENCY_B_NAME, Role.SIGNER)


@pytest.fixture(scope="session")
def message() -> bytes:
    """An unsigned decision from agency A to agency B, with two attachments."""
    return build(sample_document(np.random.default_rng(11), sender=AGENCY_A,
                                 receivers=[AGENCY_B], doc_type=DocumentType.QUYET_DINH,
                                 attachments=2, size=200))


@pytest.fixture(scope="session")
def signed_by_person(message: bytes, signer_a: Credential) -> bytes:
    """The message with the signer's Signature only (the organ has not signed yet)."""
    return sign_message(message, signer_a.signer(), "signer")


@pytest.fixture(scope="session")
def both(signed_by_person: bytes, organ_a: Credential) -> bytes:
    """The message signed by the person, then by the organ."""
    return sign_message(signed_by_person, organ_a.signer(), "organ")


@pytest.fixture(scope="session")
def plain_whole(organ_a: Credential) -> bytes:
    """:data:`PLAIN` with an enveloped ``URI=""`` Signature by agency A's organ."""
    return organ_a.signer().sign(PLAIN)


@pytest.fixture(scope="session")
def plain_by_id(organ_a: Credential) -> bytes:
    """:data:`PLAIN` with a Signature over ``#o1`` by agency A's organ."""
    return organ_a.signer().sign(PLAIN, [SignReference.element("o1")])



@pytest.fixture(scope="session")
def both_verified(both: bytes, pki: SmallPki) -> MessageVerification:
    """The untouched message's result: what the two signatures really signed."""
    result = verify(both, pki)
    assert result.passed, result.to_dict()
    return result


@pytest.fixture(scope="session")
def person_verified(signed_by_person: bytes, pki: SmallPki) -> MessageVerification:
    """The untouched person-signed message's result, the organ not required (it has not
    signed yet)."""
    result = verify(signed_by_person, pki, required_roles=SIGNER_ONLY)
    assert result.passed, result.to_dict()
    return result


@pytest.fixture(scope="session")
def options(pki: SmallPki, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The command line's ``--trust``, ``--crl`` and ``--at`` for :func:`pki`, as files."""
    return trust_options(pki, tmp_path_factory.mktemp("trust"))
