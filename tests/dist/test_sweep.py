"""docflow sweep: each run is exactly a docflow simulate run; sweep.json is the same bytes on
any executor; bands and the tornado say what the runs say; bad options are DF-DIST-004."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest
from click.testing import CliRunner

from docflow.cli import cli
from docflow.dist.sweep import Variation, parse_seeds, sweep
from docflow.dist.sweep_model import SweepSummary
from docflow.errors import InputError
from docflow.outputs import OutputSchema
from docflow.report.sweep import write_sweep_report
from tests.dist.conftest import Cluster

TINY = """seed = 1
[topology]
preset = "tiny"
[period]
days = 2
drain_days = 5
[crypto]
mode = "model"
"""
VARY = ["hubs.workers=1,2", "links.hub_hub_ms=5,500"]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scn") / "tiny.toml"
    path.write_text(TINY)
    return path


@pytest.fixture(scope="module")
def local_sweep(scenario: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "local"
    result = CliRunner().invoke(cli, ["sweep", str(scenario), "--seeds", "1-3", "--vary",
                                      VARY[0], "--vary", VARY[1], "-j", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_every_run_is_what_simulate_gives(local_sweep: Path, scenario: Path,
                                          tmp_path: Path) -> None:
    """For two runs of the grid, the digest the sweep recorded is the SHA-256 of the
    summary.json that docflow simulate writes for a scenario file with those keys set and
    that seed; another seed gives another digest."""
    data = json.loads((local_sweep / "sweep.json").read_bytes())
    assert len(data["runs"]) == 12 and len({r["summary_sha256"] for r in data["runs"]}) > 1
    for run in (data["runs"][4], data["runs"][11]):
        workers, hub_ms = run["values"]["hubs.workers"], run["values"]["links.hub_hub_ms"]
        folder = tmp_path / f"run{run['index']}"
        folder.mkdir()
        # The same file name as the swept scenario: the run's name comes from it.
        (folder / "tiny.toml").write_text(TINY + f"[hubs]\nworkers = {workers}\n"
                                          f"[links]\nhub_hub_ms = {hub_ms}\n")
        result = CliRunner().invoke(cli, ["simulate", str(folder / "tiny.toml"), "--seed",
                                          str(run["seed"]), "--out", str(folder / "out"), "-q"])
        assert result.exit_code == 0, result.output
        digest = hashlib.sha256((folder / "out" / "summary.json").read_bytes()).hexdigest()
        assert digest == run["summary_sha256"]


def test_sweep_json_meets_its_schema(local_sweep: Path) -> None:
    """sweep.json validates against the shipped docflow.sweep/1 schema, and a run without
    its summary digest does not."""
    data = json.loads((local_sweep / "sweep.json").read_bytes())
    validator = jsonschema.Draft202012Validator(OutputSchema.SWEEP.json_schema())
    assert list(validator.iter_errors(data)) == []
    del data["runs"][0]["summary_sha256"]
    assert list(validator.iter_errors(data))


def test_bands_and_tornado_follow_the_runs(local_sweep: Path) -> None:
    """Each variant's band is the mean and percentiles of its own seeds' values, and the
    link latency between hubs, not the hub workers, moves the central level's p95 latency
    most; the page draws one band chart per prediction and the tornado charts."""
    data = json.loads((local_sweep / "sweep.json").read_bytes())
    name = "latency_p95_s.central"
    for variant in data["variants"]:
        values = [r["metrics"][name] for r in data["runs"] if r["variant"] == variant["variant"]]
        got = variant["bands"][name]
        assert got["mean"] == pytest.approx(np.mean(values), abs=1e-6)
        assert got["p5"] == pytest.approx(np.percentile(values, 5), abs=1e-6)
        assert got["p95"] == pytest.approx(np.percentile(values, 95), abs=1e-6)
    bars = data["tornado"][name]
    assert [b["key"] for b in bars] == ["links.hub_hub_ms", "hubs.workers"]
    slow = np.mean([r["metrics"][name] for r in data["runs"]
                    if r["values"]["links.hub_hub_ms"] == 500])
    fast = np.mean([r["metrics"][name] for r in data["runs"]
                    if r["values"]["links.hub_hub_ms"] == 5])
    assert bars[0]["swing"] == pytest.approx(slow - fast, abs=1e-5) and slow - fast > 0.4
    assert bars[0]["high"]["value"] == 500
    page = (local_sweep / "sweep.html").read_text()
    assert page.count('class="chart" id="band-') == len(data["predictions"])
    assert page.count('class="mark bar"') == 2 * len(data["predictions"])


def test_a_sweep_on_dask_is_the_same_bytes(local_sweep: Path, scenario: Path,
                                           dask_cluster: Cluster, tmp_path: Path) -> None:
    """sweep.json from a two-worker cluster over TCP equals the local pool's, byte for
    byte, and so does sweep.html."""
    out = tmp_path / "dask"
    result = CliRunner().invoke(cli, ["sweep", str(scenario), "--seeds", "1-3", "--vary",
                                      VARY[0], "--vary", VARY[1], "--scheduler",
                                      dask_cluster.address, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "sweep.json").read_bytes() == (local_sweep / "sweep.json").read_bytes()
    assert (out / "sweep.html").read_bytes() == (local_sweep / "sweep.html").read_bytes()


def test_one_process_gives_the_same_sweep(local_sweep: Path, scenario: Path,
                                          tmp_path: Path) -> None:
    """jobs=1 (every run in this process, in order) writes the same sweep.json."""
    result = sweep(scenario, tmp_path, seeds=parse_seeds("1-3"),
                   vary=[Variation.parse(v) for v in VARY], jobs=1)
    assert result.to_json() == (local_sweep / "sweep.json").read_bytes()


@pytest.mark.parametrize(("args", "code"), [
    (["--seeds", "5-1"], "DF-DIST-004"),
    (["--seeds", "x"], "DF-DIST-004"),
    (["--seeds", "1,1"], "DF-DIST-004"),
    (["--seeds", "1", "--vary", "hubs.workers"], "DF-DIST-004"),
    (["--seeds", "1", "--vary", "hubs.workers=1,1"], "DF-DIST-004"),
    (["--seeds", "1", "--vary", "hubs.workers=1", "--vary", "hubs.workers=2"], "DF-DIST-004"),
    (["--seeds", "1", "--vary", "hubs.wokers=1,2"], "DF-SCN-002"),
    (["--seeds", "1", "--vary", "hubs.workers=0,2"], "DF-SCN-004"),
    (["--seeds", "1", "--scheduler", "local"], "DF-DIST-001"),
])
def test_bad_sweep_options(scenario: Path, tmp_path: Path, args: list[str], code: str) -> None:
    """Every malformed option is a usage error with its code and exit code 2, found before
    any run; nothing is written."""
    result = CliRunner().invoke(cli, ["sweep", str(scenario), "--out", str(tmp_path / "o"),
                                      "-j", "1", *args])
    assert result.exit_code == 2, result.output
    assert code in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "o" / "sweep.json").exists()


def test_sweep_json_reads_back_through_its_model(local_sweep: Path) -> None:
    """sweep.json → SweepSummary → JSON is the file's bytes; the runs, bands and tornado are
    attributes (``min``/``max`` as ``low``/``high``)."""
    data = (local_sweep / "sweep.json").read_bytes()
    model = SweepSummary.from_json(data, "sweep.json")
    assert model.to_json() == data
    assert len(model.runs) == 12 and model.seeds == (1, 2, 3)
    band = model.overall["delivered"]
    assert band.n == 12 and band.low is not None and band.high is not None
    assert band.low <= (band.mean or 0.0) <= band.high
    assert model.tornado["latency_p95_s.central"][0].key == "links.hub_hub_ms"


@pytest.mark.parametrize(("edit", "key"), [
    (lambda d: d["runs"][3].pop("seed"), "runs[3].seed"),
    (lambda d: d["overall"]["delivered"].update(max="many"), "overall.delivered.max"),
    (lambda d: d["tornado"]["lost"].append({"key": "x"}), "tornado.lost[2].low"),
])
def test_a_broken_sweep_json_is_df_rep_002_at_its_key(local_sweep: Path, tmp_path: Path,
                                                       edit: Any, key: str) -> None:
    """The sweep page is rendered only from a sweep.json whose every field reads: a missing
    or mistyped one is DF-REP-002 at its dotted key, and no page is written."""
    data = json.loads((local_sweep / "sweep.json").read_bytes())
    edit(data)
    (tmp_path / "sweep.json").write_text(json.dumps(data))
    with pytest.raises(InputError) as err:
        write_sweep_report(tmp_path)
    assert (err.value.code, err.value.location.key) == ("DF-REP-002", key)
    assert err.value.location.file == str(tmp_path / "sweep.json")
    assert not (tmp_path / "sweep.html").exists()
