"""The two kinds of node of a topology: agencies that exchange documents and the hubs they use.

Both are frozen value objects. An :class:`Agency` is identified by its organ code (the identifier
the national document-exchange directory gives it, and the ``OrganId`` of the envelopes it sends);
a :class:`Hub` by a short id. Kinds are enums whose values are the strings written to GraphML and
JSON files, so a file names them exactly as the code does.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from docflow.levels import Level

__all__ = ["Agency", "AgencyKind", "Hub", "HubKind"]


class HubKind(enum.StrEnum):
    """What a hub is; the value is the string used in topology files."""

    AXIS = "axis"
    """The national document axis (Trục liên thông văn bản quốc gia): the hub every other hub
    attaches to, and the only way between two provinces or between a province and the centre."""
    PROVINCE = "province"
    """A province's integration platform (LGSP): carries the province's internal traffic."""
    MINISTRY = "ministry"
    """A ministry's or central body's document system, connected to the axis."""


class AgencyKind(enum.StrEnum):
    """What an agency is; the value is the string used in topology files.

    The kind refines the :class:`~docflow.levels.Level`: traffic and the PKI treat a People's
    Committee differently from one of its departments although both are at province level.
    """

    GOVERNMENT_OFFICE = "government-office"
    """Văn phòng Chính phủ, ``000.00.00.G22``."""
    MINISTRY = "ministry"
    """A ministry or ministerial-level agency (bộ, cơ quan ngang bộ)."""
    GOVERNMENT_AGENCY = "government-agency"
    """A body under the Government (cơ quan thuộc Chính phủ), e.g. Thông tấn xã Việt Nam."""
    CENTRAL_BODY = "central-body"
    """Another central body outside the Government (Văn phòng Quốc hội, the Supreme Court, …)."""
    MINISTRY_UNIT = "ministry-unit"
    """A unit inside a ministry (văn phòng bộ, vụ, cục, thanh tra bộ)."""
    PEOPLE_COMMITTEE = "people-committee"
    """A provincial People's Committee (Ủy ban nhân dân tỉnh / thành phố)."""
    DEPARTMENT = "department"
    """A department (sở) or department-level body under a provincial People's Committee."""
    DEPARTMENT_UNIT = "department-unit"
    """A unit under a department (chi cục, trung tâm) connected to the provincial platform."""
    DISTRICT = "district"
    """A district-level People's Committee (huyện, quận, thị xã, thành phố thuộc tỉnh); before
    1 July 2025 only."""
    DISTRICT_OFFICE = "district-office"
    """A specialised office (phòng) of a district People's Committee."""
    COMMUNE = "commune"
    """A commune-level People's Committee (xã, phường, thị trấn, đặc khu)."""
    OTHER = "other"
    """Anything else a user topology needs; docflow treats it by its level only."""


@dataclass(frozen=True, slots=True)
class Hub:
    """A message hub that agencies attach to.

    Every hub other than the national axis attaches to the axis, so a route between two hubs
    is ``[hub_a, axis, hub_b]``.
    """

    id: str
    """Short stable identifier, e.g. ``axis``, ``lgsp-h38`` or ``bo-g12``."""
    name: str
    """Vietnamese name, e.g. ``Nền tảng tích hợp, chia sẻ dữ liệu tỉnh Thanh Hóa``."""
    kind: HubKind
    province: str | None = None
    """The province a provincial hub serves; ``None`` for the axis and ministry hubs."""


@dataclass(frozen=True, slots=True)
class Agency:
    """An agency that sends and receives documents.

    ``code`` is the organ code in the QCVN 102 form ``V1V2V3.Z1Z2.Y1Y2.M1M2M3``; the topology
    checks it with :meth:`docflow.envelope.organ.OrganCode.parse` when it is built.
    """

    code: str
    """Organ code, e.g. ``000.00.00.H38``; unique in a topology."""
    name: str
    """Vietnamese name with its diacritics, e.g. ``Ủy ban nhân dân tỉnh Thanh Hóa``."""
    level: Level
    kind: AgencyKind
    province: str | None
    """Name of the province the agency belongs to; ``None`` for central agencies."""
    parent: str | None
    """Organ code of the agency it reports to (a commune's district or province, a department's
    People's Committee, a ministry unit's ministry); ``None`` at the top."""
    hub: str
    """Id of the hub the agency is attached to."""
