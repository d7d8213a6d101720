"""The typed model of ``docflow load``'s ``summary.json`` (``docflow.load/1``).

One set of frozen dataclasses is written by the load (:mod:`docflow.axis.load_summary` builds
a :class:`LoadSummary`, :meth:`~docflow.jsonmodel.JsonModel.to_json` writes it) and read back by
every reader (:meth:`~docflow.jsonmodel.JsonModel.from_json`, used by the load report and
``docflow report``), so that no reader looks a field up by a string key. Each class is one
object of the layout, its fields the object's keys in the order written (the pattern of
:mod:`docflow.sim.summary_model`, whose latency and CDF objects it shares); the JSON Schema
``schemas/load.schema.json`` says the same for other tools, and the tests hold real outputs to
both.

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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

import numpy as np

from docflow.jsonmodel import JsonModel
from docflow.levels import Level
from docflow.outputs import OutputSchema
from docflow.sim.summary_model import Latency, LatencyCdf, PeriodInfo
from docflow.topology.model import HubKind

__all__ = ["CDF_SHARES", "PER_S_DIGITS", "QUANTILES", "SECONDS_DIGITS", "Compared",
           "ComparedQuantiles", "HubFigures", "HubLatencies", "LevelComparison",
           "LevelFigures", "LevelLatencies", "LoadSettings", "LoadSummary", "Prediction",
           "Quantiles", "RunInfo", "ScenarioInfo", "StatusMessages", "Throughput",
           "TimeSeries", "TopologyInfo", "Totals", "cdf_of", "latency_of", "per_s", "seconds"]

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
        return cls(*(seconds(float(np.quantile(arr, p / 100))) if len(arr) else None
                     for p in QUANTILES))

    @classmethod
    def from_latency(cls, latency: Latency) -> Quantiles:
        return cls(latency.p50, latency.p95, latency.p99)

    def get(self, name: str) -> float | None:
        """A percentile by its name, ``p50``, ``p95`` or ``p99`` (for table columns)."""
        return {"p50": self.p50, "p95": self.p95, "p99": self.p99}[name]


def latency_of(values: Sequence[float]) -> Latency:
    """The latency of ``values`` (seconds): count, mean and percentiles, rounded.

    >>> latency_of([1.0, 2.0])
    Latency(count=2, mean=1.5, p50=1.5, p95=1.95, p99=1.99)
    """
    q = Quantiles.of(values)
    return Latency(len(values), seconds(float(np.mean(values))) if len(values) else None,
                   q.p50, q.p95, q.p99)


def cdf_of(delivery: Sequence[float], acceptance: Sequence[float]) -> LatencyCdf:
    """The CDFs of two latencies: ``(seconds, share)`` at :data:`CDF_SHARES`."""
    def points(values: Sequence[float]) -> tuple[tuple[float, float], ...]:
        if not len(values):
            return ()
        arr = np.asarray(values, float)
        return tuple((seconds(float(np.quantile(arr, q))) or 0.0, q) for q in CDF_SHARES)

    return LatencyCdf(points(delivery), points(acceptance))


@dataclass(frozen=True, slots=True)
class ScenarioInfo:
    """The scenario the load played (its working time compressed by the rate scale)."""

    name: str
    description: str
    seed: int
    topology: str
    period: PeriodInfo


@dataclass(frozen=True, slots=True)
class RunInfo:
    """When the run went, in real time."""

    start: datetime
    """To the second, Vietnam time."""
    end: datetime
    wall_s: float
    """Seconds from the start to the end of the drain."""
    sending_s: float
    """Seconds from the start to the last answer to a send."""
    in_flight_at_end: int
    """Deliveries of acknowledged documents that no receiver fetched by the end."""
    unanswered: int
    """Deliveries fetched but not answered with a final status by the end."""


@dataclass(frozen=True, slots=True)
class TopologyInfo:
    name: str
    agencies: dict[Level, int]
    """Agencies of the plan per level (those the PKI folder and the topology share)."""


@dataclass(frozen=True, slots=True)
class StatusMessages:
    sent: int
    """Status messages the receivers sent (01, then 03 or 02)."""
    by_code: dict[str, int]


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
    status_messages: StatusMessages


@dataclass(frozen=True, slots=True)
class Throughput:
    """Deliveries fetched per real hour over the run, and in its busiest second."""

    mean: float | None
    peak: int
    """Deliveries fetched in the busiest second, times 3,600."""


@dataclass(frozen=True, slots=True)
class LevelLatencies:
    delivery: Latency
    """Due → fetched by the receiver."""
    acceptance: Latency
    """Due → the axis acknowledged the receiver's 03."""
    ack: Latency
    """Due → the axis acknowledged the document: the service's latency."""


