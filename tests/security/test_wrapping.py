"""XML Signature Wrapping against the edXML profile, in the shapes the literature describes.

Every test starts from a message agency A validly signed (the person over the attachments, the
organ over the whole message), moves or copies signed elements the way a published wrapping
attack does, and checks the secure outcome: the verifier refuses the message, or it passes only
because nothing signed changed and then presents nothing but the original signed content.
"""

from __future__ import annotations

import copy

from lxml import etree

from docflow.profile.choice import Profile
from docflow.profile.edxml import MessageVerification

from .attack import (
    attachments,
    ds,
    ed,
    edit,
    header,
    organ_signature,
    signer_signature,
)
from .outcome import SIGNER_ONLY, exposed, exposes_only, refused, verify
from .pki import SmallPki

FORGED = "Về việc thu hồi toàn bộ kinh phí đã cấp"
"""The subject an attacker wants the receiver to read."""


def _forge_subject(message_header: etree._Element) -> None:
    subject = message_header.find(ed("Subject"))
    assert subject is not None
    subject.text = FORGED


def _evil_attachment(original: etree._Element, *, keep_id: bool = True) -> etree._Element:
    evil = copy.deepcopy(original)
    content = evil.find(ed("ContentTransferEncoded"))
    assert content is not None
    content.text = "Rk9SR0VEIENPTlRFTlQ="  # "FORGED CONTENT"
    if not keep_id:
        del evil.attrib["Id"]
    return evil


def test_organ_signature_moved_into_the_body(both: bytes, pki: SmallPki) -> None:
    """Signature moved: the organ's Signature taken out of edXMLHeader into edXMLBody.
    Defence: a ds:Signature outside the profile's place fails the whole message (DF-SIG-009)."""
    def change(root: etree._Element) -> None:
        body = root.find(f"{ed('edXMLEnvelope')}/{ed('edXMLBody')}")
        assert body is not None
        body.append(organ_signature(root))
    refused(verify(edit(both, change), pki), "DF-SIG-009")


def test_signer_signature_moved_next_to_the_attachments(signed_by_person: bytes,
                                                        pki: SmallPki) -> None:
    """Signature moved: the person's Signature put inside AttachmentEncoded, beside what it
    signs. Defence: out of place, DF-SIG-009."""
    def change(root: etree._Element) -> None:
        encoded = root.find(ed("AttachmentEncoded"))
        assert encoded is not None
        encoded.insert(0, signer_signature(root))
    refused(verify(edit(signed_by_person, change), pki, required_roles=SIGNER_ONLY), "DF-SIG-009")


def test_evil_attachment_before_the_original_with_the_same_id(signed_by_person: bytes,
                                                              pki: SmallPki) -> None:
    """Evil copy before the original: a forged Attachment carrying the signed Id ``att-1``
    placed first, where a reader that takes the first match looks. Defence: an Id held by two
    elements resolves to nothing (DF-SIG-007)."""
    def change(root: etree._Element) -> None:
        first = attachments(root)[0]
        first.addprevious(_evil_attachment(first))
    refused(verify(edit(signed_by_person, change), pki, required_roles=SIGNER_ONLY), "DF-SIG-007")


def test_evil_attachment_after_the_original_with_the_same_id(signed_by_person: bytes,
                                                             pki: SmallPki) -> None:
    """Evil copy after the original, for readers that take the last match. Defence:
    duplicate Id, DF-SIG-007."""
    def change(root: etree._Element) -> None:
        last = attachments(root)[-1]
        last.addnext(_evil_attachment(attachments(root)[0]))
    refused(verify(edit(signed_by_person, change), pki, required_roles=SIGNER_ONLY), "DF-SIG-007")


def test_duplicate_id_in_another_spelling_on_another_element_kind(signed_by_person: bytes,
                                                                  pki: SmallPki) -> None:
    """Duplicate ID under another attribute name on another kind of element: ``ID="att-1"``
    on MessageHeader and ``id="att-2"`` on Subject, for resolvers that know other spellings.
    Defence: Id, ID and id are one ID space; a value present twice is refused (DF-SIG-007)."""
    def change(root: etree._Element) -> None:
        message_header = header(root).find(ed("MessageHeader"))
        assert message_header is not None
        message_header.set("ID", "att-1")
        subject = message_header.find(ed("Subject"))
        assert subject is not None
        subject.set("id", "att-2")
    refused(verify(edit(signed_by_person, change), pki, required_roles=SIGNER_ONLY), "DF-SIG-007")


def test_duplicate_id_on_an_element_of_another_namespace(signed_by_person: bytes,
                                                         pki: SmallPki) -> None:
    """Duplicate Id on a look-alike element in another namespace
    (``{urn:evil}Attachment Id="att-1"``) placed first in AttachmentEncoded. Defence: IDs are
    looked up whatever the element's namespace, so the Id is a duplicate (DF-SIG-007)."""
    def change(root: etree._Element) -> None:
        first = attachments(root)[0]
        evil = _evil_attachment(first)
        for element in evil.iter():
            element.tag = "{urn:evil}" + etree.QName(element).localname
        first.addprevious(evil)
    refused(verify(edit(signed_by_person, change), pki, required_roles=SIGNER_ONLY), "DF-SIG-007")


