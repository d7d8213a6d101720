"""``docflow load``: a scenario's traffic against a live axis, measured.

Reads the scenario and its topology, plans and signs the documents
(:mod:`docflow.axis.load_plan`), plays them (:mod:`docflow.axis.load_run`) and writes
``summary.json`` in the simulator's shape (:mod:`docflow.axis.load_summary`). The command line
then renders ``report.html`` from it with the simulation report, as ``docflow simulate`` does.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from docflow.axis.directory import read_directory
from docflow.axis.load_plan import LoadConfig, build_plan
from docflow.axis.load_run import run_load
from docflow.axis.load_summary import build_load_summary, write_summary
from docflow.progress import Progress

__all__ = ["LoadConfig", "load"]


def load(scenario: str | os.PathLike[str] | None, config: LoadConfig,
         out: str | os.PathLike[str], *,
         progress: Progress | None = None) -> dict[str, Any]:
    """Play ``scenario`` against the axis of ``config`` and write ``out/summary.json``.

    Parameters
    ----------
    scenario
        A scenario file (TOML), or ``None`` for the built-in default.
    config
        The server, the PKI folder and the run's bounds.
    out
        The folder for ``summary.json``.
    progress
        Called with (phase, done, total) (:mod:`docflow.progress`): ``"signing"`` while the
        documents are built, ``"sending"`` and ``"fetching"`` while they are played.

    Returns
    -------
    dict
        The summary written.

    Raises
    ------
    DocflowError
        A bad scenario (``DF-SCN-*``), PKI folder (``DF-PKI-025``, ``DF-AXS-014``), an
        unreachable axis (``DF-AXS-010``) or nothing to send (``DF-AXS-015``).
    """
    from docflow.sim.run import load_scenario
    from docflow.sim.setup import prepare

    chosen = load_scenario(scenario)
    topology = prepare(chosen)
    directory = read_directory(config.pki)
    plan = build_plan(chosen, topology, directory, config, progress=None if progress is None
                      else lambda done, total: progress("signing", done, total))
    result = run_load(plan, config, directory, progress)
    summary = build_load_summary(chosen, plan, result, config)
    if config.model_service_ms is not None:
        from docflow.axis.load_model import model_comparison

        summary["load"]["model"] = model_comparison(
            result, service_ms=config.model_service_ms, workers=config.model_workers)
    write_summary(summary, Path(out))
    return summary
