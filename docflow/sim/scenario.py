"""A load scenario as frozen dataclasses, one per concern, with documented defaults.

:class:`Scenario` is what :func:`docflow.simulate` runs. Build one in Python (every field has a
default, so ``Scenario()`` is the built-in week of ``vn-2025``) or read one from TOML with
:func:`docflow.sim.scenario_file.read_scenario`; make variants with :func:`dataclasses.replace`.
The TOML keys are the field names, so the manual's table of keys (``docs/scenario-keys.md``) is
generated from this module's fields and their docstrings.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from docflow.assumptions import assumed, assumed_int
from docflow.levels import Level
from docflow.traffic.calendar import WorkingHours
from docflow.traffic.spec import TrafficSpec

__all__ = ["Adoption", "CalibrationFigure", "CryptoKind", "CryptoSpec", "FaultSpec", "FigureRole",
           "HubCapacity", "HubSpec", "LinkSpec", "Measure", "Outage", "Period", "Scenario",
           "SigningSpec", "StatusSpec"]


@dataclass(frozen=True, slots=True)
class Period:
    """The simulated days; documents are issued on the working days among them."""

    start: date = date(2025, 7, 7)
    """First day (Vietnam time). A Monday one week after the 1 July 2025 reform by default."""
    days: int = 7
    """Number of days, weekends included: one week by default."""
    drain_days: int = 60
    """Days simulated after the period so that status messages of its last documents (which
    wait for office hours) still arrive; what is still in flight after them is reported as
    such, not dropped silently."""


@dataclass(frozen=True, slots=True)
class Adoption:
    """How widely agencies of one level sign (the shares of documents with each signature)."""

    level: Level
    organ: float = 0.95
    """Share of documents carrying the agency's (organ) signature."""
    signer: float = 0.85
    """Share of documents carrying the competent person's (signer) signature."""


@dataclass(frozen=True, slots=True)
class SigningSpec:
    """Signing adoption per level and the algorithm used."""

    levels: tuple[Adoption, ...] = tuple(
        Adoption(lv, organ=assumed(f"signing.{lv.value}.organ"),
                 signer=assumed(f"signing.{lv.value}.signer")) for lv in Level)
    """Adoption falls from the centre to the communes, as the provinces report it."""
    algorithm: str = "ecdsa-p256"
    """Signature algorithm of the run's test PKI. ECDSA P-256 keys are derived from the seed at
    once; ``rsa-sha256`` (RSA-2048, what the Government CA issues) is allowed too, but each RSA
    key is generated once and cached on disk, so a first run over thousands of agencies takes
    minutes."""
    signers_per_agency: float = assumed("signing.signers_per_agency")
    """Mean person certificates per agency (leaders who sign), used to count certificates."""

    def adoption(self, level: Level) -> Adoption:
        """The adoption of ``level`` (nobody signs at a level the scenario leaves out)."""
        for item in self.levels:
            if item.level is level:
                return item
        return Adoption(level, organ=0.0, signer=0.0)


@dataclass(frozen=True, slots=True)
class HubCapacity:
    """How fast a hub works. Each hub has, per direction, a lane for documents and one for
    status messages (see :mod:`docflow.sim.lanes`); these figures apply to each lane."""

    workers: int = assumed_int("hubs.default.workers")
    """Documents processed in parallel by one lane."""
    service_ms: float = assumed("hubs.default.service_ms")
    """Time one worker spends on a document (validation, storage, routing), before transfer."""
    ms_per_mb: float = assumed("hubs.default.ms_per_mb")
    """Extra processing time per MB of attachments."""
    status_workers: int = assumed_int("hubs.default.status_workers")
    """Status messages processed in parallel by one status lane."""
    status_service_ms: float = assumed("hubs.default.status_service_ms")
    """Time one worker spends on a status message (they carry no attachments)."""

    @property
    def capacity_per_hour(self) -> float:
        """Documents (without attachments) one lane can process per hour."""
        return self.workers * 3_600_000.0 / self.service_ms


@dataclass(frozen=True, slots=True)
class HubSpec:
    """Hub capacities: one default, per hub kind, and per hub id."""

    default: HubCapacity = field(default_factory=HubCapacity)
    """Capacity of provincial and ministry hubs."""
    axis: HubCapacity = field(default_factory=lambda: HubCapacity(
        workers=assumed_int("hubs.axis.workers"), service_ms=assumed("hubs.axis.service_ms"),
        ms_per_mb=assumed("hubs.axis.ms_per_mb"),
        status_workers=assumed_int("hubs.axis.status_workers"),
        status_service_ms=assumed("hubs.axis.status_service_ms")))
    """The national axis carries every province's outside traffic, so it has more workers."""
    overrides: tuple[tuple[str, HubCapacity], ...] = ()
    """Capacity of individual hubs, by hub id."""

    def capacity(self, hub_id: str, is_axis: bool) -> HubCapacity:
        """The capacity that applies to hub ``hub_id``."""
        for key, capacity in self.overrides:
            if key == hub_id:
                return capacity
        return self.axis if is_axis else self.default


