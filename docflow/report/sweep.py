"""``sweep.html``: a sweep's bands per variant and its tornado charts, as one offline page.

For each prediction of ``sweep.json``: a band chart (one row per variant: the mean as a point,
the 5th–95th percentile of its seeds as a whisker) and, when keys were varied, a tornado chart
(one bar per varied key, from the mean at its lowest-scoring value to the mean at its
highest, around the overall mean, largest swing on top). Inline SVG only, as in
:mod:`docflow.report.svg`, so the same ``sweep.json`` gives the same bytes.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from docflow.dist.sweep_model import SweepSummary, TornadoBar
from docflow.errors import InputError, Location
from docflow.report.format import decimal
from docflow.report.page import write_page
from docflow.report.scale import LinearScale, nice_ticks
from docflow.report.svg import Frame, _n, _Svg, _text, _x_axis

__all__ = ["band_chart", "render_sweep", "tornado_chart", "write_sweep_report"]

_ROW = 24


def _frame(rows: int) -> Frame:
    return Frame(height=34 + 40 + _ROW * max(rows, 1), left=300)


def _ticks(svg: _Svg, low: float, high: float) -> LinearScale:
    f = svg.frame
    if high - low < 1e-9 * max(1.0, abs(low)):  # nothing moves: a narrow span around it
        pad = max(abs(low) * 0.01, 1e-3)
        low, high = low - pad, high + pad
    (lo, hi), ticks = nice_ticks(low, high)
    xs = LinearScale((lo, hi), (f.x0, f.x1))
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    digits = max(0, min(6, -math.floor(math.log10(step)))) if step > 0 else 0
    for t in ticks:
        svg.add(f'<line x1="{_n(xs(t))}" y1="{_n(f.y1)}" x2="{_n(xs(t))}" y2="{_n(f.y0)}" '
                'class="grid"/>')
    _x_axis(svg, [(xs(t), decimal(t, digits)) for t in ticks], "")
    return xs


def band_chart(chart_id: str, title: str,
               rows: Sequence[tuple[str, float, float, float]]) -> Markup:
    """Rows of (label, mean, p5, p95): a point and its band.

    Examples
    --------
    >>> band_chart("b", "T", [("w=1", 2.0, 1.0, 3.0)]).count('class="mark point"')
    1
    """
    f = _frame(len(rows))
    svg = _Svg(chart_id, title, f)
    xs = _ticks(svg, min((r[2] for r in rows), default=0.0),
                max((r[3] for r in rows), default=1.0))
    for i, (label, mean, p5, p95) in enumerate(rows):
        y = f.y1 + _ROW * i + _ROW / 2
        svg.add(_text(f.x0 - 8, y + 4, label, "row-label", "end"))
        svg.add(f'<line class="whisker" x1="{_n(xs(p5))}" y1="{_n(y)}" x2="{_n(xs(p95))}" '
                f'y2="{_n(y)}"/>')
        tip = escape(f"{label}: mean {decimal(mean, 3)}, 5–95% {decimal(p5, 3)} – "
                     f"{decimal(p95, 3)}")
        svg.add(f'<circle class="mark point" cx="{_n(xs(mean))}" cy="{_n(y)}" r="4.5">'
                f"<title>{tip}</title></circle>")
    return svg.render()


def tornado_chart(chart_id: str, title: str, center: float,
                  bars: Sequence[TornadoBar]) -> Markup:
    """One bar per varied key from its low mean to its high mean, around ``center``.

    Examples
    --------
    >>> from docflow.dist.sweep_model import TornadoEnd
    >>> bars = [TornadoBar("w", TornadoEnd(1, 1.0), TornadoEnd(2, 3.0), 2.0)]
    >>> tornado_chart("t", "T", 2.0, bars).count('class="mark bar"')
    1
    """
    f = _frame(len(bars))
    svg = _Svg(chart_id, title, f)
    low = min([center, *(b.low.mean for b in bars)])
    high = max([center, *(b.high.mean for b in bars)])
    xs = _ticks(svg, low, high)
    svg.add(f'<line class="target" x1="{_n(xs(center))}" y1="{_n(f.y1)}" '
            f'x2="{_n(xs(center))}" y2="{_n(f.y0)}"/>')
    for i, b in enumerate(bars):
        y = f.y1 + _ROW * i + _ROW / 2
        lo, hi = b.low.mean, b.high.mean
        svg.add(_text(f.x0 - 8, y + 4, b.key, "row-label", "end"))
        tip = escape(f"{b.key}: {b.low.value} → {decimal(lo, 3)}, "
                     f"{b.high.value} → {decimal(hi, 3)}")
        svg.add(f'<rect class="mark bar" x="{_n(xs(lo))}" y="{_n(y - 7)}" '
                f'width="{_n(max(xs(hi) - xs(lo), 1.0))}" height="14.0"><title>{tip}</title>'
                "</rect>")
        svg.add(_text(xs(lo) - 4, y + 4, str(b.low.value), "tick", "end"))
        svg.add(_text(xs(hi) + 4, y + 4, str(b.high.value), "tick", "start"))
    return svg.render()


_STYLE = """body{font:14px/1.4 system-ui,sans-serif;max-width:800px;margin:2em auto;color:#222}
svg.chart{width:100%;height:auto}.grid{stroke:#e4e4e4}.axis{stroke:#888}
.tick,.row-label,.axis-label{font-size:11px;fill:#444}.whisker{stroke:#1f77b4;stroke-width:2}
.point{fill:#1f77b4}.bar{fill:#ff7f0e}.target{stroke:#d62728;stroke-dasharray:4 3}
table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd}"""


def _variant_label(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items()) or "all runs"


def render_sweep(sweep: SweepSummary) -> str:
    """The page for a sweep's summary (:meth:`SweepSummary.from_json` of ``sweep.json``)."""
    name = sweep.scenario.name
    parts = [f"<h1>Sweep of {escape(name)}</h1>",
             f"<p>{len(sweep.runs)} runs: {len(sweep.seeds)} seeds × "
             f"{len(sweep.variants)} variants, crypto {escape(sweep.scenario.crypto)}."
             " Points are means over seeds; whiskers the 5th–95th percentile band.</p>"]
    if sweep.vary:
        parts.append("<table><tr><th>varied key</th><th>values</th></tr>" + "".join(
            f"<tr><td>{escape(k)}</td><td>{escape(', '.join(map(str, v)))}</td></tr>"
            for k, v in sweep.vary.items()) + "</table>")
    for n, prediction in enumerate(sweep.predictions):
        rows = []
        for v in sweep.variants:
            b = v.bands.get(prediction)
            if b is not None and b.mean is not None and b.p5 is not None and \
                    b.p95 is not None:
                rows.append((_variant_label(v.values), b.mean, b.p5, b.p95))
        if not rows:
            continue
        parts.append(f"<h2>{escape(prediction)}</h2>")
        parts.append(band_chart(f"band-{n}", f"{prediction}: mean and 5–95% band", rows))
        bars = sweep.tornado.get(prediction) or ()
        overall = sweep.overall.get(prediction)
        if bars and overall is not None and overall.mean is not None:
            parts.append(tornado_chart(f"tornado-{n}", f"{prediction}: what moves it most",
                                       overall.mean, bars))
    body = "\n".join(str(p) for p in parts)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Sweep '
            f"{escape(name)}</title><style>{_STYLE}</style></head>"
            f"<body>\n{body}\n</body></html>\n")


def write_sweep_report(folder: str | os.PathLike[str]) -> Path:
    """Render ``FOLDER/sweep.json`` to ``FOLDER/sweep.html``.

    Raises
    ------
    InputError
        ``DF-REP-001`` when sweep.json is missing or not a JSON object, ``DF-REP-002`` at the
        dotted key of a missing or mistyped field; ``DF-IO-004`` when the page cannot be
        written.
    """
    path = Path(folder) / "sweep.json"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError("DF-REP-001", f"cannot read the sweep: {exc.strerror or exc}",
                         Location(file=str(path))) from None
    sweep = SweepSummary.from_json(data, str(path))
    return write_page(render_sweep(sweep), Path(folder) / "sweep.html")
