"""Where Signatures may stand in a document and what each Reference must cover.

A signature can be cryptographically perfect and still prove nothing about what the application
reads: signature-wrapping attacks move the signed element aside (into an ``Object``, or under a
new parent) and put a forged one where the application looks. The defence is to say, before
verifying, what a correct document looks like, and to refuse every other shape:

* a :class:`SignatureRule` names the path from the root to the element that holds a Signature,
  how many Signatures of that kind there must be, and the References they carry;
* a :class:`ReferenceRule` says what one kind of Reference must resolve to: the whole document,
  an element with a given name at a given path (never inside a Signature), or an ``Object``
  of the Signature itself (enveloping signatures).

Paths are tuples of Clark names (``{namespace}local``) from the root element down; ``"*"``
matches any one element. The edXML profile builds its own layout; :data:`ENVELOPED` and
:data:`ENVELOPING` cover plain XML-DSig.

Examples
--------
>>> ENVELOPED.rules[0].parent
('*',)
>>> ReferenceRule.element("{urn:x}Attachment", parent=("{urn:x}edXML", "*")).kind
'element'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from lxml import etree

from docflow.dsig.algorithms import DS_NS

__all__ = [
    "ENVELOPED",
    "ENVELOPING",
    "UNKNOWN_RULE",
    "ReferenceRule",
    "SignatureLayout",
    "SignatureRule",
    "Target",
    "classify",
    "element_tags",
    "path_matches",
]

ANY = "*"
UNKNOWN_RULE = "unknown"
"""The rule name of a Signature whose References fit no rule of its place (or cannot be
read): it is reported as such, never counted as one of the layout's kinds."""
_SIGNATURE = f"{{{DS_NS}}}Signature"
_OBJECT = f"{{{DS_NS}}}Object"

ReferenceKind = Literal["document", "element", "object"]


@dataclass(frozen=True, slots=True)
class ReferenceRule:
    """What one kind of Reference must resolve to, and how many of that kind there are."""

    kind: ReferenceKind
    """``document``: ``URI=""``, or ``#id`` naming the root element; ``element``: an element
    matching :attr:`tags` and :attr:`parent`, outside every Signature; ``object``: an ``Object``
    of this Signature, or an element inside one (enveloping signatures)."""
    tags: frozenset[str] | None = None
    """Clark names the resolved element may have; ``None`` admits any name."""
    parent: tuple[str, ...] | None = None
    """Path from the root to the resolved element's parent; ``None`` admits any place."""
    min_count: int = 1
    max_count: int | None = 1
    """``None`` for no upper bound (one Reference per attachment)."""
    all_of_kind: bool = False
    """Every element matching :attr:`tags` at :attr:`parent` must be referenced, so that no
    element of that kind can stand in the document unsigned."""

    @classmethod
    def document(cls) -> ReferenceRule:
        """The whole document (``URI=""`` or ``#id`` of the root element)."""
        return cls("document")

    @classmethod
    def element(cls, *tags: str, parent: tuple[str, ...] | None = None, min_count: int = 1,
                max_count: int | None = 1, all_of_kind: bool = False) -> ReferenceRule:
        """An element by ``#id``, with one of ``tags`` (Clark names), at ``parent``."""
        return cls("element", frozenset(tags) or None, parent, min_count, max_count, all_of_kind)

    @classmethod
    def object(cls, min_count: int = 1, max_count: int | None = 1) -> ReferenceRule:
        """An ``Object`` of the Signature (or an element inside one), by ``#id``."""
        return cls("object", None, None, min_count, max_count)


@dataclass(frozen=True, slots=True)
class SignatureRule:
    """One kind of Signature: where it stands, how many, and what its References cover."""

    name: str
    """A name for reports (``enveloped``, ``organ``, ``signer``)."""
    parent: tuple[str, ...]
    """Path from the root element to the Signature's parent; ``()`` when the Signature is
    itself the root (enveloping)."""
    references: tuple[ReferenceRule, ...]
    """Every Reference must fit exactly one of these, in this order of preference."""
    min_count: int = 1
    max_count: int = 1


@dataclass(frozen=True, slots=True)
class SignatureLayout:
    """All the Signatures a document may hold; any other ds:Signature is refused."""

    rules: tuple[SignatureRule, ...]

    def __post_init__(self) -> None:
        names = [r.name for r in self.rules]
        if len(set(names)) != len(names):
            raise ValueError(f"rule names must differ: {names}")
        if UNKNOWN_RULE in names:
            raise ValueError(f"{UNKNOWN_RULE!r} names Signatures that fit no rule")

    @property
    def single(self) -> bool:
        """Exactly one Signature in all: what :func:`~docflow.dsig.verify.verify` handles."""
        return len(self.rules) == 1 and self.rules[0].min_count == self.rules[0].max_count == 1


