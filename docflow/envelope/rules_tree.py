"""The index the business rules read an edXML tree through, built in one walk.

Every element in the QCVN namespace is filed under (parent name, name), with the field aliases
of real messages mapped to the canonical names, so a rule asks for ``("Code", "CodeNumber")``
and finds it wherever ``Code`` stands and however the sender ordered its children. Elements in
other namespaces (an XML-DSig ``Signature``) are not entered: they are another layer's concern.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TypeVar

from lxml import etree

from docflow.envelope.model import NS
from docflow.envelope.organ import ORGAN_CODE_PATTERN, OrganCode
from docflow.errors import Finding, Location
from docflow.xmlsafe import element_path

__all__ = ["Rule", "Tree", "TreeSpec", "at", "missing", "text_of"]

_PREFIX = f"{{{NS}}}"

T = TypeVar("T")
Rule = Generator[Finding, None, T]
"""A rule yields its findings and returns a value other rules need (a parsed date)."""


def at(element: etree._Element) -> Location:
    """The location of ``element``: its line and element path."""
    return Location(line=element.sourceline, path=element_path(element))


def text_of(element: etree._Element) -> str:
    """The element's text without surrounding space (``""`` when it has none)."""
    text = element.text
    return text.strip() if text else ""


def missing(parent: etree._Element, name: str) -> Finding:
    """``DF-ENV-041``: ``parent`` lacks the child ``name`` a rule needs."""
    return Finding("DF-ENV-041", f"<{etree.QName(parent).localname}> has no <{name}> (or it is "
                   "empty), so the rules that need it could not run", at(parent))


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
        # Speed: lxml sets up its tag matcher per call and per tag (about a microsecond per
        # tag), which costs more than it saves on a message of a hundred elements; matching
        # "every QCVN element, every element without a namespace" and looking the tag up in
        # a dict is two to three times faster than asking lxml for forty names.
        self.tags = (f"{_PREFIX}*", "{}*")
        self.aliases = aliases


class Tree:
    """The elements the rules read, by (parent local name, name) and by parent element.

    Speed: one ``root.iter()`` over the QCVN elements, a dict lookup of each tag, and one
    ``getparent()`` for each of the few dozen elements the rules read; no element path or
    line is computed until a rule has something to report.
    """

    __slots__ = ("_kids", "_names", "_pairs", "root")

    def __init__(self, root: etree._Element, spec: TreeSpec) -> None:
        self.root = root
        name_of = spec.name_of
        aliases = spec.aliases
        pairs: dict[tuple[str, str], list[etree._Element]] = {}
        kids: dict[tuple[etree._Element | None, str], list[etree._Element]] = {}
        names: dict[str, list[etree._Element]] = {}
        for element in root.iter(*spec.tags):
            name = name_of.get(element.tag)  # type: ignore[arg-type]
            if name is None:
                continue  # an element no rule reads
            parent = element.getparent()
            parent_name = ""
            if parent is not None:
                parent_tag = parent.tag
                known = name_of.get(parent_tag)  # type: ignore[arg-type]
                if known is None:
                    local = parent_tag.rpartition("}")[2] if isinstance(parent_tag, str) else ""
                    known = aliases.get(local, local)
                parent_name = known
            found = pairs.get((parent_name, name))
            if found is None:
                pairs[(parent_name, name)] = [element]
            else:
                found.append(element)
            siblings = kids.get((parent, name))
            if siblings is None:
                kids[(parent, name)] = [element]
            else:
                siblings.append(element)
            same = names.get(name)
            if same is None:
                names[name] = [element]
            else:
                same.append(element)
        self._pairs = pairs
        self._kids = kids
        self._names = names

    def all(self, parent: str, name: str) -> list[etree._Element]:
        """Every ``name`` element whose parent is a ``parent`` element, in document order."""
        return self._pairs.get((parent, name), [])

    def first(self, parent: str, name: str) -> etree._Element | None:
        """The first ``name`` under a ``parent``, or ``None``."""
        found = self._pairs.get((parent, name))
        return found[0] if found else None

    def named(self, name: str) -> list[etree._Element]:
        """Every ``name`` element, whatever its parent, in document order."""
        return self._names.get(name, [])

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
        if not ORGAN_CODE_PATTERN.match(text):
            yield Finding("DF-ENV-042", f"{text!r} is not an organ code of the form "
                          "V1V2V3.Z1Z2.Y1Y2.M1M2M3 (such as 000.00.00.H49)", at(element))
            return None
        try:
            return OrganCode.parse(text)
        except ValueError as exc:
            yield Finding("DF-ENV-043", f"{exc}: the code implies no tier (level-1 body, or a "
                          "unit 2-4 levels below it)", at(element))
            return None

