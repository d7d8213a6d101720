"""Canonical XML of documents and subtrees (docflow/dsig/c14n.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from docflow.dsig.algorithms import C14NMethod
from docflow.dsig.c14n import C14NUnsupported, canonicalize
from docflow.xmlsafe import parse_xml

from .pkitools import VECTORS

DS = "http://www.w3.org/2000/09/xmldsig#"
MERLIN = ["signature-enveloping-rsa", "signature-enveloping-hmac-sha1"]


@pytest.mark.parametrize("name", MERLIN)
def test_merlin_intermediates_byte_for_byte(name: str) -> None:
    """SignedInfo and the Object canonicalize exactly to the W3C interop intermediates.

    The SignedInfo inherits its default namespace from Signature: lxml's direct subtree C14N
    writes a spurious ``xmlns=""`` on its grandchildren here, which this route must not.
    """
    root = parse_xml((VECTORS / "xmlsec/merlin-xmldsig-twenty-three" / f"{name}.xml")
                     .read_bytes())
    expected_object = (VECTORS / "signxml/merlin-xmldsig-twenty-three" /
                       f"{name}-c14n-0.txt").read_bytes()
    expected_signed_info = (VECTORS / "signxml/merlin-xmldsig-twenty-three" /
                            f"{name}-c14n-1.txt").read_bytes()
    signed_info = root.find(f"{{{DS}}}SignedInfo")
    obj = root.find(f"{{{DS}}}Object")
    assert signed_info is not None and obj is not None
    assert canonicalize(signed_info, C14NMethod.C14N10) == expected_signed_info
    assert canonicalize(obj, C14NMethod.C14N10) == expected_object
    assert b'xmlns=""' not in canonicalize(signed_info, C14NMethod.C14N11)


def test_inclusive_subtree_renders_every_namespace_in_scope() -> None:
    """Inclusive C14N puts all in-scope namespaces on the apex, used or not."""
    root = parse_xml(b'<a xmlns="urn:a" xmlns:u="urn:u"><b xmlns:v="urn:v"><c/></b></a>')
    assert canonicalize(root[0], C14NMethod.C14N10) == \
        b'<b xmlns="urn:a" xmlns:u="urn:u" xmlns:v="urn:v"><c></c></b>'
    assert canonicalize(root[0], C14NMethod.EXC_C14N) == b'<b xmlns="urn:a"><c></c></b>'
    assert canonicalize(root[0], C14NMethod.EXC_C14N, inclusive_prefixes=["u"]) == \
        b'<b xmlns="urn:a" xmlns:u="urn:u"><c></c></b>'
    unused_default = parse_xml(b'<a xmlns="urn:a"><u:b xmlns:u="urn:u"/></a>')[0]
    assert canonicalize(unused_default, C14NMethod.EXC_C14N) == b'<u:b xmlns:u="urn:u"></u:b>'
    with pytest.raises(C14NUnsupported):  # libxml2 would silently ignore it
        canonicalize(unused_default, C14NMethod.EXC_C14N, inclusive_prefixes=["#default"])


def test_xml_attributes_are_inherited_by_the_apex() -> None:
    """C14N 1.0 copies ancestors' xml: attributes onto the apex; 1.1 all but xml:id."""
    root = parse_xml(b'<a xml:lang="vi" xml:id="top"><b><c/></b></a>')
    assert canonicalize(root[0], C14NMethod.C14N10) == \
        b'<b xml:id="top" xml:lang="vi"><c></c></b>'
    assert canonicalize(root[0], C14NMethod.C14N11) == b'<b xml:lang="vi"><c></c></b>'
    assert canonicalize(root[0], C14NMethod.EXC_C14N) == b"<b><c></c></b>"


def test_c14n11_refuses_xml_base_fixup() -> None:
    """C14N 1.1 under an xml:base ancestor would need URI joining: refused, not guessed."""
    root = parse_xml(b'<a xml:base="http://example.org/x/"><b/></a>')
    with pytest.raises(C14NUnsupported):
        canonicalize(root[0], C14NMethod.C14N11)
    assert canonicalize(root[0], C14NMethod.C14N10) == \
        b'<b xml:base="http://example.org/x/"></b>'


def test_document_keeps_pis_and_optionally_comments() -> None:
    """The whole document includes the PIs around the root, and comments only if asked."""
    root = parse_xml(b"<?pi x?><!--c--><a><!--d-->t</a>")
    tree = root.getroottree()
    assert canonicalize(tree, C14NMethod.C14N10) == b"<?pi x?>\n<a>t</a>"
    assert canonicalize(tree, C14NMethod.C14N10_COMMENTS) == \
        b"<?pi x?>\n<!--c-->\n<a><!--d-->t</a>"
    assert canonicalize(tree, C14NMethod.EXC_C14N_COMMENTS, with_comments=False) == \
        b"<?pi x?>\n<a>t</a>"


# --- the exclusive shortcut against the re-parse route, on random namespace-laden trees ------

PREFIXES = [None, "a", "b", "ds"]
URIS = ["urn:a", "urn:b", DS]


@st.composite
def trees(draw: st.DrawFn, depth: int = 0, scope: tuple[tuple[str | None, str], ...] = ()
          ) -> str:
    declared = dict(scope)
    decls = []
    for prefix in PREFIXES:
        if draw(st.booleans()) and draw(st.booleans()):
            uri = draw(st.sampled_from(URIS + ([""] if prefix is None else [])))
            decls.append(f' xmlns="{uri}"' if prefix is None else f' xmlns:{prefix}="{uri}"')
            declared[prefix] = uri
    usable = [p for p, u in declared.items() if p is not None and u]
    prefix = draw(st.sampled_from(usable)) if usable and draw(st.booleans()) else None
    tag = f"{prefix}:e" if prefix else "e"
    attrs = ""
    if usable and draw(st.booleans()):
        attrs += f' {draw(st.sampled_from(usable))}:at="1"'
    if draw(st.booleans()):
        attrs += ' x="2"'
    children = ""
    if depth < 3:
        for _ in range(draw(st.integers(0, 3))):
            children += draw(st.sampled_from(["", " ", "\n t "]))
            children += draw(trees(depth + 1, tuple(declared.items())))
    return f"<{tag}{''.join(decls)}{attrs}>{children}</{tag}>"


@settings(max_examples=80, deadline=None)
@given(trees(), st.lists(st.sampled_from(["a", "b", "ds"]), max_size=2))
def test_exclusive_subtree_shortcut_matches_reparse(text: str, prefixes: list[str]) -> None:
    """Direct exclusive C14N of a subtree equals that of a re-parsed, self-contained copy.

    This is the property that lets ``canonicalize`` skip the re-parse for exclusive C14N.
    """
    root = etree.fromstring(text)
    for element in root.iter():
        if element is root:
            continue
        standalone = etree.fromstring(etree.tostring(element, with_tail=False))
        expected = etree.tostring(standalone, method="c14n", exclusive=True,
                                  inclusive_ns_prefixes=prefixes or None)
        assert canonicalize(element, C14NMethod.EXC_C14N, inclusive_prefixes=prefixes) == \
            expected
