"""``docflow load``'s ``summary.json``: the simulator's shape, measured instead of predicted.

The keys the simulation report reads (``scenario``, ``run``, ``topology``, ``totals``,
``levels``, ``hubs``, ``series``, ``latency_cdf``) mean here what they mean in a simulation
(:mod:`docflow.sim.summary`), over the *real* time of the run: a level's ``sent`` is the
documents of its agencies the axis acknowledged, ``delivered`` the deliveries their receivers
fetched, latencies run from a document's planned send time to its fetch (delivery) and to the
axis's acknowledgement of its 03 (acceptance). The axis is the one hub, ``axis``. What only a
measurement has is under ``load``: the offered and acknowledged rates, the latency of an
acknowledgement, the refusals by code.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from docflow import __version__
from docflow.atomic import write_atomic
from docflow.axis.load_plan import LoadConfig, LoadPlan
from docflow.axis.load_run import LoadResult
from docflow.envelope.dates import VIETNAM
from docflow.errors import InputError, Location
from docflow.sim.scenario import Scenario
from docflow.sim.summary import CDF_POINTS, QUANTILES, dump_summary
from docflow.topology.arrays import LEVEL_ORDER

__all__ = ["build_load_summary", "write_summary"]


def _r(x: float | None, digits: int = 4) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), digits)


def _latency(values: list[float]) -> dict[str, Any]:
    out: dict[str, Any] = {"count": len(values),
                           "mean": _r(float(np.mean(values)) if values else None)}
    for q in QUANTILES:
        out[f"p{round(q * 100)}"] = _r(float(np.quantile(values, q)) if values else None)
    return out


def _cdf(values: list[float]) -> list[list[float]]:
    if not values:
        return []
    return [[_r(float(np.quantile(values, q))) or 0.0, q] for q in CDF_POINTS]


SCHEMA = "docflow.load/1"
"""The layout's own id: the simulation's keys where a measurement has them (``scenario``,
``levels``, ``hubs``, ``series``, ``latency_cdf`` …, read by the same report), fewer fields in
them (no signature coverage, no per-hub utilisation), times at a one-second step, and the
measurement's own ``load`` section. ``docflow.simulation/1``'s JSON Schema would refuse it, so
it does not claim that id."""


def _iso(at: float) -> str:
    return dt.datetime.fromtimestamp(at, VIETNAM).isoformat(timespec="seconds")


def build_load_summary(scenario: Scenario, plan: LoadPlan, result: LoadResult,
                       config: LoadConfig) -> dict[str, Any]:
    """The measured summary of a run, as a JSON-ready dict in the simulator's key order."""
    records = result.records
    step = 1
    steps = max(1, int(np.ceil(result.wall_s / step)))
    present = [lv.value for lv in LEVEL_ORDER if lv.value in
               {r.planned.level for r in records}]
    levels: dict[str, Any] = {}
    throughput: dict[str, list[int]] = {}
    sent_series: dict[str, list[int]] = {}
    cdf: dict[str, Any] = {}
    all_delivery: list[float] = []
    all_accept: list[float] = []
    for level in present:
        mine = [r for r in records if r.planned.level == level]
        accepted = [r for r in mine if r.accepted]
        delivery = [t - r.planned.at_s for r in accepted for t in r.delivered_s.values()]
        acceptance = [t - r.planned.at_s for r in accepted
                      for code, t in r.answered.values() if code == "03"]
        all_delivery += delivery
        all_accept += acceptance
        delivered_per_step = np.bincount(
            np.minimum((np.array([t for r in accepted for t in r.delivered_s.values()])
                        // step).astype(int), steps - 1), minlength=steps) \
            if delivery else np.zeros(steps, int)
        sent_per_step = np.bincount(np.minimum((np.array(
            [r.acked_s for r in accepted]) // step).astype(int), steps - 1), minlength=steps) \
            if accepted else np.zeros(steps, int)
        deliveries = sum(len(r.planned.receivers) for r in accepted)
        delivered = sum(len(r.delivered_s) for r in accepted)
        levels[level] = {
            "agencies": sum(1 for lv in plan.levels.values() if lv == level),
            "sent": len(accepted), "deliveries": deliveries, "delivered": delivered,
            "lost": deliveries - delivered, "received": delivered,
            "accepted": sum(1 for r in accepted for c, _ in r.answered.values() if c == "03"),
            "rejected": sum(1 for r in accepted for c, _ in r.answered.values() if c == "02"),
            "throughput_per_hour": {
                "mean": _r(delivered / result.wall_s * 3600 if result.wall_s else None, 3),
                "mean_working": None,
                "peak": int(delivered_per_step.max()) * 3600 // step},
            "latency_s": {"delivery": _latency(delivery), "acceptance": _latency(acceptance),
                          "received": _latency(delivery)},
        }
        throughput[level] = [int(x) for x in delivered_per_step]
        sent_series[level] = [int(x) for x in sent_per_step]
        cdf[level] = {"delivery": _cdf(delivery), "acceptance": _cdf(acceptance)}
    accepted_all = [r for r in records if r.accepted]
    deliveries_all = sum(len(r.planned.receivers) for r in accepted_all)
    delivered_all = sum(len(r.delivered_s) for r in accepted_all)
    backlog = np.zeros(steps, int)
    for r in accepted_all:
        begin = min(int((r.acked_s or 0) // step), steps - 1)
        for receiver in r.planned.receivers:
            until = int(r.delivered_s[receiver] // step) if receiver in r.delivered_s \
                else steps
            backlog[begin:until] += 1
    ack = [(r.acked_s or 0) - r.planned.at_s for r in records if r.acked_s is not None]
    refused = Counter(code for r in records for code in r.refused)
    attempted = [r for r in records if r.acked_s is not None]
    end = result.started + result.wall_s
    statuses = Counter(code for r in accepted_all for code, _ in r.answered.values())
    return {
        "schema": SCHEMA, "docflow_version": __version__,
        "scenario": {
            "name": scenario.name, "description": scenario.description,
            "seed": scenario.seed, "topology": scenario.topology,
            "start": _iso(result.started), "end": _iso(max(end, result.started + 1)),
            "period": {"start": scenario.period.start.isoformat(),
                       "days": scenario.period.days, "drain_days": scenario.period.drain_days},
            "crypto": "real (measured on a live axis)", "algorithm": "from the PKI folder",
            "faults": [], "retry": None},
        "run": {"windows": 1, "last_event": _iso(end),
                "in_flight_at_end": deliveries_all - delivered_all,
                "unanswered_after_horizon": sum(
                    len(r.planned.receivers) - len(r.answered) for r in accepted_all),
                "coverage_from": "real", "coverage_documents": len(accepted_all)},
        "topology": {"name": scenario.topology,
                     "agencies": {lv: sum(1 for v in plan.levels.values() if v == lv)
                                  for lv in present}, "hubs": 1},
        "totals": {
            "documents_sent": len(accepted_all), "deliveries": deliveries_all,
            "delivered": delivered_all, "lost": deliveries_all - delivered_all,
            "status_messages": {"sent": 2 * sum(statuses.values()), "by_code": {
                c: {"sent": n} for c, n in sorted({"01": sum(statuses.values()),
                                                   **statuses}.items())}}},
        "levels": levels,
        "hubs": {"axis": {
            "name": "docflow axis sandbox (measured)", "kind": "axis", "province": None,
            "agencies": len(plan.levels), "sent": len(accepted_all),
            "deliveries": deliveries_all, "delivered": delivered_all,
            "lost": deliveries_all - delivered_all,
            "latency_s": {"delivery": _latency(all_delivery),
                          "acceptance": _latency(all_accept)},
            "documents": {"messages": len(accepted_all), "peak_backlog": int(backlog.max())},
            "utilisation": None, "peak_backlog": int(backlog.max()), "outages": 0}},
        "series": {"start": _iso(result.started), "step_s": step, "steps": steps,
                   "throughput": throughput, "sent": sent_series,
                   "backlog": {"axis": [int(x) for x in backlog]}},
        "latency_cdf": cdf,
        "outages": [],
        "calibration": [],
        "load": {
            "url": config.url, "rate_scale": config.rate_scale,
            "duration_s": config.duration_s, "wall_s": _r(result.wall_s, 3),
            "sending_s": _r(result.sending_s, 3),
            "scenario_working_s": _r(plan.scenario_working_s, 1),
            "planned": len(plan.documents), "attempted": len(attempted),
            "skipped_outside_pki": plan.skipped,
            "offered_per_s": _r(len(attempted) / result.sending_s if result.sending_s else None),
            "acknowledged_per_s": _r(len(accepted_all) / result.sending_s
                                     if result.sending_s else None),
            "requests": result.requests,
            "requests_per_s": _r(result.requests / result.wall_s if result.wall_s else None),
            "ack_latency_s": _latency(ack),
            "refused": dict(sorted(refused.items())),
            "transport_failures": sum(1 for r in records if r.failed),
            "status_fetched": result.status_fetched,
        },
    }


def write_summary(summary: dict[str, Any], out: str | os.PathLike[str]) -> Path:
    """Write ``out/summary.json`` atomically (:func:`docflow.atomic.write_atomic`).

    Raises
    ------
    InputError
        ``DF-IO-004`` when the folder cannot be written.
    """
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError("DF-IO-004", f"cannot write: {exc.strerror or exc}",
                         Location(file=str(folder))) from None
    return write_atomic(folder / "summary.json", dump_summary(summary))
