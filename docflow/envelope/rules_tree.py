"""The index the business rules read an edXML tree through, built in one walk.

Every element in the QCVN namespace is filed under (parent name, name), with the field aliases
of real messages mapped to the canonical names, so a rule asks for ``("Code", "CodeNumber")``
and finds it wherever ``Code`` stands and however the sender ordered its children. Elements in
other namespaces (an XML-DSig ``Signature``) are not entered: they are another layer's concern.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TypeVar

from lxml import etree

from docflow.envelope.model import NS
from docflow.envelope.organ import ORGAN_CODE_PATTERN, OrganCode
from docflow.errors import Finding, Location
from docflow.xmlsafe import element_path

__all__ = ["Rule", "Tree", "at", "missing", "text_of"]

_PREFIX = f"{{{NS}}}"
_PREFIX_LEN = len(_PREFIX)

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


class Tree:
    """QCVN elements of one message by (parent local name, local name)."""

    __slots__ = ("_aliases", "_pairs", "root")

    def __init__(self, root: etree._Element, aliases: dict[str, str]) -> None:
        self.root = root
        self._aliases = aliases
        pairs: dict[tuple[str, str], list[etree._Element]] = {}
        # An explicit stack instead of recursion: the parser bounds the depth, but a caller may
        # raise the limit, and the rules must not be the part that overflows.
        stack: list[tuple[etree._Element, str]] = [(root, "")]
        get = aliases.get
        while stack:
            parent, parent_name = stack.pop()
            containers: list[tuple[etree._Element, str]] = []
            for child in parent:
                tag = child.tag
                if not isinstance(tag, str):
                    continue  # comments, processing instructions
                if tag.startswith(_PREFIX):
                    name = tag[_PREFIX_LEN:]
                elif tag[0] != "{":
                    name = tag  # no namespace at all: a field variant the schema reports
                else:
                    continue  # another namespace (XML-DSig): another layer's concern
                name = get(name, name)
                key = (parent_name, name)
                found = pairs.get(key)
                if found is None:
                    pairs[key] = [child]
                else:
                    found.append(child)
                if len(child):
                    containers.append((child, name))
            # Pushed in reverse, popped in order: parents are visited in document order, so
            # every list of the index is in document order too.
            stack.extend(reversed(containers))
        self._pairs = pairs
        root_name = root.tag[_PREFIX_LEN:] if isinstance(root.tag, str) and \
            root.tag.startswith(_PREFIX) else ""
        if root_name:
            pairs.setdefault(("", root_name), [root])

    def all(self, parent: str, name: str) -> list[etree._Element]:
        """Every ``name`` element whose parent is a ``parent`` element, in document order."""
        return self._pairs.get((parent, name), [])

    def first(self, parent: str, name: str) -> etree._Element | None:
        """The first ``name`` under a ``parent``, or ``None``."""
        found = self._pairs.get((parent, name))
        return found[0] if found else None

    def named(self, name: str) -> list[etree._Element]:
        """Every ``name`` element, whatever its parent."""
        return [el for (_, key), found in self._pairs.items() if key == name for el in found]

    def child(self, element: etree._Element, name: str) -> etree._Element | None:
        """The first QCVN child of ``element`` called ``name`` (or one of its aliases)."""
        for found in self.children(element, name):
            return found
        return None

    def children(self, element: etree._Element, name: str) -> Iterator[etree._Element]:
        """Every QCVN child of ``element`` called ``name`` (or one of its aliases)."""
        get = self._aliases.get
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag.startswith(_PREFIX):
                local = tag[_PREFIX_LEN:]
            elif tag[0] != "{":
                local = tag
            else:
                continue
            if get(local, local) == name:
                yield child

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

