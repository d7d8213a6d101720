"""The edXML signature profile (docflow/profile/edxml.py; this folder is not named ``profile``,
which would shadow the standard library module of that name): places, roles, edXML forgeries."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from dsig.pkitools import NOW, SamplePki, make_pki
from lxml import etree
from security.attack import sign_as, without_organ_signature

from docflow.dsig import PinnedKeyChecker, Signer
from docflow.envelope.builder import build
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.parser import parse_envelope
from docflow.envelope.samples import sample_document, sample_status
from docflow.errors import Indication, InputError, UsageError
from docflow.pki.roles import Role
from docflow.profile.choice import Profile
from docflow.profile.edxml import EDXML_NS, REQUIRED_ROLES, sign_message, verify_message
from docflow.xmlsafe import parse_xml

E = f"{{{EDXML_NS}}}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"


@pytest.fixture(scope="module")
def pki() -> SamplePki:
    return make_pki(rsa.generate_private_key(65537, 2048))


@pytest.fixture(scope="module")
def message() -> bytes:
    return build(sample_document(np.random.default_rng(3), sender="000.00.00.H49",
                                 receivers=["000.00.01.H49", "000.00.02.H49"],
                                 doc_type=DocumentType.QUYET_DINH, attachments=2, size=300))


@pytest.fixture(scope="module")
def signers(pki: SamplePki) -> tuple[Signer, Signer]:
    return (Signer(pki.signer_key, [pki.signer, pki.sub]),
            Signer(pki.organ_key, [pki.organ, pki.sub]))


@pytest.fixture(scope="module")
def both(message: bytes, signers: tuple[Signer, Signer]) -> bytes:
    person, organ = signers
    return sign_message(sign_message(message, person, "signer"), organ, "organ")


def check(document: bytes, pki: SamplePki) -> object:
    return verify_message(document, trust=pki.validator(), at=NOW)


def test_signer_then_organ_passes(both: bytes, pki: SamplePki) -> None:
    """The signer covers the attachments, the organ the whole message, each with its role."""
    result = check(both, pki)
    assert result.passed, result.to_dict()  # type: ignore[attr-defined]
    signer = result.by_rule("signer")  # type: ignore[attr-defined]
    organ = result.by_rule("organ")  # type: ignore[attr-defined]
    assert signer.role == "signer" and organ.role == "organ"
    assert [s.uri for s in signer.signed] == ["#att-1", "#att-2"]
    assert organ.signed[0].uri == ""
    assert b"<ds:SignatureValue>" in organ.signed[0].canonical  # it covers the signer's
    assert parse_envelope(both).findings == ()  # still a clean edXML message


def test_organ_alone_passes_by_default(message: bytes, signers: tuple[Signer, Signer],
                                       pki: SamplePki) -> None:
    """The organ is the one role required of a document message by default: its signature
    alone passes, and the result says what was required."""
    _, organ = signers
    result = check(sign_message(message, organ, "organ"), pki)
    assert result.passed, result.to_dict()  # type: ignore[attr-defined]
    assert [r.rule for r in result.signatures] == ["organ"]  # type: ignore[attr-defined]
    assert result.required_roles == {Role.ORGAN}  # type: ignore[attr-defined]
    assert result.to_dict()["required_roles"] == ["organ"]  # type: ignore[attr-defined]


def test_organ_signature_stripped_fails(both: bytes, pki: SamplePki) -> None:
    """Stripping: with the organ's Signature removed, the signer's still holds, but a
    document message without the organ's signature is not PASSED: FAILED with DF-SIG-028 at
    the header, the signer's signature itself untouched (the audit counts it valid)."""
    stripped = without_organ_signature(both)
    result = check(stripped, pki)
    assert result.indication is Indication.FAILED  # type: ignore[attr-defined]
    [finding] = result.findings  # type: ignore[attr-defined]
    assert finding.code == "DF-SIG-028" and "organ" in finding.message
    assert finding.location.path == "/edXML/edXMLEnvelope/edXMLHeader"
    assert finding.location.line == parse_xml(stripped).find(
        f"{E}edXMLEnvelope/{E}edXMLHeader").sourceline
    signer = result.by_rule("signer")  # type: ignore[attr-defined]
    assert signer.passed and [s.uri for s in signer.signed] == ["#att-1", "#att-2"]
    assert result.by_rule("organ") is None  # type: ignore[attr-defined]


