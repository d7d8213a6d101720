"""The audit report's province view and agency names, laid out by a real browser.

A one-day run on vn-2025 with 150 documents really signed and verified (``--crypto sample:150``)
leaves an archive whose senders spread over most provinces but not all; ``docflow audit`` of it
finds the run's topology on its own (``summary.json`` names it) and the run's trust store. The
test reads what Chromium laid out — the tiles' computed colours and boxes, the table's rows —
and compares them with the audit's JSON output, and takes a screenshot.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from docflow.audit.output import AuditOutput
from docflow.report.tilemap import centres_2025

from .conftest import Browser, run_cli
from .test_provinces_browser import _inside, _luminance

SCENARIO = Path(__file__).resolve().parent / "data" / "vn-2025-day.toml"

_LAYOUT = """
const px = r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                  width: r.width, height: r.height});
const svg = document.getElementById('map-provinces');
const tiles = svg ? [...svg.querySelectorAll('rect.tile')].map(t => ({
  province: t.dataset.province, marked: t.classList.contains('mark'),
  value: t.dataset.value === undefined ? null : Number(t.dataset.value),
  fill: getComputedStyle(t).fill, box: px(t.getBoundingClientRect())})) : null;
const section = document.getElementById('provinces');
const table = section.querySelector('table.provinces');
return {tiles: tiles, map: svg ? px(svg.getBoundingClientRect()) : null,
        viewport: window.innerWidth, page: document.documentElement.scrollWidth,
        section: px(section.getBoundingClientRect()),
        table: px(table.getBoundingClientRect()),
        rows: [...table.querySelectorAll('tbody tr')].map(tr => tr.dataset.province),
        overflow: [...document.querySelectorAll('main table, main svg, main section')]
          .filter(e => e.getBoundingClientRect().right
                       > e.parentElement.getBoundingClientRect().right + 0.5)
          .map(e => e.id || e.className.baseVal || e.className),
        levels: [...document.querySelectorAll('table.province-levels tbody tr')]
          .map(tr => [tr.dataset.province, tr.dataset.level]),
        below: [...document.querySelectorAll('table.below td.agency')].map(td => td.innerText)};
"""


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """The run, and ``docflow audit RUN/archive.sqlite --target 0.95 --min-documents 1`` as
    JSON and HTML."""
    base = tmp_path_factory.mktemp("audit-provinces")
    run = base / "run"
    result = run_cli(["simulate", str(SCENARIO), "--out", str(run), "--crypto", "sample:150",
                      "--quiet"])
    assert result.exit_code == 0, result.output
    pages = {}
    for fmt in ("json", "html"):
        pages[fmt] = base / f"audit.{fmt}"
        result = run_cli(["audit", str(run / "archive.sqlite"), "--target", "0.95", "--quiet",
                          "--min-documents", "1",
                          "--format", fmt, "-o", str(pages[fmt])])
        assert result.exit_code == 1, result.output  # some agencies are below 95 %
    return json.loads(pages["json"].read_text("utf-8")), pages["html"]


def test_province_map_and_table_in_chromium(browser: Browser, audited, tmp_path: Path) -> None:
    """One tile per province of 2025; a coloured tile for each province that sent documents,
    carrying its both-valid rate from the JSON; a darker tile never has a lower rate; no tile
    leaves the map and nothing is wider than its container; one table row per province with
    documents (then the central agencies), worst first."""
    data, page = audited
    out = AuditOutput.from_json(data)
    assert out.directory.source.value == "run" and out.directory.origin == "vn-2025"
    assert out.by_province is not None
    rates = {k: c.both_valid / c.documents for k, c in out.by_province.items()
             if c.documents and k in centres_2025()}
    assert 10 < len(rates) < 34  # most provinces sent documents, not all: grey tiles too
    check = browser.open(page, tmp_path / "audit-provinces.png")
    assert check.console == [], check.console
    assert check.screenshot.stat().st_size > 10_000
    layout = browser.driver.execute_script(_LAYOUT)

    assert layout["page"] <= layout["viewport"] and layout["overflow"] == []
    tiles = layout["tiles"]
    assert len(tiles) == 34 and {t["province"] for t in tiles} == set(centres_2025())
    marked = [t for t in tiles if t["marked"]]
    assert {t["province"] for t in marked} == set(rates)
    for t in marked:
        assert t["value"] == pytest.approx(rates[t["province"]])
    for t in tiles:
        assert t["box"]["width"] > 8 and _inside(t["box"], layout["map"])
    assert len({(round(t["box"]["left"]), round(t["box"]["top"])) for t in tiles}) == 34
    assert _inside(layout["map"], layout["section"])
    shades = [_luminance(t["fill"]) for t in sorted(marked, key=lambda t: t["value"])]
    assert all(a >= b for a, b in itertools.pairwise(shades))
    assert shades[0] > shades[-1]
    grey = {_luminance(t["fill"]) for t in tiles if not t["marked"]}
    assert len(grey) == 1  # every province without documents in the one "no data" grey

    places = sorted(rates, key=lambda k: (rates[k], k))
    assert layout["rows"] == [*places, "central"]
    assert layout["table"]["right"] <= layout["section"]["right"] + 0.5
    # The split by level: one row per (province, level) with documents, in the table's order.
    split = out.by_province_level or {}
    assert sorted(map(tuple, layout["levels"])) == sorted(
        (p, lv) for p, t in split.items() for lv, c in t.items() if c.documents)
    order = [layout["rows"].index(p) for p, _ in layout["levels"]]
    assert order == sorted(order)


def test_agencies_below_target_by_name_in_chromium(browser: Browser, audited,
                                                   tmp_path: Path) -> None:
    """The agencies below the target are shown by their names from the run's topology, each
    with its organ code, in the audit's worst-first order."""
    data, page = audited
    out = AuditOutput.from_json(data)
    assert out.target is not None
    browser.open(page, tmp_path / "audit-names.png")
    layout = browser.driver.execute_script(_LAYOUT)
    codes = [b.key for b in out.target.below if b.dimension == "agency"]
    assert codes and len(layout["below"]) == len(codes)
    for text, code in zip(layout["below"], codes, strict=True):
        name = out.directory.name(code)
        assert name and text == f"{name} {code}", (text, code)
