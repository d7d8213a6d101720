"""The typed model of ``docflow load``'s ``summary.json`` (``docflow.load/1``).

One set of frozen dataclasses is written by the load (:mod:`docflow.axis.load_summary` builds
a :class:`LoadSummary`, :meth:`LoadSummary.to_json` serialises it) and read back by every
reader (:meth:`LoadSummary.from_json`, used by the load report and ``docflow report``), so
that no reader looks a field up by a string key. The JSON Schema
``schemas/load.schema.json`` describes the same layout for other tools; the tests hold real
outputs to it.

The layout keeps the simulation summary's names where a measurement has the same figure
(``scenario``, ``totals``, ``levels``, ``hubs``, ``series``, ``latency_cdf``), over the run's
real time, and adds what only a measurement has (``load``) and the prediction beside it
(``model``). Precision, so that the same run gives the same bytes and no reader sees float
noise: latencies in seconds to the millisecond (:data:`SECONDS_DIGITS`), rates per second to a
thousandth (:data:`PER_S_DIGITS`), shares to :data:`docflow.outputs.RATE_DIGITS` decimals;
counts are integers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from docflow.fields import Fields
from docflow.outputs import OutputSchema

__all__ = ["PER_S_DIGITS", "SECONDS_DIGITS", "Cdf", "Compared", "ComparedQuantiles",
           "HubFigures", "Latency", "LevelComparison", "LevelFigures", "LoadSettings",
           "LoadSummary", "Prediction", "Quantiles", "ScenarioFacts", "Series", "Timeline",
           "Totals", "per_s", "seconds"]

SECONDS_DIGITS = 3
"""Decimals of every latency and duration in seconds: a millisecond, below what HTTP over TLS
on loopback can resolve."""
PER_S_DIGITS = 3
"""Decimals of every rate per second (offered, acknowledged, throughput)."""
QUANTILES = (50, 95, 99)
"""The percentiles every latency reports."""
CDF_SHARES = (0.001, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55,
              0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99, 0.999)
"""Shares at which a latency CDF is sampled (the simulation summary's)."""


def seconds(x: float | None) -> float | None:
    """A latency or duration rounded to :data:`SECONDS_DIGITS` (``None`` stays ``None``).

    >>> seconds(0.0123456), seconds(None), seconds(float("nan"))
    (0.012, None, None)
    """
    return None if x is None or not math.isfinite(x) else round(float(x), SECONDS_DIGITS)


def per_s(x: float | None) -> float | None:
    """A rate per second rounded to :data:`PER_S_DIGITS` (``None`` stays ``None``)."""
    return None if x is None or not math.isfinite(x) else round(float(x), PER_S_DIGITS)


def _q(values: np.ndarray, p: int) -> float | None:
    return seconds(float(np.quantile(values, p / 100))) if len(values) else None


def _counts(f: Fields, name: str) -> dict[str, int]:
    inner = f.obj(name)
    return {k: inner.count(k) for k in inner.names()}


@dataclass(frozen=True, slots=True)
class Quantiles:
    """The 50th, 95th and 99th percentiles of a latency, in seconds (``None``: no value)."""

    p50: float | None
    p95: float | None
    p99: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Quantiles:
        """The rounded percentiles of ``values``.

        >>> Quantiles.of([0.1, 0.2, 0.3])
        Quantiles(p50=0.2, p95=0.29, p99=0.298)
        """
        arr = np.asarray(values, float)
        return cls(*(_q(arr, p) for p in QUANTILES))

    def get(self, name: str) -> float | None:
        """A percentile by its name, ``p50``, ``p95`` or ``p99`` (for table columns)."""
        return {"p50": self.p50, "p95": self.p95, "p99": self.p99}[name]

    def to_json(self) -> dict[str, Any]:
        return {"p50": self.p50, "p95": self.p95, "p99": self.p99}

    @classmethod
    def from_json(cls, f: Fields) -> Quantiles:
        return cls(f.opt_number("p50"), f.opt_number("p95"), f.opt_number("p99"))


@dataclass(frozen=True, slots=True)
class Latency:
    """A latency's count, mean and percentiles, in seconds."""

    count: int
    mean: float | None
    quantiles: Quantiles

    @classmethod
    def of(cls, values: Sequence[float]) -> Latency:
        """The latency of ``values`` (seconds), rounded.

        >>> Latency.of([1.0, 2.0]).to_json()
        {'count': 2, 'mean': 1.5, 'p50': 1.5, 'p95': 1.95, 'p99': 1.99}
        """
        mean = float(np.mean(values)) if len(values) else None
        return cls(len(values), seconds(mean), Quantiles.of(values))

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "mean": self.mean, **self.quantiles.to_json()}

    @classmethod
    def from_json(cls, f: Fields) -> Latency:
        return cls(f.count("count"), f.opt_number("mean"), Quantiles.from_json(f))


