"""docflow load against a live axis: the tiny topology's day of traffic, really signed, from
every agency at once; what it reports is what the server holds, in the docflow.load/1 layout,
in a run folder that is complete or marked incomplete."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from docflow.axis import Client
from docflow.axis.load_output import LoadSummary
from docflow.cli import cli
from docflow.outputs import OutputSchema
from docflow.pki.export import write_pki
from docflow.pki.national import Agency, Hub, NationalPki
from docflow.runfolder import INCOMPLETE
from docflow.topology.files import load_topology
from tests.report.conftest import Browser, browser  # noqa: F401 (the fixture)

from .live import ISSUED, Server

SCENARIO = Path(__file__).parent / "data" / "tiny-load.toml"

Run = tuple[Path, Any, tuple[int, int], str]
"""The load run's folder, the command's result, what it added on the server, its URL."""


@pytest.fixture(scope="module")
def tiny_pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What 'docflow pki init --preset tiny' writes, issued two days ago."""
    topo = load_topology("tiny")
    pki = NationalPki.build([Agency(a.code, a.name, a.level.value, a.hub) for a in topo.agencies],
                            seed=3, at=ISSUED, hubs=[Hub(h.id, h.name) for h in topo.hubs])
    folder = tmp_path_factory.mktemp("tiny-pki")
    write_pki(pki, folder, jobs=1)
    return folder


