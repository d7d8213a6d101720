"""First-in-first-out hub lanes, served a whole window of messages at a time.

A lane is one queue of a hub (see :mod:`docflow.sim.lanes`) with ``c`` identical workers. Messages
are served in order of arrival; each takes the worker that frees first (first come, first
served). Given every arrival of a window, sorted by (lane, time), the departures follow in one
pass, and the state the next window needs is small: when each worker frees, and which messages are
still waiting at the window's end.

Two implementations, checked against each other in the tests:

* :func:`scan_single_server` — numpy only, for ``c = 1``: the max-plus recursion
  ``D_k = max(D_{k-1}, A_k) + S_k`` unrolls to ``D = C + cummax(A - C_prev)`` with ``C`` the
  cumulative service time, segmented per lane by an offset that keeps the running maximum
  inside its segment. It is the reference and the micro benchmark's baseline.
* :func:`serve_window` — a compiled loop (numba) for any ``c``: exact first-come-first-served
  with a binary heap of worker free times per lane, plus the queue length seen by each arrival
  (for the peak backlog). A ``c``-server queue is not a max-plus scan (which worker a message gets
  depends on all earlier ones), so the engine uses this loop everywhere; it is exact, not an
  approximation, and moves several million messages a second.

:func:`sort_arrivals` orders a window's messages by (lane, time) with one SIMD sort of packed
64-bit keys — millisecond buckets plus the message's position — and a compiled insertion pass
that restores exact microsecond order inside each millisecond; an ``argsort`` of the same data
is several times slower.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from docflow.jit import njit

__all__ = ["lane_segments", "scan_single_server", "serve_window", "sort_arrivals"]

I64 = npt.NDArray[np.int64]

_MS = 1000
_TIME_BITS = 27
"""Bits of the millisecond bucket within a window: 2**27 ms is 37 hours, more than a day."""


def sort_arrivals(lane: I64, arrival: I64, window_start: int) -> tuple[I64, I64, I64]:
    """The permutation that orders messages by (lane, arrival time, position), and both sorted.

    ``arrival`` should lie in ``[window_start, window_start + 37 h)`` and ``lane`` in
    ``[0, n_lanes)`` (anything else takes a slower exact path). Ties in time keep the order of
    the input, so the result is deterministic.

    >>> lane = np.array([1, 0, 1, 0]); t = np.array([5_000, 7_000, 4_999, 7_000])
    >>> order, lanes, times = sort_arrivals(lane, t, 0)
    >>> order.tolist(), lanes.tolist(), times.tolist()
    ([1, 3, 2, 0], [0, 0, 1, 1], [7000, 7000, 4999, 5000])
    """
    n = len(lane)
    if n == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    lane_bits = max(1, int(np.max(lane)).bit_length())
    index_bits = 64 - _TIME_BITS - lane_bits
    rel = (arrival - window_start) // _MS
    if n >= (1 << index_bits) or rel.min() < 0 or rel.max() >= (1 << _TIME_BITS):
        order = np.lexsort((np.arange(n), arrival, lane)).astype(np.int64)
        return order, lane[order], arrival[order]
    # Speed: a sort of packed uint64 keys uses numpy's SIMD sort (~30 ns a key here); the
    # position in the low bits makes every key unique, so the sorted keys give the permutation.
    key = (lane.astype(np.uint64) << np.uint64(64 - lane_bits)) \
        | (rel.astype(np.uint64) << np.uint64(index_bits)) \
        | np.arange(n, dtype=np.uint64)
    key.sort()
    order = (key & np.uint64((1 << index_bits) - 1)).astype(np.int64)
    sorted_lane = (key >> np.uint64(64 - lane_bits)).astype(np.int64)
    sorted_arrival = arrival[order]
    _fix_within_ms(sorted_lane, sorted_arrival, order)
    return order, sorted_lane, sorted_arrival


@njit(cache=True)
def _fix_within_ms(lane: I64, arrival: I64, order: I64) -> None:  # pragma: no cover - compiled
    """Insertion pass: restore (lane, µs, position) order inside each millisecond bucket.

    Input is already sorted by (lane, ms, position), so each element moves at most within its
    bucket and the pass is linear in practice.
    """
    n = len(order)
    for k in range(1, n):
        lk, tk, ok = lane[k], arrival[k], order[k]
        j = k - 1
        while j >= 0 and lane[j] == lk and (arrival[j] > tk or
                                             (arrival[j] == tk and order[j] > ok)):
            lane[j + 1] = lane[j]
            arrival[j + 1] = arrival[j]
            order[j + 1] = order[j]
            j -= 1
        lane[j + 1] = lk
        arrival[j + 1] = tk
        order[j + 1] = ok


def lane_segments(sorted_lane: I64, n_lanes: int) -> I64:
    """Offsets of each lane's run in a lane-sorted array (length ``n_lanes + 1``)."""
    return np.searchsorted(sorted_lane, np.arange(n_lanes + 1), side="left").astype(np.int64)