@dataclass(frozen=True, slots=True)
class ScenarioFacts:
    """The scenario the load played."""

    name: str
    description: str
    seed: int
    topology: str
    period_start: str
    """The scenario's first day (ISO date); the load plays its working time compressed."""
    days: int
    drain_days: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "seed": self.seed,
                "topology": self.topology,
                "period": {"start": self.period_start, "days": self.days,
                           "drain_days": self.drain_days}}

    @classmethod
    def from_json(cls, f: Fields) -> ScenarioFacts:
        period = f.obj("period")
        return cls(f.text("name"), f.text("description"), f.count("seed"), f.text("topology"),
                   period.text("start"), period.count("days"), period.count("drain_days"))


@dataclass(frozen=True, slots=True)
class Timeline:
    """When the run went, in real time."""

    start: str
    """ISO 8601 at +07:00, to the second."""
    end: str
    wall_s: float
    """Seconds from the start to the end of the drain."""
    sending_s: float
    """Seconds from the start to the last answer to a send."""
    in_flight_at_end: int
    """Deliveries of acknowledged documents that no receiver fetched by the end."""
    unanswered: int
    """Deliveries fetched but not answered with a final status by the end."""

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "wall_s": self.wall_s,
                "sending_s": self.sending_s, "in_flight_at_end": self.in_flight_at_end,
                "unanswered": self.unanswered}

    @classmethod
    def from_json(cls, f: Fields) -> Timeline:
        return cls(f.text("start"), f.text("end"), f.number("wall_s"), f.number("sending_s"),
                   f.count("in_flight_at_end"), f.count("unanswered"))


@dataclass(frozen=True, slots=True)
class Totals:
    """The run's counts over every level."""

    documents_sent: int
    """Documents the axis acknowledged."""
    deliveries: int
    """(document, receiver) pairs of those documents."""
    delivered: int
    """Deliveries their receivers fetched."""
    lost: int
    """Deliveries not fetched by the end."""
    status_sent: int
    """Status messages the receivers sent (01, then 03 or 02)."""
    status_by_code: Mapping[str, int]

    def to_json(self) -> dict[str, Any]:
        return {"documents_sent": self.documents_sent, "deliveries": self.deliveries,
                "delivered": self.delivered, "lost": self.lost,
                "status_messages": {"sent": self.status_sent,
                                    "by_code": dict(self.status_by_code)}}

    @classmethod
    def from_json(cls, f: Fields) -> Totals:
        status = f.obj("status_messages")
        return cls(f.count("documents_sent"), f.count("deliveries"), f.count("delivered"),
                   f.count("lost"), status.count("sent"), _counts(status, "by_code"))


