"""Charts as inline SVG, drawn in Python: line charts, step CDFs, intervals, shaded windows.

The reports must open offline and travel by e-mail, so there is no charting library, no script
and no external file: each chart is a small SVG string built here and inlined by the template.
Every text that reaches the SVG is escaped (agency names are user data), and every coordinate
is printed with one decimal, so the same data always gives the same bytes.

Each data mark carries ``class="mark"``: a bar, a point, or a ``path`` whose vertices are the data
points. The browser test counts them, to prove that every chart drew its data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from markupsafe import Markup, escape

from docflow.report.format import decimal, percent
from docflow.report.scale import LinearScale, LogScale, Tick, duration_ticks, nice_ticks

__all__ = [
    "PALETTE",
    "Frame",
    "Interval",
    "Series",
    "Window",
    "cdf_chart",
    "interval_chart",
    "line_chart",
]

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
"""The Okabe–Ito colours (less yellow), told apart by colour-blind readers and in grey print."""

_DASHES = ("", "6 3", "2 2", "8 3 2 3", "1 3", "10 4", "4 4")
"""A dash pattern per series, so that lines stay distinct on a black-and-white printer."""


@dataclass(frozen=True, slots=True)
class Frame:
    """The size of a chart and its margins, in CSS pixels (the SVG scales to its container)."""

    width: int = 760
    """Wide enough for a week of hourly points, narrow enough for an A4 page in portrait."""
    height: int = 260
    left: int = 72
    """Room for tick labels such as ``12 345``."""
    right: int = 16
    top: int = 34
    """Room for the legend above the plot."""
    bottom: int = 36

    @property
    def x0(self) -> float:
        return float(self.left)

    @property
    def x1(self) -> float:
        return float(self.width - self.right)

    @property
    def y0(self) -> float:
        return float(self.height - self.bottom)

    @property
    def y1(self) -> float:
        return float(self.top)


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a chart: a label for the legend and its points."""

    label: str
    xs: Sequence[float]
    ys: Sequence[float]


@dataclass(frozen=True, slots=True)
class Window:
    """A shaded stretch of the x axis, such as a hub outage, with a short label."""

    start: float
    end: float
    label: str


@dataclass(frozen=True, slots=True)
class Interval:
    """One row of an interval chart: a rate, its confidence interval and a label."""

    label: str
    value: float
    low: float
    high: float
    note: str = ""
    """Shown in the tooltip, e.g. ``1 234 documents``."""


@dataclass(frozen=True, slots=True)
class _Svg:
    """Collects the parts of one SVG document in drawing order."""

    chart_id: str
    title: str
    frame: Frame
    parts: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.parts.append(text)

    def render(self, height: int | None = None) -> Markup:
        h = height or self.frame.height
        cid = escape(self.chart_id)
        head = (f'<svg class="chart" id="{cid}" xmlns="http://www.w3.org/2000/svg" '
                f'viewBox="0 0 {self.frame.width} {h}" role="img" '
                f'aria-labelledby="{cid}-t"><title id="{cid}-t">{escape(self.title)}</title>')
        return Markup(head + "".join(self.parts) + "</svg>")


