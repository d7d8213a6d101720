"""The audit on a real Dask cluster gives the local audit's result byte for byte, loses nothing
when a worker is killed, and resumes after the client itself is killed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from docflow.audit import AuditConfig, audit
from docflow.audit.render import render_csv, render_table
from docflow.cli import cli
from docflow.dist import dask_executor
from docflow.dist.executor import open_executor
from docflow.trust import Trust
from tests.dist.conftest import Cluster, fresh_copy


def _config(archive: Path, **kw: Any) -> AuditConfig:
    trust = archive.parent / "trust"
    return AuditConfig(trust=Trust(anchors=(trust / "root.pem",),
                                   crls=(trust / "crls.pem",)), target=0.9, **kw)


def _outputs(archive: Path, config: AuditConfig, **kw: Any) -> dict[str, str]:
    result = audit(archive, config, **kw)
    return {"json": json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n",
            "csv": render_csv(result), "table": render_table(result, full=True)}


def test_dask_audit_is_the_local_audit_byte_for_byte(run_archive: Path, dask_cluster: Cluster,
                                                     tmp_path: Path) -> None:
    """JSON, CSV and the full table are the same bytes from the local pool, one process and
    a two-worker cluster reached over TCP, on an archive with valid, tampered, expired and
    revoked signatures."""
    work = tmp_path / "work"
    local = _outputs(fresh_copy(run_archive, work), _config(work / run_archive.name, jobs=2,
                                                              chunk_size=32))
    single = _outputs(fresh_copy(run_archive, work), _config(work / run_archive.name, jobs=1))
    dask = _outputs(fresh_copy(run_archive, work),
                    _config(work / run_archive.name, scheduler=dask_cluster.address,
                            chunk_size=32))
    assert dask == local == single
    total = json.loads(local["json"])["total"]
    assert total["documents"] > 300
    assert 0 < total["both_valid"] < total["both_present"]  # the faults were exercised
    assert json.loads(local["json"])["verified_now"] == total["documents"]


def test_cli_audit_with_scheduler(run_archive: Path, dask_cluster: Cluster,
                                  tmp_path: Path) -> None:
    """``docflow audit --scheduler tcp://...`` and ``--scheduler local:1`` (a LocalCluster the
    command starts and stops) print what the local audit prints."""
    work = tmp_path / "work"
    outs = []
    for extra in (["-j", "2"], ["--scheduler", dask_cluster.address],
                  ["--scheduler", "local:1"]):
        archive = fresh_copy(run_archive, work)
        result = CliRunner().invoke(cli, ["audit", str(archive), "--format", "csv", *extra])
        assert result.exit_code == 0, result.output
        outs.append(result.stdout)
    assert outs[0] == outs[1] == outs[2] and outs[0].startswith("dimension,key,documents")


def test_a_killed_worker_loses_nothing(run_archive: Path, own_cluster: Cluster,
                                       tmp_path: Path) -> None:
    """SIGKILL one of two workers (and its nanny) after the first batches: the scheduler
    gives its batches to the other worker, and the result is still exact."""
    work = tmp_path / "work"
    expected = _outputs(fresh_copy(run_archive, work), _config(work / run_archive.name, jobs=1))
    archive = fresh_copy(run_archive, work)
    killed: list[int] = []

    def progress(phase: str, done: int, total: int | None) -> None:
        if phase == "verifying" and not killed and done >= 40:
            own_cluster.kill_worker(0)
            killed.append(done)

    got = _outputs(archive, _config(archive, scheduler=own_cluster.address, chunk_size=8),
                   progress=progress)
    assert killed and killed[0] < 349 - 40  # killed with most of the work still to do
    assert own_cluster.workers[0].poll() is not None
    assert got == expected
    with sqlite3.connect(archive) as con:  # one stored result per document, none twice
        assert con.execute("SELECT count(*), count(DISTINCT envelope_id) FROM "
                           "verifications").fetchone() == (349, 349)


def test_a_killed_audit_resumes_without_double_counting(run_archive: Path,
                                                        dask_cluster: Cluster,
                                                        tmp_path: Path) -> None:
    """SIGKILL the auditing client in the middle; the next audit verifies only the rest and
    reports exactly what one uninterrupted audit reports."""
    work = tmp_path / "work"
    expected = json.loads(_outputs(fresh_copy(run_archive, work),
                                   _config(work / run_archive.name, jobs=1))["json"])
    archive = fresh_copy(run_archive, work)
    trust = archive.parent / "trust"
    args = ["audit", str(archive), "--trust", str(trust / "root.pem"), "--crl",
            str(trust / "crls.pem"), "--target", "0.9", "--scheduler", dask_cluster.address,
            "--chunk-size", "4", "--format", "json"]
    proc = subprocess.Popen([str(Path(sys.executable).parent / "docflow"), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        stored = 0
        while stored < 20 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            try:
                with sqlite3.connect(f"file:{archive}?mode=ro", uri=True, timeout=1) as con:
                    stored = con.execute("SELECT count(*) FROM verifications").fetchone()[0]
            except sqlite3.OperationalError:
                pass
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(10)
    assert 0 < stored < 349, "the audit was not caught in the middle"
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output  # some levels are below 0.9
    resumed = json.loads(result.stdout)
    now, reused = resumed.pop("verified_now"), resumed.pop("reused")
    assert reused >= 20 and now > 0 and now + reused == 349
    expected.pop("verified_now"), expected.pop("reused")
    assert resumed == expected


def test_bad_scheduler_values_are_usage_errors(run_archive: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A malformed --scheduler is DF-DIST-001 and a scheduler that does not answer is
    DF-DIST-002, each with exit code 2 and no traceback."""
    archive = fresh_copy(run_archive, tmp_path / "work")
    bad = CliRunner().invoke(cli, ["audit", str(archive), "--scheduler", "udp://x:1"])
    assert bad.exit_code == 2 and "DF-DIST-001" in bad.stderr and "Traceback" not in bad.output
    monkeypatch.setattr(dask_executor, "_CONNECT_TIMEOUT_S", 1)
    with pytest.raises(Exception) as info:
        open_executor("tcp://127.0.0.1:9")
    assert getattr(info.value, "code", None) == "DF-DIST-002"
