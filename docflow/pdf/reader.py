"""A minimal reader of an existing PDF: what an incremental update needs, nothing more.

Signing a PDF appends to it (ISO 32000-1 §7.5.6): the signer must find the last
cross-reference section and the trailer (``/Root``, ``/Info``, ``/Size``, ``/ID``), the catalog,
the pages, the page the signature goes on and the existing form (``/AcroForm``) — and it must
read the existing signatures to keep the Decree's order. This reader follows the chain of
cross-reference tables and streams (with object streams), parses objects on demand, and
refuses anything else with ``DF-PDF-004`` and the byte offset. It does not judge the file:
verification has its own strict reader.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Any

from docflow.errors import InputError, Location
from docflow.pdf.objects import Name, Raw, Ref

__all__ = ["PdfFile", "Stream", "parse_pdf", "signature_fields"]

_WHITE = b" \t\r\n\x0c\x00"
_DELIM = b"()<>[]{}/%"
_TOKEN_END = re.compile(rb"[\s()<>\[\]{}/%]")
_NUMBER = re.compile(rb"[+-]?(\d+\.?\d*|\.\d+)")
_MAX_DEPTH = 64
_MAX_SECTIONS = 4096


@dataclass(frozen=True, slots=True)
class Stream:
    """A stream object: its dictionary and its raw (still encoded) data."""

    dict: dict[str, Any]
    raw: bytes

    def decoded(self) -> bytes:
        """The data with ``/FlateDecode`` (and a PNG predictor) undone; other filters refused."""
        data = self.raw
        filters = self.dict.get("Filter")
        names = [filters] if isinstance(filters, Name) else list(filters or [])
        for name in names:
            if name != Name("FlateDecode"):
                raise InputError("DF-PDF-005", f"stream filter /{getattr(name, 'value', name)} "
                                 "is not supported for signing")
            try:
                data = zlib.decompress(data)
            except zlib.error as exc:
                raise InputError("DF-PDF-004", f"a stream does not inflate: {exc}") from None
        params = self.dict.get("DecodeParms")
        if isinstance(params, dict) and int(params.get("Predictor", 1)) >= 10:
            data = _unpredict(data, int(params.get("Columns", 1)))
        return data


def _unpredict(data: bytes, columns: int) -> bytes:
    """Undo the PNG row predictors None, Sub and Up (what xref streams use)."""
    row = columns + 1
    out = bytearray()
    previous = bytearray(columns)
    for start in range(0, len(data) - row + 1, row):
        kind, line = data[start], bytearray(data[start + 1:start + row])
        if kind == 1:
            for i in range(1, columns):
                line[i] = (line[i] + line[i - 1]) & 0xFF
        elif kind == 2:
            for i in range(columns):
                line[i] = (line[i] + previous[i]) & 0xFF
        elif kind != 0:
            raise InputError("DF-PDF-005", f"PNG predictor {kind} is not supported for signing")
        out += line
        previous = line
    return bytes(out)


class _Lexer:
    """Parses one object at a time from ``data`` at ``pos``."""

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    def fail(self, message: str) -> InputError:
        return InputError("DF-PDF-004", message, Location(path=f"byte {self.pos}"))

    def skip(self) -> None:
        data, n = self.data, len(self.data)
        while self.pos < n:
            c = data[self.pos]
            if c in _WHITE:
                self.pos += 1
            elif c == 0x25:  # % comment to end of line
                while self.pos < n and data[self.pos] not in b"\r\n":
                    self.pos += 1
            else:
                return

    def word(self) -> bytes:
        self.skip()
        match = _TOKEN_END.search(self.data, self.pos)
        end = match.start() if match else len(self.data)
        token = self.data[self.pos:end]
        self.pos = end
        return token

    def value(self, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise self.fail("objects nest too deeply")
        self.skip()
        data = self.data
        if self.pos >= len(data):
            raise self.fail("the file ends inside an object")
        c = data[self.pos:self.pos + 1]
        if c == b"/":
            self.pos += 1
            match = _TOKEN_END.search(data, self.pos)
            end = match.start() if match else len(data)
            raw = data[self.pos:end]
            self.pos = end
            return Name(re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), raw)
                        .decode("utf-8", "replace"))
        if data.startswith(b"<<", self.pos):
            self.pos += 2
            out: dict[str, Any] = {}
            while True:
                self.skip()
                if data.startswith(b">>", self.pos):
                    self.pos += 2
                    return out
                key = self.value(depth + 1)
                if not isinstance(key, Name):
                    raise self.fail("a dictionary key is not a name")
                out[key.value] = self.value(depth + 1)
        if c == b"<":
            end = data.find(b">", self.pos)
            if end < 0:
                raise self.fail("a hex string is not closed")
            hexa = re.sub(rb"\s", b"", data[self.pos + 1:end])
            self.pos = end + 1
            try:
                return bytes.fromhex((hexa + b"0" * (len(hexa) % 2)).decode("ascii"))
            except ValueError:
                raise self.fail("a hex string holds a non-hex digit") from None
        if c == b"(":
            return self._literal()
        if c == b"[":
            self.pos += 1
            items: list[Any] = []
            while True:
                self.skip()
                if data.startswith(b"]", self.pos):
                    self.pos += 1
                    return items
                items.append(self.value(depth + 1))
        token = self.word()
        if not token:
            raise self.fail(f"unexpected {c!r}")
        if token == b"true":
            return True
        if token == b"false":
            return False
        if token == b"null":
            return None
        if not _NUMBER.fullmatch(token):
            raise self.fail(f"unexpected token {token[:20]!r}")
        if b"." in token:
            return Raw(token)  # kept as written, so that a rewritten dictionary is exact
        # An integer may start "n g R": look ahead without consuming if it does not.
        save = self.pos
        gen = self.word()
        if gen.isdigit():
            r = self.word()
            if r == b"R":
                return Ref(int(token), int(gen))
        self.pos = save
        return int(token)

    def _literal(self) -> bytes:
        data, out, depth = self.data, bytearray(), 0
        self.pos += 1
        escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b",
                   ord("f"): b"\f", ord("("): b"(", ord(")"): b")", ord("\\"): b"\\"}
        while self.pos < len(data):
            c = data[self.pos]
            self.pos += 1
            if c == 0x5C:
                e = data[self.pos] if self.pos < len(data) else 0
                self.pos += 1
                if e in escapes:
                    out += escapes[e]
                elif 0x30 <= e <= 0x37:
                    digits = bytes([e])
                    while len(digits) < 3 and self.pos < len(data) and \
                            0x30 <= data[self.pos] <= 0x37:
                        digits += data[self.pos:self.pos + 1]
                        self.pos += 1
                    out.append(int(digits, 8) & 0xFF)
                elif e == 0x0D and data[self.pos:self.pos + 1] == b"\n":
                    self.pos += 1
            elif c == 0x28:
                depth += 1
                out.append(c)
            elif c == 0x29:
                if depth == 0:
                    return bytes(out)
                depth -= 1
                out.append(c)
            else:
                out.append(c)
        raise self.fail("a literal string is not closed")


class PdfFile:
    """An existing PDF: its trailer, its objects by reference, its signature fields."""

    def __init__(self, data: bytes, where: str | None = None) -> None:
        self.data = data
        self.where = where
        self.trailer: dict[str, Any] = {}
        self.offsets: dict[int, tuple[int, int]] = {}
        """Object number → (0, byte offset) or (stream object number, index)."""
        self.startxref = 0
        self._cache: dict[int, Any] = {}
        self._read_xref()

    def _fail(self, message: str, offset: int | None = None) -> InputError:
        return InputError("DF-PDF-004", message, Location(
            file=self.where, path=None if offset is None else f"byte {offset}"))

    def _read_xref(self) -> None:
        data = self.data
        if not data.startswith(b"%PDF-"):
            raise self._fail("the file does not start with %PDF-", 0)
        tail = data[-2048:]
        at = tail.rfind(b"startxref")
        if at < 0:
            raise self._fail("no startxref near the end of the file", len(data))
        lex = _Lexer(data, len(data) - len(tail) + at + 9)
        token = lex.word()
        if not token.isdigit():
            raise self._fail("startxref is not followed by an offset", lex.pos)
        self.startxref = int(token)
        offset: int | None = self.startxref
        seen: set[int] = set()
        while offset is not None:
            if offset in seen or len(seen) > _MAX_SECTIONS or not 0 < offset < len(data):
                raise self._fail("the cross-reference chain loops or points outside the file",
                                 offset)
            seen.add(offset)
            trailer = self._section(offset)
            for key, value in trailer.items():
                self.trailer.setdefault(key, value)
            prev = trailer.get("Prev")
            offset = prev if isinstance(prev, int) else None
        if not isinstance(self.trailer.get("Root"), Ref):
            raise self._fail("the trailer has no /Root")
        if "Encrypt" in self.trailer:
            raise InputError("DF-PDF-005", "the PDF is encrypted; docflow signs only "
                             "unencrypted PDFs", Location(file=self.where))

    def _section(self, offset: int) -> dict[str, Any]:
        lex = _Lexer(self.data, offset)
        lex.skip()
        if self.data.startswith(b"xref", lex.pos):
            lex.pos += 4
            while True:
                lex.skip()
                if self.data.startswith(b"trailer", lex.pos):
                    lex.pos += 7
                    trailer = lex.value()
                    if not isinstance(trailer, dict):
                        raise self._fail("the trailer is not a dictionary", lex.pos)
                    return trailer
                first, count = lex.word(), lex.word()
                if not (first.isdigit() and count.isdigit()):
                    raise self._fail("bad cross-reference subsection header", lex.pos)
                for number in range(int(first), int(first) + int(count)):
                    lex.skip()
                    entry = self.data[lex.pos:lex.pos + 18]
                    lex.pos += 18
                    parts = entry.split()
                    if len(parts) != 3 or not parts[0].isdigit():
                        raise self._fail("bad cross-reference entry", lex.pos - 18)
                    if parts[2] == b"n":
                        self.offsets.setdefault(number, (0, int(parts[0])))
                    else:
                        self.offsets.setdefault(number, (-1, 0))
        stream = self._object_at(offset)
        if not isinstance(stream, Stream) or stream.dict.get("Type") != Name("XRef"):
            raise self._fail("startxref points at neither xref nor an xref stream", offset)
        widths = [int(w) for w in stream.dict.get("W", [])]
        if len(widths) != 3 or any(w < 0 or w > 8 for w in widths):
            raise self._fail("bad /W in the xref stream", offset)
        size = int(stream.dict.get("Size", 0))
        index = stream.dict.get("Index", [0, size])
        rows = stream.decoded()
        step, pos = sum(widths), 0
        for i in range(0, len(index) - 1, 2):
            for number in range(int(index[i]), int(index[i]) + int(index[i + 1])):
                row = rows[pos:pos + step]
                pos += step
                if len(row) < step:
                    raise self._fail("the xref stream is shorter than its /Index", offset)
                fields, at = [], 0
                for w in widths:
                    fields.append(int.from_bytes(row[at:at + w], "big") if w else None)
                    at += w
                kind = 1 if fields[0] is None else fields[0]
                if kind == 1:
                    self.offsets.setdefault(number, (0, fields[1] or 0))
                elif kind == 2:
                    self.offsets.setdefault(number, (fields[1] or 0, fields[2] or 0))
                else:
                    self.offsets.setdefault(number, (-1, 0))
        return stream.dict

    def _object_at(self, offset: int) -> Any:
        lex = _Lexer(self.data, offset)
        num, gen, keyword = lex.word(), lex.word(), lex.word()
        if not (num.isdigit() and gen.isdigit() and keyword == b"obj"):
            raise self._fail("no object where the cross-reference table points", offset)
        value = lex.value()
        lex.skip()
        if isinstance(value, dict) and self.data.startswith(b"stream", lex.pos):
            start = lex.pos + 6
            if self.data.startswith(b"\r\n", start):
                start += 2
            elif self.data.startswith(b"\n", start):
                start += 1
            length = value.get("Length")
            if isinstance(length, Ref):
                length = self.get(length)
            if not isinstance(length, int) or length < 0 or start + length > len(self.data):
                raise self._fail("a stream's /Length is missing or runs past the file", start)
            return Stream(value, self.data[start:start + length])
        return value

    def get(self, ref: Any) -> Any:
        """The object ``ref`` points at (``ref`` itself when it is not a reference)."""
        if not isinstance(ref, Ref):
            return ref
        if ref.num in self._cache:
            return self._cache[ref.num]
        where = self.offsets.get(ref.num)
        if where is None or where[0] < 0:
            value = None
        elif where[0] == 0:
            self._cache[ref.num] = None  # a reference loop reads as null, not as recursion
            value = self._object_at(where[1])
        else:
            value = self._from_object_stream(where[0], where[1])
        self._cache[ref.num] = value
        return value

    def _from_object_stream(self, number: int, index: int) -> Any:
        stream = self.get(Ref(number))
        if not isinstance(stream, Stream):
            raise self._fail(f"object stream {number} is not a stream")
        data = stream.decoded()
        lex = _Lexer(data, 0)
        count, first = int(stream.dict.get("N", 0)), int(stream.dict.get("First", 0))
        pairs = [(int(lex.word()), int(lex.word())) for _ in range(count)]
        if index >= len(pairs):
            raise self._fail(f"object stream {number} has no entry {index}")
        lex.pos = first + pairs[index][1]
        return lex.value()

    @property
    def size(self) -> int:
        """The trailer's /Size: the next free object number."""
        return max(int(self.trailer.get("Size", 0)), max(self.offsets, default=0) + 1)

    def pages(self) -> list[Ref]:
        """The page objects in order (the page tree flattened, depth-limited)."""
        root = self.get(self.trailer["Root"])
        out: list[Ref] = []

        def walk(node: Any, depth: int) -> None:
            value = self.get(node)
            if depth > _MAX_DEPTH or not isinstance(value, dict):
                raise self._fail("the page tree is malformed")
            kind = value.get("Type")
            if kind == Name("Page") and isinstance(node, Ref):
                out.append(node)
                return
            kids = self.get(value.get("Kids"))
            if kind != Name("Pages") or not isinstance(kids, list):
                raise self._fail("the page tree has a node that is neither /Page nor /Pages "
                                 "with /Kids")
            for kid in kids:
                walk(kid, depth + 1)

        walk(root.get("Pages") if isinstance(root, dict) else None, 0)
        if not out:
            raise self._fail("the document has no pages")
        return out


