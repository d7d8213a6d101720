"""The assumptions register: every built-in default that shapes a prediction, in one place.

A simulator's latency, backlog and load figures are only as good as its service times, worker
counts, link speeds and clerks' habits. Each such default is listed once, in the data file
``docflow/data/assumptions.toml`` shipped with the package, with a plausible range, its unit and
its source (a citation, or the word "assumed"). The scenario dataclasses read their defaults
from here, so no number has a second copy; every run lists the values it used beside these.

It sits with the shared ground (below ``traffic/`` and ``sim/``) because both take defaults
from it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

__all__ = ["ASSUMPTIONS", "Assumption", "assumed", "assumed_int", "load_register"]


@dataclass(frozen=True, slots=True)
class Assumption:
    """One default: its value, a plausible range, its unit and where it comes from."""

    name: str
    """The scenario key it sets (``hubs.axis.service_ms``, ``traffic.commune.mix.up``)."""
    value: float
    low: float
    high: float
    unit: str
    source: str
    """A citation, or "assumed" (possibly with the reasoning behind it in parentheses)."""
    why: str = ""

    @property
    def sourced(self) -> bool:
        """Whether a published or measured figure backs the value or its range."""
        return not self.source.startswith("assumed")


def load_register(text: str) -> dict[str, Assumption]:
    """Parse a register file's text; a malformed entry raises ``ValueError`` naming it.

    Examples
    --------
    >>> reg = load_register('[[assumption]]\\nname = "links.mbps"\\nvalue = 20.0\\nlow = 2.0\\n'
    ...                     'high = 100.0\\nunit = "Mbit/s"\\nsource = "assumed"\\n')
    >>> reg["links.mbps"].value, reg["links.mbps"].sourced
    (20.0, False)
    """
    data: dict[str, Any] = tomllib.loads(text)
    out: dict[str, Assumption] = {}
    for k, row in enumerate(data.get("assumption", [])):
        try:
            item = Assumption(name=str(row["name"]), value=float(row["value"]),
                              low=float(row["low"]), high=float(row["high"]),
                              unit=str(row["unit"]), source=str(row["source"]),
                              why=str(row.get("why", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"assumption #{k + 1}: missing or bad field {exc}") from None
        if not item.low <= item.value <= item.high:
            raise ValueError(f"assumption {item.name}: value {item.value} outside its range "
                             f"[{item.low}, {item.high}]")
        if not item.source:
            raise ValueError(f"assumption {item.name}: no source (write \"assumed\")")
        if item.name in out:
            raise ValueError(f"assumption {item.name} listed twice")
        out[item.name] = item
    return out


ASSUMPTIONS = MappingProxyType(load_register(
    resources.files("docflow").joinpath("data", "assumptions.toml").read_text("utf-8")))
"""The shipped register, by name, in file order."""


def assumed(name: str) -> float:
    """The register's value of ``name`` (``KeyError`` for a name it lacks)."""
    return ASSUMPTIONS[name].value


def assumed_int(name: str) -> int:
    """The register's value of a whole-number default (workers, attempts)."""
    return int(ASSUMPTIONS[name].value)
