"""summary.json: the documented keys, self-describing series, and readable by the report."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from docflow.report.simulation import read_simulation
from docflow.runs import simulate
from docflow.sim.scenario import (
    CalibrationFigure,
    CryptoSpec,
    FaultSpec,
    Measure,
    Outage,
    Period,
    Scenario,
)
from docflow.sim.summary import SCHEMA
from docflow.sim.summary_model import SimulationSummary

SCENARIO = replace(Scenario(), topology="tiny", crypto=CryptoSpec.parse("model"), seed=9,
                   period=Period(days=2, drain_days=40),
                   faults=FaultSpec(hub_outages=(Outage("axis", datetime(2025, 7, 7, 10), 1.0),),
                                    tamper_rate=0.05),
                   calibration=(CalibrationFigure("sent", 100.0, Measure.DOCUMENTS_SENT),
                                CalibrationFigure("communes", 7.0, Measure.COMMUNES,
                                                  scope=None),
                                CalibrationFigure("signed", 0.9, Measure.ORGAN_SIGNED_SHARE)))


def test_summary_has_the_documented_blocks(tmp_path: Path) -> None:
    """Top-level blocks, per-level and per-hub figures, series and calibration are present and
    consistent with each other."""
    result = simulate(SCENARIO, tmp_path)
    data = json.loads((tmp_path / "summary.json").read_bytes())
    assert list(data) == ["schema", "docflow_version", "scenario", "run", "topology", "totals",
                          "levels", "hubs", "series", "latency_cdf", "outages", "calibration",
                          "assumptions"]
    assert data["schema"] == SCHEMA
    assert data["scenario"]["crypto"] == "model"
    assert {f["kind"] for f in data["scenario"]["faults"]} == {"hub_outage", "tampering"}
    level = data["levels"]["commune"]
    for key in ("sent", "deliveries", "delivered", "lost", "throughput_per_hour", "latency_s",
                "coverage"):
        assert key in level
    assert set(level["latency_s"]["delivery"]) == {"count", "mean", "p50", "p95", "p99"}
    assert sum(lv["sent"] for lv in data["levels"].values()) == data["totals"]["documents_sent"]
    hub = data["hubs"]["axis"]
    assert {"utilisation", "peak_backlog", "documents", "status", "coverage"} <= set(hub)
    series = data["series"]
    assert series["step_s"] == 3600 and series["steps"] == 48
    assert all(len(v) == 48 for v in series["throughput"].values())
    assert all(len(v) == 48 for v in series["backlog"].values())
    assert sum(sum(v) for v in series["throughput"].values()) <= data["totals"]["delivered"]
    cdf = data["latency_cdf"]["commune"]["delivery"]
    assert [p[1] for p in cdf] == sorted(p[1] for p in cdf)
    assert [p[0] for p in cdf] == sorted(p[0] for p in cdf)
    rows = {r["figure"]: r for r in data["calibration"]}
    assert rows["sent"]["simulated"] == data["totals"]["documents_sent"] - \
        data["levels"]["central"]["sent"]
    assert rows["communes"]["simulated"] == 7
    assert 0 < rows["signed"]["simulated"] < 1
    assert result.summary == SimulationSummary.from_dict(data)
    assert result.to_json() == (tmp_path / "summary.json").read_bytes()


def test_the_report_reads_the_summary(tmp_path: Path) -> None:
    """The HTML report's reader accepts the summary as written (the two stay in step)."""
    simulate(SCENARIO, tmp_path)
    view = read_simulation(json.loads((tmp_path / "summary.json").read_bytes()))
    assert view.levels and view.hubs and view.throughput and view.delivery_cdf
    assert view.outages[0].target == "axis"