def test_signer_alone_passes_only_when_the_organ_is_not_required(
        message: bytes, signers: tuple[Signer, Signer], pki: SamplePki) -> None:
    """A message only the person signed fails by default (DF-SIG-028), and passes when the
    caller requires nothing, or the signer alone (a clerk checking before numbering)."""
    person, _ = signers
    document = sign_message(message, person, "signer")
    assert [f.code for f in check(document, pki).findings] == [  # type: ignore[attr-defined]
        "DF-SIG-028"]
    for required in (frozenset(), frozenset({Role.SIGNER})):
        result = verify_message(document, trust=pki.validator(), at=NOW,
                                required_roles=required)
        assert result.passed, result.to_dict()
        assert [r.rule for r in result.signatures] == ["signer"]


def test_both_roles_required(message: bytes, both: bytes, signers: tuple[Signer, Signer],
                             pki: SamplePki) -> None:
    """Requiring organ and signer: the message both signed passes; one the organ alone signed
    fails for the signer's signature missing, though the organ's holds."""
    required = frozenset({Role.ORGAN, Role.SIGNER})
    assert verify_message(both, trust=pki.validator(), at=NOW, required_roles=required).passed
    _, organ = signers
    result = verify_message(sign_message(message, organ, "organ"), trust=pki.validator(),
                            at=NOW, required_roles=required)
    assert result.indication is Indication.FAILED
    assert [(f.code, "signer" in f.message) for f in result.findings] == [("DF-SIG-028", True)]
    assert result.by_rule("organ").passed  # type: ignore[union-attr]


def test_status_message_requires_no_role(pki: SamplePki, signers: tuple[Signer, Signer]
                                         ) -> None:
    """A status message (the receiver's acknowledgement, not an official document) signed by
    its sender's organ passes, even when organ and signer are required of documents; its
    sender is the Status's From/OrganId."""
    document = sample_document(np.random.default_rng(4), sender="000.00.01.H49",
                               receivers=["000.00.00.H49"], attachments=1, size=100)
    status = build(sample_status(np.random.default_rng(5), document=document,
                                 receiver="000.00.00.H49"))
    _, organ = signers
    signed = sign_message(status, organ, "organ")
    for required in (REQUIRED_ROLES, frozenset({Role.ORGAN, Role.SIGNER})):
        result = verify_message(signed, trust=pki.validator(), at=NOW, required_roles=required)
        assert result.passed, result.to_dict()
        assert result.required_roles == frozenset()


def test_status_message_of_another_agency_is_refused(pki: SamplePki,
                                                     signers: tuple[Signer, Signer]) -> None:
    """The sender check reads the Status's From/OrganId: an organ certificate of agency
    000.00.00.H49 on a status another agency sends is DF-SIG-024."""
    document = sample_document(np.random.default_rng(4), sender="000.00.00.H49",
                               receivers=["000.00.01.H49"], attachments=1, size=100)
    status = build(sample_status(np.random.default_rng(5), document=document,
                                 receiver="000.00.01.H49"))
    _, organ = signers
    with pytest.raises(UsageError) as refused:
        sign_message(status, organ, "organ")
    assert refused.value.code == "DF-SIG-024"
    result = check(sign_as(status, organ, "organ"), pki)
    assert result.by_rule("organ").sub_indications == ("DF-SIG-024",)  # type: ignore


def test_unsigned_message(message: bytes, pki: SamplePki) -> None:
    """No signature at all: nothing passes (DF-SIG-022, INDETERMINATE); a document message
    also lacks the organ's signature it must hold (DF-SIG-028, FAILED)."""
    result = check(message, pki)
    assert result.indication is Indication.FAILED  # type: ignore[attr-defined]
    assert [f.code for f in result.findings] == [  # type: ignore[attr-defined]
        "DF-SIG-022", "DF-SIG-028"]
    relaxed = verify_message(message, trust=pki.validator(), at=NOW,
                             required_roles=frozenset())
    assert relaxed.indication is Indication.INDETERMINATE
    assert [f.code for f in relaxed.findings] == ["DF-SIG-022"]


def test_person_certificate_on_the_organ_signature(message: bytes, signers: tuple[Signer, Signer],
                                                   pki: SamplePki) -> None:
    """A signer certificate cannot make the organ's signature (refused when signing too)."""
    person, _ = signers
    with pytest.raises(UsageError):
        sign_message(message, person, "organ")
    root = parse_xml(message)
    person.sign_tree(root.find(f"{E}edXMLEnvelope/{E}edXMLHeader"))
    result = check(etree.tostring(root), pki)
    assert result.by_rule("organ").sub_indications == ("DF-SIG-021",)  # type: ignore
    assert not result.passed  # type: ignore[attr-defined]


