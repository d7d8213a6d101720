"""The simulation report shows what the summary holds, checks it, and is reproducible."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from docflow.errors import InputError
from docflow.report.simulation import (
    TOP_HUBS,
    read_simulation,
    render_simulation,
    write_simulation_report,
)

from . import summaries
from .summaries import summary


def test_sections_follow_the_summary() -> None:
    """Every section with data is rendered; one without data (no calibration) is left out."""
    s = summary()
    html = render_simulation(s)
    for section in ("glance", "throughput", "latency", "hubs", "coverage", "calibration"):
        assert f'<section id="{section}">' in html
    s["calibration"] = []
    assert '<section id="calibration">' not in render_simulation(s)


def test_vietnamese_names_survive_and_markup_is_escaped() -> None:
    """Vietnamese names render as UTF-8 text; markup in a name is escaped, not interpreted."""
    html = render_simulation(summary(name="Tuần <b>thử</b>", hub_name="Sở & <i>Ban</i>"))
    assert '<meta charset="utf-8">' in html
    assert "Trục liên thông văn bản quốc gia" in html
    assert "Tuần &lt;b&gt;thử&lt;/b&gt;" in html and "<b>thử" not in html
    assert "Sở &amp; &lt;i&gt;Ban&lt;/i&gt;" in html


def test_page_is_self_contained() -> None:
    """No script, no external URL (only the SVG namespace), and a policy that forbids loads."""
    html = render_simulation(summary())
    assert "<script" not in html.lower()
    urls = set(re.findall(r"(?:https?:)?//[\w.-]+[^\s\"'<>]*", html))
    assert urls <= {"http://www.w3.org/2000/svg"}
    assert "default-src 'none'" in html


def test_same_summary_same_bytes(tmp_path: Path) -> None:
    """Rendering twice, or from a JSON round trip, gives byte-identical reports."""
    s = summary()
    (tmp_path / "summary.json").write_text(json.dumps(s, ensure_ascii=False), "utf-8")
    first = write_simulation_report(tmp_path).read_bytes()
    second = write_simulation_report(tmp_path, tmp_path / "again.html").read_bytes()
    assert first == second == render_simulation(s, str(tmp_path / "summary.json")).encode()


def test_coverage_rates_are_recomputed_from_counts() -> None:
    """A rate edited by hand in the summary does not reach the report: counts decide."""
    s = summary()
    counts = s["levels"]["commune"]["coverage"]
    true_rate = counts["both_valid"] / counts["documents"]
    counts["rates"]["both_valid"]["rate"] = 0.5
    view = read_simulation(s)
    commune = next(c for c in view.coverage if c.key == "commune")
    assert commune.cells["both_valid"].rate == pytest.approx(true_rate) != 0.5


@pytest.mark.parametrize(("edit", "key"), [
    (lambda s: s["levels"]["commune"].pop("sent"), "levels.commune.sent"),
    (lambda s: s["levels"]["central"].update(lost=-1), "levels.central.lost"),
    (lambda s: s["scenario"].update(start="yesterday"), "scenario.start"),
    (lambda s: s["series"]["throughput"]["central"].__setitem__(3, "many"),
     "series.throughput.central[3]"),
    (lambda s: s["levels"]["province"]["coverage"].update(organ_valid=10**6),
     "levels.province.coverage.documents"),
    (lambda s: s["latency_cdf"]["central"]["delivery"].append([1]),
     "latency_cdf.central.delivery[4]"),
    (lambda s: s.pop("levels"), "levels"),
])
def test_bad_summary_names_the_key(edit, key: str) -> None:
    """A missing or wrong field raises DF-REP-002 with its dotted key, never a traceback."""
    s = copy.deepcopy(summary())
    edit(s)
    with pytest.raises(InputError) as err:
        render_simulation(s, "run/summary.json")
    assert err.value.code == "DF-REP-002"
    assert err.value.location.key == key and err.value.location.file == "run/summary.json"


@pytest.mark.parametrize(("content", "message"), [
    (None, "no summary.json"),
    (b"{\"levels\": ", "not valid JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b"\xff\xfe{}", "not UTF-8"),
])
def test_unreadable_summary_is_df_rep_001(tmp_path: Path, content: bytes | None,
                                          message: str) -> None:
    """A missing, truncated, non-object or non-UTF-8 summary.json is DF-REP-001."""
    if content is not None:
        (tmp_path / "summary.json").write_bytes(content)
    with pytest.raises(InputError) as err:
        write_simulation_report(tmp_path)
    assert err.value.code == "DF-REP-001" and message in err.value.message
    assert not (tmp_path / "report.html").exists()


def test_simulate_writes_the_report_that_report_rerenders(tiny_run: Path, tmp_path: Path) -> None:
    """``docflow simulate`` writes report.html, byte-identical to what ``docflow report`` and
    the library render from the same summary.json."""
    written = (tiny_run / "report.html").read_bytes()
    again = write_simulation_report(tiny_run, tmp_path / "again.html").read_bytes()
    summary_path = tiny_run / "summary.json"
    direct = render_simulation(json.loads(summary_path.read_text("utf-8")), str(summary_path))
    assert written == again == direct.encode("utf-8")


def test_real_run_shows_every_section_and_its_data(tiny_run: Path) -> None:
    """A real run with faults and calibration fills every section: each level, each hub by name,
    each invalid-signature reason, each fault and each published figure appear in the page."""
    s = json.loads((tiny_run / "summary.json").read_text("utf-8"))
    html = (tiny_run / "report.html").read_text("utf-8")
    for section in ("glance", "throughput", "latency", "hubs", "coverage", "calibration",
                    "assumptions"):
        assert f'<section id="{section}">' in html
    view = read_simulation(s)
    assert [a.name for a in view.assumptions] == [a["name"] for a in s["assumptions"]]
    assert all(f"<code>{a['name']}</code>" in html for a in s["assumptions"])
    assert [r.level for r in view.levels] == [lv for lv in ("central", "province", "district",
                                                             "commune") if lv in s["levels"]]
    for hub in s["hubs"].values():
        assert hub["name"] in html
    codes = {c for lv in s["levels"].values() for c in lv["coverage"]["reasons"]}
    assert codes and all(f"<code>{c}</code>" in html for c in codes)
    assert len(view.faults) == len(s["scenario"]["faults"]) and view.outages
    assert [c.figure for c in view.calibration] == [c["figure"] for c in s["calibration"]]
    totals = s["totals"]
    facts = dict(view.facts)
    assert facts["Documents sent"].replace("\u202f", "") == str(totals["documents_sent"])
    assert facts["Lost"].replace("\u202f", "") == str(totals["lost"])


def test_outage_is_shaded_where_it_happened(tiny_run: Path) -> None:
    """The hub outage of the scenario is a shaded window on the hub charts, at its hours."""
    s = json.loads((tiny_run / "summary.json").read_text("utf-8"))
    view = read_simulation(s)
    (outage,) = view.outages
    assert (outage.target, outage.start, outage.end) == ("lgsp-h01", 33.0, 35.0)
    html = (tiny_run / "report.html").read_text("utf-8")
    backlog = html[html.index('id="chart-backlog"'):]
    backlog = backlog[:backlog.index("</svg>")]
    assert backlog.count('class="window"') == 1 and "lgsp-h01 down" in backlog


def test_hub_charts_keep_the_busiest_hubs_the_axis_and_hubs_that_failed() -> None:
    """With more hubs than a chart can show, the backlog chart draws the TOP_HUBS hubs with the
    highest peak backlog, plus the national axis and every hub with an outage, in the summary's
    order; the table still lists every hub."""
    s = summary()
    hours = len(s["series"]["throughput"]["central"])
    s["hubs"]["AXIS"].update(kind="axis", peak_backlog=0)
    s["hubs"]["H49"]["peak_backlog"] = 0  # down for two hours, but never queued much
    for i in range(TOP_HUBS + 2):
        hub = f"X{i}"
        s["hubs"][hub] = summaries.hub(f"Sở {i}", "province", 0.1, 100 + i)
        s["series"]["backlog"][hub] = [1.0] * hours
        s["series"]["utilisation"][hub] = [0.1] * hours
    view = read_simulation(s)
    drawn = [series.label for series in view.backlog]
    busiest = [f"Sở {i}" for i in range(TOP_HUBS + 1, 1, -1)]
    names = {h.hub: h.name for h in view.hubs}
    assert set(drawn) == {*busiest, names["AXIS"], names["H49"]}
    assert drawn == [h.name for h in view.hubs if h.name in drawn]
    assert len(view.hubs) == len(s["hubs"])


def test_identical_acceptance_curves_are_not_charted() -> None:
    """Acceptance curves that lie on one another (every level alike) give a note, not a chart of
    identical lines; curves that differ by level are charted."""
    same = summary()
    html = render_simulation(same)
    assert 'id="chart-acceptance"' not in html and 'id="acceptance-same"' in html
    differ = copy.deepcopy(same)
    differ["latency_cdf"]["commune"]["acceptance"] = [[600, 0.01], [7200, 0.2], [90_000, 1.0]]
    html = render_simulation(differ)
    assert 'id="chart-acceptance"' in html and 'id="acceptance-same"' not in html


def test_a_year_is_shown_by_week_with_the_year_on_the_axis() -> None:
    """A year of hourly series is drawn one point per week (53 for 365 days), the caption says
    so, and the time axis names the year."""
    s = summary()
    s["scenario"]["start"] = "2025-01-01T00:00:00+07:00"
    s["scenario"]["end"] = "2026-01-01T00:00:00+07:00"
    s["scenario"]["faults"] = []
    s["outages"] = []
    hours = 365 * 24
    for group in ("throughput", "backlog", "utilisation"):
        for key, values in s["series"][group].items():
            s["series"][group][key] = (values * (hours // len(values) + 1))[:hours]
    view = read_simulation(s)
    assert view.step_hours == 168
    assert {len(series.xs) for series in view.throughput} == {53}
    html = render_simulation(s)
    assert "each point the mean over a week" in html
    chart = html[html.index('id="chart-throughput"'):]
    chart = chart[:chart.index("</svg>")]
    assert re.search(r'class="tick"[^>]*>01/01/2025<', chart)
    assert 'data-n="53"' in chart
