"""A tile map of Vietnam's provinces: one square per province, near where the province lies.

A real map would need boundary data and would make Hà Nội (3,359 km²) a speck beside Lâm Đồng;
a tile map gives every province the same area, so a colour reads as the province's figure, not
its size. Each tile is placed on a grid by the latitude and longitude of the province's centre
(``docflow/topology/data/province_centres_2025.csv``, two decimals, from the project's reference
data); two provinces that fall in the same cell are separated by moving the later one (in a fixed
order, north to south) to the nearest free cell, so the same provinces always give the same map.

Colours come from a five-step sequential scale (light to dark: more documents, a slower p95, a
higher signing rate) so that the order of the colours is the order of the values; a province
with no figure is drawn hatched-grey, never as zero.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from markupsafe import Markup, escape

__all__ = ["SCALE", "TileMap", "centres_2025", "tile_grid", "tile_map"]

SCALE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
"""ColorBrewer's five-class Blues: ordered by lightness, legible in grey print and to
colour-blind readers (one hue)."""

_MISSING = "#d9d9d9"
_CELL_DEG = 0.85
"""Degrees per grid cell: fine enough that the coast's S-shape shows, coarse enough that 34
tiles form one connected shape rather than scattered islands."""
_TILE = 30
_GAP = 2


@dataclass(frozen=True, slots=True)
class TileMap:
    """Grid positions of the provinces: ``cells[name] = (column, row)``."""

    cells: Mapping[str, tuple[int, int]]
    columns: int
    rows: int


@cache
def centres_2025() -> dict[str, tuple[float, float]]:
    """The 34 provinces of 2025 and the (latitude, longitude) of their administrative centre."""
    text = (resources.files("docflow.topology") / "data" / "province_centres_2025.csv"
            ).read_text("utf-8")
    return {row["province_2025"]: (float(row["lat"]), float(row["lon"]))
            for row in csv.DictReader(io.StringIO(text))}


def tile_grid(centres: Mapping[str, tuple[float, float]]) -> TileMap:
    """Place each province on a grid cell near its centre, one province per cell.

    Examples
    --------
    >>> g = tile_grid({"A": (21.0, 105.8), "B": (21.01, 105.81)})
    >>> sorted(g.cells.values()), g.columns, g.rows
    ([(0, 0), (0, 1)], 1, 2)
    """
    if not centres:
        return TileMap({}, 0, 0)
    north = max(lat for lat, _ in centres.values())
    west = min(lon for _, lon in centres.values())
    taken: dict[tuple[int, int], str] = {}
    cells: dict[str, tuple[int, int]] = {}
    # North to south, then west to east, then by name: a fixed order, so a fixed map.
    for name, (lat, lon) in sorted(centres.items(), key=lambda kv: (-kv[1][0], kv[1][1], kv[0])):
        want = (round((lon - west) / _CELL_DEG), round((north - lat) / _CELL_DEG))
        cell = _nearest_free(want, taken, (lon - west) / _CELL_DEG, (north - lat) / _CELL_DEG)
        taken[cell] = name
        cells[name] = cell
    min_c = min(c for c, _ in cells.values())
    min_r = min(r for _, r in cells.values())
    cells = {k: (c - min_c, r - min_r) for k, (c, r) in cells.items()}
    return TileMap(cells, max(c for c, _ in cells.values()) + 1,
                   max(r for _, r in cells.values()) + 1)


def _nearest_free(want: tuple[int, int], taken: Mapping[tuple[int, int], str],
                  x: float, y: float) -> tuple[int, int]:
    """The free cell closest to the exact position ``(x, y)``, searching rings around ``want``."""
    for radius in range(0, 20):
        ring = [(want[0] + dc, want[1] + dr) for dc in range(-radius, radius + 1)
                for dr in range(-radius, radius + 1) if max(abs(dc), abs(dr)) == radius]
        free = [c for c in ring if c not in taken and c[0] >= -3]
        if free:
            return min(free, key=lambda c: ((c[0] - x) ** 2 + (c[1] - y) ** 2, c))
    raise AssertionError("no free cell within 20 rings")  # 34 provinces never get here


def _abbrev(name: str) -> str:
    """Two letters for a tile: the initials of a two-word name, else its first two letters.

    >>> _abbrev("Hà Nội"), _abbrev("Huế"), _abbrev("Thành phố Hồ Chí Minh")
    ('HN', 'Hu', 'HCM')
    """
    words = name.replace("Thành phố ", "").split()
    if len(words) == 1:
        return words[0][:2]
    return "".join(w[0] for w in words).upper()


def _bins(values: Sequence[float]) -> list[float]:
    """Four cut points splitting the finite values into five classes of equal count."""
    finite = sorted(v for v in values if math.isfinite(v))
    if not finite:
        return []
    return [finite[min(len(finite) - 1, (len(finite) * k) // len(SCALE))]
            for k in range(1, len(SCALE))]


def tile_map(chart_id: str, title: str, values: Mapping[str, float | None],
             fmt: Callable[[float], str], *,
             centres: Mapping[str, tuple[float, float]] | None = None) -> Markup:
    """An inline SVG tile map of the provinces, each tile coloured by its value.

    Parameters
    ----------
    chart_id, title
        The SVG's ``id`` and its accessible title (also shown above the map).
    values
        Per province name, its figure; ``None`` or a province absent from ``values`` is drawn
        grey as "no data".
    fmt
        Formats a value for the tile's tooltip and the legend.
    centres
        Province centres; by default the 34 provinces of 2025.

    Returns
    -------
    Markup
        The ``<svg>``; every tile is a ``rect.tile`` with ``data-province``; a tile with a value
        is also a ``.mark`` (one drawn data point) with ``data-value``.

    Examples
    --------
    >>> svg = tile_map("m", "Demo", {"Hà Nội": 3.0}, str)
    >>> svg.count('tile c'), svg.count('tile missing'), 'data-province="Hà Nội"' in svg
    (1, 33, True)
    """
    centres = centres_2025() if centres is None else centres
    grid = tile_grid(centres)
    finite = {k: float(v) for k, v in values.items()
              if k in centres and v is not None and math.isfinite(v)}
    cuts = _bins(list(finite.values()))
    step = _TILE + _GAP
    top = 24
    legend_h = 22
    width = grid.columns * step + 8
    height = top + grid.rows * step + legend_h + 8
    cid = escape(chart_id)
    parts = [f'<svg class="chart tilemap" id="{cid}" xmlns="http://www.w3.org/2000/svg" '
             f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{cid}-t">'
             f'<title id="{cid}-t">{escape(title)}</title>',
             f'<text x="4" y="15" class="map-title">{escape(title)}</text>']
    for name, (c, r) in sorted(grid.cells.items(), key=lambda kv: (kv[1][1], kv[1][0])):
        x, y = 4 + c * step, top + r * step
        v = finite.get(name)
        if v is None:
            fill, cls, shown, data = _MISSING, "tile missing", "no data", ""
        else:
            k = sum(1 for cut in cuts if v >= cut)
            fill, cls, shown, data = SCALE[k], f"mark tile c{k}", fmt(v), f' data-value="{v!r}"'
        ink = "#ffffff" if fill in SCALE[3:] else "#1a1a1a"
        parts.append(f'<g class="province"><rect class="{cls}" x="{x}" y="{y}" width="{_TILE}" '
                     f'height="{_TILE}" rx="3" fill="{fill}" data-province="{escape(name)}"'
                     f'{data}><title>{escape(name)}: {escape(shown)}</title></rect>'
                     f'<text x="{x + _TILE / 2:.1f}" y="{y + _TILE / 2 + 4:.1f}" '
                     f'class="tile-label" text-anchor="middle" fill="{ink}">'
                     f"{escape(_abbrev(name))}</text></g>")
    ly = top + grid.rows * step + 6
    if cuts:
        low = min(finite.values())
        parts.append(f'<text x="4" y="{ly + 12}" class="tick" text-anchor="start">'
                     f"{escape(fmt(low))}</text>")
        for k, colour in enumerate(SCALE):
            parts.append(f'<rect class="swatch" x="{62 + k * 16}" y="{ly + 2}" width="16" '
                         f'height="12" fill="{colour}"/>')
        parts.append(f'<text x="{62 + len(SCALE) * 16 + 4}" y="{ly + 12}" class="tick" '
                     f'text-anchor="start">{escape(fmt(max(finite.values())))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
