"""Generated Vietnamese place names for the districts and communes whose real names are not
shipped: plausible, with their diacritics, unique within a province, and stable forever.

A name is two syllables from :data:`SYLLABLES` (the auspicious Sino-Vietnamese words most
Vietnamese commune names are made of: *Tân Hòa*, *Phú Lộc*, *Vĩnh Thịnh*). The ``i``-th name of a
sequence is pair number ``(start + i * stride) mod N`` of the fixed list of ordered pairs, where
``start`` is the CRC-32 of the sequence's key (e.g. the province name). No random generator is
involved, so no library upgrade can change a name, and the first ``N`` names of a sequence are
all different.

>>> seq = NameSequence("Thanh Hóa/communes")
>>> seq.name(0), seq.name(1)
('Lạc Cường', 'Lâm Hiệp')
>>> len({seq.name(i) for i in range(2000)})
2000
"""

from __future__ import annotations

import zlib

__all__ = ["SYLLABLES", "NameSequence"]

SYLLABLES: tuple[str, ...] = (
    "An", "Bình", "Hòa", "Tân", "Phú", "Thạnh", "Long", "Hưng", "Thịnh", "Phước", "Lộc",
    "Thành", "Minh", "Quang", "Đức", "Hiệp", "Nghĩa", "Xuân", "Hải", "Sơn", "Lâm", "Thủy",
    "Mỹ", "Vĩnh", "Yên", "Trung", "Đông", "Tây", "Nam", "Bắc", "Hồng", "Thái", "Hà", "Kim",
    "Ngọc", "Phong", "Tiến", "Thắng", "Lợi", "Hợp", "Cường", "Khánh", "Tường", "Quý", "Định",
    "Thuận", "Lạc", "Thọ",
)
"""48 syllables: 48 × 47 = 2,256 distinct names per sequence, more than any province needs."""

_PAIRS: tuple[str, ...] = tuple(f"{a} {b}" for a in SYLLABLES for b in SYLLABLES if a != b)
_STRIDE = 1009
"""A prime that does not divide len(_PAIRS) = 2,256 = 2⁴·3·47, so the walk visits every pair."""


class NameSequence:
    """The endless-enough sequence of generated names for one key."""

    __slots__ = ("_start",)

    def __init__(self, key: str) -> None:
        self._start = zlib.crc32(key.encode("utf-8")) % len(_PAIRS)

    def name(self, index: int) -> str:
        """The ``index``-th name (from 0); unique for ``index`` below 2,256."""
        if not 0 <= index < len(_PAIRS):
            raise ValueError(f"name index {index} is outside 0–{len(_PAIRS) - 1}")
        return _PAIRS[(self._start + index * _STRIDE) % len(_PAIRS)]
