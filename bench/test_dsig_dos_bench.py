"""What a forged message can make the verifier do before anything in it is known to be genuine.

Run with ``pytest bench/test_dsig_dos_bench.py --benchmark-enable --benchmark-only``.

One group, ``dos-verifier``: :func:`verify_message` (the edXML profile, docflow's path
validator) on a 2 MB message signed by its organ — the floor, a genuine message — beside three
forgeries of it that nobody could sign:

* ``huge-signed-info`` — the organ's SignedInfo given 64 copies of its ``URI=""`` Reference (the
  policy's maximum), each a canonicalization of the whole message if digested;
* ``many-signatures`` — eight copies of that Signature in ``edXMLHeader``, 512 whole-document
  References in all;
* ``two-organs`` — the genuine organ Signature twice, where the profile allows one.

Each forgery must cost no more than the genuine message: the verifier counts Signatures per
place and per kind, and checks each Signature's References against its kind and its
SignatureValue, before digesting anything.
"""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pytest
from lxml import etree

from docflow.dsig import Signer
from docflow.dsig.algorithms import DS_NS
from docflow.envelope.builder import build
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.samples import sample_document
from docflow.errors import Indication
from docflow.pki.national import Agency, Hub, NationalPki
from docflow.pki.roles import Role
from docflow.pki.validate import PathValidator
from docflow.profile.edxml import EDXML_NS, sign_message, verify_message
from docflow.xmlsafe import parse_xml

AT = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
NOW = AT + dt.timedelta(days=30)
SENDER = "000.00.00.H49"
RECEIVER = "000.00.01.H49"
HEADER = f"{{{EDXML_NS}}}edXMLEnvelope/{{{EDXML_NS}}}edXMLHeader"


@pytest.fixture(scope="module")
def national() -> NationalPki:
    agencies = [Agency(SENDER, "Ủy ban nhân dân tỉnh Nghệ An", "province", "lgsp-h49"),
                Agency(RECEIVER, "Sở Tài chính tỉnh Nghệ An", "province", "lgsp-h49")]
    return NationalPki.build(agencies, seed=3, at=AT, hubs=[Hub("lgsp-h49", "LGSP Nghệ An")])


@pytest.fixture(scope="module")
def validator(national: NationalPki) -> PathValidator:
    return PathValidator(national.trust_store())


@pytest.fixture(scope="module")
def genuine(national: NationalPki) -> bytes:
    """A 2 MB message (two attachments of about 800 KB) signed by its organ."""
    message = build(sample_document(np.random.default_rng(5), sender=SENDER,
                                    receivers=[RECEIVER], doc_type=DocumentType.QUYET_DINH,
                                    attachments=2, size=800_000))
    key, cert, chain = national.credentials_for(SENDER, Role.ORGAN)
    return sign_message(message, Signer(key, [cert, *chain]), Role.ORGAN)


def _forge(genuine: bytes, references: int, signatures: int) -> bytes:
    root = parse_xml(genuine)
    header = root.find(HEADER)
    assert header is not None
    signature = header.find(f"{{{DS_NS}}}Signature")
    assert signature is not None
    signed_info = signature[0]
    for _ in range(references - 1):
        signed_info.append(copy.deepcopy(signed_info[2]))
    for _ in range(signatures - 1):
        header.append(copy.deepcopy(signature))
    return etree.tostring(root)


def _verify(benchmark, validator: PathValidator, document: bytes) -> Indication:
    result = benchmark(lambda: verify_message(document, trust=validator, at=NOW))
    benchmark.extra_info["codes"] = sorted({f.code for f in result.findings} | {
        f.code for s in result.signatures for f in s.findings})
    return result.indication


@pytest.mark.benchmark(group="dos-verifier")
def test_genuine(benchmark, validator: PathValidator, genuine: bytes) -> None:
    """The floor: the genuine message, verified (one canonicalization of 2 MB)."""
    assert _verify(benchmark, validator, genuine) is Indication.PASSED


@pytest.mark.benchmark(group="dos-verifier")
def test_huge_signed_info(benchmark, validator: PathValidator, genuine: bytes) -> None:
    """64 whole-document References in the organ's SignedInfo."""
    forged = _forge(genuine, 64, 1)
    assert _verify(benchmark, validator, forged) is Indication.FAILED


@pytest.mark.benchmark(group="dos-verifier")
def test_many_signatures(benchmark, validator: PathValidator, genuine: bytes) -> None:
    """Eight such Signatures in edXMLHeader."""
    forged = _forge(genuine, 64, 8)
    assert _verify(benchmark, validator, forged) is Indication.FAILED


@pytest.mark.benchmark(group="dos-verifier")
def test_two_organs(benchmark, validator: PathValidator, genuine: bytes) -> None:
    """The genuine organ Signature twice."""
    forged = _forge(genuine, 1, 2)
    assert _verify(benchmark, validator, forged) is Indication.FAILED
