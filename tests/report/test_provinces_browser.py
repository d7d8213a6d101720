"""The simulation report's province views, laid out by a real browser (headless Chromium).

A one-day run on vn-2025 gives all 34 provinces traffic. The test reads the layout the browser
computed — bounding boxes and computed colours, not the HTML text — and takes a screenshot.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import Browser, run_cli

SCENARIO = Path(__file__).resolve().parent / "data" / "vn-2025-day.toml"

#: Per tile map: each tile's province, value and computed fill (as the browser resolved it), the
#: map's box, the boxes of its tiles, and the page's and the section's widths.
_LAYOUT = """
const px = r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                  width: r.width, height: r.height});
const maps = {};
for (const svg of document.querySelectorAll('svg.tilemap')) {
  const tiles = [];
  for (const t of svg.querySelectorAll('rect.tile')) {
    tiles.push({province: t.dataset.province,
                value: t.dataset.value === undefined ? null : Number(t.dataset.value),
                fill: getComputedStyle(t).fill, box: px(t.getBoundingClientRect())});
  }
  maps[svg.id] = {box: px(svg.getBoundingClientRect()), tiles: tiles};
}
const section = document.getElementById('provinces');
const table = section.querySelector('table.provinces');
return {maps: maps, viewport: window.innerWidth,
        page: document.documentElement.scrollWidth,
        section: px(section.getBoundingClientRect()),
        table: px(table.getBoundingClientRect()),
        rows: table.querySelectorAll('tbody tr').length,
        overflow: [...document.querySelectorAll('main table, main svg, main section')]
          .filter(e => e.getBoundingClientRect().right
                       > e.parentElement.getBoundingClientRect().right + 0.5)
          .map(e => e.id || e.className.baseVal || e.className),
        hubs: [...document.querySelectorAll('table.hubs tbody tr')].map(tr => tr.dataset.hub)};
"""


def _luminance(css: str) -> float:
    """Relative luminance of a computed ``rgb(r, g, b)`` colour."""
    r, g, b = (int(v) / 255 for v in css[css.index("(") + 1:css.index(")")].split(","))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (inner["left"] >= outer["left"] - 0.5 and inner["right"] <= outer["right"] + 0.5
            and inner["top"] >= outer["top"] - 0.5 and inner["bottom"] <= outer["bottom"] + 0.5)


@pytest.fixture(scope="module")
def vn_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("vn-2025-day")
    result = run_cli(["simulate", str(SCENARIO), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def test_province_maps_and_table_in_chromium(browser: Browser, vn_run: Path,
                                             tmp_path: Path) -> None:
    """Three maps of 34 tiles each, one per province of summary.json; a darker tile never has a
    smaller value than a lighter one; no tile leaves its map, no map leaves the page, nothing
    is wider than the viewport; the table has a row per province; hubs come worst first."""
    s: dict[str, Any] = json.loads((vn_run / "summary.json").read_text("utf-8"))
    provinces = {h["province"]: h for h in s["hubs"].values() if h["province"]}
    assert len(provinces) == 34
    check = browser.open(vn_run / "report.html", tmp_path / "provinces.png")
    assert check.console == [], check.console
    assert check.screenshot.stat().st_size > 10_000
    layout = browser.driver.execute_script(_LAYOUT)

    assert set(layout["maps"]) == {"map-volume", "map-latency", "map-coverage"}
    assert layout["page"] <= layout["viewport"]  # no horizontal scroll
    assert layout["overflow"] == []  # no table, chart or section wider than its container
    expected = {
        "map-volume": {p: h["sent"] for p, h in provinces.items()},
        "map-latency": {p: h["latency_s"]["delivery"]["p95"] for p, h in provinces.items()},
        "map-coverage": {p: h["coverage"]["both_valid"] / h["coverage"]["documents"]
                         for p, h in provinces.items()},
    }
    for map_id, m in layout["maps"].items():
        tiles = m["tiles"]
        assert len(tiles) == 34
        assert {t["province"] for t in tiles} == set(provinces)
        for t in tiles:
            assert t["value"] == pytest.approx(expected[map_id][t["province"]])
            assert t["box"]["width"] > 8 and _inside(t["box"], m["box"])
        # Tiles do not overlap: 34 distinct positions.
        assert len({(round(t["box"]["left"]), round(t["box"]["top"])) for t in tiles}) == 34
        assert _inside(m["box"], layout["section"])
        # The colour order is the value order: sorted by value, tiles only get darker.
        shades = [_luminance(t["fill"]) for t in sorted(tiles, key=lambda t: t["value"])]
        assert all(a >= b for a, b in itertools.pairwise(shades)), map_id
        assert shades[0] > shades[-1]  # and the scale is used: not one colour for all
    assert layout["rows"] == 34
    assert layout["table"]["right"] <= layout["section"]["right"] + 0.5

    # The hub table comes worst first: slowest p95 to delivery, then most lost, then by id.
    def worst(hub: str) -> tuple[float, int, str]:
        h = s["hubs"][hub]
        p95 = h["latency_s"]["delivery"]["p95"]
        return (-(p95 if p95 is not None else -1.0), -h["lost"], hub)

    assert layout["hubs"] == sorted(s["hubs"], key=worst)
    assert layout["hubs"] != list(s["hubs"])  # not merely the summary's order