def test_evil_attachment_with_a_namespaced_id(signed_by_person: bytes, pki: SmallPki) -> None:
    """Id in another namespace: an extra forged Attachment carrying ``xml:id="att-1"`` and
    ``{urn:evil}Id="att-1"`` (not IDs for docflow, but for a reader matching local names).
    Defence: every Attachment must be covered by the signer's signature, so an extra one,
    whatever its attributes, fails it (DF-SIG-008)."""
    def change(root: etree._Element) -> None:
        first = attachments(root)[0]
        evil = _evil_attachment(first, keep_id=False)
        evil.set("{http://www.w3.org/XML/1998/namespace}id", "att-1")
        evil.set("{urn:evil}Id", "att-1")
        first.addprevious(evil)
    refused(verify(edit(signed_by_person, change), pki, required_roles=SIGNER_ONLY), "DF-SIG-008")


def test_signed_attachment_moved_into_a_signature_object(signed_by_person: bytes,
                                                         pki: SmallPki) -> None:
    """Object wrapping: the signed Attachment moved into a ds:Object of the signer's own
    Signature (where the digest still finds it) and a forged one without Id put in its place.
    Defence: a Reference must resolve to an Attachment at edXML/AttachmentEncoded, never to
    content inside a Signature, and every Attachment must be covered (DF-SIG-008)."""
    def change(root: etree._Element) -> None:
        first = attachments(root)[0]
        first.addprevious(_evil_attachment(first, keep_id=False))
        etree.SubElement(signer_signature(root), ds("Object")).append(first)
    refused(verify(edit(signed_by_person, change), pki, required_roles=SIGNER_ONLY), "DF-SIG-008")


def test_signed_attachment_moved_under_a_new_wrapper(signed_by_person: bytes,
                                                     pki: SmallPki) -> None:
    """Wrapper element: the signed Attachment moved into a vendor extension inside
    edXMLBody, a forged one without Id left in its place. Defence: the Reference resolves to an
    element outside the expected place, and the forged one is unsigned (DF-SIG-008)."""
    def change(root: etree._Element) -> None:
        first = attachments(root)[0]
        first.addprevious(_evil_attachment(first, keep_id=False))
        body = root.find(f"{ed('edXMLEnvelope')}/{ed('edXMLBody')}")
        assert body is not None
        etree.SubElement(body, "{urn:vendor}Extension").append(first)
    refused(verify(edit(signed_by_person, change), pki, required_roles=SIGNER_ONLY), "DF-SIG-008")


def test_second_message_header_before_the_signed_one(both: bytes, pki: SmallPki) -> None:
    """A second MessageHeader with a forged subject put first in edXMLHeader. Defence: the
    organ's URI="" covers the whole message, so its digest fails (DF-SIG-011)."""
    def change(root: etree._Element) -> None:
        evil = copy.deepcopy(header(root).find(ed("MessageHeader")))
        assert evil is not None
        _forge_subject(evil)
        header(root).insert(0, evil)
    refused(verify(edit(both, change), pki), "DF-SIG-011")


def test_second_envelope_holding_the_signatures(both: bytes, pki: SmallPki) -> None:
    """A second edXMLEnvelope with a forged header put first, and both Signatures moved into
    its edXMLHeader (the same path of names as the real one). Defence: the organ's digest
    covers the message without its own Signature only, so the added envelope and the moved
    signer Signature break it (DF-SIG-011)."""
    def change(root: etree._Element) -> None:
        envelope = root.find(ed("edXMLEnvelope"))
        assert envelope is not None
        evil = copy.deepcopy(envelope)
        evil_header = header(evil)
        for signature in evil_header.findall(ds("Signature")):
            evil_header.remove(signature)
        message_header = evil_header.find(ed("MessageHeader"))
        assert message_header is not None
        _forge_subject(message_header)
        for signature in header(root).findall(ds("Signature")):
            evil_header.append(signature)
        envelope.addprevious(evil)
    refused(verify(edit(both, change), pki), "DF-SIG-011", "DF-SIG-009")


def test_signed_message_wrapped_in_an_evil_root(both: bytes, pki: SmallPki) -> None:
    """The whole signed message put inside a new edXML root whose own envelope is forged.
    Defence: the Signatures no longer stand at the profile's place (DF-SIG-009) and the
    organ's URI="" now means another document."""
    def change(root: etree._Element) -> None:
        original = copy.deepcopy(root)
        for child in list(root):
            root.remove(child)
        envelope = copy.deepcopy(original.find(ed("edXMLEnvelope")))
        assert envelope is not None
        for signature in header(envelope).findall(ds("Signature")):
            header(envelope).remove(signature)
        message_header = header(envelope).find(ed("MessageHeader"))
        assert message_header is not None
        _forge_subject(message_header)
        root.append(envelope)
        root.append(original)
    refused(verify(edit(both, change), pki), "DF-SIG-009", "DF-SIG-011")


