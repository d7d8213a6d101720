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

from docflow.envelope.layout import PLACES
from docflow.envelope.model import NS
from docflow.envelope.organ import ORGAN_CODE_PATTERN, OrganCode
from docflow.errors import Finding, Location
from docflow.xmlsafe import element_path, text_content

__all__ = ["Rule", "Tree", "TreeSpec", "at", "hidden", "missing", "text_of", "unread"]

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


def unread(code: str, element: etree._Element) -> Finding:
    """``DF-ENV-091``/``092``: a QCVN element the parser does not read, so neither do the rules.

    ``DF-ENV-091``: it stands where QCVN puts no such field (inside a legacy ``Signature``'s any
    content, or out of place); ``DF-ENV-092``: a second copy of a part that occurs once, after
    the one the parser reads. Reported once, at the outermost such element.
    """
    name = etree.QName(element).localname
    if code == "DF-ENV-092":
        return Finding(code, f"<{name}> appears a second time where QCVN 102 allows one; the "
                       "parser reads the first, and the rules ignore this copy", at(element))
    return Finding(code, f"<{name}> stands where the parser does not read it (inside a legacy "
                   "signature, or out of place); the rules ignore it", at(element))


def _qcvn(tag: object) -> bool:
    """Whether ``tag`` is an element in the QCVN namespace or in none (a variant the schema
    reports): the elements a path is made of. Anything else is another namespace's."""
    return isinstance(tag, str) and (tag[0] != "{" or tag.startswith(_PREFIX))


class _Place:
    """One element path the parser reads (:data:`~docflow.envelope.layout.PLACES`), as a node.

    Speed: the children are filed under every lxml tag that spells them (with the QCVN namespace
    or none, canonical or alias), so stepping from a parent's place to a child's is one dict
    lookup of the child's tag, with no path tuple built or hashed and no name worked out.
    """

    __slots__ = ("kids", "name", "repeats", "same")

    def __init__(self, name: str | None, repeats: bool, same: tuple[str, ...] = (),
                 kids: dict[str, _Place] | None = None) -> None:
        self.name = name
        """The canonical local name (``None``: the element's own, as spelled)."""
        self.repeats = repeats
        """Whether the part may occur more than once under its parent."""
        self.same = same
        """Every tag that spells this part: an earlier sibling with one is the part's first copy."""
        self.kids: dict[str, _Place] = {} if kids is None else kids
        """The places of the children the parser reads here, by every tag that spells them."""


class _Everywhere(dict[str, _Place]):
    """The children of an element below a root the parser refuses: any tag, once or more."""

    def get(self, key: str, default: _Place | None = None) -> _Place:  # type: ignore[override]
        return _ANYWHERE


_FOREIGN = _Place(None, True)
"""The place of an element of another namespace, or of anything below one (by identity)."""
_ANYWHERE = _Place(None, True, kids=_Everywhere())
"""The place of everything below a root the parser refuses: nothing to compare with."""
_TOP = _Place("", True, kids=_Everywhere())
"""The place above the root element, for the rules' index: it takes the root as it is."""
_UNSEEN = _Place(None, True)
"""An element whose place is not worked out yet (a look-up's default)."""


def _roots(aliases: dict[str, str]) -> dict[str, _Place]:
    """The places of the roots the parser reads, by tag, each with its subtree of places."""
    spellings: dict[str, list[str]] = {}
    for name in sorted({name for path in PLACES for name in path} | set(aliases)):
        spellings.setdefault(aliases.get(name, name), []).extend((f"{_PREFIX}{name}", name))
    nodes: dict[tuple[str, ...], _Place] = {}
    roots: dict[str, _Place] = {}
    for path in sorted(PLACES, key=len):  # a parent before its children
        same = tuple(spellings[path[-1]])
        node = nodes[path] = _Place(path[-1], PLACES[path], same)
        kids = nodes[path[:-1]].kids if len(path) > 1 else roots
        for tag in same:
            kids[tag] = node
    return roots


