"""``docflow.loadrun.load``: a scenario played on a live axis; a complete run folder out.

The one call behind ``docflow load`` (the library assembles the job, the command prints), so it
sits above the report layer, as :mod:`docflow.runs` does for ``docflow simulate``. In order, it

1. reads the scenario, its topology and the PKI folder, signs every document and makes one
   request to the axis, before touching the folder, so that bad input or a wrong ``--url``
   never costs an earlier run;
2. claims the folder (:func:`docflow.runfolder.claim`): refused if it is not empty, unless
   ``force``, which removes an earlier load run's files; the folder is marked ``.incomplete``;
3. plays the documents against the axis and measures them;
4. writes ``summary.json`` (``docflow.load/1``) and ``report.html``, each to a temporary name
   and renamed;
5. syncs the folder and removes the marker.

A kill (or an axis that goes away during the run) leaves the folder marked incomplete:
``docflow report`` refuses it (``DF-RUN-002``) and a new run needs ``--force``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from docflow.axis.load import LoadConfig, measure, prepare_load
from docflow.axis.load_output import LoadSummary
from docflow.axis.load_summary import write_summary
from docflow.progress import Progress
from docflow.report.load import render_load
from docflow.report.page import write_page
from docflow.runfolder import Layout, claim, finish

__all__ = ["LOAD_LAYOUT", "LoadRun", "load"]

LOAD_LAYOUT = Layout("load run", frozenset({"summary.json", "report.html"}))
"""What a load run writes in its folder: what ``--force`` removes before a new run."""


@dataclass(frozen=True, slots=True)
class LoadRun:
    """A finished load run: its summary and where its files are."""

    summary: LoadSummary
    out: Path
    report: Path


def load(scenario: str | os.PathLike[str] | None, config: LoadConfig,
         out: str | os.PathLike[str], *, force: bool = False,
         progress: Progress | None = None) -> LoadRun:
    """Play ``scenario`` against the axis of ``config``; write ``out/summary.json`` and
    ``out/report.html``.

    Parameters
    ----------
    scenario
        A scenario file (TOML), or ``None`` for the built-in default.
    config
        The server, the PKI folder, the run's bounds and the service cost to predict from.
    out
        The run folder; created if missing, and it must be empty unless ``force``.
    force
        Replace the load run in a non-empty ``out`` (its ``summary.json`` and
        ``report.html``; other files are left alone).
    progress
        Called with (phase, done, total) (:mod:`docflow.progress`): ``"signing"``, then
        ``"sending"`` and ``"fetching"``.

    Returns
    -------
    LoadRun

    Raises
    ------
    DocflowError
        A bad scenario (``DF-SCN-*``) or PKI folder (``DF-PKI-025``, ``DF-AXS-014``), nothing
        to send (``DF-AXS-015``), a non-empty ``out`` without ``force`` (``DF-RUN-001``), an
        unreachable axis (``DF-AXS-010``), an unwritable folder (``DF-IO-004``).
    """
    prepared = prepare_load(scenario, config, progress=progress)
    folder = claim(out, LOAD_LAYOUT, force=force)
    summary = measure(prepared, config, progress=progress)
    path = write_summary(summary, folder)
    # Rendered from the bytes written, as `docflow report DIR` renders them: the same page.
    written = LoadSummary.from_json(path.read_bytes(), str(path))
    report = write_page(render_load(written), folder / "report.html")
    finish(folder)
    return LoadRun(written, folder, report)
