"""The assumptions register: one place for every default, each with a range and a source, and
every run's summary and report list the values it used."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from docflow.assumptions import ASSUMPTIONS, load_register
from docflow.levels import Level
from docflow.outputs import OutputSchema
from docflow.runs import simulate
from docflow.sim.assumed import assumptions_used, scenario_value
from docflow.sim.scenario import (
    CryptoSpec,
    FaultSpec,
    HubCapacity,
    HubSpec,
    LinkSpec,
    Period,
    Scenario,
    StatusSpec,
)
from docflow.sim.scenario_file import read_scenario
from docflow.traffic.spec import TrafficSpec

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "scenarios"


def test_every_entry_has_a_range_a_unit_and_a_source() -> None:
    """Each default sits inside its range and names a source or says "assumed"."""
    assert len(ASSUMPTIONS) >= 60
    for a in ASSUMPTIONS.values():
        assert a.low <= a.value <= a.high, a.name
        assert a.low < a.high, a.name
        assert a.unit and a.source, a.name
    sourced = [a.name for a in ASSUMPTIONS.values() if a.sourced]
    assert "hubs.axis.service_ms" in sourced and "signing.province.organ" in sourced
    assert not ASSUMPTIONS["links.mbps"].sourced


def test_the_built_in_scenario_takes_every_default_from_the_register() -> None:
    """Scenario() gives each register entry exactly the register's value: nothing overridden."""
    rows = assumptions_used(Scenario())
    assert [r["name"] for r in rows] == list(ASSUMPTIONS)
    assert not [r["name"] for r in rows if r["overridden"]]
    for r in rows:
        assert r["value"] == pytest.approx(ASSUMPTIONS[r["name"]].value), r["name"]


@pytest.mark.parametrize(("cls", "prefix"), [
    (HubCapacity, "hubs.default"), (LinkSpec, "links"), (StatusSpec, "status")])
def test_no_numeric_default_bypasses_the_register(cls: type, prefix: str) -> None:
    """Every numeric field of the capacity, link and status specs is in the register, so a new
    default cannot be added with no range or source."""
    for f in dataclasses.fields(cls):
        if f.type in ("int", "float"):
            assert f"{prefix}.{f.name}" in ASSUMPTIONS, f"{prefix}.{f.name}"
    for f in ("retry_backoff_s", "backoff_factor", "backoff_max_s", "max_attempts"):
        assert f"faults.{f}" in ASSUMPTIONS
    for lv in Level:
        for f in ("per_day", "recipients", "broadcast"):
            assert f"traffic.{lv.value}.{f}" in ASSUMPTIONS


def test_a_changed_register_changes_the_defaults() -> None:
    """The defaults are read from the register's values (not a copy): the axis's workers and a
    level's mix come out of it."""
    assert HubSpec().axis.workers == int(ASSUMPTIONS["hubs.axis.workers"].value)
    mix = dict(TrafficSpec().level(Level.COMMUNE).mix)  # type: ignore[union-attr]
    assert {d.value: v for d, v in mix.items()} == {
        n.rsplit(".", 1)[1]: a.value for n, a in ASSUMPTIONS.items()
        if n.startswith("traffic.commune.mix.")}
    assert FaultSpec().max_attempts == int(ASSUMPTIONS["faults.max_attempts"].value)


def test_a_scenario_file_marks_what_it_overrides() -> None:
    """Phú Thọ sets its rates and mixes: those are marked overridden with the file's values;
    the hub capacities it leaves alone are not."""
    s = read_scenario(FIXTURES / "phu-tho-2021.toml")
    rows = {r["name"]: r for r in assumptions_used(s)}
    assert rows["traffic.province.per_day"] == {**rows["traffic.province.per_day"],
                                                 "value": 55.0, "overridden": True}
    assert rows["signing.signers_per_agency"]["value"] == 16.73
    assert not rows["hubs.axis.service_ms"]["overridden"]
    assert scenario_value(s, "traffic.commune.mix.up") == 0.8


def test_a_level_that_sends_nothing_has_no_value() -> None:
    s = replace(Scenario(), traffic=TrafficSpec(levels=TrafficSpec().levels[:3]))
    assert scenario_value(s, "traffic.commune.per_day") is None
    row = next(r for r in assumptions_used(s) if r["name"] == "traffic.commune.per_day")
    assert row["overridden"] is True


def test_the_register_refuses_bad_entries() -> None:
    ok = 'name = "x"\nvalue = 1\nlow = 0\nhigh = 2\nunit = "s"\n'
    with pytest.raises(ValueError, match="outside its range"):
        load_register('[[assumption]]\nname = "x"\nvalue = 3\nlow = 0\nhigh = 2\nunit = "s"\n'
                      'source = "assumed"\n')
    with pytest.raises(ValueError, match="no source"):
        load_register(f'[[assumption]]\n{ok}source = ""\n')
    with pytest.raises(ValueError, match="missing or bad field"):
        load_register(f'[[assumption]]\n{ok}')
    with pytest.raises(ValueError, match="listed twice"):
        load_register(f'[[assumption]]\n{ok}source = "a"\n[[assumption]]\n{ok}source = "a"\n')


def test_a_run_lists_and_shows_the_assumptions_it_used(tmp_path: Path) -> None:
    """summary.json holds every entry (schema-valid), with the scenario's axis service time
    marked overridden, and report.html shows each one."""
    axis = replace(HubSpec().axis, service_ms=33.0)
    s = replace(Scenario(), topology="tiny", crypto=CryptoSpec.parse("model"), seed=3,
                period=Period(days=1, drain_days=10), hubs=replace(HubSpec(), axis=axis))
    simulate(s, tmp_path)
    data = json.loads((tmp_path / "summary.json").read_bytes())
    jsonschema.validate(data, OutputSchema.SIMULATION.json_schema())
    rows = {r["name"]: r for r in data["assumptions"]}
    assert list(rows) == list(ASSUMPTIONS)
    assert rows["hubs.axis.service_ms"]["value"] == 33.0
    assert rows["hubs.axis.service_ms"]["overridden"] is True
    assert [n for n, r in rows.items() if r["overridden"]] == ["hubs.axis.service_ms"]
    html = (tmp_path / "report.html").read_text("utf-8")
    assert '<section id="assumptions">' in html and "1 of 63 were set by the scenario" in html
    for name in rows:
        assert f"<code>{name}</code>" in html
