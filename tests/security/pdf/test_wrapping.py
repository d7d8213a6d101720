"""Signature wrapping (Mladenov et al., NDSS 2019 §4.3): content hidden in the unsigned gap of
a ByteRange, a /Contents shortened so that the gap holds more than the signature, a signature
dictionary moved to the end with its ByteRange kept, an xref pointing into the gap."""

from __future__ import annotations

import re

from docflow.errors import Indication
from docflow.pdf.syntax import Name, PdfDict, parse_pdf
from docflow.pki.validate import PathValidator
from docflow.profile.nd30 import verify_document_pdf
from tests.security.pdf.tools import append_update, current, dump


def _organ_contents(data: bytes) -> re.Match[bytes]:
    *_, match = re.finditer(rb"/Contents <([0-9A-Fa-f]+)>", data)
    return match


def _codes(data: bytes, validator: PathValidator) -> set[str]:
    result = verify_document_pdf(data, validator)
    assert result.indication is not Indication.PASSED
    return {f.code for f in result.findings}


def test_content_in_the_gap_after_a_shortened_contents(both_pdf: bytes,
                                                      validator: PathValidator) -> None:
    """The CMS's zero padding replaced by '> /Evil <…': the gap is no longer exactly the
    /Contents string (DF-PDF-072)."""
    match = _organ_contents(both_pdf)
    cms_end = match.start(1) + len(match[1].rstrip(b"0")) + 64
    cms_end -= (cms_end - match.start(1)) % 2
    evil = b"> /Evil (So tien: 9.000.000) /Pad <"
    body = match[1][:cms_end - match.start(1)] + evil
    body += b"0" * (len(match[1]) - len(body))
    attacked = both_pdf[:match.start(1)] + body + both_pdf[match.end(1):]
    assert len(attacked) == len(both_pdf)
    assert "DF-PDF-072" in _codes(attacked, validator)


def test_moved_signature_dictionary_keeps_its_byte_range(both_pdf: bytes,
                                                         validator: PathValidator) -> None:
    """The organ's signature dictionary copied to an update at the end of the file with the
    same /Contents and /ByteRange: its /Contents is not the gap (DF-PDF-072) and the update
    redefines a signed object (DF-PDF-081)."""
    nums = [n for n, v in parse_pdf(both_pdf).objects()
            if isinstance(v, PdfDict) and v.get(Name("Type")) == "Sig"]
    organ = max(nums)
    attacked = append_update(both_pdf, {organ: dump(current(both_pdf, organ))})
    codes = _codes(attacked, validator)
    assert {"DF-PDF-072", "DF-PDF-081"} & codes, codes


def test_xref_pointing_into_the_gap(both_pdf: bytes, validator: PathValidator) -> None:
    """An object written into the zero padding of the organ's /Contents and an update whose
    xref points at it: refused by the reader (DF-PDF-055) or as a broken gap."""
    match = _organ_contents(both_pdf)
    at = match.end(1) - 200
    evil = b"> 4 0 obj\n<< /Length 2 >>\nstream\nXX\nendstream\nendobj\n<"
    attacked = both_pdf[:at] + evil + both_pdf[at + len(evil):]
    assert len(attacked) == len(both_pdf)
    update = append_update(both_pdf, {4: b"null"})
    update = attacked + update[len(both_pdf):]
    xref = update.rfind(b"xref\n4 1\n") + len(b"xref\n4 1\n")
    update = update[:xref] + b"%010d" % (at + 2) + update[xref + 10:]
    codes = _codes(update, validator)
    assert codes & {"DF-PDF-055", "DF-PDF-072", "DF-PDF-051"}, codes
