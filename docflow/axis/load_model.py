"""Model meets reality: the simulator's FIFO stage fed with what a load run measured.

The simulator serves each hub's messages through first-come-first-served lanes
(:mod:`docflow.sim.queues`). Here the axis is one such stage: its arrivals are the messages the
load run really sent (documents at the time they were due, status messages when they were
sent), each served in ``service_ms`` by one of ``workers`` workers; then each message takes
``transit_ms`` more on the parts of its path that do not queue (TLS and HTTP both ways, the
wait for its group commit). The predicted acknowledgement latency of each document (departure
plus transit, minus its due time) and the predicted throughput go beside the measured ones,
for the whole run and for each level of the senders.

The parameters are measured on the service (``bench/test_axis_bench.py`` prints them): the
service time is the inverse of the capacity the server sustained (its judges, its event loop,
its store and the load generator share the machine's cores, so the stage that queues is the
cores, one stage at the rate they reach together), and the transit is what a message alone
takes end to end beyond that. What the model still leaves out is in docs/axis.md.
"""

from __future__ import annotations

import numpy as np

from docflow.axis.load_output import (
    Compared,
    ComparedQuantiles,
    LevelComparison,
    Prediction,
    Quantiles,
    per_s,
    seconds,
)
from docflow.axis.load_run import LoadResult
from docflow.levels import Level
from docflow.outputs import rate
from docflow.sim.queues import scan_single_server, serve_window
from docflow.topology.arrays import LEVEL_ORDER

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


def _served(arrivals_s: np.ndarray, service_ms: float, workers: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The FIFO stage over ``arrivals_s``: the order that sorts them, and each message's
    arrival and departure in microseconds, in that sorted order."""
    order = np.argsort(arrivals_s, kind="stable")
    arrival_us = np.rint(arrivals_s[order] * 1e6).astype(np.int64)
    return order, arrival_us, _departures(arrival_us, max(1, round(service_ms * 1000)), workers)


def _rate(n: int, until_s: float) -> float | None:
    """``n`` documents from the start until ``until_s``, per second."""
    return per_s(n / max(until_s, 1e-9)) if n else None


def predict_latency(arrivals_s: np.ndarray, *, service_ms: float, workers: int,
                    transit_ms: float | np.ndarray = 0.0, seed: int = 0) -> np.ndarray:
    """Predicted seconds from arrival to acknowledgement of each message (in the order of
    ``arrivals_s``): the wait for a worker, the service, and the transit.

    ``transit_ms`` is one figure, or the transits measured on messages sent alone: each
    message then draws one of them (from a generator seeded with ``seed``), so that the
    model's spread at low load is the measured one, not none.
    """
    order, arrival_us, depart_us = _served(arrivals_s, service_ms, workers)
    if np.ndim(transit_ms):
        transit = np.random.default_rng(seed).choice(np.asarray(transit_ms, float),
                                                     len(arrivals_s)) / 1000
    else:
        transit = np.full(len(arrivals_s), float(transit_ms) / 1000)
    latency = np.empty(len(arrivals_s))
    latency[order] = (depart_us - arrival_us) / 1e6 + transit
    return latency


def model_comparison(result: LoadResult, *, service_ms: float, workers: int,
                     transit_ms: float = 0.0) -> Prediction:
    """Predicted against measured: throughput, utilisation and acknowledgement latency.

    ``transit_ms`` is each message's time outside the queue (TLS, HTTP, the commit), added to
    its departure: the prediction of a message alone is the service plus the transit.
    """
    documents = [r for r in result.records if r.acked_s is not None]
    due = np.array([r.planned.at_s for r in documents], float)
    acked = np.array([r.acked_s or 0.0 for r in documents], float)
    level_of = np.array([r.planned.level for r in documents], object)
    arrivals_s = np.concatenate([due, np.array(result.status_posts, float)])
    is_document = np.concatenate([np.ones(len(due), bool),
                                  np.zeros(len(result.status_posts), bool)])
    order, _, depart_us = _served(arrivals_s, service_ms, workers)
    # Back to the documents' own order, so that each level picks its own departures.
    depart_doc_s = np.empty(len(due))
    depart_doc_s[order[is_document[order]]] = depart_us[is_document[order]] / 1e6
    depart_doc_s += transit_ms / 1000
    waited = depart_doc_s - due
    measured = acked - due
    span = max(float(arrivals_s.max() - arrivals_s.min()), 1e-9) if len(arrivals_s) else 1.0
    offered = len(arrivals_s) / span
    levels: dict[Level, LevelComparison] = {}
    for level in LEVEL_ORDER:
        mine = level_of == level.value
        n = int(mine.sum())
        if not n:
            continue
        levels[level] = LevelComparison(
            n, Compared(_rate(n, float(depart_doc_s[mine].max())),
                        _rate(n, float(acked[mine].max()))),
            ComparedQuantiles(Quantiles.of(waited[mine]), Quantiles.of(measured[mine])))
    return Prediction(
        service_ms=float(service_ms), workers=workers, transit_ms=float(transit_ms),
        messages=len(arrivals_s),
        documents=len(due), status_messages=len(result.status_posts),
        offered_per_s=per_s(offered),
        utilisation=rate(offered * service_ms / 1000 / workers),
        throughput_per_s=Compared(
            _rate(len(due), float(depart_doc_s.max()) if len(due) else 0.0),
            _rate(len(due), result.sending_s)),
        ack_latency_s=ComparedQuantiles(Quantiles.of(waited), Quantiles.of(measured)),
        levels=levels,
        predicted_last_departure_s=seconds(float(depart_us.max()) / 1e6) if len(depart_us)
        else None)
