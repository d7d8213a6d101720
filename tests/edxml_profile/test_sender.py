"""The sender check of the edXML profile (docflow/profile/sender.py): the organ that signs a
message, and its competent signer, are of the agency the message says it is from."""

from __future__ import annotations

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from dsig.pkitools import AGENCY, END, NOW, START, SamplePki, make_pki, name
from lxml import etree
from security.attack import sign_as

from docflow.dsig import Signer, verify_all_at
from docflow.envelope.builder import build
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.samples import sample_document
from docflow.errors import Indication, Severity
from docflow.pki.builder import leaf_certificate
from docflow.pki.roles import ORGAN_POLICY, SIGNER_POLICY, RoleMapping
from docflow.pki.store import TrustStore
from docflow.pki.validate import PathValidator
from docflow.profile.edxml import (
    EDXML_LAYOUT,
    EDXML_NS,
    MessageVerification,
    verify_message,
)
from docflow.profile.sender import senders, signed_senders
from docflow.xmlsafe import parse_xml

E = f"{{{EDXML_NS}}}"
OTHER = "000.00.01.H49"
"""Another agency of the same province, with genuine certificates of the same PKI."""


@pytest.fixture(scope="module")
def pki() -> SamplePki:
    return make_pki(rsa.generate_private_key(65537, 2048))


@pytest.fixture(scope="module")
def message() -> bytes:
    """A decision from :data:`AGENCY` to :data:`OTHER`."""
    return build(sample_document(np.random.default_rng(5), sender=AGENCY, receivers=[OTHER],
                                 doc_type=DocumentType.QUYET_DINH, attachments=1, size=200))


def signer_for(pki: SamplePki, subject: x509.Name, policy: x509.ObjectIdentifier) -> Signer:
    """A signer with a new EC key and a certificate of ``subject`` from the sample hub CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    serial = x509.random_serial_number()
    cert = leaf_certificate(subject, key.public_key(), pki.sub_issuer, serial, START, END,
                            policy=policy)
    return Signer(key, [cert, pki.sub])


def organ(pki: SamplePki, code: str | None) -> Signer:
    return signer_for(pki, name(f"Cơ quan {code}", code), ORGAN_POLICY)


def person(pki: SamplePki, code: str | None) -> Signer:
    return signer_for(pki, name(f"Người ký {code}", code), SIGNER_POLICY)


def verify(document: bytes, pki: SamplePki, roles: RoleMapping | None = None
           ) -> MessageVerification:
    trust = pki.validator()
    if roles is not None:
        trust = PathValidator(TrustStore(anchors=trust.store.anchors, crls=trust.store.crls,
                                         roles=roles))
    return verify_message(document, trust=trust, at=NOW)


def signed(message: bytes, signer: Signer | None, organ_signer: Signer | None) -> bytes:
    """Signed in the profile's places, whatever agency the certificates are of (docflow's
    sign_message refuses another agency's; an attacker's software does not)."""
    if signer is not None:
        message = sign_as(message, signer, "signer")
    return message if organ_signer is None else sign_as(message, organ_signer, "organ")


def test_signatures_of_the_sender_pass(message: bytes, pki: SamplePki) -> None:
    """Control: the organ and the person of the sending agency pass, with no finding."""
    result = verify(signed(message, person(pki, AGENCY), organ(pki, AGENCY)), pki)
    assert result.passed, result.to_dict()
    assert all(r.findings == () for r in result.signatures)


def test_organ_of_another_agency_fails(message: bytes, pki: SamplePki) -> None:
    """A genuine organ certificate of another agency on the sender's message: FAILED
    (DF-SIG-024), and the organ's signature exposes nothing as signed."""
    result = verify(signed(message, person(pki, AGENCY), organ(pki, OTHER)), pki)
    assert result.indication is Indication.FAILED
    organ_result = result.by_rule("organ")
    assert organ_result is not None and organ_result.sub_indications == ("DF-SIG-024",)
    assert organ_result.signed == () and OTHER in organ_result.findings[-1].message


