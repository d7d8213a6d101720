"""Real crypto on the cluster: ``docflow simulate --crypto real --scheduler ...`` signs and
verifies on Dask workers and writes the run the local pool writes, byte for byte; a worker
lost mid-task is retried, and a task the cluster gives up ends the run cleanly (DF-DIST-003)."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from docflow.cli import cli
from docflow.dist.executor import LocalPool, open_executor
from docflow.errors import ConfigError, WorkerError
from docflow.runs import simulate
from docflow.sim import crypto_real
from docflow.sim.scenario import CryptoSpec, FaultSpec, Period, Scenario
from tests.dist.conftest import Cluster, kill_when_busy

SCENARIO = replace(Scenario(), topology="tiny", period=Period(days=1, drain_days=3),
                   faults=FaultSpec(tamper_rate=0.05, expired_cert_share=0.15,
                                    revoked_cert_share=0.15),
                   crypto=CryptoSpec.parse("real"))
"""~350 documents of the tiny topology, some tampered, some signed with expired or revoked
certificates: the run_archive fixture's run."""

SCENARIO_TOML = """\
[topology]
preset = "tiny"

[period]
days = 1
drain_days = 3

[faults]
tamper_rate = 0.05
expired_cert_share = 0.15
revoked_cert_share = 0.15

[crypto]
mode = "real"
"""


def _contents(run: Path) -> dict[str, Any]:
    """Everything a run wrote that must not depend on where it was computed: summary.json,
    the trust files, and every archived envelope's bytes, metadata and receivers in order
    (the archive's own import times aside)."""
    with sqlite3.connect(run / "archive.sqlite") as con:
        envelopes = con.execute(
            "SELECT id, sha256, kind, sender, sender_level, document_id, doc_type, code, "
            "promulgation_date, month, raw_size, stored_size, origin FROM envelopes "
            "ORDER BY id").fetchall()
        bodies = con.execute("SELECT envelope_id, codec, data FROM bodies "
                             "ORDER BY envelope_id").fetchall()
        receivers = con.execute("SELECT * FROM receivers ORDER BY envelope_id, "
                                "position").fetchall()
    return {"summary": (run / "summary.json").read_bytes(),
            "root": (run / "trust" / "root.pem").read_bytes(),
            "crls": (run / "trust" / "crls.pem").read_bytes(),
            "envelopes": envelopes, "bodies": bodies, "receivers": receivers}


@pytest.fixture(scope="module")
def pool_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The run on this machine's pool of two processes (``crypto.processes = 2``: the pool
    signs even a day this small)."""
    scenario = replace(SCENARIO, crypto=replace(SCENARIO.crypto, processes=2))
    out = tmp_path_factory.mktemp("pool") / "run"
    simulate(scenario, out)
    return _contents(out)


def test_real_crypto_on_dask_is_the_pool_run_byte_for_byte(pool_run: dict[str, Any],
                                                            run_archive: Path,
                                                            dask_cluster: Cluster,
                                                            tmp_path: Path) -> None:
    """The same scenario signed and verified on a two-worker cluster over TCP and on the local
    pool gives the same summary.json, trust files and archive, envelope for envelope; the
    in-process run of the same traffic archives the same envelopes too."""
    out = tmp_path / "dask"
    simulate(SCENARIO, out, scheduler=dask_cluster.address)
    dask = _contents(out)
    assert dask == pool_run
    assert len(dask["envelopes"]) > 300
    assert b'"DF-SIG-011"' in dask["summary"] and b'"DF-PKI-005"' in dask["summary"]
    in_process = _contents(run_archive.parent)
    assert in_process["bodies"] == dask["bodies"]
    assert in_process["envelopes"] == dask["envelopes"]


def test_a_worker_lost_mid_task_is_retried_and_the_run_is_exact(
        pool_run: dict[str, Any], own_cluster: Cluster, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGKILL a worker (and its nanny) while it signs: the scheduler runs its tasks on the
    other worker and the run is the pool's, byte for byte."""
    monkeypatch.setattr(crypto_real, "_CHUNK", 16)  # more tasks, so the kill lands mid-run
    killer = kill_when_busy(own_cluster)
    simulate(SCENARIO, tmp_path / "run", scheduler=own_cluster.address)
    killer.join(10)
    assert killer.killed  # type: ignore[attr-defined]
    assert _contents(tmp_path / "run") == pool_run


