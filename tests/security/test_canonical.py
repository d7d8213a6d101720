"""Comments, whitespace, CDATA and namespaces: changes canonicalization is meant to absorb,
and changes it must not.

Canonical XML makes some edits invisible to a digest (comments, attribute quoting, CDATA
sections, character references); an attacker uses them to make the *tree* say something else
than the signed bytes (a comment that splits a text node, so that a reader of ``.text`` gets
half of it). The defence is that a result presents the canonical signed bytes, never the tree.
Every other edit of signed text (whitespace, a carriage return, a prefix, an inherited
attribute) must break the digest.
"""

from __future__ import annotations

from lxml import etree

from docflow.profile.edxml import EDXML_NS, MessageVerification

from .attack import (
    DS_NS,
    ENVELOPED,
    EXC_C14N,
    attachments,
    dump,
    ed,
    edit,
    header,
    organ_signature,
    references,
    resign,
    set_transforms,
    signer_signature,
    tree,
)
from .outcome import SIGNER_ONLY, exposes_only, refused, verify
from .pki import Credential, SmallPki

XML_NS = "http://www.w3.org/XML/1998/namespace"


def _subject(root: etree._Element) -> etree._Element:
    found = header(root).find(f"{ed('MessageHeader')}/{ed('Subject')}")
    assert found is not None
    return found


def _subject_text(document: bytes) -> str:
    return _subject(tree(document)).text or ""


def test_comment_splitting_the_signed_subject(both: bytes, pki: SmallPki,
                                              both_verified: MessageVerification) -> None:
    """Comment injection into signed text: ``Về việc<!---->`` ... a comment inserted inside
    the Subject, so that a reader of ``Subject.text`` gets only its first words (and a
    "not" can be cut off the end of a sentence). Without-comments C14N makes the digest hold.
    Defence: the result presents the canonical Subject, whole."""
    original = _subject_text(both)

    def change(root: etree._Element) -> None:
        subject = _subject(root)
        subject.text = original[:7]
        comment = etree.Comment("x")
        comment.tail = original[7:]
        subject.append(comment)
    forged = edit(both, change)
    assert _subject(tree(forged)).text == original[:7]  # what a naive reader sees
    result = verify(forged, pki)
    exposes_only(result, both_verified)
    organ = result.by_rule("organ")
    assert organ is not None and organ.signed
    element = organ.signed[0].element
    assert element is not None
    assert element.find(f".//{ed('Subject')}").text == original  # type: ignore[union-attr]


def test_comment_splitting_attachment_content(signed_by_person: bytes, pki: SmallPki,
                                              person_verified: MessageVerification) -> None:
    """Comment injection into the base64 of a signed attachment, so that a decoder reading
    ``.text`` gets a truncated file. Defence: the result presents the whole canonical
    attachment."""
    def change(root: etree._Element) -> None:
        content = attachments(root)[0].find(ed("ContentTransferEncoded"))
        assert content is not None
        text = content.text or ""
        content.text = text[:8]
        comment = etree.Comment(" cut ")
        comment.tail = text[8:]
        content.append(comment)
    exposes_only(verify(edit(signed_by_person, change), pki, required_roles=SIGNER_ONLY),
                 person_verified)


def test_whitespace_added_to_signed_text(both: bytes, pki: SmallPki) -> None:
    """Whitespace injection: a space and a newline added inside the signed Subject (invisible
    on screen, different to a string comparison). Defence: text whitespace is signed
    (DF-SIG-011)."""
    def change(root: etree._Element) -> None:
        subject = _subject(root)
        subject.text = " " + (subject.text or "") + "\n"
    refused(verify(edit(both, change), pki), "DF-SIG-011")


def test_carriage_return_reference_added(both: bytes, pki: SmallPki) -> None:
    """A ``&#13;`` character reference, which survives parsing as a real carriage return
    (a raw CR would be normalized away). Defence: it is a different text, so the digest
    fails (DF-SIG-011)."""
    forged = both.replace(b"</edXML:Subject>", b"&#13;</edXML:Subject>", 1)
    assert forged != both
    refused(verify(forged, pki), "DF-SIG-011")