@dataclass(frozen=True, slots=True)
class LevelFigures:
    """The figures of the documents sent by agencies of one level."""

    level: str
    agencies: int
    sent: int
    deliveries: int
    delivered: int
    lost: int
    accepted: int
    """Deliveries answered 03."""
    rejected: int
    """Deliveries answered 02."""
    throughput_mean: float | None
    """Deliveries fetched per real hour, over the whole run."""
    throughput_peak: int
    """Deliveries fetched in the busiest second, times 3,600."""
    delivery: Latency
    """Due → fetched by the receiver."""
    acceptance: Latency
    """Due → the axis acknowledged the receiver's 03."""
    ack: Latency
    """Due → the axis acknowledged the document: the service's latency."""

    def to_json(self) -> dict[str, Any]:
        return {"agencies": self.agencies, "sent": self.sent, "deliveries": self.deliveries,
                "delivered": self.delivered, "lost": self.lost, "accepted": self.accepted,
                "rejected": self.rejected,
                "throughput_per_hour": {"mean": self.throughput_mean,
                                        "peak": self.throughput_peak},
                "latency_s": {"delivery": self.delivery.to_json(),
                              "acceptance": self.acceptance.to_json(),
                              "ack": self.ack.to_json()}}

    @classmethod
    def from_json(cls, level: str, f: Fields) -> LevelFigures:
        tp, lat = f.obj("throughput_per_hour"), f.obj("latency_s")
        return cls(level, f.count("agencies"), f.count("sent"), f.count("deliveries"),
                   f.count("delivered"), f.count("lost"), f.count("accepted"),
                   f.count("rejected"), tp.opt_number("mean"), tp.count("peak"),
                   Latency.from_json(lat.obj("delivery")),
                   Latency.from_json(lat.obj("acceptance")), Latency.from_json(lat.obj("ack")))


@dataclass(frozen=True, slots=True)
class HubFigures:
    """The documents sent by the agencies of one hub of the topology.

    The sandbox is one server, so every message passes through it; a hub here is the group of
    senders the topology attaches to it (a province's LGSP, a ministry's system), which is
    where a slow province or ministry shows.
    """

    hub: str
    name: str
    kind: str
    province: str | None
    agencies: int
    sent: int
    deliveries: int
    delivered: int
    lost: int
    delivery: Latency
    ack: Latency

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "province": self.province,
                "agencies": self.agencies, "sent": self.sent, "deliveries": self.deliveries,
                "delivered": self.delivered, "lost": self.lost,
                "latency_s": {"delivery": self.delivery.to_json(), "ack": self.ack.to_json()}}

    @classmethod
    def from_json(cls, hub: str, f: Fields) -> HubFigures:
        lat = f.obj("latency_s")
        return cls(hub, f.text("name"), f.text("kind"), f.opt_text("province"),
                   f.count("agencies"), f.count("sent"), f.count("deliveries"),
                   f.count("delivered"), f.count("lost"), Latency.from_json(lat.obj("delivery")),
                   Latency.from_json(lat.obj("ack")))

    def worst_first(self) -> tuple[float, int, str]:
        """Sort key: the slowest p95 to delivery first, then most lost, then by id."""
        p95 = self.delivery.quantiles.p95
        return (-(p95 if p95 is not None else -1.0), -self.lost, self.hub)


@dataclass(frozen=True, slots=True)
class Series:
    """Per-second counts over the run (the load's real time)."""

    start: str
    step_s: int
    throughput: Mapping[str, tuple[int, ...]]
    """Per level, deliveries fetched in each step."""
    sent: Mapping[str, tuple[int, ...]]
    """Per level, documents acknowledged in each step."""
    backlog: tuple[int, ...]
    """Deliveries acknowledged and not yet fetched, at the start of each step."""

    @property
    def steps(self) -> int:
        return len(self.backlog)

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "step_s": self.step_s, "steps": self.steps,
                "throughput": {k: list(v) for k, v in self.throughput.items()},
                "sent": {k: list(v) for k, v in self.sent.items()},
                "backlog": list(self.backlog)}

    @classmethod
    def from_json(cls, f: Fields) -> Series:
        def ints(g: Fields, name: str) -> tuple[int, ...]:
            values = g.numbers(name)
            if any(not (math.isfinite(v) and v.is_integer() and v >= 0) for v in values):
                raise g.fail(name, "expected a list of counts")
            return tuple(int(v) for v in values)

        tp, sent = f.obj("throughput"), f.obj("sent")
        series = cls(f.text("start"), f.count("step_s"),
                     {k: ints(tp, k) for k in tp.names()},
                     {k: ints(sent, k) for k in sent.names()}, ints(f, "backlog"))
        if f.count("steps") != series.steps:
            raise f.fail("steps", f"expected {series.steps}, the length of backlog")
        return series


