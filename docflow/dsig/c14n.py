"""Canonical XML (C14N 1.0, 1.1 and exclusive C14N) of a document or of one element.

libxml2 (through lxml) does the work; this module only picks the call that gives the right
bytes, because one call does not:

* **Whole document**: ``etree.tostring(tree, method="c14n")`` is exact.
* **Element, exclusive C14N**: ``etree.tostring(element, method="c14n", exclusive=True)`` is
  exact. lxml canonicalizes a subtree by grafting it onto a temporary document; exclusive C14N
  renders only the namespaces each element visibly uses, so the graft does not show. A
  property test compares it with the re-parse route below on random namespace-laden trees.
* **Element, inclusive C14N**: the direct call is *wrong* (lxml 6.1 with libxml2 2.14 emits a
  spurious ``xmlns=""`` on grandchildren, and sometimes repeats a declaration the apex already
  made), which breaks valid signatures over a ``SignedInfo`` that inherits a default namespace.
  docflow serializes the element instead, which copies every namespace declaration in scope onto
  it, parses that again, and canonicalizes the new root. Inclusive C14N of a document subset
  also lets the apex inherit the ``xml:`` attributes of its ancestors (C14N 1.0: all of them;
  C14N 1.1: ``xml:lang`` and ``xml:space``, while ``xml:base`` would need URI joining, which
  docflow refuses rather than gets wrong).

Examples
--------
>>> from docflow.xmlsafe import parse_xml
>>> from docflow.dsig.algorithms import C14NMethod
>>> root = parse_xml(b'<a xmlns="urn:a" xmlns:u="urn:u"><b><c x="1"  y="2"/></b></a>')
>>> canonicalize(root[0], C14NMethod.C14N10)
b'<b xmlns="urn:a" xmlns:u="urn:u"><c x="1" y="2"></c></b>'
>>> canonicalize(root[0], C14NMethod.EXC_C14N)
b'<b xmlns="urn:a"><c x="1" y="2"></c></b>'
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from docflow.dsig.algorithms import C14NMethod
from docflow.xmlsafe import parse_xml

__all__ = ["C14NUnsupported", "canonicalize"]

_XML_NS = "http://www.w3.org/XML/1998/namespace"
_XML_BASE = f"{{{_XML_NS}}}base"
_INHERITED_11 = (f"{{{_XML_NS}}}lang", f"{{{_XML_NS}}}space")


class C14NUnsupported(ValueError):
    """Raised for an input docflow cannot canonicalize exactly (xml:base under C14N 1.1,
    ``#default`` in an exclusive prefix list)."""


def canonicalize(node: etree._Element | etree._ElementTree, method: C14NMethod, *,
                 with_comments: bool | None = None,
                 inclusive_prefixes: Sequence[str] = ()) -> bytes:
    """Return the canonical form of ``node`` (a whole document, or one element's subtree).

    Parameters
    ----------
    node
        An ``_ElementTree`` for the whole document (with the processing instructions and,
        with comments, the comments around the root), or an element for its subtree.
    method
        The canonicalization algorithm.
    with_comments
        Overrides the method's own comment setting; references within the document pass
        ``False`` because their node-set never holds comments (XML-DSig §4.4.3.3).
    inclusive_prefixes
        Exclusive C14N's ``InclusiveNamespaces PrefixList`` (``#default`` for the default
        namespace); ignored by inclusive methods.

    Raises
    ------
    C14NUnsupported
        The element has an ``xml:base`` ancestor and ``method`` is C14N 1.1, or the prefix
        list names ``#default``, which libxml2 (through lxml 6.1) silently ignores.
    """
    comments = method.with_comments if with_comments is None else with_comments
    if method.exclusive:
        if "#default" in inclusive_prefixes:
            raise C14NUnsupported("InclusiveNamespaces #default is not supported: libxml2 "
                                  "would ignore it and canonicalize wrongly")
        prefixes = list(inclusive_prefixes) or None
        # Exact for documents and for subtrees alike (see the module notes).
        return etree.tostring(node, method="c14n", exclusive=True, with_comments=comments,
                              inclusive_ns_prefixes=prefixes)
    if isinstance(node, etree._ElementTree) or _is_lone_root(node):
        # No graft: lxml canonicalizes the document itself.
        return etree.tostring(node, method="c14n", exclusive=False, with_comments=comments)
    return _inclusive_subtree(node, method, comments)


def _is_lone_root(element: etree._Element) -> bool:
    return element.getparent() is None and element.getprevious() is None \
        and element.getnext() is None


def _inclusive_subtree(element: etree._Element, method: C14NMethod, comments: bool) -> bytes:
    inherited: dict[str, str] = {}
    ancestor = element.getparent()
    while ancestor is not None:
        for name, value in ancestor.attrib.items():
            if name.startswith(f"{{{_XML_NS}}}") and name not in inherited:
                inherited[name] = value
        ancestor = ancestor.getparent()
    if method.version11:
        if _XML_BASE in inherited:
            raise C14NUnsupported("C14N 1.1 of an element under an xml:base attribute needs "
                                  "xml:base fix-up, which docflow does not implement")
        inherited = {k: v for k, v in inherited.items() if k in _INHERITED_11}
    # tostring() declares on the element every namespace in scope, as inclusive C14N renders
    # them on the apex; the re-parsed copy is then a root, canonicalized without a graft.
    copy = parse_xml(etree.tostring(element, with_tail=False))
    for name, value in inherited.items():
        if name not in copy.attrib:
            copy.set(name, value)
    return etree.tostring(copy, method="c14n", exclusive=False, with_comments=comments)
