"""Where, not only how much: the simulation summary's figures per province and per hub.

Each province's traffic passes through its own hub (its LGSP), and ``summary.json`` names the
province a provincial hub serves, so a province's row is its hub's row: documents its agencies
sent, deliveries, latency to delivery, and the signing coverage of what they sent. The hub table
is sorted worst first — the slowest p95 to delivery, then the most lost — because the reader of a
63-row table looks at the top.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from docflow.report.format import count, duration, percent
from docflow.report.tilemap import centres_2025, tile_map
from docflow.sim.summary_model import HubFigures

__all__ = ["HubLatency", "ProvinceRow", "hub_latency", "province_maps", "province_rows",
           "worst_first_key"]


@dataclass(frozen=True, slots=True)
class HubLatency:
    """A hub's latency to delivery of the documents its agencies sent, and what it lost."""

    p50: float | None
    p95: float | None
    lost: int | None


@dataclass(frozen=True, slots=True)
class ProvinceRow:
    """One province: the figures of the hub that serves it."""

    province: str
    hub: str
    agencies: int | None
    sent: int | None
    deliveries: int | None
    lost: int | None
    p95: float | None
    """Latency to delivery, 95th percentile, in seconds."""
    both_valid: float | None
    """Share of the documents sent with both signatures valid (``None``: nothing sent)."""
    both_valid_n: int | None



def hub_latency(hub: HubFigures) -> HubLatency:
    """The latency to delivery and the loss of one hub of a simulation summary."""
    return HubLatency(hub.latency_s.delivery.p50, hub.latency_s.delivery.p95, hub.lost)


def province_rows(hubs: Mapping[str, HubFigures]) -> list[ProvinceRow]:
    """One row per provincial hub of a simulation summary, sorted by province name."""
    rows = []
    for hub_id, hub in hubs.items():
        if not hub.province:
            continue
        cov = hub.coverage
        rows.append(ProvinceRow(
            province=hub.province, hub=hub_id, agencies=hub.agencies, sent=hub.sent,
            deliveries=hub.deliveries, lost=hub.lost, p95=hub.latency_s.delivery.p95,
            both_valid=cov.both_valid / cov.documents if cov.documents else None,
            both_valid_n=cov.documents))
    return sorted(rows, key=lambda r: r.province)


def worst_first_key(hub: str, latency: HubLatency) -> tuple[float, int, str]:
    """Sort key: slowest p95 first, then most lost, then by id (hubs with no figure last)."""
    p95 = latency.p95 if latency.p95 is not None and math.isfinite(latency.p95) else -1.0
    return (-p95, -(latency.lost or 0), hub)



def province_maps(rows: list[ProvinceRow]) -> dict[str, Markup]:
    """Three small tile maps: documents sent, p95 latency to delivery, both signatures valid.

    Only for the 34 provinces of 2025 (the centres the package ships); a topology whose
    provinces are not those (vn-2024, a custom one) gets the table without the maps.
    """
    centres = centres_2025()
    if not rows or any(r.province not in centres for r in rows):
        return {}
    return {
        "map-volume": tile_map("map-volume", "Documents sent",
                               {r.province: r.sent for r in rows}, lambda v: count(v)),
        "map-latency": tile_map("map-latency", "p95 to delivery",
                                {r.province: r.p95 for r in rows}, duration),
        "map-coverage": tile_map("map-coverage", "Both signatures valid",
                                 {r.province: r.both_valid for r in rows},
                                 lambda v: percent(v, 1)),
    }
