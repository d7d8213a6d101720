"""What traffic looks like: frozen configuration of volumes, destinations and document mixes.

The defaults are orders of magnitude taken from published provincial figures (a commune issues a
few electronic documents a working day, a department tens, a ministry more) and are meant to be
overridden by a scenario; :mod:`docflow.sim.scenario` reads them from TOML.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from docflow.assumptions import ASSUMPTIONS, assumed
from docflow.envelope.doctypes import DocumentType
from docflow.levels import Level

__all__ = ["DEFAULT_DOCUMENT_TYPES", "DEFAULT_LEVEL_TRAFFIC", "DEFAULT_PRIORITIES", "Direction",
           "DocumentMix", "LevelTraffic", "Priority", "TrafficSpec"]


class Direction(enum.StrEnum):
    """Where a document goes relative to its sender; the value is the scenario key.

    ``down`` goes to the sender's subordinates (a People's Committee to its departments and
    communes; a ministry to the provinces' agencies), ``up`` to its superior (a commune to its
    district or province, a People's Committee with no superior to the centre), ``lateral`` to
    agencies of the same level in the same province (or, at the centre, to other central
    agencies), ``cross_province`` to agencies of the same level in another province, and
    ``central`` from a local agency to a central one.
    """

    DOWN = "down"
    UP = "up"
    LATERAL = "lateral"
    CROSS_PROVINCE = "cross_province"
    CENTRAL = "central"


class Priority(enum.IntEnum):
    """Urgency of a document (edXML ``OtherInfo/Priority``, 0–4); the value is the wire value."""

    NORMAL = 0
    """Thường."""
    URGENT = 1
    """Khẩn."""
    VERY_URGENT = 2
    """Thượng khẩn."""
    FLASH = 3
    """Hỏa tốc."""
    FLASH_TIMED = 4
    """Hỏa tốc hẹn giờ."""


@dataclass(frozen=True, slots=True)
class LevelTraffic:
    """The documents that agencies of one level send."""

    level: Level
    per_day: float
    """Mean documents one agency of this level sends per working day."""
    recipients: float = 1.5
    """Mean recipients of an ordinary (non-broadcast) document; at least 1. The count is
    ``1 + Poisson(recipients - 1)``, capped by the candidates available."""
    broadcast: float = 0.0
    """Share of documents sent to *every* candidate of their direction (a People's Committee
    writing to all its departments and communes): the one-to-many traffic of the real network."""
    broadcast_max: int = 150
    """Most recipients of a broadcast document (a ministry does not write to every agency of
    the country at once); a larger candidate set is sampled."""
    mix: tuple[tuple[Direction, float], ...] = ()
    """Share of documents per :class:`Direction`; shares add up to 1. A direction an agency
    cannot use (a commune has no subordinates) is dropped for it and the rest rescaled."""

    def share(self, direction: Direction) -> float:
        """The share of ``direction`` in :attr:`mix` (0 when absent)."""
        return dict(self.mix).get(direction, 0.0)


def _default_level(level: Level) -> LevelTraffic:
    """A level's default traffic, from the assumptions register."""
    key = f"traffic.{level.value}"
    mix = tuple((d, ASSUMPTIONS[f"{key}.mix.{d.value}"].value) for d in Direction
                if f"{key}.mix.{d.value}" in ASSUMPTIONS)
    return LevelTraffic(level, per_day=assumed(f"{key}.per_day"),
                        recipients=assumed(f"{key}.recipients"),
                        broadcast=assumed(f"{key}.broadcast"), mix=mix)


DEFAULT_LEVEL_TRAFFIC: dict[Level, LevelTraffic] = {lv: _default_level(lv) for lv in Level}
"""Per-level defaults: volumes of the order the provinces publish, most traffic inside a
province, one-to-many traffic from the top."""

DEFAULT_DOCUMENT_TYPES: tuple[tuple[DocumentType, float], ...] = (
    (DocumentType.CONG_VAN, 0.53), (DocumentType.QUYET_DINH, 0.12),
    (DocumentType.BAO_CAO, 0.08), (DocumentType.THONG_BAO, 0.07),
    (DocumentType.KE_HOACH, 0.06), (DocumentType.GIAY_MOI, 0.06),
    (DocumentType.TO_TRINH, 0.03), (DocumentType.HUONG_DAN, 0.01),
    (DocumentType.BIEN_BAN, 0.01), (DocumentType.PHIEU_CHUYEN, 0.01),
    (DocumentType.CHI_THI, 0.005), (DocumentType.CONG_DIEN, 0.005),
    (DocumentType.CHUONG_TRINH, 0.005), (DocumentType.NGHI_QUYET, 0.005),
)
"""Official letters dominate; decisions, reports, notices, plans and invitations follow."""

DEFAULT_PRIORITIES: tuple[float, ...] = (0.85, 0.10, 0.03, 0.015, 0.005)
"""Shares of priorities 0–4: most documents are ordinary, a few are urgent."""


@dataclass(frozen=True, slots=True)
class DocumentMix:
    """What the documents are: types, priorities and attachment sizes."""

    types: tuple[tuple[DocumentType, float], ...] = DEFAULT_DOCUMENT_TYPES
    """Share of each Decree 30/2020 type; shares add up to 1."""
    priorities: tuple[float, ...] = DEFAULT_PRIORITIES
    """Share of each :class:`Priority`, by value 0–4; shares add up to 1."""
    attachment_median_kb: float = assumed("traffic.documents.attachment_median_kb")
    """Median total size of a document's attachments (a scanned signed PDF of a few pages)."""
    attachment_sigma: float = assumed("traffic.documents.attachment_sigma")
    """Log-normal shape of attachment sizes: most are small, a few are large scans."""


@dataclass(frozen=True, slots=True)
class TrafficSpec:
    """All traffic of a scenario: one :class:`LevelTraffic` per level, and the document mix."""

    levels: tuple[LevelTraffic, ...] = tuple(DEFAULT_LEVEL_TRAFFIC.values())
    """Traffic per sender level; a level the topology has but this lacks sends nothing."""
    documents: DocumentMix = field(default_factory=DocumentMix)

    def level(self, level: Level) -> LevelTraffic | None:
        """The traffic of ``level``, or ``None`` if agencies of that level send nothing."""
        for item in self.levels:
            if item.level is level:
                return item
        return None