def test_organ_certificate_without_organ_code_is_indeterminate(message: bytes,
                                                               pki: SamplePki) -> None:
    """An organ certificate that carries no organ code cannot be matched with the sender:
    INDETERMINATE (DF-SIG-025), never PASSED."""
    result = verify(signed(message, None, organ(pki, None)), pki)
    assert result.indication is Indication.INDETERMINATE
    assert result.signatures[0].sub_indications == ("DF-SIG-025",)
    assert result.signatures[0].signed == ()


def test_role_mapping_says_where_a_foreign_ca_puts_the_organ_code(message: bytes,
                                                                   pki: SamplePki) -> None:
    """A CA that writes the organ code in OU (2.5.4.11): unmatched by default (DF-SIG-025);
    with the trust configuration's ``organ_code_attribute`` naming OU, matched both ways."""
    def in_ou(code: str) -> Signer:
        return signer_for(pki, x509.Name.from_rfc4514_string(
            f"CN=Cơ quan,OU={code},O=Foreign CA customers,C=VN"), ORGAN_POLICY)

    own, other = signed(message, None, in_ou(AGENCY)), signed(message, None, in_ou(OTHER))
    assert verify(own, pki).signatures[0].sub_indications == ("DF-SIG-025",)
    in_ou_mapping = RoleMapping(organ_code_attribute="2.5.4.11")
    assert verify(own, pki, in_ou_mapping).passed
    assert verify(other, pki, in_ou_mapping).signatures[0].sub_indications == ("DF-SIG-024",)


def test_signer_of_another_agency_fails(message: bytes, pki: SamplePki) -> None:
    """A person of another agency signing the sender's attachments: the signer's signature
    fails (DF-SIG-024) even though the organ's, of the sender, passes."""
    result = verify(signed(message, person(pki, OTHER), organ(pki, AGENCY)), pki)
    assert result.indication is Indication.FAILED
    signer_result, organ_result = result.by_rule("signer"), result.by_rule("organ")
    assert organ_result is not None and organ_result.passed
    assert signer_result is not None and signer_result.sub_indications == ("DF-SIG-024",)


def test_signer_alone_is_matched_with_the_unsigned_sender(message: bytes,
                                                          pki: SamplePki) -> None:
    """Without an organ signature the header is unsigned, but a person of another agency
    than the message names is still a contradiction: FAILED (DF-SIG-024)."""
    result = verify(signed(message, person(pki, OTHER), None), pki)
    assert result.signatures[0].sub_indications == ("DF-SIG-024",)


def test_signer_without_organ_code_is_a_warning(message: bytes, pki: SamplePki) -> None:
    """A person certificate without an organ code is reported as a warning (DF-SIG-025): the
    person signs the attachments only; binding the message to its sender is the organ's."""
    result = verify(signed(message, person(pki, None), organ(pki, AGENCY)), pki)
    assert result.passed, result.to_dict()
    signer_result = result.by_rule("signer")
    assert signer_result is not None and signer_result.signed != ()
    [finding] = signer_result.findings
    assert finding.code == "DF-SIG-025" and finding.effective_severity is Severity.WARNING


def test_sender_is_read_from_what_the_organ_signed(message: bytes, pki: SamplePki) -> None:
    """The organ signs a message naming two senders (its own and another, in two
    MessageHeaders): it cannot be matched (DF-SIG-025), whichever one a reader takes."""
    root = parse_xml(message)
    header = root.find(f"{E}edXMLEnvelope/{E}edXMLHeader")
    assert header is not None
    second = etree.fromstring(etree.tostring(header.find(f"{E}MessageHeader")))
    organ_id = second.find(f"{E}From/{E}OrganId")
    assert organ_id is not None
    organ_id.text = OTHER
    header.append(second)
    result = verify(signed(etree.tostring(root), None, organ(pki, AGENCY)), pki)
    assert result.signatures[0].sub_indications == ("DF-SIG-025",)


