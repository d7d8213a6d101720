"""The simulation report: a run's ``summary.json`` as a self-contained HTML page.

The page answers the operator's questions in order: what was simulated (the scenario at a
glance), how much moved and when (throughput per level over time), how long it took (latency
CDFs to delivery and to acceptance), where it queued (hub utilisation and backlog, with outages
shaded), how much of it was validly signed (coverage per level with intervals, and the reasons
for invalid signatures), and, when the scenario carries published figures, how the run compares.

Reading and drawing are kept apart: :func:`read_simulation` reads the summary through its
typed model (:class:`~docflow.sim.summary_model.SimulationSummary`, every field checked) and
turns it into a :class:`~docflow.report.summary.SimulationView` of plain values, and
:func:`render_simulation` draws the charts and fills the template. A section whose data the
summary does not have is left out, never drawn empty. ``docflow load``'s summary
(``docflow.load/1``) has a model and a page of its own (:mod:`docflow.report.load`).
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

from docflow.report.page import render, write_page
from docflow.report.provinces import province_maps
from docflow.report.scale import time_ticks
from docflow.report.summary import TOP_HUBS, SimulationView, read_summary, simulation_view
from docflow.report.svg import Interval, Series, Window, cdf_chart, interval_chart, line_chart
from docflow.runfolder import check_complete
from docflow.sim.summary_model import SimulationSummary

__all__ = [
    "TOP_HUBS",
    "SimulationView",
    "read_simulation",
    "read_summary",
    "render_simulation",
    "spread",
    "write_simulation_report",
]


SAME_CURVES = 0.05
"""Largest gap between two levels' CDFs (Kolmogorov–Smirnov distance) below which a chart of
them is left out: acceptance waits for the receiver's office hours at every level alike, so its
curves usually lie on one another, and a chart of three identical lines says nothing that the
latency table does not."""


def _cdf_at(s: Series, x: float) -> float:
    """The share of ``s`` at or below ``x`` (a right-continuous step; 0 before the first)."""
    i = bisect.bisect_right(list(s.xs), x)
    return float(s.ys[i - 1]) if i else 0.0


def spread(series: list[Series]) -> float:
    """The largest vertical gap between any two of the CDFs ``series``.

    >>> a, b = Series("a", [1, 10], [0.5, 1.0]), Series("b", [1, 10], [0.2, 1.0])
    >>> round(spread([a, b]), 2), spread([a, a])
    (0.3, 0.0)
    """
    xs = sorted({x for s in series for x in s.xs})
    return max((abs(_cdf_at(a, x) - _cdf_at(b, x)) for x in xs
                for i, a in enumerate(series) for b in series[i + 1:]), default=0.0)


def _charts(view: SimulationView) -> dict[str, Markup]:
    ticks = time_ticks(view.start, view.hours)
    domain = (0.0, view.hours)
    windows = [Window(o.start, o.end, o.label) for o in view.outages]
    charts: dict[str, Markup] = {}
    if view.throughput:
        charts["throughput"] = line_chart(
            "chart-throughput", "Documents sent per hour, by level", view.throughput,
            x_ticks=ticks, x_domain=domain, y_label="documents per hour", windows=windows)
    if view.delivery_cdf:
        charts["delivery"] = cdf_chart(
            "chart-delivery", "Latency to delivery, by level", view.delivery_cdf,
            x_label="time from sending to delivery (log scale)")
    if view.acceptance_cdf and spread(view.acceptance_cdf) >= SAME_CURVES:
        charts["acceptance"] = cdf_chart(
            "chart-acceptance", "Latency to acceptance, by level", view.acceptance_cdf,
            x_label="time from sending to acceptance, status 03 (log scale)")
    if view.backlog:
        charts["backlog"] = line_chart(
            "chart-backlog", "Hub backlog over time", view.backlog, x_ticks=ticks,
            x_domain=domain, y_label="messages waiting", windows=windows)
    if view.utilisation:
        charts["utilisation"] = line_chart(
            "chart-utilisation", "Hub utilisation over time", view.utilisation, x_ticks=ticks,
            x_domain=domain, y_label="busy share of workers", y_percent=True,
            windows=windows)
    rows: list[Interval] = []
    for row in view.coverage:
        for role in ("organ", "signer", "both"):
            iv = row.interval(f"{role}_valid", f"{row.label} · {role}")
            if iv is not None:
                rows.append(iv)
    if rows:
        charts["coverage"] = interval_chart(
            "chart-coverage", "Valid signatures per level and role, with 95 % intervals", rows,
            x_label="documents with a valid signature")
    charts.update(province_maps(view.provinces))
    return charts


def read_simulation(summary: Mapping[str, Any] | SimulationSummary,
                    file: str | None = None) -> SimulationView:
    """What the report shows of a simulation run's summary.

    Parameters
    ----------
    summary
        A :class:`SimulationSummary`, or a parsed ``summary.json`` (``docflow.simulation/1``,
        read through :meth:`SimulationSummary.from_dict`).
    file
        Its path, named in errors.

    Raises
    ------
    InputError
        ``DF-REP-002`` naming the dotted key of the first field that is missing or wrong.
    """
    if isinstance(summary, SimulationSummary):
        return simulation_view(summary, file)
    return simulation_view(SimulationSummary.from_dict(summary, file), file)


def render_simulation(summary: Mapping[str, Any] | SimulationSummary,
                      file: str | None = None) -> str:
    """Render the simulation report of ``summary`` as one self-contained HTML page.

    Parameters
    ----------
    summary
        A run's summary, as :func:`read_simulation` takes it.
    file
        Its path, named in errors.

    Returns
    -------
    str
        The page: inline CSS and SVG, no script and no external resource. The same summary
        always gives the same text.
    """
    view = read_simulation(summary, file)
    return render("simulation.html.j2", title=f"Simulation report: {view.name}", view=view,
                  charts=_charts(view))


def write_simulation_report(run_dir: str | os.PathLike[str],
                            out: str | os.PathLike[str] | None = None) -> Path:
    """Render ``run_dir/summary.json`` and write ``out`` (default ``run_dir/report.html``).

    This is what ``docflow report DIR`` runs. A folder marked incomplete (a run interrupted
    or still running) is refused with ``DF-RUN-002``: its summary, if any, is not the run's.
    """
    path = Path(run_dir)
    summary_path = path / "summary.json" if path.is_dir() else path
    check_complete(summary_path.parent, "the summary")
    summary = read_summary(summary_path)
    html = render_simulation(summary, str(summary_path))
    target = Path(out) if out is not None else summary_path.with_name("report.html")
    return write_page(html, target)
