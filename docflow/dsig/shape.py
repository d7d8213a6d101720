"""What a document's Signatures look like before any cryptography: where, how many, what kind.

Everything here is cheap — reading elements, counting, looking Ids up in a table — and it all
happens before the first digest or public-key operation, because everything in a Signature is
unauthenticated until its SignatureValue holds. A forger controls how many Signatures a
message holds and how many References each one has; a verifier that digests first and counts
afterwards does whatever work the forger asks for (64 whole-document References, each a
canonicalization of a 5 MB message; forty such Signatures). So the verifier:

1. places every Signature (:func:`place`), one out of place being a finding, and counts them
   per place (:func:`crowded`): a place holding more Signatures than its rules allow in all
   refuses the document before any is read;
2. reads each placed Signature and resolves its Reference URIs without digesting anything,
   which tells its **kind** (:func:`read_shape`): the layout rule whose References it has.
   The kind is known before the crypto, so a signature that fails for any reason (a refused
   algorithm, a forged value) is still reported in its own place, and counted there;
3. counts Signatures per rule (:func:`count_problems`): one too many refuses the document
   before any is verified.

Examples
--------
>>> from docflow.dsig.layout import ENVELOPED
>>> from docflow.dsig.references import IdIndex
>>> from docflow.xmlsafe import parse_xml
>>> root = parse_xml(b'<a><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/></a>')
>>> placed, problems = place(list(root), ENVELOPED, None)
>>> [rule.name for rule in placed[0].rules], problems
(['enveloped'], [])
>>> read_shape(placed[0], root, IdIndex(root, ("Id",))).rule
'unknown'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from lxml import etree

from docflow.dsig.layout import (
    UNKNOWN_RULE,
    SignatureLayout,
    SignatureRule,
    Target,
    classify,
    path_matches,
    signature_parent_path,
)
from docflow.dsig.references import IdIndex, ReferenceProblem, Resolution, resolve_uri
from docflow.dsig.structure import SignatureSyntax, SignatureSyntaxError, read_signature
from docflow.errors import Finding, Location
from docflow.xmlsafe import element_path

__all__ = ["Placed", "Shape", "count_problems", "place", "read_shape"]

_LISTED = 10
"""Out-of-place Signatures reported one by one; the rest are counted in one more finding, so
that a message stuffed with Signatures costs a report of bounded size."""
_ID_PROBLEMS = frozenset({"DF-SIG-006", "DF-SIG-007"})
"""Resolution problems of a well-formed ``#id``: no element carries it, or several do."""


class Placed(NamedTuple):
    """A Signature standing where at least one rule of the layout allows one."""

    element: etree._Element
    rules: tuple[SignatureRule, ...]
    """The rules whose place it stands in, in the layout's order."""


class Shape(NamedTuple):
    """One placed Signature as read before any cryptography.

    Per-call records of the verifier are named tuples: immutable like a frozen dataclass, and
    built without a ``__setattr__`` per field on the fast path.
    """

    placed: Placed
    syntax: SignatureSyntax | None
    """``None`` when the Signature does not have XML-DSig's shape (see :attr:`error`)."""
    error: SignatureSyntaxError | None
    resolutions: tuple[Resolution | ReferenceProblem, ...]
    """Per Reference, in order: the element its URI resolved to, or why it did not."""
    rule: str
    """The name of the rule its References fit, or :data:`UNKNOWN_RULE`."""
    problems: tuple[str, ...]
    """Why the References do not fit :attr:`rule` exactly (``DF-SIG-008``); empty when they
    do, or when an unresolved Reference leaves the question open."""


def place(signatures: Sequence[etree._Element], layout: SignatureLayout, where: str | None
          ) -> tuple[list[Placed], list[Finding]]:
    """Sort ``signatures`` into those standing where a rule allows one, and findings
    (``DF-SIG-009``) for the others: the first few one by one, with their location, the rest
    counted in one more."""
    placed: list[Placed] = []
    findings: list[Finding] = []
    outside = 0
    for signature in signatures:
        position = signature_parent_path(signature)
        rules = tuple(r for r in layout.rules if path_matches(r.parent, position))
        if rules:
            placed.append(Placed(signature, rules))
            continue
        outside += 1
        if outside <= _LISTED:
            findings.append(Finding("DF-SIG-009", "a Signature stands where the layout allows "
                                    "none", _location(signature, where)))
    if outside > _LISTED:
        findings.append(Finding("DF-SIG-009", f"{outside - _LISTED} more Signatures stand "
                                "where the layout allows none", Location(file=where)))
    return placed, findings


