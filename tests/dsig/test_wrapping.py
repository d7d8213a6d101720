"""Signature wrapping and its cousins: every forgery built from a validly signed document fails.

Each test starts from a document the organ signed (RSA-2048 under a root and a hub CA, path
validation with CRLs), changes it the way a published attack does, and checks that the
verifier refuses it with the right code and exposes nothing as signed — or, where the attack
only changes how the input tree reads (a comment splitting signed text), that what the verifier
exposes is exactly the original, signed content.
"""

from __future__ import annotations

import base64
import copy
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree

from docflow.dsig import (
    DEFAULT_POLICY,
    ENVELOPED,
    LEGACY,
    HmacKey,
    ReferenceRule,
    SignatureLayout,
    SignatureMethod,
    SignatureRule,
    Signer,
    SignReference,
    VerifyResult,
    verify_all_at,
    verify_at,
)
from docflow.errors import Indication

from . import forge
from .forge import DS, ds
from .pkitools import NOW, SamplePki, self_signed

ON = "{urn:example:order}"
ORDER = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
         b'<Doc xmlns="urn:example:order">\n'
         b'  <Order Id="o1"><Payee>C\xc3\xb4ng ty A</Payee><Amount>100</Amount>'
         b"<Contact>user@agency.gov.vn.evil.example</Contact></Order>\n"
         b"  <Memo>not signed by the #o1 signature</Memo>\n"
         b"</Doc>")
BY_ID = SignatureLayout((SignatureRule("order", (f"{ON}Doc",), (
    ReferenceRule.element(f"{ON}Order", parent=(f"{ON}Doc",)),)),))
"""The one Signature stands in Doc and covers the Order that stands in Doc."""


@pytest.fixture(scope="module")
def signer(pki: SamplePki) -> Signer:
    return Signer(pki.organ_key, [pki.organ, pki.sub])


@pytest.fixture(scope="module")
def by_id(signer: Signer) -> bytes:
    return signer.sign(ORDER, [SignReference.element("o1")])


@pytest.fixture(scope="module")
def whole(signer: Signer) -> bytes:
    return signer.sign(ORDER)


def check(document: bytes, pki: SamplePki, layout: SignatureLayout = BY_ID,
          **kwargs: object) -> VerifyResult:
    kwargs.setdefault("trust", pki.validator())
    return verify_at(document, NOW, layout=layout, **kwargs)  # type: ignore[arg-type]


def refused(result: VerifyResult, code: str) -> None:
    assert result.indication is not Indication.PASSED, result.findings
    assert code in result.sub_indications, result.findings
    assert result.signed == ()


def test_originals_pass(by_id: bytes, whole: bytes, pki: SamplePki) -> None:
    """Control: the untouched documents pass, as the organ, covering what they should."""
    result = check(by_id, pki)
    assert result.passed, result.findings
    assert result.role == "organ" and result.certificate == pki.organ
    [signed] = result.signed
    assert signed.uri == "#o1" and signed.element is not None
    assert signed.element.tag == f"{ON}Order"
    whole_result = check(whole, pki, ENVELOPED)
    assert whole_result.passed, whole_result.findings
    element = whole_result.signed[0].element
    assert element is not None and element.find(f"{ON}Memo") is not None
    assert element.find(ds("Signature")) is None  # the signature is not part of what it signs


def test_evil_copy_before_original_with_same_id(by_id: bytes, pki: SamplePki) -> None:
    """XSW: a forged Order with the signed Id before the original; duplicate Ids are refused."""
    def change(root: etree._Element) -> None:
        evil = copy.deepcopy(root.find(f"{ON}Order"))
        evil.find(f"{ON}Amount").text = "900"
        root.insert(0, evil)
    refused(check(forge.edit(by_id, change), pki), "DF-SIG-007")


def test_evil_copy_after_original_with_same_id(by_id: bytes, pki: SamplePki) -> None:
    """XSW: the forged copy after the original fares no better."""
    def change(root: etree._Element) -> None:
        evil = copy.deepcopy(root.find(f"{ON}Order"))
        evil.find(f"{ON}Amount").text = "900"
        root.append(evil)
    refused(check(forge.edit(by_id, change), pki), "DF-SIG-007")


