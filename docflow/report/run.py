"""``docflow report DIR``: the page of whatever run the folder holds.

A run folder's ``summary.json`` is a simulation's (``docflow.simulation/1``) or a load's
(``docflow.load/1``); its ``schema`` field says which, and each has its own report.
"""

from __future__ import annotations

import os
from pathlib import Path

from docflow.axis.load_output import LoadSummary
from docflow.outputs import OutputSchema
from docflow.report.load import render_load
from docflow.report.page import write_page
from docflow.report.simulation import render_simulation
from docflow.report.summary import read_summary
from docflow.runfolder import check_complete

__all__ = ["write_run_report"]


def write_run_report(run_dir: str | os.PathLike[str],
                     out: str | os.PathLike[str] | None = None) -> Path:
    """Render ``run_dir/summary.json`` and write ``out`` (default ``run_dir/report.html``).

    Raises
    ------
    InputError
        ``DF-RUN-002`` for a folder marked incomplete, ``DF-REP-001`` for a missing or
        unreadable summary, ``DF-REP-002`` for a field missing or mistyped.
    """
    path = Path(run_dir)
    summary_path = path / "summary.json" if path.is_dir() else path
    check_complete(summary_path.parent, "the summary")
    data = read_summary(summary_path)
    if data.get("schema") == OutputSchema.LOAD.value:
        html = render_load(LoadSummary.from_dict(data, str(summary_path)))
    else:
        html = render_simulation(data, str(summary_path))
    target = Path(out) if out is not None else summary_path.with_name("report.html")
    return write_page(html, target)
