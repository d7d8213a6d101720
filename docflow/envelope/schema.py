"""Check an edXML message against the XSDs in ``schemas/``, as findings.

The XSDs are strict: each block is a sequence in QCVN 102's order. Field messages often use
another order or spelling (``DocumentId`` last, ``Business``), which changes nothing in their
meaning; such a message is reported, not failed. :func:`schema_findings` first walks the tree
with the same layout table as the parser; if it finds variants, it reports each one as a warning
(``DF-ENV-007`` order, ``DF-ENV-008`` spelling, ``DF-ENV-003`` missing namespace) and validates
a copy put into canonical order and spelling, so the XSD judges only what is really wrong.
A message that is valid as it stands (all that docflow writes) is checked by libxml2 alone: the
walk runs only when the strict schema fails.

Each XSD error becomes one finding with the line and element path: ``DF-ENV-004`` a required
element is missing, ``DF-ENV-005`` one is repeated, ``DF-ENV-009`` text where children belong or
the reverse, ``DF-ENV-010`` a required value is blank, ``DF-ENV-001`` anything else (an element
QCVN 102 does not have, a duplicate ``Id``).

The schemas are compiled once, on first use, from the files shipped in the package (a symlink
``docflow/schemas`` to ``schemas/`` in the source tree). The shared types file is inlined rather
than included, so compiling a schema never opens a file or URL on libxml2's behalf.
"""

from __future__ import annotations

import copy
import functools
import re
from importlib import resources

from lxml import etree

from docflow.envelope import layout as lay
from docflow.envelope.collect import Collector
from docflow.envelope.kind import MessageKind, kind_finding, read_kind
from docflow.envelope.layout import Kind, Part
from docflow.envelope.model import NS
from docflow.errors import Finding, Location
from docflow.xmlsafe import element_path, parse_xml

__all__ = ["SCHEMA_FILES", "schema_findings", "schema_for", "schema_text"]

#: The XSD of each message kind, in ``schemas/``.
SCHEMA_FILES = {"document": "edxml-envelope.xsd", "status": "edxml-status.xsd"}
_COMMON = "edxml-common.xsd"
_XS = "http://www.w3.org/2001/XMLSchema"
_NSB = "{" + NS + "}"


def schema_text(name: str) -> bytes:
    """The bytes of one of the shipped XSD files (``edxml-envelope.xsd``…)."""
    return resources.files("docflow").joinpath("schemas", name).read_bytes()


@functools.cache
def schema_for(kind: str) -> etree.XMLSchema:
    """The compiled schema of ``"document"`` or ``"status"`` messages, built on first use."""
    main = parse_xml(schema_text(SCHEMA_FILES[kind]))
    common = parse_xml(schema_text(_COMMON))
    for include in main.findall(f"{{{_XS}}}include"):
        main.remove(include)
    for child in common:
        if isinstance(child.tag, str):
            main.append(copy.deepcopy(child))
    return etree.XMLSchema(main)


def schema_findings(root: etree._Element, *, where: str | None = None,
                    kind: MessageKind | None = None) -> list[Finding]:
    """Validate a parsed message against the XSD of its kind.

    Parameters
    ----------
    root
        The root element from :func:`docflow.xmlsafe.parse_xml` (with source lines).
    where
        A file name for the findings' locations.
    kind
        The message's kind if the caller has it already; otherwise it is read with
        :func:`~docflow.envelope.kind.read_kind`, and a kind that cannot be told is reported
        (``DF-ENV-080``) and checked against the document XSD.

    Returns
    -------
    list of Finding
        Warnings for field variants, then one finding per XSD error; empty if valid.

    Examples
    --------
    >>> from docflow.envelope.builder import build_tree
    >>> from docflow.envelope.samples import example_document
    >>> schema_findings(build_tree(example_document()))
    []
    >>> from docflow.xmlsafe import parse_xml
    >>> [f.code for f in schema_findings(parse_xml(b'<edXML xmlns="urn:x"/>'))]
    ['DF-ENV-003']
    """
    if not isinstance(root.tag, str) or root.tag != _NSB + "edXML":
        qname = etree.QName(root) if isinstance(root.tag, str) else None
        loc = Location(file=where, line=root.sourceline, path=element_path(root))
        if qname is not None and qname.localname == "edXML":
            return [Finding("DF-ENV-003", f"the root element is in the namespace "
                            f"{qname.namespace or '(none)'!r}, not {NS!r}; the schema cannot "
                            "be applied", loc)]
        return [Finding("DF-ENV-002", "the root element is not edXML; the schema cannot be "
                        "applied", loc)]
    found = Collector(where)
    if kind is None:
        reading = read_kind(root)
        unknown = kind_finding(reading, where)
        if unknown is not None:
            found.append(unknown)
        kind = reading.layout
    schema = schema_for(kind)
    # Fast path: the strict schema accepts no variant, so a valid tree has none to report and
    # the walk below (several times the cost of libxml2's validation) is skipped.
    if schema.validate(root):
        return found.result()
    block = lay.STATUS if kind == "status" else lay.DOCUMENT
    scan = _Scan(found)
    scan.container(root, block.parts, block.index)
    if scan.fix:
        target = copy.deepcopy(root)
        _canonicalise(target, block.parts, block.index)
        if schema.validate(target):
            return found.result()
    for error in schema.error_log:
        found.append(_finding(error, where))
    return found.result()