def test_duplicate_id_under_another_attribute_name(by_id: bytes, pki: SamplePki) -> None:
    """An element with ``ID`` equal to another's ``Id`` is a duplicate too."""
    def change(root: etree._Element) -> None:
        root.find(f"{ON}Memo").set("ID", "o1")
    refused(check(forge.edit(by_id, change), pki), "DF-SIG-007")


def test_original_moved_into_object_evil_in_place(by_id: bytes, pki: SamplePki) -> None:
    """XSW via ds:Object: the signed Order hides in the Signature, a forgery takes its place."""
    def change(root: etree._Element) -> None:
        original = root.find(f"{ON}Order")
        evil = copy.deepcopy(original)
        del evil.attrib["Id"]
        evil.find(f"{ON}Amount").text = "900"
        root.replace(original, evil)
        obj = etree.SubElement(forge.signature(root), ds("Object"))
        obj.append(original)
    refused(check(forge.edit(by_id, change), pki), "DF-SIG-008")


def test_original_moved_under_a_wrapper(by_id: bytes, pki: SamplePki) -> None:
    """XSW: the signed Order moved under an extension element; the digest holds, the place not."""
    def change(root: etree._Element) -> None:
        original = root.find(f"{ON}Order")
        evil = copy.deepcopy(original)
        del evil.attrib["Id"]
        evil.find(f"{ON}Amount").text = "900"
        root.replace(original, evil)
        wrapper = etree.SubElement(root, f"{ON}Extensions")
        wrapper.append(original)
    refused(check(forge.edit(by_id, change), pki), "DF-SIG-008")


def test_whole_document_wrapped_in_an_evil_root(whole: bytes, pki: SamplePki) -> None:
    """XSW on URI="": the signed document becomes a child of a forged one."""
    original = forge.tree(whole)
    evil = etree.Element(f"{ON}Doc")
    etree.SubElement(evil, f"{ON}Memo").text = "forged"
    evil.append(original)
    refused(check(forge.dump(evil), pki, ENVELOPED), "DF-SIG-009")


def test_signature_moved(by_id: bytes, pki: SamplePki) -> None:
    """A Signature moved into the signed element stands where the layout allows none."""
    def change(root: etree._Element) -> None:
        root.find(f"{ON}Order").append(forge.signature(root))
    refused(check(forge.edit(by_id, change), pki), "DF-SIG-009")


def test_second_signature_by_attacker(by_id: bytes, pki: SamplePki,
                                      attacker_key: object) -> None:
    """A second, attacker-made Signature beside the original is one Signature too many."""
    attacker = Signer(attacker_key, [self_signed(attacker_key, "attacker")])  # type: ignore
    document = attacker.sign(by_id, [SignReference.element("o1")])
    refused(check(document, pki), "DF-SIG-009")
    outcome = verify_all_at(document, NOW, trust=pki.validator(), layout=BY_ID)
    assert not outcome.passed
    assert all(not r.passed and not r.signed for r in outcome.signatures)


def test_nested_signature_in_object(by_id: bytes, pki: SamplePki) -> None:
    """A Signature inside another's Object is out of place as well."""
    def change(root: etree._Element) -> None:
        sig = forge.signature(root)
        obj = etree.SubElement(sig, ds("Object"))
        obj.append(copy.deepcopy(sig))
    refused(check(forge.edit(by_id, change), pki), "DF-SIG-009")


def test_extra_reference_added_after_signing(by_id: bytes, pki: SamplePki) -> None:
    """A Reference added to SignedInfo breaks the SignatureValue."""
    def change(root: etree._Element) -> None:
        signed_info = forge.signature(root).find(ds("SignedInfo"))
        signed_info.append(copy.deepcopy(signed_info.find(ds("Reference"))))
    refused(check(forge.edit(by_id, change), pki), "DF-SIG-012")


