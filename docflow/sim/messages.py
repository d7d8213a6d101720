"""Messages in flight as a struct of arrays, and the pool of those due in a later window.

A message is one document on its way to one recipient, or one status message on its way back.
Keeping each field in its own array lets every stage of the engine work on whole windows with
numpy; a national day is a few million messages of 39 bytes.
"""

from __future__ import annotations

import dataclasses
import threading
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

    def take(self, index: npt.NDArray[np.intp] | npt.NDArray[np.bool_],
             fields: frozenset[str] | None = None) -> Messages:
        """The messages selected by an index or mask array.

        With ``fields``, only those are gathered; the others read as zeros (a broadcast view
        that costs no memory) — for consumers that need a few fields of many messages.
        """
        if fields is None:
            return Messages(self.t[index], self.t0[index], self.src[index], self.dst[index],
                            self.size_kb[index], self.hop[index], self.code[index],
                            self.prio[index], self.serial[index])
        n = int(np.count_nonzero(index)) if index.dtype == np.bool_ else len(index)

        def get(name: str) -> Any:
            array = getattr(self, name)
            if name in fields:
                return array[index]
            return np.broadcast_to(np.zeros(1, array.dtype), (n,))

        return Messages(*(get(f.name) for f in dataclasses.fields(self)))

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

    Safe to share between the document thread and the status thread: a lock guards the
    buckets, and every chunk carries a ``tag`` (the window and the class that put it) by which
    :meth:`take` orders a day's chunks, so the order of messages does not depend on which
    thread came first.

    >>> p = Pool()
    >>> m = Messages.empty()
    >>> p.put(Messages.concat([m])); len(p)
    0
    """

    def __init__(self) -> None:
        self._days: dict[int, list[tuple[tuple[int, int], int, Messages]]] = {}
        self._count = 0
        self._serial = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._count

    def put(self, messages: Messages, tag: tuple[int, int] = (0, 0)) -> None:
        """Add messages; each goes to the day its ``t`` falls in."""
        n = len(messages)
        if n == 0:
            return
        day = messages.t // DAY_US
        lo, hi = int(day.min()), int(day.max())
        if lo == hi:
            self._add([(lo, messages)], tag, n)
            return
        # Speed: a stable sort of 16-bit day offsets is a radix sort, linear in the batch.
        offset = day - lo
        order = np.argsort(offset.astype(np.uint16) if hi - lo < 65536 else offset,
                           kind="stable")
        sorted_day = day[order]
        bounds = np.flatnonzero(np.diff(sorted_day)) + 1
        self._add([(int(day[chunk[0]]), messages.take(chunk))
                   for chunk in np.split(order, bounds)], tag, n)

    def _add(self, chunks: list[tuple[int, Messages]], tag: tuple[int, int], n: int) -> None:
        with self._lock:
            self._count += n
            for d, chunk in chunks:
                self._days.setdefault(d, []).append((tag, self._serial, chunk))
                self._serial += 1

    def take(self, day: int) -> Messages:
        """Remove and return the messages due on ``day``, ordered by the tags they were put
        with (then by the order of putting within one tag)."""
        with self._lock:
            parts = self._days.pop(day, [])
            self._count -= sum(len(p[2]) for p in parts)
        parts.sort(key=lambda p: (p[0], p[1]))
        return Messages.concat([p[2] for p in parts])

    def last_day(self) -> int:
        """The latest day with a message (``-1`` when empty)."""
        with self._lock:
            return max(self._days, default=-1)