def test_markup_rewritten_without_changing_the_infoset(both: bytes, pki: SmallPki,
                                                       both_verified: MessageVerification
                                                       ) -> None:
    """Equivalent serializations: the Subject as a CDATA section, a letter as a character
    reference, an attribute in single quotes with extra spaces. These change bytes, not
    meaning. Defence: the digest holds and the result presents the same canonical bytes."""
    subject = _subject_text(both).encode()
    forged = both.replace(subject, b"<![CDATA[" + subject + b"]]>", 1)
    forged = forged.replace(b'<edXML:Attachment Id="att-1">',
                            b"<edXML:Attachment   Id = 'att-1' >", 1)
    forged = forged.replace(b"<edXML:OrganId>000", b"<edXML:OrganId>&#x30;00", 1)
    assert forged.count(b"CDATA") == 1 and b"&#x30;" in forged
    result = verify(forged, pki)
    assert result.passed, result.to_dict()
    exposes_only(result, both_verified)


def test_cdata_with_other_text(both: bytes, pki: SmallPki) -> None:
    """CDATA is text: a CDATA section holding a *different* subject, for a verifier that
    skips CDATA when digesting. Defence: CDATA content is signed text (DF-SIG-011)."""
    subject = _subject_text(both).encode()
    forged = both.replace(subject, b"<![CDATA[" + subject.upper() + b"]]>", 1)
    refused(verify(forged, pki), "DF-SIG-011")


def test_comment_injected_into_signed_info(both: bytes, pki: SmallPki,
                                           both_verified: MessageVerification) -> None:
    """Comment injection into SignedInfo: a comment splitting the organ's DigestValue, so that
    a reader of ``.text`` takes a shorter digest while C14N without comments still yields
    the signed SignedInfo. Defence: the digest is read whole (``xmlsafe.text_content``), as
    the SignedInfo the key signed holds it and as xmlsec1 reads it: the very same digest, so
    the signature holds and presents exactly what was signed, never a shorter value."""
    def change(root: etree._Element) -> None:
        [reference] = references(organ_signature(root))
        value = reference.find(f"{{{DS_NS}}}DigestValue")
        assert value is not None
        text = value.text or ""
        value.text = text[:4]
        comment = etree.Comment("")
        comment.tail = text[4:]
        value.append(comment)
    result = verify(edit(both, change), pki)
    assert result.passed, result.to_dict()
    exposes_only(result, both_verified)


def test_look_alike_signature_with_the_ds_prefix_rebound(message: bytes,
                                                         pki: SmallPki) -> None:
    """Redefining the ds prefix: an unsigned message given a ``ds:Signature`` whose ``ds``
    is bound to another namespace (copied from a real Signature), for checkers that match
    prefixes. Defence: only the XML-DSig namespace makes a Signature; the message has none
    and cannot pass (DF-SIG-022)."""
    fake = (b'<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#x">'
            b"<ds:SignedInfo/><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>")
    forged = message.replace(b"</edXML:TraceHeaderList>",
                             b"</edXML:TraceHeaderList>" + fake, 1)
    assert forged != message
    refused(verify(forged, pki), "DF-SIG-022")


def test_signed_prefix_moved_to_the_default_namespace(both: bytes, pki: SmallPki) -> None:
    """Default-namespace games: the message re-serialized with the edXML namespace as the
    default instead of the ``edXML:`` prefix (the same names for a namespace-aware reader).
    Exclusive C14N keeps prefixes, so this is not the signed document. Defence: DF-SIG-011."""
    root = tree(both)
    new_root = etree.Element(ed("edXML"), nsmap={None: EDXML_NS})
    for child in root:
        new_root.append(child)
    refused(verify(dump(new_root), pki), "DF-SIG-011")


