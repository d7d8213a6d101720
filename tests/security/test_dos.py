"""Resource exhaustion: work an unauthenticated document can make the verifier (or the signer)
do before anything is known to be genuine.

A verifier that spends minutes on a crafted message is a way to stop every message behind it
(the audit verifies archives of them; a hub verifies each one in transit). Each test runs the
work in a child process with a time limit far above what a bounded implementation needs and far
below what the attack costs unbounded, and checks that it finished, and refused the forgery.
"""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree

from docflow.envelope.builder import build
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.samples import sample_document
from docflow.pki.builder import Issuer, ca_certificate
from docflow.pki.roles import Role
from docflow.profile.edxml import sign_message

from .attack import (
    ds,
    dump,
    forge_organ,
    header,
    organ_signature,
    references,
    signed_info,
    tree,
)
from .outcome import codes, refused, verify, within
from .pki import AGENCY_A, AGENCY_B, EXPIRES, ISSUED, Credential, SmallPki, ec_key

LIMIT = 2.0
"""Seconds: a bounded verifier needs well under a tenth of this for every test here."""


@pytest.fixture(scope="module")
def large(organ_a: Credential) -> bytes:
    """An organ-signed message of about 5 MB (two large attachments)."""
    message = build(sample_document(np.random.default_rng(5), sender=AGENCY_A,
                                    receivers=[AGENCY_B], doc_type=DocumentType.QUYET_DINH,
                                    attachments=2, size=2_000_000))
    return sign_message(message, organ_a.signer(), "organ")


def _whole_document_references(signature: etree._Element, count: int) -> None:
    [reference] = references(signature)
    for _ in range(count - 1):
        signed_info(signature).append(copy.deepcopy(reference))


def test_bound_holds_for_the_genuine_message(large: bytes, pki: SmallPki) -> None:
    """Control for the limits below: the genuine large message verifies well within them."""
    finished, passed = within(LIMIT, lambda: verify(large, pki).passed)
    assert finished and passed


def test_huge_signed_info_of_whole_document_references(large: bytes, pki: SmallPki) -> None:
    """Huge SignedInfo: the organ's Signature given 64 copies of its URI="" Reference (the
    policy's maximum), each a canonicalization of the whole 5 MB message (up to 64 MiB in
    production), with no valid SignatureValue. Expected defence: the SignatureValue over
    SignedInfo (one public-key operation) and the layout's count of References (one
    whole-document Reference for the organ) are checked before any digest, so the forgery
    is refused at once."""
    root = tree(large)
    _whole_document_references(organ_signature(root), 64)
    forged = dump(root)
    finished, result_codes = within(LIMIT, lambda: codes(verify(forged, pki)))
    assert finished, f"not finished within {LIMIT} s"
    assert {"DF-SIG-008", "DF-SIG-012"} <= result_codes  # type: ignore[operator]
    assert "DF-SIG-011" not in result_codes  # type: ignore[operator]  # no digest was computed


def test_many_signatures_each_with_many_references(large: bytes, pki: SmallPki) -> None:
    """Many Signatures: 40 copies of the organ's Signature in edXMLHeader, each with 64
    whole-document References — 2,560 canonicalizations of the message, growing with the
    number of copies the size limit allows. Expected defence: a message with more Signatures
    than the profile allows is refused before any of them is verified (DF-SIG-009)."""
    root = tree(large)
    signature = organ_signature(root)
    _whole_document_references(signature, 64)
    for _ in range(39):
        header(root).append(copy.deepcopy(signature))
    forged = dump(root)
    finished, result_codes = within(LIMIT, lambda: codes(verify(forged, pki)))
    assert finished, f"not finished within {LIMIT} s"
    assert "DF-SIG-009" in result_codes  # type: ignore[operator]


