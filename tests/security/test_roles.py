"""Roles and places: who may make which signature, and how many there may be.

Decree 30/2020 has the competent person sign the content and the organ sign the numbered
message. A forgery here needs no broken key: a person's certificate making the organ's
signature, a second signature of one role beside the real one, a role the document claims for
itself, a certificate whose role is unknown or ambiguous, an organ certificate of another
agency, or a field message's legacy QCVN ``Signature`` taken for a real one.
"""

from __future__ import annotations

import pytest
from lxml import etree

from docflow.audit.signatures import SignatureChecker
from docflow.dsig import LEGACY, HmacKey, PinnedKeyChecker, SignReference
from docflow.errors import Indication
from docflow.pki import names
from docflow.pki.roles import ORGAN_POLICY, SIGNER_POLICY
from docflow.profile.choice import Profile
from docflow.profile.edxml import EDXML_NS, sign_message
from docflow.trust import Trust

from .attack import (
    attachments,
    ds,
    ed,
    edit,
    header,
    mac,
    organ_signature,
    references,
    set_digest,
    sign_as,
    signer_signature,
    without,
)
from .outcome import SIGNER_ONLY, refused, verify
from .pki import AGENCY_A, AGENCY_A_NAME, AGENCY_B, Credential, SmallPki, ec_key


def _with_ids(document: bytes) -> bytes:
    def change(root: etree._Element) -> None:
        for number, attachment in enumerate(attachments(root), 1):
            attachment.set("Id", f"att-{number}")
    return edit(document, change)


def _sign_whole(document: bytes, credential: Credential) -> bytes:
    """``credential`` signs the whole message from the organ's place, whatever its role."""
    def change(root: etree._Element) -> None:
        credential.signer().sign_tree(header(root))
    return edit(document, change)


def test_second_signer_signature_beside_the_real_one(signed_by_person: bytes, pki: SmallPki,
                                                     signer_b: Credential) -> None:
    """Two Signatures with the same role: agency B's person (a valid person certificate)
    adds a second signer Signature over the same attachments beside agency A's, so that a
    reader looking for "a signer's signature" may report B's. Defence: at most one signer
    Signature per message (DF-SIG-009)."""
    def change(root: etree._Element) -> None:
        signer_b.signer().sign_tree(header(root), [SignReference.element("att-1"),
                                                   SignReference.element("att-2")])
    refused(verify(edit(signed_by_person, change), pki, required_roles=SIGNER_ONLY), "DF-SIG-009")


def test_second_organ_signature_beside_the_real_one(both: bytes, pki: SmallPki,
                                                    organ_b: Credential) -> None:
    """Two organ Signatures: agency B's organ adds its own whole-message Signature after
    agency A's. Defence: at most one organ Signature (DF-SIG-009), and A's digest no longer
    holds (DF-SIG-011)."""
    refused(verify(_sign_whole(both, organ_b), pki), "DF-SIG-009", "DF-SIG-011")


def test_role_claimed_by_the_document(signed_by_person: bytes, pki: SmallPki,
                                      signer_a: Credential) -> None:
    """The role claimed by the document rather than the certificate: agency A's person signs
    the whole message from the organ's place, with ``Id="organ-signature"`` on the Signature,
    a ds:Object saying ``<Role>organ</Role>`` and the SignerInfo naming the organ. Defence: the
    role comes from the certificate's policy, and a person's certificate in the organ's place
    is refused (DF-SIG-021)."""
    def change(root: etree._Element) -> None:
        signer_signature(root).getparent().remove(signer_signature(root))  # type: ignore
        info = header(root).find(f"{ed('MessageHeader')}/{ed('SignerInfo')}/{ed('Position')}")
        assert info is not None
        info.text = "Văn thư cơ quan (chữ ký cơ quan)"
        signature = signer_a.signer().sign_tree(header(root))
        signature.set("Id", "organ-signature")
        obj = etree.SubElement(signature, ds("Object"))
        etree.SubElement(obj, "{urn:example:claims}Role").text = "organ"
    refused(verify(edit(signed_by_person, change), pki, required_roles=SIGNER_ONLY), "DF-SIG-021")


def test_certificate_asserting_both_roles(message: bytes, pki: SmallPki) -> None:
    """A misissued certificate asserting both the organ and the signer policy, used to make
    the organ's signature (and it could make the signer's too). Defence: an ambiguous role is
    unknown, and unknown is not PASSED (DF-PKI-013)."""
    both_roles = pki.issue(names.organ_name(AGENCY_A, AGENCY_A_NAME), ec_key(),
                           policies=(ORGAN_POLICY, SIGNER_POLICY))
    refused(verify(_sign_whole(message, both_roles), pki), "DF-PKI-013", "DF-SIG-021")