def parse_pdf(data: bytes, where: str | None = None) -> PdfFile:
    """Read the structure of ``data`` for an incremental update.

    Raises
    ------
    InputError
        ``DF-PDF-004`` when the file's structure cannot be followed, ``DF-PDF-005`` when it
        uses what docflow does not sign (encryption, other stream filters).
    """
    return PdfFile(data, where)


def signature_fields(pdf: PdfFile) -> list[tuple[str, dict[str, Any]]]:
    """The signed signature fields of ``pdf`` in form order: (field name, signature dict)."""
    root = pdf.get(pdf.trailer["Root"])
    form = pdf.get(root.get("AcroForm")) if isinstance(root, dict) else None
    out: list[tuple[str, dict[str, Any]]] = []
    if not isinstance(form, dict):
        return out

    def walk(node: Any, prefix: str, depth: int) -> None:
        field = pdf.get(node)
        if depth > _MAX_DEPTH or not isinstance(field, dict):
            return
        part = field.get("T")
        name = part.decode("latin-1") if isinstance(part, bytes) else ""
        full = f"{prefix}.{name}" if prefix and name else (name or prefix)
        value = pdf.get(field.get("V"))
        if field.get("FT") == Name("Sig") and isinstance(value, dict):
            out.append((full, value))
        for kid in pdf.get(field.get("Kids")) or []:
            walk(kid, full, depth + 1)

    for item in pdf.get(form.get("Fields")) or []:
        walk(item, "", 0)
    return out