def test_unused_prefix_rebound_on_the_header(both: bytes, pki: SmallPki,
                                             both_verified: MessageVerification) -> None:
    """Namespace declarations that C14N drops: ``xmlns:ds`` rebound to another namespace on
    edXMLHeader, where no element of the message uses it (the Signatures declare their own).
    Defence: the verifier still finds the real Signatures by namespace, and the result
    presents the same signed bytes."""
    def change(root: etree._Element) -> None:
        old = header(root)
        new = etree.Element(old.tag, nsmap={"ds": "urn:evil", **old.nsmap})
        new.text = old.text
        new.tail = old.tail
        for child in list(old):
            new.append(child)
        old.addprevious(new)
        old.getparent().remove(old)  # type: ignore[union-attr]
    forged = edit(both, change)
    assert b'xmlns:ds="urn:evil"' in forged
    result = verify(forged, pki)
    assert result.passed, result.to_dict()
    exposes_only(result, both_verified)


def test_xml_attributes_added_above_signed_content(both: bytes, pki: SmallPki) -> None:
    """``xml:`` attributes: ``xml:lang`` and ``xml:space="preserve"`` added to the root,
    which inclusive C14N would push down into a signed subtree and exclusive C14N ignores for
    it. On the organ's whole-message signature they are content. Defence: DF-SIG-011."""
    def change(root: etree._Element) -> None:
        root.set(f"{{{XML_NS}}}lang", "en")
        root.set(f"{{{XML_NS}}}space", "preserve")
    refused(verify(edit(both, change), pki), "DF-SIG-011")


def test_xml_attributes_above_attachments_are_not_presented(
        signed_by_person: bytes, pki: SmallPki, person_verified: MessageVerification) -> None:
    """``xml:lang`` added on AttachmentEncoded, above the attachments the person signed by Id
    with exclusive C14N (which does not inherit it): the attachments digest the same. Defence:
    the result presents the attachments exactly as signed, without the added attribute."""
    def change(root: etree._Element) -> None:
        encoded = root.find(ed("AttachmentEncoded"))
        assert encoded is not None
        encoded.set(f"{{{XML_NS}}}lang", "en")
    result = verify(edit(signed_by_person, change), pki, required_roles=SIGNER_ONLY)
    exposes_only(result, person_verified, [b"xml:lang"])


def test_inclusive_namespaces_prefix_list_default(both: bytes, organ_a: Credential,
                                                  pki: SmallPki) -> None:
    """InclusiveNamespaces PrefixList ``#default``: an exclusive C14N parameter that libxml2
    silently ignores, so that a verifier on it digests other bytes than the spec says (a
    canonicalization confusion between implementations). Signed by the organ. Defence:
    refused rather than canonicalized wrongly (DF-SIG-002)."""
    def change(root: etree._Element) -> None:
        signature = organ_signature(root)
        [reference] = references(signature)
        set_transforms(reference, ENVELOPED, EXC_C14N)
        transform = reference.findall(f"{{{DS_NS}}}Transforms/{{{DS_NS}}}Transform")[-1]
        etree.SubElement(transform, f"{{{EXC_C14N}}}InclusiveNamespaces",
                         PrefixList="#default xlink")
        resign(signature, organ_a.key)
    refused(verify(edit(both, change), pki), "DF-SIG-002")


def test_inclusive_prefix_list_on_signed_info_naming_an_attacker_prefix(
        both: bytes, pki: SmallPki) -> None:
    """InclusiveNamespaces on the SignedInfo's CanonicalizationMethod added by the attacker
    (naming a prefix they then declare on the Signature), hoping to change how SignedInfo
    canonicalizes without touching its signed text. Defence: the element is inside SignedInfo,
    so adding it changes the signed bytes and the SignatureValue fails (DF-SIG-012)."""
    def change(root: etree._Element) -> None:
        signature = signer_signature(root)
        method = signature.find(f"{{{DS_NS}}}SignedInfo/{{{DS_NS}}}CanonicalizationMethod")
        assert method is not None
        etree.SubElement(method, f"{{{EXC_C14N}}}InclusiveNamespaces", PrefixList="evil")
    refused(verify(edit(both, change), pki), "DF-SIG-012", "DF-SIG-011")
