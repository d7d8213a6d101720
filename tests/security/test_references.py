"""What a Reference may point at, and how: URIs, extra References, transforms.

A signature is only worth what its References cover. The literature's attacks here do not
break any key: they get a trusted key to sign something that *looks* like the message but
covers less of it (an XPath or XSLT transform that leaves the subject out, a base64 decode, an
xpointer the verifier resolves differently), or they add a Reference the receiver does not
expect. So most tests have agency A's own keys sign the unusual shape — as a peer system, or a
signer tricked into it, would — and check that docflow refuses the shape itself.
"""

from __future__ import annotations

import pytest
from lxml import etree

from docflow.dsig import LEGACY, SignReference
from docflow.profile.edxml import EDXML_NS

from .attack import (
    DS_NS,
    ENVELOPED,
    EXC_C14N,
    add_reference,
    attachments,
    ds,
    ed,
    edit,
    exc_c14n,
    header,
    organ_signature,
    references,
    resign,
    set_digest,
    set_transforms,
    signer_signature,
    without,
)
from .outcome import SIGNER_ONLY, refused, verify
from .pki import Credential, SmallPki

XPATH = "http://www.w3.org/TR/1999/REC-xpath-19991116"
XSLT = "http://www.w3.org/TR/1999/REC-xslt-19991116"
BASE64 = DS_NS + "base64"
FILTER2 = "http://www.w3.org/2002/06/xmldsig-filter2"
EXC_WITH_COMMENTS = EXC_C14N + "WithComments"
C14N10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"


def _subject(root: etree._Element) -> etree._Element:
    found = header(root).find(f"{ed('MessageHeader')}/{ed('Subject')}")
    assert found is not None
    return found


def test_extra_reference_added_without_resigning(signed_by_person: bytes,
                                                 pki: SmallPki) -> None:
    """Extra Reference: a Reference to MessageHeader (with a correct digest) added to the
    person's SignedInfo, hoping a verifier checks digests but not which References were
    signed. Defence: the SignatureValue covers SignedInfo, so it no longer verifies
    (DF-SIG-012), and the Reference is outside the profile anyway."""
    def change(root: etree._Element) -> None:
        message_header = header(root).find(ed("MessageHeader"))
        assert message_header is not None
        message_header.set("Id", "mh")
        add_reference(signer_signature(root), "#mh", exc_c14n(message_header))
    refused(verify(edit(signed_by_person, change), pki, required_roles=SIGNER_ONLY),
            "DF-SIG-012", "DF-SIG-008")


def test_signed_reference_to_an_element_outside_the_profile(message: bytes,
                                                            signer_a: Credential,
                                                            pki: SmallPki) -> None:
    """Reference to an element the caller does not expect: the person validly signs the
    attachments *and* the MessageHeader (by Id), so that a receiver might take the header as
    the person's. Defence: the signer's signature may reference Attachments only
    (DF-SIG-008), whoever signed it."""
    def change(root: etree._Element) -> None:
        message_header = header(root).find(ed("MessageHeader"))
        assert message_header is not None
        message_header.set("Id", "mh")
        signer_a.signer().sign_tree(header(root), _references("att-1", "att-2", "mh"))
    refused(verify(edit(_with_ids(message), change), pki), "DF-SIG-008")


def _with_ids(document: bytes) -> bytes:
    def change(root: etree._Element) -> None:
        for number, attachment in enumerate(attachments(root), 1):
            attachment.set("Id", f"att-{number}")
    return edit(document, change)


def _references(*ids: str) -> list[SignReference]:
    return [SignReference.element(i) for i in ids]


def test_organ_signature_with_an_extra_attachment_reference(both: bytes, organ_a: Credential,
                                                            pki: SmallPki) -> None:
    """Extra Reference in the organ's signature: URI="" and ``#att-1`` both, validly signed
    by the organ. Defence: the organ's signature references the whole message and nothing
    else (DF-SIG-008)."""
    def change(root: etree._Element) -> None:
        signature = organ_signature(root)
        add_reference(signature, "#att-1", exc_c14n(attachments(root)[0]))
        resign(signature, organ_a.key)
    refused(verify(edit(both, change), pki), "DF-SIG-008")


