"""The strict PDF reader: revisions, cross-reference tables and streams, object streams, and
one stable DF-PDF code with a byte offset for every malformation."""

from __future__ import annotations

import random
import zlib

import pytest

from docflow.errors import InputError
from docflow.pdf.syntax import Name, PdfDict, PdfLimits, PdfString, Ref, Stream, parse_pdf
from tests.pdf.corpus import build_pki, plain_pdf, signed_by_both
from tests.pdf.syntax.handmade import OBJECTS, classic, update


@pytest.fixture(scope="module")
def two_signatures() -> bytes:
    return signed_by_both(build_pki())


def _walk(document) -> int:  # type: ignore[no-untyped-def]
    """Read every object of every revision; returns how many were read."""
    count = 0
    for index in range(len(document.revisions)):
        for _ in document.objects(index):
            count += 1
    return count


def test_classic_table_is_read_with_its_objects() -> None:
    """A table-based PDF gives one revision, its catalog, and a stream with its raw data."""
    document = parse_pdf(classic())
    assert len(document.revisions) == 1
    assert document.catalog()[Name("Type")] == "Catalog"
    content = document.get(4)
    assert isinstance(content, Stream)
    assert content.raw == b"BT /F1 12 Tf 72 720 Td (Hello world) Tj ET"
    assert document.get(3)[Name("Contents")] == Ref(4, 0)  # type: ignore[index]


def test_revisions_keep_each_version_of_an_object() -> None:
    """An incremental update's object is seen from its revision on; the old one before."""
    base = classic()
    changed = update(base, {4: b"<< /Length 5 >>\nstream\nHELLO\nendstream"})
    document = parse_pdf(changed)
    assert [r.end for r in document.revisions] == [len(base), len(changed)]
    assert document.revisions[1].start == len(base)
    assert document.get(4, 0).raw.startswith(b"BT")  # type: ignore[union-attr]
    assert document.get(4, 1).raw == b"HELLO"  # type: ignore[union-attr]
    assert document.view(1)[3][1] == 0 and document.view(1)[4][1] == 1


def test_pyhanko_xref_streams_and_signatures(two_signatures: bytes) -> None:
    """pyHanko's signed PDF: three revisions ending where pdfsig's ranges end, xref streams,
    and each /Contents a hex string whose token offsets are recorded."""
    document = parse_pdf(two_signatures)
    assert len(document.revisions) == 3
    assert all(r.section.stream for r in document.revisions)
    assert document.revisions[-1].end == len(two_signatures)
    sigs = [o for _, o in document.objects() if isinstance(o, PdfDict)
            and o.get(Name("Type")) == "Sig"]
    assert len(sigs) == 2
    for sig in sigs:
        contents = sig[Name("Contents")]
        assert isinstance(contents, PdfString) and contents.hex
        assert two_signatures[contents.start:contents.start + 1] == b"<"
        assert two_signatures[contents.end - 1:contents.end] == b">"
        byte_range = sig[Name("ByteRange")]
        assert byte_range[1] == contents.start and byte_range[2] == contents.end  # type: ignore[index]
    assert _walk(document) > 20


def test_object_streams_are_read() -> None:
    """Objects inside an /ObjStm resolve, and the stream's index is checked."""
    inner = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    head = b"2 0 "
    data = zlib.compress(head + inner)
    objstm = (b"<< /Type /ObjStm /N 1 /First %d /Length %d /Filter /FlateDecode >>\nstream\n"
              % (len(head), len(data)) + data + b"\nendstream")
    body = classic([OBJECTS[0], b"null", OBJECTS[2], OBJECTS[3], objstm])
    # Re-point object 2 into the object stream with an xref stream update.
    document = parse_pdf(_with_xref_stream(body, {2: (2, 5, 0)}))
    assert document.get(2)[Name("Type")] == "Pages"  # type: ignore[index]
    assert document.get(2, 0) is None


def _with_xref_stream(base: bytes, entries: dict[int, tuple[int, int, int]]) -> bytes:
    """``base`` with an update whose xref stream (object 9) lists ``entries``."""
    xref = len(base)
    rows = b""
    index = []
    for num, (kind, a, b) in sorted({**entries, 9: (1, xref, 0)}.items()):
        rows += bytes([kind]) + a.to_bytes(4, "big") + b.to_bytes(2, "big")
        index += [num, 1]
    prev = int(base[base.rfind(b"startxref") + 9:].split()[0])
    stream = (b"9 0 obj\n<< /Type /XRef /Size 10 /W [1 4 2] /Index [%s] /Prev %d /Root 1 0 R "
              b"/Length %d >>\nstream\n" % (" ".join(map(str, index)).encode(), prev, len(rows))
              + rows + b"\nendstream\nendobj\n")
    return base + stream + b"startxref\n%d\n%%%%EOF\n" % xref


