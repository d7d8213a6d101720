"""An audit of a folder removes its scratch archive on every way out, and sweeps killed ones'."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from archive.factory import make_document
from proctree import signal_while_committing, survivors, wait_for

from docflow.audit.scratch import PREFIX, scratch_archive, sweep_stale

DOCFLOW = [sys.executable, "-c", "from docflow.cli import main; main()"]


def _source(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        (folder / f"{i:05}.edxml").write_bytes(make_document(i))
    return folder


def _start(source: Path, tmp: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*DOCFLOW, "audit", str(source), "-j", "2", "--chunk-size", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "TMPDIR": str(tmp)}, start_new_session=True)


def _workers_of(proc: subprocess.Popen[bytes]) -> set[tuple[int, int]]:
    try:
        return wait_for(proc.pid, 2)
    except AssertionError:
        _, err = proc.communicate(timeout=30)
        raise AssertionError(f"exit {proc.returncode}: {err.decode()}") from None


def _scratch(tmp: Path) -> list[Path]:
    return sorted(p for p in tmp.iterdir() if p.name.startswith(PREFIX))


@pytest.mark.parametrize(("sig", "code", "line"), [(signal.SIGINT, 130, "interrupted"),
                                                   (signal.SIGTERM, 143, "terminated")])
def test_an_interrupted_audit_removes_its_scratch_archive(tmp_path: Path, sig: int, code: int,
                                                          line: str) -> None:
    """Ctrl-C (to the group) or SIGTERM (to the parent) mid-audit: the scratch folder goes."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = _start(_source(tmp_path / "src", 800), tmp)
    try:
        below = _workers_of(proc)  # the import is done, the workers verify
        [folder] = _scratch(tmp)
        signal_while_committing(proc.pid, folder / "archive.sqlite", sig,
                                group=sig == signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        assert survivors(below) == set()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == code
    assert err.decode().strip().splitlines()[-1] == line
    assert _scratch(tmp) == []


def test_a_killed_audits_scratch_archive_is_swept_by_the_next(tmp_path: Path) -> None:
    """kill -9 leaves the scratch folder (no code runs); the next audit removes it first."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = _start(_source(tmp_path / "src", 800), tmp)
    try:
        below = _workers_of(proc)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert survivors(below) == set()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    left = _scratch(tmp)
    assert len(left) == 1 and (left[0] / "archive.sqlite").stat().st_size > 0
    again = _start(_source(tmp_path / "small", 3), tmp)
    assert again.wait(timeout=60) == 0
    assert _scratch(tmp) == []


def test_a_running_audits_scratch_folder_is_not_swept(tmp_path: Path) -> None:
    """The sweep removes only folders whose lock nobody holds, never a living audit's."""
    with scratch_archive(tmp_path) as db:
        db.write_bytes(b"x")
        assert sweep_stale(tmp_path) == []
        assert db.exists()
    assert list(tmp_path.iterdir()) == []