def test_two_references_to_the_same_attachment(message: bytes, signer_a: Credential,
                                               pki: SmallPki) -> None:
    """Reference counting: the person signs ``#att-1`` twice and leaves ``att-2`` out, so a
    verifier counting References against attachments is satisfied. Defence: a Reference that
    repeats an earlier one's content is refused, and the uncovered attachment too
    (DF-SIG-008)."""
    def change(root: etree._Element) -> None:
        signer_a.signer().sign_tree(header(root), _references("att-1", "att-1"))
    refused(verify(edit(_with_ids(message), change), pki), "DF-SIG-008")


@pytest.mark.parametrize("uri", ["#xpointer(/)", "#xpointer(id('att-1'))", "#",
                                 "file:///etc/passwd", "http://attacker.example/doc.xml",
                                 None])
def test_reference_uri_other_than_empty_or_bare_id(both: bytes, organ_a: Credential,
                                                   pki: SmallPki, uri: str | None) -> None:
    """URI forms: the organ's Reference rewritten (and validly re-signed) to
    ``#xpointer(/)`` (which keeps comments), ``#xpointer(id(...))``, a bare ``#``, external
    URIs (which a verifier would fetch) and no URI at all (which means "whatever the
    application decides"). Defence: only ``""`` and ``#id`` are followed, nothing is fetched
    (DF-SIG-010)."""
    def change(root: etree._Element) -> None:
        signature = organ_signature(root)
        [reference] = references(signature)
        if uri is None:
            del reference.attrib["URI"]
        else:
            reference.set("URI", uri)
        resign(signature, organ_a.key)
    refused(verify(edit(both, change), pki), "DF-SIG-010")


def test_xpath_filter_that_leaves_the_subject_out(both: bytes, organ_a: Credential,
                                                  pki: SmallPki) -> None:
    """XPath transform: the organ signs the message through
    ``not(ancestor-or-self::edXML:Subject)``, with the digest that filter gives, and the
    attacker then rewrites the Subject, which the digest never covered. Defence: any XPath
    but the trivial Signature filter is refused, under the legacy policy too (DF-SIG-017)."""
    def change(root: etree._Element) -> None:
        signature = organ_signature(root)
        [reference] = references(signature)
        set_transforms(reference, ENVELOPED, XPATH, EXC_C14N, xpath=(
            "not(ancestor-or-self::edXML:Subject)", {"edXML": EDXML_NS}))
        set_digest(reference, without(root, signature, _subject(root)))
        resign(signature, organ_a.key)
        _subject(root).text = "Về việc thu hồi kinh phí"
    forged = edit(both, change)
    refused(verify(forged, pki), "DF-SIG-017")
    refused(verify(forged, pki, policy=LEGACY), "DF-SIG-017")


def test_xpath_filter_2_subtracting_the_subject(both: bytes, organ_a: Credential,
                                                pki: SmallPki) -> None:
    """XPath Filter 2.0 ``subtract`` of the Subject, signed by the organ, then the Subject
    rewritten. Defence: Filter 2.0 is known only to be refused (DF-SIG-017)."""
    def change(root: etree._Element) -> None:
        signature = organ_signature(root)
        [reference] = references(signature)
        set_transforms(reference, ENVELOPED, FILTER2, EXC_C14N,
                       xpath=("//edXML:Subject", {"edXML": EDXML_NS}))
        set_digest(reference, without(root, signature, _subject(root)))
        resign(signature, organ_a.key)
        _subject(root).text = "Về việc thu hồi kinh phí"
    refused(verify(edit(both, change), pki, policy=LEGACY), "DF-SIG-017")


def test_xslt_transform_with_constant_output(both: bytes, organ_a: Credential,
                                             pki: SmallPki) -> None:
    """XSLT transform: the organ's Reference runs a stylesheet whose output does not depend
    on the input (so the digest holds for any message) — and XSLT can also read files and
    run for ever. Defence: XSLT is never applied (DF-SIG-017)."""
    stylesheet = (b'<xsl:stylesheet version="1.0" '
                  b'xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
                  b'<xsl:template match="/"><ok/></xsl:template></xsl:stylesheet>')

    def change(root: etree._Element) -> None:
        signature = organ_signature(root)
        [reference] = references(signature)
        set_transforms(reference, XSLT)
        reference.find(f"{ds('Transforms')}/{ds('Transform')}").append(  # type: ignore
            etree.fromstring(stylesheet))
        set_digest(reference, b"<ok></ok>")
        resign(signature, organ_a.key)
        _subject(root).text = "Về việc thu hồi kinh phí"
    refused(verify(edit(both, change), pki, policy=LEGACY), "DF-SIG-017")


