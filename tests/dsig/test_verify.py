"""The verifier's contract (docflow/dsig/verify.py): inputs, results, time, errors."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree

from docflow.dsig import (
    EmbeddedKeyValue,
    PinnedKeyChecker,
    ReferenceRule,
    SignatureLayout,
    SignatureMethod,
    SignatureRule,
    Signer,
    SignReference,
    verify,
    verify_all_at,
    verify_at,
)
from docflow.errors import Indication, InputError
from docflow.xmlsafe import parse_xml

from .pkitools import END, NOW, SamplePki, self_signed


def test_result_carries_signer_role_chain_and_method(pki: SamplePki) -> None:
    """A passing result names the certificate, its role, the path and the algorithm."""
    signed = Signer(pki.signer_key, [pki.signer, pki.sub]).sign(b"<doc>x</doc>")
    result = verify_at(signed, NOW, trust=pki.validator())
    assert result.passed and result.trusted
    assert result.certificate == pki.signer and result.role == "signer"
    assert result.chain == (pki.signer, pki.sub, pki.root)
    assert result.signature_method is SignatureMethod.ECDSA_SHA256
    assert result.rule == "enveloped" and result.location.path == "/doc/Signature"
    assert result.findings == ()


def test_bytes_and_trees_give_the_same_result_and_trees_stay_untouched(
        ec_key: ec.EllipticCurvePrivateKey) -> None:
    """A parsed tree verifies like its bytes, and is left exactly as it was."""
    cert = self_signed(ec_key)
    signed = Signer(ec_key, [cert]).sign(b'<a xmlns:u="urn:u"><u:b>x</u:b></a>')
    root = parse_xml(signed)
    before = etree.tostring(root)
    trust = PinnedKeyChecker((cert,))
    from_tree = verify_at(root, NOW, trust=trust)
    from_bytes = verify_at(signed, NOW, trust=trust)
    assert from_tree.passed and from_bytes.passed
    assert from_tree.signed[0].canonical == from_bytes.signed[0].canonical
    assert etree.tostring(root) == before
    assert verify_at(root.getroottree(), NOW, trust=trust).passed


def test_validation_time_decides_expiry(ec_key: ec.EllipticCurvePrivateKey) -> None:
    """The same document passes inside the certificate's validity and not after it."""
    cert = self_signed(ec_key)
    signed = Signer(ec_key, [cert]).sign(b"<a/>")
    trust = PinnedKeyChecker((cert,))
    assert verify_at(signed, NOW.replace(tzinfo=None), trust=trust).passed  # naive is UTC
    late = verify_at(signed, END + dt.timedelta(seconds=1), trust=trust)
    assert late.indication is Indication.INDETERMINATE
    assert late.sub_indications == ("DF-PKI-003",) and late.signed == ()


def test_now_is_the_default_clock(ec_key: ec.EllipticCurvePrivateKey) -> None:
    """``verify`` is ``verify_at`` with the current time."""
    cert = self_signed(ec_key, not_before=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
                       not_after=dt.datetime(2001, 1, 1, tzinfo=dt.UTC))
    signed = Signer(ec_key, [cert]).sign(b"<a/>")
    assert verify(signed, trust=PinnedKeyChecker((cert,))).sub_indications == ("DF-PKI-003",)


def test_unusable_input_raises_input_errors() -> None:
    """Bytes the hardened parser refuses raise InputError, never an lxml traceback."""
    for document, code in [(b"<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", "DF-XML-002"),
                           (b"<a x='1' x='2'/>", "DF-XML-001"), (b"", "DF-IO-003")]:
        with pytest.raises(InputError) as caught:
            verify_at(document, NOW, trust=EmbeddedKeyValue())
        assert caught.value.code == code


def test_document_without_signature_fails() -> None:
    """No Signature where the layout requires one is DF-SIG-009."""
    result = verify_at(b"<a>x</a>", NOW, trust=EmbeddedKeyValue())
    assert result.indication is Indication.FAILED
    assert result.sub_indications == ("DF-SIG-009",)


def test_single_signature_api_refuses_multi_signature_layouts() -> None:
    """``verify`` handles layouts of one Signature; several need ``verify_all``."""
    layout = SignatureLayout((SignatureRule("a", ("*",), (ReferenceRule.document(),)),
                              SignatureRule("b", ("*",), (ReferenceRule.document(),))))
    with pytest.raises(ValueError):
        verify_at(b"<a/>", NOW, trust=EmbeddedKeyValue(), layout=layout)


def test_crypto_only_mode_uses_a_certificate_without_trusting_it(
        ec_key: ec.EllipticCurvePrivateKey) -> None:
    """EmbeddedKeyValue falls back to the document's certificate, and still trusts nothing."""
    cert = self_signed(ec_key)
    result = verify_at(Signer(ec_key, [cert]).sign(b"<a/>"), NOW, trust=EmbeddedKeyValue())
    assert result.sub_indications == ("DF-SIG-016",)
    assert result.certificate == cert and not result.trusted and result.signed