ENVELOPED = SignatureLayout((SignatureRule("enveloped", (ANY,), (ReferenceRule.document(),)),))
"""One Signature, a child of the root element, covering the whole document."""

ENVELOPING = SignatureLayout((SignatureRule("enveloping", (), (ReferenceRule.object(),)),))
"""One Signature that is the root element, covering one of its own ``Object`` elements."""


def element_tags(element: etree._Element) -> tuple[str, ...]:
    """The path of Clark names from the root element down to ``element``, inclusive."""
    tags: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        tags.append(node.tag)  # type: ignore[arg-type]
        node = node.getparent()
    return tuple(reversed(tags))


def path_matches(pattern: Sequence[str], path: Sequence[str]) -> bool:
    """Whether a path of Clark names fits a pattern, ``"*"`` matching any one name.

    >>> path_matches(("*", "{u}b"), ("{u}a", "{u}b"))
    True
    >>> path_matches(("*",), ("{u}a", "{u}b"))
    False
    """
    return len(pattern) == len(path) and all(p in (ANY, t) for p, t in zip(pattern, path,
                                                                              strict=True))


def signature_parent_path(signature: etree._Element) -> tuple[str, ...]:
    """The path from the root to the element holding ``signature`` (``()`` for a root)."""
    parent = signature.getparent()
    return () if parent is None else element_tags(parent)


def _inside_signature(element: etree._Element) -> etree._Element | None:
    node: etree._Element | None = element
    while node is not None:
        if node.tag == _SIGNATURE:
            return node
        node = node.getparent()
    return None


def _fits(rule: ReferenceRule, element: etree._Element, whole_document: bool,
          signature: etree._Element) -> bool:
    if rule.kind == "document":
        return whole_document or element.getparent() is None
    if whole_document:
        return False
    if rule.kind == "object":
        node: etree._Element | None = element
        while node is not None and node.getparent() is not signature:
            node = node.getparent()
        return node is not None and node.tag == _OBJECT
    if _inside_signature(element) is not None:
        return False  # content moved into a Signature (Object wrapping) is never the document's
    if rule.tags is not None and element.tag not in rule.tags:
        return False
    return rule.parent is None or path_matches(rule.parent, signature_parent_path(element))


def reference_problems(rule: SignatureRule,
                       targets: Sequence[tuple[etree._Element, bool]],
                       signature: etree._Element, root: etree._Element) -> list[str]:
    """Why the resolved References of ``signature`` do not fit ``rule`` (empty when they do).

    Parameters
    ----------
    rule
        The Signature's rule.
    targets
        For each Reference, in order: the element it resolved to and whether it was
        ``URI=""``.
    signature
        The Signature element.
    root
        The document's root element (the Signature may have been taken out of the tree).
    """
    problems: list[str] = []
    counts = [0] * len(rule.references)
    seen: set[int] = set()
    for number, (element, whole) in enumerate(targets, 1):
        key = -1 if whole else id(element)
        if key in seen:
            problems.append(f"Reference {number} covers the same content as an earlier one")
            continue
        seen.add(key)
        for i, ref_rule in enumerate(rule.references):
            if _fits(ref_rule, element, whole, signature):
                counts[i] += 1
                break
        else:
            what = "the whole document" if whole else f"element {element.tag!s}"
            problems.append(f"Reference {number} covers {what}, which the '{rule.name}' "
                            "signature may not reference")
    for ref_rule, count in zip(rule.references, counts, strict=True):
        if count < ref_rule.min_count or (ref_rule.max_count is not None
                                          and count > ref_rule.max_count):
            bound = ref_rule.max_count if ref_rule.max_count is not None else "any"
            problems.append(f"{count} Reference(s) to {_describe(ref_rule)}; the '{rule.name}' "
                            f"signature needs {ref_rule.min_count} to {bound}")
        if ref_rule.all_of_kind and ref_rule.kind == "element" and count:
            expected = _all_of_kind(ref_rule, signature, root)
            if len(expected) != count:
                problems.append(f"{len(expected) - count} element(s) of kind "
                                f"{_describe(ref_rule)} are not covered by the signature")
    return problems


