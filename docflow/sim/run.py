"""``docflow.simulate``: scenario in, :class:`SimulationResult` (and ``DIR/summary.json``) out.

This is the one call behind ``docflow simulate``: it reads the scenario if given a path, builds
and checks the topology, picks the crypto mode, runs the engine, and writes the run's folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from docflow.errors import InputError, Location
from docflow.sim.crypto import CryptoMode, ModelCrypto
from docflow.sim.engine import Engine
from docflow.sim.scenario import CryptoKind, CryptoSpec, Scenario
from docflow.sim.scenario_file import builtin_scenario, read_scenario
from docflow.sim.setup import prepare
from docflow.sim.signing import SigningPlan
from docflow.sim.summary import build_summary, dump_summary
from docflow.topology import Topology

__all__ = ["SimulationResult", "load_scenario", "simulate"]

SUMMARY_FILE = "summary.json"
ARCHIVE_FILE = "archive.sqlite"


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """What a run produced: the summary (as written to ``summary.json``) and the files."""

    scenario: Scenario
    summary: Mapping[str, Any]
    out: Path | None = None
    """The run folder, if one was written."""
    archive: Path | None = None
    """``DIR/archive.sqlite`` in ``sample`` and ``real`` mode."""

    def to_json(self) -> bytes:
        """The bytes of ``summary.json``."""
        return dump_summary(dict(self.summary))

    @property
    def delivered(self) -> int:
        return int(self.summary["totals"]["delivered"])

    @property
    def lost(self) -> int:
        return int(self.summary["totals"]["lost"])


def load_scenario(scenario: Scenario | str | os.PathLike[str] | None) -> Scenario:
    """A scenario object, the file at a path, or the built-in default for ``None``."""
    if scenario is None:
        return builtin_scenario()
    if isinstance(scenario, Scenario):
        return scenario
    return read_scenario(scenario)


def make_crypto(scenario: Scenario, topology: Topology, out: Path | None,
                plan: SigningPlan) -> CryptoMode:
    """The crypto mode of ``scenario`` (writing ``out/archive.sqlite`` in sample/real mode)."""
    if scenario.crypto.kind is CryptoKind.MODEL:
        return ModelCrypto()
    from docflow.sim.crypto_real import EnvelopeCrypto  # the signature stack, only when used

    return EnvelopeCrypto.create(scenario, topology,
                                 None if out is None else out / ARCHIVE_FILE, plan)


def simulate(scenario: Scenario | str | os.PathLike[str] | None = None,
             out: str | os.PathLike[str] | None = None, *, seed: int | None = None,
             crypto: str | None = None,
             progress: Callable[[int, int], None] | None = None) -> SimulationResult:
    """Run a load scenario.

    Parameters
    ----------
    scenario
        A :class:`Scenario`, the path of a TOML scenario file, or ``None`` for the built-in
        default (one week of ``vn-2025``, crypto ``sample:2000``).
    out
        A folder to write ``summary.json`` (and ``archive.sqlite`` in sample and real mode)
        into; created if missing. ``None`` writes nothing.
    seed, crypto
        Override the scenario's seed and crypto mode (``model``, ``sample:N``, ``real``).
    progress
        Called with (simulated days done, days planned) after each simulated day.

    Returns
    -------
    SimulationResult

    Raises
    ------
    ConfigError
        A bad scenario (``DF-SCN-*``) or topology (``DF-TOP-*``).
    InputError
        An unreadable scenario, or an output folder that cannot be written (``DF-IO-004``).

    Examples
    --------
    >>> from dataclasses import replace
    >>> from docflow.sim.scenario import Period
    >>> s = replace(Scenario(), topology="tiny", period=Period(days=2, drain_days=20))
    >>> r = simulate(s, crypto="model")
    >>> r.summary["schema"], r.delivered > 0, r.lost
    ('docflow.simulation/1', True, 0)
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
    folder = Path(out) if out is not None else None
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError("DF-IO-004", f"cannot create the output folder: "
                             f"{exc.strerror or exc}", Location(file=str(folder))) from None
    topology = prepare(chosen)
    plan = SigningPlan.for_scenario(chosen, topology.arrays())
    mode = make_crypto(chosen, topology, folder, plan)
    try:
        result = Engine(chosen, topology, mode, progress, plan).run()
    finally:
        mode.close()
    summary = build_summary(result)
    archive = getattr(mode, "archive_path", None)
    if folder is not None:
        path = folder / SUMMARY_FILE
        try:
            path.write_bytes(dump_summary(summary))
        except OSError as exc:
            raise InputError("DF-IO-004", f"cannot write the summary: {exc.strerror or exc}",
                             Location(file=str(path))) from None
    return SimulationResult(chosen, summary, folder, archive)
