"""The reference tables shipped in ``docflow/topology/data/``, read once per process.

The presets are generated from these tables, so what is real and what is generated can be read
off the data: province names, kinds and their 2024 → 2025 merger come from the published
lists; statistical codes are the real ones; counts of districts and communes per province are
published figures (exact for 2025, approximate for 2024, see :data:`PROVENANCE`).

============================  ==========================================================
file                          contents
============================  ==========================================================
``provinces_2024.csv``        63 provinces: kind, statistical code, districts, communes,
                              extra departments beyond the standard set
``provinces_2025.csv``        34 provinces: kind, statistical code, communes, the 2024
                              provinces merged into it, extra departments
``departments.csv``           department kinds (sở): number, name, years in force,
                              whether every province has one
``central.csv``               central bodies: organ code, name, kind, years
``districts.json``            real district names of six provinces, real commune names
                              of the Yên Lạc district
============================  ==========================================================
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from docflow.topology.model import AgencyKind

__all__ = ["CentralBody", "DepartmentKind", "Province2024", "Province2025", "central_bodies",
           "commune_names", "department_kinds", "district_names", "provinces_2024",
           "provinces_2025"]


@dataclass(frozen=True, slots=True)
class Province2024:
    """A province or centrally run city before 1 July 2025."""

    name: str
    city: bool
    """True for the five centrally run cities (thành phố trực thuộc trung ương)."""
    stat_code: str
    districts: int
    communes: int
    extra_departments: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Province2025:
    """A province or centrally run city since 1 July 2025."""

    name: str
    city: bool
    stat_code: str
    communes: int
    former: tuple[str, ...]
    """The 2024 provinces merged into it (itself alone if it was not merged)."""
    extra_departments: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class DepartmentKind:
    """A kind of department (sở) of a provincial People's Committee."""

    number: int
    """The ``Y`` group of its organ code in every province."""
    name: str
    years: tuple[int, ...]
    standard: bool
    """True if every province has one in the years it exists; otherwise only the provinces that
    list it among their extra departments."""


@dataclass(frozen=True, slots=True)
class CentralBody:
    """A ministry, ministerial-level agency, government agency or other central body."""

    code: str
    name: str
    kind: AgencyKind
    years: tuple[int, ...]


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("docflow.topology").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(";") if x)


@cache
def provinces_2024() -> tuple[Province2024, ...]:
    """The 63 provinces of 2024, in statistical-code order."""
    return tuple(Province2024(r["province"], r["kind"] == "city", r["stat_code"],
                              int(r["districts"]), int(r["communes"]),
                              _ints(r["extra_departments"]))
                 for r in _rows("provinces_2024.csv"))


@cache
def provinces_2025() -> tuple[Province2025, ...]:
    """The 34 provinces of 2025, in the order of the 2025 resolution."""
    return tuple(Province2025(r["province"], r["kind"] == "city", r["stat_code"],
                              int(r["communes"]), tuple(r["former_provinces_2024"].split(";")),
                              _ints(r["extra_departments"]))
                 for r in _rows("provinces_2025.csv"))


@cache
def department_kinds() -> tuple[DepartmentKind, ...]:
    """Every kind of department, by number."""
    return tuple(DepartmentKind(int(r["number"]), r["name"], _ints(r["years"]),
                                r["standard"] == "yes")
                 for r in _rows("departments.csv"))


@cache
def central_bodies() -> tuple[CentralBody, ...]:
    """Every central body of every year, Government Office first."""
    return tuple(CentralBody(r["code"], r["name"], AgencyKind(r["kind"]), _ints(r["years"]))
                 for r in _rows("central.csv"))


@cache
def _names() -> dict[str, dict[str, list[str]]]:
    text = resources.files("docflow.topology").joinpath("data", "districts.json") \
        .read_text("utf-8")
    data: dict[str, dict[str, list[str]]] = json.loads(text)
    return data


def district_names(province: str) -> tuple[str, ...] | None:
    """The real district names of ``province`` (2024), or ``None`` if the table has none."""
    names = _names()["districts"].get(province)
    return tuple(names) if names is not None else None


def commune_names(province: str, district: str) -> tuple[str, ...] | None:
    """The real commune names of a district (2024), or ``None`` if the table has none."""
    names = _names()["communes"].get(f"{province}/{district}")
    return tuple(names) if names is not None else None
