"""PDF signature checking: docflow against pyHanko on the same two-signature PDF, and the audit
of field messages with signed PDFs against the XML-only audit.

Run with ``pytest bench/test_pdf_verify_bench.py -s -p no:randomly`` (or ``python -m pytest``);
each test prints its table. Every row is measured side by side in one run, the two sides
interleaved round by round, so load on the shared machine hits both alike; the tables give the
minimum and the median per operation, and the ratio of each. All rows are **warm**: the
certificate path cache of docflow's validator and pyHanko's validation context are filled by a
first, unmeasured call, as in an audit where one organ certificate signs thousands of documents.

* ``verify``: :func:`docflow.profile.nd30.verify_document_pdf` (parse every revision, both
  ByteRanges, both CMS, the paths with revocation, the check of each update, Decree 30's order)
  against pyHanko's ``validate_pdf_signature`` for each signature (integrity, CMS, path with
  revocation from the same CRLs, its difference analysis); same verdicts asserted. Goal (issue
  14): docflow ≥ 5× pyHanko.
Each table also gives, per side, the min and the median over the rounds of that round's
ratio (the two sides of a round ran back to back, under the same load).
``bench/callgrind_pdf_audit.py`` gives the audit row as instruction counts, which no load
moves.

* ``audit``: the audit's seam (:meth:`docflow.audit.SignatureChecker.check`, what every worker
  runs per envelope) on a field message carrying the two-signature PDF, against the same on
  an XML-signed message (person and organ, XML-DSig) carrying the same document unsigned.
  Goal: ≥ 50% of the XML rate.
"""

from __future__ import annotations

import datetime as dt
import gc
import statistics
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from docflow.audit.signatures import SignatureChecker
from docflow.dsig import Signer
from docflow.pki.export import write_pki
from docflow.pki.roles import Role
from docflow.profile.edxml import sign_message
from docflow.profile.nd30 import verify_document_pdf
from docflow.trust import Trust
from tests.pdf import corpus, messages
from tests.pdf.test_interop import pyhanko_context

ROUNDS = 30
"""Interleaved rounds; each round times one batch of each side."""


def _interleaved(sides: dict[str, Callable[[], object]], batch: int, rounds: int = ROUNDS
                 ) -> dict[str, list[float]]:
    """Seconds per call of each side, one batch per side per round, sides alternating."""
    times: dict[str, list[float]] = {name: [] for name in sides}
    for call in sides.values():  # warm: caches filled, code paths imported
        call()
    gc.collect()
    for _ in range(rounds):
        for name, call in sides.items():
            start = time.perf_counter()
            for _ in range(batch):
                call()
            times[name].append((time.perf_counter() - start) / batch)
    return times


def _table(title: str, times: dict[str, list[float]], reference: str) -> str:
    """Min and median time per side, the ratio of the reference's to each side's (its rate
    relative to the reference's) over those, and the min and median of the per-round ratio
    (each round's two batches ran back to back, under the same load)."""
    ref_min, ref_med = min(times[reference]), statistics.median(times[reference])
    lines = [title, f"  {'':<30}{'min ms':>9}{'median ms':>11}{'rate ratio (min)':>18}"
             f"{'(median)':>10}{'per round: min':>16}{'median':>8}",
             f"  rate ratios are against {reference}"]
    for name, values in times.items():
        low, mid = min(values), statistics.median(values)
        rounds = [ref / own for ref, own in zip(times[reference], values, strict=True)]
        lines.append(f"  {name:<30}{low * 1e3:>9.3f}{mid * 1e3:>11.3f}"
                     f"{ref_min / low:>18.2f}{ref_med / mid:>10.2f}"
                     f"{min(rounds):>16.2f}{statistics.median(rounds):>8.2f}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    pki = corpus.build_pki()
    folder = tmp_path_factory.mktemp("bench") / "pki"
    write_pki(pki, folder)
    return pki, folder, corpus.signed_by_both(pki)


def test_verify_docflow_vs_pyhanko(setting) -> None:  # type: ignore[no-untyped-def]
    """The same two-signature PDF: same verdicts, then the interleaved timings."""
    pki, _, data = setting
    validator = pki.validator()
    context = pyhanko_context(pki)

    def docflow() -> list[bool]:
        return [s.passed for s in verify_document_pdf(data, validator).signatures]

    def pyhanko() -> list[bool]:
        reader = PdfFileReader(BytesIO(data))
        return [bool(validate_pdf_signature(sig, context).bottom_line)
                for sig in reader.embedded_signatures]

    assert docflow() == pyhanko() == [True, True]
    times = _interleaved({"pyHanko validate (2 sigs)": pyhanko,
                          "docflow verify (2 sigs)": docflow}, batch=5)
    print("\n" + _table(f"verify, warm, {len(data):,}-byte PDF with 2 signatures, "
                        f"{ROUNDS} interleaved rounds", times, "pyHanko validate (2 sigs)"))


def test_audit_pdf_vs_xml(setting) -> None:  # type: ignore[no-untyped-def]
    """Field messages (placeholder + signed PDF) against XML-signed ones, per envelope."""
    pki, folder, data = setting
    checker = SignatureChecker(Trust.from_options(anchors=(Path(folder),)))
    at = dt.datetime.now(dt.UTC)
    field = messages.with_pdfs([data], sender=corpus.ORGAN_CODE, serial=1)
    # The XML-signed message carries the unsigned PDF: the same document, signed in XML.
    xml = messages.with_pdfs([corpus.plain_pdf()], sender=corpus.ORGAN_CODE, serial=2,
                             placeholder=False)
    for role in (Role.SIGNER, Role.ORGAN):
        key, cert, chain = pki.credentials_for(corpus.ORGAN_CODE, role)
        xml = sign_message(xml, Signer(key, [cert, *chain]), role)
    field_outcome, xml_outcome = checker.check(field, at), checker.check(xml, at)
    assert field_outcome.organ_valid and field_outcome.signer_valid
    assert (field_outcome.organ_source, xml_outcome.organ_source) == ("pdf", "xml")
    assert xml_outcome.organ_valid and xml_outcome.signer_valid
    times = _interleaved({"XML-DSig envelope": lambda: checker.check(xml, at),
                          "field envelope + signed PDF": lambda: checker.check(field, at)},
                         batch=5)
    print("\n" + _table(f"audit seam per envelope, warm ({len(xml):,} B XML-signed, "
                        f"{len(field):,} B field with PDF), {ROUNDS} interleaved rounds",
                        times, "XML-DSig envelope"))
