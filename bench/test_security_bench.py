"""What a crafted document can make the verifier and the signer do, and what the edXML
profile's own rules cost.

Run with ``pytest bench/test_security_bench.py --benchmark-enable --benchmark-only``.

Groups, each read on its own (the machine is shared: compare rows of one run, as ratios):

* ``dos-path-building`` — :meth:`PathValidator.check` with a cold validator, for an
  attacker's leaf whose KeyInfo carries ``n`` copies of one CA (same subject and key, each
  "issuing" the others; ``n`` = 8, 16, 40), and for a leaf under a mesh of 5 CAs that all
  certify one another (20 cross-certificates). Bounded by ``max_presented``, loop detection by
  subject and key, and ``max_path_work`` (DF-PKI-030);
* ``dos-signer`` — :meth:`Signer.sign` of a plain document holding its root's end tag in a
  CDATA section, followed by ``n`` spaces (``n`` = 40 and 1,000,000), beside the same document
  without the CDATA trick;
* ``profile-cost`` — :func:`verify_message` (the edXML profile) beside
  :func:`verify_all_at` with the profile's layout alone on the same parsed tree, for one
  8 KB message signed by its signer and its organ: the difference is the profile's own rules
  (role, sender, Signature content), the sender read from a parse of what the organ signed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from docflow.dsig import Signer, verify_all_at
from docflow.envelope.builder import build
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.samples import sample_document
from docflow.pki import names
from docflow.pki.builder import Issuer, ca_certificate, leaf_certificate
from docflow.pki.keys import KeyAlgorithm, derive_key
from docflow.pki.national import Agency, Hub, NationalPki
from docflow.pki.roles import ORGAN_POLICY, Role
from docflow.pki.validate import PathValidator
from docflow.profile.edxml import EDXML_LAYOUT, sign_message, verify_message
from docflow.xmlsafe import parse_xml

AT = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
NOW = AT + dt.timedelta(days=30)
SENDER = "000.00.00.H49"
RECEIVER = "000.00.01.H49"


@pytest.fixture(scope="module")
def national() -> NationalPki:
    agencies = [Agency(SENDER, "Ủy ban nhân dân tỉnh Nghệ An", "province", "lgsp-h49"),
                Agency(RECEIVER, "Sở Tài chính tỉnh Nghệ An", "province", "lgsp-h49")]
    return NationalPki.build(agencies, seed=3, at=AT, hubs=[Hub("lgsp-h49", "LGSP Nghệ An")])


def _ca(label: str) -> Issuer:
    key = derive_key(3, label, KeyAlgorithm.ECDSA_P256)
    return Issuer.from_key(x509.Name.from_rfc4514_string(f"CN={label},O=attacker,C=VN"), key)


def _leaf(issuer: Issuer) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    return leaf_certificate(names.organ_name(SENDER, "Ủy ban nhân dân tỉnh Nghệ An"),
                            key.public_key(), issuer, 77, AT, AT + dt.timedelta(days=900),
                            policy=ORGAN_POLICY)


def _check_cold(benchmark, national: NationalPki, leaf: x509.Certificate,
                presented: list[x509.Certificate]) -> None:
    store = national.trust_store()
    result = benchmark(lambda: PathValidator(store).check(leaf, presented, NOW))
    assert not result.trusted
    benchmark.extra_info["codes"] = [p.code for p in result.problems]


# --- dos-path-building -------------------------------------------------------------------------
@pytest.mark.benchmark(group="dos-path-building")
@pytest.mark.parametrize("copies", [8, 16, 40])
def test_copies_of_one_ca_in_keyinfo(benchmark, national: NationalPki, copies: int) -> None:
    """``copies`` certificates of one CA, one subject and key, each issuing the others."""
    loop = _ca(f"loop-{copies}")
    cas = [ca_certificate(loop.name, loop.key.public_key(), loop, 1000 + i, AT,
                          AT + dt.timedelta(days=900), path_length=8) for i in range(copies)]
    _check_cold(benchmark, national, _leaf(loop), cas)


@pytest.mark.benchmark(group="dos-path-building")
def test_mesh_of_cross_certified_cas(benchmark, national: NationalPki) -> None:
    """Five CAs with distinct keys, each certifying the four others (20 certificates)."""
    mesh = [_ca(f"mesh-{i}") for i in range(5)]
    cross = [ca_certificate(b.name, b.key.public_key(), a, 2000 + 10 * i + j, AT,
                            AT + dt.timedelta(days=900), path_length=8)
             for i, a in enumerate(mesh) for j, b in enumerate(mesh) if i != j]
    _check_cold(benchmark, national, _leaf(mesh[0]), cross)


# --- dos-signer --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def signer(national: NationalPki) -> Signer:
    key, cert, chain = national.credentials_for(SENDER, Role.ORGAN)
    return Signer(key, [cert, *chain])


@pytest.mark.benchmark(group="dos-signer")
@pytest.mark.parametrize("spaces", [40, 1_000_000])
def test_end_tag_in_cdata(benchmark, signer: Signer, spaces: int) -> None:
    """The root's end tag in CDATA, then ``spaces`` spaces: the exponential case of the old
    regular expression."""
    document = b"<receipt><note><![CDATA[</receipt>" + b" " * spaces + b"x]]></note></receipt>"
    assert b"<ds:Signature" in benchmark(signer.sign, document)


@pytest.mark.benchmark(group="dos-signer")
def test_plain_receipt(benchmark, signer: Signer) -> None:
    """The floor: the same receipt without the CDATA trick."""
    assert b"<ds:Signature" in benchmark(signer.sign, b"<receipt><note>x</note></receipt>")


# --- profile-cost ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def signed_message(national: NationalPki) -> bytes:
    message = build(sample_document(np.random.default_rng(9), sender=SENDER,
                                    receivers=[RECEIVER], doc_type=DocumentType.QUYET_DINH,
                                    attachments=1, size=2_600))
    for role in (Role.SIGNER, Role.ORGAN):
        key, cert, chain = national.credentials_for(SENDER, role)
        message = sign_message(message, Signer(key, [cert, *chain]), role)
    return message


@pytest.mark.benchmark(group="profile-cost")
def test_verify_message_edxml_profile(benchmark, national: NationalPki,
                                      signed_message: bytes) -> None:
    """The edXML profile: layout, both signatures, role, sender and content rules."""
    validator = national.validator()
    assert verify_message(signed_message, trust=validator, at=NOW).passed
    benchmark(lambda: verify_message(signed_message, trust=validator, at=NOW))
    benchmark.extra_info["kilobytes"] = round(len(signed_message) / 1024, 1)


@pytest.mark.benchmark(group="profile-cost")
def test_verify_all_at_layout_only(benchmark, national: NationalPki,
                                   signed_message: bytes) -> None:
    """The same verification without the profile's own rules (layout only)."""
    validator = national.validator()

    def layout_only() -> object:
        return verify_all_at(parse_xml(signed_message), NOW, trust=validator,
                             layout=EDXML_LAYOUT)

    benchmark(layout_only)
