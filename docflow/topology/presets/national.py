"""The national presets: ``vn-2025`` (34 provinces, two levels) and ``vn-2024`` (63, three).

Both have the national axis, the central bodies of their year on their own hubs (ministries with
four internal units each), and every province on its LGSP hub with its People's Committee and
departments; ``vn-2025`` puts the communes directly under the province, ``vn-2024`` under about
705 districts.
"""

from __future__ import annotations

from docflow.topology.network import Topology
from docflow.topology.presets import tables
from docflow.topology.presets.assemble import Assembly, ProvinceSpec

__all__ = ["PROVENANCE_2024", "PROVENANCE_2025", "build_vn_2024", "build_vn_2025"]

_COMMON_REAL = [
    "Names of the central bodies of the year (ministries, ministerial-level agencies, "
    "government agencies, other central bodies).",
    "The Government Office's organ code 000.00.00.G22.",
    "Kinds and names of the provincial departments (sở) in force in the year.",
]
_COMMON_GENERATED = [
    "Organ codes other than 000.00.00.G22 (provinces use H + their statistical code; the real "
    "directory codes differ).",
    "The four internal units of each ministry (generic: office, legal, personnel, planning-"
    "finance).",
    "Which non-standard departments (foreign affairs, tourism, ethnic affairs, planning) each "
    "province has.",
]

PROVENANCE_2025: dict[str, list[str]] = {
    "real": ["The 34 provinces and cities by their post-merger names, their kinds and the 2024 "
             "provinces merged into each.",
             "Statistical codes of the 34 provinces.",
             "Number of commune-level units per province (3,321 in total, 1 July 2025).",
             *_COMMON_REAL],
    "approximate": [],
    "generated": ["Commune names and which communes are wards (about 15% in provinces, 40% in "
                  "cities).", *_COMMON_GENERATED],
}
"""What ``vn-2025`` takes from published data and what it generates."""

PROVENANCE_2024: dict[str, list[str]] = {
    "real": ["The 63 provinces and cities by name, their kinds and statistical codes.",
             "Number of districts per province (705 in total).",
             "District names of Hà Nội, Hồ Chí Minh, Phú Thọ, Thanh Hóa, Vĩnh Phúc and Bình "
             "Dương.", *_COMMON_REAL],
    "approximate": ["Number of communes per province (10,548 in total against about 10,600 "
                    "published for 2024; figures drift as communes merge)."],
    "generated": ["District names of the other provinces, and which are cities, towns or "
                  "urban districts.",
                  "How each province's communes are split among its districts, commune names "
                  "and which are wards or towns.", *_COMMON_GENERATED],
}
"""What ``vn-2024`` takes from published data and what it generates."""


def build_vn_2025() -> Topology:
    """Build ``vn-2025``: about 3,900 agencies on 63 hubs."""
    out = Assembly()
    out.add_central(2025, units=True)
    for p in tables.provinces_2025():
        out.add_province(ProvinceSpec(p.name, p.city, p.stat_code, 2025, p.communes,
                                      extra_departments=p.extra_departments,
                                      ward_share=0.4 if p.city else 0.15))
    return Topology("vn-2025", out.agencies, out.hubs,
                    description="Viet Nam since 1 July 2025: 34 provinces and cities, two-level "
                                "local government, central ministries and agencies.",
                    provenance=PROVENANCE_2025)


def build_vn_2024() -> Topology:
    """Build ``vn-2024``: about 12,600 agencies on 100 hubs."""
    out = Assembly()
    out.add_central(2024, units=True)
    for p in tables.provinces_2024():
        out.add_province(ProvinceSpec(p.name, p.city, p.stat_code, 2024, p.communes,
                                      districts=p.districts,
                                      extra_departments=p.extra_departments))
    return Topology("vn-2024", out.agencies, out.hubs,
                    description="Viet Nam in 2024: 63 provinces and cities, three-level local "
                                "government, central ministries and agencies.",
                    provenance=PROVENANCE_2024)