def test_many_signatures_each_holding_an_empty_object(both: bytes, pki: SmallPki) -> None:
    """Many Signatures, each cheap to refuse but holding a ds:Object: 4,000 copies of the
    organ's Signature in edXMLHeader, each with an empty ``ds:Object``. Every copy breaks the
    profile (DF-SIG-026: content the signature does not cover), and naming where each one
    stands must not cost a scan of all its siblings, or 4,000 findings cost 4,000² steps.
    Expected defence: refused by count (DF-SIG-009) within the time limit."""
    root = tree(both)
    signature = organ_signature(root)
    signature.append(etree.Element(ds("Object")))
    for _ in range(3_999):
        header(root).append(copy.deepcopy(signature))
    forged = dump(root)
    finished, result_codes = within(LIMIT, lambda: codes(verify(forged, pki)))
    assert finished, f"not finished within {LIMIT} s"
    assert "DF-SIG-009" in result_codes  # type: ignore[operator]


def test_too_many_references_refused_before_digesting(large: bytes, pki: SmallPki) -> None:
    """One Reference more than the policy's limit (65 whole-document References). Defence:
    refused by count before any digest (DF-SIG-020)."""
    root = tree(large)
    _whole_document_references(organ_signature(root), 65)
    forged = dump(root)
    finished, result_codes = within(LIMIT, lambda: codes(verify(forged, pki)))
    assert finished and "DF-SIG-020" in result_codes  # type: ignore[operator]


def test_too_many_transforms(both: bytes, pki: SmallPki) -> None:
    """A Reference with 50 enveloped-signature transforms. Defence: refused by count
    (DF-SIG-020)."""
    root = tree(both)
    [reference] = references(organ_signature(root))
    transforms = reference.find(ds("Transforms"))
    assert transforms is not None
    for _ in range(48):
        transforms.insert(0, copy.deepcopy(transforms[0]))
    refused(verify(dump(root), pki), "DF-SIG-020")


def test_certificate_path_building_loop(both: bytes, pki: SmallPki) -> None:
    """Path-building explosion: the attacker signs a forgery with their own key and puts in
    X509Data their leaf and 12 distinct CA certificates that all have the same subject,
    issuer and key (each "issues" every other), so that a depth-first path builder meets
    12·11·10·… candidate paths, none reaching an anchor, and checks a signature for each
    link. The SignatureValue is valid (the attacker's key), so the path validator runs.
    Expected defence: a bound on the certificates taken from KeyInfo and on the work of path
    building, ending in DF-PKI-001/002 within milliseconds."""
    loop_key = ec_key()
    loop_name = x509.Name.from_rfc4514_string("CN=CA vòng lặp,O=attacker,C=VN")
    loop = Issuer.from_key(loop_name, loop_key)
    cas = [ca_certificate(loop_name, loop_key.public_key(), loop, 1000 + i, ISSUED, EXPIRES,
                          path_length=8) for i in range(12)]
    key = ec_key()
    leaf = pki.agency(AGENCY_A, "Ủy ban nhân dân tỉnh Nghệ An", Role.ORGAN, key, issuer=loop,
                      not_before=ISSUED + dt.timedelta(days=1))
    der = serialization.Encoding.DER
    forged = forge_organ(both, key, leaf.certificate.public_bytes(der),
                         *(c.public_bytes(der) for c in cas))
    finished, result_codes = within(LIMIT, lambda: codes(verify(forged, pki)))
    assert finished, f"not finished within {LIMIT} s"
    assert result_codes & {"DF-PKI-001", "DF-PKI-002"}  # type: ignore[operator]


def test_signing_a_document_with_an_end_tag_in_cdata(organ_a: Credential) -> None:
    """Regular-expression backtracking in the signer: a plain XML document (a partner's
    receipt a hub signs) holding its own root end tag ``</receipt>`` inside a CDATA section,
    followed by 40 spaces and a letter. The splice search ``</receipt>(?:\\s+|...)*\\Z`` tries
    every way to split the spaces before giving up on that match: 2^40 steps. Expected
    defence: signing takes milliseconds (an anchored search that cannot backtrack, or
    serialising the tree)."""
    document = b"<receipt><note><![CDATA[</receipt>" + b" " * 40 + b"x]]></note></receipt>"
    signer = organ_a.signer()
    finished, signed = within(LIMIT, lambda: sign_message(document, signer, "organ"))
    assert finished, f"not finished within {LIMIT} s"
    assert signed is not None and b"<ds:Signature" in signed
