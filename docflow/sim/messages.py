"""Messages in flight as a struct of arrays, and the pool of those due in a later window.

A message is one document on its way to one recipient, or one status message on its way back.
Keeping each field in its own array lets every stage of the engine work on whole windows with
numpy; a national day is a few million messages of 39 bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from docflow.traffic.calendar import DAY_US

__all__ = ["Messages", "Pool"]


@dataclass(slots=True)
class Messages:
    """Messages, one array element each.

    ``t`` is when the message reaches its current lane (µs), ``hop`` the index of that lane in
    its route, ``t0`` when the document was issued (latencies count from it), ``src``/``dst``
    the sending and receiving agencies of *this* message (for a status message, the document's
    receiver and sender), ``code`` 0 for a document or the status code 1–6.
    """

    t: npt.NDArray[np.int64]
    t0: npt.NDArray[np.int64]
    src: npt.NDArray[np.int32]
    dst: npt.NDArray[np.int32]
    size_kb: npt.NDArray[np.int32]
    hop: npt.NDArray[np.int8]
    code: npt.NDArray[np.int8]
    prio: npt.NDArray[np.int8]
    serial: npt.NDArray[np.int64]
    """Number of the delivery the message belongs to (unique in the run)."""

    def __len__(self) -> int:
        return len(self.t)

    def take(self, index: npt.NDArray[np.intp] | npt.NDArray[np.bool_]) -> Messages:
        """The messages selected by an index or mask array."""
        return Messages(self.t[index], self.t0[index], self.src[index], self.dst[index],
                        self.size_kb[index], self.hop[index], self.code[index],
                        self.prio[index], self.serial[index])

    @classmethod
    def empty(cls) -> Messages:
        i64, i32, i8 = np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int8)
        return cls(i64, i64, i32, i32, i32, i8, i8, i8, i64)

    @classmethod
    def concat(cls, parts: Sequence[Messages]) -> Messages:
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        def cat(name: str) -> Any:
            return np.concatenate([getattr(p, name) for p in parts])

        return cls(*(cat(f.name) for f in fields(cls)))


class Pool:
    """Messages due in later windows, kept per day so a window takes only its own.

    >>> p = Pool()
    >>> m = Messages.empty()
    >>> p.put(Messages.concat([m])); len(p)
    0
    """

    def __init__(self) -> None:
        self._days: dict[int, list[Messages]] = {}
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def put(self, messages: Messages) -> None:
        """Add messages; each goes to the day its ``t`` falls in."""
        n = len(messages)
        if n == 0:
            return
        day = messages.t // DAY_US
        lo, hi = int(day.min()), int(day.max())
        self._count += n
        if lo == hi:
            self._days.setdefault(lo, []).append(messages)
            return
        # Speed: a stable sort of 16-bit day offsets is a radix sort, linear in the batch.
        offset = day - lo
        order = np.argsort(offset.astype(np.uint16) if hi - lo < 65536 else offset,
                           kind="stable")
        sorted_day = day[order]
        bounds = np.flatnonzero(np.diff(sorted_day)) + 1
        for chunk in np.split(order, bounds):
            self._days.setdefault(int(day[chunk[0]]), []).append(messages.take(chunk))

    def take(self, day: int) -> Messages:
        """Remove and return the messages due on ``day`` (in the order they were put)."""
        parts = self._days.pop(day, [])
        out = Messages.concat(parts)
        self._count -= len(out)
        return out

    def last_day(self) -> int:
        """The latest day with a message (``-1`` when empty)."""
        return max(self._days, default=-1)