def _n(value: float) -> str:
    """A coordinate with one decimal and no ``-0.0``: stable bytes for the same data."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _text(x: float, y: float, text: str, cls: str, anchor: str = "middle") -> str:
    return (f'<text x="{_n(x)}" y="{_n(y)}" class="{cls}" text-anchor="{anchor}">'
            f"{escape(text)}</text>")


_LEGEND_ROW = 18.0
"""Height of one legend row; a legend too long for one line wraps onto more."""


def _legend_layout(labels: Sequence[str], frame: Frame) -> tuple[list[tuple[float, int]], int]:
    """Where each legend entry goes: its x and its row, wrapping at the right edge.

    >>> _legend_layout(["a" * 60, "b" * 60], Frame())
    ([(72.0, 0), (72.0, 1)], 2)
    """
    # About 7.2 px per character at the legend's font size: deterministic, no font metrics.
    place, x, row = [], frame.x0, 0
    for label in labels:
        width = 40 + 7.2 * len(label)
        if x > frame.x0 and x + width > frame.x1:
            x, row = frame.x0, row + 1
        place.append((x, row))
        x += width
    return place, (row + 1 if labels else 1)


def _with_legend(frame: Frame, labels: Sequence[str]) -> Frame:
    """``frame`` made taller at the top for a legend of more than one row."""
    _, rows = _legend_layout(labels, frame)
    extra = round(_LEGEND_ROW * (rows - 1))
    return replace(frame, top=frame.top + extra, height=frame.height + extra)


def _legend(svg: _Svg, labels: Sequence[str]) -> None:
    """The legend above the plot: a short line in each series' colour and dash."""
    place, _ = _legend_layout(labels, svg.frame)
    for i, (label, (x, row)) in enumerate(zip(labels, place, strict=True)):
        colour, dash = PALETTE[i % len(PALETTE)], _DASHES[i % len(_DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        y = 14.0 + _LEGEND_ROW * row
        svg.add(f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + 22)}" y2="{_n(y)}" '
                f'stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
        svg.add(_text(x + 27, y + 4, label, "legend", "start"))


def _y_axis(svg: _Svg, scale: LinearScale, ticks: Sequence[float], label: str,
            fmt: Callable[[float], str]) -> None:
    f = svg.frame
    for t in ticks:
        y = scale(t)
        svg.add(f'<line x1="{_n(f.x0)}" y1="{_n(y)}" x2="{_n(f.x1)}" y2="{_n(y)}" class="grid"/>')
        svg.add(_text(f.x0 - 6, y + 4, fmt(t), "tick", "end"))
    svg.add(f'<text class="axis-label" transform="translate(14 {_n((f.y0 + f.y1) / 2)}) '
            f'rotate(-90)" text-anchor="middle">{escape(label)}</text>')


def _x_axis(svg: _Svg, positions: Sequence[tuple[float, str]], label: str) -> None:
    f = svg.frame
    svg.add(f'<line x1="{_n(f.x0)}" y1="{_n(f.y0)}" x2="{_n(f.x1)}" y2="{_n(f.y0)}" '
            f'class="axis"/>')
    for x, text in positions:
        svg.add(f'<line x1="{_n(x)}" y1="{_n(f.y0)}" x2="{_n(x)}" y2="{_n(f.y0 + 4)}" '
                f'class="axis"/>')
        svg.add(_text(x, f.y0 + 16, text, "tick"))
    if label:
        svg.add(_text((f.x0 + f.x1) / 2, f.y0 + 31, label, "axis-label"))


def _line_path(points: Sequence[tuple[float, float]]) -> str:
    """A polyline path: one ``M`` or ``L`` command per data point.

    >>> _line_path([(0, 1), (2, 3)])
    'M0.0 1.0L2.0 3.0'
    """
    return "".join(f"{'L' if i else 'M'}{_n(x)} {_n(y)}" for i, (x, y) in enumerate(points))


def _step_path(origin: tuple[float, float], points: Sequence[tuple[float, float]]) -> str:
    """A right-continuous staircase from ``origin``: one ``H…V…`` pair per data point.

    >>> _step_path((0, 10), [(2, 5), (4, 0)])
    'M0.0 10.0H2.0V5.0H4.0V0.0'
    """
    return f"M{_n(origin[0])} {_n(origin[1])}" + "".join(
        f"H{_n(x)}V{_n(y)}" for x, y in points)


def _series_path(svg: _Svg, i: int, label: str, d: str, n: int, kind: str = "line") -> None:
    """Draw one series; ``data-n`` is its number of data points (one vertex each)."""
    colour, dash = PALETTE[i % len(PALETTE)], _DASHES[i % len(_DASHES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    svg.add(f'<path class="mark series {kind}" data-series="{escape(label)}" data-n="{n}" '
            f'd="{d}" stroke="{colour}"{dash_attr}><title>{escape(label)}</title></path>')


def _tick_format(step: float, as_percent: bool) -> Callable[[float], str]:
    """Tick labels with just enough decimals to tell ticks ``step`` apart.

    >>> [_tick_format(0.25, False)(v) for v in (0, 0.25)], _tick_format(0.0002, True)(0.0004)
    (['0.00', '0.25'], '0.04\xa0%')
    """
    scaled = step * (100.0 if as_percent else 1.0)
    digits = max(0, -math.floor(math.log10(scaled) + 1e-9)) if scaled > 0 else 0
    if scaled > 0 and round(scaled, digits) != scaled:
        digits += 1  # 0.25 needs two decimals, not one
    if as_percent:
        return lambda v: percent(v, digits)
    return lambda v: decimal(v, digits)


def line_chart(chart_id: str, title: str, series: Sequence[Series], *, x_ticks: Sequence[Tick],
               x_domain: tuple[float, float], x_label: str = "", y_label: str = "",
               y_percent: bool = False, y_min: float = 0.0,
               y_max: float | None = None, windows: Sequence[Window] = (),
               frame: Frame = Frame()) -> Markup:
    """A line chart of one or more series over a linear x axis, with shaded windows.

    Parameters
    ----------
    chart_id, title
        The SVG's ``id`` and its accessible title.
    series
        The lines, drawn in palette order; points with a non-finite y are skipped.
    x_ticks, x_domain
        Tick marks and the range of the x axis (e.g. hours since the start of the run).
    y_percent
        Label the y ticks as percentages (the values are shares in [0, 1]).
    y_min, y_max
        The y range; ``y_max`` defaults to the largest value, rounded up to a nice number.
    windows
        Stretches of the x axis to shade, such as outages, drawn under the lines.

    Returns
    -------
    Markup
        The ``<svg>`` element, safe to insert into a Jinja template unescaped.

    Examples
    --------
    >>> svg = line_chart("c", "Demo", [Series("a", [0, 1, 2], [1, 3, 2])],
    ...                  x_ticks=[], x_domain=(0, 2))
    >>> svg.count('class="mark series line"'), 'data-n="3"' in svg
    (1, True)
    """
    finite = [y for s in series for y in s.ys if y is not None and math.isfinite(y)]
    top = max(finite, default=1.0) if y_max is None else y_max
    (lo, hi), yt = nice_ticks(y_min, max(top, y_min + 1e-9), 5)
    fmt = _tick_format(yt[1] - yt[0], y_percent)
    frame = _with_legend(frame, [s.label for s in series])
    svg = _Svg(chart_id, title, frame)
    xs = LinearScale(x_domain, (frame.x0, frame.x1))
    ys = LinearScale((lo, hi), (frame.y0, frame.y1))
    for w in windows:
        a, b = max(w.start, x_domain[0]), min(w.end, x_domain[1])
        if b <= a:
            continue
        svg.add(f'<rect class="window" x="{_n(xs(a))}" y="{_n(frame.y1)}" '
                f'width="{_n(max(xs(b) - xs(a), 1.0))}" height="{_n(frame.y0 - frame.y1)}">'
                f"<title>{escape(w.label)}</title></rect>")
        svg.add(_text(xs(a) + 3, frame.y1 + 11, w.label, "window-label", "start"))
    _y_axis(svg, ys, yt, y_label, fmt)
    _x_axis(svg, [(xs(t.value), t.label) for t in x_ticks], x_label)
    _legend(svg, [s.label for s in series])
    for i, s in enumerate(series):
        pts = [(xs(x), ys(min(max(y, lo), hi))) for x, y in zip(s.xs, s.ys, strict=True)
               if y is not None and math.isfinite(y)]
        if pts:
            _series_path(svg, i, s.label, _line_path(pts), len(pts))
    return svg.render()


def cdf_chart(chart_id: str, title: str, series: Sequence[Series], *, x_label: str = "",
              frame: Frame = Frame()) -> Markup:
    """Empirical distribution functions as staircases over a logarithmic time axis.

    Each series gives latencies in seconds (``xs``, ascending) and the cumulative share of
    documents at or below each (``ys``, in [0, 1]). A log axis shows the one-minute hop through a
    hub and the two-day wait for acceptance on the same chart.

    Examples
    --------
    >>> svg = cdf_chart("c", "Demo", [Series("a", [1, 10, 100], [0.5, 0.9, 1.0])])
    >>> 'data-n="3"' in svg and "1 min" in svg
    True
    """
    finite = [x for s in series for x in s.xs if x is not None and math.isfinite(x) and x > 0]
    (d0, d1), ticks = duration_ticks(min(finite, default=1.0), max(finite, default=10.0))
    frame = _with_legend(frame, [s.label for s in series])
    svg = _Svg(chart_id, title, frame)
    xs = LogScale((d0, d1), (frame.x0, frame.x1))
    ys = LinearScale((0.0, 1.0), (frame.y0, frame.y1))
    _y_axis(svg, ys, [0.0, 0.25, 0.5, 0.75, 1.0], "share of documents",
            lambda v: percent(v, 0))
    _x_axis(svg, [(xs(t.value), t.label) for t in ticks], x_label)
    _legend(svg, [s.label for s in series])
    for i, s in enumerate(series):
        pts = [(xs(x), ys(min(max(y, 0.0), 1.0))) for x, y in zip(s.xs, s.ys, strict=True)
               if math.isfinite(x) and math.isfinite(y)]
        if pts:
            # Start the staircase at 0 % on the left edge, so the first step is visible.
            _series_path(svg, i, s.label, _step_path((frame.x0, frame.y0), pts), len(pts),
                         "step")
    return svg.render()


def _rate_domain(rows: Sequence[Interval], target: float | None) -> tuple[float, list[float]]:
    """Start the rate axis at 0, or zoom in when every interval sits high (signing rates)."""
    lows = [r.low for r in rows if math.isfinite(r.low)]
    if target is not None:
        lows.append(target)
    floor = min(lows, default=0.0)
    start = 0.0 if floor < 0.5 else max(0.0, math.floor((floor - 0.02) * 20.0) / 20.0)
    (lo, _), ticks = nice_ticks(start, 1.0, 5)
    return max(lo, 0.0), [t for t in ticks if t >= 0.0]


def interval_chart(chart_id: str, title: str, rows: Sequence[Interval], *,
                   target: float | None = None, x_label: str = "",
                   frame: Frame = Frame(left=200)) -> Markup:
    """One row per group: a rate as a point, its 95 % interval as a whisker, and the target.

    When every interval sits above 50 % the axis zooms in (a signing-rate chart from 0 to 100 %
    would squash 97 % and 99 % together), and rates are then drawn as points, not as bars, since
    a bar that does not start at zero misstates ratios. Rows below ``target`` are marked.

    Examples
    --------
    >>> svg = interval_chart("c", "Demo", [Interval("Tỉnh", 0.97, 0.95, 0.98)], target=0.98)
    >>> svg.count('class="mark point below"'), "Tỉnh" in svg
    (1, True)
    """
    row_h = 24
    height = frame.top + frame.bottom + row_h * max(len(rows), 1)
    f = Frame(frame.width, height, frame.left, frame.right, frame.top, frame.bottom)
    start, ticks = _rate_domain(rows, target)
    svg = _Svg(chart_id, title, f)
    xs = LinearScale((start, 1.0), (f.x0, f.x1))
    bars = start == 0.0
    for t in ticks:
        x = xs(t)
        svg.add(f'<line x1="{_n(x)}" y1="{_n(f.y1)}" x2="{_n(x)}" y2="{_n(f.y0)}" class="grid"/>')
    _x_axis(svg, [(xs(t), percent(t, 0)) for t in ticks], x_label)
    if target is not None:
        x = xs(target)
        svg.add(f'<line class="target" x1="{_n(x)}" y1="{_n(f.y1 - 6)}" x2="{_n(x)}" '
                f'y2="{_n(f.y0)}"/>')
        svg.add(_text(x, f.y1 - 10, f"target {percent(target, 1)}", "target-label"))
    for i, r in enumerate(rows):
        yc = f.y1 + row_h * i + row_h / 2
        below = target is not None and r.value < target
        cls = " below" if below else ""
        svg.add(_text(f.x0 - 8, yc + 4, r.label, "row-label", "end"))
        tip = escape(f"{r.label}: {percent(r.value, 1)} ({percent(r.low, 1)} – "
                     f"{percent(r.high, 1)})" + (f", {r.note}" if r.note else ""))
        if bars:
            svg.add(f'<rect class="bar{cls}" x="{_n(f.x0)}" y="{_n(yc - 7)}" '
                    f'width="{_n(max(xs(r.value) - f.x0, 0.0))}" height="14.0"/>')
        svg.add(f'<line class="whisker" x1="{_n(xs(r.low))}" y1="{_n(yc)}" '
                f'x2="{_n(xs(r.high))}" y2="{_n(yc)}"/>')
        for edge in (r.low, r.high):
            svg.add(f'<line class="whisker" x1="{_n(xs(edge))}" y1="{_n(yc - 5)}" '
                    f'x2="{_n(xs(edge))}" y2="{_n(yc + 5)}"/>')
        svg.add(f'<circle class="mark point{cls}" cx="{_n(xs(r.value))}" cy="{_n(yc)}" r="4.5">'
                f"<title>{tip}</title></circle>")
    return svg.render(height)
