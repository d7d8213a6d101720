"""What ``docflow load`` sends, and when: a scenario's traffic as really signed messages.

The traffic generator of the simulator (:mod:`docflow.traffic`) draws the scenario's documents
day by day (senders, receivers, types, sizes), from the scenario's seed. The plan keeps those
whose sender and receivers the PKI folder has (the axis serves only them), replays their
submission times compressed: ``rate_scale`` working seconds of the scenario per real second, so
that the offered rate is the scenario's times ``rate_scale``. Every document is built and signed
(signer, then organ, with the agencies' own keys from the PKI folder) before the clock starts,
so that signing never slows the sending down.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from docflow.axis.directory import Directory
from docflow.dsig import Signer
from docflow.envelope.builder import build
from docflow.envelope.dates import VIETNAM
from docflow.envelope.samples import sample_document
from docflow.errors import InputError, Location
from docflow.pki.index import PkiIndex, read_index
from docflow.pki.io import read_certificates, read_private_key
from docflow.pki.roles import Role
from docflow.profile.edxml import sign_message
from docflow.sim.scenario import Scenario
from docflow.topology import Topology
from docflow.traffic.calendar import WorkCalendar
from docflow.traffic.generate import TrafficGenerator

__all__ = ["LoadConfig", "LoadPlan", "Planned", "build_plan"]


@dataclass(frozen=True, slots=True)
class LoadConfig:
    """Settings of one ``docflow load`` run; every loop of the run is bounded by them."""

    url: str
    pki: Path
    rate_scale: float = 600.0
    """Scenario working seconds played per real second: 600 plays a working hour in 6 s, so
    that a small topology's day of traffic becomes a few minutes of load."""
    duration_s: float = 60.0
    """Real seconds of sending; documents planned later are not sent."""
    max_documents: int = 2_000
    """At most this many documents, whatever the duration (a bound on memory and time)."""
    max_kb: int = 256
    """Each attachment is cut to this size: the scenario's sizes, bounded so that a long
    lognormal tail does not turn a load test into a bandwidth test."""
    drain_s: float = 20.0
    """After the last send, how long receivers go on fetching and answering."""
    poll_s: float = 0.25
    """How often each agency lists its inbox."""
    concurrency: int = 64
    """Requests in flight at once, at most (the open-loop sender waits beyond it, and
    records the wait in the latency it measures)."""
    model_service_ms: float | None = None
    """The service's cost per message, measured (``bench/test_axis_bench.py``): given, the
    simulator's FIFO stage predicts the run from its real arrivals, beside the measurement
    (:mod:`docflow.axis.load_model`). ``None``: no prediction."""
    model_workers: int = 1
    """The worker count of the model's queueing stage: 1 when ``model_service_ms`` is the
    inverse of the measured capacity (the machine's cores as one stage)."""
    model_transit_ms: float = 0.0
    """Milliseconds of each message's path that do not queue (TLS and HTTP both ways, the
    commit), added to the model's latency: what a message alone takes, less the service."""
    passphrase: bytes | None = None
    """Decrypts the PKI folder's keys when ``pki init`` encrypted them."""
    statuses: bool = True
    """Receivers answer each document with 01 (arrived), then 03 (accepted) or, for the
    scenario's reject share, 02."""


@dataclass(frozen=True, slots=True)
class Planned:
    """One document of the plan."""

    at_s: float
    """Real seconds after the start at which it is sent."""
    sender: str
    receivers: tuple[str, ...]
    level: str
    """The sender's level (the summary groups by it, as the simulator's does)."""
    reject: tuple[bool, ...]
    """Per receiver: whether it answers 02 (rejected) rather than 03."""
    data: bytes


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """The documents to send, in order, and what was left out of the scenario's traffic."""

    documents: tuple[Planned, ...]
    levels: dict[str, str]
    """Organ code → level, for every agency of the directory in the topology."""
    skipped: int
    """Documents of the scenario in the window whose sender or receivers the PKI lacks."""
    scenario_working_s: float
    """Scenario working seconds the plan covers (the duration times the rate scale)."""


