"""``docflow.simulate``: a scenario in; a complete run folder and a :class:`SimulationResult` out.

This is the one call behind ``docflow simulate`` (ARCHITECTURE: the library assembles every
job, the command only prints), so it sits above the report layer: a run folder holds
``report.html`` beside ``summary.json``. In order, it

1. reads the scenario and checks it against its topology, before touching the folder, so that
   a bad scenario never costs an earlier run;
2. claims the folder (:func:`docflow.runfolder.claim`): refused if it is not empty, unless
   ``force``, which removes the earlier run's files; the folder is marked ``.incomplete``;
3. runs the engine (the archive and ``trust/`` are written as it goes, in sample/real mode);
4. writes ``summary.json`` and ``report.html``, each to a temporary name and renamed;
5. syncs the folder and removes the marker.

A kill at any step leaves a folder that is complete or marked incomplete, never the old seed's
summary beside a new archive.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from docflow.atomic import write_atomic
from docflow.dist.executor import SchedulerSpec
from docflow.jit import compile_notice
from docflow.progress import Progress
from docflow.report import render_simulation, write_page
from docflow.runfolder import claim, finish
from docflow.sim.run import (
    REPORT_FILE,
    RUN_LAYOUT,
    SUMMARY_FILE,
    SimulationResult,
    configure,
    run_engine,
)
from docflow.sim.scenario import Scenario
from docflow.sim.setup import prepare

__all__ = ["COMPILING", "WRITING", "SimulationResult", "simulate"]

COMPILING = "compiling the engine, once"
"""The notice of a run that compiles the engine (a fresh install, or the first run after an
upgrade): several seconds with nothing else to show. A run whose engine is cached never says it.
"""

WRITING = "writing the report"
"""The last phase of a run with a folder: ``summary.json`` and ``report.html``."""


def simulate(scenario: Scenario | str | os.PathLike[str] | None = None,
             out: str | os.PathLike[str] | None = None, *, seed: int | None = None,
             crypto: str | None = None, force: bool = False, scheduler: str | None = None,
             progress: Progress | None = None,
             notice: Callable[[str], None] | None = None) -> SimulationResult:
    """Run a load scenario and write its run folder.

    Parameters
    ----------
    scenario
        A :class:`Scenario`, the path of a TOML scenario file, or ``None`` for the built-in
        default (one week of ``vn-2025``, crypto ``sample:2000``).
    out
        The run folder: ``summary.json``, ``report.html``, and ``archive.sqlite`` with
        ``trust/`` in sample and real mode. Created if missing; it must be empty unless
        ``force``. ``None`` writes nothing.
    seed, crypto
        Override the scenario's seed and crypto mode (``model``, ``sample:N``, ``real``).
    force
        Replace the run in a non-empty ``out``: the files a run writes are removed first
        (other files are left alone), so nothing of the earlier run stays beside the new one.
    scheduler
        Sign and verify (sample and real crypto) on Dask: ``local:N`` or ``tcp://HOST:PORT``;
        ``None`` uses this machine's processes (``crypto.processes``). The run is the same,
        byte for byte, either way.
    progress
        Called with (phase, done, total) (:mod:`docflow.progress`): ``"simulating 7 days +
        drain"`` after each simulated day, then in sample mode ``"signing"`` and
        ``"archiving"`` the sampled documents, then ``"writing the report"``.
    notice
        Called with :data:`COMPILING` if the engine is compiled during this call (a cache miss
        of numba's on-disk cache), before the compile starts; never on a cached run.

    Returns
    -------
    SimulationResult

    Raises
    ------
    ConfigError
        A bad scenario (``DF-SCN-*``) or topology (``DF-TOP-*``).
    UsageError
        ``DF-RUN-001``: ``out`` is not empty and ``force`` is not given.
    InputError
        An unreadable scenario, or an output folder that cannot be written (``DF-IO-004``);
        a scheduler that cannot be reached (``DF-DIST-002``).
    WorkerError
        A worker died: ``DF-SCN-010`` on this machine, ``DF-DIST-003`` when the cluster gave
        a task up; the partial archive is removed.

    Examples
    --------
    >>> from dataclasses import replace
    >>> from docflow.sim.scenario import Period
    >>> s = replace(Scenario(), topology="tiny", period=Period(days=2, drain_days=20))
    >>> r = simulate(s, crypto="model")
    >>> r.delivered > 0, r.lost, r.out, r.report
    (True, 0, None, None)
    """
    listening = (compile_notice(lambda: notice(COMPILING)) if notice is not None
                 else contextlib.nullcontext())
    with listening:
        if scheduler is not None:
            SchedulerSpec.parse(scheduler)  # a malformed one is DF-DIST-001 before any work
        chosen = configure(scenario, seed=seed, crypto=crypto)
        topology = prepare(chosen)
        folder = claim(out, RUN_LAYOUT, force=force) if out is not None else None
        result = run_engine(chosen, topology, folder, progress, scheduler=scheduler)
    if folder is None:
        return result
    if progress is not None:
        progress(WRITING, 0, 1)
    data = result.to_json()
    summary_path = write_atomic(folder / SUMMARY_FILE, data)
    # Rendered from the bytes written, as `docflow report DIR` renders it: the same page.
    report = write_page(render_simulation(json.loads(data), str(summary_path)),
                        folder / REPORT_FILE)
    finish(folder)
    if progress is not None:
        progress(WRITING, 1, 1)
    return replace(result, out=Path(folder), report=report)
