"""The hardened parser refuses hostile XML with a stable code, in bounded time and memory."""

from __future__ import annotations

import resource
import time

import pytest

from docflow.errors import InputError
from docflow.xmlsafe import XmlLimits, element_path, parse_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<lolz>&lol9;</lolz>"""

QUADRATIC = (b'<?xml version="1.0"?><!DOCTYPE kaboom [<!ENTITY a "' + b"x" * 50_000
             + b'">]><kaboom>' + b"&a;" * 50_000 + b"</kaboom>")

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<foo>&xxe;</foo>"""

EXTERNAL_DTD = b'<?xml version="1.0"?><!DOCTYPE foo SYSTEM "http://example.com/x.dtd"><foo/>'


def _code(data: bytes, **kw: object) -> str:
    with pytest.raises(InputError) as info:
        parse_xml(data, **kw)  # type: ignore[arg-type]
    return info.value.code


@pytest.mark.parametrize("data", [BILLION_LAUGHS, QUADRATIC, EXTERNAL, EXTERNAL_DTD],
                         ids=["billion-laughs", "quadratic-blowup", "external-entity",
                              "external-dtd"])
def test_dtds_and_entities_are_refused(data: bytes) -> None:
    """Any DOCTYPE is refused before libxml2 parses it, so no entity is ever expanded."""
    started = time.perf_counter()
    assert _code(data) == "DF-XML-002"
    assert time.perf_counter() - started < 1.0


def test_refusal_names_the_line_of_the_doctype() -> None:
    """The location points at the DOCTYPE, after a comment in the prolog."""
    with pytest.raises(InputError) as info:
        parse_xml(b'<?xml version="1.0"?>\n<!-- a -->\n<!DOCTYPE a><a/>')
    assert info.value.location.line == 3


def test_undeclared_entity_reference_is_refused() -> None:
    """Without a DTD an entity reference can only be an error; it is not resolved."""
    assert _code(b"<a>&passwd;</a>") == "DF-XML-003"


def test_deep_nesting_is_refused_in_bounded_memory() -> None:
    """10,000 levels of nesting stop at the depth limit, not at the stack or memory limit."""
    data = b"<a>" * 10_000 + b"</a>" * 10_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert _code(data) == "DF-XML-004"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB


def test_explicit_depth_limit_below_libxml2s() -> None:
    """A caller may ask for a stricter depth limit than libxml2's 256."""
    data = b"<a>" * 20 + b"</a>" * 20
    assert parse_xml(data, limits=XmlLimits(max_depth=20)).tag == "a"
    assert _code(data, limits=XmlLimits(max_depth=19)) == "DF-XML-004"


def test_truncated_file_is_reported_as_truncated() -> None:
    """A file cut in half is not well-formed, and the code says it was cut."""
    whole = b"<root>" + b"<item>text</item>" * 100 + b"</root>"
    assert _code(whole[: len(whole) // 2]) == "DF-XML-006"


def test_empty_and_blank_inputs() -> None:
    assert _code(b"") == "DF-IO-003"
    assert _code(b"  \n ") == "DF-IO-003"


@pytest.mark.parametrize("data", [
    b"<a>\xff\xfe broken</a>",
    b'<?xml version="1.0" encoding="ISO-8859-1"?><a>\xe9</a>',
    "<a>UTF-16</a>".encode("utf-16"),
], ids=["invalid-utf8", "latin1-declared", "utf16-bom"])
def test_non_utf8_is_refused(data: bytes) -> None:
    assert _code(data) == "DF-XML-005"


def test_size_limit_is_checked_before_parsing() -> None:
    assert _code(b"<a>" + b"x" * 2000 + b"</a>", limits=XmlLimits(max_bytes=1000)) == "DF-IO-002"


def test_large_text_nodes_parse_in_huge_mode() -> None:
    """A 12 MB base64 attachment exceeds libxml2's text-node limit but is legitimate."""
    root = parse_xml(b"<a><b>" + b"QUJD" * 3_000_000 + b"</b></a>")
    assert len(root[0].text or "") == 12_000_000


def test_not_well_formed() -> None:
    assert _code(b"<a><b></a>") == "DF-XML-001"


def test_vietnamese_text_survives() -> None:
    root = parse_xml("<a>Ủy ban nhân dân tỉnh Phú Thọ</a>".encode())
    assert root.text == "Ủy ban nhân dân tỉnh Phú Thọ"


def test_element_path_indexes_repeated_siblings() -> None:
    root = parse_xml(b'<m xmlns="urn:x"><To/><To><OrganId/></To></m>')
    assert element_path(root[1][0]) == "/m/To[2]/OrganId"


def test_a_file_cut_inside_a_tag_is_reported_as_truncated() -> None:
    """Cut inside an attribute, libxml2 says "AttValue expected"; the input ran out all the
    same, so the code is DF-XML-006, while a real mistake on the last line is not."""
    whole = b'<root a="1">' + b'<item b="2">text</item>' * 10 + b"</root>"
    assert _code(whole[:20]) == "DF-XML-006"
    assert _code(b"<a><b></a>") == "DF-XML-001"


def test_nul_bytes_are_an_encoding_problem_not_an_empty_document() -> None:
    """NUL bytes (binary data, UTF-16 without a byte order mark, which libxml2 would read
    despite the UTF-8 rule) are DF-XML-005."""
    assert _code('<?xml version="1.0" encoding="UTF-8"?><a>x</a>'.encode("utf-16-le")) \
        == "DF-XML-005"
    assert _code(b"\x00\x01\x02<a/>") == "DF-XML-005"
