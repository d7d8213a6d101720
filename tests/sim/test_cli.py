"""``docflow simulate``: runs a scenario file, prints a table, writes summary.json; bad input
exits 2 with the code and key, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from docflow.cli import cli

SCENARIO = """
name = "cli"
seed = 2
[topology]
preset = "tiny"
[period]
days = 1
drain_days = 30
[crypto]
mode = "model"
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_runs_a_scenario_and_writes_the_summary(tmp_path: Path) -> None:
    """Exit 0, a table per level on stdout, summary.json in the folder; --seed overrides."""
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO)
    code, out, err = invoke("simulate", str(path), "--out", str(tmp_path / "run"),
                            "--seed", "5")
    assert code == 0, err
    assert "commune" in out and "p95 deliv" in out
    data = json.loads((tmp_path / "run" / "summary.json").read_bytes())
    assert data["scenario"]["seed"] == 5 and data["scenario"]["name"] == "cli"
    code, out, _ = invoke("simulate", str(path), "--out", str(tmp_path / "q"), "--quiet")
    assert code == 0 and out == ""


@pytest.mark.parametrize(("text", "code"), [
    ("this is not toml", "DF-SCN-001"),
    ("[period]\ndayz = 3\n", "DF-SCN-002"),
    ("seed = \"one\"\n", "DF-SCN-003"),
    ("[topology]\npreset = \"atlantis\"\n", "DF-TOP-010"),
    ("[topology]\npreset = \"tiny\"\n[[faults.hub_outage]]\nhub = \"lgsp-h99\"\n"
     "start = 2025-07-07T09:00:00\nhours = 1\n", "DF-SCN-006"),
])
def test_broken_scenarios_exit_2_without_traceback(tmp_path: Path, text: str,
                                                   code: str) -> None:
    """Each broken scenario file gives its code on stderr and exit code 2."""
    path = tmp_path / "bad.toml"
    path.write_text(text)
    exit_code, out, err = invoke("simulate", str(path), "--out", str(tmp_path / "run"))
    assert exit_code == 2
    assert code in err and "Traceback" not in err + out


def test_bad_crypto_option_exits_2(tmp_path: Path) -> None:
    """An unknown --crypto mode is a usage error naming the allowed modes."""
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO)
    code, _, err = invoke("simulate", str(path), "--out", str(tmp_path), "--crypto", "fast")
    assert code == 2 and "allowed: model, sample:N" in err
