"""Counts that describe a topology, for ``docflow topology show`` and the README.

>>> from docflow.topology import build_preset
>>> s = summarize(build_preset("tiny"))
>>> s.by_level["commune"], s.hubs_by_kind["province"]
(7, 2)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docflow.levels import Level
from docflow.topology.model import HubKind
from docflow.topology.network import Topology

__all__ = ["HubCount", "TopologySummary", "render_text", "summarize"]


@dataclass(frozen=True, slots=True)
class HubCount:
    """One hub and the agencies attached to it."""

    id: str
    name: str
    kind: str
    province: str | None
    agencies: int
    by_level: dict[str, int]


@dataclass(frozen=True, slots=True)
class TopologySummary:
    """What ``docflow topology show`` prints; :meth:`to_dict` is its JSON form."""

    name: str
    description: str
    agencies: int
    hubs: int
    provinces: int
    by_level: dict[str, int]
    """Agencies per level, every level listed (zeros included) in reporting order."""
    by_kind: dict[str, int]
    """Agencies per kind that occurs."""
    hubs_by_kind: dict[str, int]
    """Hubs per kind, every kind listed."""
    agencies_by_hub_kind: dict[str, int]
    """Agencies attached to hubs of each kind."""
    provenance: dict[str, list[str]]
    per_hub: list[HubCount] = field(default_factory=list)
    """Filled only when asked for (``--hubs``)."""

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "name": self.name, "description": self.description, "agencies": self.agencies,
            "hubs": self.hubs, "provinces": self.provinces, "by_level": self.by_level,
            "by_kind": self.by_kind, "hubs_by_kind": self.hubs_by_kind,
            "agencies_by_hub_kind": self.agencies_by_hub_kind, "provenance": self.provenance}
        if self.per_hub:
            out["per_hub"] = [{"id": h.id, "name": h.name, "kind": h.kind,
                               "province": h.province, "agencies": h.agencies,
                               "by_level": h.by_level} for h in self.per_hub]
        return out


def summarize(topology: Topology, *, per_hub: bool = False) -> TopologySummary:
    """Count the agencies of ``topology`` per level, kind and hub kind (and per hub)."""
    hub_kind = {h.id: h.kind for h in topology.hubs}
    by_hub_kind = dict.fromkeys((k.value for k in HubKind), 0)
    per: dict[str, dict[str, int]] = {h.id: dict.fromkeys((lv.value for lv in Level), 0)
                                      for h in topology.hubs}
    for agency in topology.agencies:
        by_hub_kind[hub_kind[agency.hub].value] += 1
        per[agency.hub][agency.level.value] += 1
    hubs_by_kind = dict.fromkeys((k.value for k in HubKind), 0)
    for hub in topology.hubs:
        hubs_by_kind[hub.kind.value] += 1
    hub_counts = [HubCount(h.id, h.name, h.kind.value, h.province, sum(per[h.id].values()),
                           per[h.id]) for h in topology.hubs] if per_hub else []
    return TopologySummary(
        name=topology.name, description=topology.description,
        agencies=len(topology.agencies), hubs=len(topology.hubs),
        provinces=len(topology.provinces),
        by_level={lv.value: n for lv, n in topology.count_by_level().items()},
        by_kind={k.value: n for k, n in topology.count_by_kind().items()},
        hubs_by_kind=hubs_by_kind, agencies_by_hub_kind=by_hub_kind,
        provenance={k: list(v) for k, v in topology.provenance.items()}, per_hub=hub_counts)


def render_text(summary: TopologySummary) -> str:
    """The summary as aligned plain text, one count per line."""
    lines = [f"topology {summary.name}: {summary.agencies:,} agencies, {summary.hubs:,} hubs, "
             f"{summary.provinces} provinces"]
    if summary.description:
        lines.append(f"  {summary.description}")

    def block(title: str, counts: dict[str, int]) -> None:
        lines.append(f"{title}:")
        width = max(len(k) for k in counts)
        lines.extend(f"  {k:<{width}}  {v:>7,}" for k, v in counts.items())

    block("agencies by level", summary.by_level)
    block("agencies by kind", summary.by_kind)
    block("hubs by kind", summary.hubs_by_kind)
    block("agencies by hub kind", summary.agencies_by_hub_kind)
    if summary.per_hub:
        lines.append("agencies by hub:")
        width = max(len(h.id) for h in summary.per_hub)
        levels = list(summary.by_level)
        lines.append(f"  {'hub':<{width}}  {'kind':<8}  {'total':>7}  "
                     + "  ".join(f"{lv:>8}" for lv in levels) + "  name")
        for h in summary.per_hub:
            lines.append(f"  {h.id:<{width}}  {h.kind:<8}  {h.agencies:>7,}  "
                         + "  ".join(f"{h.by_level[lv]:>8,}" for lv in levels) + f"  {h.name}")
    for key in ("real", "approximate", "generated"):
        items = summary.provenance.get(key)
        if items:
            lines.append(f"{key}:")
            lines.extend(f"  - {item}" for item in items)
    return "\n".join(lines)