def test_unknown_algorithms_are_indeterminate(ec_key: ec.EllipticCurvePrivateKey) -> None:
    """An unknown signature or digest URI is DF-SIG-002 (INDETERMINATE), never a crash."""
    cert = self_signed(ec_key)
    signed = Signer(ec_key, [cert]).sign(b"<a/>")
    trust = PinnedKeyChecker((cert,))
    for old, new in [(SignatureMethod.ECDSA_SHA256.value.encode(), b"urn:x:sig"),
                     (b"http://www.w3.org/2001/04/xmlenc#sha256", b"urn:x:digest"),
                     (b'"http://www.w3.org/2001/10/xml-exc-c14n#"', b'"urn:x:c14n"')]:
        result = verify_at(signed.replace(old, new, 1), NOW, trust=trust)
        assert result.indication is not Indication.PASSED
        assert "DF-SIG-002" in result.sub_indications


def test_findings_locate_the_signature(ec_key: ec.EllipticCurvePrivateKey) -> None:
    """Every finding names the file, line and element path of its Signature."""
    cert = self_signed(ec_key)
    signed = Signer(ec_key, [cert]).sign(b"<a>\n<b>x</b>\n</a>").replace(b">x<", b">y<")
    result = verify_at(signed, NOW, trust=PinnedKeyChecker((cert,)), where="in.xml")
    [finding] = result.findings
    assert finding.code == "DF-SIG-011"
    assert (finding.location.file, finding.location.line, finding.location.path) == \
        ("in.xml", 3, "/a/Signature")


def test_verify_all_reports_each_signature(pki: SamplePki) -> None:
    """Two Signatures of two kinds: one result each, matched to their rules by content."""
    signer_sig = Signer(pki.signer_key, [pki.signer, pki.sub])
    organ_sig = Signer(pki.organ_key, [pki.organ, pki.sub])
    document = b'<m><h/><att Id="a1">x</att><att Id="a2">y</att></m>'
    root = parse_xml(document)
    signer_sig.sign_tree(root[0], [SignReference.element("a1"), SignReference.element("a2")])
    organ_sig.sign_tree(root[0])
    layout = SignatureLayout((
        SignatureRule("signer", ("m", "h"), (ReferenceRule.element(
            "att", parent=("m",), max_count=None, all_of_kind=True),)),
        SignatureRule("organ", ("m", "h"), (ReferenceRule.document(),))))
    outcome = verify_all_at(etree.tostring(root), NOW, trust=pki.validator(), layout=layout)
    assert outcome.passed, [r.findings for r in outcome.signatures]
    assert [r.rule for r in outcome.signatures] == ["signer", "organ"]
    assert outcome.by_rule("signer")[0].role == "signer"
    assert outcome.by_rule("organ")[0].role == "organ"
    # The organ's signature covers the signer's, which therefore cannot be swapped.
    organ_bytes = outcome.by_rule("organ")[0].signed[0].canonical
    assert organ_bytes.count(b"<ds:Signature xmlns") == 1


def test_signature_value_is_checked_before_any_digest(ec_key: ec.EllipticCurvePrivateKey
                                                      ) -> None:
    """Until the SignatureValue holds, SignedInfo's DigestValues are anyone's: a changed
    DigestValue, or extra References, fail on the value (DF-SIG-012, plus DF-SIG-008 for the
    References the layout does not allow) and no Reference is digested (no DF-SIG-011)."""
    cert = self_signed(ec_key)
    signed = Signer(ec_key, [cert]).sign(b"<a><b>x</b></a>")
    trust = PinnedKeyChecker((cert,))
    root = parse_xml(signed)
    digest_value = root.find(".//{http://www.w3.org/2000/09/xmldsig#}DigestValue")
    assert digest_value is not None and digest_value.text
    digest_value.text = ("B" if digest_value.text[0] == "A" else "A") + digest_value.text[1:]
    changed = verify_at(etree.tostring(root), NOW, trust=trust)
    assert changed.sub_indications == ("DF-SIG-012",)

    root = parse_xml(signed.replace(b"<b>x</b>", b"<b>y</b>"))
    signed_info = root.find(".//{http://www.w3.org/2000/09/xmldsig#}SignedInfo")
    assert signed_info is not None
    for _ in range(10):
        signed_info.append(etree.fromstring(etree.tostring(signed_info[2])))
    extra = verify_at(etree.tostring(root), NOW, trust=trust)
    assert extra.sub_indications == ("DF-SIG-008", "DF-SIG-012")
    assert extra.rule == "enveloped"  # its References are of the enveloped kind, too many


def test_only_the_shape_the_layout_allows_is_digested(ec_key: ec.EllipticCurvePrivateKey
                                                      ) -> None:
    """A genuine signature of the wrong shape (an element by Id where the whole document is
    required) is refused for its shape alone: its content, tampered, is never digested."""
    cert = self_signed(ec_key)
    signed = Signer(ec_key, [cert]).sign(b'<a><b Id="b1">x</b><c/></a>',
                                          [SignReference.element("b1")])
    trust = PinnedKeyChecker((cert,))
    intact = verify_at(signed, NOW, trust=trust)
    tampered = verify_at(signed.replace(b">x<", b">y<"), NOW, trust=trust)
    assert intact.sub_indications == tampered.sub_indications == ("DF-SIG-008",)
    assert intact.rule == tampered.rule == "unknown"
    assert "element b" in tampered.findings[0].message
    assert verify_at(signed, NOW, trust=trust, layout=SignatureLayout((SignatureRule(
        "part", ("*",), (ReferenceRule.element("b"),)),))).passed