def _describe(rule: ReferenceRule) -> str:
    if rule.kind != "element":
        return "the whole document" if rule.kind == "document" else "an Object"
    return "/".join(sorted(rule.tags)) if rule.tags else "an element"


def _all_of_kind(rule: ReferenceRule, signature: etree._Element,
                 root: etree._Element) -> list[etree._Element]:
    # Speed: with a parent path, walk down that path instead of visiting every element of
    # the document (a large message may hold many elements none of which can qualify).
    if rule.parent is None:
        candidates: list[etree._Element] = list(root.iter())
    elif not rule.parent:
        candidates = [root]
    else:
        level = [root] if rule.parent[0] in (ANY, root.tag) else []
        for step in rule.parent[1:]:
            level = [child for node in level for child in node
                     if isinstance(child.tag, str) and step in (ANY, child.tag)]
        candidates = [child for node in level for child in node]
    return [el for el in candidates if isinstance(el.tag, str)
            and _fits(rule, el, False, signature)]


class Target(NamedTuple):
    """What one Reference points at, as far as resolving its URI could tell."""

    element: etree._Element | None
    """The element it resolved to; ``None`` when it did not resolve."""
    whole_document: bool = False
    """``URI=""``."""
    by_id: bool = False
    """An unresolved ``#id`` (no element, or several, carry it): it could name an element of
    any kind, so it neither confirms nor rules out a rule."""


_LISTED = 3
"""Problems quoted per rule when a Signature fits none: enough to see why, never a flood."""


def classify(rules: Sequence[SignatureRule], targets: Sequence[Target],
             signature: etree._Element, root: etree._Element
             ) -> tuple[SignatureRule | None, list[str]]:
    """The rule whose References ``targets`` are shaped like, and why they do not fit it.

    A Signature is classified by what its References point at, before any cryptography, so
    that a signature failing for any reason is still reported in its own place: the first
    rule they fit exactly; else the first rule each of them fits by kind (the count, a
    duplicate or an uncovered element of the kind then being the problems); else none
    (:data:`UNKNOWN_RULE`). An unresolved ``#id`` fits any rule but cannot alone decide one,
    and while one is unresolved no count is judged: its own finding says enough.

    Parameters
    ----------
    rules
        The rules of the place where the Signature stands, in order of preference.
    targets
        One per Reference, in order.
    signature
        The Signature element.
    root
        The document's root element.

    Returns
    -------
    tuple
        The rule (``None`` for none) and the problems, empty when the References fit it.

    Examples
    --------
    >>> from docflow.xmlsafe import parse_xml
    >>> root = parse_xml(b"<m><h><s/></h><a Id='a1'/></m>")
    >>> whole = Target(root, whole_document=True)
    >>> part = Target(root[1])
    >>> rules = [SignatureRule("part", ("m", "h"), (ReferenceRule.element("a"),)),
    ...          SignatureRule("whole", ("m", "h"), (ReferenceRule.document(),))]
    >>> [classify(rules, t, root[0][0], root)[0].name for t in ([part], [whole], [whole, whole])]
    ['part', 'whole', 'whole']
    >>> classify(rules, [whole, whole], root[0][0], root)[1]
    ['Reference 2 covers the same content as an earlier one']
    >>> classify(rules, [whole, part], root[0][0], root)[0] is None
    True
    """
    resolved = [(t.element, t.whole_document) for t in targets if t.element is not None]
    complete = len(resolved) == len(targets)
    judged: dict[str, list[str]] = {}
    if complete:  # the usual case first: References that fit a rule exactly
        for rule in rules:
            judged[rule.name] = reference_problems(rule, resolved, signature, root)
            if not judged[rule.name]:
                return rule, []
    for rule in rules:
        if resolved and all(_fits_kind(rule, t, signature) for t in targets):
            return rule, _capped(judged.get(rule.name, []))
    if not complete:
        return None, []
    why = [f"as '{rule.name}': " + "; ".join(judged[rule.name][:_LISTED]) for rule in rules]
    return None, ["the References fit none of the Signatures the layout allows here (" +
                  ", ".join(repr(r.name) for r in rules) + "): " + " | ".join(why)]


def _capped(problems: list[str]) -> list[str]:
    if len(problems) <= _LISTED:
        return problems
    return [*problems[:_LISTED], f"and {len(problems) - _LISTED} more problem(s) of the same "
            "References"]


def _fits_kind(rule: SignatureRule, target: Target, signature: etree._Element) -> bool:
    if target.element is None:
        return target.by_id
    return any(_fits(r, target.element, target.whole_document, signature)
               for r in rule.references)
