"""Model meets reality: the simulator's FIFO stage fed with what a load run measured.

The simulator serves each hub's messages through first-come-first-served lanes
(:mod:`docflow.sim.queues`). Here the axis is one such stage: its arrivals are the messages the
load run really sent (documents at the time they were due, status messages when they were
sent), each served in ``service_ms`` by one of ``workers`` workers; then each message takes
``transit_ms`` more on the parts of its path that do not queue (TLS and HTTP both ways, the
wait for its group commit). The predicted acknowledgement latency of each document (departure
plus transit, minus its due time) and the predicted throughput go beside the measured ones.

The parameters are measured on the service (``bench/test_axis_bench.py`` prints them): the
service time is the inverse of the capacity the server sustained (its judges, its event loop,
its store and the load generator share the machine's cores, so the stage that queues is the
cores, one stage at the rate they reach together), and the transit is what a message alone
takes end to end beyond that. What the model still leaves out is in docs/axis.md.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from docflow.axis.load_run import LoadResult
from docflow.sim.queues import scan_single_server, serve_window

__all__ = ["model_comparison", "predict_latency"]


def _departures(arrival_us: np.ndarray, service_us: int, workers: int) -> np.ndarray:
    n = len(arrival_us)
    lane = np.zeros(n, np.int64)
    service = np.full(n, service_us, np.int64)
    if workers == 1:
        return scan_single_server(lane, arrival_us, service, np.zeros(1, np.int64))
    start = np.zeros(n, np.int64)
    depart = np.zeros(n, np.int64)
    serve_window(lane, arrival_us, service, np.zeros(workers, np.int64),
                 np.array([0, workers], np.int64), np.zeros(0, np.int64),
                 np.zeros(2, np.int64), np.zeros(1, np.int64), start, depart)
    return depart


def _quantiles(values: np.ndarray) -> dict[str, float | None]:
    if len(values) == 0:
        return {"p50": None, "p95": None, "p99": None}
    return {f"p{q}": round(float(np.quantile(values, q / 100)), 4) for q in (50, 95, 99)}


def predict_latency(arrivals_s: np.ndarray, *, service_ms: float, workers: int,
                    transit_ms: float | np.ndarray = 0.0, seed: int = 0) -> np.ndarray:
    """Predicted seconds from arrival to acknowledgement of each message (in the order of
    ``arrivals_s``): the wait for a worker, the service, and the transit.

    ``transit_ms`` is one figure, or the transits measured on messages sent alone: each
    message then draws one of them (from a generator seeded with ``seed``), so that the
    model's spread at low load is the measured one, not none.
    """
    order = np.argsort(arrivals_s, kind="stable")
    arrival_us = np.rint(arrivals_s[order] * 1e6).astype(np.int64)
    depart_us = _departures(arrival_us, max(1, round(service_ms * 1000)), workers)
    if np.ndim(transit_ms):
        transit = np.random.default_rng(seed).choice(np.asarray(transit_ms, float),
                                                     len(arrivals_s)) / 1000
    else:
        transit = np.full(len(arrivals_s), float(transit_ms) / 1000)
    latency = np.empty(len(arrivals_s))
    latency[order] = (depart_us - arrival_us) / 1e6 + transit
    return latency


def model_comparison(result: LoadResult, *, service_ms: float, workers: int,
                     transit_ms: float = 0.0) -> dict[str, Any]:
    """Predicted against measured: throughput, utilisation and acknowledgement latency."""
    documents = [r for r in result.records if r.acked_s is not None]
    due = np.array([r.planned.at_s for r in documents])
    arrivals_s = np.concatenate([due, np.array(result.status_posts)])
    is_document = np.concatenate([np.ones(len(due), bool),
                                  np.zeros(len(result.status_posts), bool)])
    order = np.argsort(arrivals_s, kind="stable")
    arrival_us = np.rint(arrivals_s[order] * 1e6).astype(np.int64)
    service_us = max(1, round(service_ms * 1000))
    depart_us = _departures(arrival_us, service_us, workers)
    waited = (depart_us - arrival_us)[is_document[order]] / 1e6 + transit_ms / 1000
    measured = np.array([(r.acked_s or 0.0) - r.planned.at_s for r in documents])
    span = max(float(arrivals_s.max() - arrivals_s.min()), 1e-9) if len(arrivals_s) else 1.0
    offered = len(arrivals_s) / span
    predicted_end = float(depart_us.max()) / 1e6 if len(depart_us) else 0.0
    sending = max(result.sending_s, 1e-9)
    return {
        "service_ms": service_ms, "workers": workers, "transit_ms": transit_ms,
        "messages": len(arrivals_s), "documents": len(due),
        "status_messages": len(result.status_posts),
        "offered_per_s": round(offered, 3),
        "utilisation": round(offered * service_ms / 1000 / workers, 4),
        "throughput_per_s": {
            "predicted": round(len(due) / max(float(np.max(depart_us[is_document[order]]))
                                              / 1e6 + transit_ms / 1000, 1e-9), 3)
            if len(due) else None,
            "measured": round(len(due) / sending, 3)},
        "ack_latency_s": {"predicted": _quantiles(waited), "measured": _quantiles(measured)},
        "predicted_last_departure_s": round(predicted_end, 3),
    }
