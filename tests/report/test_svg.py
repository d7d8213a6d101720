"""Charts draw every finite data point, escape every text, and give the same bytes each time."""

from __future__ import annotations

import math
import re

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from docflow.report.scale import Tick
from docflow.report.svg import Interval, Series, Window, cdf_chart, interval_chart, line_chart
from docflow.xmlsafe import parse_xml

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> etree._Element:
    return parse_xml(svg.encode("utf-8"))


def _points(path: etree._Element) -> list[tuple[float, float]]:
    nums = [float(v) for v in re.findall(r"-?\d+\.\d", path.get("d"))]
    return list(zip(nums[::2], nums[1::2], strict=True))


def test_line_chart_draws_each_finite_point_inside_the_plot() -> None:
    """One vertex per finite point, within the frame; NaN points (no data) are skipped."""
    ys = [0.0, 5.0, math.nan, 20.0, 12.5]
    svg = line_chart("c1", "t", [Series("a", [0, 1, 2, 3, 4], ys)], x_ticks=[Tick(0, "0")],
                     x_domain=(0, 4))
    root = _parse(svg)
    (path,) = root.iter(f"{SVG}path")
    pts = _points(path)
    assert len(pts) == 4 == int(path.get("data-n"))
    assert all(72.0 <= x <= 744.0 and 34.0 <= y <= 224.0 for x, y in pts)
    # the largest value reaches the top of the nice domain (20 → 20), the smallest the bottom
    assert min(y for _, y in pts) == 34.0 and max(y for _, y in pts) == 224.0


def test_windows_are_clipped_to_the_axis_and_drawn_under_the_lines() -> None:
    """An outage window outside the run is not drawn; one across its end is cut at the end."""
    svg = line_chart("c2", "t", [Series("a", [0, 10], [1, 2])], x_ticks=[], x_domain=(0, 10),
                     windows=[Window(-5, -1, "before"), Window(8, 30, "late")])
    root = _parse(svg)
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "window"]
    assert len(rects) == 1
    x, w = float(rects[0].get("x")), float(rects[0].get("width"))
    assert math.isclose(x + w, 744.0, abs_tol=0.11)
    children = list(root)
    assert children.index(rects[0]) < children.index(next(root.iter(f"{SVG}path")))


def test_text_is_escaped() -> None:
    """Labels are data: markup in an agency name is shown as text, not interpreted."""
    name = 'UBND <script>alert(1)</script> & "Sở"'
    svg = interval_chart("c3", name, [Interval(name, 0.5, 0.4, 0.6)])
    assert "<script>" not in svg
    root = _parse(svg)
    assert name in "".join(root.itertext())


def test_cdf_is_a_staircase_that_never_goes_down() -> None:
    """A CDF path steps right then up, one step per point, and never decreases."""
    xs, ys = [1.0, 4.0, 30.0, 600.0, 7200.0], [0.1, 0.4, 0.7, 0.95, 1.0]
    root = _parse(cdf_chart("c4", "t", [Series("a", xs, ys)]))
    (path,) = root.iter(f"{SVG}path")
    d = path.get("d")
    assert d.count("V") == len(xs) and d.count("H") == len(xs)
    heights = [float(v) for v in re.findall(r"V(-?\d+\.\d)", d)]
    assert heights == sorted(heights, reverse=True)  # SVG y grows downwards


def test_interval_chart_zooms_high_rates_and_marks_rows_below_target() -> None:
    """Rates all above 90 % get an axis that starts above 0 and points, not bars."""
    rows = [Interval("Trung ương", 0.995, 0.99, 0.998), Interval("Xã", 0.95, 0.94, 0.96)]
    root = _parse(interval_chart("c5", "t", rows, target=0.98))
    assert not [r for r in root.iter(f"{SVG}rect") if "bar" in (r.get("class") or "")]
    points = [c for c in root.iter(f"{SVG}circle")]
    assert [("below" in c.get("class")) for c in points] == [False, True]
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]
    assert ticks[0] != "0\u00a0%" and ticks[-1] == "100\u00a0%"
    low = interval_chart("c6", "t", [Interval("a", 0.3, 0.2, 0.4)])
    assert 'class="bar' in low


def test_same_data_same_bytes() -> None:
    """Charts are deterministic: the same input renders to identical text."""
    def make() -> str:
        return str(line_chart("c", "t", [Series("a", [0, 1, 2], [0.1, 1 / 3, 2 / 3])],
                              x_ticks=[Tick(1, "x")], x_domain=(0, 2)))
    assert make() == make()


values = st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                            st.floats(-1e6, 1e6)), min_size=0, max_size=30)


@given(values)
def test_any_numbers_give_well_formed_svg(ys: list[float]) -> None:
    """Whatever the numbers (empty, NaN, infinite, negative), a chart is well-formed SVG whose
    marks hold exactly the finite points."""
    xs = list(range(len(ys)))
    finite = sum(1 for y in ys if math.isfinite(y))
    root = _parse(line_chart("c", "t", [Series("a", xs, ys)], x_ticks=[],
                             x_domain=(0, max(len(ys) - 1, 1))))
    assert sum(int(p.get("data-n")) for p in root.iter(f"{SVG}path")) == finite
    rates = [Interval(str(i), min(max(abs(y) % 1.0, 0.0), 1.0), 0.0, 1.0)
             for i, y in enumerate(ys) if math.isfinite(y)]
    root = _parse(interval_chart("c", "t", rates, target=0.98))
    assert len(list(root.iter(f"{SVG}circle"))) == len(rates)
