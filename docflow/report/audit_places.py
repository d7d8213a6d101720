"""Where, not only how much: the audit's signing rates per province, as a table and a tile map.

The audit counts coverage per province from its agencies' counts (``by_province`` of the audit
JSON; :func:`docflow.audit.result.by_province`), which needs a topology to place each organ code.
The report shows:

* a table, one row per province with documents: the number of agencies, n (documents), and the
  rate of each role (present and valid) with its 95 % interval, worst first by the audit's
  measure; central agencies and senders the topology does not know come last, each in one row;
* a second table splitting each province's row by the level of the senders (province,
  district, commune), so that a low rate is traced to the level it comes from;
* a tile map of the provinces coloured by the audit's measure — the simulation report's map
  (:func:`docflow.report.tilemap.tile_map`), one tile per province of 2025, grey where no
  document came from. A topology whose provinces are not those 34 (vn-2024's 63, a custom one)
  gets the table alone, and the page says why the map is absent.

With no topology, the section says that provinces are unknown and how to name them.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from docflow.audit.directory import CENTRAL, Directory, DirectorySource
from docflow.audit.output import AuditOutput
from docflow.audit.result import UNKNOWN
from docflow.report.coverage import MEASURES, CoverageRow, counts_row
from docflow.report.format import percent
from docflow.report.labels import level_label, level_order
from docflow.report.tilemap import centres_2025, tile_map

__all__ = ["ProvinceLevelRow", "ProvinceRow", "ProvinceView", "names_fact", "province_view"]

_LAST = {CENTRAL: "Central agencies", UNKNOWN: "Not in the topology"}
"""The rows that are no province, and their words; they come after the provinces."""


@dataclass(frozen=True, slots=True)
class ProvinceRow:
    """One province (or the central agencies, or the unknown senders) of the audit."""

    rates: CoverageRow
    agencies: int
    """Agencies of the province that sent documents."""
    place: bool
    """A real province (not the central agencies nor the unknown senders)."""


@dataclass(frozen=True, slots=True)
class ProvinceLevelRow:
    """One level of the senders of one province (or of the central or unknown senders)."""

    province: str
    """The province's key in ``by_province``."""
    label: str
    """The province's word in the table (its name, or the central/unknown row's)."""
    rates: CoverageRow
    """Keyed by the level, labelled with its word."""


@dataclass(frozen=True, slots=True)
class ProvinceView:
    """The province section of the audit report."""

    rows: list[ProvinceRow]
    map: Markup | None
    """The tile map, or ``None`` (then :attr:`why` says why)."""
    why: str | None
    """Why there is no table or no map; ``None`` when both are shown."""
    levels: list[ProvinceLevelRow]
    """The provinces' rows split by the senders' level, in the order of :attr:`rows`."""


def names_fact(directory: Directory) -> str:
    """Where the agencies' names come from, in a few words.

    >>> from docflow.audit.directory import NO_DIRECTORY
    >>> names_fact(NO_DIRECTORY)
    'unknown (no topology or PKI index)'
    """
    if directory.source is DirectorySource.NONE:
        return "unknown (no topology or PKI index)"
    words = {DirectorySource.TOPOLOGY: "topology", DirectorySource.RUN: "the run's topology",
             DirectorySource.PKI: "PKI index"}[directory.source]
    return f"{words} {directory.origin}" if directory.origin else words


def province_view(out: AuditOutput, measure: str) -> ProvinceView:
    """The rows, the map and the reason for what is absent, for ``out``'s provinces."""
    if out.by_province is None:
        return ProvinceView([], None, "Provinces are unknown: the audit had no topology to place "
                            "each agency (give one with --topology, e.g. --topology vn-2025; a "
                            "simulation run's archive uses the run's own).", [])
    agencies: dict[str, int] = {}
    for code in out.by_agency:
        key = out.directory.province(code)
        agencies[key] = agencies.get(key, 0) + 1
    rows = [ProvinceRow(counts_row(counts, key, _LAST.get(key, key)), agencies.get(key, 0),
                        key not in _LAST)
            for key, counts in out.by_province.items() if counts.documents]

    def order(row: ProvinceRow) -> tuple[int, float, str]:
        rate = row.rates.cells[measure].rate
        return (0 if row.place else 1 + list(_LAST).index(row.rates.key),
                rate if rate is not None else 2.0, row.rates.key)

    rows.sort(key=order)
    split = out.by_province_level or {}
    levels = [ProvinceLevelRow(r.rates.key, r.rates.label,
                               counts_row(split[r.rates.key][lv], lv, level_label(lv)))
              for r in rows if r.rates.key in split
              for lv in level_order(split[r.rates.key])
              if split[r.rates.key][lv].documents]
    places = [r for r in rows if r.place]
    centres = centres_2025()
    outside = [r.rates.key for r in places if r.rates.key not in centres]
    if not places:
        return ProvinceView(rows, None, "No map: no document came from an agency in a province.",
                            levels)
    if outside:
        return ProvinceView(rows, None, (
            f"No map: {len(outside)} of these provinces ({', '.join(outside[:3])}"
            f"{', …' if len(outside) > 3 else ''}) are not among the 34 provinces of 2025 "
            "whose positions docflow ships (a vn-2024 topology has 63); the table has every "
            "figure."), levels)
    label = MEASURES[measure]
    svg = tile_map("map-provinces", label[:1].upper() + label[1:],
                   {r.rates.key: r.rates.cells[measure].rate for r in places},
                   lambda v: percent(v, 1))
    return ProvinceView(rows, svg, None, levels)
