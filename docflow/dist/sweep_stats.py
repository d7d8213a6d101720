"""What a sweep keeps of each run, and how runs are summed up: bands and a tornado.

Each run's ``summary.json`` is reduced to a flat dict of predictions (:func:`run_metrics`):
per level the mean throughput per hour, the 95th percentile of delivery latency and the
share of documents with both signatures valid; per kind of hub the highest peak backlog; the
documents delivered and lost. Runs with the same varied values (a *variant*) differ only by
seed, so their spread is the noise of the model: :func:`band` gives the mean and the 5th–95th
percentile band. :func:`tornado` asks which varied assumption moves each prediction most: for
each key, the mean of the prediction at each of its values (over every other key and seed),
and the swing between the lowest and the highest of those means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from docflow.dist.sweep_model import Band, TornadoBar, TornadoEnd
from docflow.sim.summary_model import SimulationSummary

__all__ = ["Metrics", "band", "run_metrics", "tornado"]

Metrics = dict[str, float | None]
"""Prediction name → value (``None`` where the run has nothing to measure)."""


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 6)


def run_metrics(summary: SimulationSummary) -> Metrics:
    """The predictions a sweep compares, from one run's summary.

    Examples
    --------
    >>> from docflow.runs import simulate
    >>> from docflow.sim.scenario import Period, Scenario
    >>> run = simulate(Scenario(topology="tiny", period=Period(days=1)), crypto="model")
    >>> m = run_metrics(run.summary)
    >>> m["delivered"] > 0, m["peak_backlog.axis"] >= 0, "latency_p95_s.commune" in m
    (True, True, True)
    """
    out: Metrics = {"delivered": float(summary.totals.delivered),
                    "lost": float(summary.totals.lost)}
    for level, row in summary.levels.items():
        out[f"throughput_per_hour.{level.value}"] = _r(row.throughput_per_hour.mean)
        out[f"latency_p95_s.{level.value}"] = _r(row.latency_s.delivery.p95)
        coverage = row.coverage
        out[f"coverage_both_valid.{level.value}"] = _r(coverage.rates.both_valid.rate) \
            if coverage.documents else None
    backlog: dict[str, float] = {}
    for hub in summary.hubs.values():
        kind = hub.kind.value
        backlog[kind] = max(backlog.get(kind, 0.0), float(hub.peak_backlog))
    for kind in sorted(backlog):
        out[f"peak_backlog.{kind}"] = backlog[kind]
    return out


def band(values: Sequence[float | None]) -> Band:
    """Mean, 5th and 95th percentile (linear interpolation), min and max of the known values.

    Examples
    --------
    >>> band([1.0, 2.0, 3.0, None])
    Band(n=3, mean=2.0, p5=1.1, p95=2.9, low=1.0, high=3.0)
    """
    known = np.array([v for v in values if v is not None], dtype=float)
    if not len(known):
        return Band(0, None, None, None, None, None)
    p5, p95 = np.percentile(known, [5, 95])
    return Band(len(known), _r(known.mean()), _r(p5), _r(p95), _r(known.min()),
                _r(known.max()))


def tornado(runs: Sequence[tuple[Mapping[str, Any], Metrics]], keys: Sequence[str]
            ) -> dict[str, tuple[TornadoBar, ...]]:
    """Per prediction, the varied keys by how far they move its mean, largest swing first.

    ``runs`` are (varied values, metrics) pairs. A key with one value moves nothing and is
    left out; ties are broken by key name, so the same runs give the same bytes.

    Examples
    --------
    >>> runs = [({"w": 1}, {"t": 1.0}), ({"w": 2}, {"t": 3.0})]
    >>> tornado(runs, ["w"])["t"][0].swing
    2.0
    """
    names = sorted({name for _, metrics in runs for name in metrics})
    out: dict[str, tuple[TornadoBar, ...]] = {}
    for name in names:
        bars: list[TornadoBar] = []
        for key in keys:
            by_value: dict[str, tuple[Any, list[float]]] = {}
            for values, metrics in runs:
                value = metrics.get(name)
                if value is None:
                    continue
                by_value.setdefault(repr(values[key]), (values[key], []))[1].append(value)
            if len(by_value) < 2:
                continue
            means = sorted(((float(np.mean(v)), raw) for raw, v in by_value.values()),
                           key=lambda m: (m[0], repr(m[1])))
            (low, low_value), (high, high_value) = means[0], means[-1]
            bars.append(TornadoBar(key, TornadoEnd(low_value, _r(low) or 0.0),
                                   TornadoEnd(high_value, _r(high) or 0.0),
                                   _r(high - low) or 0.0))
        bars.sort(key=lambda b: (-b.swing, b.key))
        out[name] = tuple(bars)
    return out