@dataclass(frozen=True, slots=True)
class LevelFigures:
    """The figures of the documents sent by agencies of one level."""

    agencies: int
    sent: int
    deliveries: int
    delivered: int
    lost: int
    accepted: int
    """Deliveries answered 03."""
    rejected: int
    """Deliveries answered 02."""
    throughput_per_hour: Throughput
    latency_s: LevelLatencies


@dataclass(frozen=True, slots=True)
class HubLatencies:
    delivery: Latency
    ack: Latency


@dataclass(frozen=True, slots=True)
class HubFigures:
    """The documents sent by the agencies of one hub of the topology.

    The sandbox is one server, so every message passes through it; a hub here is the group of
    senders the topology attaches to it (a province's LGSP, a ministry's system), which is
    where a slow province or ministry shows.
    """

    name: str
    kind: HubKind
    province: str | None
    agencies: int
    sent: int
    deliveries: int
    delivered: int
    lost: int
    latency_s: HubLatencies


@dataclass(frozen=True, slots=True)
class TimeSeries:
    """Per-second counts over the run (the load's real time)."""

    start: datetime
    step_s: int
    steps: int
    throughput: dict[Level, tuple[int, ...]]
    """Per level, deliveries fetched in each step."""
    sent: dict[Level, tuple[int, ...]]
    """Per level, documents acknowledged in each step."""
    backlog: tuple[int, ...]
    """Deliveries acknowledged and not yet fetched, in each step."""


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
    ack_latency_s: Latency
    """Due → acknowledged (or refused), every document sent."""
    refused: dict[str, int]
    """Documents refused, per finding code."""
    transport_failures: int
    status_fetched: int


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


@dataclass(frozen=True, slots=True)
class ComparedQuantiles:
    """A latency's percentiles, predicted and measured."""

    predicted: Quantiles
    measured: Quantiles

    def rows(self) -> list[tuple[str, Compared]]:
        """``(percentile, Compared)`` in the order p50, p95, p99."""
        return [(f"p{p}", Compared(self.predicted.get(f"p{p}"), self.measured.get(f"p{p}")))
                for p in QUANTILES]


@dataclass(frozen=True, slots=True)
class LevelComparison:
    """The prediction and the measurement of one level's documents."""

    documents: int
    throughput_per_s: Compared
    """Documents acknowledged per second, from the start to the level's last."""
    ack_latency_s: ComparedQuantiles


@dataclass(frozen=True, slots=True)
class Prediction:
    """The simulator's FIFO stage fed with the run's arrivals and the measured service cost,
    beside what the run measured (:mod:`docflow.axis.load_model`)."""

    service_ms: float
    workers: int
    transit_ms: float
    """Each message's time outside the queue (TLS and HTTP both ways, the commit), added to
    its predicted latency; 0 when not given."""
    messages: int
    """Documents and status messages, all of which queue for the service."""
    documents: int
    status_messages: int
    offered_per_s: float | None
    utilisation: float | None
    """Offered messages times the service time over the workers (a share)."""
    throughput_per_s: Compared
    """Documents acknowledged per second."""
    ack_latency_s: ComparedQuantiles
    levels: dict[Level, LevelComparison]
    predicted_last_departure_s: float | None


@dataclass(frozen=True, slots=True)
class LoadSummary(JsonModel):
    """``docflow load``'s ``summary.json``: what a run measured, and the prediction beside it.

    Examples
    --------
    >>> LoadSummary.from_dict({"schema": "docflow.simulation/1"})
    Traceback (most recent call last):
    docflow.errors.InputError: DF-REP-002 schema: expected the layout docflow.load/1, found \
'docflow.simulation/1'
    """

    SCHEMA: ClassVar[OutputSchema] = OutputSchema.LOAD

    schema: str
    docflow_version: str
    scenario: ScenarioInfo
    run: RunInfo
    topology: TopologyInfo
    totals: Totals
    levels: dict[Level, LevelFigures]
    """By the sender's level, central first."""
    hubs: dict[str, HubFigures]
    """By hub id, in the topology's order; only hubs with agencies in the plan."""
    series: TimeSeries
    latency_cdf: dict[Level, LatencyCdf]
    load: LoadSettings
    model: Prediction | None
    """``None`` when the run was given no service cost to predict from."""

    @property
    def provinces(self) -> list[tuple[str, HubFigures]]:
        """``(hub id, hub)`` of the hubs that serve a province (its LGSP), by province name."""
        return sorted(((k, h) for k, h in self.hubs.items() if h.province),
                      key=lambda kh: kh[1].province or "")

    @property
    def hubs_worst_first(self) -> list[tuple[str, HubFigures]]:
        """``(hub id, hub)``, the slowest p95 to delivery first, then the most lost."""
        def key(kh: tuple[str, HubFigures]) -> tuple[float, int, str]:
            p95 = kh[1].latency_s.delivery.p95
            return (-(p95 if p95 is not None else -1.0), -kh[1].lost, kh[0])

        return sorted(self.hubs.items(), key=key)
