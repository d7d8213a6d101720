"""The index the business rules read an edXML tree through, built in one walk.

Every element in the QCVN namespace is filed under (parent name, name), with the field aliases
of real messages mapped to the canonical names, so a rule asks for ``("Code", "CodeNumber")``
and finds it wherever ``Code`` stands and however the sender ordered its children. Elements in
other namespaces (an XML-DSig ``Signature``) are not entered: they are another layer's concern.
"""

from __future__ import annotations

import functools
from collections.abc import Generator
from typing import TypeVar

from lxml import etree

from docflow.envelope.model import NS
from docflow.envelope.organ import ORGAN_CODE_PATTERN, OrganCode
from docflow.errors import Finding, Location
from docflow.xmlsafe import element_path, text_content

__all__ = ["Rule", "Tree", "TreeSpec", "at", "hidden", "missing", "text_of"]

_PREFIX = f"{{{NS}}}"

T = TypeVar("T")
Rule = Generator[Finding, None, T]
"""A rule yields its findings and returns a value other rules need (a parsed date)."""


def at(element: etree._Element) -> Location:
    """The location of ``element``: its line and element path."""
    return Location(line=element.sourceline, path=element_path(element))


def text_of(element: etree._Element) -> str:
    """The element's whole text (:func:`~docflow.xmlsafe.text_content`: across comments and
    processing instructions, as the signature saw it) without surrounding space."""
    return text_content(element).strip()


def missing(parent: etree._Element, name: str) -> Finding:
    """``DF-ENV-041``: ``parent`` lacks the child ``name`` a rule needs."""
    return Finding("DF-ENV-041", f"<{etree.QName(parent).localname}> has no <{name}> (or it is "
                   "empty), so the rules that need it could not run", at(parent))


def hidden(element: etree._Element) -> Finding:
    """``DF-ENV-090``: a QCVN field stands below an element of another namespace.

    The parser never reads there, so a rule that checked it would judge a copy the reader does
    not see; the rules skip it and say so.
    """
    return Finding("DF-ENV-090", f"<{etree.QName(element).localname}> stands inside an element "
                   "of another namespace, where the parser does not read it; the rules ignore "
                   "this copy", at(element))


def _placed(parent: etree._Element | None) -> bool:
    """Whether ``parent`` and all its ancestors are QCVN (or namespace-less) elements."""
    element = parent
    while element is not None:
        tag = element.tag
        if not isinstance(tag, str) or (tag[0] == "{" and not tag.startswith(_PREFIX)):
            return False
        element = element.getparent()
    return True


class TreeSpec:
    """Which elements the rules read, worked out once: the tags lxml filters on, in C.

    Parameters
    ----------
    names
        The canonical local names the rules look up, as fields or as parents of fields.
    aliases
        Other spellings accepted for them (``TimeStamp`` for ``Timestamp``).
    """

    __slots__ = ("aliases", "name_of", "tags")

    def __init__(self, names: frozenset[str], aliases: dict[str, str]) -> None:
        spellings = {name: name for name in names}
        spellings.update({alias: name for alias, name in aliases.items() if name in names})
        # Elements in the QCVN namespace, and without any namespace (a field variant the
        # schema reports); never XML-DSig's Signature, which is another layer's concern.
        self.name_of = {f"{_PREFIX}{s}": n for s, n in spellings.items()} | \
            {s: n for s, n in spellings.items()}
        # Speed: lxml's tag matcher (in C) hands over only the QCVN elements a rule reads
        # (any element without a namespace too: a variant the schema reports); the rest of a
        # message (contact details, subject, signer, the Signatures) never becomes a Python
        # object. Setting the matcher up costs about as much as the objects it saves on a
        # message of a hundred elements, and less on larger ones.
        self.tags = (*(f"{_PREFIX}{s}" for s in spellings), "{}*")
        self.aliases = aliases


