"""``tiny``: twenty agencies on five hubs, for tests and examples.

Small enough to read whole, yet it has every shape the large presets have: the national axis,
two ministry hubs (the Government Office and the Ministry of Home Affairs), two provinces with
three-level local government (province → district → commune), departments and a ministry unit.
All names are real; the codes follow :mod:`docflow.topology.presets.codes`.
"""

from __future__ import annotations

from docflow.levels import Level
from docflow.topology.model import Agency, AgencyKind, Hub, HubKind
from docflow.topology.network import Topology
from docflow.topology.presets import codes

__all__ = ["build_tiny"]

_C, _P, _D, _X = Level.CENTRAL, Level.PROVINCE, Level.DISTRICT, Level.COMMUNE


def build_tiny() -> Topology:
    """Build the ``tiny`` topology (20 agencies, 5 hubs)."""
    vpcp, bnv = "000.00.00.G22", "000.00.00.G04"
    hn, pt = "01", "25"
    hub_vpcp, hub_bnv = codes.ministry_hub_id(vpcp), codes.ministry_hub_id(bnv)
    hubs = [
        Hub(codes.AXIS_ID, "Trục liên thông văn bản quốc gia", HubKind.AXIS),
        Hub(hub_vpcp, "Hệ thống quản lý văn bản - Văn phòng Chính phủ", HubKind.MINISTRY),
        Hub(hub_bnv, "Hệ thống quản lý văn bản - Bộ Nội vụ", HubKind.MINISTRY),
        Hub(codes.province_hub_id(hn), "Nền tảng tích hợp, chia sẻ dữ liệu thành phố Hà Nội",
            HubKind.PROVINCE, "Hà Nội"),
        Hub(codes.province_hub_id(pt), "Nền tảng tích hợp, chia sẻ dữ liệu tỉnh Phú Thọ",
            HubKind.PROVINCE, "Phú Thọ"),
    ]
    agencies = [
        Agency(vpcp, "Văn phòng Chính phủ", _C, AgencyKind.GOVERNMENT_OFFICE, None, None,
               hub_vpcp),
        Agency(bnv, "Bộ Nội vụ", _C, AgencyKind.MINISTRY, None, None, hub_bnv),
        Agency(codes.ministry_unit_code(bnv, 1), "Văn phòng Bộ Nội vụ", _C,
               AgencyKind.MINISTRY_UNIT, None, bnv, hub_bnv),
    ]
    agencies += _province(hn, "Hà Nội", "thành phố",
                          departments=[(1, "Văn phòng Ủy ban nhân dân"), (2, "Sở Nội vụ"),
                                       (5, "Sở Tài chính")],
                          districts=[("Quận Ba Đình", ["Phường Phúc Xá", "Phường Trúc Bạch"]),
                                     ("Huyện Gia Lâm", ["Xã Bát Tràng", "Xã Đa Tốn"])])
    agencies += _province(pt, "Phú Thọ", "tỉnh",
                          departments=[(2, "Sở Nội vụ"), (16, "Sở Y tế")],
                          districts=[("Thành phố Việt Trì", ["Phường Gia Cẩm",
                                                             "Phường Tiên Cát",
                                                             "Phường Nông Trang"])])
    return Topology("tiny", agencies, hubs,
                    description="Test topology: the national axis, the Government Office, one "
                                "ministry and two provinces with districts and communes.",
                    provenance={"real": ["All names are real (communes and districts as of "
                                         "2024)."],
                                "generated": ["Organ codes other than the Government Office's "
                                              "000.00.00.G22.",
                                              "The selection of agencies."]})


def _province(stat: str, name: str, prefix: str, *, departments: list[tuple[int, str]],
              districts: list[tuple[str, list[str]]]) -> list[Agency]:
    hub = codes.province_hub_id(stat)
    pc = codes.province_code(stat)
    out = [Agency(pc, f"Ủy ban nhân dân {prefix} {name}", _P, AgencyKind.PEOPLE_COMMITTEE, name,
                  None, hub)]
    for number, title in departments:
        out.append(Agency(codes.department_code(stat, number), f"{title} {prefix} {name}", _P,
                          AgencyKind.DEPARTMENT, name, pc, hub))
    for i, (district, communes) in enumerate(districts, 1):
        code = codes.district_code(stat, i)
        out.append(Agency(code, f"Ủy ban nhân dân {district[:1].lower()}{district[1:]}", _D,
                          AgencyKind.DISTRICT, name, pc, hub))
        for j, commune in enumerate(communes, 1):
            out.append(Agency(codes.commune_code(code, j),
                              f"Ủy ban nhân dân {commune[:1].lower()}{commune[1:]}", _X,
                              AgencyKind.COMMUNE, name, code, hub))
    return out
