"""Kind confusion: a document message dressed as a status message, which needs no role.

A status message (an acknowledgement) is not an official document, so no role has to sign
it; a document message must carry the organ's signature. An attacker who strips the organ's
Signature from a document, rewrites its MessageHeader (all but From, so that the person's
signature still matches the sender) and makes the message *look* like a status once made
``docflow verify`` exit 0 on the attacker's text: the kind was decided by any element whose
local name was ``Status``. The kind now comes from one function reading the structure at its
exact place (docflow/envelope/kind.py); a kind that cannot be told (``DF-ENV-080``) and a
"status" the status XSD refuses (``DF-ENV-081``) never pass.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from lxml import etree

from docflow.envelope.builder import build
from docflow.envelope.kind import MessageKind, read_kind
from docflow.envelope.samples import sample_document, sample_status
from docflow.pki.roles import Role
from docflow.profile.edxml import sign_message

from .attack import ed, edit, header, organ_signature
from .judge import judge, refused_everywhere, secure
from .outcome import codes
from .pki import AGENCY_A, AGENCY_B, Credential, SmallPki


def _strip_and_rewrite(root: etree._Element) -> None:
    """The organ's Signature removed and the MessageHeader rewritten, From kept."""
    found = header(root)
    found.remove(organ_signature(root))
    message = found.find(ed("MessageHeader"))
    assert message is not None
    subject = message.find(ed("Subject"))
    assert subject is not None
    subject.text = "Về việc thu hồi toàn bộ kinh phí đã cấp"
    for to in message.findall(f"{ed('To')}/{ed('OrganId')}"):
        to.text = "000.00.09.H49"
    content = message.find(ed("Content"))
    if content is not None:
        content.text = "Nội dung do kẻ tấn công viết"


def _then(*changes: Callable[[etree._Element], object]) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        _strip_and_rewrite(root)
        for step in changes:
            step(root)
    return change


def _add(tag: str) -> Callable[[etree._Element], object]:
    return lambda root: etree.SubElement(header(root), tag)


def _message_header_to_status(root: etree._Element) -> None:
    """The MessageHeader renamed Status: the whole message now claims to be a status."""
    message = header(root).find(ed("MessageHeader"))
    assert message is not None
    message.tag = ed("Status")


DRESSINGS = {
    "empty Status in another namespace": _then(_add("{urn:attacker}Status")),
    "empty Status in the XML-DSig namespace": _then(_add(
        "{http://www.w3.org/2000/09/xmldsig#}Status")),
    "empty Status in no namespace": _then(_add("Status")),
    "empty Status in the QCVN namespace": _then(_add(ed("Status"))),
    "MessageHeader renamed Status": _then(_message_header_to_status),
    "Status first, then MessageHeader": _then(lambda root: header(root).insert(
        0, etree.Element(ed("Status")))),
}


def test_the_reported_forgery_is_refused(both: bytes, pki: SmallPki,
                                         options: list[str]) -> None:
    """The forgery of the report: organ Signature stripped, MessageHeader rewritten except
    From, one empty ``Status`` in another namespace under edXMLHeader. It passed
    ``docflow verify``; now the kind cannot be told (DF-ENV-080) and the organ's signature
    is required as of any message that is not a status (DF-SIG-028): refused by the library
    and the command line, by verify and validate alike."""
    forged = edit(both, DRESSINGS["empty Status in another namespace"])
    judgement = judge(forged, pki, options)
    refused_everywhere(judgement)
    assert {"DF-ENV-080", "DF-SIG-028"} <= codes(judgement.verified)
    assert "DF-ENV-080" in {f.code for f in judgement.validated.findings}


@pytest.mark.parametrize("dressing", sorted(DRESSINGS))
def test_a_stripped_document_dressed_as_a_status_never_passes(
        both: bytes, pki: SmallPki, options: list[str], dressing: str) -> None:
    """Each way of dressing the stripped, rewritten document as a status message: either the
    kind cannot be told (DF-ENV-080), or it reads as a status that the status XSD refuses
    (DF-ENV-081: it still has a body and attachments, which the person's signature covers);
    never PASSED, whether the organ is required or not."""
    forged = edit(both, DRESSINGS[dressing])
    reading = read_kind(etree.fromstring(forged))
    refused_everywhere(judge(forged, pki, options))
    expected = "DF-ENV-081" if reading.kind is MessageKind.STATUS else "DF-ENV-080"
    for required in (frozenset(), frozenset({Role.SIGNER})):
        result = judge(forged, pki, required_roles=required).verified
        assert not result.passed and expected in codes(result), result.to_dict()


def test_a_valid_status_signed_by_its_organ_passes(pki: SmallPki, options: list[str],
                                                  organ_b: Credential) -> None:
    """The rule refuses no real status message: agency B's acknowledgement, signed by B's
    organ, is a valid status and passes every route."""
    document = sample_document(np.random.default_rng(5), sender=AGENCY_A,
                               receivers=[AGENCY_B])
    status = build(sample_status(np.random.default_rng(6), document=document,
                                 receiver=AGENCY_B))
    signed = sign_message(status, organ_b.signer(), "organ")
    judgement = secure(signed, signed, pki, options)
    assert judgement.verified.passed and judgement.validated.passed, (
        judgement.verified.to_dict(), judgement.validated.to_dict())
    assert judgement.verified.required_roles == frozenset()
