"""``docflow validate``: a verdict per file, every finding, text or JSON, exit codes 0/1/2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from docflow.cli import cli
from docflow.envelope.builder import build
from docflow.envelope.samples import example_document, example_status

DOCUMENT = build(example_document())
STATUS = build(example_status())
BROKEN = re.sub(rb"<edXML:Priority>\d<", b"<edXML:Priority>9<", DOCUMENT).replace(
    b"<edXML:CodeNumber>12<", b"<edXML:CodeNumber>12a<")


def _run(*args: str, input: bytes | None = None) -> Result:
    # These messages are unsigned and the layout is the point here; signature verification
    # and its warning on unsigned messages are tested in test_signatures.py.
    result = CliRunner().invoke(cli, ["validate", "--no-signatures", *args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "a-good.edxml").write_bytes(DOCUMENT)
    (tmp_path / "b-status.xml").write_bytes(STATUS)
    (tmp_path / "c-broken.edxml").write_bytes(BROKEN)
    (tmp_path / "d-cut.edxml").write_bytes(DOCUMENT[:500])
    return tmp_path


def test_text_report_lists_every_finding_aligned(folder: Path) -> None:
    """One verdict line per file, two lines per finding in fixed columns, a summary last."""
    result = _run(str(folder))
    lines = result.stdout.splitlines()
    verdicts = [line.split()[0] for line in lines if not line.startswith(" ")]
    assert verdicts[:4] == ["PASSED", "PASSED", "FAILED", "FAILED"]
    assert lines[-1] == ("4 files: 2 passed, 2 failed, 0 indeterminate "
                         "(1 could not be read or parsed)")
    findings = [line for line in lines if re.match(r" {4}DF-", line)]
    assert [f.split()[0] for f in findings] == ["DF-ENV-048", "DF-ENV-047", "DF-ENV-060",
                                                "DF-XML-006"]
    # Code, severity, "line N" and the element path start in the same columns on every row.
    for row in findings[:3]:
        assert row[16:21] == "error" and row[25:30] == "line "
        assert row[35:].startswith("/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/")
    messages = [lines[lines.index(f) + 1] for f in findings]
    assert all(m.startswith(" " * 16) and m.strip() for m in messages)
    assert "Priority '9' is not 0 (normal)" in result.stdout
    assert result.exit_code == 1


def test_json_report_follows_the_documented_layout(folder: Path) -> None:
    """schema, docflow_version, reports (source, verdict, kind, parsed, findings, signatures)
    and summary."""
    result = _run("--format", "json", str(folder))
    body = json.loads(result.stdout)
    assert set(body) == {"schema", "docflow_version", "reports", "summary"}
    assert body["schema"] == "docflow.validation/1"
    assert body["summary"] == {"total": 4, "passed": 2, "failed": 2, "indeterminate": 0,
                               "unparsed": 1, "exit_code": 1}
    good, status, broken, cut = body["reports"]
    assert (good["verdict"], good["kind"], good["findings"]) == ("PASSED", "document", [])
    assert status["kind"] == "status"
    assert broken["findings"][0] == {
        "code": "DF-ENV-048", "severity": "error",
        "message": broken["findings"][0]["message"],
        "location": {"line": 38, "path": "/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Code/"
                                         "CodeNumber"}}
    assert (cut["parsed"], cut["kind"], cut["verdict"]) == (False, None, "FAILED")
    assert "timings_ms" not in good
    timed = json.loads(_run("--format", "json", "--timings", str(folder / "a-good.edxml"))
                       .stdout)
    assert set(timed["reports"][0]["timings_ms"]) == {"read", "parse", "schema", "rules"}
    assert result.exit_code == 1


def test_exit_codes() -> None:
    """0 all passed, 1 something failed, 2 nothing could be parsed or bad usage."""
    assert _run("-", input=DOCUMENT).exit_code == 0
    assert _run("-", input=BROKEN).exit_code == 1
    assert _run("-", input=b"not xml").exit_code == 2
    assert _run().exit_code == 2  # no FILE
    assert _run("--format", "yaml", "-", input=DOCUMENT).exit_code == 2
    assert _run("--max-size", "0", "-", input=DOCUMENT).exit_code == 2


def test_switching_checks_off() -> None:
    """--no-rules drops the business rules; --no-schema makes the rules report absences."""
    assert _run("--no-rules", "-", input=BROKEN).exit_code == 0
    without_code = re.sub(rb"\s*<edXML:Code>.*?</edXML:Code>", b"", DOCUMENT, flags=re.S)
    with_schema = _run("-", input=without_code).stdout
    assert "DF-ENV-004" in with_schema and "DF-ENV-041" not in with_schema
    no_schema = _run("--no-schema", "-", input=without_code).stdout
    assert "DF-ENV-041" in no_schema and "DF-ENV-004" not in no_schema


def test_size_limit_option(tmp_path: Path) -> None:
    """--max-size refuses a larger file with DF-IO-002, as INDETERMINATE."""
    path = tmp_path / "m.edxml"
    path.write_bytes(DOCUMENT)
    result = _run("--max-size", "1024", str(path))
    assert result.stdout.startswith("INDETERMINATE") and "DF-IO-002" in result.stdout
    assert result.exit_code == 2


def test_help_documents_the_exit_codes() -> None:
    """The help says what 0, 1 and 2 mean."""
    out = " ".join(_run("--help").stdout.split())
    assert "Exit code: 0 all passed" in out and "2 usage error" in out
