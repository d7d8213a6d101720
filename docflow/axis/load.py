"""``docflow load``: a scenario's traffic against a live axis, measured.

Two steps, so that the caller can claim its output folder between them
(:func:`docflow.loadrun.load` does): :func:`prepare_load` reads the scenario, its topology and
the PKI folder and plans and signs the documents (:mod:`docflow.axis.load_plan`), which can
fail on bad input without touching any folder; :func:`measure` plays them
(:mod:`docflow.axis.load_run`), puts the model's prediction beside them when the service's cost
is given (:mod:`docflow.axis.load_model`) and returns the typed summary
(:class:`~docflow.axis.load_output.LoadSummary`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from docflow.axis.client import Client
from docflow.axis.directory import Directory, read_directory
from docflow.axis.load_output import LoadSummary
from docflow.axis.load_plan import LoadConfig, LoadPlan, build_plan
from docflow.axis.load_run import run_load
from docflow.axis.load_summary import build_load_summary
from docflow.progress import Progress
from docflow.sim.scenario import Scenario
from docflow.topology import Topology

__all__ = ["LoadConfig", "PreparedLoad", "measure", "prepare_load"]


@dataclass(frozen=True, slots=True)
class PreparedLoad:
    """A load ready to play: the scenario, its topology, the axis's directory, the plan."""

    scenario: Scenario
    topology: Topology
    directory: Directory
    plan: LoadPlan


def prepare_load(scenario: str | os.PathLike[str] | None, config: LoadConfig, *,
                 progress: Progress | None = None) -> PreparedLoad:
    """Read ``scenario`` and the PKI folder of ``config``; plan and sign the documents.

    Parameters
    ----------
    scenario
        A scenario file (TOML), or ``None`` for the built-in default.
    config
        The server, the PKI folder and the run's bounds.
    progress
        Called with (phase, done, total) (:mod:`docflow.progress`): ``"signing"`` while the
        documents are built.

    Raises
    ------
    DocflowError
        A bad scenario (``DF-SCN-*``), PKI folder (``DF-PKI-025``, ``DF-AXS-014``), nothing
        to send (``DF-AXS-015``), or an axis that cannot be reached (``DF-AXS-010``).
    """
    from docflow.sim.run import load_scenario
    from docflow.sim.setup import prepare

    chosen = load_scenario(scenario)
    topology = prepare(chosen)
    directory = read_directory(config.pki)
    plan = build_plan(chosen, topology, directory, config, progress=None if progress is None
                      else lambda done, total: progress("signing", done, total))
    # One request as the first sender, with its own TLS certificate: an axis that cannot be
    # reached (a wrong --url, a server not started) is reported before any folder is claimed.
    with Client(config.url, config.pki, plan.documents[0].sender, timeout=30.0,
                passphrase=config.passphrase) as probe:
        probe.agencies()
    return PreparedLoad(chosen, topology, directory, plan)


def measure(prepared: PreparedLoad, config: LoadConfig, *,
            progress: Progress | None = None) -> LoadSummary:
    """Play ``prepared`` against the axis of ``config`` and summarise what it measured.

    ``progress`` is called with ``"sending"`` and ``"fetching"`` phases while it plays
    (:mod:`docflow.progress`).

    Raises
    ------
    InputError
        ``DF-AXS-010`` when the axis cannot be reached.
    """
    result = run_load(prepared.plan, config, prepared.directory, progress)
    model = None
    if config.model_service_ms is not None:
        from docflow.axis.load_model import model_comparison

        model = model_comparison(result, service_ms=config.model_service_ms,
                                 workers=config.model_workers,
                                 transit_ms=config.model_transit_ms)
    return build_load_summary(prepared.scenario, prepared.topology, prepared.plan, result,
                              config, model)