def test_signing_order_is_enforced(message: bytes, signers: tuple[Signer, Signer]) -> None:
    """The signer signs before the organ, and each role signs once."""
    person, organ = signers
    organ_signed = sign_message(message, organ, "organ")
    with pytest.raises(UsageError):
        sign_message(organ_signed, person, "signer")
    with pytest.raises(UsageError):
        sign_message(organ_signed, organ, "organ")
    with pytest.raises(UsageError):
        sign_message(message, organ)  # no role
    with pytest.raises(InputError):
        sign_message(b"<not-xml", organ, "organ")


def _edit(document: bytes, change: object) -> bytes:
    root = parse_xml(document)
    change(root)  # type: ignore[operator]
    return etree.tostring(root)


def test_second_message_header(both: bytes, pki: SamplePki) -> None:
    """A second MessageHeader added after signing breaks the organ's digest."""
    def change(root: etree._Element) -> None:
        header = root.find(f"{E}edXMLEnvelope/{E}edXMLHeader")
        evil = copy.deepcopy(header.find(f"{E}MessageHeader"))
        evil.find(f"{E}Subject").text = "forged subject"
        header.insert(0, evil)
    result = check(_edit(both, change), pki)
    assert result.by_rule("organ").sub_indications == ("DF-SIG-011",)  # type: ignore
    assert not result.passed  # type: ignore[attr-defined]


def test_attachment_added_after_the_signer_signed(both: bytes, pki: SamplePki) -> None:
    """An extra attachment is not covered by the signer: refused, and breaks the organ's."""
    def change(root: etree._Element) -> None:
        encoded = root.find(f"{E}AttachmentEncoded")
        extra = copy.deepcopy(encoded[0])
        extra.set("Id", "att-9")
        encoded.append(extra)
    result = check(_edit(both, change), pki)
    assert "DF-SIG-008" in result.by_rule("signer").sub_indications  # type: ignore
    assert not result.passed  # type: ignore[attr-defined]


def test_attachment_swapped_with_duplicate_id(both: bytes, pki: SamplePki) -> None:
    """A forged attachment carrying a signed Id is a duplicate Id."""
    def change(root: etree._Element) -> None:
        encoded = root.find(f"{E}AttachmentEncoded")
        evil = copy.deepcopy(encoded[0])
        evil.find(f"{E}ContentTransferEncoded").text = "Zm9yZ2Vk"
        encoded.insert(0, evil)
    result = check(_edit(both, change), pki)
    assert "DF-SIG-007" in result.by_rule("signer").sub_indications  # type: ignore


def test_signature_moved_into_the_body(both: bytes, pki: SamplePki) -> None:
    """A Signature outside edXMLHeader stands where the profile allows none."""
    def change(root: etree._Element) -> None:
        header = root.find(f"{E}edXMLEnvelope/{E}edXMLHeader")
        root.find(f"{E}edXMLEnvelope/{E}edXMLBody").append(header.find(f"{DS}Signature"))
    result = check(_edit(both, change), pki)
    assert [f.code for f in result.findings] == ["DF-SIG-009"]  # type: ignore[attr-defined]
    assert all(not r.passed for r in result.signatures)  # type: ignore[attr-defined]


def test_pinned_key_has_the_role_the_pin_gives(message: bytes, signers: tuple[Signer, Signer],
                                               pki: SamplePki) -> None:
    """A pinned organ certificate passes in the organ's place when the pin gives it that
    role; pinned without a role, its role is unknown and the signature does not pass
    (DF-SIG-023, INDETERMINATE, nothing exposed as signed)."""
    _, organ = signers
    document = sign_message(message, organ, "organ")
    given = verify_message(document, trust=PinnedKeyChecker((pki.organ,), role="organ"), at=NOW)
    assert given.passed, given.to_dict()
    unknown = verify_message(document, trust=PinnedKeyChecker((pki.organ,)), at=NOW)
    assert unknown.indication is Indication.INDETERMINATE
    assert unknown.signatures[0].sub_indications == ("DF-SIG-023",)
    assert unknown.signatures[0].signed == ()


