"""Read an edXML message from bytes into the model, tolerating what field messages do.

Messages from the field differ from QCVN 102 in ways that do not change their meaning, and the
parser accepts them, reporting each as a finding rather than failing:

* children in another order (``DocumentId`` last, ``StaffInfo`` first): ``DF-ENV-007`` warning;
* other spellings (``Business`` for ``Bussiness``, ``Manifest`` for ``edXMLManifest``,
  ``TimeStamp``): ``DF-ENV-008`` warning;
* elements without a namespace inside an edXML message: ``DF-ENV-003``;
* elements docflow does not know (a vendor extension): ``DF-ENV-006`` warning, ignored;
* legacy ``Signature``/``DigitalSignature`` elements and XML-DSig ``Signature`` elements are
  left in the tree for the signature checks, silently.

What is missing or doubled is reported (``DF-ENV-004``, ``DF-ENV-005``, ``DF-ENV-010``) and the
model still comes back, with ``""`` for a missing required text, so the business rules can run.
Only input that is not XML, or XML that is not an ``edXML`` message at all, raises
:class:`~docflow.errors.InputError`.

The lxml root stays available in :class:`ParsedEnvelope`, for callers that need source lines or
the signatures.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from docflow.envelope import layout as lay
from docflow.envelope.collect import Collector
from docflow.envelope.kind import MessageKind, kind_finding, message_kind, read_kind
from docflow.envelope.layout import Block, Kind, Part
from docflow.envelope.model import NS, Message, StatusMessage
from docflow.envelope.status import StatusCode
from docflow.errors import Finding, InputError, Location
from docflow.xmlsafe import DEFAULT_LIMITS, XmlLimits, parse_xml, read_bytes, text_content

__all__ = ["DSIG_NS", "ParsedEnvelope", "message_kind", "parse_envelope", "parse_tree",
           "read_envelope"]

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
_NS_BRACE = "{" + NS + "}"
_DSIG_SIGNATURE = "{" + DSIG_NS + "}Signature"


@dataclass(frozen=True, slots=True)
class ParsedEnvelope:
    """A parsed message: the model, the tree it came from, and what the parser noticed."""

    model: Message
    """An :class:`~docflow.envelope.model.Envelope` or a
    :class:`~docflow.envelope.model.StatusMessage`."""
    root: etree._Element
    """The ``edXML`` root element, with source lines."""
    findings: tuple[Finding, ...] = ()
    """Structural findings (``DF-ENV-003`` … ``DF-ENV-010``), in document order."""

    @property
    def is_status(self) -> bool:
        """True for a status message."""
        return isinstance(self.model, StatusMessage)


def parse_envelope(data: bytes, *, where: str | None = None,
                   limits: XmlLimits = DEFAULT_LIMITS) -> ParsedEnvelope:
    """Parse an edXML document or status message from ``data``.

    Parameters
    ----------
    data
        The message as bytes (UTF-8).
    where
        A file name for the findings' locations.
    limits
        Size and depth limits of the hardened parser.

    Returns
    -------
    ParsedEnvelope
        The model, the lxml root, and the structural findings.

    Raises
    ------
    InputError
        ``DF-IO-*``/``DF-XML-*`` from :func:`docflow.xmlsafe.parse_xml` when the bytes are not
        safe, well-formed XML; ``DF-ENV-002`` when the root element is not ``edXML``.

    Examples
    --------
    >>> from docflow.envelope.builder import build
    >>> from docflow.envelope.samples import example_document
    >>> parsed = parse_envelope(build(example_document()))
    >>> parsed.model == example_document(), parsed.findings
    (True, ())
    """
    return parse_tree(parse_xml(data, limits=limits, where=where), where=where)


def read_envelope(path: str | os.PathLike[str] | Path, *,
                  limits: XmlLimits = DEFAULT_LIMITS) -> ParsedEnvelope:
    """Read and parse a file (``-`` for standard input) with :func:`parse_envelope`."""
    name = os.fspath(path)
    where = "<stdin>" if name == "-" else name
    return parse_envelope(read_bytes(name, limits.max_bytes), where=where, limits=limits)


def parse_tree(root: etree._Element, *, where: str | None = None) -> ParsedEnvelope:
    """Build the model from an already parsed root element (see :func:`parse_envelope`)."""
    if not isinstance(root.tag, str) or _local(root) != "edXML":
        raise InputError("DF-ENV-002", f"the root element is <{_local(root)}>, not <edXML>: "
                         "this is not an edXML message",
                         Location(file=where, line=root.sourceline))
    reader = _Reader(where)
    if etree.QName(root).namespace != NS:
        reader.add("DF-ENV-003", root, f"the root element is in the namespace "
                   f"{etree.QName(root).namespace or '(none)'!r}, not {NS!r}", once=True)
    reading = read_kind(root)
    unknown = kind_finding(reading, where)
    if unknown is not None:
        reader.found.append(unknown)
    block = lay.STATUS if reading.layout is MessageKind.STATUS else lay.DOCUMENT
    model = reader.block(root, block)
    return ParsedEnvelope(model, root, tuple(reader.found.result()))


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag[tag.index("}") + 1:] if tag[0] == "{" else tag


@dataclass
class _Reader:
    """Per-call state of one parse: the findings and which once-only ones were given."""

    where: str | None
    found: Collector = field(init=False)

    def __post_init__(self) -> None:
        self.found = Collector(self.where)

    def add(self, code: str, element: etree._Element, message: str, *, once: bool = False) -> None:
        if once and self.found.said(code):
            return
        self.found.add(code, element, message)

    def block(self, element: etree._Element, block: Block) -> Any:
        values: dict[str, Any] = {}
        attrs, finish = _block_plan(block)
        for part in attrs:
            value = element.get(part.tag)
            if value is not None:
                values[part.attr or ""] = value
        self.children(element, block.parts, block.index, values)
        for attr, part in finish:
            value = values.get(attr)
            if value is None:
                values[attr] = lay.default_for(part)
            elif part.kind is Kind.REPEAT:
                values[attr] = tuple(value)
        return block.cls(**values)

    def children(self, element: etree._Element, parts: tuple[Part, ...],
                 index: dict[str, tuple[int, Part, bool]], values: dict[str, Any]) -> None:
        clark = _clark_index(parts, index)
        seen: set[int] = set()
        last = -1
        reordered = False
        for child in element:
            tag = child.tag
            # The common case, one lookup: a known tag in the QCVN namespace.
            entry = clark.get(tag) if isinstance(tag, str) else None
            if entry is None:
                entry = self.odd_child(element, child, index)
                if entry is None:
                    continue
            pos, part, alias = entry
            if alias:
                self.add("DF-ENV-008", child, f"<{_local(child)}> is read as QCVN 102's "
                         f"<{part.tag}>")
            if pos < last:
                if not reordered:
                    reordered = True
                    self.add("DF-ENV-007", child, f"<{_local(child)}> comes after "
                             f"<{parts[last].tag}> in <{_local(element)}>; QCVN 102 puts it "
                             "before (accepted)")
            else:
                last = pos
            kind = part.kind
            if kind is Kind.TEXT:
                if pos in seen:
                    self.duplicate(element, child, part)
                    continue
                seen.add(pos)
                text = (child.text or "") if len(child) == 0 else self.leaf_text(child)
                if part.required and not part.empty_ok and (not text or text.isspace()):
                    self.add("DF-ENV-010", child, f"<{part.tag}> is required but empty")
                values[part.attr or ""] = text
                continue
            if kind is Kind.REPEAT:
                assert part.block is not None
                values.setdefault(part.attr or "", []).append(self.block(child, part.block))
                seen.add(pos)
                continue
            if kind is Kind.SKIP:
                continue
            if pos in seen:
                self.duplicate(element, child, part)
                continue
            seen.add(pos)
            if kind is Kind.GROUP:
                self.children(child, part.parts, lay.group_index(part), values)
            elif kind is Kind.STATUS:
                text = (child.text or "") if len(child) == 0 else self.leaf_text(child)
                if not text.strip():
                    self.add("DF-ENV-010", child, f"<{part.tag}> is required but empty")
                values[part.attr or ""] = StatusCode.lookup(text) or text
            elif kind is Kind.BLOCK:
                assert part.block is not None
                values[part.attr or ""] = self.block(child, part.block)
            elif kind is Kind.TEXTS:
                values[part.attr or ""] = tuple(self.items(child, part, self.leaf_text))
            elif kind is Kind.BLOCKS:
                block = part.block
                assert block is not None
                values[part.attr or ""] = tuple(self.items(
                    child, part, lambda e, b=block: self.block(e, b)))
        if len(seen) < len(parts):
            for pos, part in enumerate(parts):
                if part.required and pos not in seen and part.kind is not Kind.ATTR:
                    self.add("DF-ENV-004", element, f"<{_local(element)}> has no "
                             f"<{part.tag}>, which QCVN 102 requires")

    def odd_child(self, element: etree._Element, child: etree._Element,
                  index: dict[str, tuple[int, Part, bool]]) -> tuple[int, Part, bool] | None:
        """A child whose tag is not a known QCVN one: report it, and read it if it can be."""
        tag = child.tag
        if not isinstance(tag, str):
            return None  # comments and processing instructions
        if tag[0] == "{":
            if tag.startswith(_NS_BRACE):
                self.add("DF-ENV-006", child, f"<{_local(child)}> is not an element of "
                         f"<{_local(element)}> in QCVN 102; ignored")
            elif tag != _DSIG_SIGNATURE:
                self.add("DF-ENV-006", child, f"<{etree.QName(child).localname}> in the "
                         f"namespace {etree.QName(child).namespace!r} is not part of edXML; "
                         "ignored")
            return None
        self.add("DF-ENV-003", child, f"<{tag}> has no namespace; edXML elements are in "
                 f"{NS!r} (read anyway)", once=True)
        entry = index.get(tag)
        if entry is None:
            self.add("DF-ENV-006", child, f"<{tag}> is not an element of <{_local(element)}> "
                     "in QCVN 102; ignored")
        return entry

    def leaf_text(self, leaf: etree._Element) -> str:
        """The whole text of a leaf (:func:`~docflow.xmlsafe.text_content`), across comments
        and processing instructions, as a signature over it saw it.

        An element inside a leaf is reported (``DF-ENV-009``); its text is part of the value,
        as it is of what was signed, so that no reader sees less than the signer did.
        """
        if len(leaf) == 0:
            return leaf.text or ""
        for sub in leaf:
            if isinstance(sub.tag, str):
                self.add("DF-ENV-009", sub, f"<{_local(leaf)}> holds a value but has a child "
                         f"<{_local(sub)}>; the child's text is read as part of the value")
        return text_content(leaf)

    def duplicate(self, element: etree._Element, child: etree._Element, part: Part) -> None:
        self.add("DF-ENV-005", child, f"<{part.tag}> appears more than once in "
                 f"<{_local(element)}>; the first is used")

    def items(self, wrapper: etree._Element, part: Part, read: Any) -> list[Any]:
        out = []
        for item in wrapper:
            if not isinstance(item.tag, str):
                continue
            qname = etree.QName(item)
            if qname.localname == part.item and qname.namespace in (NS, None):
                if qname.namespace is None:
                    self.add("DF-ENV-003", item, f"<{qname.localname}> has no namespace; edXML "
                             f"elements are in {NS!r} (read anyway)", once=True)
                out.append(read(item))
            else:
                self.add("DF-ENV-006", item, f"<{qname.localname}> is not an element of "
                         f"<{part.tag}> in QCVN 102; ignored")
        return out


_CLARK: dict[int, dict[str, tuple[int, Part, bool]]] = {}
_BLOCK_PLANS: dict[int, tuple[tuple[Part, ...], tuple[tuple[str, Part], ...]]] = {}


def _clark_index(parts: tuple[Part, ...],
                 index: dict[str, tuple[int, Part, bool]]) -> dict[str, tuple[int, Part, bool]]:
    """The index keyed by ``{namespace}name``, so a known child costs one lookup (built once)."""
    found = _CLARK.get(id(parts))
    if found is None:
        found = _CLARK[id(parts)] = {_NS_BRACE + local: entry for local, entry in index.items()}
    return found


def _block_plan(block: Block) -> tuple[tuple[Part, ...], tuple[tuple[str, Part], ...]]:
    """A block's attribute parts, and the fields to complete after reading (built once).

    Only required fields (which get a placeholder when missing) and repeated ones (a list to
    turn into a tuple) need work; optional fields fall back to the dataclass defaults.
    """
    found = _BLOCK_PLANS.get(id(block))
    if found is None:
        attrs = tuple(p for p in block.parts if p.kind is Kind.ATTR)
        finish = tuple((attr, part) for attr, part in lay.fields_of(block)
                       if part.required or part.kind is Kind.REPEAT)
        found = _BLOCK_PLANS[id(block)] = (attrs, finish)
    return found

