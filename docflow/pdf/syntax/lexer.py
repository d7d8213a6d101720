"""Tokens and direct objects of a PDF, read at a byte offset (ISO 32000-2 §7.2-7.3).

The reader is strict where lenient readers disagree, because a signature checker must see what
every viewer sees: a dictionary that repeats a key, a name with a bad ``#`` escape, a string
that never closes, or a reference written across a comment is refused (``DF-PDF-051``), never
guessed. Nesting is limited (``DF-PDF-052``). Every error names the byte offset.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NoReturn

from docflow.pdf.syntax.limits import DEFAULT_LIMITS, PdfLimits, fail
from docflow.pdf.syntax.objects import Name, PdfArray, PdfDict, PdfObject, PdfString, Ref, Stream

__all__ = ["Lexer"]

_WS = b"\x00\t\n\x0c\r "
_SKIP = re.compile(rb"(?:[\x00\t\n\x0c\r ]+|%[^\r\n]*)*")
_REGULAR = re.compile(rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]*")
_NUMBER = re.compile(rb"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_END = rb"(?=[\x00\t\n\x0c\r ()<>\[\]{}/%]|$)"
_REF = re.compile(rb"(\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]+R" + _END)
_OBJ = re.compile(rb"(\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]+obj" + _END
                  + rb"(?>(?:[\x00\t\n\x0c\r ]+|%[^\r\n]*)*)")
"""``num gen obj`` and the whitespace after it: ``end()`` is where the value starts."""
_STRING_SPECIAL = re.compile(rb"[()\\\r]")
_NUMBER_RUN = re.compile(rb"(?>(?:[\x00\t\n\x0c\r ]+|%[^\r\n]*)*)"
                         rb"([+-]?(?:\d+(?:\.\d*)?|\.\d+)"
                         rb"(?:[\x00\t\n\x0c\r ]+[+-]?(?:\d+(?:\.\d*)?|\.\d+))*"
                         rb"[\x00\t\n\x0c\r ]*\])")
"""An array that holds only numbers up to its end (/Widths, /Rect, /W): read in one match,
after the whitespace and comments before the first (group 1 starts at it). Each number must
be followed by whitespace or the end, so the match is linear."""
_DELIMITED = rb"(?=[\x00\t\n\x0c\r ()<>\[\]{}/%]|$)"
_SKIPPED = rb"(?>(?:[\x00\t\n\x0c\r ]+|%[^\r\n]*)*)"
""":data:`_SKIP` as an atomic group: a pattern that can fail after it never backtracks into
a run of whitespace (which would take time exponential in its length)."""
_PLAIN_NAME = rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%#]*+)" + _DELIMITED
_SCALAR_BODY = (rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%#]*+)" + _DELIMITED
                + rb"|(\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]+R" + _DELIMITED
                + rb"|([+-]?\d++)" + _DELIMITED
                + rb"|([+-]?(?:\d+\.\d*+|\.\d++))" + _DELIMITED
                + rb"|(true|false|null)" + _DELIMITED
                + rb"|\(([^()\\\r]*+)\)"
                + rb"|<(?!<)([0-9A-Fa-f\x00\t\n\x0c\r ]{0,64}+)>")
_ENTRY = re.compile(_SKIPPED + rb"(?:" + _PLAIN_NAME + rb"(?:" + _SKIPPED + rb"(?:"
                    + _SCALAR_BODY + rb"|(?=[<\[(])))?|(>>))")
"""Speed: the next dictionary entry in one match — its key, when the key has no ``#``
escape, and its value, when that is a name without escapes, a reference, a number, a
keyword, a literal string without escapes, parentheses or CR, or a short hex string (a long
one is :meth:`Lexer._hex`'s, which reads it in one pass) — or the
dictionary's end. Groups: 1 the key; 2 a name, 3-4 a reference, 5 an integer, 6 a real,
7 a keyword, 8 a literal, 9 a hex string; 10 ``>>``. A key alone (``lastindex`` 1) leaves its
value to :meth:`Lexer.value`, at ``end()`` past the whitespace when a dictionary, an array
or a string opens there; no match leaves the entry to the general path, which reports what
is wrong."""
_ITEM = re.compile(_SKIPPED + rb"(?:" + _SCALAR_BODY + rb"|(\])|(?=[<\[(]))")
"""Speed: the next array item when it is such a value (groups 1-8 as 2-9 of
:data:`_ENTRY`), or the array's end (group 9), or no group when a dictionary, an array or a
string opens at ``end()``. Each value is read exactly as :meth:`Lexer.value` reads it: a
reference before a number, each token whole up to a delimiter."""
_KEYWORDS: dict[bytes, PdfObject] = {b"true": True, b"false": False, b"null": None}
_NAMES: dict[bytes, Name] = {}
_MAX_NAMES = 4096
"""Names already built, by their bytes: a file repeats /Type, /Length… hundreds of times.
Bounded, since the names come from the file."""
_HEX_BODY = re.compile(rb"[0-9A-Fa-f\x00\t\n\x0c\r ]*")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b",
            ord("f"): b"\f", ord("("): b"(", ord(")"): b")", ord("\\"): b"\\"}
_OCTAL = re.compile(rb"[0-7]{1,3}")

LengthResolver = Callable[[Ref], PdfObject]
"""Resolves a stream's indirect /Length; given by the document, which owns the xref."""


class Lexer:
    """Reads objects from the bytes of one PDF (or one decoded object stream).

    Holds only the data and the limits; every method takes an offset and returns the value
    and the offset after it.
    """

    __slots__ = ("base", "data", "limits")

    def __init__(self, data: bytes, limits: PdfLimits = DEFAULT_LIMITS, base: int = 0) -> None:
        self.data = data
        self.limits = limits
        self.base = base
        """Added to offsets in errors: non-zero for a decoded object stream, whose offsets are
        reported from the stream's first data byte in the file (the nearest place a reader of
        the file can look at)."""

    def skip(self, pos: int) -> int:
        """The offset of the next token: whitespace and comments skipped."""
        return _SKIP.match(self.data, pos).end()  # type: ignore[union-attr]

    def keyword(self, pos: int, word: bytes) -> int:
        """Skip whitespace, require ``word`` as a whole token, and return the offset after it."""
        pos = self.skip(pos)
        end = pos + len(word)
        if self.data[pos:end] != word or _REGULAR.match(self.data, end).end() != end:  # type: ignore[union-attr]
            fail("DF-PDF-051", f"expected {word.decode()!r}", self.base + pos)
        return end

    def integer(self, pos: int) -> tuple[int, int]:
        """Skip whitespace and read a non-negative integer."""
        pos = self.skip(pos)
        end = _REGULAR.match(self.data, pos).end()  # type: ignore[union-attr]
        token = self.data[pos:end]
        if not token.isdigit():
            fail("DF-PDF-051", "expected a non-negative integer", self.base + pos)
        return int(token), end

    def value(self, pos: int, depth: int = 0) -> tuple[PdfObject, int]:
        """Read one direct object (or a reference) at ``pos``, after whitespace."""
        data = self.data
        pos = _SKIP.match(data, pos).end()  # type: ignore[union-attr]
        if pos >= len(data):
            fail("DF-PDF-051", "the data ends where an object was expected", self.base + pos)
        c = data[pos]
        if c == 0x2F:  # /
            return self._name(pos)
        if 0x30 <= c <= 0x39:
            ref = _REF.match(data, pos)
            if ref is not None:
                return Ref(int(ref[1]), int(ref[2])), ref.end()
            return self._number(pos)
        if c in b"+-.":
            return self._number(pos)
        if c == 0x3C:  # <
            if data[pos + 1:pos + 2] == b"<":
                return self._dict(pos, depth)
            return self._hex(pos)
        if c == 0x5B:  # [
            return self._array(pos, depth)
        if c == 0x28:  # (
            return self._literal(pos)
        end = _REGULAR.match(data, pos).end()  # type: ignore[union-attr]
        word = data[pos:end]
        if word == b"true":
            return True, end
        if word == b"false":
            return False, end
        if word == b"null":
            return None, end
        shown = word[:20].decode("latin-1") or chr(c)
        fail("DF-PDF-051", f"unexpected token {shown!r} where an object was expected",
             self.base + pos)

    def _deeper(self, depth: int, pos: int) -> int:
        if depth >= self.limits.max_depth:
            fail("DF-PDF-052", f"arrays and dictionaries nest deeper than "
                               f"{self.limits.max_depth} levels", self.base + pos)
        return depth + 1

    def _name(self, pos: int) -> tuple[Name, int]:
        end = _REGULAR.match(self.data, pos + 1).end()  # type: ignore[union-attr]
        raw = self.data[pos + 1:end]
        if b"#" in raw:
            decoded = _NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), raw)
            if b"#" in _NAME_ESCAPE.sub(b"", raw):
                fail("DF-PDF-051", "a name has a '#' not followed by two hex digits",
                     self.base + pos)
            if b"\x00" in decoded:
                fail("DF-PDF-051", "a name contains a null byte", self.base + pos)
            raw = decoded
            return Name(raw.decode("latin-1")), end
        return _name_of(raw), end

    def _number(self, pos: int) -> tuple[int | float, int]:
        end = _REGULAR.match(self.data, pos).end()  # type: ignore[union-attr]
        token = self.data[pos:end]
        match = _NUMBER.fullmatch(token)
        if match is None:
            fail("DF-PDF-051", f"{token[:20].decode('latin-1')!r} is not a number",
                 self.base + pos)
        if b"." in token:
            return float(token), end
        return int(token), end

    def _hex(self, pos: int) -> tuple[PdfString, int]:
        data = self.data
        close = data.find(b">", pos + 1)
        if close > 0 and b"\x0b" not in (raw := data[pos + 1:close]):
            # Speed: a signature's /Contents is thousands of digits; ``fromhex`` reads them
            # in one pass and skips the whitespace PDF allows (and \x0b, kept out above). It
            # refuses anything else, an odd digit count included: the general path below
            # then reads the string, or reports what is wrong.
            try:
                return PdfString(bytes.fromhex(raw.decode("ascii")), True, pos,
                                 close + 1), close + 1
            except ValueError:
                pass
        body = _HEX_BODY.match(data, pos + 1).end()  # type: ignore[union-attr]
        if self.data[body:body + 1] != b">":
            fail("DF-PDF-051", "a hex string holds a character that is not a hex digit, or "
                               "does not end with '>'", self.base + body)
        return PdfString(_hex_digits(self.data[pos + 1:body]), True, pos, body + 1), body + 1

    def _literal(self, pos: int) -> tuple[PdfString, int]:
        data = self.data
        out = bytearray()
        level = 1
        i = pos + 1
        while True:
            match = _STRING_SPECIAL.search(data, i)
            if match is None:
                fail("DF-PDF-051", "a literal string never closes", self.base + pos)
            j = match.start()
            out += data[i:j]
            c = data[j]
            if c == 0x28:
                level += 1
                out.append(c)
                i = j + 1
            elif c == 0x29:
                level -= 1
                if level == 0:
                    return PdfString(bytes(out), False, pos, j + 1), j + 1
                out.append(c)
                i = j + 1
            elif c == 0x0D:  # an end of line in a string reads as a line feed
                out.append(0x0A)
                i = j + 2 if data[j + 1:j + 2] == b"\n" else j + 1
            else:
                i = self._escape(j + 1, out, pos)

    def _escape(self, i: int, out: bytearray, start: int) -> int:
        data = self.data
        if i >= len(data):
            fail("DF-PDF-051", "a literal string never closes", self.base + start)
        c = data[i]
        if c in _ESCAPES:
            out += _ESCAPES[c]
            return i + 1
        octal = _OCTAL.match(data, i)
        if octal is not None:
            out.append(int(octal[0], 8) & 0xFF)
            return octal.end()
        if c == 0x0D:
            return i + 2 if data[i + 1:i + 2] == b"\n" else i + 1
        if c == 0x0A:
            return i + 1
        out.append(c)  # an unknown escape drops its backslash (ISO 32000-2 §7.3.4.2)
        return i + 1

    def _array(self, pos: int, depth: int) -> tuple[PdfArray, int]:
        depth = self._deeper(depth, pos)
        data = self.data
        items = PdfArray()
        i = pos + 1
        run = _NUMBER_RUN.match(data, i)
        if run is not None:  # speed: a run of numbers, no reference among them
            for token in data[run.start(1):run.end() - 1].split():
                items.append(float(token) if b"." in token else int(token))
            return items, run.end()
        item_at = _ITEM.match
        while True:
            found = item_at(data, i)
            if found is None:  # the general path: what is wrong, or that it never closes
                i = _SKIP.match(data, i).end()  # type: ignore[union-attr]
                if i >= len(data):
                    fail("DF-PDF-051", "an array never closes", self.base + pos)
                item, i = self.value(i, depth)
                items.append(item)
                continue
            kind = found.lastindex
            i = found.end()
            if kind is None:  # speed: a container or a string opens here, after the skip
                c = data[i]
                if c == 0x3C:  # <
                    item, i = (self._dict(i, depth) if data[i + 1:i + 2] == b"<"
                               else self._hex(i))
                elif c == 0x5B:  # [
                    item, i = self._array(i, depth)
                else:
                    item, i = self._literal(i)
                items.append(item)
            elif kind == 9:  # ]
                return items, i
            else:
                items.append(_scalar(found, kind))

    def _dict(self, pos: int, depth: int) -> tuple[PdfDict, int]:
        depth = self._deeper(depth, pos)
        data = self.data
        result = PdfDict(self.base + pos)
        i = pos + 2
        entry_at, names = _ENTRY.match, _NAMES
        while True:
            found = entry_at(data, i)
            if found is None:  # the general path: a key with escapes, or an error
                i = _SKIP.match(data, i).end()  # type: ignore[union-attr]
                if i >= len(data):
                    fail("DF-PDF-051", "a dictionary never closes", self.base + pos)
                if data[i] != 0x2F:
                    fail("DF-PDF-051", "a dictionary key is not a name", self.base + i)
                key, i = self._name(i)
                if key in result:
                    self._repeated(key, i)
                result[key], i = self.value(i, depth)
                continue
            kind = found.lastindex
            if kind == 10:  # >>
                i = found.end()
                result.end = self.base + i
                return result, i
            raw = found[1]
            key = names.get(raw) or _name_of(raw)
            if key in result:
                self._repeated(key, found.end(1))
            i = found.end()
            # Most frequent first: a name, a reference, an integer, then a container.
            if kind == 2:
                raw = found[2]
                result[key] = names.get(raw) or _name_of(raw)
            elif kind == 4:
                result[key] = Ref(int(found[3]), int(found[4]))
            elif kind == 5:
                result[key] = int(found[5])
            elif kind == 1:
                c = data[i:i + 1]
                if c == b"<":  # speed: the opener is known, no second skip
                    result[key], i = (self._dict(i, depth) if data[i + 1:i + 2] == b"<"
                                      else self._hex(i))
                elif c == b"[":
                    result[key], i = self._array(i, depth)
                elif c == b"(":
                    result[key], i = self._literal(i)
                else:  # the key ends the data, or an error: the general path says which
                    result[key], i = self.value(i, depth)
            else:
                result[key] = _scalar(found, kind - 1)  # type: ignore[operator]

    def _repeated(self, key: Name, end: int) -> NoReturn:
        fail("DF-PDF-051", f"the dictionary repeats the key /{key}; readers disagree on which "
                           "value counts", self.base + end)

    def indirect(self, pos: int, num: int, gen: int,
                 length: LengthResolver) -> tuple[PdfObject, int]:
        """Read ``num gen obj … endobj`` at ``pos`` exactly, and return the value and the offset
        after ``endobj``.

        Raises ``DF-PDF-055`` if the bytes at ``pos`` do not open object ``num gen``, and
        ``DF-PDF-057`` for a stream whose /Length or ``endstream`` is wrong.
        """
        data = self.data
        header = _OBJ.match(data, pos)
        if header is None or int(header[1]) != num or int(header[2]) != gen:
            fail("DF-PDF-055", f"the cross-reference table puts object {num} {gen} here, but "
                               f"the bytes here do not open it", pos)
        start = header.end()
        value: PdfObject
        if data.startswith(b"<<", start):  # speed: most objects are dictionaries
            value, i = self._dict(start, 0)
        else:
            value, i = self.value(start)
        i = _SKIP.match(data, i).end()  # type: ignore[union-attr]
        if isinstance(value, PdfDict) and data.startswith(b"stream", i):
            value, i = self._stream(value, i + 6, length)
            i = _SKIP.match(data, i).end()  # type: ignore[union-attr]
        if not data.startswith(b"endobj", i):
            fail("DF-PDF-051", f"object {num} {gen} does not end with endobj", i)
        return value, i + 6

    def _stream(self, head: PdfDict, i: int, length: LengthResolver) -> tuple[Stream, int]:
        data = self.data
        if data.startswith(b"\r\n", i):
            i += 2
        elif data.startswith(b"\n", i):
            i += 1
        else:
            fail("DF-PDF-057", "the stream keyword is not followed by CRLF or LF", i)
        size = head.get(Name("Length"))
        if isinstance(size, Ref):
            size = length(size)
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            fail("DF-PDF-057", "the stream has no /Length that is a non-negative integer", i)
        end = i + size
        if end > len(data):
            fail("DF-PDF-057", "the stream's /Length runs past the end of the file", i)
        raw = data[i:end]
        j = end
        if data.startswith(b"\r\n", j):
            j += 2
        elif data[j:j + 1] in (b"\n", b"\r"):
            j += 1
        j = _SKIP.match(data, j).end()  # type: ignore[union-attr]
        if not data.startswith(b"endstream", j):
            fail("DF-PDF-057", "the stream's /Length does not end at endstream", end)
        return Stream(head, raw, i), j + 9


