"""Any change to the signed bytes of a PDF is never PASSED, and no change is a traceback.

Every byte of a file signed by the person and then the organ is covered by the organ's
ByteRange except its /Contents gap, so each single-byte change outside that gap must end as a
verdict other than PASSED, through whichever check notices first (the reader, the ByteRange,
the CMS, the digest). Inside the gap some changes are rightly harmless (PAdES leaves the gap
unsigned): the hex digits' case, whitespace in the padding, a byte of a CA certificate the CMS
carries unsigned; there, only the absence of tracebacks is asserted.
"""

from __future__ import annotations

import random

from docflow.errors import Indication
from docflow.pki.validate import PathValidator
from docflow.profile.nd30 import verify_document_pdf


def test_single_byte_changes_never_pass(both_pdf: bytes, validator: PathValidator) -> None:
    """400 random single-byte changes and 60 truncations of the signed file."""
    rng = random.Random(1414)
    organ = verify_document_pdf(both_pdf, validator)
    assert organ.passed
    gap_start = both_pdf.rfind(b"/Contents <") + len(b"/Contents ")
    gap_end = both_pdf.index(b">", gap_start) + 1
    cases = []
    for _ in range(400):
        at = rng.randrange(len(both_pdf))
        new = rng.choice([b for b in range(256) if b != both_pdf[at]])
        cases.append((both_pdf[:at] + bytes([new]) + both_pdf[at + 1:],
                      not gap_start <= at < gap_end))
    step = max(1, len(both_pdf) // 60)
    cases += [(both_pdf[:n], True) for n in range(0, len(both_pdf) - 2, step)]
    assert sum(signed for _, signed in cases) > 300
    for case, signed in cases:
        result = verify_document_pdf(case, validator)
        if signed:
            assert result.indication is not Indication.PASSED
        assert all(f.code.startswith(("DF-PDF-", "DF-PKI-", "DF-IO-"))
                   for f in result.findings), result.findings
