"""The loop: a real-mode simulation writes an archive; auditing it gives the simulation's
coverage per level, exactly, since both verify the same signatures and count them alike."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from docflow.metrics.coverage import COUNT_FIELDS

pytest.importorskip("docflow.sim.crypto_real", reason="the simulator's real crypto mode")

from docflow.cli import cli
from docflow.runs import simulate
from docflow.sim.scenario import Period, Scenario


@pytest.mark.slow
def test_audit_of_a_real_mode_run_reproduces_its_coverage(tmp_path: Path) -> None:
    """Per level, every coverage counter of summary.json equals the audit's, with faults on."""
    scenario = replace(Scenario(), topology="tiny", period=Period(days=1, drain_days=3))
    scenario = replace(scenario, faults=replace(scenario.faults, tamper_rate=0.05,
                                                expired_cert_share=0.15,
                                                revoked_cert_share=0.15))
    run = simulate(scenario, tmp_path / "run", crypto="real")
    assert run.archive is not None
    trust = tmp_path / "run" / "trust"
    result = CliRunner().invoke(cli, [
        "audit", str(run.archive), "--trust", str(trust / "root.pem"), "--crl",
        str(trust / "crls.pem"), "-j", "2", "--format", "json"])
    assert result.exit_code == 0, result.output
    audited = json.loads(result.stdout)["by_level"]
    simulated = {level.value: row.coverage for level, row in run.summary.levels.items()
                 if row.coverage.documents}
    assert set(audited) == set(simulated)
    for level, coverage in simulated.items():
        assert {f: audited[level][f] for f in COUNT_FIELDS} == \
            {f: getattr(coverage, f) for f in COUNT_FIELDS}, level
    # The faults were exercised: some signatures are present and invalid.
    assert sum(c.organ_present - c.organ_valid for c in simulated.values()) > 0
    # Without --trust, the run's own trust folder is found beside its archive: the same
    # context (its results reused) and the same counts, with the notice that says so.
    found = CliRunner().invoke(cli, ["audit", str(run.archive), "-j", "1", "--format", "json"])
    assert found.exit_code == 0, found.output
    assert "DF-AUD-004" in found.stderr
    data = json.loads(found.stdout)
    assert data["context"]["trust_source"] == "run" and data["verified_now"] == 0
    assert data["by_level"] == audited
