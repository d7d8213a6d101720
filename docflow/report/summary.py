"""Reading a run's ``summary.json`` into the values the simulation report shows.

The simulator writes ``summary.json`` (schema ``docflow.simulation/1``, documented in the manual
and in :mod:`docflow.sim.summary`). This module reads it through :mod:`.fields`, so that every
field the report uses is checked — a missing or mistyped one is ``DF-REP-002`` with its dotted
key — and turns it into a :class:`SimulationView` of plain values: rows, series and facts, in
display order. Sections are optional: what the summary does not have, the view leaves empty and
the report leaves out.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from docflow.errors import InputError, Location
from docflow.report.coverage import CoverageRow, ReasonRow, read_coverage, reason_rows
from docflow.report.fields import Fields
from docflow.report.format import count, decimal, percent
from docflow.report.labels import level_label, level_order
from docflow.report.provinces import (
    HubLatency,
    ProvinceRow,
    read_hub_latency,
    read_provinces,
    worst_first_key,
)
from docflow.report.scale import LONG_RUN_DAYS
from docflow.report.svg import Series

__all__ = ["MAX_POINTS", "TOP_HUBS", "AssumptionRow", "CalibrationRow", "HubRow", "LevelRow",
           "Outage", "SimulationView", "read_simulation", "read_summary"]

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
    simulated: float
    unit: str
    role: str = "fitted"
    """``input``, ``fitted`` or ``predicted``: only a prediction's agreement is evidence."""

    @property
    def ratio(self) -> float | None:
        return self.simulated / self.published if self.published else None


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


def _time(f: Fields, name: str) -> datetime:
    text = f.text(name)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise f.fail(name, f"expected an ISO 8601 date and time, found {text!r}") from None


def _hours(at: datetime, start: datetime) -> float:
    return (at - start).total_seconds() / 3600.0


def _merge(values: Sequence[float], size: int) -> list[float]:
    """Means of consecutive blocks of ``size`` values (NaNs ignored; an all-NaN block is NaN)."""
    if size <= 1:
        return list(values)
    out = []
    for i in range(0, len(values), size):
        block = [v for v in values[i:i + size] if math.isfinite(v)]
        out.append(sum(block) / len(block) if block else math.nan)
    return out


def _latency(f: Fields) -> dict[str, float | None]:
    return {q: f.opt_number(q) for q in ("p50", "p95", "p99")}


def _cdf(f: Fields, name: str) -> tuple[list[float], list[float]] | None:
    if not f.has(name):
        return None
    xs, ys = [], []
    for i, point in enumerate(f.array(name)):
        if (not isinstance(point, list) or len(point) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool)
                           for v in point)):
            raise f.fail(f"{name}[{i}]", "expected a [seconds, share] pair of numbers")
        xs.append(float(point[0]))
        ys.append(float(point[1]))
    return xs, ys


