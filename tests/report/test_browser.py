"""Reports open in a real browser (headless Chromium): clean, offline, and every chart drawn."""

from __future__ import annotations

import json
from pathlib import Path

from docflow.report.audit import render_audit
from docflow.report.simulation import write_simulation_report

from .conftest import Browser, PageCheck
from .summaries import audit_result, summary


def _assert_clean(check: PageCheck) -> None:
    """No console message of any level, and no request but the page itself."""
    assert check.console == [], check.console
    assert check.requests == [check.url], check.requests
    assert check.screenshot.stat().st_size > 10_000
    assert check.pdf_pages >= 2


def test_simulation_report_in_chromium(browser: Browser, tmp_path: Path) -> None:
    """The simulation report loads with no console error and no network request, each chart
    draws one mark per data point of the summary, and a screenshot and a print are taken."""
    s = summary()
    (tmp_path / "summary.json").write_text(json.dumps(s, ensure_ascii=False), "utf-8")
    page = write_simulation_report(tmp_path)
    check = browser.open(page, tmp_path / "simulation.png")
    _assert_clean(check)
    assert check.title == f"Simulation report: {s['scenario']['name']}"
    assert "Trục liên thông văn bản quốc gia" in check.text
    hours = len(s["series"]["throughput"]["central"])
    expected = {
        "chart-throughput": len(s["series"]["throughput"]) * hours,
        "chart-backlog": len(s["series"]["backlog"]) * hours,
        "chart-utilisation": len(s["series"]["utilisation"]) * hours,
        "chart-delivery": sum(len(c["delivery"]) for c in s["latency_cdf"].values()),
        "chart-acceptance": sum(len(c["acceptance"]) for c in s["latency_cdf"].values()),
        "chart-coverage": 3 * len(s["levels"]),
    }
    assert {k: v["points"] for k, v in check.charts.items()} == expected
    for chart in check.charts.values():
        assert chart["width"] > 600 and chart["height"] > 150


def test_audit_report_in_chromium(browser: Browser, tmp_path: Path) -> None:
    """The audit report loads clean and offline; the level, month and below-target charts draw
    one point per group of the result."""
    result = audit_result(target=0.98)
    page = tmp_path / "audit.html"
    page.write_text(render_audit(result), "utf-8")
    check = browser.open(page, tmp_path / "audit.png")
    _assert_clean(check)
    assert "Quyết định" in check.text
    agencies_below = [b for b in result["target"]["below"] if b["dimension"] == "agency"]
    points = {k: v["points"] for k, v in check.charts.items()}
    assert points == {"chart-levels": len(result["by_level"]),
                      "chart-months": len(result["by_month"]),
                      "chart-below": len(agencies_below)}