@dataclass(frozen=True, slots=True)
class LinkSpec:
    """Network between agencies and hubs: fixed latency plus transfer time."""

    agency_hub_ms: float = assumed("links.agency_hub_ms")
    """One way between an agency and its hub (provincial networks, commune links)."""
    hub_hub_ms: float = assumed("links.hub_hub_ms")
    """One way between two hubs (the government's dedicated data network)."""
    mbps: float = assumed("links.mbps")
    """Bandwidth for attachments, megabits per second; 0 means unlimited."""


@dataclass(frozen=True, slots=True)
class StatusSpec:
    """The receiver's answers: status 01 on arrival, then 03 → 04 → 05 → 06 (or 02).

    Delays after 01 are in *working* hours and exponentially distributed with these means, so a
    document that arrives in the evening is accepted the next morning.
    """

    ack_s: float = assumed("status.ack_s")
    """Clock seconds from delivery to status 01 (arrived), sent by the receiver's software."""
    accept_hours: float = assumed("status.accept_hours")
    """Mean working hours from 01 to 03 (accepted) or 02 (rejected): the clerk's inbox."""
    assign_hours: float = assumed("status.assign_hours")
    """Mean working hours from 03 to 04 (assigned to a handler)."""
    process_hours: float = assumed("status.process_hours")
    """Mean working hours from 04 to 05 (being processed)."""
    done_hours: float = assumed("status.done_hours")
    """Mean working hours from 05 to 06 (done)."""
    reject_share: float = assumed("status.reject_share")
    """Share of deliveries the receiver rejects (status 02, then nothing more)."""
    urgent_speedup: float = assumed("status.urgent_speedup")
    """Urgent documents (priority 1 and up) are handled this many times faster."""


@dataclass(frozen=True, slots=True)
class Outage:
    """A hub or an agency unreachable from ``start`` for ``hours``."""

    target: str
    """Hub id (hub outage) or organ code (agency outage)."""
    start: datetime
    """Vietnam time (a naive datetime is read as Vietnam time)."""
    hours: float


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """What goes wrong: outages, retries, tampering, bad certificates, agencies that never sign.

    A message that reaches a hub (or an agency) that is down is refused; its sender retries after
    ``retry_backoff_s``, then after ``retry_backoff_s * backoff_factor``, … (at most
    ``backoff_max_s``); after ``max_attempts`` refused attempts it goes to the dead-letter
    queue and is lost.
    """

    hub_outages: tuple[Outage, ...] = ()
    agency_outages: tuple[Outage, ...] = ()
    """An agency that is down sends nothing (its documents and answers wait for it to come
    back) and refuses deliveries (the hub retries them)."""
    retry_backoff_s: float = assumed("faults.retry_backoff_s")
    """First retry after one minute, as message brokers commonly do."""
    backoff_factor: float = assumed("faults.backoff_factor")
    """Each retry waits twice as long as the one before."""
    backoff_max_s: float = assumed("faults.backoff_max_s")
    """No wait longer than an hour between attempts."""
    max_attempts: int = assumed_int("faults.max_attempts")
    """Refused attempts before the dead-letter queue: with the defaults the last attempt comes
    about four hours after the first, so a message survives an outage of up to four hours."""
    tamper_rate: float = 0.0
    """Share of documents altered in transit (both signatures then fail to verify)."""
    expired_cert_share: float = 0.0
    """Share of agencies whose certificates had expired when they signed."""
    revoked_cert_share: float = 0.0
    """Share of agencies whose certificates are revoked."""
    never_sign: tuple[str, ...] = ()
    """Organ codes of agencies that sign nothing."""


class CryptoKind(enum.StrEnum):
    """How signatures are decided; the value is the scenario's ``crypto.mode`` prefix."""

    MODEL = "model"
    """Outcomes drawn from the scenario's rates; no XML is made."""
    SAMPLE = "sample"
    """``sample:N``: N documents made into real envelopes, signed and verified."""
    REAL = "real"
    """Every document made, signed and verified, on all cores."""


@dataclass(frozen=True, slots=True)
class CryptoSpec:
    """The crypto mode; ``sample:2000`` by default, to check real signatures in a short run."""

    kind: CryptoKind = CryptoKind.SAMPLE
    sample: int = 2000
    """Documents materialised in ``sample`` mode."""
    processes: int = 0
    """Worker processes in ``real`` mode; 0 means one per core."""

    @property
    def mode(self) -> str:
        """The mode as written in a scenario: ``model``, ``sample:N`` or ``real``."""
        return f"sample:{self.sample}" if self.kind is CryptoKind.SAMPLE else self.kind.value

    @classmethod
    def parse(cls, text: str) -> CryptoSpec:
        """Read ``model``, ``sample:N`` or ``real``; ``ValueError`` names what is allowed.

        >>> CryptoSpec.parse("sample:500").sample
        500
        >>> CryptoSpec.parse("model").mode
        'model'
        """
        allowed = "allowed: model, sample:N (N a whole number from 1), real"
        head, _, tail = text.strip().partition(":")
        try:
            kind = CryptoKind(head)
        except ValueError:
            raise ValueError(f"unknown crypto mode {text!r}; {allowed}") from None
        if kind is CryptoKind.SAMPLE:
            if not tail.isdigit() or int(tail) < 1:
                raise ValueError(f"crypto mode {text!r} needs a sample size; {allowed}")
            return cls(kind, sample=int(tail))
        if tail:
            raise ValueError(f"crypto mode {text!r} takes no argument; {allowed}")
        return cls(kind)


