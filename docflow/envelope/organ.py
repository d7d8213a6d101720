"""Organ codes of the national document-exchange directory: ``V1V2V3.Z1Z2.Y1Y2.M1M2M3``.

Every agency that exchanges documents electronically has one code. Read right to left the groups
name ever smaller units: ``M1M2M3`` the level-1 body (``G..`` the ministries and bodies under the
Government, ``H..`` the provincial People's Committees, other letters other central bodies),
``Y1Y2`` a level-2 unit inside it (a department, or a district), ``Z1Z2`` a level-3 unit (a commune
under a district, or a division), ``V1V2V3`` a level-4 unit. A group of zeros means "the body
itself": ``000.00.00.H49`` is a provincial People's Committee, ``000.00.00.G22`` the Government
Office, ``000.00.12.H49`` a department or district of that province.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ORGAN_CODE_PATTERN", "OrganCode"]

#: Level-1 groups are a letter and two digits; lower groups are digits or capital letters.
ORGAN_CODE_PATTERN = re.compile(
    r"^(?P<v>[0-9A-Z]{3})\.(?P<z>[0-9A-Z]{2})\.(?P<y>[0-9A-Z]{2})\.(?P<m>[A-Z][0-9]{2})$")


@dataclass(frozen=True, slots=True, order=True)
class OrganCode:
    """A parsed organ code; ``str()`` gives the wire form back."""

    m: str
    """Level-1 body, e.g. ``H49``."""
    y: str = "00"
    """Level-2 unit inside it, ``00`` for the body itself."""
    z: str = "00"
    """Level-3 unit, ``00`` for the level-2 unit itself."""
    v: str = "000"
    """Level-4 unit, ``000`` for the level-3 unit itself."""

    @classmethod
    def parse(cls, text: str) -> OrganCode:
        """Parse the wire form, raising ``ValueError`` with the expected shape.

        >>> OrganCode.parse("000.00.12.H49").tier
        2
        >>> OrganCode.parse("000.00.00.G22").is_central
        True
        """
        match = ORGAN_CODE_PATTERN.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not an organ code of the form V1V2V3.Z1Z2.Y1Y2.M1M2M3 "
                             "(e.g. 000.00.00.H49)")
        code = cls(m=match["m"], y=match["y"], z=match["z"], v=match["v"])
        if (code.z != "00" and code.y == "00") or (code.v != "000" and code.z == "00"):
            raise ValueError(f"{text!r} names a unit under a group of zeros; a lower group may be "
                             "set only when every higher one is")
        return code

    @property
    def tier(self) -> int:
        """1 for a level-1 body, 2–4 for the units below it."""
        if self.v != "000":
            return 4
        if self.z != "00":
            return 3
        if self.y != "00":
            return 2
        return 1

    @property
    def is_central(self) -> bool:
        """True for bodies outside the provinces (``H..`` is a province)."""
        return not self.m.startswith("H")

    @property
    def root(self) -> OrganCode:
        """The level-1 body this unit belongs to."""
        return OrganCode(self.m)

    def __str__(self) -> str:
        return f"{self.v}.{self.z}.{self.y}.{self.m}"
