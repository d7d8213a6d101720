"""A run's summary as the values the simulation report shows.

The simulator writes ``summary.json`` (``docflow.simulation/1``) from its typed model,
:class:`~docflow.sim.summary_model.SimulationSummary`, and the report reads it back through the
same model (:meth:`~docflow.jsonmodel.JsonModel.from_json` checks every field: a missing or
mistyped one is ``DF-REP-002`` with its dotted key). :func:`simulation_view` turns the model
into a :class:`SimulationView` of display values: rows, series and facts, in display order. An
empty section (no calibration figure, no outage) is left out of the page.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from docflow.errors import InputError, Location
from docflow.levels import Level
from docflow.report.coverage import CoverageRow, ReasonRow, coverage_row, reason_rows
from docflow.report.format import count, decimal, percent
from docflow.report.labels import level_label
from docflow.report.provinces import (
    HubLatency,
    ProvinceRow,
    hub_latency,
    province_rows,
    worst_first_key,
)
from docflow.report.scale import LONG_RUN_DAYS
from docflow.report.svg import Series
from docflow.sim.summary_model import FaultRow, OutageKind, SimulationSummary

__all__ = ["MAX_POINTS", "TOP_HUBS", "AssumptionRow", "CalibrationRow", "HubRow", "LevelRow",
           "Outage", "SimulationView", "days_text", "merge_points", "read_summary",
           "simulation_view"]

MAX_POINTS = 1_000
"""Points per line before hours are merged: a national year has 8,760 hourly points per series,
more than a 760-pixel chart can show; merging keeps the page light and the lines legible."""

WEEK_H = 168.0
"""Hours in a week: the step of the time series of a long run."""

TOP_HUBS = 6
"""Hubs drawn in the backlog and utilisation charts: those with the highest peak backlog, plus
the national axis and any hub with an outage. More lines than that cannot be told apart; every
hub is in the table."""


@dataclass(frozen=True, slots=True)
class LevelRow:
    """The per-level figures of the run."""

    level: str
    label: str
    agencies: int | None
    sent: int
    """Documents sent by agencies of the level."""
    deliveries: int | None
    """(document, recipient) pairs: one document to five recipients is five deliveries."""
    delivered: int
    """Deliveries that reached their recipient."""
    lost: int
    """Deliveries that did not (dead letters, agencies down past the retry limit)."""
    throughput_mean: float | None
    throughput_peak: float | None
    delivery: dict[str, float | None]
    """Latency to delivery in seconds: ``p50``, ``p95``, ``p99``."""
    acceptance: dict[str, float | None]
    """Latency to acceptance (status 03) in seconds: ``p50``, ``p95``, ``p99``."""


@dataclass(frozen=True, slots=True)
class HubRow:
    """The per-hub figures of the run."""

    hub: str
    name: str
    kind: str
    documents: int | None
    """Document messages that passed through the hub."""
    utilisation: float | None
    peak_backlog: int | None
    outages: int
    latency: HubLatency
    """Latency to delivery of what the hub's agencies sent, and deliveries lost."""


@dataclass(frozen=True, slots=True)
class Outage:
    """A hub or agency outage window, in hours since the start of the run."""

    target: str
    start: float
    end: float
    label: str


@dataclass(frozen=True, slots=True)
class CalibrationRow:
    """A published figure beside what the calibrated scenario produced."""

    figure: str
    source: str
    scope: str
    published: float
    simulated: float | None
    """``None`` when the run has nothing to compare (no document of the scope)."""
    unit: str
    role: str = "fitted"
    """``input``, ``fitted`` or ``predicted``: only a prediction's agreement is evidence."""

    @property
    def ratio(self) -> float | None:
        if self.simulated is None or not self.published:
            return None
        return self.simulated / self.published


@dataclass(frozen=True, slots=True)
class AssumptionRow:
    """One entry of the assumptions register and the value the run used."""

    name: str
    value: float | None
    default: float
    low: float
    high: float
    unit: str
    source: str
    overridden: bool


@dataclass(frozen=True, slots=True)
class SimulationView:
    """Everything the simulation report shows, read and checked from a summary."""

    name: str
    description: str
    facts: list[tuple[str, str]]
    """The scenario at a glance: label and value, in display order."""
    faults: list[str]
    start: datetime
    hours: float
    levels: list[LevelRow]
    throughput: list[Series]
    step_hours: float
    """Hours per point of the time series after merging (1 for an hourly run of a week)."""
    delivery_cdf: list[Series]
    acceptance_cdf: list[Series]
    hubs: list[HubRow]
    """In the summary's order: the axis first, then by kind."""
    hubs_worst_first: list[HubRow]
    """The hub table's order: slowest p95 to delivery first, then most lost."""
    provinces: list[ProvinceRow]
    """One row per provincial hub, by province name."""
    backlog: list[Series]
    utilisation: list[Series]
    outages: list[Outage]
    coverage: list[CoverageRow]
    reasons: list[ReasonRow]
    calibration: list[CalibrationRow]
    assumptions: list[AssumptionRow]


