"""A run folder holds one run, complete or marked incomplete (issue 13): ``simulate --out``
refuses a non-empty folder unless ``--force``, which leaves nothing of the earlier run; a run
killed or interrupted half-way is marked, and ``report`` and ``audit`` refuse it; the Python
API writes the same ``report.html`` as the command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import docflow
from docflow.cli import cli
from docflow.errors import UsageError
from docflow.runfolder import INCOMPLETE

MODEL = """
name = "model"
seed = {seed}
[topology]
preset = "tiny"
[period]
days = 1
drain_days = 5
[crypto]
mode = "model"
"""

SAMPLE = """
name = "sample"
seed = 5
[topology]
preset = "tiny"
[period]
days = {days}
drain_days = 5
[crypto]
mode = "sample:{sample}"
processes = 1
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def scenario(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_the_api_writes_the_report_the_command_writes(tmp_path: Path) -> None:
    """``docflow.simulate(s, out)`` writes report.html beside summary.json, byte for byte the
    page ``docflow report`` renders from that summary, and says where it is."""
    result = docflow.simulate(scenario(tmp_path, "m.toml", MODEL.format(seed=1)),
                              tmp_path / "run")
    assert result.report == tmp_path / "run" / "report.html"
    code, _, err = invoke("report", str(tmp_path / "run"), "-o", str(tmp_path / "again.html"))
    assert code == 0, err
    assert result.report.read_bytes() == (tmp_path / "again.html").read_bytes()
    assert sorted(os.listdir(tmp_path / "run")) == ["report.html", "summary.json"]


def test_a_second_run_into_a_run_folder_is_refused(tmp_path: Path) -> None:
    """DF-RUN-001, exit 2, naming the folder; the earlier run is left as it was."""
    out = str(tmp_path / "run")
    assert invoke("simulate", scenario(tmp_path, "a.toml", MODEL.format(seed=1)), "--out", out,
                  "-q")[0] == 0
    before = (tmp_path / "run" / "summary.json").read_bytes()
    code, _, err = invoke("simulate", scenario(tmp_path, "b.toml", MODEL.format(seed=2)),
                          "--out", out, "-q")
    assert code == 2 and "DF-RUN-001" in err and out in err and "--force" in err
    assert (tmp_path / "run" / "summary.json").read_bytes() == before
    with pytest.raises(UsageError):
        docflow.simulate(scenario(tmp_path, "c.toml", MODEL.format(seed=3)), out)


def test_force_leaves_nothing_of_the_earlier_run(tmp_path: Path) -> None:
    """A sample run (archive.sqlite, trust/) replaced by a model run with --force: the folder
    holds the model run's summary and report only, and a file of the user's."""
    out = tmp_path / "run"
    code, _, err = invoke("simulate", scenario(tmp_path, "s.toml", SAMPLE.format(
        days=1, sample=5)), "--out", str(out), "-q")
    assert code == 0, err
    assert (out / "archive.sqlite").is_file() and (out / "trust" / "root.pem").is_file()
    (out / "notes.txt").write_text("the user's")
    code, _, err = invoke("simulate", scenario(tmp_path, "m.toml", MODEL.format(seed=9)),
                          "--out", str(out), "--force", "-q")
    assert code == 0, err
    assert sorted(os.listdir(out)) == ["notes.txt", "report.html", "summary.json"]
    summary = json.loads((out / "summary.json").read_bytes())
    assert summary["scenario"]["seed"] == 9


def _start(tmp_path: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    """``python -m docflow simulate`` of a long sample run, returned once its archive exists
    (the run is under way)."""
    path = scenario(tmp_path, "long.toml", SAMPLE.format(days=20, sample=3000))
    run = subprocess.Popen([sys.executable, "-m", "docflow", "simulate", path, "--out",
                            str(out), *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, start_new_session=True)
    deadline = time.monotonic() + 300
    while not (out / "archive.sqlite").exists():
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "the run never created its archive"
        time.sleep(0.01)
    return run


def test_a_killed_run_is_marked_and_refused_by_report_and_audit(tmp_path: Path) -> None:
    """Over an earlier run with --force, then killed (SIGKILL): no summary of either run, the
    folder carries the marker, and ``report`` and ``audit`` exit 2 with DF-RUN-002 instead of
    auditing a partial archive with exit 0. A rerun with --force completes it."""
    out = tmp_path / "run"
    assert invoke("simulate", scenario(tmp_path, "m.toml", MODEL.format(seed=1)), "--out",
                  str(out), "-q")[0] == 0
    run = _start(tmp_path, out, "--force", "-q")
    os.killpg(run.pid, signal.SIGKILL)
    run.communicate()
    assert (out / INCOMPLETE).is_file() and not (out / "summary.json").exists()
    code, _, err = invoke("report", str(out))
    assert code == 2 and "DF-RUN-002" in err
    code, _, err = invoke("audit", str(out / "archive.sqlite"))
    assert code == 2 and "DF-RUN-002" in err
    code, _, err = invoke("simulate", scenario(tmp_path, "s.toml", SAMPLE.format(
        days=1, sample=5)), "--out", str(out), "-q")
    assert code == 2 and "unfinished simulation run" in err
    code, _, err = invoke("simulate", str(tmp_path / "s.toml"), "--out", str(out), "--force",
                          "-q")
    assert code == 0, err
    assert not (out / INCOMPLETE).exists()
    assert invoke("audit", str(out / "archive.sqlite"))[0] == 0


def test_ctrl_c_exits_130_and_leaves_the_run_marked(tmp_path: Path) -> None:
    """SIGINT: ``interrupted`` and exit 130, no traceback; the folder is marked incomplete."""
    out = tmp_path / "run"
    run = _start(tmp_path, out)
    os.kill(run.pid, signal.SIGINT)
    _, err = run.communicate(timeout=300)
    assert run.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err, err
    assert (out / INCOMPLETE).is_file() and not (out / "summary.json").exists()


def test_a_bad_scenario_with_force_costs_nothing(tmp_path: Path) -> None:
    """The scenario is checked before the folder is touched: a typo with --force is DF-SCN-003
    and the earlier run is still there, complete."""
    out = tmp_path / "run"
    assert invoke("simulate", scenario(tmp_path, "m.toml", MODEL.format(seed=1)), "--out",
                  str(out), "-q")[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    code, _, err = invoke("simulate", scenario(tmp_path, "bad.toml", 'seed = "x"\n'), "--out",
                          str(out), "--force", "-q")
    assert code == 2 and "DF-SCN-003" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