class _Scan:
    """Finds order, spelling and namespace variants, without changing the tree."""

    def __init__(self, found: Collector) -> None:
        self.found = found
        self.fix = False

    def add(self, code: str, element: etree._Element, message: str) -> None:
        self.found.add(code, element, message)

    def container(self, element: etree._Element, parts: tuple[Part, ...],
                  index: dict[str, tuple[int, Part, bool]]) -> None:
        last = -1
        reported = False
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag.startswith(_NSB):
                local = tag[len(_NSB):]
            elif tag[0] == "{":
                continue  # another namespace: the schema decides (signatures are allowed)
            else:
                local = tag
                if local in index:
                    self.fix = True
                    if not self.found.said("DF-ENV-003"):
                        self.add("DF-ENV-003", child, f"<{local}> has no namespace; edXML "
                                 f"elements are in {NS!r}")
            entry = index.get(local)
            if entry is None:
                continue  # unknown: the schema reports it
            pos, part, alias = entry
            if alias:
                self.fix = True
                self.add("DF-ENV-008", child, f"<{local}> is QCVN 102's <{part.tag}> "
                         "spelled as some field software writes it (accepted)")
            if pos < last:
                self.fix = True
                if not reported:
                    reported = True
                    self.add("DF-ENV-007", child, f"<{local}> comes after <{parts[last].tag}>"
                             f" in <{etree.QName(element).localname}>; QCVN 102 puts it "
                             "before (accepted)")
            last = max(last, pos)
            self.descend(child, part)

    def descend(self, child: etree._Element, part: Part) -> None:
        kind = part.kind
        if kind is Kind.GROUP:
            self.container(child, part.parts, lay.group_index(part))
        elif kind in (Kind.BLOCK, Kind.REPEAT):
            assert part.block is not None
            self.container(child, part.block.parts, part.block.index)
        elif kind is Kind.BLOCKS:
            assert part.block is not None
            for item in child:
                if isinstance(item.tag, str):
                    self.container(item, part.block.parts, part.block.index)


def _canonicalise(element: etree._Element, parts: tuple[Part, ...],
                  index: dict[str, tuple[int, Part, bool]]) -> None:
    """Put a copy's children in canonical order and spelling, in place."""
    keyed = []
    for n, child in enumerate(element):
        tag = child.tag
        pos = len(parts) + 1
        part = None
        if isinstance(tag, str):
            local = tag[len(_NSB):] if tag.startswith(_NSB) else (tag if tag[0] != "{" else None)
            entry = index.get(local) if local is not None else None
            if entry is not None:
                pos, part, _alias = entry
                if tag != _NSB + part.tag:
                    child.tag = _NSB + part.tag
        keyed.append((pos, n, child, part))
    keyed.sort(key=lambda k: (k[0], k[1]))
    for _pos, _n, child, part in keyed:
        element.append(child)  # moving in sorted order reorders in place
        if part is None:
            continue
        if part.kind is Kind.GROUP:
            _canonicalise(child, part.parts, lay.group_index(part))
        elif part.kind in (Kind.BLOCK, Kind.REPEAT):
            assert part.block is not None
            _canonicalise(child, part.block.parts, part.block.index)
        elif part.kind in (Kind.BLOCKS, Kind.TEXTS):
            for item in child:
                if isinstance(item.tag, str) and item.tag == part.item:
                    item.tag = _NSB + item.tag
                if part.kind is Kind.BLOCKS and isinstance(item.tag, str):
                    assert part.block is not None
                    _canonicalise(item, part.block.parts, part.block.index)


_CLARK = re.compile(r"\{" + re.escape(NS) + r"\}")
_PREFIX = re.compile(r"(?<=/)[A-Za-z_][\w.-]*:")


def _finding(error: etree._LogEntry, where: str | None) -> Finding:
    text = error.message
    message = _CLARK.sub("edXML:", text)
    path = _PREFIX.sub("", error.path) if error.path else None
    code = "DF-ENV-001"
    if "Missing child element" in text:
        code = "DF-ENV-004"
    elif "This element is not expected" in text:
        code = _unexpected(text, path)
    elif "content is not allowed" in text or "Character content" in text:
        code = "DF-ENV-009"
    elif "[facet 'minLength']" in text:  # NonEmpty: blank text where a value is required
        code = "DF-ENV-010"
        message = f"<{_element_name(text)}> is blank; QCVN 102 requires a value here"
    return Finding(code, message, Location(file=where, line=error.line or None, path=path))


_ELEMENT = re.compile(r"^Element '(?:\{[^}]*\})?([^']+)'")


def _element_name(text: str) -> str:
    """The local name of the element a libxml2 message is about (``"?"`` if it names none)."""
    match = _ELEMENT.match(text)
    return match.group(1) if match else "?"


_UNEXPECTED = re.compile(r"^Element '\{" + re.escape(NS) + r"\}([^']+)': This element is not "
                         r"expected")


def _unexpected(text: str, path: str | None) -> str:
    """Tell a repeated element, a missing one and an unknown one apart.

    libxml2 says "not expected" in all three cases. In a copy in canonical order, a known
    element that is not expected is either a repeat (a same-named sibling precedes it, so its
    path ends in ``[2]`` or more) or stands where a required element is missing.
    """
    match = _UNEXPECTED.match(text)
    if not match or match.group(1) not in _KNOWN:
        return "DF-ENV-001"
    if path and re.search(r"\[([2-9]|\d\d+)\]$", path):
        return "DF-ENV-005"
    return "DF-ENV-004"


def _known_tags() -> frozenset[str]:
    tags: set[str] = set()

    def walk(parts: tuple[Part, ...]) -> None:
        for part in parts:
            if part.kind is Kind.ATTR:
                continue
            tags.add(part.tag)
            if part.item:
                tags.add(part.item)
            if part.block is not None:
                walk(part.block.parts)
            walk(part.parts)

    walk(lay.DOCUMENT.parts)
    walk(lay.STATUS.parts)
    return frozenset(tags)


_KNOWN = _known_tags()