def test_a_task_the_cluster_gives_up_ends_the_run_cleanly(strict_cluster: Cluster,
                                                          tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """With ``allowed-failures`` 0, the task of a worker killed mid-task is given up: the run
    ends with DF-DIST-003 (exit 3 from the CLI, no traceback) and leaves no partial archive
    and no complete-looking run folder."""
    monkeypatch.setattr(crypto_real, "_CHUNK", 16)
    file = tmp_path / "scenario.toml"
    file.write_text(SCENARIO_TOML, encoding="utf-8")
    out = tmp_path / "run"
    killer = kill_when_busy(strict_cluster)
    result = CliRunner().invoke(cli, ["simulate", str(file), "--out", str(out), "--quiet",
                                      "--scheduler", strict_cluster.address])
    killer.join(10)
    assert killer.killed  # type: ignore[attr-defined]
    assert result.exit_code == 3, result.output
    assert "DF-DIST-003" in result.stderr and "Traceback" not in result.output
    assert "partial archive removed" in result.stderr
    assert not (out / "archive.sqlite").exists() and not (out / "summary.json").exists()
    assert (out / ".incomplete").exists()  # the folder says what it is


def test_cli_simulate_with_scheduler(tmp_path: Path) -> None:
    """``docflow simulate --crypto sample:N --scheduler local:1`` starts a one-worker
    LocalCluster, signs the sample on it, stops it, and writes the run the pool writes."""
    file = tmp_path / "scenario.toml"
    file.write_text(SCENARIO_TOML, encoding="utf-8")
    outs = []
    for extra in ([], ["--scheduler", "local:1"]):
        out = tmp_path / f"run{len(outs)}"
        result = CliRunner().invoke(cli, ["simulate", str(file), "--out", str(out), "--quiet",
                                          "--crypto", "sample:30", *extra])
        assert result.exit_code == 0, result.output
        outs.append(_contents(out))
    assert outs[0] == outs[1] and len(outs[0]["envelopes"]) == 30


@pytest.mark.parametrize("where", ["pool", "dask"])
def test_a_task_that_kills_its_worker_every_time_is_df_dist_003(where: str,
                                                               strict_cluster: Cluster) -> None:
    """A task whose every run kills the process running it (``os._exit``) is given up, on
    the local pool and on the cluster, as DF-DIST-003: the caller gets an error with a code,
    never a hang."""
    executor = LocalPool(2) if where == "pool" else open_executor(strict_cluster.address)
    with executor, pytest.raises(WorkerError) as info:
        list(executor.map_unordered(os._exit, [(7,)]))
    assert info.value.code == "DF-DIST-003"


def test_a_malformed_scheduler_stops_simulate_before_any_work(tmp_path: Path) -> None:
    """``--scheduler`` is checked before the run folder is claimed: DF-DIST-001, exit 2."""
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["simulate", "--out", str(out), "--scheduler", "udp://x"])
    assert result.exit_code == 2 and "DF-DIST-001" in result.stderr
    assert not out.exists()


def test_rsa_keys_cached_on_this_machine_are_refused_on_a_cluster(tmp_path: Path) -> None:
    """RSA test keys live in this machine's key cache: a run that would sign with them on a
    tcp:// cluster is refused before any work (DF-SCN-008 naming signing.algorithm), not run
    with other keys on other machines."""
    scenario = replace(SCENARIO, signing=replace(SCENARIO.signing, algorithm="rsa-sha256"))
    with pytest.raises(ConfigError) as info:
        simulate(scenario, tmp_path / "run", scheduler="tcp://127.0.0.1:9")
    assert info.value.code == "DF-SCN-008"
    assert info.value.location.key == "signing.algorithm"
    assert not (tmp_path / "run" / "archive.sqlite").exists()
