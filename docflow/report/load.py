"""The load report: ``docflow load``'s summary as a self-contained HTML page.

It answers the operator's questions about a live axis in order: what was played (the scenario
and the run's bounds), how much moved and when (deliveries per second by level, the backlog),
how long it took (acknowledgement, delivery and acceptance percentiles per level), whether the
model predicted it (the simulator's FIFO stage with the measured service cost, side by side with
the measurement, with the differences), and where (per province: a tile map and a table; the
topology's hubs worst first). It reads the summary only through its typed model,
:class:`~docflow.axis.load_output.LoadSummary`, never by string keys.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup

from docflow.axis.load_output import Compared, LoadSummary
from docflow.errors import CATALOGUE
from docflow.report.format import count, decimal, duration, percent
from docflow.report.labels import level_label
from docflow.report.page import render
from docflow.report.scale import Tick, nice_ticks
from docflow.report.svg import Series, cdf_chart, line_chart
from docflow.report.tilemap import centres_2025, tile_map

__all__ = ["ComparisonRow", "comparison_rows", "render_load"]


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One line of the model-meets-reality table, formatted for people."""

    scope: str
    """``All documents`` or a level's name."""
    figure: str
    predicted: str
    measured: str
    difference: str
    """Predicted minus measured, signed, in the figure's unit."""
    ratio: str
    """Predicted over measured."""
    off: bool
    """The prediction is more than 10 % away from the measurement (the issue's bound)."""


def _signed(value: float | None, fmt: str) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    text = duration(abs(value)) if fmt == "seconds" else decimal(abs(value), 3) + " per s"
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def _row(scope: str, figure: str, c: Compared, unit: str) -> ComparisonRow:
    show = duration if unit == "seconds" else (lambda v: "—" if v is None else
                                               decimal(v, 3) + " per s")
    ratio = c.ratio
    return ComparisonRow(scope, figure, show(c.predicted), show(c.measured),
                         _signed(c.difference, unit),
                         decimal(ratio, 2) if ratio is not None else "—",
                         ratio is not None and abs(ratio - 1) > 0.10)


def comparison_rows(summary: LoadSummary) -> list[ComparisonRow]:
    """The prediction beside the measurement: throughput and acknowledgement p50/p95/p99, for
    all documents and then per level (empty when the run made no prediction)."""
    model = summary.model
    if model is None:
        return []
    rows = [_row("All documents", "Throughput", model.throughput_per_s, "per_s")]
    rows += [_row("All documents", f"Acknowledgement {q}", c, "seconds")
             for q, c in model.ack_latency_s.rows()]
    for level, lv in model.levels.items():
        name = level_label(level)
        rows.append(_row(name, "Throughput", lv.throughput_per_s, "per_s"))
        rows += [_row(name, f"Acknowledgement {q}", c, "seconds")
                 for q, c in lv.ack_latency_s.rows()]
    return rows


def _seconds_ticks(steps: int) -> list[Tick]:
    _, values = nice_ticks(0.0, float(max(steps, 1)), 6)
    return [Tick(v, f"{v:g} s") for v in values if v <= steps]


def _charts(summary: LoadSummary) -> dict[str, Markup]:
    s = summary.series
    xs = [i + 0.5 * s.step_s for i in range(0, s.steps * s.step_s, s.step_s)]
    ticks = _seconds_ticks(s.steps * s.step_s)
    domain = (0.0, float(s.steps * s.step_s))
    charts: dict[str, Markup] = {}
    lines = [Series(level_label(k), xs, [v / s.step_s for v in values])
             for k, values in s.throughput.items() if any(values)]
    if lines:
        charts["throughput"] = line_chart(
            "chart-throughput", "Deliveries fetched per second, by level", lines,
            x_ticks=ticks, x_domain=domain, x_label="seconds since the start",
            y_label="deliveries per second")
    if any(s.backlog):
        charts["backlog"] = line_chart(
            "chart-backlog", "Deliveries waiting to be fetched", [Series("axis", xs,
                                                                          list(s.backlog))],
            x_ticks=ticks, x_domain=domain, x_label="seconds since the start",
            y_label="deliveries waiting")
    delivery = [Series(level_label(k), [p[0] for p in c.delivery], [p[1] for p in c.delivery])
                for k, c in summary.latency_cdf.items() if c.delivery]
    if delivery:
        charts["delivery"] = cdf_chart(
            "chart-delivery", "Latency to delivery, by level", delivery,
            x_label="time from the document's due time to its fetch (log scale)")
    provinces = [h for _, h in summary.provinces]
    centres = centres_2025()
    if provinces and all(h.province in centres for h in provinces):
        charts["map-volume"] = tile_map(
            "map-volume", "Documents sent", {h.province or "": h.sent for h in provinces},
            lambda v: count(v))
        charts["map-ack"] = tile_map(
            "map-ack", "p95 acknowledgement",
            {h.province or "": h.latency_s.ack.p95 for h in provinces}, duration)
        charts["map-latency"] = tile_map(
            "map-latency", "p95 to delivery",
            {h.province or "": h.latency_s.delivery.p95 for h in provinces}, duration)
    return charts


def _facts(summary: LoadSummary) -> list[tuple[str, str]]:
    load, run = summary.load, summary.run
    facts = [("Axis", load.url), ("Topology", summary.topology.name),
             ("Agencies", count(sum(summary.topology.agencies.values()))),
             ("Started", run.start.strftime("%Y-%m-%d %H:%M:%S")),
             ("Sending", duration(run.sending_s)), ("Whole run", duration(run.wall_s)),
             ("Rate scale", f"{decimal(load.rate_scale, 0)} scenario seconds a second"),
             ("Documents planned", count(load.planned)),
             ("Acknowledged", count(summary.totals.documents_sent)),
             ("Offered", f"{decimal(load.offered_per_s, 2)} per s"),
             ("Acknowledged rate", f"{decimal(load.acknowledged_per_s, 2)} per s"),
             ("Deliveries fetched", f"{count(summary.totals.delivered)} of "
                                    f"{count(summary.totals.deliveries)}"),
             ("Requests", f"{count(load.requests)} ({decimal(load.requests_per_s, 1)} per s)"),
             ("Refused", count(sum(load.refused.values()))),
             ("Transport failures", count(load.transport_failures))]
    if load.skipped_outside_pki:
        facts.append(("Left out (not in the PKI)", count(load.skipped_outside_pki)))
    return facts


def render_load(summary: LoadSummary) -> str:
    """Render the load report of ``summary`` as one self-contained HTML page.

    Parameters
    ----------
    summary
        The run's summary, as :meth:`LoadSummary.from_json` reads it.

    Returns
    -------
    str
        The page: inline CSS and SVG, no script and no external resource. The same summary
        always gives the same text.
    """
    refused = [(code, n, CATALOGUE[code].summary if code in CATALOGUE else "")
               for code, n in summary.load.refused.items()]
    model = summary.model
    return render("load.html.j2", title=f"Load report: {summary.scenario.name}",
                  s=summary, facts=_facts(summary), charts=_charts(summary),
                  comparison=comparison_rows(summary), refused=refused,
                  utilisation=percent(model.utilisation, 1) if model is not None else "",
                  level_label=level_label)