def test_certificate_of_no_role(message: bytes, pki: SmallPki) -> None:
    """A certificate of the trusted hub CA asserting no role (an ordinary staff certificate,
    or a TLS one), making the organ's signature. Defence: the role is never guessed from the
    place the signature stands; unknown is not PASSED (DF-PKI-012)."""
    no_role = pki.issue(names.organ_name(AGENCY_A, AGENCY_A_NAME), ec_key())
    refused(verify(_sign_whole(message, no_role), pki), "DF-PKI-012")


@pytest.mark.parametrize("source", ["pinned", "hmac"])
def test_trust_source_without_a_role_in_the_organ_place(message: bytes, pki: SmallPki,
                                                        signer_a: Credential,
                                                        source: str) -> None:
    """Unknown role from the trust source: a partner's person key pinned out of band with no
    role (``PinnedKeyChecker((cert,))``), or a shared HMAC secret without a role, makes the
    whole-message signature from the organ's place. The profile promises that "an unknown
    role is reported, not guessed", as the path validator does with DF-PKI-012. Expected
    defence: in the edXML profile a signature whose role is unknown does not pass."""
    if source == "pinned":
        document = _sign_whole(message, signer_a)
        result = verify(document, pki, trust=PinnedKeyChecker((signer_a.certificate,)))
    else:
        secret = b"a secret shared with a partner system"

        def change(root: etree._Element) -> None:
            signature = signer_a.signer().sign_tree(header(root))
            signature.remove(signature.find(ds("KeyInfo")))
            mac(signature, secret)
        result = verify(edit(message, change), pki, trust=HmacKey(secret), policy=LEGACY)
    organ = result.by_rule("organ")
    assert organ is not None and organ.role is None
    assert result.indication is not Indication.PASSED, result.to_dict()


def test_organ_certificate_of_another_agency_than_the_sender(message: bytes, pki: SmallPki,
                                                             signer_a: Credential,
                                                             organ_b: Credential) -> None:
    """A valid certificate of another agency in the right role: agency B (a trusted agency
    of the same PKI, with a genuine organ certificate whose organizationIdentifier is
    000.00.01.H49) organ-signs a message whose MessageHeader says it is from agency A
    (From/OrganId 000.00.00.H49, DocumentId 000.00.00.H49,...), after A's person signed the
    attachments. Every signature is valid and in its role, so the receiver is told "PASSED"
    for a decision agency A never issued. Expected defence: the organ certificate's organ
    code must be the sender's (From/OrganId), or the message does not pass."""
    person_signed = sign_message(message, signer_a.signer(), "signer")
    forged = sign_as(person_signed, organ_b.signer(), "organ")
    from_code = etree.fromstring(forged).findtext(f".//{ed('From')}/{ed('OrganId')}")
    assert from_code == AGENCY_A != AGENCY_B
    assert AGENCY_B in organ_b.certificate.subject.rfc4514_string()
    result = verify(forged, pki)
    assert result.indication is not Indication.PASSED, result.to_dict()


def test_legacy_qcvn_signature_alone(message: bytes, pki: SmallPki) -> None:
    """The legacy QCVN-namespace Signature of field messages (rsa-sha1 over nothing, often
    placeholder values), copied into an unsigned message with plausible content. Defence: it
    is never an XML-DSig signature, so the message has none and cannot pass (DF-SIG-022)."""
    legacy = (f'<Signature xmlns="{EDXML_NS}"><SignedInfo><SignatureMethod Algorithm='
              '"http://www.w3.org/2000/09/xmldsig#rsa-sha1"/></SignedInfo><SignatureValue>'
              "dGhpcyBpcyBhIHZhbGlkIHNpZ25hdHVyZQ==</SignatureValue></Signature>").encode()
    forged = message.replace(b"</edXML:TraceHeaderList>",
                             b"</edXML:TraceHeaderList>" + legacy, 1)
    assert forged != message
    result = verify(forged, pki)
    refused(result, "DF-SIG-022")
    assert result.signatures == ()


def test_legacy_qcvn_signature_wrapping_a_real_one(both: bytes, pki: SmallPki) -> None:
    """A legacy QCVN ``Signature`` element used as a wrapper around the organ's real
    ds:Signature, so that a checker of legacy signatures finds a valid XML-DSig inside it.
    Defence: the ds:Signature no longer stands in edXMLHeader (DF-SIG-009), and the legacy
    element counts for nothing."""
    def change(root: etree._Element) -> None:
        signature = organ_signature(root)
        wrapper = etree.Element(ed("Signature"))
        signature.addprevious(wrapper)
        wrapper.append(signature)
    refused(verify(edit(both, change), pki), "DF-SIG-009")


