"""The one hardened XML parser that every part of docflow uses.

Envelopes arrive from other agencies and from the open internet, so the parser refuses what an
attacker could use and what edXML never needs:

* no DTD at all (``<!DOCTYPE`` is refused before libxml2 sees it), hence no entity declarations,
  no billion-laughs or quadratic-blowup expansion and no external entity (``file:///etc/passwd``);
* no network access, no XInclude, no entity resolution even for undeclared references;
* UTF-8 only (QCVN 102 messages are UTF-8); another declared encoding or a UTF-16/32 byte order
  mark is refused rather than guessed;
* a size limit checked before parsing, and a depth limit (libxml2's own limit of 256 levels for
  documents under 10 MB; an explicit walk for larger ones, which need libxml2's huge mode only
  because a base64 attachment can exceed its 10 MB text-node limit).

Everything refused raises :class:`~docflow.errors.InputError` with a stable ``DF-XML`` code and
the line, never an lxml traceback.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from lxml import etree

from docflow.errors import InputError, Location

__all__ = ["XmlLimits", "element_path", "parse_xml", "read_limited", "read_xml",
           "text_content"]

_LIBXML_TEXT_LIMIT = 10_000_000
"""libxml2 refuses a single text node above this size unless huge mode is on."""

_LIBXML_DEPTH_LIMIT = 256
"""libxml2's depth limit outside huge mode (2048 inside it)."""


@dataclass(frozen=True, slots=True)
class XmlLimits:
    """Limits the parser enforces; the defaults fit the largest real edXML messages."""

    max_bytes: int = 64 * 1024 * 1024
    """64 MiB: the national axis caps a message with its attachments well below this, and a
    larger input is far more likely to be an attack or a mistake than a document."""
    max_depth: int = 256
    """An edXML message is about 8 levels deep; 256 matches libxml2's own default limit."""


DEFAULT_LIMITS = XmlLimits()

# Built once: constructing an XMLParser costs more than parsing a small envelope.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          dtd_validation=False, huge_tree=False, collect_ids=False)
_HUGE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                               dtd_validation=False, huge_tree=True, collect_ids=False)