def test_senders_follows_the_one_path() -> None:
    """``senders`` reads edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId child by child:
    an OrganId elsewhere (inside a Signature, in To) is not a sender, and a comment splitting
    the code does not cut it."""
    root = parse_xml(
        f'<edXML xmlns="{EDXML_NS}"><edXMLEnvelope><edXMLHeader><MessageHeader>'
        f"<From><OrganId>000.00.<!-- c -->00.H49</OrganId></From>"
        f"<To><OrganId>{OTHER}</OrganId></To></MessageHeader>"
        '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><MessageHeader '
        f'xmlns="{EDXML_NS}"><From><OrganId>{OTHER}</OrganId></From></MessageHeader>'
        "</Signature></edXMLHeader></edXMLEnvelope></edXML>".encode())
    assert senders(root) == (AGENCY,)
    assert senders(None) == ()


def test_sender_unreadable_from_what_the_organ_signed(message: bytes, pki: SamplePki) -> None:
    """An OrganId holding a comment is read from what the organ signed, parsed again; when
    that cannot be parsed within the hardened parser's limits (a tree built by the caller,
    nested deeper than 256 levels), the sender cannot be read, so the organ's signature is
    INDETERMINATE (DF-SIG-025), not an exception. Without the comment the same tree passes:
    the OrganId is then read where it stands."""
    def deep(comment: bool) -> etree._Element:
        root = parse_xml(message)
        header = root.find(f"{E}edXMLEnvelope/{E}edXMLHeader")
        assert header is not None
        organ_id = header.find(f"{E}MessageHeader/{E}From/{E}OrganId")
        assert organ_id is not None and organ_id.text == AGENCY
        if comment:
            organ_id.text = AGENCY[:4]
            organ_id.append(etree.Comment(" split "))
            organ_id[-1].tail = AGENCY[4:]
        node = header.find(f"{E}MessageHeader")
        for _ in range(300):
            node = etree.SubElement(node, "{urn:vendor}Nested")
        organ(pki, AGENCY).sign_tree(header)
        return root

    result = verify_message(deep(comment=True), trust=pki.validator(), at=NOW)
    assert result.signatures[0].sub_indications == ("DF-SIG-025",)
    assert verify_message(deep(comment=False), trust=pki.validator(), at=NOW).passed


@pytest.mark.parametrize("content", [
    f"<OrganId>{AGENCY}</OrganId>",
    f"<OrganId>  {AGENCY}\n</OrganId>",
    f"<OrganId>{AGENCY[:6]}<!-- cut -->{AGENCY[6:]}</OrganId>",
    f"<OrganId>{AGENCY[:6]}<?pi x?>{AGENCY[6:]}</OrganId>",
    f'<OrganId>{AGENCY[:6]}<v:b xmlns:v="urn:v">{AGENCY[6:]}</v:b></OrganId>',
    f"<OrganId><![CDATA[{AGENCY}]]></OrganId>",
    f"<OrganId>{OTHER}</OrganId><OrganId>{AGENCY}</OrganId>",
], ids=["text", "spaces", "comment", "pi", "element", "cdata", "two"])
def test_sender_read_in_place_is_what_the_organ_signed(message: bytes, pki: SamplePki,
                                                      content: str) -> None:
    """The sender read from the verified message in place is the sender read from the
    canonical bytes the organ's Reference covered, whatever the OrganId holds; and the
    profile judges the message the same given as bytes (its Signature taken out of the tree)
    and as a tree (left in it)."""
    text = message.decode()
    start, end = text.index("<edXML:OrganId>"), text.index("</edXML:OrganId>") + 16
    variant = (text[:start] + content.replace("<OrganId>", "<edXML:OrganId>")
               .replace("</OrganId>", "</edXML:OrganId>") + text[end:]).encode()
    document = sign_as(variant, organ(pki, AGENCY), "organ")
    root = parse_xml(document)
    outcome = verify_all_at(root, NOW, trust=pki.validator(), layout=EDXML_LAYOUT)
    [signature] = outcome.signatures
    assert signature.passed and signature.rule == "organ"
    covered = signature.signed[0]
    assert signed_senders(root, covered) == senders(covered.element)
    expected = (OTHER, AGENCY) if content.count("<OrganId>") == 2 else (AGENCY,)
    assert senders(covered.element) == expected
    for given in (document, parse_xml(document)):
        result = verify_message(given, trust=pki.validator(), at=NOW)
        assert result.passed is (expected == (AGENCY,)), result.to_dict()