@pytest.fixture(scope="module")
def tiny_server(tiny_pki: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    live = Server(tiny_pki, str(tmp_path_factory.mktemp("load-db") / "axis.sqlite")).start()
    try:
        yield live
    finally:
        live.stop()


def _load(*args: str) -> Any:
    return CliRunner().invoke(cli, ["load", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def load_run(tiny_server: Server, tiny_pki: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One load of the tiny day (with the model's prediction) into a fresh folder, and what it
    added on the server: documents in the agencies' sent lists, deliveries answered 02/03."""
    out = tmp_path_factory.mktemp("load") / "run"
    before = _held(tiny_server, tiny_pki)
    result = _load(str(SCENARIO), "--url", tiny_server.url, "--pki", str(tiny_pki),
                   "--rate-scale", "2400", "--duration", "2", "--drain", "90",
                   "--max-kb", "8", "--model-service-ms", "5", "--out", str(out))
    after = _held(tiny_server, tiny_pki)
    return out, result, (after[0] - before[0], after[1] - before[1]), tiny_server.url


def _held(server: Server, pki: Path) -> tuple[int, int]:
    """Documents in the agencies' sent lists on the server, and deliveries answered 02/03."""
    held = answered = 0
    for code in json.loads((pki / "index.json").read_text("utf-8"))["agencies"]:
        with Client(server.url, pki, code) as axis:
            documents = [m for m in axis.sent() if m["kind"] == "document"]
            held += len(documents)
            answered += sum(1 for m in documents for r in m["receivers"]
                            if r["status_code"] in ("02", "03"))
    return held, answered


def _schema_errors(data: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(
        OutputSchema.LOAD.json_schema(),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(data)]


def test_load_measures_what_the_server_holds(load_run: Run
                                            ) -> None:
    """Every planned document is acknowledged, fetched by each receiver and answered; the
    summary's counts per level and per hub add up to what each agency's sent list on the
    server says."""
    out, result, (held, answered), _ = load_run
    assert result.exit_code == 0, result.output
    s = LoadSummary.from_json((out / "summary.json").read_bytes())
    measured, totals = s.load, s.totals
    by_code = totals.status_messages.by_code
    phases = {name: (int(done), int(total)) for name, done, total in re.findall(
        r"^(signing|sending|fetching): (\d+)/(\d+) in ", result.stderr, re.M)}
    assert phases == {"signing": (measured.planned,) * 2,
                      "sending": (measured.attempted,) * 2,
                      "fetching": (totals.delivered, totals.deliveries)}, result.stderr
    assert measured.attempted == measured.planned == totals.documents_sent > 5
    assert measured.refused == {} and measured.transport_failures == 0
    assert totals.delivered == totals.deliveries >= totals.documents_sent
    assert sum(lv.sent for lv in s.levels.values()) == totals.documents_sent
    assert sum(h.sent for h in s.hubs.values()) == totals.documents_sent
    assert sum(h.agencies for h in s.hubs.values()) == sum(s.topology.agencies.values())
    assert by_code["01"] == totals.deliveries == by_code["03"] + by_code.get("02", 0)
    for level in s.levels.values():
        assert level.latency_s.delivery.count == level.delivered
        p = level.latency_s.delivery
        assert p.p50 is not None and p.p99 is not None and 0 < p.p50 <= p.p99
        assert level.latency_s.ack.count == level.sent
    assert sum(sum(v) for v in s.series.sent.values()) == totals.documents_sent
    assert sum(sum(v) for v in s.series.throughput.values()) == totals.delivered
    assert held == totals.documents_sent and answered == totals.deliveries
    model = s.model
    assert model is not None
    assert model.documents == measured.attempted
    assert model.status_messages == 2 * totals.deliveries
    assert model.ack_latency_s.predicted.p50 is not None
    assert model.ack_latency_s.predicted.p50 >= 0.005
    assert list(model.levels) == list(s.levels)
    assert sum(lv.documents for lv in model.levels.values()) == model.documents
    assert "model (1 worker(s), 5.0 ms a message" in result.output
    assert not (out / INCOMPLETE).exists()


def test_load_output_validates_against_its_schema(load_run: Run) -> None:
    """The real summary.json validates against load.schema.json, names its layout and the
    docflow version, and reads back through the typed model into the same bytes; counts are
    integers, latencies to the millisecond and rates per second to a thousandth."""
    out, result, _, _ = load_run
    assert result.exit_code == 0, result.output
    raw = (out / "summary.json").read_bytes()
    data = json.loads(raw)
    assert _schema_errors(data) == []
    assert data["schema"] == "docflow.load/1"
    import docflow
    assert data["docflow_version"] == docflow.__version__
    assert LoadSummary.from_json(raw).to_json() == raw

    def numbers(obj: Any, key: str = "") -> Iterator[tuple[str, Any]]:
        if isinstance(obj, dict):
            for k, v in obj.items():
                yield from numbers(v, k)
        elif isinstance(obj, list):
            for v in obj:
                yield from numbers(v, key)
        elif isinstance(obj, int | float) and not isinstance(obj, bool):
            yield key, obj

    seen = list(numbers(data))
    assert {k for k, v in seen if k in ("sent", "delivered", "count", "requests")} and all(
        isinstance(v, int) for k, v in seen if k in ("sent", "delivered", "count", "requests"))
    for key, value in seen:
        if key in ("p50", "p95", "p99", "mean") or key.endswith("_per_s"):
            assert round(value, 3) == value, (key, value)
        if key == "utilisation":
            assert round(value, 6) == value


def test_load_schema_refuses_what_is_wrong(load_run: Run) -> None:
    """A float count, a negative latency, an unknown field, another level or another id fail
    the schema; the typed reader refuses the same summary with DF-REP-002 and the key."""
    import copy

    from docflow.errors import InputError

    data = json.loads((load_run[0] / "summary.json").read_text("utf-8"))
    level = next(iter(data["levels"]))
    for path, change in ((("totals", "delivered"), 3.5),
                         (("levels", level, "latency_s", "ack", "p50"), -1.0),
                         (("load", "surprise"), 1),
                         (("levels", "ward"), data["levels"][level]),
                         (("schema",), "docflow.simulation/1")):
        broken = copy.deepcopy(data)
        target = broken
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = change
        assert _schema_errors(broken), path
    broken = copy.deepcopy(data)
    broken["totals"]["delivered"] = 3.5
    with pytest.raises(InputError) as err:
        LoadSummary.from_dict(broken, "summary.json")
    assert err.value.code == "DF-REP-002" and err.value.location.key == "totals.delivered"
    del broken["levels"][level]["latency_s"]["ack"]
    broken["totals"]["delivered"] = 3
    with pytest.raises(InputError) as err:
        LoadSummary.from_dict(broken, "summary.json")
    assert err.value.location.key == f"levels.{level}.latency_s.ack"


def test_load_report_puts_the_model_beside_the_measurement(load_run: Run,
                                                           tmp_path: Path) -> None:
    """report.html is the load report: the scenario, per-level latency, the model-meets-
    reality table (throughput and p50/p95/p99, all documents and each level), the provinces
    and the hubs; `docflow report DIR` renders the same page from the summary."""
    out = load_run[0]
    page = (out / "report.html").read_text("utf-8")
    s = LoadSummary.from_json((out / "summary.json").read_bytes())
    assert "tải thử trục" in page and 'id="chart-delivery"' in page
    assert 'id="model"' in page and 'class="comparison"' in page
    assert page.count("<tr><td>All documents</td>") + page.count(
        '<tr class="below"><td>All documents</td>') == 4
    assert 'id="provinces"' in page and {p.province for _, p in s.provinces} == {"Hà Nội",
                                                                                 "Phú Thọ"}
    assert 'id="map-volume"' in page and 'id="map-ack"' in page
    again = CliRunner().invoke(cli, ["report", str(out), "-o", str(tmp_path / "again.html")])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "again.html").read_text("utf-8") == page


def test_load_out_is_a_run_folder(load_run: Run, tiny_pki: Path, tmp_path: Path) -> None:
    """--out refuses a non-empty folder (DF-RUN-001) before anything is sent, foreign files
    or an earlier load run alike, and leaves them untouched; an axis that cannot be reached is
    found before the folder is claimed."""
    out = load_run[0]
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    again = _load(str(SCENARIO), "--url", "https://127.0.0.1:1", "--pki", str(tiny_pki),
                  "--duration", "1", "--out", str(out))
    assert again.exit_code == 2 and "DF-AXS-010" in again.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", "utf-8")
    refused = _load(str(SCENARIO), "--url", load_run[3], "--pki", str(tiny_pki),
                    "--duration", "1", "--out", str(foreign))
    assert refused.exit_code == 2 and "DF-RUN-001" in refused.output
    assert "other files" in refused.output
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]
    earlier = _load(str(SCENARIO), "--url", load_run[3], "--pki", str(tiny_pki),
                    "--duration", "1", "--out", str(out))
    assert earlier.exit_code == 2 and "DF-RUN-001" in earlier.output
    assert "a load run" in earlier.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    unreachable = _load(str(SCENARIO), "--url", "https://127.0.0.1:1", "--pki", str(tiny_pki),
                        "--duration", "1", "--out", str(tmp_path / "cut"))
    assert unreachable.exit_code == 2 and "DF-AXS-010" in unreachable.output
    assert not (tmp_path / "cut").exists()


def test_a_killed_load_leaves_its_folder_marked(tiny_server: Server, tiny_pki: Path,
                                                tmp_path: Path) -> None:
    """kill -9 of `docflow load` while it sends: the folder holds the .incomplete marker and
    nothing that looks like a finished run, `docflow report` refuses it (DF-RUN-002), and a
    new load into it needs --force (DF-RUN-001 names the unfinished load run)."""
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "docflow", "load", str(SCENARIO), "--url", tiny_server.url,
         "--pki", str(tiny_pki), "--rate-scale", "60", "--duration", "60", "--drain", "5",
         "--max-documents", "20", "--max-kb", "4", "--out", str(out), "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not (out / INCOMPLETE).exists():
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
            assert time.monotonic() < deadline, "the load never claimed its folder"
            time.sleep(0.02)
        time.sleep(0.5)  # into the sending
        assert proc.poll() is None
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()
    assert [p.name for p in out.iterdir()] == [INCOMPLETE]
    report = CliRunner().invoke(cli, ["report", str(out)])
    assert report.exit_code == 2 and "DF-RUN-002" in report.output
    again = _load(str(SCENARIO), "--url", tiny_server.url, "--pki", str(tiny_pki),
                  "--duration", "1", "--out", str(out))
    assert again.exit_code == 2 and "DF-RUN-001" in again.output
    assert "an unfinished load run" in again.output


def test_load_force_replaces_only_its_own_files(tiny_server: Server, tiny_pki: Path,
                                                tmp_path: Path) -> None:
    """--force over an earlier load run (with a file of the user's beside it) writes a new
    complete run and leaves the user's file alone."""
    out = tmp_path / "run"
    out.mkdir()
    (out / "summary.json").write_text("{}", "utf-8")
    (out / "report.html").write_text("old", "utf-8")
    (out / "notes.txt").write_text("mine", "utf-8")
    result = _load(str(SCENARIO), "--url", tiny_server.url, "--pki", str(tiny_pki),
                   "--rate-scale", "2400", "--duration", "0.5", "--drain", "60",
                   "--max-documents", "3", "--max-kb", "4", "--out", str(out), "--force",
                   "--quiet")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "report.html", "summary.json"]
    s = LoadSummary.from_json((out / "summary.json").read_bytes())
    assert s.load.planned == 3 and s.model is None
    assert 'id="no-model"' in (out / "report.html").read_text("utf-8")


def test_load_refuses_what_it_cannot_do(tiny_pki: Path, pki_dir: Path,
                                        tmp_path: Path) -> None:
    """A PKI folder without the scenario's agencies: DF-AXS-015, exit 2, and no folder
    claimed (the check comes before the claim)."""
    foreign = CliRunner().invoke(cli, ["load", str(SCENARIO), "--pki", str(pki_dir),
                                       "--duration", "1", "--out", str(tmp_path / "b")])
    assert foreign.exit_code == 2 and "DF-AXS-015" in foreign.output
    assert not (tmp_path / "b").exists()


#: What the browser laid out: the page's and viewport's widths, anything wider than its
#: container, the tile maps and their tiles, the comparison table's rows, the hub order.
_LAYOUT = """
const px = r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                  width: r.width, height: r.height});
const inside = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5
                         && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
const maps = {};
for (const svg of document.querySelectorAll('svg.tilemap')) {
  const box = svg.getBoundingClientRect();
  const tiles = [...svg.querySelectorAll('rect.tile')];
  maps[svg.id] = {tiles: tiles.length,
                  valued: tiles.filter(t => t.dataset.value !== undefined)
                               .map(t => [t.dataset.province, Number(t.dataset.value)]),
                  outside: tiles.filter(t => !inside(t.getBoundingClientRect(), box)).length,
                  width: box.width};
}
const sections = [...document.querySelectorAll('main > section')].map(s => s.id);
return {viewport: window.innerWidth, page: document.documentElement.scrollWidth,
        sections: sections, maps: maps,
        overflow: [...document.querySelectorAll('main table, main svg, main section, main dl')]
          .filter(e => e.getBoundingClientRect().right
                       > e.parentElement.getBoundingClientRect().right + 0.5)
          .map(e => e.id || e.className.baseVal || e.className),
        comparison: [...document.querySelectorAll('table.comparison tbody tr')]
          .map(tr => [...tr.cells].map(td => td.innerText)),
        comparisonBox: px(document.querySelector('table.comparison').getBoundingClientRect()),
        provinces: [...document.querySelectorAll('table.provinces tbody tr')]
          .map(tr => tr.dataset.province),
        hubs: [...document.querySelectorAll('table.hubs tbody tr')].map(tr => tr.dataset.hub)};
"""


def test_load_report_in_chromium(load_run: Run, browser: Browser,  # noqa: F811
                                 tmp_path: Path) -> None:
    """The load report as headless Chromium lays it out: every section present, nothing wider
    than its container or the window, the page loads nothing; the charts drawn with their
    points; the model-meets-reality table has throughput and p50/p95/p99 for all documents and
    each level; the tile maps colour the two provinces of the run by their figures; the hubs
    come worst first."""
    out = load_run[0]
    s = LoadSummary.from_json((out / "summary.json").read_bytes())
    check = browser.open(out / "report.html", tmp_path / "load-report.png")
    assert check.console == [], check.console
    assert check.requests == [check.url]
    assert check.screenshot.stat().st_size > 10_000
    layout = browser.driver.execute_script(_LAYOUT)
    assert layout["sections"] == ["glance", "throughput", "latency", "model", "provinces",
                                  "hubs"]
    assert layout["page"] <= layout["viewport"] and layout["overflow"] == []
    assert check.charts["chart-delivery"]["points"] > 0
    assert check.charts["chart-throughput"]["series"] == len(s.levels)
    assert s.model is not None
    rows = layout["comparison"]
    assert len(rows) == 4 * (1 + len(s.model.levels))
    scopes = [r[0] for r in rows]
    assert scopes[:4] == ["All documents"] * 4
    assert [r[1] for r in rows[:4]] == ["Throughput", "Acknowledgement p50",
                                        "Acknowledgement p95", "Acknowledgement p99"]
    assert all(r[2] != "—" and r[3] != "—" for r in rows)  # both columns, every row
    assert set(layout["maps"]) == {"map-volume", "map-ack", "map-latency"}
    by_province = {p.province: p for _, p in s.provinces}
    for map_id, m in layout["maps"].items():
        assert m["tiles"] == 34 and m["outside"] == 0 and m["width"] > 100
        values = dict(m["valued"])
        assert set(values) == set(by_province)
        for name, value in values.items():
            p = by_province[name]
            want = {"map-volume": p.sent, "map-ack": p.latency_s.ack.p95,
                    "map-latency": p.latency_s.delivery.p95}[map_id]
            assert value == pytest.approx(want)
    assert layout["provinces"] == sorted(by_province)
    def slowest(k: str) -> tuple[float, int, str]:
        p95 = s.hubs[k].latency_s.delivery.p95
        return (-(p95 if p95 is not None else -1.0), -s.hubs[k].lost, k)

    worst = sorted(s.hubs, key=slowest)
    assert layout["hubs"] == worst and [k for k, _ in s.hubs_worst_first] == worst


def test_load_quiet_prints_the_measurement_alone(tiny_server: Server, tiny_pki: Path,
                                                tmp_path: Path) -> None:
    """``load -q``: no progress and no 'wrote' line on standard error; the measurement on
    standard output and summary.json as without it."""
    out = tmp_path / "run"
    result = _load(str(SCENARIO), "--url", tiny_server.url, "--pki", str(tiny_pki),
                   "--rate-scale", "2400", "--duration", "1", "--drain", "60", "--max-kb", "8",
                   "--out", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    summary = LoadSummary.from_json((out / "summary.json").read_bytes())
    assert result.stdout.startswith(f"{summary.totals.documents_sent:,} documents "
                                    "acknowledged of")
