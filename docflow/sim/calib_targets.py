"""The calibration's targets file: which published figures the traffic model is fitted to.

A target points at a figure in a calibrated scenario (``fixtures/scenarios/*.toml``): the
scenario gives the topology, the period, the calendar and the traffic's structure (directions,
recipients, broadcasts), the figure gives the published count and what it measures. The free
parameters (:class:`Param`) replace the scenario's own sending rates and scale its direction
mix, shared by every target, so that a province left out of the fit is predicted from its
topology alone. A figure with several readings (one year, or cumulative since 2021?) lists each
reading with the factor that turns the published number into the scenario's period.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from pathlib import Path

from docflow.assumptions import ASSUMPTIONS
from docflow.errors import ConfigError
from docflow.levels import Level
from docflow.sim.scenario import CalibrationFigure, FigureRole, Measure, Scenario
from docflow.sim.scenario_file import read_scenario
from docflow.sim.toml_table import Table
from docflow.tomlsafe import read_toml

__all__ = ["COUNT_MEASURES", "Param", "Prior", "Reading", "Target", "Targets", "read_targets"]

COUNT_MEASURES = frozenset({Measure.DOCUMENTS_SENT, Measure.DOCUMENTS_EXCHANGED,
                            Measure.DOCUMENTS_VIA_AXIS, Measure.DELIVERIES,
                            Measure.DOCUMENTS_RECEIVED})
"""What the traffic model produces; agencies, communes, certificates and signed shares are
inputs of a scenario, never fits."""

_MAX_BYTES = 1 << 20


class Param(enum.StrEnum):
    """A free parameter of the traffic model; the value is its name in the targets file."""

    RATE_CENTRAL = "rate.central"
    RATE_PROVINCE = "rate.province"
    RATE_DISTRICT = "rate.district"
    RATE_COMMUNE = "rate.commune"
    MIX_OUTSIDE = "mix.outside"
    """Multiplies the share of documents leaving the province (``central`` and
    ``cross_province``) at every local level; the other directions shrink to make room."""

    @property
    def level(self) -> Level | None:
        """The level whose documents per working day this rate is (``None`` for the mix)."""
        head, _, tail = self.value.partition(".")
        return Level(tail) if head == "rate" else None


@dataclass(frozen=True, slots=True)
class Prior:
    """Where a parameter starts and how far it may plausibly go: a weak pull toward ``value``
    of one standard deviation per half range, so that a parameter no target informs stays at
    its register value instead of running off."""

    value: float
    low: float
    high: float
    source: str

    @property
    def scale(self) -> float:
        return (self.high - self.low) / 2.0


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read a published figure: ``factor`` times the number is what the scenario's
    period should produce."""

    name: str
    factor: float = 1.0


@dataclass(frozen=True, slots=True)
class Target:
    """A published count the model is fitted to (or, with ``fit`` false, only predicts)."""

    id: str
    scenario: Scenario
    figure: CalibrationFigure
    group: str
    """Targets of one group (a province) are held out together."""
    uncertainty: float
    """Relative standard deviation of the published figure ("about 700,000": a few per cent)."""
    fit: bool
    readings: tuple[Reading, ...]
    """The first is the one the main fit uses."""
    note: str = ""

    @property
    def published(self) -> float:
        """The figure under its first reading."""
        return self.figure.published * self.readings[0].factor


@dataclass(frozen=True, slots=True)
class Targets:
    """A targets file: the parameters to fit, their priors, and the targets."""

    parameters: tuple[Param, ...]
    priors: dict[Param, Prior]
    targets: tuple[Target, ...]
    inputs: tuple[tuple[str, CalibrationFigure], ...]
    """Every other figure of the targets' scenarios (agencies, shares, …): inputs, never fits."""
    file: str