_XML_DECL = re.compile(rb"<\?xml\s[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_UTF8_NAMES = {b"utf-8", b"utf8"}
_BOMS = {b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16", b"\x00\x00\xfe\xff": "UTF-32",
         b"\xff\xfe\x00\x00": "UTF-32"}


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _check_prolog(data: bytes, where: str | None) -> None:
    """Refuse a DOCTYPE or a non-UTF-8 encoding by reading only the prolog.

    The prolog is whatever precedes the root element: an XML declaration, comments, processing
    instructions and whitespace. A DTD can only stand there, so scanning it is exact and cheap.
    """
    for bom, name in _BOMS.items():
        if data.startswith(bom):
            raise InputError("DF-XML-005", f"the document is {name}; edXML must be UTF-8",
                             Location(file=where, line=1))
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    decl = _XML_DECL.match(data, pos)
    if decl and decl.group(1).lower() not in _UTF8_NAMES:
        raise InputError("DF-XML-005",
                         f"the document declares encoding {decl.group(1).decode('ascii')!r}; "
                         "edXML must be UTF-8", Location(file=where, line=1))
    n = len(data)
    while pos < n:
        ch = data[pos]
        if ch in b" \t\r\n":
            pos += 1
            continue
        if data.startswith(b"<?", pos):
            end = data.find(b"?>", pos)
            if end < 0:
                return  # libxml2 reports the truncation with its line
            pos = end + 2
        elif data.startswith(b"<!--", pos):
            end = data.find(b"-->", pos)
            if end < 0:
                return
            pos = end + 3
        elif data.startswith(b"<!", pos):
            raise InputError("DF-XML-002", "the document has a DTD (<!DOCTYPE ...>); DTDs and "
                             "entity declarations are refused",
                             Location(file=where, line=_line_at(data, pos)))
        else:
            return


def _at_end(data: bytes, line: int | None, column: int | None) -> bool:
    """Whether libxml2 stopped on the last line, at or past its last character: the input
    ran out, rather than holding a mistake (a file cut inside a tag gives "AttValue: '
    expected" or "Couldn't find end of Start Tag", not "Premature end of data")."""
    if not line or column is None:
        return False
    stripped = data.rstrip()
    if line != stripped.count(b"\n") + 1:
        return False
    last = stripped[stripped.rfind(b"\n") + 1:]
    return column >= len(last.decode("utf-8", "replace"))


def _map_syntax_error(exc: etree.XMLSyntaxError, where: str | None,
                      data: bytes = b"") -> InputError:
    msg = (exc.msg or str(exc)).strip()
    line = exc.lineno or None
    low = msg.lower()
    if "depth" in low:
        code = "DF-XML-004"
    elif "entity" in low:
        code = "DF-XML-003"
    elif "encoding" in low or "utf-8" in low or "invalid char" in low or "char 0x" in low:
        code = "DF-XML-005"
    elif "premature end" in low or "document is empty" in low or ("not found" in low \
            and "end" in low) or ("mismatch" not in low
                                  and _at_end(data, line, getattr(exc, "offset", None))):
        code = "DF-XML-006"
    else:
        code = "DF-XML-001"
    return InputError(code, msg, Location(file=where, line=line))


def _too_deep(root: etree._Element, limit: int) -> etree._Element | None:
    depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            depth += 1
            if depth > limit:
                return element
        else:
            depth -= 1
    return None


def parse_xml(data: bytes, *, limits: XmlLimits = DEFAULT_LIMITS,
              where: str | None = None) -> etree._Element:
    """Parse ``data`` safely and return the root element.

    Parameters
    ----------
    data
        The whole document.
    limits
        Size and depth limits.
    where
        A file name for error locations.

    Raises
    ------
    InputError
        ``DF-IO-003`` empty, ``DF-IO-002`` too large, ``DF-XML-001`` not well-formed,
        ``DF-XML-002`` DTD, ``DF-XML-003`` entity, ``DF-XML-004`` too deep, ``DF-XML-005``
        not UTF-8, ``DF-XML-006`` truncated.

    Examples
    --------
    >>> parse_xml(b"<a><b>x</b></a>").findtext("b")
    'x'
    >>> parse_xml(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')
    Traceback (most recent call last):
    docflow.errors.InputError: DF-XML-002 line 1: the document has a DTD (<!DOCTYPE ...>); ...
    """
    if not data or data.isspace():  # isspace() stops at the first other byte; strip() copies
        raise InputError("DF-IO-003", "the input is empty", Location(file=where))
    if len(data) > limits.max_bytes:
        raise InputError("DF-IO-002", f"the input is {len(data):,} bytes, above the limit of "
                         f"{limits.max_bytes:,}", Location(file=where))
    _check_prolog(data, where)
    nul = data.find(b"\x00")
    if nul >= 0:
        # NUL is no XML character at all: this is UTF-16/32 without a byte order mark (which
        # libxml2 would otherwise detect and read, although edXML is UTF-8) or binary data.
        raise InputError("DF-XML-005", "the input holds NUL bytes: it is UTF-16/32 without a "
                         "byte order mark, or binary data, not UTF-8 XML",
                         Location(file=where, line=_line_at(data, nul)))
    huge = len(data) > _LIBXML_TEXT_LIMIT
    try:
        root = etree.fromstring(data, _HUGE_PARSER if huge else _PARSER)
    except etree.XMLSyntaxError as exc:
        raise _map_syntax_error(exc, where, data) from None
    if huge or limits.max_depth < _LIBXML_DEPTH_LIMIT:
        deep = _too_deep(root, limits.max_depth)
        if deep is not None:
            raise InputError("DF-XML-004", f"elements nest deeper than {limits.max_depth} levels",
                             Location(file=where, line=deep.sourceline))
    return root


def read_limited(stream: BinaryIO, limit: int, where: str | None = None) -> bytes:
    """Read at most ``limit`` bytes; a longer stream is refused without reading it all."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError("DF-IO-002", f"the input is larger than the limit of {limit:,} bytes",
                         Location(file=where))
    return data


def read_bytes(path: str | os.PathLike[str], limit: int) -> bytes:
    """Read a file (``-`` for standard input) of at most ``limit`` bytes."""
    name = os.fspath(path)
    if name == "-":
        return read_limited(sys.stdin.buffer, limit, "<stdin>")
    try:
        size = os.stat(name).st_size
        if size > limit:
            raise InputError("DF-IO-002", f"the file is {size:,} bytes, above the limit of "
                             f"{limit:,}", Location(file=name))
        with open(name, "rb") as handle:
            return read_limited(handle, limit, name)
    except OSError as exc:
        raise InputError("DF-IO-001", f"cannot read: {exc.strerror or exc}",
                         Location(file=name)) from None


def read_xml(path: str | os.PathLike[str] | Path, *,
             limits: XmlLimits = DEFAULT_LIMITS) -> etree._Element:
    """Read and parse a file (``-`` for standard input) with :func:`parse_xml`."""
    name = os.fspath(path)
    return parse_xml(read_bytes(name, limits.max_bytes), limits=limits,
                     where="<stdin>" if name == "-" else name)


def text_content(element: etree._Element) -> str:
    """The whole text of ``element``: every text node below it, in order (XPath's string
    value), without comments and processing instructions.

    What a signature covers is the canonical form, where exclusive C14N drops comments and
    writes CDATA and character references as plain text; so the value of a signed field is
    this, never ``element.text``, which stops at the first comment. Every reader of a value
    (the parser, the business rules, the signature profile's sender check) takes it from
    here, so that what is checked and what was signed are read alike.

    >>> from lxml import etree
    >>> text_content(etree.fromstring("<a>000.00.<!-- x -->00.<?p?>H49<![CDATA[]]></a>"))
    '000.00.00.H49'
    >>> text_content(etree.fromstring("<a>x<b>y</b>z</a>"))
    'xyz'
    """
    if len(element) == 0:  # speed: a leaf holding text alone, the common case
        return element.text or ""
    return "".join(element.itertext())


def element_path(element: etree._Element, *, below: etree._Element | None = None) -> str:
    """A readable path such as ``/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To[2]``.

    Local names only (the namespace is the same throughout an envelope); an index is added
    where siblings share a name, counting from 1 as XPath does. With ``below``, an ancestor of
    ``element``, the path starts under it (``""`` for ``below`` itself), so a caller that
    knows the ancestor's path does not walk up past it again.

    Speed: siblings are counted by lxml's own tag filter, in C, and only those before the
    element; a hostile message with thousands of same-named siblings costs one pass over
    them per path, not a Python object for each.

    >>> root = parse_xml(b"<a><b/><c/><b><d/></b></a>")
    >>> element_path(root[2][0])
    '/a/b[2]/d'
    >>> element_path(root[2][0], below=root[2])
    '/d'
    """
    parts: list[str] = []
    node: etree._Element | None = element
    while node is not None and node is not below:
        parts.append(_path_step(node))
        node = node.getparent()
    return "".join(f"/{part}" for part in reversed(parts))


def _path_step(node: etree._Element) -> str:
    """The last step of ``node``'s :func:`element_path`: its local name, with its index among
    same-named siblings where it has any (``To[2]``)."""
    tag = node.tag
    name = tag.rpartition("}")[2] if isinstance(tag, str) else "node()"
    if node.getparent() is not None:
        # A comment's or processing instruction's tag is the factory lxml filters them by.
        same = cast("str | Callable[..., etree._Element]", tag)
        before = len([None for _ in node.itersiblings(same, preceding=True)])
        if before or next(node.itersiblings(same), None) is not None:
            name += f"[{before + 1}]"
    return name
