"""``docflow validate`` opens every PDF attachment of a message and checks each PDF signature,
the organ code against the message's From, and adds one result per PDF signature to the
report."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from click.testing import CliRunner

from docflow.cli import cli
from docflow.errors import Indication
from docflow.pki.roles import Role
from docflow.trust import Trust
from docflow.validation import ValidationConfig, validate
from tests.pdf import corpus, messages


def _report(data: bytes, pki_dir: Path, required: frozenset[Role] | None = frozenset()
            ):  # type: ignore[no-untyped-def]
    """Validated under the PKI; by default with no role required of the XML envelope (the
    PDF-only workflow: the header is then not vouched for by any signature)."""
    config = ValidationConfig(trust=Trust.from_options([pki_dir]))
    if required is not None:
        config = dataclasses.replace(config, required_roles=required)
    return validate(data, config)


def test_pdf_signatures_are_in_the_report(both_pdf: bytes, pki_dir: Path) -> None:
    """Each PDF signature is one result, with its role, signer, time and place; with no
    placeholder signature the message passes."""
    data = messages.with_pdfs([both_pdf], sender=corpus.ORGAN_CODE, placeholder=False)
    report = _report(data, pki_dir)
    pdf = [s for s in report.signatures if s.location.path and "Attachment[" in s.location.path]
    assert [(s.role, s.verdict) for s in pdf] == [("signer", Indication.PASSED),
                                                   ("organ", Indication.PASSED)]
    assert all(s.signed_at and s.signer for s in pdf)
    assert "'CoQuan'" in (pdf[1].location.path or "")
    assert report.verdict is Indication.PASSED, report.findings
    # Under a trust the organ's XML-DSig signature is required by default (issue 12, hole 3):
    # the PDF signatures do not cover the envelope's header (Subject, From, DocumentId).
    strict = _report(data, pki_dir, required=None)
    assert strict.verdict is Indication.FAILED
    assert "DF-SIG-028" in {f.code for f in strict.findings}


def test_pdf_of_another_agency_fails(both_pdf: bytes, pki_dir: Path) -> None:
    """The PDF is signed by 000.00.00.H49 but the message comes from 000.00.01.H49:
    DF-PDF-083 on both signatures, the message FAILED."""
    data = messages.with_pdfs([both_pdf], sender=corpus.OTHER_CODE, placeholder=False)
    report = _report(data, pki_dir)
    assert report.verdict is Indication.FAILED
    codes = [f.code for s in report.signatures for f in s.findings]
    assert codes.count("DF-PDF-083") == 2


def test_tampered_pdf_attachment_fails(both_pdf: bytes, pki_dir: Path) -> None:
    """A byte of the PDF changed in transit: DF-PDF-076."""
    data = messages.with_pdfs([both_pdf.replace(b"1.000.000", b"9.000.000")],
                              sender=corpus.ORGAN_CODE, placeholder=False)
    report = _report(data, pki_dir)
    assert report.verdict is Indication.FAILED
    assert "DF-PDF-076" in {f.code for s in report.signatures for f in s.findings}


def test_cli_validate_reports_pdf_signatures(both_pdf: bytes, pki_dir: Path,
                                             tmp_path: Path) -> None:
    """Through the command line: the JSON report holds the PDF signatures; the field's
    placeholder signature makes the message INDETERMINATE (DF-ENV-070), never PASSED, and
    without --require none the organ's missing XML-DSig signature FAILS it (DF-SIG-028)."""
    path = tmp_path / "field.edxml"
    path.write_bytes(messages.with_pdfs([both_pdf], sender=corpus.ORGAN_CODE))
    result = CliRunner().invoke(cli, ["validate", str(path), "--trust", str(pki_dir),
                                      "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    reports = report.get("reports", [report])
    signatures = reports[0]["signatures"]
    assert [s["role"] for s in signatures] == ["signer", "organ"]
    assert {s["verdict"] for s in signatures} == {"PASSED"}
    assert reports[0]["verdict"] == "FAILED"
    assert "DF-SIG-028" in {f["code"] for f in reports[0]["findings"]}
    relaxed = CliRunner().invoke(cli, ["validate", str(path), "--trust", str(pki_dir),
                                       "--require", "none", "--format", "json"])
    assert json.loads(relaxed.output)["reports"][0]["verdict"] == "INDETERMINATE"