def _prior(param: Param, t: Table | None) -> Prior:
    """The register's value and range for a rate; the targets file's for the mix."""
    if param.level is not None:
        a = ASSUMPTIONS[f"traffic.{param.level.value}.per_day"]
        return Prior(a.value, a.low, a.high, f"assumptions register: {a.name}")
    if t is None:
        return Prior(1.0, 0.25, 4.0, "assumed: the scenarios' own direction mix, within x4")
    out = Prior(t.number("value", low=0.0, low_open=True), t.number("low", low=0.0),
                t.number("high", low=0.0, low_open=True), t.string("source", "assumed"))
    t.finish()
    if not out.low <= out.value <= out.high:
        raise t.error("DF-SCN-004", "value", "value outside [low, high]")
    return out


def read_targets(path: str | os.PathLike[str]) -> Targets:
    """Read and check a targets file (scenario paths are relative to it).

    Raises
    ------
    ConfigError
        ``DF-SCN-001`` to ``-004`` for the file's keys, ``DF-CAL-001`` a figure the scenario
        does not publish or that the model cannot produce, ``DF-CAL-003`` an unknown
        parameter.
    InputError
        ``DF-IO-001`` unreadable, ``DF-IO-002`` too large.
    """
    path = Path(path)
    file = str(path)
    data = read_toml(path, "DF-SCN-001", _MAX_BYTES, what="the targets file")
    root = Table(data, file=file, allowed=("fit", "target"))
    fit = root.table("fit", ("parameters", "mix_outside"))
    names = fit.array("parameters")
    params: list[Param] = []
    for name in names:
        try:
            params.append(Param(name))
        except ValueError:
            raise ConfigError("DF-CAL-003", f"unknown parameter {name!r}; known: "
                              f"{', '.join(p.value for p in Param)}",
                              fit.where("parameters")) from None
    mix = fit.table("mix_outside", ("value", "low", "high", "source")) \
        if fit.has("mix_outside") else None
    priors = {p: _prior(p, mix if p is Param.MIX_OUTSIDE else None) for p in Param}
    fit.finish()
    targets: list[Target] = []
    used: set[tuple[str, str]] = set()
    scenarios: dict[Path, Scenario] = {}
    for t in root.tables("target"):
        target = _target(t, path.parent, scenarios)
        used.add((target.scenario.name, target.figure.figure))
        targets.append(target)
    root.finish()
    if not targets:
        raise root.error("DF-SCN-004", "target", "no [[target]]")
    inputs = tuple((s.name, f) for s in scenarios.values() for f in s.calibration
                   if (s.name, f.figure) not in used)
    return Targets(tuple(params), priors, tuple(targets), inputs, file)


def _target(t: Table, base: Path, cache: dict[Path, Scenario]) -> Target:
    where = base / t.string("scenario")
    if where not in cache:
        cache[where] = read_scenario(where)
    scenario = cache[where]
    name = t.string("figure")
    figure = next((f for f in scenario.calibration if f.figure == name), None)
    if figure is None:
        raise t.error("DF-CAL-001", "figure", f"{scenario.name} publishes no figure {name!r}; "
                      "it has: " + "; ".join(repr(f.figure) for f in scenario.calibration))
    if figure.measure not in COUNT_MEASURES:
        raise t.error("DF-CAL-001", "figure", f"{figure.measure.value} is an input of the "
                      "scenario, not something the traffic model produces")
    if figure.effective_role is FigureRole.INPUT:
        raise t.error("DF-CAL-001", "figure", "the scenario marks this figure as an input")
    tables = t.tables("reading") if t.has("reading") else []
    readings = tuple(Reading(r.string("name"), r.number("factor", 1.0, low=0.0, low_open=True))
                     for r in tables) or (Reading("as published"),)
    for r in tables:
        r.finish()
    out = Target(id=t.string("id", f"{scenario.name}: {figure.measure.value}"),
                 scenario=scenario, figure=figure, group=t.string("group", scenario.name),
                 uncertainty=t.number("uncertainty", 0.02, low=0.0, low_open=True, high=1.0),
                 fit=t.boolean("fit", True),
                 readings=readings, note=t.string("note", ""))
    t.finish()
    return out

