"""The validation engine: one report per input, checks in order, problems as findings."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path

import pytest

from docflow import ValidationConfig, ValidationReport, validate
from docflow.envelope.builder import build
from docflow.envelope.samples import example_document, example_status
from docflow.errors import Finding, Indication, Location
from docflow.validation import SignatureResult, ValidationSummary, validate_paths
from docflow.validation.checks import CheckOutcome, Message

DOCUMENT = build(example_document())
STATUS = build(example_status())


def test_builder_output_passes_schema_and_rules() -> None:
    """What docflow writes is a valid document and a valid status message."""
    for data, kind in ((DOCUMENT, "document"), (STATUS, "status")):
        report = validate(data)
        assert report.verdict is Indication.PASSED, report.findings
        assert report.kind is not None and report.kind.value == kind
        assert report.findings == ()
        assert report.parsed


def test_schema_findings_are_in_the_report() -> None:
    """A document without a Subject fails on the schema's code, with the element's line."""
    data = DOCUMENT.replace(b"<edXML:Subject>", b"<edXML:Sbject>", 1) \
        .replace(b"</edXML:Subject>", b"</edXML:Sbject>", 1)
    report = validate(data)
    assert report.verdict is Indication.FAILED
    schema_codes = {f.code for f in report.findings if int(f.code[-3:]) < 40}
    assert schema_codes, report.findings
    assert all(f.location.line for f in report.findings)


def test_without_schema_the_rules_report_missing_fields() -> None:
    """With the XSD off, a missing DocumentId is still caught, by DF-ENV-041, never passed."""
    start = DOCUMENT.index(b"<edXML:DocumentId>")
    end = DOCUMENT.index(b"</edXML:DocumentId>") + len(b"</edXML:DocumentId>")
    data = DOCUMENT[:start] + DOCUMENT[end:]
    no_schema = dataclasses.replace(ValidationConfig(), check_schema=False)
    report = validate(data, no_schema)
    assert [f.code for f in report.findings] == ["DF-ENV-041"]
    assert report.findings[0].location.path == "/edXML/edXMLEnvelope/edXMLHeader/MessageHeader"
    with_schema = validate(data)
    assert "DF-ENV-041" not in {f.code for f in with_schema.findings}
    assert with_schema.verdict is Indication.FAILED


def test_input_problems_are_findings_not_exceptions(tmp_path: Path) -> None:
    """Unreadable is INDETERMINATE (DF-IO), unparseable is FAILED (DF-XML); neither raises."""
    missing = validate(tmp_path / "absent.edxml")
    assert (missing.verdict, missing.parsed) == (Indication.INDETERMINATE, False)
    assert missing.findings[0].code == "DF-IO-001"
    broken = validate(DOCUMENT[: len(DOCUMENT) // 2])
    assert (broken.verdict, broken.parsed) == (Indication.FAILED, False)
    assert broken.findings[0].code == "DF-XML-006"
    folder = validate(tmp_path)
    assert folder.findings[0].code == "DF-IO-001"


def test_a_report_has_no_file_in_its_findings(tmp_path: Path) -> None:
    """The file name is the report's source, once; findings carry line and path only."""
    path = tmp_path / "m.edxml"
    path.write_bytes(DOCUMENT.replace(b"<edXML:CodeNumber>12<", b"<edXML:CodeNumber>13<"))
    report = validate(path)
    assert report.source == str(path)
    assert all(f.location.file is None for f in report.findings)


@dataclasses.dataclass(frozen=True)
class _CountingSignatureCheck:
    """A check in the shape a signature check takes: it reports per-signature results."""

    name: str = "signatures"

    def run(self, message: Message, config: ValidationConfig) -> CheckOutcome:
        bad = Finding("DF-ENV-070", "stand-in for a signature finding", Location(line=1))
        return CheckOutcome(signatures=(SignatureResult(Indication.INDETERMINATE, role="organ",
                                                        findings=(bad,)),))


def test_extra_checks_run_after_the_built_in_ones() -> None:
    """An appended check's per-signature findings decide the verdict and appear in the JSON."""
    config = dataclasses.replace(ValidationConfig(), extra_checks=(_CountingSignatureCheck(),))
    report = validate(DOCUMENT, config)
    assert report.verdict is Indication.INDETERMINATE
    assert [name for name, _ in report.timings] == ["parse", "schema", "rules", "signatures"]
    as_json = json.loads(json.dumps(report.to_dict()))
    assert as_json["signatures"][0]["role"] == "organ"
    assert as_json["signatures"][0]["findings"][0]["code"] == "DF-ENV-070"


def test_report_json_layout() -> None:
    """to_dict() has the documented keys; timings only on request."""
    report = validate(re.sub(rb"<edXML:Priority>\d<", b"<edXML:Priority>9<", DOCUMENT))
    body = report.to_dict()
    assert set(body) == {"source", "verdict", "kind", "parsed", "findings", "signatures",
                         "signatures_checked"}
    finding = body["findings"][0]  # type: ignore[index]
    assert finding["code"] == "DF-ENV-060"
    assert set(finding["location"]) == {"line", "path"}
    assert "timings_ms" in report.to_dict(timings=True)


@pytest.mark.parametrize(("verdicts", "unparsed", "code"), [
    ([Indication.PASSED, Indication.PASSED], 0, 0),
    ([Indication.PASSED, Indication.FAILED], 0, 1),
    ([Indication.PASSED, Indication.FAILED], 1, 1),
    ([Indication.INDETERMINATE], 0, 1),
    ([Indication.FAILED], 1, 2),
    ([], 0, 2),
])
def test_exit_code_of_a_batch(verdicts: list[Indication], unparsed: int, code: int) -> None:
    """0 all passed, 1 some did not, 2 when nothing could be parsed at all."""
    reports = [ValidationReport(f"f{i}", v, parsed=i >= unparsed)
               for i, v in enumerate(verdicts)]
    assert ValidationSummary.of(reports).exit_code == code


def test_folder_walk_is_sorted_filtered_and_safe(tmp_path: Path) -> None:
    """Only .xml/.edxml, in name order, links to folders skipped, links out of it refused."""
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / "b.edxml").write_bytes(DOCUMENT)
    (root / "a.XML").write_bytes(STATUS)
    (root / "notes.txt").write_text("not an envelope")
    (root / "sub" / "c.xml").write_bytes(DOCUMENT)
    (root / "loop").symlink_to(root, target_is_directory=True)
    outside = tmp_path / "secret.xml"
    outside.write_bytes(DOCUMENT)
    (root / "z-link.xml").symlink_to(outside)
    (root / "y-inside.xml").symlink_to(root / "b.edxml")
    reports = list(validate_paths([root]))
    names = [os.path.relpath(r.source, root) for r in reports]
    assert names == ["a.XML", "b.edxml", "y-inside.xml", "z-link.xml", "sub/c.xml"]
    verdicts = {n: r.verdict for n, r in zip(names, reports, strict=True)}
    assert verdicts["y-inside.xml"] is Indication.PASSED
    refused = reports[names.index("z-link.xml")]
    assert refused.findings[0].code == "DF-IO-001" and not refused.parsed