def crowded(placed: Sequence[Placed], layout: SignatureLayout, where: str | None
            ) -> list[Finding]:
    """``DF-SIG-009`` for each group of places holding more Signatures than allowed.

    Signatures are grouped by the rules their place allows; a group holding more than those
    rules' maximum counts add up to cannot fit, whatever each Signature turns out to be. The
    whole layout's total is checked too, for rules that share some places but not others.
    Reading no Signature, this bounds the work of what follows to the layout's own counts.
    """
    if len(placed) <= min((r.max_count for r in layout.rules), default=0):
        return []  # speed: the usual case, every group fits whatever it holds
    groups: defaultdict[tuple[str, ...], list[Placed]] = defaultdict(list)
    for one in placed:
        groups[tuple(r.name for r in one.rules)].append(one)
    findings = []
    for members in groups.values():
        allowed = sum(r.max_count for r in members[0].rules)
        if len(members) > allowed:
            parent = members[0].element.getparent()
            findings.append(Finding(
                "DF-SIG-009", f"{len(members)} Signatures stand where the layout allows at "
                f"most {allowed} ({', '.join(repr(r.name) for r in members[0].rules)})",
                Location(file=where, path=element_path(parent) if parent is not None else None)))
    total = sum(r.max_count for r in layout.rules)
    if not findings and len(placed) > total:
        findings.append(Finding("DF-SIG-009", f"{len(placed)} Signatures where the layout "
                                f"allows at most {total}", Location(file=where)))
    return findings


def read_shape(placed: Placed, root: etree._Element, ids: IdIndex) -> Shape:
    """Read ``placed``'s syntax, resolve its References' URIs and classify it by them.

    Nothing is canonicalized or digested: resolving an ``#id`` is a lookup in ``ids``.
    """
    try:
        syntax = read_signature(placed.element)
    except SignatureSyntaxError as exc:
        return Shape(placed, None, exc, (), UNKNOWN_RULE, ())
    resolutions: list[Resolution | ReferenceProblem] = []
    targets = []
    for reference in syntax.references:
        try:
            resolution = resolve_uri(reference.uri, root, ids)
        except ReferenceProblem as exc:
            resolutions.append(exc)
            targets.append(Target(None, by_id=exc.code in _ID_PROBLEMS))
            continue
        resolutions.append(resolution)
        targets.append(Target(resolution.element, resolution.whole_document))
    rule, problems = classify(placed.rules, targets, placed.element, root)
    return Shape(placed, syntax, None, tuple(resolutions),
                 rule.name if rule is not None else UNKNOWN_RULE, tuple(problems))


def count_problems(shapes: Sequence[Shape], layout: SignatureLayout, where: str | None
                   ) -> tuple[list[Finding], list[Finding]]:
    """``DF-SIG-009`` for each rule with more Signatures of its kind than its maximum, and
    for each with fewer than its minimum: the first refuse a document before any Signature is
    verified, the second are added to the results of those that were.

    A rule short of Signatures while one of unknown kind stands in its place gets no count
    finding: that Signature is most likely the missing one, and fails in its own right.
    """
    counts: dict[str, int] = {}
    unknown_places: set[str] = set()
    for shape in shapes:
        counts[shape.rule] = counts.get(shape.rule, 0) + 1
        if shape.rule == UNKNOWN_RULE:
            unknown_places.update(r.name for r in shape.placed.rules)
    over: list[Finding] = []
    under: list[Finding] = []
    for rule in layout.rules:
        count = counts.get(rule.name, 0)
        if count > rule.max_count:
            over.append(_count_finding(rule, count, where))
        elif count < rule.min_count and rule.name not in unknown_places:
            under.append(_count_finding(rule, count, where))
    return over, under


def _count_finding(rule: SignatureRule, count: int, where: str | None) -> Finding:
    bounds = f"{rule.min_count}" + (f" to {rule.max_count}" if rule.max_count != rule.min_count
                                    else "")
    return Finding("DF-SIG-009", f"{count} '{rule.name}' Signature(s) where the layout needs "
                   f"{bounds}", Location(file=where))


def _location(element: etree._Element, where: str | None) -> Location:
    return Location(file=where, line=element.sourceline, path=element_path(element))
