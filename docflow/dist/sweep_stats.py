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

__all__ = ["Metrics", "band", "run_metrics", "tornado"]

Metrics = dict[str, float | None]
"""Prediction name → value (``None`` where the run has nothing to measure)."""


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 6)


def run_metrics(summary: Mapping[str, Any]) -> Metrics:
    """The predictions a sweep compares, from one run's summary.

    Examples
    --------
    >>> s = {"levels": {"province": {"throughput_per_hour": {"mean": 12.5},
    ...      "latency_s": {"delivery": {"p95": 3.0}},
    ...      "coverage": {"documents": 0, "rates": {}}}},
    ...      "hubs": {"axis": {"kind": "axis", "peak_backlog": 4}},
    ...      "totals": {"delivered": 10, "lost": 0}}
    >>> run_metrics(s)["throughput_per_hour.province"], run_metrics(s)["peak_backlog.axis"]
    (12.5, 4.0)
    """
    out: Metrics = {"delivered": float(summary["totals"]["delivered"]),
                    "lost": float(summary["totals"]["lost"])}
    for level, row in summary["levels"].items():
        out[f"throughput_per_hour.{level}"] = _r(row["throughput_per_hour"]["mean"])
        out[f"latency_p95_s.{level}"] = _r(row["latency_s"]["delivery"]["p95"])
        coverage = row["coverage"]
        out[f"coverage_both_valid.{level}"] = _r(coverage["rates"]["both_valid"]["rate"]) \
            if coverage["documents"] else None
    backlog: dict[str, float] = {}
    for hub in summary["hubs"].values():
        kind = str(hub["kind"])
        backlog[kind] = max(backlog.get(kind, 0.0), float(hub["peak_backlog"]))
    for kind in sorted(backlog):
        out[f"peak_backlog.{kind}"] = backlog[kind]
    return out


def band(values: Sequence[float | None]) -> dict[str, float | int | None]:
    """Mean, 5th and 95th percentile (linear interpolation), min and max of the known values.

    Examples
    --------
    >>> band([1.0, 2.0, 3.0, None])
    {'n': 3, 'mean': 2.0, 'p5': 1.1, 'p95': 2.9, 'min': 1.0, 'max': 3.0}
    """
    known = np.array([v for v in values if v is not None], dtype=float)
    if not len(known):
        return {"n": 0, "mean": None, "p5": None, "p95": None, "min": None, "max": None}
    p5, p95 = np.percentile(known, [5, 95])
    return {"n": len(known), "mean": _r(known.mean()), "p5": _r(p5), "p95": _r(p95),
            "min": _r(known.min()), "max": _r(known.max())}


def tornado(runs: Sequence[tuple[Mapping[str, Any], Metrics]], keys: Sequence[str]
            ) -> dict[str, list[dict[str, Any]]]:
    """Per prediction, the varied keys by how far they move its mean, largest swing first.

    ``runs`` are (varied values, metrics) pairs. A key with one value moves nothing and is
    left out; ties are broken by key name, so the same runs give the same bytes.

    Examples
    --------
    >>> runs = [({"w": 1}, {"t": 1.0}), ({"w": 2}, {"t": 3.0})]
    >>> tornado(runs, ["w"])["t"][0]["swing"]
    2.0
    """
    names = sorted({name for _, metrics in runs for name in metrics})
    out: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        bars: list[dict[str, Any]] = []
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
            bars.append({"key": key, "low": {"value": low_value, "mean": _r(low)},
                         "high": {"value": high_value, "mean": _r(high)},
                         "swing": _r(high - low)})
        bars.sort(key=lambda b: (-(b["swing"] or 0.0), b["key"]))
        out[name] = bars
    return out
