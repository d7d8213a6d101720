"""Attacks that main already refused, kept as regressions with their codes: data hidden in the
organ's /Contents after the CMS, a second %%EOF or non-hex bytes in the gap, an update whose
/Prev points at itself, and a negative ByteRange."""

from __future__ import annotations

import re

import pytest

from docflow.errors import Indication
from docflow.pki.validate import PathValidator
from docflow.profile.nd30 import verify_document_pdf
from tests.security.pdf.tools import append_update, last_xref


def _in_padding(data: bytes, text: bytes) -> bytes:
    """``text`` written over the organ's zero padding, 5 bytes after the CMS (no offset
    moves)."""
    found = list(re.finditer(rb"/Contents <([0-9a-fA-F]+)>", data))[-1]
    hexed = found.group(1)
    start = len(hexed.rstrip(b"0")) + 10
    start += start % 2
    new = hexed[:start] + text + hexed[start + len(text):]
    return data[:found.start(1)] + new + data[found.end(1):]


def _attack(data: bytes, name: str) -> bytes:
    if name == "data after the CMS":
        return _in_padding(data, b"41")
    if name == "second %%EOF in the gap":
        return _in_padding(data, b"%%EOF")
    if name == "non-hex in the gap":
        return _in_padding(data, b"zz")
    if name == "/Prev pointing at itself":
        updated = append_update(data, {})
        own = b"%d" % last_xref(updated)
        old = b"/Prev %d" % last_xref(data)
        return updated.replace(old, b"/Prev " + own.ljust(len(old) - 6))
    found = list(re.finditer(rb"/ByteRange \[([^\]]*)\]", data))[-1]
    values = found.group(1).split()
    negative = b"/ByteRange [%s %s -%s %s]" % (values[0], values[1], values[2][1:], values[3])
    return data[:found.start()] + negative.ljust(len(found.group(0))) + data[found.end():]


EXPECTED = {
    "data after the CMS": "DF-PDF-075",
    "second %%EOF in the gap": "DF-PDF-051",
    "non-hex in the gap": "DF-PDF-051",
    "/Prev pointing at itself": "DF-PDF-056",
    "negative ByteRange": "DF-PDF-071",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_refused_with_its_code(name: str, both_pdf: bytes, validator: PathValidator) -> None:
    """Each is FAILED with its code, never PASSED nor a traceback."""
    result = verify_document_pdf(_attack(both_pdf, name), validator)
    assert result.indication is Indication.FAILED
    assert EXPECTED[name] in {f.code for f in result.findings}, result.findings
