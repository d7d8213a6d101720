"""Reports open in a real browser (headless Chromium): clean, offline, and every chart drawn."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docflow.report.audit import MAX_BELOW_CHART, render_audit
from docflow.report.simulation import TOP_HUBS

from .conftest import Browser, PageCheck
from .summaries import audit_result


def _assert_clean(check: PageCheck) -> None:
    """No console message of any level, and no request but the page itself."""
    assert check.console == [], check.console
    assert check.requests == [check.url], check.requests
    assert check.screenshot.stat().st_size > 10_000
    assert check.pdf_pages >= 2


def _expected_sim_points(s: dict[str, Any]) -> dict[str, int]:
    """Data points each chart of the simulation report must draw, counted from summary.json."""
    series = s["series"]
    steps = series["steps"]
    hubs_drawn = min(len(s["hubs"]), TOP_HUBS)  # the tiny topology has fewer hubs than that
    provinces = [h for h in s["hubs"].values() if h["province"]]
    return {
        "chart-throughput": len(series["throughput"]) * steps,
        "chart-backlog": hubs_drawn * steps,
        "chart-utilisation": hubs_drawn * steps,
        "chart-delivery": sum(len(c["delivery"]) for c in s["latency_cdf"].values()),
        "chart-acceptance": sum(len(c["acceptance"]) for c in s["latency_cdf"].values()),
        "chart-coverage": 3 * sum(1 for lv in s["levels"].values()
                                  if lv["coverage"]["documents"]),
        # A tile per province with a figure (the tiny topology's provinces are 2025 names).
        "map-volume": len(provinces),
        "map-latency": sum(1 for h in provinces if h["latency_s"]["delivery"]["p95"] is not None),
        "map-coverage": sum(1 for h in provinces if h["coverage"]["documents"]),
    }


def test_simulation_report_in_chromium(browser: Browser, tiny_run: Path, tmp_path: Path) -> None:
    """The report ``docflow simulate`` writes loads with no console message and no network
    request; each chart draws one mark per data point of summary.json; a full-page screenshot
    and an A4 print are taken."""
    s = json.loads((tiny_run / "summary.json").read_text("utf-8"))
    check = browser.open(tiny_run / "report.html", tmp_path / "simulation.png")
    _assert_clean(check)
    assert check.title == f"Simulation report: {s['scenario']['name']}"
    assert "Trục liên thông văn bản quốc gia" in check.text  # the axis, by its Vietnamese name
    points = {k: v["points"] for k, v in check.charts.items()}
    assert points == _expected_sim_points(s)
    assert all(v > 0 for v in points.values())
    for chart_id, chart in check.charts.items():
        if chart_id.startswith("chart-"):  # the tile maps are three abreast
            assert chart["width"] > 600 and chart["height"] > 150
        else:
            assert chart["width"] > 200 and chart["height"] > 300


def test_audit_report_in_chromium(browser: Browser, fixture_audit: tuple[dict[str, Any], Path],
                                  tmp_path: Path) -> None:
    """The page ``docflow audit --format html`` writes loads clean and offline; the level,
    month and below-target charts draw one point per group of the audit's JSON result."""
    result, page = fixture_audit
    check = browser.open(page, tmp_path / "audit.png")
    _assert_clean(check)
    below = [b for b in result["target"]["below"] if b["dimension"] == "agency"]
    points = {k: v["points"] for k, v in check.charts.items()}
    assert points == {"chart-levels": len(result["by_level"]),
                      "chart-months": len(result["by_month"]),
                      "chart-below": min(len(below), MAX_BELOW_CHART)}
    assert all(v > 0 for v in points.values())


def test_zoomed_audit_report_in_chromium(browser: Browser, tmp_path: Path) -> None:
    """An audit whose rates sit near the target (zoomed axis, rows above and below it, Vietnamese
    document types) renders as cleanly."""
    result = audit_result(target=0.98)
    page = tmp_path / "audit.html"
    page.write_text(render_audit(result), "utf-8")
    check = browser.open(page, tmp_path / "audit-zoomed.png")
    _assert_clean(check)
    assert "Quyết định" in check.text
    below = [b for b in result["target"]["below"] if b["dimension"] == "agency"]
    assert {k: v["points"] for k, v in check.charts.items()} == {
        "chart-levels": len(result["by_level"]), "chart-months": len(result["by_month"]),
        "chart-below": len(below)}