def _signers(index: PkiIndex, folder: Path, code: str, cache: dict[tuple[str, Role], Signer],
             passphrase: bytes | None) -> tuple[Signer, Signer]:
    """The person's and the organ's signers of ``code``, read from the PKI folder once."""
    for role in (Role.SIGNER, Role.ORGAN):
        if (code, role) not in cache:
            where = index.credential(code, role)
            chain = read_certificates(folder / index.cas[str(index.agencies[code]["hub"])].cert)
            cache[(code, role)] = Signer(read_private_key(folder / where.key, passphrase),
                                         [*read_certificates(folder / where.cert), *chain])
    return cache[(code, Role.SIGNER)], cache[(code, Role.ORGAN)]


def build_plan(scenario: Scenario, topology: Topology, directory: Directory,
               config: LoadConfig, *, progress: Callable[[int, int], None] | None = None
               ) -> LoadPlan:
    """Draw the scenario's documents and build and sign those the axis can carry.

    Raises
    ------
    InputError
        ``DF-AXS-015`` when no document of the scenario can be sent (the PKI folder holds
        none of its senders, or none with a receiver it holds), or the bounds are not positive.
    """
    if config.rate_scale <= 0 or config.duration_s <= 0 or config.max_documents <= 0:
        raise InputError("DF-AXS-015", "--rate-scale, --duration and the document bound must "
                         "be positive", Location(key="--rate-scale"))
    days = scenario.period.days
    calendar = WorkCalendar.build(scenario.calendar, scenario.period.start, days)
    generator = TrafficGenerator(scenario.traffic, topology.arrays(), calendar)
    rng = np.random.default_rng(scenario.seed)
    codes = [a.code for a in topology.agencies]
    levels = {a.code: a.level.value for a in topology.agencies if a.code in directory.agencies}
    horizon_us = config.duration_s * config.rate_scale * 1e6
    picked: list[tuple[float, str, tuple[str, ...], int]] = []
    skipped = 0
    first_work: int | None = None
    for day in range(days):
        traffic = generator.day(day, rng)
        if traffic.n_documents == 0:
            continue
        work = calendar.work_before(traffic.send_us)
        for i in range(traffic.n_documents):
            sender = codes[int(traffic.sender[i])]
            receivers = tuple(dict.fromkeys(
                codes[int(r)] for r in traffic.receiver[traffic.first[i]:traffic.first[i + 1]]
                if codes[int(r)] in directory.agencies and codes[int(r)] != sender))
            if sender not in directory.agencies or not receivers:
                skipped += 1
                continue
            if first_work is None:
                first_work = int(work[i])
            offset = int(work[i]) - first_work
            if offset > horizon_us or len(picked) >= config.max_documents:
                break
            picked.append((offset / 1e6 / config.rate_scale, sender, receivers,
                           int(traffic.size_kb[i])))
        else:
            continue
        break
    if not picked:
        raise InputError("DF-AXS-015", f"no document of scenario {scenario.name!r} has a "
                         "sender and a receiver in the PKI folder: run 'docflow pki init' on "
                         f"the scenario's topology ({scenario.topology})",
                         Location(key="scenario"))
    reject_rng = np.random.default_rng([scenario.seed, 15])
    # A run tag in the document numbers, so that DocumentIds of two runs against one store
    # differ: the millisecond the plan was made (to the second, two runs could meet).
    tag = time.time_ns() // 1_000_000 % 10_000_000_000
    now = dt.datetime.now(VIETNAM).replace(microsecond=0) - dt.timedelta(minutes=1)
    signers: dict[tuple[str, Role], Signer] = {}
    index = read_index(directory.folder)
    documents = []
    for n, (at_s, sender, receivers, size_kb) in enumerate(picked):
        envelope = sample_document(np.random.default_rng([scenario.seed, n]), sender=sender,
                                   receivers=list(receivers), attachments=1,
                                   size=min(size_kb, config.max_kb) * 1024, when=now,
                                   number=tag * 100_000 + n + 1)
        data = build(envelope)
        person, organ = _signers(index, directory.folder, sender, signers, config.passphrase)
        data = sign_message(sign_message(data, person, Role.SIGNER), organ, Role.ORGAN)
        reject = tuple(bool(x) for x in
                       reject_rng.random(len(receivers)) < scenario.status.reject_share)
        documents.append(Planned(at_s, sender, receivers, levels[sender], reject, data))
        if progress is not None:
            progress(n + 1, len(picked))
    return LoadPlan(tuple(documents), levels, skipped,
                    min(horizon_us, (picked[-1][0] * config.rate_scale * 1e6)) / 1e6)
