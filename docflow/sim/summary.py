"""``summary.json``: what a run counted, as a stable, self-describing JSON document.

Keys come in a fixed order and every float is rounded to a fixed number of decimals, so the
same scenario and seed give the same bytes. The layout is ``docs/outputs.md`` and its JSON
Schema ``docflow/schemas/simulation.schema.json``; the report
(:mod:`docflow.report.simulation`) draws its charts from it.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import numpy.typing as npt

from docflow.envelope.status import StatusCode
from docflow.metrics.coverage import CoverageCounts
from docflow.outputs import OutputSchema, header
from docflow.sim.assumed import assumptions_used
from docflow.sim.engine import EngineResult
from docflow.sim.histogram import LatencyHistograms
from docflow.sim.tally import DOC, N_LEVELS, STATUS
from docflow.topology.arrays import HUB_KIND_ORDER, LEVEL_ORDER
from docflow.traffic.calendar import DAY_US, HOUR_US
from docflow.traffic.destinations import DIRECTIONS
from docflow.traffic.spec import Priority

__all__ = ["SCHEMA", "build_summary", "dump_summary"]

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


def _latency(h: LatencyHistograms, group: int) -> dict[str, Any]:
    out: dict[str, Any] = {"count": h.count(group), "mean": _f(h.mean_s(group), 3)}
    for q in QUANTILES:
        out[f"p{round(q * 100)}"] = _f(h.quantile_s(group, q), 3)
    return out


def _cdf(h: LatencyHistograms, group: int) -> list[list[float]]:
    if h.count(group) == 0:
        return []
    return [[_f(h.quantile_s(group, q), 3) or 0.0, q] for q in CDF_POINTS]


def _iso(result: EngineResult, t_us: int) -> str:
    return result.calendar.datetime_of(t_us).isoformat()


def _per_step(hourly: npt.NDArray[Any], hours: int, step_h: int) -> npt.NDArray[Any]:
    """Sum hourly columns into steps of ``step_h`` hours over the first ``hours`` hours."""
    block = hourly[..., :hours]
    return block.reshape(*block.shape[:-1], hours // step_h, step_h).sum(axis=-1)


def build_summary(result: EngineResult) -> dict[str, Any]:
    """The summary of a run, as a JSON-ready dict in its final key order."""
    s, topo, t = result.scenario, result.topology, result.tally
    a = topo.arrays()
    horizon = (s.period.days + s.period.drain_days) * DAY_US
    names = [lv.value for lv in LEVEL_ORDER]
    period_hours = s.period.days * 24
    working_hours = len(result.calendar.working_days(s.period.days)) * \
        s.calendar.minutes_per_day / 60
    step_h = 1 if s.period.days <= HOURLY_UP_TO_DAYS else 24
    agencies = np.bincount(a.level, minlength=N_LEVELS)
    present = [k for k in range(N_LEVELS) if agencies[k]]
    L = N_LEVELS

    summary: dict[str, Any] = header(OutputSchema.SIMULATION)
    summary["scenario"] = _scenario(result)
    summary["run"] = {
        "windows": result.days_run,
        "last_event": _iso(result, min(t.last_event_us, horizon)),
        "in_flight_at_end": int(t.in_flight_end),
        "unanswered_after_horizon": int(t.unanswered),
        "coverage_from": s.crypto.kind.value,
        "coverage_documents": t.coverage_level.total().documents,
    }
    summary["topology"] = {
        "name": topo.name, "agencies": {names[k]: int(agencies[k]) for k in present},
        "hubs": a.n_hubs, "provinces": len(a.provinces),
    }
    summary["totals"] = _totals(result)

    levels: dict[str, Any] = {}
    for k in present:
        hourly = t.delivered_hourly[k, :period_hours]
        levels[names[k]] = {
            "agencies": int(agencies[k]), "sent": int(t.sent[k]),
            "deliveries": int(t.deliveries[k]), "delivered": int(t.delivered[k]),
            "lost": int(t.lost[k]), "received": int(t.received[k]),
            "accepted": int(t.accepted[k]), "rejected": int(t.rejected[k]),
            "throughput_per_hour": {
                "mean": _f(hourly.sum() / period_hours, 3),
                "mean_working": _f(hourly.sum() / working_hours, 3) if working_hours else None,
                "peak": int(hourly.max()) if len(hourly) else 0},
            "latency_s": {"delivery": _latency(t.hist, k),
                          "acceptance": _latency(t.hist_accept, 2 * L + k),
                          "received": _latency(t.hist, L + k)},
            "coverage": (t.coverage_level[names[k]] if names[k] in t.coverage_level
                         else CoverageCounts()).to_dict(),
        }
    summary["levels"] = _rounded_coverage(levels)
    summary["hubs"] = _hubs(result)
    summary["series"] = _series(result, step_h, present)
    summary["latency_cdf"] = {names[k]: {"delivery": _cdf(t.hist, k),
                                         "acceptance": _cdf(t.hist_accept, 2 * L + k)}
                              for k in present}
    summary["outages"] = _outages(result)
    summary["calibration"] = [
        {**row, "published": _f(row["published"]), "simulated": _f(row["simulated"]),
         "ratio": _f(row["ratio"], 4)} for row in result.calibration]
    summary["assumptions"] = [{**row, "value": _f(row["value"])}
                              for row in assumptions_used(s)]
    return summary


def _rounded_coverage(obj: Any) -> Any:
    """Round every float inside (rates and intervals) for reproducible bytes."""
    if isinstance(obj, dict):
        return {k: _rounded_coverage(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_rounded_coverage(v) for v in obj]
    if isinstance(obj, float):
        return _f(obj)
    return obj


def _scenario(result: EngineResult) -> dict[str, Any]:
    s = result.scenario
    f = s.faults
    faults: list[dict[str, Any]] = []
    for kind, outages in (("hub_outage", f.hub_outages), ("agency_outage", f.agency_outages)):
        for o in outages:
            begin = result.calendar.time_of(o.start)
            faults.append({"kind": kind, "target": o.target, "start": _iso(result, begin),
                           "end": _iso(result, begin + round(o.hours * HOUR_US))})
    for kind, rate in (("tampering", f.tamper_rate), ("expired_certificates",
                                                       f.expired_cert_share),
                       ("revoked_certificates", f.revoked_cert_share)):
        if rate:
            faults.append({"kind": kind, "rate": _f(rate)})
    for code in f.never_sign:
        faults.append({"kind": "never_signs", "target": code})
    return {
        "name": s.name, "description": s.description, "seed": s.seed,
        "topology": s.topology,
        "start": _iso(result, 0), "end": _iso(result, s.period.days * DAY_US),
        "period": {"start": s.period.start.isoformat(), "days": s.period.days,
                   "drain_days": s.period.drain_days},
        "crypto": s.crypto.mode, "algorithm": s.signing.algorithm,
        "faults": faults,
        "retry": {"backoff_s": _f(f.retry_backoff_s), "factor": _f(f.backoff_factor),
                  "backoff_max_s": _f(f.backoff_max_s), "max_attempts": f.max_attempts},
    }


def _totals(result: EngineResult) -> dict[str, Any]:
    t = result.tally
    s = result.scenario
    by_code = {}
    for code in (StatusCode.ARRIVED, StatusCode.REJECTED, StatusCode.ACCEPTED,
                 StatusCode.ASSIGNED, StatusCode.PROCESSING, StatusCode.DONE):
        k = int(code.value)
        by_code[code.value] = {"label": code.label, "sent": int(t.status_sent[k]),
                               "delivered": int(t.status_delivered[k]),
                               "lost": int(t.status_lost[k])}
    types = {dt.value: int(t.doc_types[i]) for i, (dt, _) in
             enumerate(s.traffic.documents.types)}
    return {
        "documents_sent": int(t.sent.sum()), "deliveries": int(t.deliveries.sum()),
        "delivered": int(t.delivered.sum()), "lost": int(t.lost.sum()),
        "lost_at_hubs": int(t.lane_dead[DOC].sum()), "lost_at_agencies": int(t.lost_at_agency),
        "in_flight_at_end": int(t.in_flight_by_class[DOC]),
        "hub_messages": {"documents": int(t.lane_count[DOC].sum()),
                         "status": int(t.lane_count[STATUS].sum())},
        "status_messages": {"sent": int(t.status_sent.sum()),
                            "delivered": int(t.status_delivered.sum()),
                            "lost": int(t.status_lost.sum()),
                            "lost_at_hubs": int(t.lane_dead[STATUS].sum()),
                            "lost_at_agencies": int(t.status_lost_at_agency),
                            "in_flight_at_end": int(t.in_flight_by_class[STATUS]),
                            "by_code": by_code},
        "document_types": types,
        "priorities": {str(p.value): int(t.priorities[p.value]) for p in Priority},
        "directions": {d.value: int(t.directions[i]) for i, d in enumerate(DIRECTIONS)},
    }


def _hubs(result: EngineResult) -> dict[str, Any]:
    topo, t, lanes = result.topology, result.tally, result.lanes
    a = topo.arrays()
    L = N_LEVELS
    period = result.scenario.period
    span_us = period.days * DAY_US
    period_hours = period.days * 24
    horizon_hours = min((period.days + period.drain_days) * 24, t.n_hours)
    outage_count = np.bincount([w[0] for w in result.hub_outages], minlength=a.n_hubs)
    agencies = np.bincount(a.hub, minlength=a.n_hubs)
    out: dict[str, Any] = {}
    busy_hourly = t.hub_hourly[:, 2]
    for h, hub in enumerate(topo.hubs):
        mine = lanes.hub == h
        row: dict[str, Any] = {
            "name": hub.name, "kind": HUB_KIND_ORDER[int(a.hub_kind[h])].value,
            "province": hub.province, "agencies": int(agencies[h]),
            "sent": int(t.sent_hub[h]), "deliveries": int(t.deliveries_hub[h]),
            "delivered": int(t.delivered_hub[h]), "lost": int(t.lost_hub[h]),
        }
        row["latency_s"] = {"delivery": _latency(t.hist, 3 * L + h),
                            "acceptance": _latency(t.hist_accept, 3 * L + a.n_hubs + h)}
        for cls, label in ((DOC, "documents"), (STATUS, "status")):
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
            row[label] = {
                "messages": count,
                "utilisation": _f(float(in_period.sum()) / (workers * span_us) if workers
                                  else 0.0),
                "offered_load": _f(busy / (workers * span_us) if workers else 0.0),
                "peak_hour_utilisation": _f(float(in_period.max()) / capacity if workers
                                            else 0.0),
                # Waiting messages seen two ways, and the larger as the backlog: queued at a
                # lane at any arrival, or queued plus refused and waiting to retry at the end of
                # any hour (during an outage nothing queues: everything waits to retry).
                "peak_backlog": max(queued, waiting),
                "peak_queued": queued,
                "peak_waiting_hourly": waiting,
                "mean_wait_s": _f(float(t.lane_wait[cls][mine].sum()) / count / 1e6
                                  if count else None, 4),
                "refused_attempts": int(t.lane_refused[cls][mine].sum()),
                "dead_letters": int(t.lane_dead[cls][mine].sum()),
            }
        row["utilisation"] = row["documents"]["utilisation"]
        row["offered_load"] = row["documents"]["offered_load"]
        row["peak_backlog"] = row["documents"]["peak_backlog"]
        row["outages"] = int(outage_count[h])
        cov = t.coverage_hub[hub.id] if hub.id in t.coverage_hub else CoverageCounts()
        row["coverage"] = _rounded_coverage(cov.to_dict())
        out[hub.id] = row
    return out


def _waiting(hourly: npt.NDArray[np.int64], hours: int) -> npt.NDArray[np.int64]:
    """Messages waiting for each hub at the end of each hour: queued (accepted, not started)
    plus refused and waiting to retry."""
    cum = np.cumsum(hourly, axis=-1)[..., :hours]
    return (cum[0] - cum[1]) + (cum[3] - cum[4])


def _series(result: EngineResult, step_h: int, present: list[int]) -> dict[str, Any]:
    s, t, lanes, topo = result.scenario, result.tally, result.lanes, result.topology
    names = [lv.value for lv in LEVEL_ORDER]
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
    return {
        "start": _iso(result, 0), "step_s": step_h * 3600, "steps": steps,
        "throughput": {names[k]: [int(x) for x in delivered[k]] for k in present},
        "sent": {names[k]: [int(x) for x in sent[k]] for k in present},
        "backlog": {hub.id: [int(x) for x in waiting[h]] for h, hub in enumerate(topo.hubs)},
        "utilisation": {hub.id: [_f(x, 5) for x in util[h]] for h, hub in
                        enumerate(topo.hubs)},
    }


def _outages(result: EngineResult) -> list[dict[str, Any]]:
    topo = result.topology
    out = []
    for kind, windows, label in (("hub", result.hub_outages, None),
                                 ("agency", result.agency_outages, "agency")):
        for target, begin, end in windows:
            name = topo.hubs[target].id if label is None else topo.agencies[target].code
            out.append({"kind": kind, "target": name, "start": _iso(result, begin),
                        "end": _iso(result, end)})
    return out


def dump_summary(summary: dict[str, Any]) -> bytes:
    """The summary as UTF-8 JSON bytes, in key order, with a final newline."""
    return (json.dumps(summary, ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode()