class _Places:
    """Which elements stand at a path the parser reads (:data:`~docflow.envelope.layout.PLACES`).

    Why: the rules index fields by (parent name, name); a copy at another path, or a second
    copy of a singleton, would be judged in place of what the reader sees. Speed: an element's
    place is worked out once, from its parent's, by one lookup of its tag (:class:`_Place`).
    """

    __slots__ = ("places", "roots", "unread")

    def __init__(self, roots: dict[str, _Place]) -> None:
        self.roots = roots
        self.places: dict[etree._Element | None, _Place | None] = {None: _TOP}
        """Each element's place, worked out so far (``None``: the parser does not read it)."""
        self.unread: list[tuple[str, etree._Element]] = []
        """The outermost elements the parser does not read, with their codes."""

    def place(self, element: etree._Element) -> _Place | None:
        """The element's place if the parser reads it: ``None`` if not (the outermost unread
        element is recorded with its code), :data:`_ANYWHERE` below a root the parser refuses,
        :data:`_FOREIGN` at or below an element of another namespace."""
        places = self.places
        if element in places:
            return places[element]
        tag = element.tag
        parent = element.getparent()
        found: _Place | None
        if parent is None:
            found = self.roots.get(tag)  # type: ignore[arg-type]
            if found is None:
                found = _ANYWHERE if _qcvn(tag) else _FOREIGN
        else:
            above = places.get(parent, _UNSEEN)
            if above is _UNSEEN:
                above = self.place(parent)
            if above is None or above is _ANYWHERE:
                found = above if _qcvn(tag) else _FOREIGN
            elif above is _FOREIGN:
                found = _FOREIGN
            else:
                found = above.kids.get(tag)  # type: ignore[arg-type]
                if found is None:
                    if _qcvn(tag):
                        self.unread.append(("DF-ENV-091", element))
                    else:
                        found = _FOREIGN
                # Speed: lxml's tag matcher (in C) looks for an earlier copy of a singleton.
                elif not found.repeats and next(
                        element.itersiblings(*found.same, preceding=True), None) is not None:
                    self.unread.append(("DF-ENV-092", element))
                    found = None
        places[element] = found
        return found


class TreeSpec:
    """Which elements the rules read, worked out once: the tags lxml filters on, in C.

    Parameters
    ----------
    names
        The canonical local names the rules look up, as fields or as parents of fields.
    aliases
        Other spellings accepted for them (``TimeStamp`` for ``Timestamp``).
    """

    __slots__ = ("aliases", "name_of", "roots", "tags")

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
        self.roots = _roots(aliases)


class Tree:
    """The elements the rules read, by parent element and by (parent local name, name).

    Speed: one ``root.iter()`` over the QCVN elements, a dict lookup of each tag, and for each
    of the few dozen elements the rules read one ``getparent()`` and one dict entry under
    (parent, name); a parent's name is worked out once, however many children it has. The
    index by (parent name, name) is put together from that on first use, and no element path
    or line is computed until a rule has something to report.
    """

    __slots__ = ("_groups", "_kids", "_names", "hidden", "root", "unread")

    def __init__(self, root: etree._Element, spec: TreeSpec) -> None:
        self.root = root
        name_of = spec.name_of.get
        aliases = spec.aliases
        kids: dict[tuple[etree._Element | None, str], list[etree._Element]] = {}
        groups: dict[tuple[str, str], list[list[etree._Element]]] = {}
        kids_get = kids.get
        names: set[str] = set()
        self.hidden: list[etree._Element] = []
        places = _Places(spec.roots)
        known = places.places
        unread = places.unread
        for element in root.iter(*spec.tags):
            tag = element.tag
            name = name_of(tag)  # type: ignore[arg-type]
            if name is None:
                continue  # an element no rule reads
            parent = element.getparent()
            # Only the fields at a path the parser reads, and only the first of a part that
            # occurs once: what the reader sees. A copy below a foreign element (an extension
            # the schema lets through) is DF-ENV-090, each; one elsewhere (a legacy
            # Signature's any content) DF-ENV-091, and a second copy DF-ENV-092, once at the
            # outermost element the parser does not read.
            above = known.get(parent, _UNSEEN)
            if above is _UNSEEN:
                above = places.place(parent)  # type: ignore[arg-type]
            if above is None:
                continue  # below an unread element, reported once at the outermost one
            if above is _FOREIGN:
                self.hidden.append(element)
                continue
            here = above.kids.get(tag)  # type: ignore[arg-type]
            if here is None:
                unread.append(("DF-ENV-091", element))
                known[element] = None
                continue
            key = (parent, name)
            siblings = kids_get(key)
            if siblings is not None:
                if not here.repeats:
                    unread.append(("DF-ENV-092", element))
                    known[element] = None
                    continue
                siblings.append(element)
            else:
                siblings = kids[key] = [element]
                names.add(name)
                parent_name = above.name
                if parent_name is None:  # below a root the parser refuses: as spelled
                    parent_tag = parent.tag  # type: ignore[union-attr]
                    local = parent_tag.rpartition("}")[2] if isinstance(parent_tag, str) else ""
                    parent_name = aliases.get(local, local)
                # The sibling lists of every parent of that name: the list itself, which
                # later siblings are appended to.
                group = groups.get((parent_name, name))
                if group is None:
                    groups[(parent_name, name)] = [siblings]
                else:
                    group.append(siblings)
            # Speed: the place of a field that holds fields is known here, in document
            # order, before its children ask for it; a leaf's is never asked for.
            if here.kids:
                known[element] = here
        self.unread = unread
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
