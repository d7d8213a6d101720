"""The scenario the simulator's knob and book tests start from: the ``tiny`` topology, busy
(three times the default traffic at every level), two days with a long drain, the model crypto,
seed 3. Small enough to run in a second, busy enough that every hub has queues."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from docflow.runs import simulate
from docflow.sim.scenario import CryptoSpec, Period, Scenario
from docflow.traffic.spec import DEFAULT_LEVEL_TRAFFIC, TrafficSpec

__all__ = ["BUSY", "MORNING", "busy_tiny", "run"]

BUSY = TrafficSpec(levels=tuple(replace(t, per_day=t.per_day * 3)
                                for t in DEFAULT_LEVEL_TRAFFIC.values()))
"""Three times the default traffic at every level."""
MORNING = datetime(2025, 7, 7, 8, 0)
"""08:00 on the Monday the scenario's period starts, Vietnam time."""


def busy_tiny(name: str) -> Scenario:
    """The busy two-day ``tiny`` scenario, named after the test module that runs it."""
    return replace(Scenario(), name=name, topology="tiny", seed=3, traffic=BUSY,
                   crypto=CryptoSpec.parse("model"), period=Period(days=2, drain_days=45))


def run(scenario: Scenario) -> dict[str, Any]:
    """The run's summary as ``summary.json`` holds it, a plain dict."""
    return dict(json.loads(simulate(scenario).to_json()))