@dataclass(frozen=True, slots=True)
class Cdf:
    """A level's latency CDFs: ``(seconds, share)`` points at :data:`CDF_SHARES`."""

    delivery: tuple[tuple[float, float], ...]
    acceptance: tuple[tuple[float, float], ...]

    @classmethod
    def of(cls, delivery: Sequence[float], acceptance: Sequence[float]) -> Cdf:
        def points(values: Sequence[float]) -> tuple[tuple[float, float], ...]:
            if not len(values):
                return ()
            arr = np.asarray(values, float)
            return tuple((seconds(float(np.quantile(arr, q))) or 0.0, q) for q in CDF_SHARES)

        return cls(points(delivery), points(acceptance))

    def to_json(self) -> dict[str, Any]:
        return {"delivery": [list(p) for p in self.delivery],
                "acceptance": [list(p) for p in self.acceptance]}

    @classmethod
    def from_json(cls, f: Fields) -> Cdf:
        def points(name: str) -> tuple[tuple[float, float], ...]:
            out = []
            for i, point in enumerate(f.array(name)):
                if (not isinstance(point, list) or len(point) != 2 or not all(
                        isinstance(v, int | float) and not isinstance(v, bool) for v in point)):
                    raise f.fail(f"{name}[{i}]", "expected a [seconds, share] pair of numbers")
                out.append((float(point[0]), float(point[1])))
            return tuple(out)

        return cls(points("delivery"), points("acceptance"))


@dataclass(frozen=True, slots=True)
class LoadSettings:
    """What only a measurement has: the run's bounds and the service's answers."""

    url: str
    rate_scale: float
    duration_s: float
    drain_s: float
    statuses: bool
    scenario_working_s: float
    """Scenario working seconds the plan covers."""
    planned: int
    attempted: int
    skipped_outside_pki: int
    offered_per_s: float | None
    acknowledged_per_s: float | None
    requests: int
    requests_per_s: float | None
    ack_latency: Latency
    refused: Mapping[str, int]
    """Documents refused, per finding code."""
    transport_failures: int
    status_fetched: int

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "rate_scale": self.rate_scale, "duration_s": self.duration_s,
                "drain_s": self.drain_s, "statuses": self.statuses,
                "scenario_working_s": self.scenario_working_s, "planned": self.planned,
                "attempted": self.attempted, "skipped_outside_pki": self.skipped_outside_pki,
                "offered_per_s": self.offered_per_s,
                "acknowledged_per_s": self.acknowledged_per_s, "requests": self.requests,
                "requests_per_s": self.requests_per_s,
                "ack_latency_s": self.ack_latency.to_json(), "refused": dict(self.refused),
                "transport_failures": self.transport_failures,
                "status_fetched": self.status_fetched}

    @classmethod
    def from_json(cls, f: Fields) -> LoadSettings:
        return cls(f.text("url"), f.number("rate_scale"), f.number("duration_s"),
                   f.number("drain_s"), f.flag("statuses"), f.number("scenario_working_s"),
                   f.count("planned"), f.count("attempted"), f.count("skipped_outside_pki"),
                   f.opt_number("offered_per_s"), f.opt_number("acknowledged_per_s"),
                   f.count("requests"), f.opt_number("requests_per_s"),
                   Latency.from_json(f.obj("ack_latency_s")), _counts(f, "refused"),
                   f.count("transport_failures"), f.count("status_fetched"))