def test_extra_reference_the_layout_does_not_allow(pki: SamplePki, signer: Signer) -> None:
    """A validly signed extra Reference (to unexpected content) is refused by the layout."""
    document = ORDER.replace(b"<Memo>", b'<Memo Id="m1">')
    signed = signer.sign(document, [SignReference.element("o1"), SignReference.element("m1")])
    refused(check(signed, pki), "DF-SIG-008")


def test_comment_injected_into_signed_text(pki: SamplePki, signer: Signer) -> None:
    """Comments are not signed: the verifier passes and exposes the original, whole text."""
    signed = signer.sign(ORDER, [SignReference.element("o1")])
    injected = signed.replace(b"user@agency.gov.vn.evil.example",
                              b"user@agency.gov.vn<!---->.evil.example")
    naive = forge.tree(injected).find(f"{ON}Order/{ON}Contact")
    assert naive is not None and naive.text == "user@agency.gov.vn"  # what a naive reader sees
    result = check(injected, pki)
    assert result.passed, result.findings
    element = result.signed[0].element
    assert element is not None
    assert element.findtext(f"{ON}Contact") == "user@agency.gov.vn.evil.example"


def test_content_after_signature_is_not_exposed(by_id: bytes, pki: SamplePki) -> None:
    """Unsigned content beside the signed element passes the check but is never exposed."""
    injected = by_id.replace(b"<Memo>", b"<Memo>forged; ")
    result = check(injected, pki)
    assert result.passed
    assert b"forged" not in b"".join(s.canonical for s in result.signed)


def test_keyinfo_swapped_and_resigned_by_attacker(by_id: bytes, pki: SamplePki,
                                                  attacker_key: object) -> None:
    """The attacker signs with their own certificate: intact, but the chain is not trusted."""
    attacker_cert = self_signed(attacker_key, "000.00.00.H49")  # type: ignore[arg-type]
    def change(root: etree._Element) -> None:
        sig = forge.signature(root)
        cert = sig.find(f"{ds('KeyInfo')}/{ds('X509Data')}")
        for old in list(cert):
            cert.remove(old)
        der = attacker_cert.public_bytes(serialization.Encoding.DER)
        etree.SubElement(cert, ds("X509Certificate")).text = \
            base64.b64encode(der).decode()
        forge.resign(sig, attacker_key)
    result = check(forge.edit(by_id, change), pki)
    assert result.indication is Indication.INDETERMINATE
    assert result.sub_indications == ("DF-PKI-001",)
    assert not result.trusted and result.signed == () and result.role is None


def test_keyinfo_swapped_without_resigning(by_id: bytes, pki: SamplePki) -> None:
    """Another trusted certificate in KeyInfo: the signature does not verify with its key."""
    def change(root: etree._Element) -> None:
        x509_data = forge.signature(root).find(f"{ds('KeyInfo')}/{ds('X509Data')}")
        x509_data[0].text = base64.b64encode(
            pki.signer.public_bytes(serialization.Encoding.DER)).decode()
    result = check(forge.edit(by_id, change), pki)
    assert result.indication is Indication.FAILED
    assert "DF-SIG-012" in result.sub_indications or "DF-SIG-014" in result.sub_indications


@pytest.mark.parametrize("policy", [DEFAULT_POLICY, LEGACY], ids=["default", "legacy"])
def test_hmac_with_public_key_as_secret(by_id: bytes, pki: SamplePki, policy: object) -> None:
    """Switching to HMAC keyed with the signer's public key never passes."""
    for encoding, fmt in [(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo),
                          (serialization.Encoding.PEM,
                           serialization.PublicFormat.SubjectPublicKeyInfo)]:
        secret = pki.organ.public_key().public_bytes(encoding, fmt)
        forged = forge.edit(by_id, lambda root, s=secret: forge.hmac_sign(
            forge.signature(root), s, SignatureMethod.HMAC_SHA256))
        result = check(forged, pki, policy=policy)
        refused(result, "DF-SIG-003" if policy is DEFAULT_POLICY else "DF-SIG-014")
        # and the certificate's own bytes as secret, the other classic choice
        secret = pki.organ.public_bytes(serialization.Encoding.PEM)
        forged = forge.edit(by_id, lambda root, s=secret: forge.hmac_sign(
            forge.signature(root), s, SignatureMethod.HMAC_SHA256))
        assert not check(forged, pki, policy=policy).passed


