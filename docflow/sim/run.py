"""A simulation run's parts: the scenario with its overrides, the engine run, the run folder's
layout, and :class:`SimulationResult`.

:func:`docflow.simulate` (in :mod:`docflow.runs`, above the report layer, because a run folder
holds ``report.html`` too) assembles them: it claims the folder, runs :func:`run_engine`, and
writes ``summary.json`` and ``report.html``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from docflow.dist.executor import Executor
from docflow.errors import Location
from docflow.progress import Progress
from docflow.runfolder import Layout
from docflow.sim.crypto import CryptoMode, ModelCrypto
from docflow.sim.engine import Engine
from docflow.sim.scenario import CryptoKind, CryptoSpec, Scenario
from docflow.sim.scenario_file import builtin_scenario, read_scenario
from docflow.sim.signing import SigningPlan
from docflow.sim.summary import build_summary
from docflow.sim.summary_model import SimulationSummary
from docflow.topology import Topology

__all__ = ["ARCHIVE_FILE", "REPORT_FILE", "RUN_LAYOUT", "SUMMARY_FILE", "TRUST_FOLDER",
           "SimulationResult", "configure", "load_scenario", "run_engine"]

SUMMARY_FILE = "summary.json"
REPORT_FILE = "report.html"
ARCHIVE_FILE = "archive.sqlite"
TRUST_FOLDER = "trust"
"""The trust anchor and CRLs of a sample/real run, for ``docflow audit`` of its archive."""
RUN_LAYOUT = Layout("simulation run", frozenset({
    SUMMARY_FILE, REPORT_FILE, TRUST_FOLDER, ARCHIVE_FILE,
    *(ARCHIVE_FILE + suffix for suffix in ("-wal", "-shm", "-journal"))}))
"""Everything a run writes in its folder: what ``--force`` removes before a new run."""


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """What a run produced: the summary (as written to ``summary.json``) and the files."""

    scenario: Scenario
    summary: SimulationSummary
    out: Path | None = None
    """The run folder, if one was written."""
    archive: Path | None = None
    """``DIR/archive.sqlite`` in ``sample`` and ``real`` mode."""
    report: Path | None = None
    """``DIR/report.html``, if a folder was written."""

    def to_json(self) -> bytes:
        """The bytes of ``summary.json``."""
        return self.summary.to_json()

    @property
    def delivered(self) -> int:
        return self.summary.totals.delivered

    @property
    def lost(self) -> int:
        return self.summary.totals.lost


def load_scenario(scenario: Scenario | str | os.PathLike[str] | None) -> Scenario:
    """A scenario object, the file at a path, or the built-in default for ``None``."""
    if scenario is None:
        return builtin_scenario()
    if isinstance(scenario, Scenario):
        return scenario
    return read_scenario(scenario)


def make_crypto(scenario: Scenario, topology: Topology, out: Path | None,
                plan: SigningPlan, scheduler: str | None = None,
                executor: Executor | None = None) -> CryptoMode:
    """The crypto mode of ``scenario`` (writing ``out/archive.sqlite`` in sample/real mode).

    Sample and real mode sign and verify on ``executor`` if given, else on the Dask
    ``scheduler`` if given, else on a local pool of ``crypto.processes``.
    """
    if scenario.crypto.kind is CryptoKind.MODEL:
        return ModelCrypto()
    from docflow.sim.crypto_real import EnvelopeCrypto  # the signature stack, only when used

    return EnvelopeCrypto.create(scenario, topology,
                                 None if out is None else out / ARCHIVE_FILE, plan,
                                 scheduler=scheduler, executor=executor)


def configure(scenario: Scenario | str | os.PathLike[str] | None, *, seed: int | None = None,
              crypto: str | None = None) -> Scenario:
    """The scenario to run: :func:`load_scenario`, with the seed and crypto mode overridden.

    Raises
    ------
    UsageError
        ``DF-SCN-004`` for a crypto mode that is not ``model``, ``sample:N`` or ``real``.
    """
    chosen = load_scenario(scenario)
    if seed is not None:
        chosen = replace(chosen, seed=seed)
    if crypto is not None:
        try:
            chosen = replace(chosen, crypto=CryptoSpec.parse(crypto))
        except ValueError as exc:
            from docflow.errors import UsageError

            raise UsageError("DF-SCN-004", str(exc), Location(key="crypto.mode")) from None
    return chosen


def run_engine(scenario: Scenario, topology: Topology, folder: Path | None,
               progress: Progress | None = None, *,
               scheduler: str | None = None,
               executor: Executor | None = None) -> SimulationResult:
    """Run ``scenario`` on ``topology`` (checked by :func:`docflow.sim.setup.prepare`).

    In sample and real mode the envelopes go to ``folder/archive.sqlite`` and the trust anchor
    and CRLs to ``folder/trust/``; the summary is returned, not written (the caller writes it
    with the report, then marks the folder complete). ``progress`` hears of the simulated
    days, then of the sample's signing and archiving (:class:`Engine`). ``scheduler`` and
    ``executor`` say where sample and real crypto run (:func:`make_crypto`); the result does
    not depend on them.
    """
    plan = SigningPlan.for_scenario(scenario, topology.arrays())
    mode = make_crypto(scenario, topology, folder, plan, scheduler, executor)
    try:
        result = Engine(scenario, topology, mode, progress, plan).run()
    except BaseException:
        mode.close(aborted=True)  # an error or Ctrl-C: workers are stopped, not waited for
        raise
    mode.close()
    return SimulationResult(scenario, build_summary(result), folder,
                            getattr(mode, "archive_path", None))
