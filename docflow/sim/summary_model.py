"""The typed model of ``summary.json`` (``docflow.simulation/1``), shared by writer and readers.

:func:`docflow.sim.summary.build_summary` builds a :class:`SimulationSummary` and writes its
:meth:`~docflow.jsonmodel.JsonModel.to_json`; the report, ``docflow sweep``'s statistics and
the terminal summary read ``summary.json`` back with
:meth:`~docflow.jsonmodel.JsonModel.from_json` and use attributes. Each class is one object of
the layout, its fields the object's keys in the order written; the JSON Schema
``docflow/schemas/simulation.schema.json`` says the same for other languages, and a test holds
the two to each other on real runs.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar

from docflow.envelope.status import StatusCode
from docflow.jsonmodel import JsonModel, optional
from docflow.levels import Level
from docflow.metrics.coverage_json import Coverage
from docflow.outputs import OutputSchema
from docflow.sim.scenario import CryptoKind, FigureRole, Measure
from docflow.topology.model import HubKind
from docflow.traffic.spec import Direction

__all__ = ["AssumptionUsed", "Calibrated", "FaultKind", "FaultRow", "HubFigures",
           "HubLatencies", "HubMessages", "Lane", "Latency", "LatencyCdf", "LevelFigures",
           "LevelLatencies", "OutageKind", "OutageRow", "PeriodInfo", "RetryInfo", "RunInfo",
           "ScenarioInfo", "SimulationSummary", "StatusCount", "StatusMessages", "Throughput",
           "TimeSeries", "TopologyInfo", "Totals"]


class FaultKind(enum.StrEnum):
    """A fault of the scenario, as ``scenario.faults[].kind`` names it."""

    HUB_OUTAGE = "hub_outage"
    AGENCY_OUTAGE = "agency_outage"
    TAMPERING = "tampering"
    EXPIRED_CERTIFICATES = "expired_certificates"
    REVOKED_CERTIFICATES = "revoked_certificates"
    NEVER_SIGNS = "never_signs"


class OutageKind(enum.StrEnum):
    """What was down in an outage window."""

    HUB = "hub"
    AGENCY = "agency"


@dataclass(frozen=True, slots=True)
class FaultRow:
    """One fault: an outage window (target, start, end), a rate, or an agency that never signs.

    The fields a kind does not have are ``None`` and left out of the file.
    """

    kind: FaultKind
    target: str | None = field(default=None, metadata=optional())
    start: datetime | None = field(default=None, metadata=optional())
    end: datetime | None = field(default=None, metadata=optional())
    rate: float | None = field(default=None, metadata=optional())


@dataclass(frozen=True, slots=True)
class PeriodInfo:
    start: date
    days: int
    drain_days: int


@dataclass(frozen=True, slots=True)
class RetryInfo:
    backoff_s: float
    factor: float
    backoff_max_s: float
    max_attempts: int


@dataclass(frozen=True, slots=True)
class ScenarioInfo:
    """What was simulated: the scenario's name, seed, period and faults."""

    name: str
    description: str
    seed: int
    topology: str
    start: datetime
    end: datetime
    """The end of the simulated period (the drain comes after it)."""
    period: PeriodInfo
    crypto: str
    """The crypto mode as the scenario writes it: ``model``, ``sample:N`` or ``real``."""
    algorithm: str
    faults: tuple[FaultRow, ...]
    retry: RetryInfo


@dataclass(frozen=True, slots=True)
class RunInfo:
    windows: int
    last_event: datetime
    in_flight_at_end: int
    unanswered_after_horizon: int
    coverage_from: CryptoKind
    coverage_documents: int


@dataclass(frozen=True, slots=True)
class TopologyInfo:
    name: str
    agencies: dict[Level, int]
    hubs: int
    provinces: int


@dataclass(frozen=True, slots=True)
class HubMessages:
    documents: int
    status: int


@dataclass(frozen=True, slots=True)
class StatusCount:
    label: str
    sent: int
    delivered: int
    lost: int


@dataclass(frozen=True, slots=True)
class StatusMessages:
    sent: int
    delivered: int
    lost: int
    lost_at_hubs: int
    lost_at_agencies: int
    in_flight_at_end: int
    by_code: dict[StatusCode, StatusCount]


@dataclass(frozen=True, slots=True)
class Totals:
    """The whole run's counts."""

    documents_sent: int
    deliveries: int
    """(document, recipient) pairs: one document to five recipients is five deliveries."""
    delivered: int
    lost: int
    lost_at_hubs: int
    lost_at_agencies: int
    in_flight_at_end: int
    hub_messages: HubMessages
    status_messages: StatusMessages
    document_types: dict[str, int]
    priorities: dict[str, int]
    directions: dict[Direction, int]


@dataclass(frozen=True, slots=True)
class Throughput:
    """Deliveries per hour over the period: mean, mean over working hours, peak hour."""

    mean: float
    mean_working: float | None
    peak: int