def test_hmac_accepted_only_with_a_configured_secret(by_id: bytes, pki: SamplePki) -> None:
    """Control: an HMAC made with the configured secret passes under the legacy policy."""
    forged = forge.edit(by_id, lambda root: forge.hmac_sign(
        forge.signature(root), b"shared secret", SignatureMethod.HMAC_SHA256))
    assert check(forged, pki, policy=LEGACY, trust=HmacKey(b"shared secret")).passed
    refused(check(forged, pki, trust=HmacKey(b"shared secret")), "DF-SIG-003")


def test_algorithm_downgrade_to_sha1(by_id: bytes, pki: SamplePki) -> None:
    """A signature over SHA-1 (digest and method) is refused unless the legacy policy is named."""
    def change(root: etree._Element) -> None:
        sig = forge.signature(root)
        reference = sig.find(f"{ds('SignedInfo')}/{ds('Reference')}")
        reference.find(ds("DigestMethod")).set("Algorithm", DS + "sha1")
        order = root.find(f"{ON}Order")
        from docflow.dsig.algorithms import C14NMethod
        from docflow.dsig.c14n import canonicalize
        forge.redigest(sig, canonicalize(order, C14NMethod.EXC_C14N), hash_name="sha1")
        forge.resign(sig, pki.organ_key, SignatureMethod.RSA_SHA1)
    downgraded = forge.edit(by_id, change)
    refused(check(downgraded, pki), "DF-SIG-003")
    # The same bytes are a sound legacy signature: only the policy refuses them.
    legacy = check(downgraded, pki, policy=LEGACY)
    assert legacy.passed, legacy.findings


@pytest.mark.parametrize("transform,code", [
    ("xpath-trivial", "DF-SIG-017"),
    ("xpath-other", "DF-SIG-017"),
    ("xslt", "DF-SIG-017"),
    ("base64", "DF-SIG-017"),
    ("c14n-first", "DF-SIG-017"),
    ("unknown", "DF-SIG-002"),
])
def test_transforms_not_allowed(by_id: bytes, pki: SamplePki, transform: str,
                                code: str) -> None:
    """Only enveloped-signature and one final canonicalization are allowed."""
    uris = {"xpath-trivial": "http://www.w3.org/TR/1999/REC-xpath-19991116",
            "xpath-other": "http://www.w3.org/TR/1999/REC-xpath-19991116",
            "xslt": "http://www.w3.org/TR/1999/REC-xslt-19991116",
            "base64": DS + "base64",
            "c14n-first": "http://www.w3.org/2001/10/xml-exc-c14n#",
            "unknown": "urn:example:transform"}

    def change(root: etree._Element) -> None:
        sig = forge.signature(root)
        transforms = sig.find(f"{ds('SignedInfo')}/{ds('Reference')}/{ds('Transforms')}")
        added = etree.Element(ds("Transform"), Algorithm=uris[transform])
        if transform.startswith("xpath"):
            xpath = etree.SubElement(added, ds("XPath"), nsmap={"dsig": DS})
            xpath.text = "not(ancestor-or-self::dsig:Signature)" if transform == \
                "xpath-trivial" else "self::text()"
        if transform == "c14n-first":
            transforms.append(added)  # a second canonicalization after the first
        else:
            transforms.insert(0, added)
        forge.resign(sig, pki.organ_key)  # the signer's own key: only the transform is wrong
    refused(check(forge.edit(by_id, change), pki), code)


