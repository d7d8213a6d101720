"""Layouts: where Signatures stand and what they cover (docflow/dsig/layout.py)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree

from docflow.dsig import (
    PinnedKeyChecker,
    ReferenceRule,
    SignatureLayout,
    SignatureRule,
    Signer,
    SignReference,
    verify_at,
)
from docflow.xmlsafe import parse_xml

from .pkitools import NOW, self_signed

PARTS = b'<m><h/><body><p Id="p1">x</p><p Id="p2">y</p><q Id="q1">z</q></body></m>'


def layout(rule: ReferenceRule) -> SignatureLayout:
    return SignatureLayout((SignatureRule("parts", ("m", "h"), (rule,)),))


def signed_parts(key: ec.EllipticCurvePrivateKey, *ids: str) -> bytes:
    root = parse_xml(PARTS)
    Signer(key, [self_signed(key)]).sign_tree(root[0], [SignReference.element(i) for i in ids])
    return etree.tostring(root)


def test_every_element_of_a_kind_must_be_covered(ec_key: ec.EllipticCurvePrivateKey) -> None:
    """With ``all_of_kind``, a part left out of the signature is a finding."""
    trust = PinnedKeyChecker((self_signed(ec_key),))
    rule = ReferenceRule.element("p", parent=("m", "body"), max_count=None, all_of_kind=True)
    both = signed_parts(ec_key, "p1", "p2")
    one = signed_parts(ec_key, "p1")
    trust = PinnedKeyChecker((self_signed(ec_key),))
    assert verify_at(both, NOW, trust=trust, layout=layout(rule)).passed
    partial = verify_at(one, NOW, trust=trust, layout=layout(rule))
    assert partial.sub_indications == ("DF-SIG-008",)
    loose = ReferenceRule.element("p", parent=("m", "body"), max_count=None)
    assert verify_at(one, NOW, trust=trust, layout=layout(loose)).passed


def test_counts_names_and_places(ec_key: ec.EllipticCurvePrivateKey) -> None:
    """Too many References, a wrong element name or a wrong parent path are refused."""
    trust = PinnedKeyChecker((self_signed(ec_key),))
    two = signed_parts(ec_key, "p1", "p2")
    cases = [ReferenceRule.element("p", parent=("m", "body")),          # max 1
             ReferenceRule.element("q", max_count=None),                 # wrong name
             ReferenceRule.element("p", parent=("m",), max_count=None),  # wrong place
             ReferenceRule.document()]
    for rule in cases:
        result = verify_at(two, NOW, trust=trust, layout=layout(rule))
        assert result.sub_indications == ("DF-SIG-008",), rule
    mixed = signed_parts(ec_key, "p1", "q1")
    assert verify_at(mixed, NOW, trust=trust, layout=layout(
        ReferenceRule.element("p", "q", max_count=2))).passed


def test_the_same_content_twice_is_refused(ec_key: ec.EllipticCurvePrivateKey) -> None:
    """Two References to one element count once at most: the second is refused."""
    trust = PinnedKeyChecker((self_signed(ec_key),))
    twice = signed_parts(ec_key, "p1", "p1")
    result = verify_at(twice, NOW, trust=trust,
                       layout=layout(ReferenceRule.element("p", max_count=None)))
    assert result.sub_indications == ("DF-SIG-008",)


def test_signature_counts_per_rule(ec_key: ec.EllipticCurvePrivateKey) -> None:
    """A rule's min and max Signature counts hold for the document as a whole."""
    trust = PinnedKeyChecker((self_signed(ec_key),))
    document = signed_parts(ec_key, "p1")
    optional = SignatureLayout((SignatureRule("parts", ("m", "h"), (
        ReferenceRule.element("p"),), min_count=0, max_count=2),))
    from docflow.dsig import verify_all_at
    assert verify_all_at(document, NOW, trust=trust, layout=optional).passed
    assert verify_all_at(PARTS, NOW, trust=trust, layout=optional).passed  # none is fine
    required = SignatureLayout((SignatureRule("parts", ("m", "h"), (
        ReferenceRule.element("p"),), min_count=1, max_count=1),))
    assert verify_all_at(PARTS, NOW, trust=trust, layout=required).findings[0].code == \
        "DF-SIG-009"


def test_rule_names_are_unique() -> None:
    """Two rules with one name could not be told apart in results."""
    rule = SignatureRule("x", ("*",), (ReferenceRule.document(),))
    with pytest.raises(ValueError):
        SignatureLayout((rule, rule))