def _break(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data
    return data.replace(old, new, 1)


BASE = classic()
MALFORMED = {
    "not a pdf": (b"GIF89a" + BASE[6:], "DF-PDF-050"),
    "prepended bytes": (b"\n" + BASE, "DF-PDF-050"),
    "unterminated string": (classic([b"<< /Type /Catalog /Pages 2 0 R /T (abc >>",
                                     *OBJECTS[1:]]), "DF-PDF-051"),
    "unterminated dictionary": (classic([b"<< /Type /Catalog /Pages 2 0 R", *OBJECTS[1:]]),
                                "DF-PDF-051"),
    "repeated key": (classic([b"<< /Type /Catalog /Type /Pages /Pages 2 0 R >>",
                              *OBJECTS[1:]]), "DF-PDF-051"),
    "bad name escape": (classic([b"<< /Type /Cat#zzlog /Pages 2 0 R >>", *OBJECTS[1:]]),
                        "DF-PDF-051"),
    "bad number": (classic([b"<< /Type /Catalog /Pages 2 0 R /X 1.2.3 >>", *OBJECTS[1:]]),
                   "DF-PDF-051"),
    "too deep": (classic([b"<< /Type /Catalog /Pages 2 0 R /X " + b"[" * 70 + b"]" * 70
                          + b" >>", *OBJECTS[1:]]), "DF-PDF-052"),
    "no startxref": (BASE.replace(b"startxref", b"startxreX"), "DF-PDF-053"),
    "startxref off by one": (BASE[:BASE.rfind(b"startxref")] + b"startxref\n%d\n%%%%EOF\n"
                             % (int(BASE.split(b"startxref")[1].split()[0]) + 1), "DF-PDF-053"),
    "no %%EOF": (BASE.replace(b"%%EOF", b"%%EOX"), "DF-PDF-053"),
    "bad xref entry": (_break(BASE, b" 00000 n \n", b" 0000 n  \n"), "DF-PDF-054"),
    "entry points elsewhere": (_break(BASE, b"0000000015 00000 n", b"0000000016 00000 n"),
                               "DF-PDF-055"),
    "garbage after %%EOF": (BASE + b"4 0 obj\n(evil)\nendobj\n", "DF-PDF-056"),
    "stream length too short": (_break(BASE, b"/Length 42", b"/Length 40"), "DF-PDF-057"),
    "stream length past the end": (_break(BASE, b"/Length 42", b"/Length 99"),
                                   "DF-PDF-057"),
    "no root": (classic(trailer=b"/Info 1 0 R"), "DF-PDF-060"),
    "encrypted": (classic(trailer=b"/Root 1 0 R /Encrypt << /Filter /Standard >>"),
                  "DF-PDF-061"),
    "object beyond /Size": (_break(BASE, b"/Size 5", b"/Size 3"), "DF-PDF-054"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_every_malformation_has_its_code_and_offset(case: str) -> None:
    """Each malformation is refused with its own code and a byte offset, never a traceback."""
    data, code = MALFORMED[case]
    with pytest.raises(InputError) as caught:
        _walk(parse_pdf(data, where="bad.pdf"))
    assert caught.value.code == code, str(caught.value)
    assert caught.value.location.file == "bad.pdf"
    assert caught.value.location.offset is not None
    assert 0 <= caught.value.location.offset <= len(data)


def test_prev_pointing_forward_is_refused() -> None:
    """A /Prev that does not point backwards (a loop or a forward jump) is DF-PDF-056."""
    base = classic()
    first_xref = int(base[base.rfind(b"startxref") + 9:].split()[0])
    looped = update(base, {4: b"(x)"}, prev=first_xref)
    forward = looped.replace(b"/Prev %d" % first_xref, b"/Prev %d" % (len(looped) - 30))
    with pytest.raises(InputError) as caught:
        parse_pdf(forward)
    assert caught.value.code == "DF-PDF-056"


def test_update_pointing_into_an_earlier_revision_is_refused() -> None:
    """An update's xref may not list bytes of an earlier revision (such as a signature's
    /Contents gap, or an old object revived): DF-PDF-055."""
    base = classic()
    data = update(base, {4: b"(x)"})
    xref_start = data.rfind(b"xref\n4 1\n")
    old = data[xref_start + 9:xref_start + 19]
    revived = data[:xref_start + 9] + b"%010d" % base.find(b"4 0 obj") + \
        data[xref_start + 19:]
    assert old != revived[xref_start + 9:xref_start + 19]
    with pytest.raises(InputError) as caught:
        parse_pdf(revived).get(4)
    assert caught.value.code == "DF-PDF-055"


def test_duplicate_entries_in_one_section_are_refused() -> None:
    """An object listed twice in one xref table: DF-PDF-062."""
    base = classic()
    data = base.replace(b"xref\n0 5\n", b"xref\n0 5\n", 1)
    start = data.find(b"xref\n0 5\n")
    table_end = data.find(b"trailer")
    dup = data[:table_end] + b"4 1\n" + data[table_end - 20:table_end] + data[table_end:]
    assert start > 0
    with pytest.raises(InputError) as caught:
        parse_pdf(dup)
    assert caught.value.code == "DF-PDF-062"


def test_object_stream_index_mismatch_is_refused() -> None:
    """An object stream that holds another object than the xref names: DF-PDF-058."""
    inner = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    head = b"7 0 "
    data = zlib.compress(head + inner)
    objstm = (b"<< /Type /ObjStm /N 1 /First %d /Length %d /Filter /FlateDecode >>\nstream\n"
              % (len(head), len(data)) + data + b"\nendstream")
    body = classic([OBJECTS[0], b"null", OBJECTS[2], OBJECTS[3], objstm])
    with pytest.raises(InputError) as caught:
        parse_pdf(_with_xref_stream(body, {2: (2, 5, 0)})).get(2)
    assert caught.value.code == "DF-PDF-058"


def test_compression_bomb_stops_at_the_limit() -> None:
    """A stream that inflates past max_decoded is DF-PDF-052, without inflating it all."""
    bomb = zlib.compress(b"0" * 2_000_000)
    objstm = (b"<< /Type /ObjStm /N 1 /First 4 /Length %d /Filter /FlateDecode >>\nstream\n"
              % len(bomb) + bomb + b"\nendstream")
    body = classic([OBJECTS[0], b"null", OBJECTS[2], OBJECTS[3], objstm])
    with pytest.raises(InputError) as caught:
        parse_pdf(_with_xref_stream(body, {2: (2, 5, 0)}),
                  limits=PdfLimits(max_decoded=100_000)).get(2)
    assert caught.value.code == "DF-PDF-052"


def test_mutations_never_escape_as_tracebacks(two_signatures: bytes) -> None:
    """Truncations and random byte changes of real PDFs end as a parse or an InputError with a
    DF-PDF/DF-IO code: no other exception, whatever the bytes."""
    rng = random.Random(14)
    samples = [plain_pdf(), classic(), two_signatures]
    cases = []
    for data in samples:
        cases += [data[:n] for n in range(0, len(data), max(1, len(data) // 60))]
        for _ in range(150):
            mutated = bytearray(data)
            for _ in range(rng.randint(1, 4)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            cases.append(bytes(mutated))
    for case in cases:
        try:
            _walk(parse_pdf(case))
        except InputError as exc:
            assert exc.code.startswith(("DF-PDF-", "DF-IO-")), exc.code


def test_linearized_file_is_one_revision() -> None:
    """A linearized file's first-page section points forward to its main one: both are the
    original revision, which ends at the end of the file."""
    from tests.pdf.syntax.handmade import linearized

    data = linearized()
    document = parse_pdf(data)
    assert len(document.revisions) == 1
    assert document.revisions[0].end == len(data)
    assert document.catalog()[Name("Type")] == "Catalog"
    assert document.get(5)[Name("Linearized")] == 1  # type: ignore[index]
    assert _walk(document) == 5


def test_forward_prev_without_linearization_is_refused() -> None:
    """The same layout without the linearization dictionary: DF-PDF-053/056."""
    from tests.pdf.syntax.handmade import linearized

    data = linearized().replace(b"/Linearized 1", b"/Linearizex 1")
    with pytest.raises(InputError) as caught:
        parse_pdf(data)
    assert caught.value.code in ("DF-PDF-053", "DF-PDF-056")


def test_number_arrays_read_in_one_match_as_one_by_one() -> None:
    """The fast path for arrays of numbers gives what the general path gives, and leaves
    arrays with references, names or bad numbers to it."""
    from docflow.pdf.syntax.lexer import Lexer

    for text, expected in ((b"[1 2 3]", [1, 2, 3]), (b"[ 1.5 -2 .5 +3 ]", [1.5, -2, 0.5, 3]),
                           (b"[]", []), (b"[1 0 R 2]", [Ref(1, 0), 2]),
                           (b"[1 2 /A]", [1, 2, Name("A")])):
        assert Lexer(text).value(0)[0] == expected
    with pytest.raises(InputError) as caught:
        Lexer(b"[1 2.3.4]").value(0)
    assert caught.value.code == "DF-PDF-051"
