"""``summary.json``: what a run counted, as a stable, self-describing JSON document.

Keys come in a fixed order and every float is rounded to a fixed number of decimals, so the
same scenario and seed give the same bytes. The layout is ``docs/outputs.md`` and its JSON
Schema ``docflow/schemas/simulation.schema.json``; the report
(:mod:`docflow.report.simulation`) draws its charts from it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from docflow.envelope.status import StatusCode
from docflow.jsonmodel import dumps
from docflow.levels import Level
from docflow.metrics.coverage import CoverageCounts
from docflow.metrics.coverage_json import Coverage
from docflow.outputs import OutputSchema
from docflow.sim.assumed import assumptions_used
from docflow.sim.engine import EngineResult
from docflow.sim.histogram import LatencyHistograms
from docflow.sim.scenario import FigureRole, Measure
from docflow.sim.summary_model import (
    AssumptionUsed,
    Calibrated,
    FaultKind,
    FaultRow,
    HubFigures,
    HubLatencies,
    HubMessages,
    Lane,
    Latency,
    LatencyCdf,
    LevelFigures,
    LevelLatencies,
    OutageKind,
    OutageRow,
    PeriodInfo,
    RetryInfo,
    RunInfo,
    ScenarioInfo,
    SimulationSummary,
    StatusCount,
    StatusMessages,
    Throughput,
    TimeSeries,
    TopologyInfo,
    Totals,
)
from docflow.sim.tally import DOC, N_LEVELS, STATUS
from docflow.topology.arrays import HUB_KIND_ORDER, LEVEL_ORDER
from docflow.traffic.calendar import DAY_US, HOUR_US
from docflow.traffic.destinations import DIRECTIONS
from docflow.traffic.spec import Priority

__all__ = ["SCHEMA", "SimulationSummary", "build_summary", "dump_summary"]

SCHEMA = OutputSchema.SIMULATION.value
"""Version of the ``summary.json`` layout; bumped when a key changes meaning or goes away."""

QUANTILES = (0.5, 0.95, 0.99)
CDF_POINTS = (0.001, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55,
              0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99, 0.999)
"""Shares at which the latency CDF is sampled."""
HOURLY_UP_TO_DAYS = 92
"""Periods up to a quarter have hourly series; longer ones daily, to keep the file small."""


def _f(x: float | None, digits: int = 6) -> float | None:
    """A float rounded for reproducible bytes (``None`` stays ``None``)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return round(float(x), digits)


def _latency(h: LatencyHistograms, group: int) -> Latency:
    p50, p95, p99 = (_f(h.quantile_s(group, q), 3) for q in QUANTILES)
    return Latency(h.count(group), _f(h.mean_s(group), 3), p50, p95, p99)


def _cdf(h: LatencyHistograms, group: int) -> tuple[tuple[float, float], ...]:
    if h.count(group) == 0:
        return ()
    return tuple((_f(h.quantile_s(group, q), 3) or 0.0, q) for q in CDF_POINTS)


def _at(result: EngineResult, t_us: int) -> datetime:
    return result.calendar.datetime_of(t_us)


