"""Instruction counts per envelope of the audit's seam, on the PDF benchmark's two messages.

The wall-time ratio of ``bench/test_pdf_verify_bench.py::test_audit_pdf_vs_xml`` moves with the
neighbours' load; instruction counts do not. This script runs
:meth:`docflow.audit.SignatureChecker.check` (warm) on one of that benchmark's two envelopes:

* ``field`` — a field message (placeholder envelope signature) carrying the two-signature PDF
  (person, then organ, signed by pyHanko);
* ``xml`` — the same document unsigned, the message signed in XML-DSig by the person and the
  organ.

Usage::

    OPENBLAS_NUM_THREADS=1 PYTHONHASHSEED=0 valgrind --tool=callgrind \\
        --callgrind-out-file=/dev/null python bench/callgrind_pdf_audit.py CASE N FOLDER

Run it with ``N`` = 3 and 23 for each case and divide the difference of callgrind's
``Collected`` counts by 20: imports, set-up and the first (cold) call cancel out. The first
run writes the PKI and both messages to ``FOLDER`` (a new folder of your choice); later runs
read them, so that every run checks the same bytes (pyHanko writes the signing time into the
PDF, and a second that changes between the two signatures changes the update check's work).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from docflow.audit.signatures import SignatureChecker
from docflow.trust import Trust


def _prepare(folder: Path) -> None:
    """The PKI (``pki/``), the field message and the XML-signed one, as the benchmark makes
    them."""
    from docflow.dsig import Signer
    from docflow.pki.export import write_pki
    from docflow.pki.roles import Role
    from docflow.profile.edxml import sign_message
    from tests.pdf import corpus, messages

    pki = corpus.build_pki()
    write_pki(pki, folder / "pki")
    field = messages.with_pdfs([corpus.signed_by_both(pki)], sender=corpus.ORGAN_CODE, serial=1)
    xml = messages.with_pdfs([corpus.plain_pdf()], sender=corpus.ORGAN_CODE, serial=2,
                             placeholder=False)
    for role in (Role.SIGNER, Role.ORGAN):
        key, cert, chain = pki.credentials_for(corpus.ORGAN_CODE, role)
        xml = sign_message(xml, Signer(key, [cert, *chain]), role)
    (folder / "field.edxml").write_bytes(field)
    (folder / "xml.edxml").write_bytes(xml)
    (folder / "at.txt").write_text(dt.datetime.now(dt.UTC).isoformat())


def main(case: str, count: int, folder: Path) -> None:
    if not (folder / "xml.edxml").exists():
        folder.mkdir(parents=True, exist_ok=True)
        _prepare(folder)
    data = (folder / f"{case}.edxml").read_bytes()
    checker = SignatureChecker(Trust.from_options(anchors=(folder / "pki",)))
    at = dt.datetime.fromisoformat((folder / "at.txt").read_text())  # when it was made
    first = checker.check(data, at)  # cold: caches filled
    assert first.organ_valid and first.signer_valid, first
    for _ in range(count):
        checker.check(data, at)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("field", "xml"):
        raise SystemExit("usage: callgrind_pdf_audit.py field|xml N FOLDER")
    main(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
