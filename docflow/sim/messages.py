"""Messages in flight as a struct of arrays, and the pool of those due in a later window.

A message is one document on its way to one recipient, or one status message on its way back.
Keeping each field in its own array lets every stage of the engine work on whole windows with
numpy; a national day is a few million messages of 39 bytes. A field that is the same for every
message of a batch (the size of a status message, say) may be a *constant*: a read-only
broadcast view that costs no memory and that :meth:`Messages.take` and :meth:`Messages.concat`
keep constant instead of copying it element by element.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from docflow.jit import njit
from docflow.sim.workspace import Workspace
from docflow.traffic.calendar import DAY_US

__all__ = ["Messages", "Pool", "constant", "day_order"]

I64 = npt.NDArray[np.int64]
_MAX_DAY_SPAN = 1 << 20


def constant(value: int, n: int, dtype: type[np.integer]) -> npt.NDArray[Any]:
    """``n`` copies of ``value`` as a read-only broadcast view (no memory per message).

    >>> c = constant(2, 3, np.int32)
    >>> c.tolist(), _is_constant(c), _is_constant(np.zeros(3))
    ([2, 2, 2], True, False)
    """
    return np.broadcast_to(np.array(value, dtype), (n,))


def _is_constant(array: npt.NDArray[Any]) -> bool:
    return array.ndim == 1 and len(array) > 0 and array.strides[0] == 0


def _take_field(array: npt.NDArray[Any], index: npt.NDArray[Any], n: int) -> npt.NDArray[Any]:
    if _is_constant(array):
        return np.broadcast_to(array[:1], (n,))
    return array[index]


def _slice_field(array: npt.NDArray[Any], lo: int, hi: int) -> npt.NDArray[Any]:
    if _is_constant(array):
        return np.broadcast_to(array[:1], (hi - lo,))
    return array[lo:hi].copy()


def _concat_field(arrays: list[npt.NDArray[Any]], work: Workspace | None,
                  name: str) -> npt.NDArray[Any]:
    first = arrays[0]
    n = sum(len(a) for a in arrays)
    if all(_is_constant(a) and a.dtype == first.dtype and a[0] == first[0] for a in arrays):
        return np.broadcast_to(first[:1], (n,))
    if work is None:
        return np.concatenate(arrays)
    return np.concatenate(arrays, out=work.array(name, n, first.dtype))


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
        n = int(np.count_nonzero(index)) if index.dtype == np.bool_ else len(index)

        def get(name: str) -> Any:
            array = getattr(self, name)
            if fields is None or name in fields:
                return _take_field(array, index, n)
            return np.broadcast_to(np.zeros(1, array.dtype), (n,))

        return Messages(*(get(f.name) for f in dataclasses.fields(self)))

    def piece(self, lo: int, hi: int) -> Messages:
        """Messages ``lo:hi``, copied (a view would keep the whole batch's arrays alive)."""
        return Messages(*(_slice_field(getattr(self, f.name), lo, hi)
                          for f in dataclasses.fields(self)))

    @classmethod
    def empty(cls) -> Messages:
        i64, i32, i8 = np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int8)
        return cls(i64, i64, i32, i32, i32, i8, i8, i8, i64)

    @classmethod
    def concat(cls, parts: Sequence[Messages], work: Workspace | None = None) -> Messages:
        """The parts one after the other. With ``work``, into its buffers (a batch that lives
        for one window: valid until the workspace next joins messages)."""
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]

        def cat(name: str) -> Any:
            return _concat_field([getattr(p, name) for p in parts], work, "batch_" + name)

        return cls(*(cat(f.name) for f in fields(cls)))