def read_summary(path: str | os.PathLike[str]) -> Mapping[str, Any]:
    """Read ``summary.json`` (a file, or a run folder that holds one).

    Raises
    ------
    InputError
        ``DF-REP-001`` if the file is missing, unreadable, not UTF-8 JSON or not an object.
    """
    p = Path(path)
    if p.is_dir():
        p = p / "summary.json"
    try:
        data = json.loads(p.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise InputError("DF-REP-001", "no summary.json: run `docflow simulate` first",
                         Location(file=str(p))) from None
    except OSError as exc:
        raise InputError("DF-REP-001", f"cannot read the summary: {exc.strerror or exc}",
                         Location(file=str(p))) from None
    except UnicodeDecodeError:
        raise InputError("DF-REP-001", "the summary is not UTF-8 text",
                         Location(file=str(p))) from None
    except json.JSONDecodeError as exc:
        raise InputError("DF-REP-001", f"the summary is not valid JSON: {exc.msg}",
                         Location(file=str(p), line=exc.lineno)) from None
    if not isinstance(data, dict):
        raise InputError("DF-REP-001", "the summary is not a JSON object",
                         Location(file=str(p)))
    return data


def _hours(at: datetime, start: datetime) -> float:
    return (at - start).total_seconds() / 3600.0


def merge_points(values: Sequence[float], size: int) -> list[float]:
    """Means of consecutive blocks of ``size`` values (NaNs ignored; an all-NaN block is NaN).

    >>> merge_points([1.0, 3.0, 5.0], 2)
    [2.0, 5.0]
    """
    if size <= 1:
        return list(values)
    out = []
    for i in range(0, len(values), size):
        block = [v for v in values[i:i + size] if math.isfinite(v)]
        out.append(sum(block) / len(block) if block else math.nan)
    return out


def _bad(file: str | None, key: str, message: str) -> InputError:
    return InputError("DF-REP-002", message, Location(file=file, key=key))


def _in_order(levels: Iterable[Level]) -> list[Level]:
    """Levels in reporting order, whatever order a hand-edited file lists them in."""
    return sorted(levels, key=list(Level).index)


def simulation_view(summary: SimulationSummary, file: str | None = None) -> SimulationView:
    """What the report shows of ``summary``, in display order.

    Parameters
    ----------
    summary
        A run's summary (:meth:`SimulationSummary.from_json` of its ``summary.json``).
    file
        Its path, named in errors.

    Raises
    ------
    InputError
        ``DF-REP-002`` naming the dotted key of a value that no run can produce: a run that
        ends before it starts, an outage that ends before it starts, a zero series step,
        contradictory coverage counters.
    """
    scn = summary.scenario
    start, end = scn.start, scn.end
    hours = _hours(end, start)
    if hours <= 0:
        raise _bad(file, "scenario.end", "the run ends before it starts")

    agencies = {lv.value: n for lv, n in summary.topology.agencies.items()}
    levels: list[LevelRow] = []
    coverage: list[CoverageRow] = []
    for lv in _in_order(summary.levels):
        f = summary.levels[lv]
        lat = f.latency_s
        levels.append(LevelRow(
            level=lv.value, label=level_label(lv.value), agencies=f.agencies, sent=f.sent,
            deliveries=f.deliveries, delivered=f.delivered, lost=f.lost,
            throughput_mean=f.throughput_per_hour.mean,
            throughput_peak=float(f.throughput_per_hour.peak),
            delivery={"p50": lat.delivery.p50, "p95": lat.delivery.p95,
                      "p99": lat.delivery.p99},
            acceptance={"p50": lat.acceptance.p50, "p95": lat.acceptance.p95,
                        "p99": lat.acceptance.p99},
        ))
        coverage.append(coverage_row(f.coverage, lv.value, level_label(lv.value),
                                     file, f"levels.{lv.value}.coverage"))

    series = summary.series
    step_h = series.step_s / 3600.0
    if step_h <= 0:
        raise _bad(file, "series.step_s", "the series step must be positive")
    lengths = [len(v) for group in (series.throughput, series.backlog, series.utilisation)
               for v in group.values()]
    step = max(1, math.ceil(max(lengths, default=0) / MAX_POINTS))
    if hours > LONG_RUN_DAYS * 24 and step_h <= WEEK_H:
        # A long run is read by week: a week's mean smooths the working-day rhythm that
        # would otherwise paint a year as a solid band.
        step = max(step, round(WEEK_H / step_h))
    throughput: list[Series] = []
    for lv in _in_order(series.throughput):
        ys = merge_points([float(v) for v in series.throughput[lv]], step)
        # A merged point is a mean of hourly rates, so it stays in documents per hour.
        throughput.append(Series(level_label(lv.value),
                                 [(i + 0.5) * step * step_h for i in range(len(ys))],
                                 [y / step_h for y in ys]))

    outages: list[Outage] = []
    for i, o in enumerate(summary.outages):
        a, b = _hours(o.start, start), _hours(o.end, start)
        if b < a:
            raise _bad(file, f"outages[{i}].end", "the outage ends before it starts")
        # Agency outages are listed with the faults; only hub outages are shaded, on the
        # charts of what the hubs carry.
        if o.kind is OutageKind.HUB:
            outages.append(Outage(o.target, a, b, f"{o.target} down"))
    hubs = [HubRow(hub, h.name or hub, h.kind.value, h.documents.messages, h.utilisation,
                   h.peak_backlog, h.outages, hub_latency(h))
            for hub, h in summary.hubs.items()]  # the summary's order: the axis first
    names = {h.hub: h.name for h in hubs}
    ranked = sorted(hubs, key=lambda h: (-(h.peak_backlog or 0), h.hub))
    shown = [h.hub for h in ranked[:TOP_HUBS]]
    shown += [h.hub for h in hubs if h.kind == "axis" and h.hub not in shown]
    shown += [o.target for o in outages if o.target in names and o.target not in shown]
    order = {h.hub: i for i, h in enumerate(hubs)}
    backlog: list[Series] = []
    utilisation: list[Series] = []
    for values, out in ((series.backlog, backlog), (series.utilisation, utilisation)):
        for hub in sorted(shown, key=lambda k: (order.get(k, len(order)), k)):
            if hub not in values:
                continue
            ys = merge_points([float(v) for v in values[hub]], step)
            out.append(Series(names.get(hub, hub),
                              [(i + 0.5) * step * step_h for i in range(len(ys))], ys))

    delivery_cdf: list[Series] = []
    acceptance_cdf: list[Series] = []
    for lv in _in_order(summary.latency_cdf):
        cdf = summary.latency_cdf[lv]
        for points, dest in ((cdf.delivery, delivery_cdf), (cdf.acceptance, acceptance_cdf)):
            if points:
                dest.append(Series(level_label(lv.value), [p[0] for p in points],
                                   [p[1] for p in points]))

    calibration = [CalibrationRow(c.figure, c.source, c.scope or "", c.published, c.simulated,
                                  c.unit, c.role.value) for c in summary.calibration]
    assumptions = [AssumptionRow(a.name, a.value, float(a.default), float(a.low),
                                 float(a.high), a.unit, a.source, a.overridden)
                   for a in summary.assumptions]

    topo, totals = summary.topology, summary.totals
    facts = [("Topology", topo.name or scn.topology or "—")]
    if agencies:
        facts.append(("Agencies", count(sum(agencies.values()))))
    facts += [("Provinces", count(topo.provinces)), ("Hubs", count(topo.hubs)),
              ("Period", f"{start:%Y-%m-%d} → {end:%Y-%m-%d} ({days_text(hours)})"),
              ("Documents sent", count(totals.documents_sent)),
              ("Deliveries", count(totals.deliveries)),
              ("Delivered", count(totals.delivered)), ("Lost", count(totals.lost)),
              ("In flight at the end", count(summary.run.in_flight_at_end)),
              ("Signatures", f"{scn.crypto}, {scn.algorithm}"), ("Seed", str(scn.seed))]
    return SimulationView(
        name=scn.name or "simulation", description=scn.description,
        facts=facts, faults=[_fault_text(f) for f in scn.faults], start=start,
        hours=hours, levels=levels, throughput=throughput, step_hours=step * step_h,
        delivery_cdf=delivery_cdf, acceptance_cdf=acceptance_cdf, hubs=hubs,
        hubs_worst_first=sorted(hubs, key=lambda h: worst_first_key(h.hub, h.latency)),
        provinces=province_rows(summary.hubs), backlog=backlog,
        utilisation=utilisation, outages=outages, coverage=coverage,
        reasons=reason_rows(coverage), calibration=calibration,
        assumptions=assumptions,
    )


def days_text(hours: float) -> str:
    """A period in words: ``7 days``, ``1 day``, ``36.0 hours``."""
    days = hours / 24.0
    if days.is_integer():
        return f"{int(days)} day" + ("" if days == 1 else "s")
    return f"{decimal(hours, 1)} hours"


def _fault_text(f: FaultRow) -> str:
    """One fault in words: ``hub outage: lgsp-h01, 2025-07-08 09:00 → 11:00``."""
    details = []
    if f.target is not None:
        details.append(f.target)
    if f.start is not None and f.end is not None:
        a, b = f.start, f.end
        details.append(f"{a:%Y-%m-%d %H:%M} → " + (f"{b:%H:%M}" if b.date() == a.date()
                                                   else f"{b:%Y-%m-%d %H:%M}"))
    if f.rate is not None:
        details.append(f"{percent(f.rate, 2)} of documents")
    kind = f.kind.value.replace("_", " ")
    return kind + (": " + ", ".join(details) if details else "")
