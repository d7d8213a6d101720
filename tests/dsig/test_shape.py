"""Before any cryptography (docflow/dsig/shape.py): where Signatures stand, how many, what kind.

The documents are signed for real by an organ (RSA) and a signer (EC) certificate of the
sample PKI, in a two-rule layout like the edXML profile's: the ``signer`` signs every ``att``
by Id, the ``organ`` the whole document, both from ``m/h``.
"""

from __future__ import annotations

import copy

import pytest
from lxml import etree

from docflow.dsig import (
    LEGACY,
    ReferenceRule,
    SignatureLayout,
    SignatureMethod,
    SignatureRule,
    Signer,
    SignReference,
    verify_all_at,
)
from docflow.dsig.layout import UNKNOWN_RULE
from docflow.dsig.references import IdIndex
from docflow.dsig.shape import count_problems, crowded, place, read_shape
from docflow.errors import Indication
from docflow.xmlsafe import parse_xml

from .forge import ds, dump, resign, tree
from .pkitools import NOW, SamplePki

DOCUMENT = b'<m><h/><att Id="a1">x</att><att Id="a2">y</att><body/></m>'
LAYOUT = SignatureLayout((
    SignatureRule("signer", ("m", "h"), (ReferenceRule.element(
        "att", parent=("m",), max_count=None, all_of_kind=True),), min_count=0),
    SignatureRule("organ", ("m", "h"), (ReferenceRule.document(),), min_count=0)))


@pytest.fixture(scope="module")
def both(pki: SamplePki) -> bytes:
    """The document signed by the signer, then by the organ."""
    root = parse_xml(DOCUMENT)
    Signer(pki.signer_key, [pki.signer, pki.sub]).sign_tree(
        root[0], [SignReference.element("a1"), SignReference.element("a2")])
    Signer(pki.organ_key, [pki.organ, pki.sub]).sign_tree(root[0])
    return dump(root)


def _signatures(root: etree._Element) -> list[etree._Element]:
    return list(root.iter(ds("Signature")))


def _shapes(document: bytes) -> list[str]:
    root = tree(document)
    placed, _ = place(_signatures(root), LAYOUT, None)
    ids = IdIndex(root, ("Id",))
    return [read_shape(one, root, ids).rule for one in placed]


def test_kind_comes_from_what_the_references_point_at(both: bytes, pki: SamplePki) -> None:
    """A Signature's kind is the rule its References fit: Ids of every ``att`` make the
    signer's, ``URI=""`` the organ's, in whatever order they stand."""
    assert _shapes(both) == ["signer", "organ"]
    root = tree(both)
    header = root[0]
    header.insert(0, header[1])  # the organ's first
    assert _shapes(dump(root)) == ["organ", "signer"]
    outcome = verify_all_at(dump(root), NOW, trust=pki.validator(), layout=LAYOUT)
    assert outcome.passed and [r.rule for r in outcome.signatures] == ["organ", "signer"]


def test_a_refused_algorithm_is_reported_in_its_own_place(both: bytes, pki: SamplePki) -> None:
    """The organ's Signature re-signed with RSA-SHA1 fails on the algorithm, before any
    work, and is still the 'organ' result (not filed under the layout's first rule)."""
    root = tree(both)
    resign(_signatures(root)[1], pki.organ_key, SignatureMethod.RSA_SHA1)
    outcome = verify_all_at(dump(root), NOW, trust=pki.validator(), layout=LAYOUT)
    assert [r.rule for r in outcome.signatures] == ["signer", "organ"]
    signer, organ = outcome.signatures
    assert organ.sub_indications == ("DF-SIG-003",) and organ.signed == ()
    assert signer.passed
    assert outcome.by_rule("organ") == (organ,)


def test_a_broken_signature_keeps_its_kind(both: bytes, pki: SamplePki) -> None:
    """A forged SignatureValue, an unresolved Id (two elements carry it) or a missing
    attachment Reference leave each Signature under its own rule."""
    def forged_value(root: etree._Element) -> None:
        value = _signatures(root)[1].find(ds("SignatureValue"))
        assert value is not None
        value.text = "AAAA" + (value.text or "")[4:]

    def duplicate_id(root: etree._Element) -> None:
        root.append(copy.deepcopy(root[1]))

    def third_attachment(root: etree._Element) -> None:
        extra = copy.deepcopy(root[1])
        extra.set("Id", "a3")
        root.append(extra)

    for change, codes in [(forged_value, {"organ": "DF-SIG-012"}),
                          (duplicate_id, {"signer": "DF-SIG-007"}),
                          (third_attachment, {"signer": "DF-SIG-008"})]:
        root = tree(both)
        change(root)
        outcome = verify_all_at(dump(root), NOW, trust=pki.validator(), layout=LAYOUT)
        assert [r.rule for r in outcome.signatures] == ["signer", "organ"], change
        for rule, code in codes.items():
            assert code in outcome.by_rule(rule)[0].sub_indications, (change, outcome)


def test_references_fitting_no_rule_are_unknown(both: bytes, pki: SamplePki) -> None:
    """An organ's Signature whose SignedInfo also names an attachment fits neither rule: it
    is 'unknown' (DF-SIG-008), counted as neither, so no missing kind is reported for it."""
    root = tree(both)
    organ = _signatures(root)[1]
    signed_info = organ.find(ds("SignedInfo"))
    signer_reference = _signatures(root)[0].find(f"{ds('SignedInfo')}/{ds('Reference')}")
    assert signed_info is not None and signer_reference is not None
    signed_info.append(copy.deepcopy(signer_reference))
    resign(organ, pki.organ_key)
    outcome = verify_all_at(dump(root), NOW, trust=pki.validator(), layout=LAYOUT)
    assert [r.rule for r in outcome.signatures] == ["signer", UNKNOWN_RULE]
    unknown = outcome.signatures[1]
    assert unknown.sub_indications == ("DF-SIG-008",) and unknown.signed == ()
    assert "fit none of the Signatures" in unknown.findings[0].message
    assert outcome.by_rule("organ") == () and outcome.findings == ()

    required = SignatureLayout(tuple(
        SignatureRule(r.name, r.parent, r.references, min_count=1) for r in LAYOUT.rules))
    again = verify_all_at(dump(root), NOW, trust=pki.validator(), layout=required)
    assert again.findings == ()  # not also "0 'organ' Signatures where 1 is needed"


