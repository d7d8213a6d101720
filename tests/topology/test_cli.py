"""``docflow topology show`` and ``export`` through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from docflow.cli import cli
from docflow.topology import build_preset
from docflow.topology.files import read_topology


def test_show_prints_counts_per_level_and_hub_kind() -> None:
    """The text output lists each level and each hub kind with the preset's counts."""
    result = CliRunner().invoke(cli, ["topology", "show", "tiny"])
    assert result.exit_code == 0, result.output
    counts = build_preset("tiny").count_by_level()
    for level, n in counts.items():
        assert any(line.split() == [level.value, str(n)] for line in result.output.splitlines())
    assert "hubs by kind" in result.output and "axis" in result.output


def test_show_json_with_hubs_agrees_with_the_topology() -> None:
    """--format json --hubs gives per-level counts and per-hub counts that add up."""
    result = CliRunner().invoke(cli, ["topology", "show", "vn-2025", "--hubs",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    topo = build_preset("vn-2025")
    assert doc["agencies"] == len(topo.agencies)
    assert doc["by_level"] == {k.value: v for k, v in topo.count_by_level().items()}
    assert doc["hubs_by_kind"]["province"] == 34
    assert sum(h["agencies"] for h in doc["per_hub"]) == len(topo.agencies)


def test_export_then_show_the_file(tmp_path: Path) -> None:
    """An exported file shows the same counts as the preset it came from."""
    runner = CliRunner()
    for suffix in ("graphml", "json"):
        out = tmp_path / f"t.{suffix}"
        result = runner.invoke(cli, ["topology", "export", "yen-lac-2024", "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert read_topology(out) == build_preset("yen-lac-2024")
        shown = runner.invoke(cli, ["topology", "show", str(out), "--format", "json"])
        preset = runner.invoke(cli, ["topology", "show", "yen-lac-2024", "--format", "json"])
        assert json.loads(shown.output) == json.loads(preset.output)


def test_broken_file_exits_2_with_its_code_and_no_traceback(tmp_path: Path) -> None:
    """A broken topology file gives exit code 2 and one line with its DF-TOP code."""
    bad = tmp_path / "bad.json"
    doc = {"format": "docflow-topology", "version": 1, "name": "bad",
           "hubs": [{"id": "lgsp-h38", "name": "LGSP", "kind": "province",
                     "province": "Thanh Hóa"}],
           "agencies": [{"code": "000.00.00.H38", "name": "UBND", "level": "province",
                         "kind": "people-committee", "province": "Thanh Hóa",
                         "hub": "lgsp-h99"}]}
    bad.write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(cli, ["topology", "show", str(bad)])
    assert result.exit_code == 2
    assert "DF-TOP-003" in result.output and "000.00.00.H38" in result.output
    assert "Traceback" not in result.output


def test_unknown_preset_and_bad_suffix_exit_2(tmp_path: Path) -> None:
    """An unknown preset name and an export to an unknown suffix are usage errors (exit 2)."""
    runner = CliRunner()
    result = runner.invoke(cli, ["topology", "show", "vn-1975"])
    assert result.exit_code == 2 and "DF-TOP-010" in result.output
    result = runner.invoke(cli, ["topology", "export", "tiny", "-o", str(tmp_path / "t.txt")])
    assert result.exit_code == 2 and "DF-TOP-010" in result.output