@njit(cache=True, nogil=True)
def _day_order(t: I64, order: I64, day: I64) -> tuple[I64, I64]:  # pragma: no cover
    """Counting sort of ``t`` by day into ``order`` (``day`` is scratch of the same length);
    returns the days present and their starts. Days spread too widely to count (a stray
    far-future time) are sorted instead."""
    # Speed: DAY_US is a compile-time constant, so t // day_us is a multiplication, not a
    # 64-bit division (ten times slower); it is done once per message.
    day_us = DAY_US
    n = len(t)
    lo = t[0] // day_us
    hi = lo
    for i in range(n):
        d = t[i] // day_us
        day[i] = d
        lo = min(lo, d)
        hi = max(hi, d)
    if hi - lo > _MAX_DAY_SPAN:
        order[:] = np.argsort(day, kind="mergesort")
        new = np.ones(n, np.bool_)
        for i in range(1, n):
            new[i] = day[order[i]] != day[order[i - 1]]
        starts = np.flatnonzero(new)
        bounds = np.empty(len(starts) + 1, np.int64)
        bounds[:-1] = starts
        bounds[-1] = n
        return day[order[starts]], bounds
    count = np.zeros(hi - lo + 2, np.int64)
    for i in range(n):
        count[day[i] - lo + 1] += 1
    used = 0
    for k in range(hi - lo + 1):
        used += count[k + 1] > 0
    days = np.empty(used, np.int64)
    bounds = np.empty(used + 1, np.int64)
    j = 0
    for k in range(hi - lo + 1):
        if count[k + 1] > 0:
            days[j] = lo + k
            bounds[j] = count[k]
            j += 1
        count[k + 1] += count[k]
    bounds[used] = n
    for i in range(n):
        k = day[i] - lo
        order[count[k]] = i
        count[k] += 1
    return days, bounds


def day_order(t: I64, work: Workspace | None = None) -> tuple[I64, I64, I64]:
    """The stable order of messages by the day ``t`` falls in, the days present (increasing)
    and where each starts in that order.

    With ``work``, the order is a view of it (valid until its next day order). Speed: one
    compiled counting sort (two passes), instead of a sort of the days and the splitting of it.

    >>> order, days, bounds = day_order(np.array([3, 1, 2, 0]) * DAY_US + 5)
    >>> order.tolist(), days.tolist(), bounds.tolist()
    ([3, 1, 2, 0], [0, 1, 2, 3], [0, 1, 2, 3, 4])
    >>> order, days, bounds = day_order(np.array([DAY_US, 0, DAY_US + 1, 1]))
    >>> order.tolist(), days.tolist(), bounds.tolist()
    ([1, 3, 0, 2], [0, 1], [0, 2, 4])
    >>> order, days, bounds = day_order(np.array([1 << 60, 0, 1 << 60, 1]))  # the sorting path
    >>> order.tolist(), bounds.tolist()
    ([1, 3, 0, 2], [0, 2, 4])
    """
    if len(t) == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, np.zeros(1, np.int64)
    work = work or Workspace()
    order = work.array("day_order", len(t), np.int64)
    days, bounds = _day_order(np.asarray(t, np.int64), order,
                              work.array("day_order_day", len(t), np.int64))
    return order, days, bounds


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
        order, days, bounds = day_order(messages.t)
        if len(days) == 1:
            self._add([(int(days[0]), messages)], tag, n)
            return
        self._add([(int(d), messages.take(order[bounds[k]:bounds[k + 1]]))
                   for k, d in enumerate(days)], tag, n)

    def put_sorted(self, messages: Messages, days: I64, bounds: I64,
                   tag: tuple[int, int] = (0, 0)) -> None:
        """Add copies of messages already in day order (they may be views of a workspace):
        those of ``days[k]`` are ``bounds[k]:bounds[k + 1]`` (as :func:`day_order` gives
        them)."""
        n = len(messages)
        if n == 0:
            return
        self._add([(int(d), messages.piece(int(bounds[k]), int(bounds[k + 1])))
                   for k, d in enumerate(days)], tag, n)

    def _add(self, chunks: list[tuple[int, Messages]], tag: tuple[int, int], n: int) -> None:
        with self._lock:
            self._count += n
            for d, chunk in chunks:
                self._days.setdefault(d, []).append((tag, self._serial, chunk))
                self._serial += 1

    def take(self, day: int) -> Messages:
        """Remove and return the messages due on ``day``, ordered by the tags they were put
        with (then by the order of putting within one tag)."""
        return Messages.concat(self.take_parts(day))

    def take_parts(self, day: int) -> list[Messages]:
        """:meth:`take`, as the chunks in their order (for the caller to join where it
        likes)."""
        with self._lock:
            parts = self._days.pop(day, [])
            self._count -= sum(len(p[2]) for p in parts)
        parts.sort(key=lambda p: (p[0], p[1]))
        return [p[2] for p in parts]

    def last_day(self) -> int:
        """The latest day with a message (``-1`` when empty)."""
        with self._lock:
            return max(self._days, default=-1)
