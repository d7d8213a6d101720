"""The assumptions a run used: each register entry, the scenario's value and whether it differs.

Every ``summary.json`` carries this list and every report shows it, so that a reader sees which
of a prediction's inputs are published, measured or merely assumed, and which ones the scenario
replaced. A register name is a scenario key, so it resolves against the :class:`Scenario`
dataclasses: ``traffic.<level>.*`` and ``signing.<level>.*`` pick a level, ``...mix.<direction>``
a direction's share; the rest are attribute paths.
"""

from __future__ import annotations

from typing import Any

from docflow.assumptions import ASSUMPTIONS, Assumption
from docflow.levels import Level
from docflow.sim.scenario import Scenario
from docflow.traffic.spec import Direction, LevelTraffic

__all__ = ["assumptions_used", "scenario_value"]

_LEVELS = {lv.value: lv for lv in Level}


def scenario_value(scenario: Scenario, name: str) -> float | None:
    """The value ``scenario`` gives the register entry ``name``; ``None`` where the scenario has
    no such thing (a level that sends nothing).

    Examples
    --------
    >>> scenario_value(Scenario(), "hubs.axis.workers")
    8.0
    >>> scenario_value(Scenario(), "traffic.commune.mix.down")
    0.0
    """
    head, *rest = name.split(".")
    obj: Any = getattr(scenario, head)
    if head == "hubs" and rest and rest[0] == "default":
        obj, rest = obj.default, rest[1:]
    if head in ("traffic", "signing") and rest and rest[0] in _LEVELS:
        level = _LEVELS[rest[0]]
        obj = obj.level(level) if head == "traffic" else obj.adoption(level)
        rest = rest[1:]
        if obj is None:
            return None
    if isinstance(obj, LevelTraffic) and rest[:1] == ["mix"]:
        return float(obj.share(Direction(rest[1])))
    for part in rest:
        obj = getattr(obj, part)
    return float(obj)


def assumptions_used(scenario: Scenario) -> list[dict[str, Any]]:
    """One row per register entry: name, the run's value, the register's, the range, unit,
    source, and ``overridden`` (the scenario set another value)."""
    rows = []
    for item in ASSUMPTIONS.values():
        value = scenario_value(scenario, item.name)
        rows.append(_row(item, value))
    return rows


def _row(item: Assumption, value: float | None) -> dict[str, Any]:
    return {"name": item.name, "value": value, "default": item.value, "low": item.low,
            "high": item.high, "unit": item.unit, "source": item.source,
            "overridden": value is None or abs(value - item.value) > 1e-12 * max(
                1.0, abs(item.value))}
