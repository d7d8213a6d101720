"""The lexer's one-match path for dictionary entries and array items reads exactly what the
general path (one token at a time through ``Lexer.value``) reads, errors and offsets included,
and never takes time exponential in a run of whitespace."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from docflow.errors import InputError
from docflow.pdf.syntax import Name, PdfArray, PdfDict, PdfString, Stream
from docflow.pdf.syntax.lexer import _SKIP, Lexer
from docflow.pdf.syntax.limits import fail
from docflow.pdf.syntax.objects import PdfObject


class GeneralLexer(Lexer):
    """Dictionaries and arrays read token by token through :meth:`Lexer.value`: the reference
    the one-match path must agree with."""

    __slots__ = ()

    def _array(self, pos: int, depth: int) -> tuple[PdfArray, int]:
        depth = self._deeper(depth, pos)
        items = PdfArray()
        i = pos + 1
        while True:
            i = _SKIP.match(self.data, i).end()  # type: ignore[union-attr]
            if self.data[i:i + 1] == b"]":
                return items, i + 1
            if i >= len(self.data):
                fail("DF-PDF-051", "an array never closes", self.base + pos)
            item, i = self.value(i, depth)
            items.append(item)

    def _dict(self, pos: int, depth: int) -> tuple[PdfDict, int]:
        depth = self._deeper(depth, pos)
        result = PdfDict(self.base + pos)
        i = pos + 2
        while True:
            i = _SKIP.match(self.data, i).end()  # type: ignore[union-attr]
            if self.data[i:i + 2] == b">>":
                result.end = self.base + i + 2
                return result, i + 2
            if i >= len(self.data):
                fail("DF-PDF-051", "a dictionary never closes", self.base + pos)
            if self.data[i] != 0x2F:
                fail("DF-PDF-051", "a dictionary key is not a name", self.base + i)
            key, i = self._name(i)
            if key in result:
                fail("DF-PDF-051", f"the dictionary repeats the key /{key}; readers disagree "
                                   "on which value counts", self.base + i)
            result[key], i = self.value(i, depth)


def _shape(value: PdfObject) -> object:
    """Everything a reader of the value sees, positions included, as plain data."""
    if isinstance(value, PdfDict):
        return ("dict", value.start, value.end,
                [(str(k), type(k).__name__, _shape(v)) for k, v in value.items()])
    if isinstance(value, PdfArray):
        return ("array", [_shape(v) for v in value])
    if isinstance(value, PdfString):
        return ("string", value.value, value.hex, value.start, value.end)
    if isinstance(value, Stream):
        return ("stream", _shape(value.dict), value.raw)
    return (type(value).__name__, value)


def _read(lexer_type: type[Lexer], data: bytes) -> object:
    try:
        value, end = lexer_type(data).value(0)
    except InputError as exc:
        return ("error", exc.code, exc.location.offset, exc.message)
    return (_shape(value), end)


_TOKENS = [b"<<", b">>", b"[", b"]", b"/K", b"/Type", b"/A#42", b"/#4", b"/", b"/x#00",
           b"1", b"12", b"0", b"R", b"-3", b"+.5", b"4.", b"1.2.3", b"--1", b"007", b"true",
           b"null", b"false", b"fals", b"truex", b"(s)", b"(a(b)c\\)", b"<41 42>", b"<4G>",
           b"1 0 R", b"3 0R", b"x", b"{", b"#", b"%c\n", b"%c", b" ", b"\n", b"\r\n", b"\x00",
           b"()", b"<>", b"(a\rb)", b"(a\\)b)", b"< 4 1 3>", b"<<>>", b"(",
           b"<" + b"4a " * 30 + b">", b"<" + b"4" * 81 + b">", b"<" + b"41" * 40 + b"\x0b>",
           b"<" + b"41\x00" * 30 + b">", b"<" + b"41" * 40 + b"\xe9>",
           b"\t"]
_SEPARATORS = [b"", b" ", b"  ", b"\n", b"%x\n", b"\x00"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_TOKENS), st.sampled_from(_SEPARATORS)),
                max_size=14),
       st.sampled_from([b"<<", b"[", b"<< /K [", b"[ <<"]))
def test_one_match_path_reads_what_the_general_path_reads(
        parts: list[tuple[bytes, bytes]], opening: bytes) -> None:
    """Any mix of tokens, valid or not, inside a dictionary or an array: the same value and
    end offset, or the same error code, offset and message."""
    data = opening + b"".join(token + separator for token, separator in parts)
    assert _read(Lexer, data) == _read(GeneralLexer, data)


def test_both_paths_read_a_real_signed_pdfs_objects(both_pdf: bytes) -> None:
    """Every object of a pyHanko-signed PDF, read at its offset by both paths."""
    start = 0
    count = 0
    while (start := both_pdf.find(b" 0 obj", start) + 6) > 5:
        assert _read(Lexer, both_pdf[start:]) == _read(GeneralLexer, both_pdf[start:])
        count += 1
    assert count > 20


def test_long_whitespace_runs_are_read_in_linear_time() -> None:
    """A key or an item followed by a long run of whitespace and comments, then a value the
    one-match path does not read: a pattern that backtracked into the run would take
    exponential time here (a 30-space run already took minutes)."""
    run = b" \n\r\t\x00" * 20_000 + b"%c\n" * 1000
    value, _ = Lexer(b"<< /K" + run + b"<< /V" + run + b"(x) >> >>").value(0)
    assert value == {Name("K"): {Name("V"): PdfString(b"x")}}
    items, _ = Lexer(b"[" + run + b"(a)" + run + b"/N" + run + b"]").value(0)
    assert items == [PdfString(b"a"), Name("N")]