class Measure(enum.StrEnum):
    """What a published figure counts, so that the run can produce the same quantity."""

    DOCUMENTS_SENT = "documents_sent"
    """Documents issued by the agencies in scope."""
    DOCUMENTS_EXCHANGED = "documents_exchanged"
    """Documents sent or received by the agencies in scope."""
    DOCUMENTS_VIA_AXIS = "documents_via_axis"
    """Documents sent or received by the agencies in scope that crossed the national axis."""
    DELIVERIES = "deliveries"
    """Deliveries (document, recipient) sent or received by the agencies in scope."""
    DOCUMENTS_RECEIVED = "documents_received"
    """Documents received by the agencies in scope."""
    ORGAN_SIGNED_SHARE = "organ_signed_share"
    """Share of the documents sent by the agencies in scope that carry an organ signature."""
    RECEIVED_SIGNED_SHARE = "received_signed_share"
    """Share of the documents received by the agencies in scope that carry an organ
    signature."""
    AGENCIES = "agencies"
    """Agencies in scope."""
    COMMUNES = "communes"
    """Commune-level agencies in scope."""
    CERTIFICATES = "certificates"
    """Certificates the agencies in scope hold: one organ certificate each plus their signers'."""


class FigureRole(enum.StrEnum):
    """What a published figure is to a scenario; only a prediction can be reproduced.

    A figure the scenario was built from (the topology's counts, a signing share set to the
    published share) or tuned to (rates adjusted until the count matches) agrees with the run
    by construction, so the summary and the reports never call it a reproduction.
    """

    INPUT = "input"
    """Set from the figure: agreement is an echo."""
    FITTED = "fitted"
    """Free parameters were tuned to it: agreement measures the fit, not the model."""
    PREDICTED = "predicted"
    """Nothing was set or tuned from it: agreement is evidence for the model."""

    @classmethod
    def default_for(cls, measure: Measure) -> FigureRole:
        """Counts of the topology and signing shares are inputs; document counts are fits."""
        return cls.INPUT if measure in _INPUT_MEASURES else cls.FITTED


_INPUT_MEASURES = frozenset({Measure.AGENCIES, Measure.COMMUNES, Measure.CERTIFICATES,
                             Measure.ORGAN_SIGNED_SHARE, Measure.RECEIVED_SIGNED_SHARE})


@dataclass(frozen=True, slots=True)
class CalibrationFigure:
    """A published figure and how to measure the same thing in the run."""

    figure: str
    """What the source says, in words."""
    published: float
    measure: Measure
    scope: str | None = None
    """Organ code of the agency whose subtree (itself and every agency under it) is counted;
    ``None`` counts every agency with a province (the local government of the topology)."""
    source: str = ""
    """Where the figure was published."""
    role: FigureRole | None = None
    """What the figure is to the scenario; ``None`` takes :meth:`FigureRole.default_for`."""

    @property
    def effective_role(self) -> FigureRole:
        """The role, with the measure's default filled in."""
        return self.role or FigureRole.default_for(self.measure)


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything one run needs. ``Scenario()`` is the built-in default: a week of ``vn-2025``.

    Examples
    --------
    >>> from dataclasses import replace
    >>> s = replace(Scenario(), seed=7, crypto=CryptoSpec.parse("model"))
    >>> s.seed, s.crypto.mode, s.topology
    (7, 'model', 'vn-2025')
    """

    name: str = "default"
    description: str = "One week of national traffic on the 2025 two-level topology."
    seed: int = 20250707
    """Seeds the run's single ``numpy.random.Generator``: same seed, same bytes."""
    topology: str = "vn-2025"
    """A topology preset name, or the path of a GraphML/JSON topology file."""
    period: Period = field(default_factory=Period)
    calendar: WorkingHours = field(default_factory=WorkingHours)
    traffic: TrafficSpec = field(default_factory=TrafficSpec)
    signing: SigningSpec = field(default_factory=SigningSpec)
    hubs: HubSpec = field(default_factory=HubSpec)
    links: LinkSpec = field(default_factory=LinkSpec)
    status: StatusSpec = field(default_factory=StatusSpec)
    faults: FaultSpec = field(default_factory=FaultSpec)
    crypto: CryptoSpec = field(default_factory=CryptoSpec)
    calibration: tuple[CalibrationFigure, ...] = ()
    """Published figures to compare the run with (``calibration`` in ``summary.json``)."""
    source: str | None = None
    """The file the scenario was read from (relative topology paths are resolved from it)."""
