"""What a ``Reference`` points at, and the bytes its digest covers.

Only same-document references are followed: ``URI=""`` (the whole document, without comments)
and ``URI="#id"`` (the one element whose ID attribute has that value). An ID is an attribute
the caller names (``Id``, ``ID``, ``id`` by default): docflow reads no DTD. A value that two
elements carry is refused outright: it is the root of most signature-wrapping attacks, where
the verifier digests one element and the application reads the other.

The transform chain is deliberately narrow: optional enveloped-signature, optionally (legacy
policy) the trivial XPath filter ``not(ancestor-or-self::ds:Signature)``, then at most one
canonicalization, last. Any other chain is refused, so a Reference can only ever cover an
element's whole subtree, minus Signatures.
"""

from __future__ import annotations

import copy
import functools
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from docflow.dsig.algorithms import DS_NS, C14NMethod, TransformMethod
from docflow.dsig.c14n import canonicalize
from docflow.dsig.policy import VerifyPolicy
from docflow.xmlsafe import text_content

__all__ = [
    "IdIndex",
    "ReferenceProblem",
    "Resolution",
    "TransformChain",
    "parse_transforms",
    "reference_octets",
    "resolve_uri",
]

_SIGNATURE = f"{{{DS_NS}}}Signature"
_XPATH = f"{{{DS_NS}}}XPath"
_EXC_NS = "http://www.w3.org/2001/10/xml-exc-c14n#"
_INCLUSIVE_NAMESPACES = f"{{{_EXC_NS}}}InclusiveNamespaces"
_TRIVIAL_FILTER = re.compile(r"not\(\s*ancestor-or-self::([A-Za-z_][\w.-]*):Signature\s*\)")
_C14N_BY_URI = {m.value: m for m in C14NMethod}
_TRANSFORM_BY_URI = {m.value: m for m in TransformMethod}