@dataclass(frozen=True, slots=True)
class Latency:
    """Seconds, rounded to the millisecond; ``None`` when nothing was counted."""

    count: int
    mean: float | None
    p50: float | None
    p95: float | None
    p99: float | None


@dataclass(frozen=True, slots=True)
class LevelLatencies:
    delivery: Latency
    acceptance: Latency
    """To the receiver's acceptance (status 03)."""
    received: Latency


@dataclass(frozen=True, slots=True)
class LevelFigures:
    """The figures of the documents sent by one level's agencies."""

    agencies: int
    sent: int
    deliveries: int
    delivered: int
    lost: int
    received: int
    accepted: int
    rejected: int
    throughput_per_hour: Throughput
    latency_s: LevelLatencies
    coverage: Coverage


@dataclass(frozen=True, slots=True)
class HubLatencies:
    delivery: Latency
    acceptance: Latency


@dataclass(frozen=True, slots=True)
class Lane:
    """A hub's lanes of one message class (documents or status messages)."""

    messages: int
    utilisation: float
    """Busy worker-time that fits the period over the workers' time in it (never above 1)."""
    offered_load: float
    """Service time of every message over the lanes' capacity in the period; above 1 is
    overload."""
    peak_hour_utilisation: float
    peak_backlog: int
    """The larger of :attr:`peak_queued` and :attr:`peak_waiting_hourly`."""
    peak_queued: int
    peak_waiting_hourly: int
    mean_wait_s: float | None
    refused_attempts: int
    dead_letters: int


@dataclass(frozen=True, slots=True)
class HubFigures:
    """One hub: what its agencies sent and how the hub's lanes coped."""

    name: str
    kind: HubKind
    province: str | None
    """The province a provincial hub serves; ``None`` for the axis and ministries."""
    agencies: int
    sent: int
    deliveries: int
    delivered: int
    lost: int
    latency_s: HubLatencies
    documents: Lane
    status: Lane
    utilisation: float
    """The document lanes' utilisation (as :attr:`Lane.utilisation`)."""
    offered_load: float
    peak_backlog: int
    outages: int
    coverage: Coverage


@dataclass(frozen=True, slots=True)
class TimeSeries:
    """Per-step series from :attr:`start`, every :attr:`step_s` seconds."""

    start: datetime
    step_s: int
    """3600 (hourly) for periods up to a quarter, 86400 (daily) beyond."""
    steps: int
    throughput: dict[Level, tuple[int, ...]]
    """Deliveries per step, by the sender's level."""
    sent: dict[Level, tuple[int, ...]]
    backlog: dict[str, tuple[int, ...]]
    """Messages waiting at the end of each step, by hub id."""
    utilisation: dict[str, tuple[float, ...]]
    """Busy share of each hub's document workers in each step, by hub id."""


@dataclass(frozen=True, slots=True)
class LatencyCdf:
    """``(seconds, share)`` points at fixed shares; empty when nothing was counted."""

    delivery: tuple[tuple[float, float], ...]
    acceptance: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class OutageRow:
    kind: OutageKind
    target: str
    """A hub id or an agency's organ code."""
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Calibrated:
    """A published figure beside what the run produced."""

    figure: str
    measure: Measure
    scope: str | None
    unit: str
    published: float
    simulated: float | None
    ratio: float | None
    source: str
    role: FigureRole
    """Only a prediction's agreement is evidence."""


@dataclass(frozen=True, slots=True)
class AssumptionUsed:
    """An entry of the assumptions register and the value the run used."""

    name: str
    value: float | None
    default: int | float
    low: int | float
    high: int | float
    unit: str
    source: str
    overridden: bool


@dataclass(frozen=True, slots=True)
class SimulationSummary(JsonModel):
    """``summary.json``: what a simulation run counted.

    Examples
    --------
    >>> from docflow.runs import simulate
    >>> from docflow.sim.scenario import Period, Scenario
    >>> run = simulate(Scenario(topology="tiny", period=Period(days=1)), crypto="model")
    >>> again = SimulationSummary.from_json(run.summary.to_json())
    >>> again == run.summary, again.levels[Level.COMMUNE].sent > 0
    (True, True)
    """

    SCHEMA: ClassVar[OutputSchema] = OutputSchema.SIMULATION

    schema: str
    docflow_version: str
    scenario: ScenarioInfo
    run: RunInfo
    topology: TopologyInfo
    totals: Totals
    levels: dict[Level, LevelFigures]
    """By the sender's level, in reporting order, levels with agencies only."""
    hubs: dict[str, HubFigures]
    """By hub id: the axis first, then by kind."""
    series: TimeSeries
    latency_cdf: dict[Level, LatencyCdf]
    outages: tuple[OutageRow, ...]
    calibration: tuple[Calibrated, ...]
    assumptions: tuple[AssumptionUsed, ...]
