"""One-province presets, for the provinces whose published figures the calibration scenarios use.

Each is one province on its LGSP hub, with the national axis and the central bodies it
exchanges with (the level-1 bodies of the year, on their own hubs, without their internal
units).

============================  ====================================================================
preset                        what it holds
============================  ====================================================================
``phu-tho-2021``              Phú Thọ in 2021: 13 district-level units, 225 communes (published)
``thanh-hoa-2024``            Thanh Hóa in 2024: 27 district-level units, 559 communes
``yen-lac-2024``              Vĩnh Phúc's People's Committee, departments and 9 districts; the
                              Yên Lạc district with its 12 offices and its 17 communes (real names)
``binh-duong-2024``           Bình Dương: 256 provincial agencies connected (published figure):
                              People's Committee, departments and their units, 9 districts with
                              their offices, 91 communes
============================  ====================================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from docflow.topology.network import Topology
from docflow.topology.presets import tables
from docflow.topology.presets.assemble import DISTRICT_OFFICES, Assembly, ProvinceSpec

__all__ = ["BINH_DUONG_CONNECTED", "build_binh_duong_2024", "build_phu_tho_2021",
           "build_thanh_hoa_2024", "build_yen_lac_2024"]

BINH_DUONG_CONNECTED = 256
"""Provincial agencies of Bình Dương connected to its platform (published figure)."""

_CENTRAL = ("Central bodies of the year (names real, organ codes generated except the Government "
            "Office's 000.00.00.G22).")


def _province(name: str) -> tables.Province2024:
    return next(p for p in tables.provinces_2024() if p.name == name)


def _spec(name: str, year: int, **changes: Any) -> ProvinceSpec:
    p = _province(name)
    return replace(ProvinceSpec(p.name, p.city, p.stat_code, year, p.communes,
                                districts=p.districts, extra_departments=p.extra_departments),
                   **changes)


def _topology(name: str, spec: ProvinceSpec, description: str,
              provenance: dict[str, Iterable[str]]) -> Topology:
    out = Assembly()
    out.add_central(spec.year, units=False)
    out.add_province(spec)
    return Topology(name, out.agencies, out.hubs, description=description,
                    provenance=provenance)


def build_phu_tho_2021() -> Topology:
    """Phú Thọ in 2021 (the year of its published exchange figures)."""
    return _topology(
        "phu-tho-2021", _spec("Phú Thọ", 2021),
        "Phú Thọ province in 2021: People's Committee, departments, 13 districts, 225 "
        "communes, with the national axis and the central bodies.",
        {"real": ["Province, its 13 district-level units by name, 225 communes (count).",
                  "Kinds and names of the departments of 2021.", _CENTRAL],
         "generated": ["Commune names and their split among the districts.",
                       "Organ codes."]})


def build_thanh_hoa_2024() -> Topology:
    """Thanh Hóa in 2024."""
    return _topology(
        "thanh-hoa-2024", _spec("Thanh Hóa", 2024),
        "Thanh Hóa province in 2024: People's Committee, departments, 27 districts, 559 "
        "communes, with the national axis and the central bodies.",
        {"real": ["Province and its 27 district-level units by name.",
                  "Kinds and names of the departments.", _CENTRAL],
         "approximate": ["559 communes (the count after the 2019–2020 mergers)."],
         "generated": ["Commune names and their split among the districts.",
                       "Organ codes."]})


def build_yen_lac_2024() -> Topology:
    """The Yên Lạc district of Vĩnh Phúc in 2024, with the province nodes it exchanges with."""
    district = "Huyện Yên Lạc"
    return _topology(
        "yen-lac-2024",
        _spec("Vĩnh Phúc", 2024, commune_districts=(district,), office_districts=(district,)),
        "Yên Lạc district (Vĩnh Phúc) in 2024: its People's Committee, 12 offices and 17 "
        "communes, with Vĩnh Phúc's People's Committee, departments and other districts, the "
        "national axis and the central bodies.",
        {"real": ["Vĩnh Phúc's 9 districts by name; Yên Lạc's 17 communes by name.",
                  "Kinds and names of the departments.", _CENTRAL],
         "generated": [f"The {len(DISTRICT_OFFICES)} district offices (the standard set, not "
                       "Yên Lạc's own list).", "Organ codes."]})


def build_binh_duong_2024() -> Topology:
    """Bình Dương in 2024, sized to its published 256 connected agencies."""
    base = _spec("Bình Dương", 2024)
    districts = tables.district_names(base.name) or ()
    probe = Assembly()
    probe.add_province(_spec("Bình Dương", 2024, office_districts=districts))
    units = BINH_DUONG_CONNECTED - len(probe.agencies)
    spec = _spec("Bình Dương", 2024, office_districts=districts, department_units=units)
    return _topology(
        "binh-duong-2024", spec,
        "Bình Dương province in 2024: the 256 provincial agencies connected to its platform "
        "(People's Committee, departments and their units, 9 districts with their offices, 91 "
        "communes), with the national axis and the central bodies.",
        {"real": ["256 connected provincial agencies (published total).",
                  "The 9 district-level units by name; 91 communes (count).",
                  "Kinds and names of the departments.", _CENTRAL],
         "generated": [f"Department units ({units}) and district offices: typical sets that "
                       "fill the published total, not Bình Dương's own lists.",
                       "Commune names and their split among the districts.", "Organ codes."]})