def _per_step(hourly: npt.NDArray[Any], hours: int, step_h: int) -> npt.NDArray[Any]:
    """Sum hourly columns into steps of ``step_h`` hours over the first ``hours`` hours."""
    block = hourly[..., :hours]
    return block.reshape(*block.shape[:-1], hours // step_h, step_h).sum(axis=-1)


def build_summary(result: EngineResult) -> SimulationSummary:
    """The summary of a run: what :meth:`SimulationSummary.to_json` writes to summary.json."""
    s, topo, t = result.scenario, result.topology, result.tally
    a = topo.arrays()
    horizon = (s.period.days + s.period.drain_days) * DAY_US
    period_hours = s.period.days * 24
    working_hours = len(result.calendar.working_days(s.period.days)) * \
        s.calendar.minutes_per_day / 60
    step_h = 1 if s.period.days <= HOURLY_UP_TO_DAYS else 24
    agencies = np.bincount(a.level, minlength=N_LEVELS)
    present = [k for k in range(N_LEVELS) if agencies[k]]
    L = N_LEVELS

    levels: dict[Level, LevelFigures] = {}
    for k in present:
        level = LEVEL_ORDER[k]
        hourly = t.delivered_hourly[k, :period_hours]
        levels[level] = LevelFigures(
            agencies=int(agencies[k]), sent=int(t.sent[k]),
            deliveries=int(t.deliveries[k]), delivered=int(t.delivered[k]),
            lost=int(t.lost[k]), received=int(t.received[k]),
            accepted=int(t.accepted[k]), rejected=int(t.rejected[k]),
            throughput_per_hour=Throughput(
                mean=_f(hourly.sum() / period_hours, 3) or 0.0,
                mean_working=_f(hourly.sum() / working_hours, 3) if working_hours else None,
                peak=int(hourly.max()) if len(hourly) else 0),
            latency_s=LevelLatencies(delivery=_latency(t.hist, k),
                                     acceptance=_latency(t.hist_accept, 2 * L + k),
                                     received=_latency(t.hist, L + k)),
            coverage=Coverage.of(t.coverage_level[level.value]
                                 if level.value in t.coverage_level else CoverageCounts()))
    return SimulationSummary(
        **SimulationSummary.header(),
        scenario=_scenario(result),
        run=RunInfo(
            windows=result.days_run,
            last_event=_at(result, min(t.last_event_us, horizon)),
            in_flight_at_end=int(t.in_flight_end),
            unanswered_after_horizon=int(t.unanswered),
            coverage_from=s.crypto.kind,
            coverage_documents=t.coverage_level.total().documents),
        topology=TopologyInfo(
            name=topo.name, agencies={LEVEL_ORDER[k]: int(agencies[k]) for k in present},
            hubs=a.n_hubs, provinces=len(a.provinces)),
        totals=_totals(result),
        levels=levels,
        hubs=_hubs(result),
        series=_series(result, step_h, present),
        latency_cdf={LEVEL_ORDER[k]: LatencyCdf(_cdf(t.hist, k), _cdf(t.hist_accept, 2 * L + k))
                     for k in present},
        outages=_outages(result),
        calibration=tuple(
            Calibrated(figure=row["figure"], measure=Measure(row["measure"]),
                       scope=row["scope"], unit=row["unit"],
                       published=_f(row["published"]) or 0.0,
                       simulated=_f(row["simulated"]), ratio=_f(row["ratio"], 4),
                       source=row["source"], role=FigureRole(row["role"]))
            for row in result.calibration),
        assumptions=tuple(
            AssumptionUsed(name=row["name"], value=_f(row["value"]), default=row["default"],
                           low=row["low"], high=row["high"], unit=row["unit"],
                           source=row["source"], overridden=row["overridden"])
            for row in assumptions_used(s)),
    )


def _scenario(result: EngineResult) -> ScenarioInfo:
    s = result.scenario
    f = s.faults
    faults: list[FaultRow] = []
    for kind, outages in ((FaultKind.HUB_OUTAGE, f.hub_outages),
                          (FaultKind.AGENCY_OUTAGE, f.agency_outages)):
        for o in outages:
            begin = result.calendar.time_of(o.start)
            faults.append(FaultRow(kind, target=o.target, start=_at(result, begin),
                                   end=_at(result, begin + round(o.hours * HOUR_US))))
    for kind, rate in ((FaultKind.TAMPERING, f.tamper_rate),
                       (FaultKind.EXPIRED_CERTIFICATES, f.expired_cert_share),
                       (FaultKind.REVOKED_CERTIFICATES, f.revoked_cert_share)):
        if rate:
            faults.append(FaultRow(kind, rate=_f(rate)))
    for code in f.never_sign:
        faults.append(FaultRow(FaultKind.NEVER_SIGNS, target=code))
    return ScenarioInfo(
        name=s.name, description=s.description, seed=s.seed, topology=s.topology,
        start=_at(result, 0), end=_at(result, s.period.days * DAY_US),
        period=PeriodInfo(s.period.start, s.period.days, s.period.drain_days),
        crypto=s.crypto.mode, algorithm=s.signing.algorithm, faults=tuple(faults),
        retry=RetryInfo(backoff_s=_f(f.retry_backoff_s) or 0.0,
                        factor=_f(f.backoff_factor) or 0.0,
                        backoff_max_s=_f(f.backoff_max_s) or 0.0,
                        max_attempts=f.max_attempts))


def _totals(result: EngineResult) -> Totals:
    t = result.tally
    s = result.scenario
    by_code = {}
    for code in (StatusCode.ARRIVED, StatusCode.REJECTED, StatusCode.ACCEPTED,
                 StatusCode.ASSIGNED, StatusCode.PROCESSING, StatusCode.DONE):
        k = int(code.value)
        by_code[code] = StatusCount(code.label, int(t.status_sent[k]),
                                    int(t.status_delivered[k]), int(t.status_lost[k]))
    return Totals(
        documents_sent=int(t.sent.sum()), deliveries=int(t.deliveries.sum()),
        delivered=int(t.delivered.sum()), lost=int(t.lost.sum()),
        lost_at_hubs=int(t.lane_dead[DOC].sum()), lost_at_agencies=int(t.lost_at_agency),
        in_flight_at_end=int(t.in_flight_by_class[DOC]),
        hub_messages=HubMessages(int(t.lane_count[DOC].sum()), int(t.lane_count[STATUS].sum())),
        status_messages=StatusMessages(
            sent=int(t.status_sent.sum()), delivered=int(t.status_delivered.sum()),
            lost=int(t.status_lost.sum()), lost_at_hubs=int(t.lane_dead[STATUS].sum()),
            lost_at_agencies=int(t.status_lost_at_agency),
            in_flight_at_end=int(t.in_flight_by_class[STATUS]), by_code=by_code),
        document_types={dt.value: int(t.doc_types[i]) for i, (dt, _) in
                        enumerate(s.traffic.documents.types)},
        priorities={str(p.value): int(t.priorities[p.value]) for p in Priority},
        directions={d: int(t.directions[i]) for i, d in enumerate(DIRECTIONS)},
    )


def _hubs(result: EngineResult) -> dict[str, HubFigures]:
    topo, t, lanes = result.topology, result.tally, result.lanes
    a = topo.arrays()
    L = N_LEVELS
    period = result.scenario.period
    span_us = period.days * DAY_US
    period_hours = period.days * 24
    horizon_hours = min((period.days + period.drain_days) * 24, t.n_hours)
    outage_count = np.bincount([w[0] for w in result.hub_outages], minlength=a.n_hubs)
    agencies = np.bincount(a.hub, minlength=a.n_hubs)
    out: dict[str, HubFigures] = {}
    busy_hourly = t.hub_hourly[:, 2]
    for h, hub in enumerate(topo.hubs):
        mine = lanes.hub == h
        lane: dict[int, Lane] = {}
        for cls in (DOC, STATUS):
            used = mine & (t.lane_count[cls] > 0)
            workers = int(lanes.workers(cls == STATUS)[used].sum())
            count = int(t.lane_count[cls][mine].sum())
            busy = float(t.lane_busy[cls][mine].sum())
            # Busy time counts in the hour its service starts; an hour's share is capped at
            # its capacity (a service begun at 10:59 that ends at 11:01 is 10:59's), so the
            # period's share is busy time that fits the period, never above 1.
            capacity = workers * HOUR_US
            in_period = np.minimum(busy_hourly[cls, h, :period_hours], capacity) if workers \
                else np.zeros(1)
            backlog = _waiting(t.hub_hourly[cls, :, h:h + 1], horizon_hours)[0]
            waiting = int(backlog.max()) if len(backlog) else 0
            queued = int(t.lane_peak[cls][mine].max()) if mine.any() else 0
            lane[cls] = Lane(
                messages=count,
                utilisation=_f(float(in_period.sum()) / (workers * span_us) if workers
                               else 0.0) or 0.0,
                offered_load=_f(busy / (workers * span_us) if workers else 0.0) or 0.0,
                peak_hour_utilisation=_f(float(in_period.max()) / capacity if workers
                                         else 0.0) or 0.0,
                # Waiting messages seen two ways, and the larger as the backlog: queued at a
                # lane at any arrival, or queued plus refused and waiting to retry at the end of
                # any hour (during an outage nothing queues: everything waits to retry).
                peak_backlog=max(queued, waiting),
                peak_queued=queued,
                peak_waiting_hourly=waiting,
                mean_wait_s=_f(float(t.lane_wait[cls][mine].sum()) / count / 1e6
                               if count else None, 4),
                refused_attempts=int(t.lane_refused[cls][mine].sum()),
                dead_letters=int(t.lane_dead[cls][mine].sum()),
            )
        docs = lane[DOC]
        out[hub.id] = HubFigures(
            name=hub.name, kind=HUB_KIND_ORDER[int(a.hub_kind[h])],
            province=hub.province, agencies=int(agencies[h]),
            sent=int(t.sent_hub[h]), deliveries=int(t.deliveries_hub[h]),
            delivered=int(t.delivered_hub[h]), lost=int(t.lost_hub[h]),
            latency_s=HubLatencies(_latency(t.hist, 3 * L + h),
                                   _latency(t.hist_accept, 3 * L + a.n_hubs + h)),
            documents=docs, status=lane[STATUS], utilisation=docs.utilisation,
            offered_load=docs.offered_load, peak_backlog=docs.peak_backlog,
            outages=int(outage_count[h]),
            coverage=Coverage.of(t.coverage_hub[hub.id] if hub.id in t.coverage_hub
                                 else CoverageCounts()))
    return out


def _waiting(hourly: npt.NDArray[np.int64], hours: int) -> npt.NDArray[np.int64]:
    """Messages waiting for each hub at the end of each hour: queued (accepted, not started)
    plus refused and waiting to retry."""
    cum = np.cumsum(hourly, axis=-1)[..., :hours]
    return (cum[0] - cum[1]) + (cum[3] - cum[4])


def _series(result: EngineResult, step_h: int, present: list[int]) -> TimeSeries:
    s, t, lanes, topo = result.scenario, result.tally, result.lanes, result.topology
    hours = s.period.days * 24
    steps = hours // step_h
    delivered = _per_step(t.delivered_hourly, hours, step_h)
    sent = _per_step(t.sent_hourly, hours, step_h)
    waiting = _waiting(t.hub_hourly[DOC], hours)[:, step_h - 1::step_h]
    used = t.lane_count[DOC] > 0
    workers = np.bincount(lanes.hub[used], weights=lanes.doc_workers[used],
                          minlength=topo.arrays().n_hubs)
    # Capped hour by hour as in the hub table, so that no step shows more than its capacity.
    capped = np.minimum(t.hub_hourly[DOC, 2, :, :hours],
                        np.maximum(workers, 1)[:, None] * HOUR_US)
    util = _per_step(capped, hours, step_h) / np.maximum(workers, 1)[:, None] / \
        (step_h * HOUR_US)
    return TimeSeries(
        start=_at(result, 0), step_s=step_h * 3600, steps=steps,
        throughput={LEVEL_ORDER[k]: tuple(int(x) for x in delivered[k]) for k in present},
        sent={LEVEL_ORDER[k]: tuple(int(x) for x in sent[k]) for k in present},
        backlog={hub.id: tuple(int(x) for x in waiting[h]) for h, hub in enumerate(topo.hubs)},
        utilisation={hub.id: tuple(_f(x, 5) or 0.0 for x in util[h])
                     for h, hub in enumerate(topo.hubs)},
    )


def _outages(result: EngineResult) -> tuple[OutageRow, ...]:
    topo = result.topology
    out = []
    for kind, windows in ((OutageKind.HUB, result.hub_outages),
                          (OutageKind.AGENCY, result.agency_outages)):
        for target, begin, end in windows:
            name = topo.hubs[target].id if kind is OutageKind.HUB else \
                topo.agencies[target].code
            out.append(OutageRow(kind, name, _at(result, begin), _at(result, end)))
    return tuple(out)


def dump_summary(summary: Mapping[str, Any]) -> bytes:
    """A summary in plain JSON values as UTF-8 JSON bytes, in key order, with a final newline.

    The bytes every output of the simulator's shape is written with
    (:func:`docflow.jsonmodel.dumps`); a :class:`SimulationSummary` writes itself with
    :meth:`~SimulationSummary.to_json`.
    """
    return dumps(summary)
