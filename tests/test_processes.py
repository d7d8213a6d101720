"""Worker processes die with their parent, and Ctrl-C stops a command with one line and exit 130.

Each test runs a real ``docflow`` (or a real pool) in its own process, kills it the way a user
or the kernel would (``kill -9`` of the parent alone, or ``SIGINT`` to the process group as a
terminal sends it), and reads /proc for anything left running below it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from archive.factory import make_document
from click.testing import CliRunner
from proctree import signal_while_committing, survivors, wait_for

from docflow.archive.importer import import_source
from docflow.archive.store import Archive
from docflow.cli import cli

DOCFLOW = [sys.executable, "-c", "from docflow.cli import main; main()"]

POOL_SCRIPT = textwrap.dedent("""
    import sys, time
    from docflow.processes import StartMethod, worker_pool
    pool = worker_pool(2, method=StartMethod(sys.argv[1]))
    futures = [pool.submit(time.sleep, 600) for _ in range(2)]
    print("started", flush=True)
    time.sleep(600)
""")


def _assert_resumes_exactly(db: Path, kept: int, n: int) -> None:
    """A second audit of ``db`` verifies only what the interrupted one left and reuses the
    ``kept`` verdicts it stored: no envelope counted twice, none lost."""
    resumed = CliRunner().invoke(cli, ["audit", str(db), "-j", "1", "--format", "json"])
    data = json.loads(resumed.stdout)
    assert (data["verified_now"], data["reused"], data["documents"]) == (n - kept, kept, n)


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_pool_workers_die_with_a_killed_owner(method: str) -> None:
    """kill -9 of a pool's owner ends its workers (and any forkserver and resource tracker)."""
    proc = subprocess.Popen([sys.executable, "-c", POOL_SCRIPT, method],
                            stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"started\n"
        below = wait_for(proc.pid, 2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert survivors(below) == set()
    finally:
        _kill_group(proc)


def _simulation(run: Path, *, output: int) -> subprocess.Popen[bytes]:
    """``docflow simulate`` of :data:`SCENARIO` into ``run``, in a process group of its own
    (so that a test can signal the group); stdout and stderr go to ``output``."""
    scenario = run.parent / "s.toml"
    scenario.write_text(SCENARIO)
    return subprocess.Popen([*DOCFLOW, "simulate", str(scenario), "--out", str(run), "--quiet"],
                            stdout=output, stderr=output, start_new_session=True)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Clean-up of a test that failed half-way: nothing of it outlives the test."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _archive(folder: Path, n: int) -> Path:
    source = folder / "src"
    source.mkdir()
    for i in range(n):
        (source / f"{i:05}.edxml").write_bytes(make_document(
            i, sender="000.00.00.G22" if i % 2 else "000.00.00.H49"))
    db = folder / "a.sqlite"
    with Archive(db) as archive:
        import_source(source, archive)
    return db


def _verified(db: Path) -> int:
    try:
        with contextlib.closing(sqlite3.connect(db, timeout=10)) as con:
            return int(con.execute("SELECT count(*) FROM verifications").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_a_killed_audit_leaves_no_worker_behind(tmp_path: Path) -> None:
    """kill -9 of ``docflow audit -j 2`` alone (not its group): its workers exit too."""
    db = _archive(tmp_path, 400)
    proc = subprocess.Popen([*DOCFLOW, "audit", str(db), "-j", "2", "--chunk-size", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        below = wait_for(proc.pid, 2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert survivors(below) == set()
    finally:
        _kill_group(proc)


SCENARIO = """name = "killed"
seed = 5
[topology]
preset = "vn-2025"
[period]
start = 2025-07-07
days = 1
[crypto]
mode = "sample:3000"
processes = 2
"""


def test_a_killed_simulation_leaves_no_worker_behind(tmp_path: Path) -> None:
    """kill -9 of ``docflow simulate`` while its forkserver workers sign: all of them exit."""
    proc = _simulation(tmp_path / "run", output=subprocess.DEVNULL)
    try:
        below = wait_for(proc.pid, 4)  # resource tracker, forkserver and two workers
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert survivors(below) == set()
    finally:
        _kill_group(proc)


def _interrupt(proc: subprocess.Popen[bytes], below: set[tuple[int, int]]
               ) -> tuple[int, str]:
    """Ctrl-C as a terminal sends it: SIGINT to the whole process group."""
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert survivors(below) == set()
    return proc.returncode, err.decode()


def test_ctrl_c_stops_an_audit_with_one_line_and_keeps_what_it_stored(tmp_path: Path) -> None:
    """SIGINT to the group: exit 130, one line, no traceback; a rerun finishes exactly."""
    n = 800
    db = _archive(tmp_path, n)
    proc = subprocess.Popen([*DOCFLOW, "audit", str(db), "-j", "2", "--chunk-size", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        below = wait_for(proc.pid, 2)
        signal_while_committing(proc.pid, db, signal.SIGINT, group=True)
        _, err_bytes = proc.communicate(timeout=30)
        assert survivors(below) == set()
        code, err = proc.returncode, err_bytes.decode()
    finally:
        _kill_group(proc)
    assert code == 130
    assert "Traceback" not in err and "Error" not in err
    assert err.strip().splitlines()[-1].startswith("interrupted")
    kept = _verified(db)
    assert 0 < kept < n
    _assert_resumes_exactly(db, kept, n)


def test_ctrl_c_stops_a_simulation_and_leaves_no_partial_archive(tmp_path: Path) -> None:
    """SIGINT to the group while workers sign: exit 130, one line, no half-written archive."""
    run = tmp_path / "run"
    proc = _simulation(run, output=subprocess.PIPE)
    try:
        below = wait_for(proc.pid, 4)
        code, err = _interrupt(proc, below)
    finally:
        _kill_group(proc)
    assert code == 130
    assert err.strip().splitlines() == ["interrupted"]
    assert not (run / "summary.json").exists()
    assert not (run / "archive.sqlite").exists()


def _workers(below: set[tuple[int, int]], needle: bytes) -> list[int]:
    """The pids among ``below`` whose command line holds ``needle`` (or all, for b"")."""
    out = []
    for pid, _ in below:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if needle in cmdline:
            out.append(pid)
    return sorted(out)


def _parent(pid: int) -> int:
    text = Path(f"/proc/{pid}/stat").read_text()
    return int(text[text.rindex(")") + 2:].split()[1])


def test_a_worker_killed_under_an_audit_is_a_clear_error_and_loses_nothing(
        tmp_path: Path) -> None:
    """kill -9 of one audit worker (as the OOM killer would): the audit ends with DF-AUD-006
    and exit 3, no traceback, no process left; what it stored is kept and a rerun finishes."""
    n = 400
    db = _archive(tmp_path, n)
    proc = subprocess.Popen([*DOCFLOW, "audit", str(db), "-j", "2", "--chunk-size", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        below = wait_for(proc.pid, 2)
        deadline = time.monotonic() + 60
        while _verified(db) < 10 and time.monotonic() < deadline:
            time.sleep(0.005)
        workers = [pid for pid in _workers(below, b"docflow.cli")
                   if not _workers({(pid, 0)}, b"resource_tracker")]
        assert workers, below
        os.kill(workers[0], signal.SIGKILL)  # a forked worker, not the resource tracker
        _, err_bytes = proc.communicate(timeout=60)
        assert survivors(below) == set()
    finally:
        _kill_group(proc)
    err = err_bytes.decode()
    assert proc.returncode in (3, 0), err  # 0 only if the audit finished first
    if proc.returncode == 3:
        assert "DF-AUD-006" in err and "Traceback" not in err
    kept = _verified(db)
    _assert_resumes_exactly(db, kept, n)


def test_a_worker_killed_under_a_simulation_is_a_clear_error(tmp_path: Path) -> None:
    """kill -9 of one signing worker: DF-SCN-010, exit 3, no traceback, no partial archive."""
    run = tmp_path / "run"
    proc = _simulation(run, output=subprocess.PIPE)
    try:
        below = wait_for(proc.pid, 4)
        server = [pid for pid in _workers(below, b"forkserver") if _parent(pid) == proc.pid]
        workers = [pid for pid, _ in below if server and _parent(pid) == server[0]]
        assert workers
        os.kill(workers[0], signal.SIGKILL)
        _, err_bytes = proc.communicate(timeout=60)
        assert survivors(below) == set()
    finally:
        _kill_group(proc)
    err = err_bytes.decode()
    assert proc.returncode == 3, err
    assert "DF-SCN-010" in err and "Traceback" not in err
    assert not (run / "archive.sqlite").exists()
