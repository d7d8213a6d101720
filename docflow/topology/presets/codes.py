"""How the presets assign organ codes and hub ids, so that codes are stable across versions.

A code depends only on the agency's place in the published structure (province statistical
code, department type, position of a district or commune in its list), never on a random draw,
so the same agency keeps its code in every release and in every preset that contains it.

==========================  ==================  ===============================================
unit                        code                groups
==========================  ==================  ===============================================
provincial People's Comm.   ``000.00.00.H38``   ``M`` = ``H`` + the province's statistical code
department (sở)             ``000.00.05.H38``   ``Y`` = department number (01–29), one number
                                                per kind of department in every province
district (before 2025)      ``000.00.31.H38``   ``Y`` = 31, 32, … in list order
commune under a district    ``000.07.31.H38``   ``Z`` = 01, 02, … within the district
commune (since 2025)        ``000.00.A7.H38``   ``Y`` = a letter and a digit: A0 … Z9
district office (phòng)     ``000.P3.31.H38``   ``Z`` = P0, P1, … (letters keep them apart
                                                from the district's communes)
department unit             ``000.02.05.H38``   ``Z`` = 01, 02, … within the department
central body                ``000.00.00.G07``   from ``data/central.csv``
unit of a ministry          ``000.00.03.G07``   ``Y`` = 01, 02, … within the ministry
==========================  ==================  ===============================================

The Government Office's ``000.00.00.G22`` is the real code; the other central and provincial
``M`` groups are generated (provinces use their real statistical codes, not the real directory
codes). All of them are valid :class:`~docflow.envelope.organ.OrganCode` values.

>>> district_code("38", 1), commune_code(district_code("38", 1), 7), direct_commune_code("38", 18)
('000.00.31.H38', '000.07.31.H38', '000.00.B7.H38')
"""

from __future__ import annotations

__all__ = ["AXIS_ID", "commune_code", "department_code", "department_unit_code",
           "direct_commune_code", "district_code", "district_office_code", "ministry_hub_id",
           "ministry_unit_code", "province_code", "province_hub_id"]

AXIS_ID = "axis"
"""Hub id of the national document axis."""

_FIRST_DISTRICT = 31
_MAX_DISTRICTS = 99 - _FIRST_DISTRICT + 1


def _split(code: str) -> tuple[str, str, str, str]:
    v, z, y, m = code.split(".")
    return v, z, y, m


def province_code(stat_code: str) -> str:
    """Code of a provincial People's Committee from the province's statistical code."""
    return f"000.00.00.H{int(stat_code):02d}"


def department_code(stat_code: str, number: int) -> str:
    """Code of department number ``number`` (1–29) of the province."""
    if not 1 <= number <= 29:
        raise ValueError(f"department number {number} is outside 1–29")
    return f"000.00.{number:02d}.H{int(stat_code):02d}"


def district_code(stat_code: str, position: int) -> str:
    """Code of the ``position``-th district (from 1) of the province."""
    if not 1 <= position <= _MAX_DISTRICTS:
        raise ValueError(f"district position {position} is outside 1–{_MAX_DISTRICTS}")
    return f"000.00.{_FIRST_DISTRICT + position - 1:02d}.H{int(stat_code):02d}"


def commune_code(parent: str, position: int) -> str:
    """Code of the ``position``-th commune (from 1, at most 99) under a district or unit."""
    if not 1 <= position <= 99:
        raise ValueError(f"position {position} is outside 1–99")
    _, _, y, m = _split(parent)
    return f"000.{position:02d}.{y}.{m}"


department_unit_code = commune_code
"""Code of the ``position``-th unit under a department: the same scheme as communes."""


def _letter_digit(first: str, index: int) -> str:
    letter = ord(first) + index // 10
    if letter > ord("Z"):
        raise ValueError(f"index {index} does not fit a letter-and-digit group from {first}")
    return f"{chr(letter)}{index % 10}"


def direct_commune_code(stat_code: str, position: int) -> str:
    """Code of the ``position``-th commune (from 1, at most 260) directly under the province."""
    return f"000.00.{_letter_digit('A', position - 1)}.H{int(stat_code):02d}"


def district_office_code(district: str, position: int) -> str:
    """Code of the ``position``-th specialised office (from 1) of a district."""
    _, _, y, m = _split(district)
    return f"000.{_letter_digit('P', position - 1)}.{y}.{m}"


def ministry_unit_code(body: str, position: int) -> str:
    """Code of the ``position``-th unit (from 1) inside a central body."""
    _, _, _, m = _split(body)
    return f"000.00.{position:02d}.{m}"


def province_hub_id(stat_code: str) -> str:
    """Hub id of a province's integration platform (LGSP), e.g. ``lgsp-h38``."""
    return f"lgsp-h{int(stat_code):02d}"


def ministry_hub_id(body: str) -> str:
    """Hub id of a central body's document system, e.g. ``hub-g07``."""
    return f"hub-{_split(body)[3].lower()}"