def read_simulation(summary: Mapping[str, Any], file: str | None = None) -> SimulationView:
    """Read and check the fields of ``summary`` that the report shows.

    Parameters
    ----------
    summary
        The parsed ``summary.json`` of a run.
    file
        Its path, named in errors.

    Raises
    ------
    InputError
        ``DF-REP-002`` naming the dotted key of the first field that is missing or wrong.
    """
    root = Fields(summary, file)
    scn = root.obj("scenario")
    start, end = _time(scn, "start"), _time(scn, "end")
    hours = _hours(end, start)
    if hours <= 0:
        raise scn.fail("end", "the run ends before it starts")

    topo = root.opt_obj("topology")
    agencies: dict[str, int] = {}
    if topo is not None and topo.has("agencies"):
        ag = topo.obj("agencies")
        agencies = {lv: ag.count(lv) for lv in ag.names()}
    totals = root.opt_obj("totals")
    run = root.opt_obj("run")

    levels_f = root.obj("levels")
    level_names = level_order(levels_f.names())
    levels: list[LevelRow] = []
    coverage: list[CoverageRow] = []
    for lv in level_names:
        f = levels_f.obj(lv)
        tp = f.opt_obj("throughput_per_hour")
        lat = f.opt_obj("latency_s")
        levels.append(LevelRow(
            level=lv, label=level_label(lv),
            agencies=f.count("agencies") if f.has("agencies") else agencies.get(lv),
            sent=f.count("sent"),
            deliveries=f.count("deliveries") if f.has("deliveries") else None,
            delivered=f.count("delivered"), lost=f.count("lost"),
            throughput_mean=tp.opt_number("mean") if tp else None,
            throughput_peak=tp.opt_number("peak") if tp else None,
            delivery=_latency(lat.obj("delivery")) if lat and lat.has("delivery") else {},
            acceptance=_latency(lat.obj("acceptance")) if lat and lat.has("acceptance") else {},
        ))
        if f.has("coverage"):
            coverage.append(read_coverage(f.obj("coverage"), lv, level_label(lv)))

    series = root.opt_obj("series")
    step = 1
    throughput: list[Series] = []
    backlog: list[Series] = []
    utilisation: list[Series] = []
    step_h = 1.0
    if series is not None:
        step_h = series.number("step_s") / 3600.0 if series.has("step_s") else 1.0
        if step_h <= 0:
            raise series.fail("step_s", "the series step must be positive")
        lengths = []
        for group in ("throughput", "backlog", "utilisation"):
            if series.has(group):
                g = series.obj(group)
                lengths += [len(g.array(n)) for n in g.names()]
        step = max(1, math.ceil(max(lengths, default=0) / MAX_POINTS))
        if hours > LONG_RUN_DAYS * 24 and step_h <= WEEK_H:
            # A long run is read by week: a week's mean smooths the working-day rhythm that
            # would otherwise paint a year as a solid band.
            step = max(step, round(WEEK_H / step_h))
        if series.has("throughput"):
            g = series.obj("throughput")
            for lv in level_order(g.names()):
                ys = _merge(g.numbers(lv), step)
                # A merged point is a mean of hourly rates, so it stays in documents per hour.
                throughput.append(Series(level_label(lv),
                                         [(i + 0.5) * step * step_h for i in range(len(ys))],
                                         [y / step_h for y in ys]))

    hubs_f = root.opt_obj("hubs")
    hubs: list[HubRow] = []
    outages: list[Outage] = []
    if root.has("outages"):
        for o in root.items("outages"):
            target = o.text("target")
            a, b = _hours(_time(o, "start"), start), _hours(_time(o, "end"), start)
            if b < a:
                raise o.fail("end", "the outage ends before it starts")
            # Agency outages are listed with the faults; only hub outages are shaded, on the
            # charts of what the hubs carry.
            if (o.opt_text("kind") or "hub") == "hub":
                outages.append(Outage(target, a, b, f"{target} down"))
    if hubs_f is not None:
        for hub in hubs_f.names():  # the summary's order: the axis first, then by kind
            h = hubs_f.obj(hub)
            peak = h.count("peak_backlog") if h.has("peak_backlog") else None
            docs = h.opt_obj("documents")
            hubs.append(HubRow(
                hub, h.opt_text("name") or hub, h.opt_text("kind") or "",
                docs.count("messages") if docs is not None and docs.has("messages") else None,
                h.opt_number("utilisation"), peak,
                h.count("outages") if h.has("outages") else
                sum(1 for o in outages if o.target == hub), read_hub_latency(h)))
    names = {h.hub: h.name for h in hubs}
    if series is not None:
        ranked = sorted(hubs, key=lambda h: (-(h.peak_backlog or 0), h.hub))
        shown = [h.hub for h in ranked[:TOP_HUBS]]
        shown += [h.hub for h in hubs if h.kind == "axis" and h.hub not in shown]
        shown += [o.target for o in outages if o.target in names and o.target not in shown]
        for group, out in (("backlog", backlog), ("utilisation", utilisation)):
            if not series.has(group):
                continue
            g = series.obj(group)
            order = {h.hub: i for i, h in enumerate(hubs)}
            for hub in sorted(shown, key=lambda k: (order.get(k, len(order)), k)):
                if hub not in g.names():
                    continue
                ys = _merge(g.numbers(hub), step)
                out.append(Series(names.get(hub, hub),
                                  [(i + 0.5) * step * step_h for i in range(len(ys))], ys))

    cdfs = root.opt_obj("latency_cdf")
    delivery_cdf: list[Series] = []
    acceptance_cdf: list[Series] = []
    if cdfs is not None:
        for lv in level_order(cdfs.names()):
            f = cdfs.obj(lv)
            for name, out in (("delivery", delivery_cdf), ("acceptance", acceptance_cdf)):
                pts = _cdf(f, name)
                if pts and pts[0]:
                    out.append(Series(level_label(lv), pts[0], pts[1]))

    calibration: list[CalibrationRow] = []
    if root.has("calibration"):
        for c in root.items("calibration"):
            calibration.append(CalibrationRow(c.text("figure"), c.opt_text("source") or "",
                                              c.opt_text("scope") or "",
                                              c.number("published"), c.number("simulated"),
                                              c.opt_text("unit") or "",
                                              c.opt_text("role") or "fitted"))
    assumptions = [AssumptionRow(a.text("name"), a.opt_number("value"), a.number("default"),
                                 a.number("low"), a.number("high"), a.text("unit"),
                                 a.text("source"), a.flag("overridden"))
                   for a in (root.items("assumptions") if root.has("assumptions") else [])]

    faults = [_fault_text(f) for f in scn.items("faults")] if scn.has("faults") else []
    topo_name = (topo.opt_text("name") if topo is not None else None) or \
        scn.opt_text("topology") or "—"
    facts = [("Topology", topo_name)]
    if agencies:
        facts.append(("Agencies", count(sum(agencies.values()))))
    if topo is not None and topo.has("provinces"):
        facts.append(("Provinces", count(topo.count("provinces"))))
    if topo is not None and topo.has("hubs"):
        facts.append(("Hubs", count(topo.count("hubs"))))
    facts.append(("Period", f"{start:%Y-%m-%d} → {end:%Y-%m-%d} ({_days(hours)})"))
    sent = sum(r.sent for r in levels)
    delivered = sum(r.delivered for r in levels)
    lost = sum(r.lost for r in levels)
    if totals is not None:
        sent = totals.count("documents_sent") if totals.has("documents_sent") else sent
        delivered = totals.count("delivered") if totals.has("delivered") else delivered
        lost = totals.count("lost") if totals.has("lost") else lost
    facts.append(("Documents sent", count(sent)))
    if totals is not None and totals.has("deliveries"):
        facts.append(("Deliveries", count(totals.count("deliveries"))))
    facts += [("Delivered", count(delivered)), ("Lost", count(lost))]
    if run is not None and run.has("in_flight_at_end"):
        facts.append(("In flight at the end", count(run.count("in_flight_at_end"))))
    if scn.has("crypto"):
        crypto = scn.text("crypto")
        if scn.has("algorithm"):
            crypto += f", {scn.text('algorithm')}"
        facts.append(("Signatures", crypto))
    if scn.has("seed"):
        facts.append(("Seed", str(scn.count("seed"))))
    return SimulationView(
        name=scn.opt_text("name") or "simulation", description=scn.opt_text("description") or "",
        facts=facts, faults=faults, start=start,
        hours=hours, levels=levels, throughput=throughput, step_hours=step * step_h,
        delivery_cdf=delivery_cdf, acceptance_cdf=acceptance_cdf, hubs=hubs,
        hubs_worst_first=sorted(hubs, key=lambda h: worst_first_key(h.hub, h.latency)),
        provinces=read_provinces(hubs_f) if hubs_f is not None else [], backlog=backlog,
        utilisation=utilisation, outages=outages, coverage=coverage,
        reasons=reason_rows(coverage), calibration=calibration,
        assumptions=assumptions,
    )


def _days(hours: float) -> str:
    days = hours / 24.0
    if days.is_integer():
        return f"{int(days)} day" + ("" if days == 1 else "s")
    return f"{decimal(hours, 1)} hours"


def _fault_text(f: Fields) -> str:
    """One fault in words: ``hub outage: lgsp-h01, 2025-07-08 09:00 → 11:00``."""
    kind = f.text("kind").replace("_", " ")
    details = []
    if f.has("target"):
        details.append(f.text("target"))
    if f.has("start") and f.has("end"):
        a, b = _time(f, "start"), _time(f, "end")
        details.append(f"{a:%Y-%m-%d %H:%M} → " + (f"{b:%H:%M}" if b.date() == a.date()
                                                   else f"{b:%Y-%m-%d %H:%M}"))
    if f.has("rate"):
        details.append(f"{percent(f.number('rate'), 2)} of documents")
    return kind + (": " + ", ".join(details) if details else "")