@dataclass(frozen=True, slots=True)
class Compared:
    """One figure, predicted by the model and measured on the service."""

    predicted: float | None
    measured: float | None

    @property
    def difference(self) -> float | None:
        """Predicted minus measured."""
        if self.predicted is None or self.measured is None:
            return None
        return self.predicted - self.measured

    @property
    def ratio(self) -> float | None:
        """Predicted over measured (``None`` when the measurement is zero or missing).

        >>> Compared(9.0, 10.0).ratio, Compared(1.0, 0.0).ratio
        (0.9, None)
        """
        if self.predicted is None or not self.measured:
            return None
        return self.predicted / self.measured

    def to_json(self) -> dict[str, Any]:
        return {"predicted": self.predicted, "measured": self.measured}

    @classmethod
    def from_json(cls, f: Fields) -> Compared:
        return cls(f.opt_number("predicted"), f.opt_number("measured"))


@dataclass(frozen=True, slots=True)
class ComparedQuantiles:
    """A latency's percentiles, predicted and measured."""

    predicted: Quantiles
    measured: Quantiles

    def rows(self) -> list[tuple[str, Compared]]:
        """``(percentile, Compared)`` in the order p50, p95, p99."""
        return [(f"p{p}", Compared(self.predicted.get(f"p{p}"), self.measured.get(f"p{p}")))
                for p in QUANTILES]

    def to_json(self) -> dict[str, Any]:
        return {"predicted": self.predicted.to_json(), "measured": self.measured.to_json()}

    @classmethod
    def from_json(cls, f: Fields) -> ComparedQuantiles:
        return cls(Quantiles.from_json(f.obj("predicted")),
                   Quantiles.from_json(f.obj("measured")))


@dataclass(frozen=True, slots=True)
class LevelComparison:
    """The prediction and the measurement of one level's documents."""

    level: str
    documents: int
    throughput: Compared
    """Documents acknowledged per second, from the start to the level's last."""
    ack_latency: ComparedQuantiles

    def to_json(self) -> dict[str, Any]:
        return {"documents": self.documents, "throughput_per_s": self.throughput.to_json(),
                "ack_latency_s": self.ack_latency.to_json()}

    @classmethod
    def from_json(cls, level: str, f: Fields) -> LevelComparison:
        return cls(level, f.count("documents"), Compared.from_json(f.obj("throughput_per_s")),
                   ComparedQuantiles.from_json(f.obj("ack_latency_s")))


@dataclass(frozen=True, slots=True)
class Prediction:
    """The simulator's FIFO stage fed with the run's arrivals and the measured service cost,
    beside what the run measured (:mod:`docflow.axis.load_model`)."""

    service_ms: float
    workers: int
    messages: int
    """Documents and status messages, all of which queue for the service."""
    documents: int
    status_messages: int
    offered_per_s: float | None
    utilisation: float | None
    """Offered messages times the service time over the workers (a share)."""
    throughput: Compared
    """Documents acknowledged per second."""
    ack_latency: ComparedQuantiles
    levels: tuple[LevelComparison, ...]
    last_departure_s: float | None

    def to_json(self) -> dict[str, Any]:
        return {"service_ms": self.service_ms, "workers": self.workers,
                "messages": self.messages, "documents": self.documents,
                "status_messages": self.status_messages, "offered_per_s": self.offered_per_s,
                "utilisation": self.utilisation, "throughput_per_s": self.throughput.to_json(),
                "ack_latency_s": self.ack_latency.to_json(),
                "levels": {lv.level: lv.to_json() for lv in self.levels},
                "predicted_last_departure_s": self.last_departure_s}

    @classmethod
    def from_json(cls, f: Fields) -> Prediction:
        levels = f.obj("levels")
        return cls(f.number("service_ms"), f.count("workers"), f.count("messages"),
                   f.count("documents"), f.count("status_messages"),
                   f.opt_number("offered_per_s"), f.opt_number("utilisation"),
                   Compared.from_json(f.obj("throughput_per_s")),
                   ComparedQuantiles.from_json(f.obj("ack_latency_s")),
                   tuple(LevelComparison.from_json(k, levels.obj(k)) for k in levels.names()),
                   f.opt_number("predicted_last_departure_s"))