def scan_single_server(lane: I64, arrival: I64, service: I64, busy_until: I64) -> I64:
    """Departures of single-worker FIFO lanes by the max-plus scan (numpy only).

    Parameters
    ----------
    lane, arrival, service
        Messages sorted by (lane, arrival); times in µs.
    busy_until
        Per lane, when its worker frees from earlier windows.

    Returns
    -------
    ndarray of int64
        Departure time of each message.

    Examples
    --------
    >>> scan_single_server(np.array([0, 0, 0, 1]), np.array([0, 1, 10, 0]),
    ...                    np.array([5, 5, 5, 2]), np.array([0, 3])).tolist()
    [5, 10, 15, 5]
    """
    n = len(arrival)
    if n == 0:
        return np.zeros(0, np.int64)
    csum = np.cumsum(service)
    first = np.ones(n, bool)
    first[1:] = lane[1:] != lane[:-1]
    seg = np.cumsum(first) - 1
    seg_start = np.flatnonzero(first)
    base = (csum - service)[seg_start][seg]  # service before the segment
    c = csum - base                         # cumulative service within the lane
    v = arrival - (c - service)             # A_k - C_{k-1}
    v[seg_start] = np.maximum(v[seg_start], busy_until[lane[seg_start]])
    # Segmented running maximum: lift each segment above all earlier ones, then undo.
    lo = int(v.min())
    span = int(v.max()) - lo + 1
    lifted = (v - lo) + seg.astype(np.int64) * span
    run = np.maximum.accumulate(lifted) - seg.astype(np.int64) * span + lo
    return c + run


@njit(cache=True)
def serve_window(lane: I64, arrival: I64, service: I64, free: I64, free_offsets: I64,
                 waiting: I64, waiting_offsets: I64, peak: I64,
                 start: I64, depart: I64) -> None:  # pragma: no cover - compiled
    """Serve sorted messages through FIFO lanes with several workers each (compiled).

    Parameters
    ----------
    lane, arrival, service
        Messages sorted by (lane, arrival).
    free
        Worker free times, lane ``l`` owning ``free[free_offsets[l]:free_offsets[l + 1]]`` kept
        as a binary min-heap; updated in place (the state carried to the next window).
    waiting, waiting_offsets
        Start times (sorted) of messages of earlier windows that were still waiting when this
        window began, per lane; they count in the queue length seen by this window's arrivals.
    peak
        Per lane, the largest number of messages waiting seen so far; updated in place.
    start, depart
        Outputs: when each message starts service and leaves the lane.
    """
    n = len(arrival)
    i = 0
    while i < n:
        ln = lane[i]
        j = i
        while j < n and lane[j] == ln:
            j += 1
        h0 = free_offsets[ln]
        c = free_offsets[ln + 1] - h0
        p = waiting_offsets[ln]
        pe = waiting_offsets[ln + 1]
        q = i
        best = peak[ln]
        for k in range(i, j):
            a = arrival[k]
            f = free[h0]
            s = a if a > f else f
            d = s + service[k]
            start[k] = s
            depart[k] = d
            # replace the heap's root (the earliest-free worker) and sift it down
            pos = 0
            while True:
                child = 2 * pos + 1
                if child >= c:
                    break
                if child + 1 < c and free[h0 + child + 1] < free[h0 + child]:
                    child += 1
                if free[h0 + child] >= d:
                    break
                free[h0 + pos] = free[h0 + child]
                pos = child
            free[h0 + pos] = d
            # queue length seen at this arrival: earlier messages not yet started, plus itself
            while p < pe and waiting[p] <= a:
                p += 1
            while q < k and start[q] <= a:
                q += 1
            queued = (pe - p) + (k - q) + (1 if s > a else 0)
            if queued > best:
                best = queued
        peak[ln] = best
        i = j