class Tree:
    """The elements the rules read, by parent element and by (parent local name, name).

    Speed: one ``root.iter()`` over the QCVN elements, a dict lookup of each tag, and for each
    of the few dozen elements the rules read one ``getparent()`` and one dict entry under
    (parent, name); a parent's name is worked out once, however many children it has. The
    index by (parent name, name) is put together from that on first use, and no element path
    or line is computed until a rule has something to report.
    """

    __slots__ = ("_groups", "_kids", "_names", "hidden", "root")

    def __init__(self, root: etree._Element, spec: TreeSpec) -> None:
        self.root = root
        name_of = spec.name_of.get
        aliases = spec.aliases
        kids: dict[tuple[etree._Element | None, str], list[etree._Element]] = {}
        groups: dict[tuple[str, str], list[list[etree._Element]]] = {}
        parent_names: dict[etree._Element | None, str] = {}
        kids_get = kids.get
        names: set[str] = set()
        placed: dict[etree._Element | None, bool] = {}
        self.hidden: list[etree._Element] = []
        for element in root.iter(*spec.tags):
            name = name_of(element.tag)  # type: ignore[arg-type]
            if name is None:
                continue  # an element no rule reads
            parent = element.getparent()
            # A copy of a field below a foreign element (an extension the schema lets through)
            # is not what the parser reads: the rules must not check it instead (DF-ENV-090).
            inside = placed.get(parent)
            if inside is None:
                inside = placed[parent] = _placed(parent)
            if not inside:
                self.hidden.append(element)
                continue
            key = (parent, name)
            siblings = kids_get(key)
            if siblings is not None:
                siblings.append(element)
                continue
            siblings = kids[key] = [element]
            names.add(name)
            parent_name = parent_names.get(parent)
            if parent_name is None:
                parent_name = ""
                if parent is not None:
                    tag = parent.tag
                    known = name_of(tag)  # type: ignore[arg-type]
                    if known is None:
                        local = tag.rpartition("}")[2] if isinstance(tag, str) else ""
                        known = aliases.get(local, local)
                    parent_name = known
                parent_names[parent] = parent_name
            # The sibling lists of every parent of that name: the list itself, which later
            # siblings are appended to.
            group = groups.get((parent_name, name))
            if group is None:
                groups[(parent_name, name)] = [siblings]
            else:
                group.append(siblings)
        self._kids = kids
        self._groups = groups
        self._names = names

    def all(self, parent: str, name: str) -> list[etree._Element]:
        """Every ``name`` element whose parent is a ``parent`` element, in document order."""
        group = self._groups.get((parent, name))
        if group is None:
            return []
        return group[0] if len(group) == 1 else [e for siblings in group for e in siblings]

    def first(self, parent: str, name: str) -> etree._Element | None:
        """The first ``name`` under a ``parent``, or ``None``."""
        group = self._groups.get((parent, name))
        return group[0][0] if group else None

    def named(self, name: str) -> list[etree._Element]:
        """Every ``name`` element, whatever its parent, in document order."""
        if name not in self._names:
            return []  # the common case (no legacy Signature), without a scan
        return [e for (_, n), elements in self._kids.items() if n == name for e in elements]

    def child(self, element: etree._Element, name: str) -> etree._Element | None:
        """The first child of ``element`` called ``name`` (or one of its aliases)."""
        found = self._kids.get((element, name))
        return found[0] if found else None

    def children(self, element: etree._Element, name: str) -> list[etree._Element]:
        """Every child of ``element`` called ``name`` (or one of its aliases)."""
        return self._kids.get((element, name), [])

    def organ_code(self, element: etree._Element) -> Rule[OrganCode | None]:
        """Check the organ code in ``element``'s text (``DF-ENV-042``/``043``); return it."""
        text = text_of(element)
        code, problem = _organ_code(text)
        if problem is not None:
            yield Finding(problem[0], problem[1], at(element))
        return code


@functools.lru_cache(maxsize=8192)
def _organ_code(text: str) -> tuple[OrganCode | None, tuple[str, str] | None]:
    """The organ code ``text`` names, or the finding (code, message) that says why it names none.

    Speed: the same few thousand codes stand in every message a hub relays; each is read once.
    """
    if not ORGAN_CODE_PATTERN.match(text):
        return None, ("DF-ENV-042", f"{text!r} is not an organ code of the form "
                      "V1V2V3.Z1Z2.Y1Y2.M1M2M3 (such as 000.00.00.H49)")
    try:
        return OrganCode.parse(text), None
    except ValueError as exc:
        return None, ("DF-ENV-043", f"{exc}: the code implies no tier (level-1 body, or a "
                      "unit 2-4 levels below it)")
