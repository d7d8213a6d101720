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
from docflow.envelope.layout import Block, Kind, Part
from docflow.envelope.model import NS, Message
from docflow.envelope.status import StatusCode
from docflow.errors import Finding, InputError, Location
from docflow.xmlsafe import DEFAULT_LIMITS, XmlLimits, element_path, parse_xml, read_bytes

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
        return self.model.__class__.__name__ == "StatusMessage"


def message_kind(root: etree._Element) -> str:
    """``"status"`` if the header holds a ``Status`` block, else ``"document"``.

    Looks by local name, so a message with a spelling or namespace variant is still classified.
    """
    for envelope in root:
        if _local(envelope) != "edXMLEnvelope":
            continue
        for header in envelope:
            if _local(header) != "edXMLHeader":
                continue
            for child in header:
                if _local(child) == "Status":
                    return "status"
    return "document"


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
    block = lay.STATUS if message_kind(root) == "status" else lay.DOCUMENT
    model = reader.block(root, block)
    return ParsedEnvelope(model, root, tuple(reader.findings))


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag[tag.index("}") + 1:] if tag[0] == "{" else tag


@dataclass
class _Reader:
    """Per-call state of one parse: the findings and which once-only ones were given."""

    where: str | None
    findings: list[Finding] = field(default_factory=list)
    said: set[str] = field(default_factory=set)

    def add(self, code: str, element: etree._Element, message: str, *, once: bool = False) -> None:
        if once:
            if code in self.said:
                return
            self.said.add(code)
        self.findings.append(Finding(code, message, Location(
            file=self.where, line=element.sourceline, path=element_path(element))))

    def block(self, element: etree._Element, block: Block) -> Any:
        values: dict[str, Any] = {}
        for part in block.parts:
            if part.kind is Kind.ATTR:
                value = element.get(part.tag)
                if value is not None:
                    values[part.attr or ""] = value
        self.children(element, block.parts, block.index, values)
        for attr, part in lay.fields_of(block):
            if attr not in values:
                values[attr] = lay.default_for(part)
            elif part.kind is Kind.REPEAT:
                values[attr] = tuple(values[attr])
        return block.cls(**values)

    def children(self, element: etree._Element, parts: tuple[Part, ...],
                 index: dict[str, tuple[int, Part, bool]], values: dict[str, Any]) -> None:
        seen: set[int] = set()
        last = -1
        reordered = False
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue  # comments and processing instructions
            if tag.startswith(_NS_BRACE):
                local = tag[len(_NS_BRACE):]
            elif tag[0] == "{":
                if tag != _DSIG_SIGNATURE:
                    self.add("DF-ENV-006", child, f"<{etree.QName(child).localname}> in the "
                             f"namespace {etree.QName(child).namespace!r} is not part of edXML; "
                             "ignored")
                continue
            else:
                local = tag
                self.add("DF-ENV-003", child, f"<{local}> has no namespace; edXML elements are "
                         f"in {NS!r} (read anyway)", once=True)
            entry = index.get(local)
            if entry is None:
                self.add("DF-ENV-006", child, f"<{local}> is not an element of "
                         f"<{_local(element)}> in QCVN 102; ignored")
                continue
            pos, part, alias = entry
            if alias:
                self.add("DF-ENV-008", child, f"<{local}> is read as QCVN 102's <{part.tag}>")
            if pos < last and not reordered:
                reordered = True
                self.add("DF-ENV-007", child, f"<{local}> comes after <{parts[last].tag}> in "
                         f"<{_local(element)}>; QCVN 102 puts it before (accepted)")
            last = max(last, pos)
            kind = part.kind
            if kind is Kind.SKIP:
                continue
            if kind is Kind.REPEAT:
                assert part.block is not None
                values.setdefault(part.attr or "", []).append(self.block(child, part.block))
                seen.add(pos)
                continue
            if pos in seen:
                self.add("DF-ENV-005", child, f"<{part.tag}> appears more than once in "
                         f"<{_local(element)}>; the first is used")
                continue
            seen.add(pos)
            if kind is Kind.GROUP:
                self.children(child, part.parts, lay.group_index(part), values)
            elif kind is Kind.TEXT or kind is Kind.STATUS:
                text = child.text or ""
                if part.required and not part.empty_ok and not text.strip():
                    self.add("DF-ENV-010", child, f"<{part.tag}> is required but empty")
                values[part.attr or ""] = (StatusCode.lookup(text) or text) \
                    if kind is Kind.STATUS else text
            elif kind is Kind.BLOCK:
                assert part.block is not None
                values[part.attr or ""] = self.block(child, part.block)
            elif kind is Kind.TEXTS:
                values[part.attr or ""] = tuple(self.items(child, part, lambda e: e.text or ""))
            elif kind is Kind.BLOCKS:
                block = part.block
                assert block is not None
                values[part.attr or ""] = tuple(self.items(
                    child, part, lambda e, b=block: self.block(e, b)))
        for pos, part in enumerate(parts):
            if part.required and pos not in seen and part.kind is not Kind.ATTR:
                self.add("DF-ENV-004", element, f"<{_local(element)}> has no <{part.tag}>, "
                         "which QCVN 102 requires")

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
