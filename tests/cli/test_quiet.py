"""Progress on every long phase, and ``--quiet`` on every command that shows progress or a
'wrote' line: each command run twice on the same small input, with and without ``-q``. The
loud run names each of its phases on standard error with done/total; the quiet run prints
nothing there, and its result (standard output, the files written, the exit code) is the
same. The live-axis commands (``load``, ``axis get``) are checked beside their server in
``tests/axis``."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from docflow.cli import cli

REPO = Path(__file__).resolve().parents[2]
ENVELOPES = REPO / "fixtures" / "envelopes"
AT = "2025-07-01T00:00:00+07:00"

SCENARIO = """\
name = "ux"
seed = 2
[topology]
preset = "tiny"
[period]
days = 2
drain_days = 5
[crypto]
mode = "{crypto}"
"""


def _pair(tmp_path: Path, *args: str, target: str | None = None) -> tuple[Result, Result]:
    """The command run loud and quiet; ``{out}`` in the arguments becomes ``loud``/``quiet``
    under ``tmp_path`` (with ``target`` as the file name, if given)."""
    results = []
    for name, extra in (("loud", []), ("quiet", ["-q"])):
        where = tmp_path / name if target is None else tmp_path / name / target
        if target is not None:
            where.parent.mkdir()
        argv = [str(where) if a == "{out}" else a for a in args] + extra
        results.append(CliRunner().invoke(cli, argv, catch_exceptions=False))
    loud, quiet = results
    assert loud.exit_code == quiet.exit_code, (loud.output, quiet.output)
    return loud, quiet


def _phases(stderr: str) -> dict[str, str]:
    """Phase name → its count (``20/20`` or ``500``), from the one-line-per-phase log."""
    return dict(re.findall(r"^([a-z][a-z0-9 +]*): ([\d,/]+) in [\d.]+ s$", stderr, re.M))


def _same_files(a: Path, b: Path, *names: str) -> None:
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_simulate_names_each_phase_and_quiet_writes_the_same_run(tmp_path: Path) -> None:
    """The days (with the horizon: '2 days + drain'), the signing and the archiving of the
    sample, the report: each a line with done/total. ``-q`` prints none of them, nor the
    table or the 'wrote' line (as documented), and writes the same files."""
    scenario = tmp_path / "s.toml"
    scenario.write_text(SCENARIO.format(crypto="sample:12"))
    loud, quiet = _pair(tmp_path, "simulate", str(scenario), "--out", "{out}")
    assert loud.exit_code == 0, loud.output
    phases = _phases(loud.stderr)
    days = phases.pop("simulating 2 days + drain")
    done, total = (int(n) for n in days.split("/"))
    assert 2 <= done == total <= 7  # the drain may end before its 5 days
    assert phases == {"signing": "12/12", "archiving": "12/12", "writing the report": "1/1"}
    assert "wrote" in loud.stderr and "p95 deliv" in loud.stdout
    assert quiet.stderr == "" and quiet.stdout == ""
    _same_files(tmp_path / "loud", tmp_path / "quiet", "summary.json", "report.html")


def test_on_a_terminal_the_phase_is_a_bar_with_done_total_and_eta(tmp_path: Path) -> None:
    """Run as a user runs it, standard error a pseudo-terminal: each phase is a line redrawn
    in place (carriage returns) with a bar, done/total and the ETA, and ends with the time
    it took; standard output (a pipe) gets the table alone."""
    scenario = tmp_path / "s.toml"
    scenario.write_text(SCENARIO.format(crypto="sample:12"))
    main, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", "from docflow.cli import main; main()", "simulate",
         str(scenario), "--out", str(tmp_path / "run")],
        stdout=subprocess.PIPE, stderr=secondary, stdin=subprocess.DEVNULL, cwd=tmp_path,
        env={**os.environ, "COLUMNS": "100"})
    os.close(secondary)
    seen = b""
    while True:  # the terminal's side: read until the process closes it
        ready, _, _ = select.select([main], [], [], 300)
        assert ready, "no output from docflow simulate for 300 s"
        try:
            chunk = os.read(main, 4096)
        except OSError:  # EIO: the process is gone and the terminal closed
            break
        if not chunk:
            break
        seen += chunk
    out, _ = process.communicate(timeout=120)
    os.close(main)
    assert process.returncode == 0, seen.decode("utf-8", "replace")
    text = seen.decode("utf-8")
    frames = [f for f in re.split(r"[\r\n]+", text) if f.strip()]
    for phase in ("simulating 2 days + drain", "signing", "archiving", "writing the report"):
        mine = [f for f in frames if f.startswith(phase + "  [")]
        assert mine, f"no bar for {phase!r} in {text!r}"
        assert re.search(r"\[[#-]{24}\]  \d+/\d+ +\d+%  in \d:\d\d:\d\d", mine[-1]), mine[-1]
    assert re.search(r"signing  \[[#-]{24}\]  0/12 +0%  ETA -:--:--", text)
    assert "\r" in text and b"p95 deliv" in out and b"\r" not in out


def test_sweep_counts_runs_and_quiet_writes_the_same_sweep(tmp_path: Path) -> None:
    """'runs: 2/2'; ``-q`` prints no progress and no 'wrote' line, and sweep.json is the
    same."""
    scenario = tmp_path / "s.toml"
    scenario.write_text(SCENARIO.format(crypto="model"))
    loud, quiet = _pair(tmp_path, "sweep", str(scenario), "--seeds", "1-2", "-j", "1",
                        "--out", "{out}")
    assert loud.exit_code == 0, loud.output
    assert _phases(loud.stderr) == {"runs": "2/2"} and "wrote" in loud.stderr
    assert quiet.stderr == "" and quiet.stdout == loud.stdout
    loud_runs = json.loads((tmp_path / "loud" / "sweep.json").read_bytes())["runs"]
    quiet_runs = json.loads((tmp_path / "quiet" / "sweep.json").read_bytes())["runs"]
    assert [r["summary_sha256"] for r in loud_runs] == [r["summary_sha256"] for r in quiet_runs]


CALIBRATION_SCENARIO = """\
name = "tiny-calib"
seed = 11
[topology]
preset = "tiny"
[period]
start = 2025-07-07
days = 7
drain_days = 2
[crypto]
mode = "model"
[[calibration]]
figure = "Hà Nội exchanged"
published = 300
measure = "documents_exchanged"
scope = "000.00.00.H01"
[[calibration]]
figure = "Phú Thọ exchanged"
published = 700
measure = "documents_exchanged"
scope = "000.00.00.H25"
"""

TARGETS = """\
[fit]
parameters = ["rate.province"]
[[target]]
scenario = "s.toml"
figure = "Hà Nội exchanged"
group = "Hà Nội"
uncertainty = 0.05
[[target]]
scenario = "s.toml"
figure = "Phú Thọ exchanged"
group = "Phú Thọ"
uncertainty = 0.05
"""


def test_calibrate_shows_its_two_phases_and_quiet_writes_the_same_fit(tmp_path: Path) -> None:
    """'modelling the targets: 2/2', then 'fitting'; ``-q`` prints neither, and the report
    on standard output and calibration.json are the same."""
    (tmp_path / "s.toml").write_text(CALIBRATION_SCENARIO, encoding="utf-8")
    (tmp_path / "targets.toml").write_text(TARGETS, encoding="utf-8")
    loud, quiet = _pair(tmp_path, "calibrate", str(tmp_path / "targets.toml"), "--out", "{out}")
    assert loud.exit_code == 0, loud.output
    phases = _phases(loud.stderr)
    assert phases.pop("modelling the targets") == "2/2"
    assert list(phases) == ["fitting"]
    assert quiet.stderr == "" and quiet.stdout == loud.stdout != ""
    _same_files(tmp_path / "loud", tmp_path / "quiet", "calibration.json")


def test_audit_of_a_folder_imports_then_verifies_and_quiet_keeps_the_warnings(
        tmp_path: Path) -> None:
    """A folder is imported (entries counted), then verified (done/total); ``-q`` prints
    neither, keeps the trust warning (DF-AUD-003), and prints the same table."""
    loud, quiet = _pair(tmp_path, "audit", str(ENVELOPES), "-j", "1")
    phases = _phases(loud.stderr)
    assert set(phases) == {"importing", "verifying"}
    done, total = phases["verifying"].split("/")
    assert done == total and int(phases["importing"]) >= int(total) > 0
    assert "DF-AUD-003" in quiet.stderr and "importing" not in quiet.stderr \
        and "verifying" not in quiet.stderr
    assert quiet.stdout == loud.stdout


def test_archive_import_counts_entries_and_quiet_imports_the_same(tmp_path: Path) -> None:
    """'importing: N'; ``-q`` prints nothing on standard error and the same counts."""
    loud, quiet = _pair(tmp_path, "archive", "import", str(ENVELOPES), "--db", "{out}",
                        "--format", "json", target="a.sqlite")
    assert list(_phases(loud.stderr)) == ["importing"]
    assert quiet.stderr == "" and json.loads(quiet.stdout) == json.loads(loud.stdout)


@pytest.mark.parametrize(("args", "target", "progress"), [
    (["pki", "init", "--preset", "tiny", "--seed", "5", "--at", AT, "-j", "1", "--out", "{out}"],
     None, {"issuing certificates": "20/20"}),
    (["envelope", "new", "--from", "000.00.00.H49", "--to", "000.00.01.H49", "--subject", "Thử",
      "--date", "2025/07/01", "-o", "{out}"], "m.edxml", {}),
    (["pdf", "new", "--from", "000.00.00.H49", "--number", "3", "--subject", "Thử",
      "--date", "2025-07-01", "-o", "{out}"], "d.pdf", {}),
    (["topology", "export", "tiny", "-o", "{out}"], "t.json", {}),
], ids=["pki init", "envelope new", "pdf new", "topology export"])
def test_quiet_drops_the_progress_and_the_wrote_line_only(
        tmp_path: Path, args: list[str], target: str | None, progress: dict[str, str]) -> None:
    """The loud run says what it wrote (and its progress); the quiet one prints nothing, and
    writes the same bytes."""
    loud, quiet = _pair(tmp_path, *args, target=target)
    assert loud.exit_code == 0, loud.output
    assert _phases(loud.stderr) == progress and "wrote" in loud.stderr
    assert quiet.stderr == "" and quiet.stdout == loud.stdout
    if target is not None:
        _same_files(tmp_path / "loud", tmp_path / "quiet", target)
    else:
        files = sorted(str(f.relative_to(tmp_path / "loud"))
                       for f in (tmp_path / "loud").rglob("*") if f.is_file())
        assert "index.json" in files and len(files) > 40
        _same_files(tmp_path / "loud", tmp_path / "quiet", *files)
