"""Building blocks of the presets: the axis, the central bodies, and one province at a time.

Every preset is the axis, a set of central bodies on their own hubs, and one or more provinces
on their LGSP hubs, described by a :class:`ProvinceSpec`. The order agencies are emitted in is
part of the preset (it is the agency index of :meth:`Topology.arrays`): central bodies first,
each followed by its units; then each province: its People's Committee, its departments (each
followed by its units), then each district followed by its offices and its communes.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from docflow.levels import Level
from docflow.topology.model import Agency, AgencyKind, Hub, HubKind
from docflow.topology.presets import codes, tables
from docflow.topology.presets.names import NameSequence

__all__ = ["DISTRICT_OFFICES", "MINISTRY_UNITS", "Assembly", "ProvinceSpec", "apportion"]

MINISTRY_UNITS: tuple[str, ...] = ("Văn phòng", "Vụ Pháp chế", "Vụ Tổ chức cán bộ",
                                   "Vụ Kế hoạch - Tài chính")
"""Units every ministry has; the national presets give each ministry these four."""

DISTRICT_OFFICES: tuple[str, ...] = (
    "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân", "Phòng Nội vụ", "Phòng Tư pháp",
    "Phòng Tài chính - Kế hoạch", "Phòng Kinh tế", "Phòng Quản lý đô thị",
    "Phòng Tài nguyên và Môi trường", "Phòng Lao động - Thương binh và Xã hội",
    "Phòng Văn hóa và Thông tin", "Phòng Giáo dục và Đào tạo", "Phòng Y tế", "Thanh tra",
)
"""The specialised offices of an urban district People's Committee (Decree 37/2014, as
amended); a rural district (huyện) has :data:`RURAL_OFFICES` in positions 5 and 6 instead."""

RURAL_OFFICES: tuple[str, str] = ("Phòng Kinh tế - Hạ tầng",
                                  "Phòng Nông nghiệp và Phát triển nông thôn")

DEPARTMENT_UNITS: tuple[tuple[int, str], ...] = (
    (1, "Trung tâm Phục vụ hành chính công"), (1, "Cổng Thông tin điện tử"),
    (2, "Ban Thi đua - Khen thưởng"), (2, "Ban Tôn giáo"), (2, "Chi cục Văn thư - Lưu trữ"),
    (3, "Trung tâm Trợ giúp pháp lý nhà nước"), (3, "Trung tâm Dịch vụ đấu giá tài sản"),
    (4, "Trung tâm Xúc tiến đầu tư, thương mại và du lịch"),
    (6, "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp"),
    (7, "Chi cục Kiểm lâm"), (7, "Chi cục Thủy lợi"),
    (7, "Chi cục Trồng trọt và Bảo vệ thực vật"), (7, "Chi cục Chăn nuôi và Thú y"),
    (7, "Chi cục Phát triển nông thôn"), (8, "Trung tâm Quản lý điều hành giao thông"),
    (9, "Trung tâm Kiểm định chất lượng xây dựng"), (10, "Chi cục Bảo vệ môi trường"),
    (10, "Văn phòng Đăng ký đất đai"), (10, "Trung tâm Quan trắc tài nguyên và môi trường"),
    (11, "Trung tâm Công nghệ thông tin và Truyền thông"),
    (12, "Trung tâm Dịch vụ việc làm"), (12, "Trung tâm Công tác xã hội"),
    (13, "Thư viện"), (13, "Bảo tàng"), (13, "Trung tâm Văn hóa - Điện ảnh"),
    (14, "Chi cục Tiêu chuẩn Đo lường Chất lượng"),
    (14, "Trung tâm Ứng dụng tiến bộ khoa học và công nghệ"),
    (16, "Chi cục Dân số - Kế hoạch hóa gia đình"), (16, "Chi cục An toàn vệ sinh thực phẩm"),
    (16, "Trung tâm Kiểm soát bệnh tật"), (15, "Trung tâm Giáo dục thường xuyên"),
)
"""Typical units under provincial departments (chi cục, trung tâm), by department number; used
where a published figure counts them among the connected agencies (Bình Dương)."""

_DISTRICT_WEIGHT = {"Quận": 0.7, "Thành phố": 0.9, "Thị xã": 0.9, "Huyện": 1.1}
"""Relative number of communes per district by type: urban districts have fewer, larger wards."""

_WARD_SHARE = {"Quận": 1.0, "Thành phố": 0.7, "Thị xã": 0.5, "Huyện": 0.0}
"""Share of a district's communes that are wards (phường), by district type."""


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder, ties to
    the first), so a published total is met exactly.

    >>> apportion(10, [1, 1, 1])
    [4, 3, 3]
    """
    if not weights:
        return []
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    out = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - out[i]), i))
    for i in order[:total - sum(out)]:
        out[i] += 1
    return out


def _lower_first(name: str) -> str:
    """``Huyện Yên Lạc`` → ``huyện Yên Lạc``, as the type is written after another word."""
    return name[:1].lower() + name[1:]


def _type_of(district: str) -> str:
    for prefix in _DISTRICT_WEIGHT:
        if district.startswith(prefix + " "):
            return prefix
    return "Huyện"


@dataclass(frozen=True)
class ProvinceSpec:
    """What to generate for one province.

    The defaults give a whole province as the national presets have it.
    """

    name: str
    city: bool
    stat_code: str
    year: int
    """Picks the departments in force (2021, 2024 or 2025)."""
    communes: int
    """Total communes (xã, phường, thị trấn) of the province."""
    districts: int = 0
    """Number of districts; 0 for two-level local government (communes under the province)."""
    extra_departments: tuple[int, ...] = ()
    commune_districts: Collection[str] | None = None
    """Districts whose communes are included (``None``: all). A district not listed is a node
    on its own, as the Yên Lạc preset has the other districts of Vĩnh Phúc."""
    office_districts: Collection[str] = ()
    """Districts whose specialised offices (phòng) are included as agencies."""
    department_units: int = 0
    """How many of :data:`DEPARTMENT_UNITS` to include (those of departments present)."""
    ward_share: float = field(default=0.0)
    """Two-level presets: share of communes that are wards (phường)."""

    @property
    def prefix(self) -> str:
        """``thành phố`` or ``tỉnh``, as in ``Ủy ban nhân dân tỉnh Thanh Hóa``."""
        return "thành phố" if self.city else "tỉnh"


class Assembly:
    """Collects hubs and agencies in preset order; :meth:`agencies` and :meth:`hubs` at the end."""

    def __init__(self) -> None:
        self._agencies: list[Agency] = []
        self._hubs: list[Hub] = [Hub(codes.AXIS_ID, "Trục liên thông văn bản quốc gia",
                                     HubKind.AXIS)]

    @property
    def agencies(self) -> list[Agency]:
        return self._agencies

    @property
    def hubs(self) -> list[Hub]:
        return self._hubs

    # --- central ----------------------------------------------------------------------------

    def add_central(self, year: int, *, units: bool) -> None:
        """Add the central bodies in force in ``year``, each on its own ministry hub, and with
        ``units`` the four :data:`MINISTRY_UNITS` of each ministry."""
        for body in tables.central_bodies():
            if year not in body.years:
                continue
            hub = codes.ministry_hub_id(body.code)
            self._hubs.append(Hub(hub, f"Hệ thống quản lý văn bản - {body.name}",
                                  HubKind.MINISTRY))
            self._agencies.append(Agency(body.code, body.name, Level.CENTRAL, body.kind, None,
                                         None, hub))
            if units and body.kind is AgencyKind.MINISTRY:
                for i, unit in enumerate(MINISTRY_UNITS, 1):
                    name = f"Văn phòng {body.name}" if unit == "Văn phòng" else \
                        f"{unit} - {body.name}"
                    self._agencies.append(Agency(codes.ministry_unit_code(body.code, i), name,
                                                 Level.CENTRAL, AgencyKind.MINISTRY_UNIT, None,
                                                 body.code, hub))

    # --- provinces --------------------------------------------------------------------------

    def add_province(self, spec: ProvinceSpec) -> None:
        """Add a province: hub, People's Committee, departments, districts, communes."""
        hub = codes.province_hub_id(spec.stat_code)
        self._hubs.append(Hub(hub, f"Nền tảng tích hợp, chia sẻ dữ liệu {spec.prefix} "
                               f"{spec.name}", HubKind.PROVINCE, spec.name))
        pc = codes.province_code(spec.stat_code)
        self._add(pc, f"Ủy ban nhân dân {spec.prefix} {spec.name}", Level.PROVINCE,
                  AgencyKind.PEOPLE_COMMITTEE, spec, None, hub)
        self._add_departments(spec, pc, hub)
        commune_names = NameSequence(f"{spec.name}/{spec.year}/communes")
        if spec.districts:
            self._add_districts(spec, pc, hub, commune_names)
        else:
            n_wards = round(spec.communes * spec.ward_share)
            for i in range(spec.communes):
                kind = "Phường" if i < n_wards else "Xã"
                self._add(codes.direct_commune_code(spec.stat_code, i + 1),
                          f"Ủy ban nhân dân {kind.lower()} {commune_names.name(i)}",
                          Level.COMMUNE, AgencyKind.COMMUNE, spec, pc, hub)

    def _add(self, code: str, name: str, level: Level, kind: AgencyKind, spec: ProvinceSpec,
             parent: str | None, hub: str) -> None:
        self._agencies.append(Agency(code, name, level, kind, spec.name, parent, hub))

    def _add_departments(self, spec: ProvinceSpec, pc: str, hub: str) -> None:
        present = [d for d in tables.department_kinds()
                   if spec.year in d.years
                   and (d.standard or d.number in spec.extra_departments)]
        numbers = {d.number for d in present}
        units = [(n, u) for n, u in DEPARTMENT_UNITS if n in numbers][:spec.department_units]
        if len(units) < spec.department_units:
            raise ValueError(f"{spec.name}: only {len(units)} department units are known")
        for dept in present:
            code = codes.department_code(spec.stat_code, dept.number)
            self._add(code, f"{dept.name} {spec.prefix} {spec.name}", Level.PROVINCE,
                      AgencyKind.DEPARTMENT, spec, pc, hub)
            mine = [u for n, u in units if n == dept.number]
            for i, unit in enumerate(mine, 1):
                self._add(codes.department_unit_code(code, i),
                          f"{unit} {spec.prefix} {spec.name}", Level.PROVINCE,
                          AgencyKind.DEPARTMENT_UNIT, spec, code, hub)

    def _district_names(self, spec: ProvinceSpec) -> list[str]:
        real = tables.district_names(spec.name)
        if real is not None:
            if len(real) != spec.districts:
                raise ValueError(f"{spec.name}: {len(real)} real district names for "
                                 f"{spec.districts} districts")
            return list(real)
        generated = NameSequence(f"{spec.name}/{spec.year}/districts")
        n_urban = round(spec.districts * 0.4) if spec.city else 0
        out = []
        for i in range(spec.districts):
            if spec.city:
                kind = "Quận" if i < n_urban else "Huyện"
            else:
                kind = "Thành phố" if i == 0 else \
                    "Thị xã" if i == 1 and spec.districts >= 8 else "Huyện"
            out.append(f"{kind} {generated.name(i)}")
        return out

    def _add_districts(self, spec: ProvinceSpec, pc: str, hub: str,
                       commune_names: NameSequence) -> None:
        districts = self._district_names(spec)
        real = {d: tables.commune_names(spec.name, d) for d in districts}
        fixed = {d: len(names) for d, names in real.items() if names is not None}
        free = [d for d in districts if d not in fixed]
        shares = dict(zip(free, apportion(spec.communes - sum(fixed.values()),
                                          [_DISTRICT_WEIGHT[_type_of(d)] for d in free]),
                          strict=True))
        shares.update(fixed)
        next_name = 0
        for i, district in enumerate(districts, 1):
            code = codes.district_code(spec.stat_code, i)
            self._add(code, f"Ủy ban nhân dân {_lower_first(district)}", Level.DISTRICT,
                      AgencyKind.DISTRICT, spec, pc, hub)
            if district in spec.office_districts:
                offices = list(DISTRICT_OFFICES)
                if _type_of(district) == "Huyện":
                    offices[4:6] = RURAL_OFFICES
                for j, office in enumerate(offices, 1):
                    self._add(codes.district_office_code(code, j),
                              f"{office} {_lower_first(district)}", Level.DISTRICT,
                              AgencyKind.DISTRICT_OFFICE, spec, code, hub)
            if spec.commune_districts is not None and district not in spec.commune_districts:
                continue
            names = real[district]
            if names is None:
                names, next_name = self._commune_names(district, shares[district],
                                                       commune_names, next_name)
            for j, commune in enumerate(names, 1):
                self._add(codes.commune_code(code, j),
                          f"Ủy ban nhân dân {_lower_first(commune)}",
                          Level.COMMUNE, AgencyKind.COMMUNE, spec, code, hub)

    @staticmethod
    def _commune_names(district: str, count: int, sequence: NameSequence,
                       start: int) -> tuple[tuple[str, ...], int]:
        kind = _type_of(district)
        n_wards = round(count * _WARD_SHARE[kind])
        names = []
        for j in range(count):
            if kind == "Huyện" and j == 0:
                names.append(f"Thị trấn {district.removeprefix('Huyện ')}")
                continue
            prefix = "Phường" if j < n_wards else "Xã"
            names.append(f"{prefix} {sequence.name(start)}")
            start += 1
        return tuple(names), start