class ReferenceProblem(Exception):
    """A Reference cannot be followed; carries the stable code and a plain message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@functools.lru_cache(maxsize=16)
def _id_xpath(names: tuple[str, ...]) -> etree.XPath:
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][\w.-]*", name):
            raise ValueError(f"{name!r} is not an attribute name")
    return etree.XPath(" | ".join(f"//@{name}" for name in names))


class IdIndex:
    """Every ID value of a document, built on the first lookup.

    A document signed with ``URI=""`` alone never pays for the scan.

    Examples
    --------
    >>> from docflow.xmlsafe import parse_xml
    >>> index = IdIndex(parse_xml(b'<a><b Id="x"/><c ID="y"/><d id="y"/></a>'), ("Id", "ID", "id"))
    >>> index.lookup("x")[0].tag, len(index.lookup("y"))
    ('b', 2)
    """

    def __init__(self, root: etree._Element, names: tuple[str, ...]) -> None:
        self._root = root
        self._names = names
        self._table: dict[str, list[etree._Element]] | None = None

    def lookup(self, value: str) -> list[etree._Element]:
        """The elements carrying ``value`` as an ID (normally exactly one)."""
        if self._table is None:
            table: dict[str, list[etree._Element]] = {}
            for found in _id_xpath(self._names)(self._root):
                table.setdefault(str(found), []).append(found.getparent())
            self._table = table
        return self._table.get(value, [])


@dataclass(frozen=True, slots=True)
class Resolution:
    """The element a Reference URI resolved to."""

    element: etree._Element
    whole_document: bool
    """``URI=""``: the document node, which adds the processing instructions around the root."""


def resolve_uri(uri: str | None, root: etree._Element, index: IdIndex) -> Resolution:
    """Resolve a same-document Reference URI, or raise :class:`ReferenceProblem`."""
    if uri is None:
        raise ReferenceProblem("DF-SIG-010", "the Reference has no URI; docflow does not guess "
                               "what it covers")
    if uri == "":
        return Resolution(root, True)
    if not uri.startswith("#") or uri.startswith("#xpointer(") or len(uri) == 1:
        raise ReferenceProblem("DF-SIG-010", f"URI {uri[:80]!r} is not \"\" or \"#id\"")
    found = index.lookup(uri[1:])
    if not found:
        raise ReferenceProblem("DF-SIG-006", f"no element has the ID {uri[1:80]!r}")
    if len(found) > 1:
        raise ReferenceProblem("DF-SIG-007", f"{len(found)} elements have the ID {uri[1:80]!r}")
    return Resolution(found[0], False)


@dataclass(frozen=True, slots=True)
class TransformChain:
    """A checked transform chain: what to remove, then how to canonicalize."""

    enveloped: bool = False
    """Remove the Signature that holds this Reference."""
    all_signatures: bool = False
    """Remove every ds:Signature (the trivial XPath filter, legacy policy only)."""
    c14n: C14NMethod = C14NMethod.C14N10
    """The final canonicalization; C14N 1.0 when the chain names none (XML-DSig §4.4.3.2)."""
    inclusive_prefixes: tuple[str, ...] = ()


def parse_transforms(transforms: Sequence[etree._Element], policy: VerifyPolicy) -> TransformChain:
    """Check a ``Transforms`` list against the allowed shape and the policy.

    Raises
    ------
    ReferenceProblem
        ``DF-SIG-002`` unknown URI, ``DF-SIG-003`` a canonicalization the policy refuses,
        ``DF-SIG-017`` a transform or order that is not allowed, ``DF-SIG-020`` too many.
    """
    if len(transforms) > policy.max_transforms:
        raise ReferenceProblem("DF-SIG-020", f"{len(transforms)} transforms, above the limit of "
                               f"{policy.max_transforms}")
    enveloped = all_signatures = False
    c14n: C14NMethod | None = None
    prefixes: tuple[str, ...] = ()
    for element in transforms:
        uri = element.get("Algorithm")
        if c14n is not None:
            raise ReferenceProblem("DF-SIG-017", "a transform follows the canonicalization; "
                                   "canonicalization must be the last transform")
        method = _C14N_BY_URI.get(uri or "")
        if method is not None:
            if method not in policy.c14n_methods:
                raise ReferenceProblem("DF-SIG-003", f"canonicalization {uri} is not allowed")
            c14n = method
            if method.exclusive:
                prefixes = inclusive_prefixes(element)
            continue
        kind = _TRANSFORM_BY_URI.get(uri or "")
        if kind is None:
            raise ReferenceProblem("DF-SIG-002", f"transform {str(uri)[:100]!r} is unknown")
        if kind not in policy.transforms:
            raise ReferenceProblem("DF-SIG-017", f"transform {uri} is not allowed by the policy")
        if kind is TransformMethod.ENVELOPED and not enveloped:
            enveloped = True
        elif kind is TransformMethod.XPATH and not all_signatures:
            _check_trivial_filter(element)
            all_signatures = True
        else:
            raise ReferenceProblem("DF-SIG-017", f"transform {uri} is not allowed here")
    return TransformChain(enveloped, all_signatures, c14n or C14NMethod.C14N10, prefixes)


def inclusive_prefixes(method_element: etree._Element) -> tuple[str, ...]:
    """The ``InclusiveNamespaces/@PrefixList`` of an exclusive canonicalization element."""
    if not len(method_element):
        return ()  # speed: the usual case, without a search
    found = method_element.find(_INCLUSIVE_NAMESPACES)
    if found is None:
        return ()
    return tuple((found.get("PrefixList") or "").split())


def _check_trivial_filter(element: etree._Element) -> None:
    paths = element.findall(_XPATH)
    expression = " ".join(text_content(paths[0]).split()) if len(paths) == 1 else ""
    match = _TRIVIAL_FILTER.fullmatch(expression)
    if match is None or paths[0].nsmap.get(match.group(1)) != DS_NS:
        raise ReferenceProblem("DF-SIG-017", "only the XPath filter "
                               "not(ancestor-or-self::ds:Signature) is allowed, got "
                               f"{expression[:100]!r}")


def _inside(element: etree._Element, container: etree._Element) -> bool:
    node: etree._Element | None = element
    while node is not None:
        if node is container:
            return True
        node = node.getparent()
    return False


def reference_octets(resolution: Resolution, signature: etree._Element,
                     chain: TransformChain, last_use: bool = False) -> bytes:
    """The canonical bytes a Reference's digest covers.

    Signatures the chain removes are *not* taken out of the tree: lxml re-declares and strips
    namespace declarations of any node it moves, so taking a Signature out and putting it back
    would change what later canonicalizations of the tree produce. Instead each one gets a
    random marker attribute for the duration of one canonicalization, and its bytes — from
    the marked start tag to the matching end tag — are cut out of the output. Canonical XML
    serializes every other node the same with or without the Signature there (namespaces
    depend on ancestors only, and the text around it stays), so the result is exactly the
    node-set without it, at the cost of canonicalizing the Signature rather than copying the
    whole document. Should the marker not be found exactly once, a copy of the document is
    used instead.

    ``last_use`` says the caller owns the tree and will not read it again: the Signatures are
    then simply removed (the fastest way, and exact for this one canonicalization).
    """
    target = resolution.element
    removed: list[etree._Element] = []
    if chain.all_signatures:
        node: etree._Element | None = target
        while node is not None:
            if node.tag == _SIGNATURE:
                return b""  # the target lies inside a Signature the filter removes
            node = node.getparent()
        # Outermost Signatures only: an inner one leaves with its container.
        removed = [s for s in target.iter(_SIGNATURE)
                   if not any(a.tag == _SIGNATURE for a in s.iterancestors())]
    elif chain.enveloped:
        if _inside(target, signature):
            return b""  # the enveloped transform removes the whole target
        if _inside(signature, target):
            removed = [signature]
    node_or_tree: etree._Element | etree._ElementTree = \
        target.getroottree() if resolution.whole_document else target
    if not removed:
        return canonicalize(node_or_tree, chain.c14n, with_comments=False,
                            inclusive_prefixes=chain.inclusive_prefixes)
    if last_use:
        for element in removed:
            _drop(element)
        return canonicalize(node_or_tree, chain.c14n, with_comments=False,
                            inclusive_prefixes=chain.inclusive_prefixes)
    octets = _cut_out(node_or_tree, removed, chain)
    return octets if octets is not None else _copy_without(resolution, removed, chain)


_MARK = "docflow-removed"


def _cut_out(node_or_tree: etree._Element | etree._ElementTree,
             removed: list[etree._Element], chain: TransformChain) -> bytes | None:
    if any(element.get(_MARK) is not None for element in removed):
        return None
    tokens = [secrets.token_hex(16) for _ in removed]
    try:
        for element, token in zip(removed, tokens, strict=True):
            element.set(_MARK, token)
        octets = canonicalize(node_or_tree, chain.c14n, with_comments=False,
                              inclusive_prefixes=chain.inclusive_prefixes)
    finally:
        for element in removed:
            element.attrib.pop(_MARK, None)
    for token in tokens:
        cut = _cut(octets, f' {_MARK}="{token}"'.encode())
        if cut is None:
            return None
        octets = cut
    return octets


def _cut(octets: bytes, marker: bytes) -> bytes | None:
    """``octets`` without the element whose start tag holds ``marker``.

    In canonical XML a ``<`` is markup everywhere except inside a processing instruction:
    text and attribute values escape it. So the element starts at the last ``<`` before the
    marker, and ends at the end tag that balances its name, PIs skipped.
    """
    at = octets.find(marker)
    if at < 0 or octets.find(marker, at + 1) >= 0:
        return None
    start = octets.rfind(b"<", 0, at)
    name = re.match(rb"<([^\s>]+)", octets[start:start + 200])
    if name is None:
        return None
    tags = re.compile(rb"<\?.*?\?>|<(/?)" + re.escape(name.group(1)) + rb"[\s>]", re.DOTALL)
    depth = 0
    for found in tags.finditer(octets, start):
        if found.group(0).startswith(b"<?"):
            continue
        depth += -1 if found.group(1) else 1
        if depth == 0:
            return octets[:start] + octets[found.end():]
    return None


def _copy_without(resolution: Resolution, removed: list[etree._Element],
                  chain: TransformChain) -> bytes:
    """The slow, obviously right route: remove the Signatures from a copy of the document."""
    tree = copy.deepcopy(resolution.element.getroottree())
    copy_root = tree.getroot()
    for element in [_follow(copy_root, _index_path(e)) for e in removed]:
        _drop(element)
    target = _follow(copy_root, _index_path(resolution.element))
    node_or_tree: etree._Element | etree._ElementTree = \
        target.getroottree() if resolution.whole_document else target
    return canonicalize(node_or_tree, chain.c14n, with_comments=False,
                        inclusive_prefixes=chain.inclusive_prefixes)


def _index_path(element: etree._Element) -> list[int]:
    path = []
    parent = element.getparent()
    while parent is not None:
        path.append(parent.index(element))
        element, parent = parent, parent.getparent()
    return path[::-1]


def _follow(root: etree._Element, path: list[int]) -> etree._Element:
    for index in path:
        root = root[index]
    return root


def _drop(element: etree._Element) -> None:
    """Remove ``element`` but keep the text that follows it."""
    parent = element.getparent()
    assert parent is not None  # the target itself is never removed here
    tail, previous = element.tail, element.getprevious()
    parent.remove(element)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