def _name_of(raw: bytes) -> Name:
    """The name whose bytes (escapes decoded) are ``raw``, built once."""
    name = _NAMES.get(raw)
    if name is None:
        name = Name(raw.decode("latin-1"))
        if len(_NAMES) < _MAX_NAMES:
            _NAMES[raw] = name
    return name


def _scalar(found: re.Match[bytes], kind: int) -> PdfObject:
    """The value of group ``kind`` of an :data:`_ITEM` match (one past it in an
    :data:`_ENTRY` match)."""
    shift = found.lastindex - kind  # type: ignore[operator]
    if kind == 1:
        return _name_of(found[1 + shift])
    if kind == 3:
        return Ref(int(found[2 + shift]), int(found[3 + shift]))
    if kind == 4:
        return int(found[4 + shift])
    if kind == 5:
        return float(found[5 + shift])
    if kind == 6:
        return _KEYWORDS[found[6 + shift]]
    if kind == 7:
        return PdfString(found[7 + shift], False, found.start(7 + shift) - 1,
                         found.end(7 + shift) + 1)
    start = found.start(8 + shift) - 1
    return PdfString(_hex_digits(found[8 + shift]), True, start, found.end(8 + shift) + 1)


def _hex_digits(body: bytes) -> bytes:
    """The bytes of a hex string's body (whitespace ignored, an odd last digit padded)."""
    digits = body.translate(None, _WS)  # speed: in C
    if len(digits) % 2:
        digits += b"0"
    return bytes.fromhex(digits.decode("ascii"))
