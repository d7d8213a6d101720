"""Reference resolution, transforms and digested bytes (docflow/dsig/references.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from docflow.dsig.algorithms import C14NMethod
from docflow.dsig.policy import DEFAULT_POLICY, LEGACY
from docflow.dsig.references import (
    IdIndex,
    ReferenceProblem,
    Resolution,
    TransformChain,
    _copy_without,
    _cut_out,
    parse_transforms,
    reference_octets,
    resolve_uri,
)
from docflow.xmlsafe import parse_xml

from .test_c14n import trees

DS = "http://www.w3.org/2000/09/xmldsig#"
ENVELOPED = DS + "enveloped-signature"
EXC = "http://www.w3.org/2001/10/xml-exc-c14n#"
XPATH = "http://www.w3.org/TR/1999/REC-xpath-19991116"


def transforms(*specs: str | tuple[str, str]) -> list[etree._Element]:
    built = []
    for spec in specs:
        uri, xpath = (spec, None) if isinstance(spec, str) else spec
        element = etree.Element(f"{{{DS}}}Transform", Algorithm=uri, nsmap={"dsig": DS})
        if xpath is not None:
            etree.SubElement(element, f"{{{DS}}}XPath").text = xpath
        built.append(element)
    return built


def test_id_index_uses_only_the_configured_names() -> None:
    """Only the configured attribute names are IDs; ``xml:id`` or ``foo:Id`` are not."""
    root = parse_xml(b'<a xmlns:f="urn:f"><b Id="x"/><c f:Id="y"/><d ID="z"/></a>')
    index = IdIndex(root, ("Id",))
    assert [e.tag for e in index.lookup("x")] == ["b"]
    assert index.lookup("y") == [] and index.lookup("z") == []
    with pytest.raises(ValueError):
        IdIndex(root, ("Id or 1=1",)).lookup("x")


def test_resolve_refuses_duplicates_and_unknown_ids() -> None:
    """A ``#id`` must name exactly one element."""
    root = parse_xml(b'<a><b Id="x"/><c id="x"/><d Id="y"/></a>')
    index = IdIndex(root, DEFAULT_POLICY.id_attributes)
    assert resolve_uri("#y", root, index).element.tag == "d"
    assert resolve_uri("", root, index).whole_document
    for uri, code in [("#x", "DF-SIG-007"), ("#z", "DF-SIG-006"), ("other.xml", "DF-SIG-010"),
                      ("#xpointer(/)", "DF-SIG-010"), (None, "DF-SIG-010")]:
        with pytest.raises(ReferenceProblem) as caught:
            resolve_uri(uri, root, index)
        assert caught.value.code == code


def test_transform_chain_shapes() -> None:
    """Enveloped-signature, then at most one canonicalization, last."""
    chain = parse_transforms(transforms(ENVELOPED, EXC), DEFAULT_POLICY)
    assert chain.enveloped and chain.c14n is C14NMethod.EXC_C14N
    assert parse_transforms([], DEFAULT_POLICY).c14n is C14NMethod.C14N10  # the default
    for bad in [(EXC, ENVELOPED), (ENVELOPED, ENVELOPED), (EXC, EXC)]:
        with pytest.raises(ReferenceProblem) as caught:
            parse_transforms(transforms(*bad), DEFAULT_POLICY)
        assert caught.value.code == "DF-SIG-017"
    with pytest.raises(ReferenceProblem) as caught:
        parse_transforms(transforms(*[ENVELOPED] * 5), DEFAULT_POLICY)
    assert caught.value.code == "DF-SIG-020"


def test_xpath_filter_only_trivial_and_only_legacy() -> None:
    """The trivial filter needs the legacy policy and a prefix bound to XML-DSig."""
    trivial = (XPATH, " not( ancestor-or-self::dsig:Signature ) ")
    assert parse_transforms(transforms(trivial), LEGACY).all_signatures
    for policy, spec in [(DEFAULT_POLICY, trivial),
                         (LEGACY, (XPATH, "not(ancestor-or-self::other:Signature)")),
                         (LEGACY, (XPATH, "self::node()"))]:
        with pytest.raises(ReferenceProblem) as caught:
            parse_transforms(transforms(spec), policy)
        assert caught.value.code == "DF-SIG-017"


def test_enveloped_transform_keeps_surrounding_text() -> None:
    """Removing the Signature keeps the whitespace and text on both sides of it."""
    root = parse_xml(b'<a> x <ds:Signature xmlns:ds="%s"><ds:SignedInfo/></ds:Signature> y </a>'
                     % DS.encode())
    signature = root[0]
    octets = reference_octets(Resolution(root, True), signature, TransformChain(enveloped=True))
    assert octets == b"<a> x  y </a>"


def test_removal_leaves_the_input_tree_untouched() -> None:
    """Verifying never changes the caller's tree, namespace declarations included.

    lxml strips namespace declarations that look redundant from any node it moves; taking a
    Signature out and back in would drop ``xmlns:dsig`` here and change later C14N results.
    """
    text = (b'<a xmlns="urn:a"><b>t</b><Signature xmlns="%s"><SignedInfo>'
            b'<XPath xmlns:dsig="%s">x</XPath></SignedInfo></Signature></a>'
            % (DS.encode(), DS.encode()))
    root = parse_xml(text)
    before = etree.tostring(root)
    for chain in (TransformChain(enveloped=True), TransformChain(all_signatures=True)):
        octets = reference_octets(Resolution(root, True), root[1], chain)
        assert octets == b'<a xmlns="urn:a"><b>t</b></a>'
    assert etree.tostring(root) == before


def test_target_inside_the_signature_is_removed_entirely() -> None:
    """An enveloped transform on a Reference to the Signature's own Object covers nothing."""
    root = parse_xml(b'<Signature xmlns="%s"><Object Id="o">t</Object></Signature>'
                     % DS.encode())
    octets = reference_octets(Resolution(root[0], False), root, TransformChain(enveloped=True))
    assert octets == b""


SIGNATURES = [
    '<ds:Signature xmlns:ds="{ds}"><ds:SignedInfo a="x&gt;y"/></ds:Signature>',
    '<Signature xmlns="{ds}"><?pi <Signature> ?><Object><Signature>nested</Signature></Object>'
    "</Signature>",
    '<ds:Signature xmlns:ds="{ds}" xmlns:u="urn:u">t<u:x/>&lt;ds:Signature&gt;</ds:Signature>',
]


@settings(max_examples=60, deadline=None)
@given(trees(), st.sampled_from(SIGNATURES), st.integers(0, 50), st.booleans(),
       st.sampled_from([C14NMethod.EXC_C14N, C14NMethod.C14N10, C14NMethod.C14N11]))
def test_cutting_the_signature_out_equals_removing_it(text: str, signature: str, where: int,
                                                      all_signatures: bool,
                                                      method: C14NMethod) -> None:
    """The fast route (cut from the canonical bytes) equals removal from a copy."""
    root = parse_xml(text.encode())
    elements = list(root.iter())
    parent = elements[where % len(elements)]
    sig = parse_xml(signature.format(ds=DS).encode())
    parent.insert(where % (len(parent) + 1), sig)  # the proxy follows the moved element
    sig.tail = " tail "
    chain = TransformChain(enveloped=not all_signatures, all_signatures=all_signatures,
                           c14n=method)
    for target, whole in [(root, True), (parent, False)]:
        resolution = Resolution(target, whole)
        fast = _cut_out(target.getroottree() if whole else target, [sig], chain)
        assert fast is not None and fast == reference_octets(resolution, sig, chain)
        assert fast == _copy_without(resolution, [sig], chain)
        assert b"Signature" not in fast