def test_uncovered_content_in_a_profile_signature(message: bytes, both: bytes,
                                                  signers: tuple[Signer, Signer],
                                                  pki: SamplePki) -> None:
    """A profile Signature holds XML-DSig only: a foreign element in the organ's KeyInfo
    (outside every digest), or a ds:Object in the signer's Signature (which the organ then
    covered), is refused (DF-SIG-026) for that Signature alone; a comment is not content."""
    def foreign(root: etree._Element) -> None:
        key_info = root.findall(f"{E}edXMLEnvelope/{E}edXMLHeader/{DS}Signature")[-1][2]
        etree.SubElement(key_info, "{urn:vendor}Note").text = "forged subject"
    result = check(_edit(both, foreign), pki)
    organ_result = result.by_rule("organ")  # type: ignore[attr-defined]
    assert organ_result.sub_indications == ("DF-SIG-026",) and organ_result.signed == ()
    assert result.by_rule("signer").passed  # type: ignore[attr-defined]

    person, organ = signers
    def with_object(root: etree._Element) -> None:
        signature = root.find(f"{E}edXMLEnvelope/{E}edXMLHeader/{DS}Signature")
        etree.SubElement(signature, f"{DS}Object").text = "claims"
    object_signed = sign_message(_edit(sign_message(message, person, "signer"), with_object),
                                 organ, "organ")
    result = check(object_signed, pki)
    assert result.by_rule("signer").sub_indications == ("DF-SIG-026",)  # type: ignore
    assert result.by_rule("organ").passed  # type: ignore[attr-defined]

    def comment(root: etree._Element) -> None:
        root.findall(f"{E}edXMLEnvelope/{E}edXMLHeader/{DS}Signature")[-1][2].append(
            etree.Comment(" a note "))
    assert check(_edit(both, comment), pki).passed  # type: ignore[attr-defined]


def test_plain_xml_gets_plain_xml_dsig(pki: SamplePki) -> None:
    """Plain XML-DSig, asked for, is one enveloped Signature over the whole document; the
    default edXML profile refuses a document that is not an edXML message."""
    key = ec.generate_private_key(ec.SECP256R1())
    signed = sign_message(b"<invoice><total>5</total></invoice>",
                          Signer(key, [pki.issue(key, serial=300), pki.sub]), "organ")
    result = verify_message(signed, trust=pki.validator(), at=NOW,
                            required_roles=frozenset({Role.ORGAN, Role.SIGNER}),
                            profile=Profile.XMLDSIG)
    assert result.passed and not result.edxml
    assert result.to_dict()["profile"] == "xmldsig"
    assert result.required_roles == frozenset()  # roles are the edXML profile's
    default = verify_message(signed, trust=pki.validator(), at=NOW)
    assert default.indication.value == "FAILED"  # plain XML only when asked for
    assert [f.code for f in default.findings] == ["DF-TRU-002"]


def test_an_owned_tree_is_judged_as_bytes_and_a_lent_tree_is_left_as_it_was(
        message: bytes, both: bytes, signers: tuple[Signer, Signer], pki: SamplePki) -> None:
    """Handing the tree over (``owned=True``, the fast path that takes the organ's Signature
    out of it) changes nothing in the verdict: the bytes, a lent tree and an owned tree give
    the same result for a genuine message and for forgeries, the uncovered-content rule
    included; and a tree lent without ``owned`` is not modified."""
    def foreign(root: etree._Element) -> None:
        key_info = root.findall(f"{E}edXMLEnvelope/{E}edXMLHeader/{DS}Signature")[-1][2]
        etree.SubElement(key_info, "{urn:vendor}Note").text = "forged subject"

    def second_header(root: etree._Element) -> None:
        header = root.find(f"{E}edXMLEnvelope/{E}edXMLHeader")
        header.insert(0, copy.deepcopy(header.find(f"{E}MessageHeader")))

    _, organ = signers
    variants = [both, sign_message(message, organ, "organ"), _edit(both, foreign),
                _edit(both, second_header), without_organ_signature(both),
                both.replace(b"</edXMLHeader>", b"<!-- note --></edXMLHeader>")]
    validator = pki.validator()
    for document in variants:
        expected = verify_message(document, trust=validator, at=NOW).to_dict()
        lent = parse_xml(document)
        before = etree.tostring(lent)
        assert verify_message(lent, trust=validator, at=NOW).to_dict() == expected
        assert etree.tostring(lent) == before
        owned = verify_message(parse_xml(document), trust=validator, at=NOW, owned=True)
        assert owned.to_dict() == expected
    assert verify_message(both, trust=validator, at=NOW).passed
    assert not verify_message(_edit(both, foreign), trust=validator, at=NOW).passed