def test_signer_signature_copied_into_a_second_envelope(signed_by_person: bytes,
                                                        pki: SmallPki) -> None:
    """Two signer Signatures: a second edXMLEnvelope with a forged header carries a copy of
    the person's valid Signature, so that a reader of either envelope finds one. Defence: at
    most one Signature per role in the profile (DF-SIG-009)."""
    def change(root: etree._Element) -> None:
        envelope = root.find(ed("edXMLEnvelope"))
        assert envelope is not None
        evil = copy.deepcopy(envelope)
        message_header = header(evil).find(ed("MessageHeader"))
        assert message_header is not None
        _forge_subject(message_header)
        envelope.addprevious(evil)
    refused(verify(edit(signed_by_person, change), pki, required_roles=SIGNER_ONLY), "DF-SIG-009")


def test_duplicate_id_hidden_inside_the_organ_signature(both: bytes, pki: SmallPki) -> None:
    """An element with ``Id="att-1"`` hidden in a ds:Object of the organ's Signature, which the
    organ's enveloped transform leaves out of its own digest. Defence: the Id is still a
    duplicate for the signer's Reference (DF-SIG-007), so the message does not pass."""
    def change(root: etree._Element) -> None:
        obj = etree.SubElement(organ_signature(root), ds("Object"))
        obj.append(_evil_attachment(attachments(root)[0]))
    refused(verify(edit(both, change), pki), "DF-SIG-007")


def test_forged_header_inside_the_organ_signature_is_not_exposed(
        both: bytes, pki: SmallPki, both_verified: MessageVerification) -> None:
    """Enveloped-signature blind spot: the organ's Signature moved to the front of
    edXMLHeader with a ds:Object holding a forged MessageHeader, so that a reader searching
    the tree for the first MessageHeader finds the forgery. The organ's digest excludes its own
    Signature, so the cryptography still holds. Defence: the edXML profile allows no ds:Object
    in its Signatures (DF-SIG-026; docflow never writes one), so the organ's signature does not
    pass, and nothing the result presents as signed holds the forged header."""
    def change(root: etree._Element) -> None:
        signature = organ_signature(root)
        evil = copy.deepcopy(header(root).find(ed("MessageHeader")))
        assert evil is not None
        _forge_subject(evil)
        etree.SubElement(signature, ds("Object")).append(evil)
        signature.getparent().remove(signature)  # type: ignore[union-attr]
        signature.tail = None
        header(root).insert(0, signature)
    forged = edit(both, change)
    assert etree.fromstring(forged).findtext(f".//{ed('Subject')}") == FORGED  # naive reader
    result = verify(forged, pki)
    refused(result, "DF-SIG-026")
    assert exposed(result) == [s for s in exposed(both_verified) if s[0] == "signer"]
    assert all(FORGED.encode() not in octets for _, _, octets in exposed(result))


def test_organ_signature_stripped_and_header_forged(
        both: bytes, pki: SmallPki, person_verified: MessageVerification) -> None:
    """Signature stripping: the organ's Signature removed and the now unsigned header forged,
    leaving a message that only the person signed. Defence: the organ's signature is required
    of a document message, so the message fails (DF-SIG-028); no organ signature is reported,
    and the person's covers the attachments only, so nothing presents the forged header as
    signed."""
    def change(root: etree._Element) -> None:
        signature = organ_signature(root)
        signature.getparent().remove(signature)  # type: ignore[union-attr]
        message_header = header(root).find(ed("MessageHeader"))
        assert message_header is not None
        _forge_subject(message_header)
    result = verify(edit(both, change), pki)
    refused(result, "DF-SIG-028")
    assert result.by_rule("organ") is None
    exposes_only(result, person_verified, [FORGED.encode()])
    signer = result.by_rule("signer")
    assert signer is not None
    assert [s.uri for s in signer.signed] == ["#att-1", "#att-2"]


def test_partial_signature_presented_as_whole(plain_by_id: bytes, pki: SmallPki) -> None:
    """Reference to less than the caller expects: a plain document whose enveloped Signature
    covers only ``#o1`` (the Order), verified as a plain XML-DSig message, where the
    signature must cover the whole document; the attacker rewrites the unsigned Memo.
    Defence: the plain layout requires URI="" (DF-SIG-008)."""
    forged = plain_by_id.replace(b"outside the order", b"chuyen khoan ngay", 1)
    assert forged != plain_by_id
    refused(verify(forged, pki, profile=Profile.XMLDSIG), "DF-SIG-008")
    refused(verify(forged, pki), "DF-TRU-002")  # and never in the default edXML profile


def test_plain_signature_moved_into_the_signed_element(plain_whole: bytes,
                                                       pki: SmallPki) -> None:
    """Signature moved in plain XML-DSig: the enveloped Signature moved from the root into
    the Order, where an enveloped transform would still remove it. Defence: the plain layout
    allows one Signature, a child of the root (DF-SIG-009)."""
    def change(root: etree._Element) -> None:
        signature = root.find(ds("Signature"))
        assert signature is not None
        root.find("{urn:example:payment}Order").append(signature)  # type: ignore[union-attr]
    refused(verify(edit(plain_whole, change), pki, profile=Profile.XMLDSIG), "DF-SIG-009")
