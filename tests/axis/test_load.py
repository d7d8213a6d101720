"""docflow load against a live axis: the tiny topology's day of traffic, really signed, from
every agency at once; what it reports is what the server holds."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from docflow.axis import Client
from docflow.cli import cli
from docflow.pki.export import write_pki
from docflow.pki.national import Agency, Hub, NationalPki
from docflow.topology.files import load_topology

from .live import ISSUED, Server

SCENARIO = Path(__file__).parent / "data" / "tiny-load.toml"


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


def test_load_measures_what_the_server_holds(tiny_server: Server, tiny_pki: Path,
                                            tmp_path: Path) -> None:
    """Every planned document is acknowledged, fetched by each receiver and answered; the
    summary's counts per level add up to what each agency's sent list on the server says, and
    the simulation report renders it."""
    out = tmp_path / "run"
    result = _load(str(SCENARIO), "--url", tiny_server.url, "--pki", str(tiny_pki),
                   "--rate-scale", "2400", "--duration", "2", "--drain", "90",
                   "--max-kb", "8", "--model-service-ms", "5", "--out", str(out))
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    measured, totals = summary["load"], summary["totals"]
    phases = {name: (int(done), int(total)) for name, done, total in re.findall(
        r"^(signing|sending|fetching): (\d+)/(\d+) in ", result.stderr, re.M)}
    assert phases == {"signing": (measured["planned"],) * 2,
                      "sending": (measured["attempted"],) * 2,
                      "fetching": (totals["delivered"], totals["deliveries"])}, result.stderr
    assert summary["schema"] == "docflow.load/1" and summary["docflow_version"]
    assert measured["attempted"] == measured["planned"] == totals["documents_sent"] > 5
    assert measured["refused"] == {} and measured["transport_failures"] == 0
    assert totals["delivered"] == totals["deliveries"] >= totals["documents_sent"]
    assert sum(lv["sent"] for lv in summary["levels"].values()) == totals["documents_sent"]
    by_code = totals["status_messages"]["by_code"]
    assert by_code["01"]["sent"] == totals["deliveries"] == \
        by_code["03"]["sent"] + by_code.get("02", {"sent": 0})["sent"]
    for level in summary["levels"].values():
        delivery = level["latency_s"]["delivery"]
        assert delivery["count"] == level["delivered"] and 0 < delivery["p50"] <= delivery["p99"]
    held = 0
    answered = 0
    codes = json.loads((tiny_pki / "index.json").read_text("utf-8"))["agencies"]
    for code in codes:
        with Client(tiny_server.url, tiny_pki, code) as axis:
            documents = [m for m in axis.sent() if m["kind"] == "document"]
            held += len(documents)
            answered += sum(1 for m in documents for r in m["receivers"]
                            if r["status_code"] in ("02", "03"))
    assert held == totals["documents_sent"] and answered == totals["deliveries"]
    model = measured["model"]
    assert model["documents"] == measured["attempted"]
    assert model["status_messages"] == 2 * totals["deliveries"]
    assert model["ack_latency_s"]["predicted"]["p50"] >= 0.005
    assert "model (1 worker(s), 5.0 ms a message" in result.output
    page = (out / "report.html").read_text("utf-8")
    assert "tải thử trục" in page and "chart-delivery" in page


def test_load_refuses_what_it_cannot_do(tiny_pki: Path, pki_dir: Path, tmp_path: Path) -> None:
    """An unreachable axis, and a PKI folder without the scenario's agencies: codes, exit 2."""
    unreachable = CliRunner().invoke(cli, ["load", str(SCENARIO), "--url",
                                           "https://127.0.0.1:1", "--pki", str(tiny_pki),
                                           "--duration", "1", "--out", str(tmp_path / "a")])
    assert unreachable.exit_code == 2 and "DF-AXS-010" in unreachable.output
    foreign = CliRunner().invoke(cli, ["load", str(SCENARIO), "--pki", str(pki_dir),
                                       "--duration", "1", "--out", str(tmp_path / "b")])
    assert foreign.exit_code == 2 and "DF-AXS-015" in foreign.output


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
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert result.stdout.startswith(f"{summary['totals']['documents_sent']:,} documents "
                                    "acknowledged of")
