"""The built-in topologies, by name, built on demand and cached per process.

>>> sorted(PRESETS)[:2]
['binh-duong-2024', 'phu-tho-2021']
>>> len(build_preset("tiny").agencies)
20
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from docflow.errors import Location, UsageError
from docflow.topology.network import Topology

__all__ = ["PRESETS", "Preset", "build_preset"]


@dataclass(frozen=True, slots=True)
class Preset:
    """A built-in topology: its name, one line about it, and where its builder lives."""

    name: str
    summary: str
    builder: str
    """``module:function`` under :mod:`docflow.topology.presets`, imported on first use so that
    loading ``tiny`` does not read the national tables."""

    def build(self) -> Topology:
        module, _, function = self.builder.partition(":")
        factory: Callable[[], Topology] = getattr(
            importlib.import_module(f"docflow.topology.presets.{module}"), function)
        return factory()


PRESETS: dict[str, Preset] = {p.name: p for p in [
    Preset("vn-2025", "34 provinces and cities, two-level local government (since 1 July 2025)",
           "national:build_vn_2025"),
    Preset("vn-2024", "63 provinces and cities, three-level local government (2024)",
           "national:build_vn_2024"),
    Preset("phu-tho-2021", "Phú Thọ in 2021: 13 districts, 225 communes",
           "provincial:build_phu_tho_2021"),
    Preset("thanh-hoa-2024", "Thanh Hóa in 2024: 27 districts, 559 communes",
           "provincial:build_thanh_hoa_2024"),
    Preset("yen-lac-2024", "Yên Lạc district of Vĩnh Phúc in 2024, with the province nodes",
           "provincial:build_yen_lac_2024"),
    Preset("binh-duong-2024", "Bình Dương in 2024: 256 connected agencies",
           "provincial:build_binh_duong_2024"),
    Preset("tiny", "20 agencies on 5 hubs, for tests", "tiny:build_tiny"),
]}
"""Every built-in topology by name."""


@cache
def build_preset(name: str) -> Topology:
    """Build (once per process) and return the preset called ``name``.

    A :class:`Topology` is immutable, so the cached instance is shared by every caller.

    Raises
    ------
    UsageError
        ``DF-TOP-010`` if there is no preset of that name.
    """
    preset = PRESETS.get(name)
    if preset is None:
        raise UsageError("DF-TOP-010", f"no topology preset named {name!r}; presets: "
                         + ", ".join(PRESETS), Location(key="topology"))
    return preset.build()