def test_legacy_qcvn_signature_in_a_signed_message_is_not_counted(message: bytes,
                                                                  pki: SmallPki,
                                                                  organ_a: Credential) -> None:
    """A message that carries a legacy QCVN Signature and then gets a real organ Signature:
    the legacy element is covered as content, and must not be reported as a second valid
    signature. Defence: exactly one signature result, the organ's."""
    legacy = (f'<Signature xmlns="{EDXML_NS}"><SignatureValue>AAAA</SignatureValue>'
              "</Signature>").encode()
    with_legacy = message.replace(b"</edXML:TraceHeaderList>",
                                  b"</edXML:TraceHeaderList>" + legacy, 1)
    result = verify(sign_message(with_legacy, organ_a.signer(), "organ"), pki)
    assert result.passed, result.to_dict()
    assert [r.rule for r in result.signatures] == ["organ"]


def test_person_signature_reused_over_another_agencys_attachments(
        signed_by_person: bytes, pki: SmallPki) -> None:
    """A valid person Signature cut from one message and pasted into another whose
    attachments differ (same Ids). Defence: the digests cover the attachments' bytes
    (DF-SIG-011)."""
    def change(root: etree._Element) -> None:
        content = attachments(root)[1].find(ed("ContentTransferEncoded"))
        assert content is not None
        content.text = "UGjhu6UgbOG7pWMgZ2nhuqMgbeG6oW8="
    refused(verify(edit(signed_by_person, change), pki, required_roles=SIGNER_ONLY), "DF-SIG-011")


def test_organ_digest_recomputed_without_resigning(both: bytes, pki: SmallPki) -> None:
    """Digest recomputation: the attacker forges the header, recomputes the organ's
    DigestValue so that the Reference check holds, and leaves SignatureValue as it was.
    Defence: SignedInfo (which holds the digest) is what the key signed (DF-SIG-012)."""
    def change(root: etree._Element) -> None:
        subject = header(root).find(f"{ed('MessageHeader')}/{ed('Subject')}")
        assert subject is not None
        subject.text = "Về việc thu hồi toàn bộ kinh phí đã cấp"
        signature = organ_signature(root)
        [reference] = references(signature)
        set_digest(reference, without(root, signature))
    refused(verify(edit(both, change), pki), "DF-SIG-012")



def test_legacy_qcvn_signature_is_never_counted_valid_by_the_audit(message: bytes) -> None:
    """The legacy QCVN Signature in the audit's counting: a message with only a legacy
    Signature (with a plausible value). Defence: counted as an organ signature that is
    present and never valid (DF-ENV-070)."""
    legacy = (f'<Signature xmlns="{EDXML_NS}"><SignatureValue>'
              "dGhpcyBpcyBhIHZhbGlkIHNpZ25hdHVyZQ==</SignatureValue></Signature>").encode()
    forged = message.replace(b"</edXML:TraceHeaderList>",
                             b"</edXML:TraceHeaderList>" + legacy, 1)
    outcome = SignatureChecker(Trust.from_options()).check(forged)
    assert outcome.organ_present and not outcome.organ_valid
    assert not outcome.signer_valid
    assert "DF-ENV-070" in outcome.reasons


def test_edxml_look_alike_without_namespace(message: bytes, pki: SmallPki,
                                            signer_a: Credential) -> None:
    """Profile evasion: the message rewritten without the QCVN namespace (docflow's envelope
    parser still reads such field messages, with a finding) and signed by a *person* as plain
    XML-DSig, a child of the root — so that the edXML profile and its role check do not
    apply. Defence (issue 12, hole 2): the edXML profile is the default and checks only the
    QCVN ``edXML`` root, so the look-alike FAILS (DF-TRU-001) with nothing verified; checked
    as plain XML-DSig on request, no signature is reported in the organ's or the signer's
    place, and the verdict says no edXML meaning was checked (DF-TRU-003)."""
    root = etree.fromstring(message)
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = etree.QName(element).localname
    etree.cleanup_namespaces(root)
    plain = etree.tostring(root)
    assert b"QCVN_102_2016" not in plain
    signed = sign_message(plain, signer_a.signer())
    refused(verify(signed, pki), "DF-TRU-001")
    result = verify(signed, pki, profile=Profile.XMLDSIG)
    assert not result.edxml and "DF-TRU-003" in {f.code for f in result.findings}
    assert result.by_rule("organ") is None and result.by_rule("signer") is None
    assert all(r.role != "organ" for r in result.signatures)
