"""The report's view of ``docflow load``'s ``summary.json`` (``docflow.load/1``).

A load summary has the simulation summary's shape with fewer fields (no signature coverage, no
per-hub utilisation, a ``load`` section of its own), so it is not a
:class:`~docflow.sim.summary_model.SimulationSummary`. Until the load output has a typed model
of its own, this reader checks the fields the report uses one by one through
:mod:`.fields` (a missing or mistyped one is ``DF-REP-002`` with its dotted key), with every
section optional.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from docflow.report.coverage import CoverageRow, read_coverage, reason_rows
from docflow.report.fields import Fields
from docflow.report.format import count, percent
from docflow.report.labels import level_label, level_order
from docflow.report.provinces import read_hub_latency, read_provinces, worst_first_key
from docflow.report.scale import LONG_RUN_DAYS
from docflow.report.summary import (
    MAX_POINTS,
    TOP_HUBS,
    WEEK_H,
    AssumptionRow,
    CalibrationRow,
    HubRow,
    LevelRow,
    Outage,
    SimulationView,
    days_text,
    merge_points,
)
from docflow.report.svg import Series

__all__ = ["load_view"]


def _time(f: Fields, name: str) -> datetime:
    text = f.text(name)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise f.fail(name, f"expected an ISO 8601 date and time, found {text!r}") from None


def _hours(at: datetime, start: datetime) -> float:
    return (at - start).total_seconds() / 3600.0


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


def load_view(summary: Mapping[str, Any], file: str | None = None) -> SimulationView:
    """Read and check the fields of a ``docflow.load/1`` summary that the report shows.

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
                ys = merge_points(g.numbers(lv), step)
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
                ys = merge_points(g.numbers(hub), step)
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
    facts.append(("Period", f"{start:%Y-%m-%d} → {end:%Y-%m-%d} ({days_text(hours)})"))
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