def test_one_signature_too_many_of_a_kind_is_refused_unverified(both: bytes,
                                                                pki: SamplePki) -> None:
    """Two organ Signatures (each genuine) where the layout allows one: DF-SIG-009 for the
    document, and neither is verified — no certificate, nothing signed — although each
    would pass alone."""
    root = tree(both)
    root[0].append(copy.deepcopy(_signatures(root)[1]))
    root[0].remove(_signatures(root)[0])
    outcome = verify_all_at(dump(root), NOW, trust=pki.validator(), layout=LAYOUT)
    assert outcome.indication is Indication.FAILED
    assert [f.code for f in outcome.findings] == ["DF-SIG-009"]
    assert "2 'organ' Signature(s)" in outcome.findings[0].message
    assert [r.rule for r in outcome.signatures] == ["organ", "organ"]
    for result in outcome.signatures:
        assert result.sub_indications == ("DF-SIG-009",)
        assert result.certificate is None and result.signed == ()


def test_a_crowded_place_is_refused_before_any_signature_is_read(both: bytes,
                                                                 pki: SamplePki) -> None:
    """Three Signatures where the layout allows two in all: refused with no result per
    Signature at all, even when the extra one is not a Signature XML-DSig could read."""
    root = tree(both)
    etree.SubElement(root[0], ds("Signature")).text = "not a signature"
    outcome = verify_all_at(dump(root), NOW, trust=pki.validator(), layout=LAYOUT)
    assert outcome.indication is Indication.FAILED and outcome.signatures == ()
    [finding] = outcome.findings
    assert finding.code == "DF-SIG-009" and finding.location.path == "/m/h"
    assert "3 Signatures" in finding.message and "at most 2" in finding.message


def test_places_shared_by_rules_are_counted_together() -> None:
    """Rules sharing a place share its capacity, and the layout's total holds across
    places that different rules allow."""
    root = parse_xml(b"<m><h>" + b"<s/>" * 3 + b"</h><k><s/></k></m>")
    for element in root.iter("s"):
        element.tag = ds("Signature")
    per_place = SignatureLayout((SignatureRule("a", ("m", "h"), (ReferenceRule.document(),)),
                                 SignatureRule("b", ("m", "*"), (ReferenceRule.document(),),
                                               max_count=2)))
    placed, outside = place(_signatures(root), per_place, None)
    assert len(placed) == 4 and outside == []
    assert [f.code for f in crowded(placed, per_place, None)] == ["DF-SIG-009"]
    assert crowded(placed[1:], per_place, None) == []


def test_out_of_place_signatures_cost_a_bounded_report() -> None:
    """Thousands of Signatures out of place: the first ten are located one by one, the rest
    counted in one finding."""
    root = parse_xml(b"<m><h/><body>" + b"<s/>" * 5000 + b"</body></m>")
    for element in root.iter("s"):
        element.tag = ds("Signature")
    placed, findings = place(_signatures(root), LAYOUT, None)
    assert placed == [] and len(findings) == 11
    assert findings[0].location.path == "/m/body/Signature[1]"
    assert findings[-1].message.startswith("4990 more Signatures")


def test_counts_per_kind(both: bytes) -> None:
    """Maximum and minimum counts per kind are judged apart: the first refuse a document
    before verifying, the second join the results."""
    root = tree(both)
    placed, _ = place(_signatures(root), LAYOUT, None)
    ids = IdIndex(root, ("Id",))
    shapes = [read_shape(one, root, ids) for one in placed]
    required = [SignatureRule(r.name, r.parent, r.references) for r in LAYOUT.rules]
    third = SignatureRule("third", ("m", "h"), (ReferenceRule.element("body"),))
    strict = SignatureLayout((*required, third))
    over, [short] = count_problems(shapes, strict, None)
    assert over == [] and short.message == "0 'third' Signature(s) where the layout needs 1"
    over, under = count_problems(shapes * 2, LAYOUT, None)
    assert [f.message for f in over] == [
        "2 'signer' Signature(s) where the layout needs 0 to 1",
        "2 'organ' Signature(s) where the layout needs 0 to 1"] and under == []


def test_unknown_is_not_a_rule_name() -> None:
    """'unknown' names Signatures that fit no rule, so no rule may take the name."""
    with pytest.raises(ValueError):
        SignatureLayout((SignatureRule(UNKNOWN_RULE, ("*",), (ReferenceRule.document(),)),))


def test_legacy_policy_does_not_change_the_kind(both: bytes, pki: SamplePki) -> None:
    """The kind depends on the References alone: under the legacy policy the RSA-SHA1
    organ Signature verifies, in the organ's place."""
    root = tree(both)
    resign(_signatures(root)[1], pki.organ_key, SignatureMethod.RSA_SHA1)
    outcome = verify_all_at(dump(root), NOW, trust=pki.validator(), layout=LAYOUT,
                            policy=LEGACY)
    assert [r.rule for r in outcome.signatures] == ["signer", "organ"]
    assert outcome.by_rule("organ")[0].signature_method is SignatureMethod.RSA_SHA1
