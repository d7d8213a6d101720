"""The checks of a scenario that need its topology, and the topology itself.

A scenario file can be read without a topology, but the hub ids, organ codes and levels it
names only mean something once the topology is built. :func:`prepare` loads the topology (a
preset, or a file resolved against the scenario's folder) and refuses any reference to a hub,
agency or outage time that the run could not honour, naming the scenario key.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from docflow.errors import ConfigError, Location
from docflow.sim.scenario import Scenario
from docflow.topology import PRESETS, Topology, load_topology

__all__ = ["prepare"]


def prepare(scenario: Scenario) -> Topology:
    """The scenario's topology, after checking the scenario against it.

    Raises
    ------
    ConfigError
        ``DF-SCN-006`` naming the key of an unknown hub, agency or scope.
    UsageError, InputError
        From :func:`docflow.topology.load_topology`.
    """
    name = scenario.topology
    if name not in PRESETS and scenario.source and not Path(name).is_absolute():
        candidate = Path(scenario.source).parent / name
        if candidate.is_file():
            name = str(candidate)
    topology = load_topology(name)
    check(scenario, topology)
    return topology


def _where(scenario: Scenario, key: str) -> Location:
    return Location(file=scenario.source, key=key)


def check(scenario: Scenario, topology: Topology) -> None:
    """Refuse references the topology cannot resolve (see :func:`prepare`)."""
    hubs = {h.id for h in topology.hubs}
    codes = set(topology.index)

    def unknown(what: str, value: str, key: str, known: set[str]) -> ConfigError:
        sample = ", ".join(sorted(known)[:8]) + (", …" if len(known) > 8 else "")
        return ConfigError("DF-SCN-006", f"{what} {value!r} is not in topology "
                           f"{topology.name!r}; it has: {sample}", _where(scenario, key))

    for hub_id, _ in scenario.hubs.overrides:
        if hub_id not in hubs:
            raise unknown("hub", hub_id, f"hubs.override.{hub_id}", hubs)
    faults = scenario.faults
    period_start = datetime(scenario.period.start.year, scenario.period.start.month,
                            scenario.period.start.day)
    period_end = period_start + timedelta(days=scenario.period.days)
    for kind, outages, known, label in (("hub_outage", faults.hub_outages, hubs, "hub"),
                                        ("agency_outage", faults.agency_outages, codes,
                                         "agency")):
        for i, outage in enumerate(outages):
            if outage.target not in known:
                raise unknown(label, outage.target, f"faults.{kind}[{i}].{label}", known)
            start = outage.start.replace(tzinfo=None)
            if not period_start <= start < period_end:
                raise ConfigError("DF-SCN-004", f"the outage starts at {start:%Y-%m-%d %H:%M}, "
                                  f"outside the period; allowed: from {period_start:%Y-%m-%d} "
                                  f"to before {period_end:%Y-%m-%d}",
                                  _where(scenario, f"faults.{kind}[{i}].start"))
    for i, code in enumerate(faults.never_sign):
        if code not in codes:
            raise unknown("agency", code, f"faults.never_sign[{i}]", codes)
    for i, figure in enumerate(scenario.calibration):
        if figure.scope is not None and figure.scope not in codes:
            raise unknown("agency", figure.scope, f"calibration[{i}].scope", codes)
