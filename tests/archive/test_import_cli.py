"""``docflow archive import`` through the CLI, and an import killed with SIGKILL and resumed."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from click.testing import CliRunner

from docflow.archive.store import Archive
from docflow.cli import cli

from .factory import make_document


def test_import_reports_counts_and_exit_codes(tmp_path: Path) -> None:
    """Exit 0 when every entry is archived, 1 when some are rejected; JSON has the counts."""
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as zf:
        for i in range(3):
            zf.writestr(f"{i}.edxml", make_document(i))
    runner = CliRunner()
    db = str(tmp_path / "a.sqlite")
    result = runner.invoke(cli, ["archive", "import", str(good), "--db", db])
    assert result.exit_code == 0, result.output
    assert "added 3, already archived 0, rejected 0" in result.output
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.xml").write_bytes(b"<!DOCTYPE x [<!ENTITY e 'e'>]><x>&e;</x>")
    (bad / "0.edxml").write_bytes(make_document(0))
    result = runner.invoke(cli, ["archive", "import", str(bad), "--db", db, "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)  # the progress line goes to stderr
    assert (data["added"], data["already"], data["rejected"]) == (0, 1, 1)
    assert data["by_code"] == {"DF-XML-002": 1}


def test_bad_sources_and_databases_exit_2_with_a_code(tmp_path: Path) -> None:
    """An unusable source or archive prints its code and exits 2, without a traceback."""
    runner = CliRunner()
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x7fELF" + bytes(100))
    result = runner.invoke(cli, ["archive", "import", str(junk), "--db",
                                 str(tmp_path / "a.sqlite")])
    assert result.exit_code == 2
    assert "DF-ARC-010" in result.output and "Traceback" not in result.output
    result = runner.invoke(cli, ["archive", "import", str(tmp_path), "--db", str(junk)])
    assert result.exit_code == 2
    assert "DF-ARC-001" in result.output
    assert junk.read_bytes() == b"\x7fELF" + bytes(100)


def _docflow(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "from docflow.cli import main; main()", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def _count(db: Path) -> int:
    try:
        with contextlib.closing(sqlite3.connect(db, timeout=10)) as con:
            return int(con.execute("SELECT count(*) FROM envelopes").fetchone()[0])
    except sqlite3.Error:  # not created yet
        return 0


def test_an_import_killed_half_way_resumes_without_loss_or_double_count(tmp_path: Path) -> None:
    """SIGKILL between batches, then the same import again: every envelope is there, once."""
    src = tmp_path / "src"
    src.mkdir()
    n = 600
    for i in range(n):
        (src / f"{i:05}.edxml").write_bytes(make_document(i))
    (src / "broken.xml").write_bytes(b"<a><b></a>")
    db = tmp_path / "a.sqlite"
    proc = _docflow("archive", "import", str(src), "--db", str(db), "--batch-size", "10")
    deadline = time.monotonic() + 60
    while _count(db) < 30 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    # Hold the write lock so the importer stops at its next commit, then kill it there: the
    # kill lands half-way whatever the speed of the machine.
    lock = sqlite3.connect(db, timeout=30, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    kept = int(lock.execute("SELECT count(*) FROM envelopes").fetchone()[0])
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    lock.execute("ROLLBACK")
    lock.close()
    assert proc.returncode == -signal.SIGKILL
    assert 0 < kept < n
    assert _count(db) == kept  # every committed batch survived the kill

    again = _docflow("archive", "import", str(src), "--db", str(db), "--format", "json")
    out, err = again.communicate(timeout=120)
    assert again.returncode == 1, err  # the broken file is a reject
    result = json.loads(out)
    assert result["added"] == n - kept
    assert result["already"] == kept
    assert result["rejected"] + result["rejected_before"] == 1
    with Archive(db) as archive:
        assert len(archive) == n
        assert len(archive.rejects()) == 1
        assert sorted(data for data, _ in archive.envelopes()) == \
            sorted(make_document(i) for i in range(n))