def test_base64_transform_over_an_attachment(message: bytes, signer_a: Credential,
                                             pki: SmallPki) -> None:
    """base64 transform: the person's Reference to an attachment decodes its text, so the
    digest covers the decoded bytes and none of the attachment's names, type or description,
    which the attacker then rewrites. Defence: base64 is never applied (DF-SIG-017)."""
    def change(root: etree._Element) -> None:
        signature = signer_a.signer().sign_tree(header(root), _references("att-1",
                                                                          "att-2"))
        for reference in references(signature):
            set_transforms(reference, BASE64)
        resign(signature, signer_a.key)
        name = attachments(root)[0].find(ed("AttachmentName"))
        assert name is not None
        name.text = "quyet-dinh-gia-mao.docx"
    refused(verify(edit(_with_ids(message), change), pki, policy=LEGACY), "DF-SIG-017")


def test_unknown_transform_uri(both: bytes, organ_a: Credential, pki: SmallPki) -> None:
    """Unknown transform: a URI the verifier does not implement, which a lenient verifier
    skips (and so digests something else than the signer meant). Defence: refused by name
    (DF-SIG-002)."""
    def change(root: etree._Element) -> None:
        signature = organ_signature(root)
        [reference] = references(signature)
        set_transforms(reference, ENVELOPED, "urn:example:identity-transform", EXC_C14N)
        resign(signature, organ_a.key)
    refused(verify(edit(both, change), pki), "DF-SIG-002")


@pytest.mark.parametrize("chain", [
    (ENVELOPED, EXC_C14N, C14N10),
    (ENVELOPED, EXC_C14N, ENVELOPED),
    (ENVELOPED, ENVELOPED, EXC_C14N),
    (EXC_C14N, ENVELOPED),
])
def test_transform_chain_out_of_shape(both: bytes, organ_a: Credential, pki: SmallPki,
                                      chain: tuple[str, ...]) -> None:
    """Multiple canonicalizations and reordered chains (c14n then c14n again, enveloped after
    c14n, enveloped twice), each validly signed by the organ: chains whose meaning differs
    between implementations. Defence: only [enveloped-signature], then at most one
    canonicalization, last (DF-SIG-017)."""
    def change(root: etree._Element) -> None:
        signature = organ_signature(root)
        [reference] = references(signature)
        set_transforms(reference, *chain)
        resign(signature, organ_a.key)
    refused(verify(edit(both, change), pki), "DF-SIG-017")


def test_enveloped_signature_inside_the_attachment_it_signs(message: bytes,
                                                           signer_a: Credential,
                                                           pki: SmallPki) -> None:
    """Enveloped-signature on the wrong node: the person's Signature placed inside the first
    Attachment, its References carrying enveloped-signature, so that the attachment digests
    the same with or without whatever the Signature holds. Defence: a Signature stands only
    in edXMLHeader (DF-SIG-009)."""
    def change(root: etree._Element) -> None:
        signer_a.signer().sign_tree(attachments(root)[0], _references("att-1",
                                                                      "att-2"))
    refused(verify(edit(_with_ids(message), change), pki), "DF-SIG-009")


def test_reference_with_comments_c14n_and_injected_comment(both: bytes, organ_a: Credential,
                                                           pki: SmallPki) -> None:
    """C14N with comments in the Reference: the organ signs URI="" with exc-c14n#WithComments;
    an attacker then adds a comment. XML-DSig says URI="" drops comments before any
    transform, so the digest must still hold, and the comment must not be presented as
    signed. Defence: comments are never part of what a same-document Reference covers."""
    def change(root: etree._Element) -> None:
        signature = organ_signature(root)
        [reference] = references(signature)
        set_transforms(reference, ENVELOPED, EXC_WITH_COMMENTS)
        resign(signature, organ_a.key)
    resigned = edit(both, change)
    forged = edit(resigned, lambda root: _subject(root).append(
        etree.Comment(" đã được Chủ tịch phê duyệt ")))
    result = verify(forged, pki)
    assert result.passed, result.to_dict()
    organ = result.by_rule("organ")
    assert organ is not None
    assert "phê duyệt".encode() not in organ.signed[0].canonical
