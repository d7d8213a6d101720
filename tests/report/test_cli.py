"""``docflow report DIR`` re-renders a run's summary, and fails cleanly without one."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from docflow.cli import cli
from docflow.report.audit import render_audit
from docflow.report.simulation import render_simulation

from .summaries import summary


def test_report_writes_the_page_next_to_the_summary(tmp_path: Path) -> None:
    """The command writes DIR/report.html, the same page the library renders, and exits 0."""
    s = summary()
    (tmp_path / "summary.json").write_text(json.dumps(s, ensure_ascii=False), "utf-8")
    result = CliRunner().invoke(cli, ["report", str(tmp_path)])
    assert result.exit_code == 0, result.output
    page = tmp_path / "report.html"
    assert result.output.strip() == str(page)
    assert page.read_text("utf-8") == render_simulation(s, str(tmp_path / "summary.json"))


def test_report_to_another_file(tmp_path: Path) -> None:
    """-o writes the page where asked and leaves DIR untouched."""
    (tmp_path / "summary.json").write_text(json.dumps(summary()), "utf-8")
    out = tmp_path / "elsewhere.html"
    result = CliRunner().invoke(cli, ["report", str(tmp_path), "-o", str(out)])
    assert result.exit_code == 0 and out.exists() and not (tmp_path / "report.html").exists()


def test_report_without_summary_is_a_clean_error(tmp_path: Path) -> None:
    """No summary.json: exit 2 with code DF-REP-001 and the path, no traceback."""
    result = CliRunner().invoke(cli, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "DF-REP-001" in result.output and "summary.json" in result.output
    assert "Traceback" not in result.output


def test_report_with_a_broken_summary_names_the_key(tmp_path: Path) -> None:
    """A summary with a wrong field: exit 2, DF-REP-002 and the dotted key."""
    s = summary()
    s["levels"]["commune"]["sent"] = "many"
    (tmp_path / "summary.json").write_text(json.dumps(s), "utf-8")
    result = CliRunner().invoke(cli, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "DF-REP-002" in result.output and "levels.commune.sent" in result.output


def test_audit_html_is_the_report_of_the_json_result(fixture_audit) -> None:
    """``docflow audit --format html -o FILE`` writes the audit report of the very result that
    ``--format json`` gives for the same source."""
    result, page = fixture_audit
    assert page.read_text("utf-8") == render_audit(result)
    assert result["target"]["below"], "the fixtures are unsigned: every level is below 98 %"