@dataclass(frozen=True, slots=True)
class LoadSummary:
    """``docflow load``'s ``summary.json``: what a run measured, and the prediction beside it.

    Examples
    --------
    >>> LoadSummary.from_json({"schema": "docflow.simulation/1"})
    Traceback (most recent call last):
    docflow.errors.InputError: DF-REP-002 schema: expected 'docflow.load/1', found \
'docflow.simulation/1'
    """

    docflow_version: str
    scenario: ScenarioFacts
    run: Timeline
    topology_agencies: Mapping[str, int]
    """Agencies of the plan per level (those the PKI folder and the topology share)."""
    totals: Totals
    levels: tuple[LevelFigures, ...]
    """In level order: central, province, district, commune."""
    hubs: tuple[HubFigures, ...]
    """In the topology's order."""
    series: Series
    latency_cdf: Mapping[str, Cdf]
    load: LoadSettings
    model: Prediction | None
    """``None`` when the run was not given a service cost to predict from."""

    @property
    def provinces(self) -> tuple[HubFigures, ...]:
        """The hubs that serve a province (its LGSP), by province name."""
        return tuple(sorted((h for h in self.hubs if h.province), key=lambda h: h.province
                            or ""))

    @property
    def hubs_worst_first(self) -> tuple[HubFigures, ...]:
        """The hubs, the slowest p95 to delivery first, then the most lost."""
        return tuple(sorted(self.hubs, key=HubFigures.worst_first))

    def to_json(self) -> dict[str, Any]:
        """The JSON-ready dict, in the file's key order."""
        return {
            "schema": OutputSchema.LOAD.value, "docflow_version": self.docflow_version,
            "scenario": self.scenario.to_json(), "run": self.run.to_json(),
            "topology": {"name": self.scenario.topology,
                         "agencies": dict(self.topology_agencies)},
            "totals": self.totals.to_json(),
            "levels": {lv.level: lv.to_json() for lv in self.levels},
            "hubs": {h.hub: h.to_json() for h in self.hubs},
            "series": self.series.to_json(),
            "latency_cdf": {k: v.to_json() for k, v in self.latency_cdf.items()},
            "load": self.load.to_json(),
            "model": None if self.model is None else self.model.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], file: str | None = None) -> LoadSummary:
        """Read and check a parsed ``summary.json`` of ``docflow load``.

        Raises
        ------
        InputError
            ``DF-REP-002`` naming the dotted key of the first field missing or mistyped,
            or ``schema`` when the file is another layout.
        """
        root = Fields(data, file)
        if root.text("schema") != OutputSchema.LOAD.value:
            raise root.fail("schema", f"expected {OutputSchema.LOAD.value!r}, found "
                            f"{root.text('schema')!r}")
        levels, hubs, cdf = root.obj("levels"), root.obj("hubs"), root.obj("latency_cdf")
        topo = root.obj("topology")
        return cls(
            docflow_version=root.text("docflow_version"),
            scenario=ScenarioFacts.from_json(root.obj("scenario")),
            run=Timeline.from_json(root.obj("run")),
            topology_agencies=_counts(topo, "agencies"),
            totals=Totals.from_json(root.obj("totals")),
            levels=tuple(LevelFigures.from_json(k, levels.obj(k)) for k in levels.names()),
            hubs=tuple(HubFigures.from_json(k, hubs.obj(k)) for k in hubs.names()),
            series=Series.from_json(root.obj("series")),
            latency_cdf={k: Cdf.from_json(cdf.obj(k)) for k in cdf.names()},
            load=LoadSettings.from_json(root.obj("load")),
            model=Prediction.from_json(root.obj("model")) if root.has("model") else None)