def test_nontrivial_xpath_refused_even_under_legacy(by_id: bytes, pki: SamplePki) -> None:
    """The legacy policy admits the trivial XPath filter only, never an arbitrary expression."""
    def change(root: etree._Element) -> None:
        sig = forge.signature(root)
        transforms = sig.find(f"{ds('SignedInfo')}/{ds('Reference')}/{ds('Transforms')}")
        added = etree.Element(ds("Transform"),
                              Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116")
        etree.SubElement(added, ds("XPath")).text = "ancestor-or-self::*[local-name()='Amount']"
        transforms.insert(0, added)
        forge.resign(sig, pki.organ_key)
    refused(check(forge.edit(by_id, change), pki, policy=LEGACY), "DF-SIG-017")


@pytest.mark.parametrize("uri,code", [
    ("http://example.org/order.xml", "DF-SIG-010"),
    ("#xpointer(/)", "DF-SIG-010"),
    ("#xpointer(id('o1'))", "DF-SIG-010"),
    ("#", "DF-SIG-010"),
    (None, "DF-SIG-010"),
    ("#nowhere", "DF-SIG-006"),
])
def test_reference_uris_other_than_same_document(by_id: bytes, pki: SamplePki,
                                                 uri: str | None, code: str) -> None:
    """External, XPointer, empty-fragment and missing URIs are refused; unknown Ids too."""
    def change(root: etree._Element) -> None:
        sig = forge.signature(root)
        reference = sig.find(f"{ds('SignedInfo')}/{ds('Reference')}")
        if uri is None:
            del reference.attrib["URI"]
        else:
            reference.set("URI", uri)
        forge.resign(sig, pki.organ_key)
    refused(check(forge.edit(by_id, change), pki), code)


def test_second_signed_info_is_malformed(by_id: bytes, pki: SamplePki) -> None:
    """A second SignedInfo (one parser reads the first, another the last) is malformed."""
    def change(root: etree._Element) -> None:
        sig = forge.signature(root)
        sig.insert(1, copy.deepcopy(sig.find(ds("SignedInfo"))))
    refused(check(forge.edit(by_id, change), pki), "DF-SIG-001")


def test_text_smuggled_into_signed_info_is_malformed(by_id: bytes, pki: SamplePki) -> None:
    """Text between SignedInfo's children has no meaning in XML-DSig and is refused."""
    def change(root: etree._Element) -> None:
        sig = forge.signature(root)
        sig.find(f"{ds('SignedInfo')}/{ds('Reference')}").tail = "Amount: 900"
        forge.resign(sig, pki.organ_key)
    refused(check(forge.edit(by_id, change), pki), "DF-SIG-001")


def test_signature_value_from_another_document(by_id: bytes, whole: bytes,
                                               pki: SamplePki) -> None:
    """A SignatureValue lifted from another signed document does not verify here."""
    other = forge.signature(forge.tree(whole)).findtext(ds("SignatureValue"))
    def change(root: etree._Element) -> None:
        forge.signature(root).find(ds("SignatureValue")).text = other
    refused(check(forge.edit(by_id, change), pki), "DF-SIG-012")


def test_revoked_certificate(by_id: bytes, pki: SamplePki) -> None:
    """A signature by a revoked organ certificate does not pass, and exposes nothing."""
    result = check(by_id, pki, trust=pki.validator(pki.organ))
    assert result.indication is Indication.FAILED
    assert result.sub_indications == ("DF-PKI-005",) and result.signed == ()


def test_results_are_immutable(by_id: bytes, pki: SamplePki) -> None:
    """Results cannot be edited after the fact."""
    result = check(by_id, pki)
    with pytest.raises(AttributeError):
        result.indication = Indication.FAILED  # type: ignore[misc]
    with pytest.raises(AttributeError):
        result.signed[0].canonical = b"<Order/>"  # type: ignore[misc]
    assert isinstance(result.signed, tuple) and isinstance(result.findings, tuple)


def test_signed_bytes_are_what_was_digested(by_id: bytes, pki: SamplePki) -> None:
    """The exposed bytes hash to the DigestValue the signer signed."""
    result = check(by_id, pki)
    digest = forge.signature(forge.tree(by_id)).findtext(
        f"{ds('SignedInfo')}/{ds('Reference')}/{ds('DigestValue')}")
    assert base64.b64encode(
        hashlib.sha256(result.signed[0].canonical).digest()).decode() == digest
