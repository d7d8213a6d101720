"""The four levels of Vietnamese government that docflow reports on.

Kept at the bottom of the package because every layer speaks of levels: the topology assigns
them, traffic is generated per level, and the simulator and the audit report per level.
"""

from __future__ import annotations

import enum

__all__ = ["Level"]


class Level(enum.StrEnum):
    """A level of government, in reporting order from the centre down.

    Since 1 July 2025 local government has two levels (province, commune); the ``district``
    level exists only in topologies of 2024 and earlier.
    """

    CENTRAL = "central"
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"

    @classmethod
    def parse(cls, value: str) -> Level:
        """Return the level named ``value``, or raise ``ValueError`` listing the allowed ones."""
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise ValueError(f"unknown level {value!r}; allowed: {allowed}") from None
