"""One rank of one window, fused into compiled passes around one SIMD sort.

The engine's hot loop (see :mod:`docflow.sim.engine`): every message of a window visits two or
three lanes, so a national year is over a billion lane visits. Doing each visit with a dozen
numpy operations over the batch costs hundreds of nanoseconds in temporaries and random memory
access; here each visit costs a few sequential passes and two random accesses:

1. :func:`select_rank` (compiled) walks the batch once and writes, for the messages now at this
   rank, compact arrays of position, lane, and (arrival, service) pairs. Between 1 and 2 the
   engine applies hub outages to the compact arrays when there are any.
2. :func:`sort_rank` packs a key per message — (lane, tick, compact position), a tick being
   1,024 µs — and sorts the keys with ``numpy.sort`` (SIMD).
3. :func:`serve_rank` (compiled) gathers arrival and service in sorted order, restores exact
   microsecond order inside each tick, serves the lanes first come first served with each
   lane's heap of worker free times, writes departures into compact order and counts per-lane
   and per-hub-hour statistics.
4. :func:`advance_rank` (compiled) walks the compact arrays in batch order and moves each
   message on: to its next lane (after the link), to the agency (last lane), or to a later
   window.

Every array that lives for one rank comes from the thread's
:class:`~docflow.sim.workspace.Workspace`, and the two random accesses ask for their cache
lines ahead (:mod:`docflow.sim.prefetch`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from docflow.jit import njit
from docflow.sim.prefetch import AHEAD, prefetch, prefetch_write
from docflow.sim.queues import serve_window
from docflow.sim.workspace import Workspace

__all__ = ["ACTIVE", "FINAL", "LATER", "LOST", "advance_rank", "prepare_batch", "select_rank",
           "serve_rank", "sort_rank"]

ACTIVE, FINAL, LATER, LOST = 0, 1, 2, 3
"""States of a message during a window's lane passes."""

I8 = npt.NDArray[np.int8]
I64 = npt.NDArray[np.int64]
_HOUR = 3_600_000_000
_TICK_BITS = 10
"""A sort key counts time in ticks of 2**10 µs (a shift, where milliseconds took a division)."""
_TIME_BITS = 27
"""Bits of the tick within a window: 2**27 ticks are 38 hours, more than a day and its overrun."""


@njit(cache=True, nogil=True)
def prepare_batch(src: npt.NDArray[np.int32], dst: npt.NDArray[np.int32], time: I64,
                  agency_hub: npt.NDArray[np.int32], length: I8, window_end: int, hub_a: I64,
                  hub_b: I64, last_hop: I8, state: I8) -> None:  # pragma: no cover - compiled
    """Per message of a window's batch: sender and receiver hubs, index of the last lane, and
    the starting state (active, or due in a later window) — one pass, into the given arrays."""
    for i in range(len(src)):
        a = agency_hub[src[i]]
        b = agency_hub[dst[i]]
        hub_a[i] = a
        hub_b[i] = b
        last_hop[i] = length[a, b] - 1
        state[i] = LATER if time[i] >= window_end else ACTIVE


@njit(cache=True, nogil=True)
def select_rank(state: I8, hop: I8, last_hop: I8, hub_a: I64, hub_b: I64, time: I64,
                size_kb: npt.NDArray[np.int32], rank: int, ranks: int, sequence: I64,
                n_hubs: int, width: int, doc_base: I64, doc_per_kb: npt.NDArray[np.float64],
                status_us: I64, is_status: bool, pos: I64, lane: I64, pair: I64
                ) -> int:  # pragma: no cover - compiled
    """Compact arrays of the active messages at ``rank``: position in the batch, lane, and
    (arrival, service) pairs, written to the first entries of ``pos``, ``lane`` and ``pair``
    (each as long as the batch); returns how many.

    ``sequence`` is :attr:`LaneTable.sequence` flattened (``n_hubs * n_hubs * width``). Arrival
    and service of a message sit side by side so that the serving pass, which reads them in
    sorted (random) order, touches one cache line per message instead of two.
    """
    j = 0
    for i in range(len(state)):
        if state[i] != ACTIVE:
            continue
        h = hop[i]
        r = 0 if h == 0 else (ranks - 1 if h == last_hop[i] else h)
        if r != rank:
            continue
        if r == 0:
            ln = hub_a[i] * ranks
        elif r == ranks - 1:
            ln = hub_b[i] * ranks + ranks - 1
        else:
            ln = sequence[(hub_a[i] * n_hubs + hub_b[i]) * width + h]
        pos[j] = i
        lane[j] = ln
        pair[j, 0] = time[i]
        if is_status:
            pair[j, 1] = status_us[ln]
        else:
            pair[j, 1] = doc_base[ln] + np.int64(np.rint(doc_per_kb[ln] * size_kb[i]))
        j += 1
    return j


def sort_rank(lane: I64, arrival: I64, window_start: int,
              work: Workspace | None = None) -> tuple[I64, I64]:
    """Compact positions and lanes sorted by (lane, time, position); see module doc.

    The results are views of ``work`` (a fresh workspace by default), valid until its next
    sort.
    """
    m = len(lane)
    if m == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty
    work = work or Workspace()
    key = work.array("sort_key", m, np.uint64)
    lane_bits = _pack(lane, arrival, window_start, key)
    if lane_bits == 0:  # a time outside the window's 37 hours, or too many messages to pack
        order = np.lexsort((np.arange(m), arrival, lane)).astype(np.int64)
        return order, lane[order]
    key.sort()
    order = work.array("sort_order", m, np.int64)
    sorted_lane = work.array("sort_lane", m, np.int64)
    _unpack(key, lane_bits, 64 - _TIME_BITS - lane_bits, order, sorted_lane)
    return order, sorted_lane


@njit(cache=True, nogil=True)
def _pack(lane: I64, arrival: I64, window_start: int,
          key: npt.NDArray[np.uint64]) -> int:  # pragma: no cover - compiled
    """Write the packed keys; return the lane bits used, or 0 when the keys cannot hold the
    batch (the caller then sorts exactly another way)."""
    m = len(lane)
    top = 0
    lo = 0
    hi = 0
    for j in range(m):  # the ticks go into the keys' place for the second pass
        top = max(top, lane[j])
        rel = (arrival[j] - window_start) >> _TICK_BITS
        lo = min(lo, rel)
        hi = max(hi, rel)
        key[j] = np.uint64(rel) if rel >= 0 else np.uint64(0)
    lane_bits = 1
    while (top >> lane_bits) > 0:
        lane_bits += 1
    index_bits = 64 - _TIME_BITS - lane_bits
    if index_bits <= 0 or m >= (1 << index_bits) or lo < 0 or hi >= (1 << _TIME_BITS):
        return 0
    ls = np.uint64(64 - lane_bits)
    ts = np.uint64(index_bits)
    for j in range(m):
        key[j] = (np.uint64(lane[j]) << ls) | (key[j] << ts) | np.uint64(j)
    return lane_bits


@njit(cache=True, nogil=True)
def _unpack(key: npt.NDArray[np.uint64], lane_bits: int, index_bits: int, order: I64,
            lane: I64) -> None:  # pragma: no cover - compiled
    mask = np.uint64((1 << index_bits) - 1)
    ls = np.uint64(64 - lane_bits)
    for j in range(len(key)):
        k = key[j]
        order[j] = np.int64(k & mask)
        lane[j] = np.int64(k >> ls)


def serve_rank(order: I64, lane: I64, pair: I64, lane_hub: I64, free: I64,
               free_offsets: I64, waiting: I64, waiting_offsets: I64, peak: I64,
               lane_stats: I64, hub_hourly: I64, window_end: int,
               work: Workspace | None = None) -> tuple[I64, I64, I64]:
    """Serve the sorted compact batch; departures in compact order, and what still waits.

    Returns ``depart`` (compact order; a view of ``work``, valid until its next serve) and the
    lanes and start times of the messages that start after ``window_end`` (sorted by lane,
    then start), for the next window's queue lengths.
    """
    scratch = (work or Workspace()).array("serve", (5, len(order)), np.int64)
    return _serve_rank(order, lane, pair, lane_hub, free, free_offsets, waiting,
                       waiting_offsets, peak, lane_stats, hub_hourly, window_end, scratch)


@njit(cache=True, nogil=True)
def _serve_rank(order: I64, lane: I64, pair: I64, lane_hub: I64, free: I64,
                free_offsets: I64, waiting: I64, waiting_offsets: I64, peak: I64,
                lane_stats: I64, hub_hourly: I64, window_end: int, scratch: I64
                ) -> tuple[I64, I64, I64]:  # pragma: no cover - compiled
    """:func:`serve_rank` with its five working rows in ``scratch`` (``(5, m)``).

    Speed: the two accesses in sorted order to arrays in compact order (the gather of arrival
    and service, the scatter of departures) are random; each is a loop of its own that asks
    for its cache line :data:`~docflow.sim.prefetch.AHEAD` iterations early. The counters are
    added per lane and per hour-long run (arrivals and starts do not go back in time within a
    lane), not per message.
    """
    m = len(order)
    a_s = scratch[0]
    s_s = scratch[1]
    for k in range(m):
        if k + AHEAD < m:
            prefetch(pair, 2 * order[k + AHEAD])
        o = order[k]
        a_s[k] = pair[o, 0]
        s_s[k] = pair[o, 1]
    # Exact microsecond order inside each tick: an insertion pass over nearly sorted input
    # (the sort key has ticks).
    for k in range(1, m):
        lk, ok, tk = lane[k], order[k], a_s[k]
        if lane[k - 1] != lk or a_s[k - 1] < tk or (a_s[k - 1] == tk and order[k - 1] < ok):
            continue
        sk = s_s[k]
        j = k - 1
        while j >= 0 and lane[j] == lk and (a_s[j] > tk or (a_s[j] == tk and order[j] > ok)):
            lane[j + 1] = lane[j]
            order[j + 1] = order[j]
            a_s[j + 1] = a_s[j]
            s_s[j + 1] = s_s[j]
            j -= 1
        lane[j + 1] = lk
        order[j + 1] = ok
        a_s[j + 1] = tk
        s_s[j + 1] = sk
    st = scratch[2]
    dp = scratch[3]
    serve_window(lane, a_s, s_s, free, free_offsets, waiting, waiting_offsets, peak, st, dp)
    depart = scratch[4]
    for k in range(m):
        if k + AHEAD < m:
            prefetch_write(depart, order[k + AHEAD])
        depart[order[k]] = dp[k]
    last_hour = hub_hourly.shape[2] - 1
    still = 0
    i = 0
    while i < m:
        ln = lane[i]
        h = lane_hub[ln]
        busy = 0
        wait = 0
        hour_a = min(a_s[i] // _HOUR, last_hour)
        count_a = 0
        hour_s = min(st[i] // _HOUR, last_hour)
        count_s = 0
        busy_s = 0
        j = i
        while j < m and lane[j] == ln:
            busy += s_s[j]
            wait += st[j] - a_s[j]
            ha = min(a_s[j] // _HOUR, last_hour)
            if ha != hour_a:
                hub_hourly[0, h, hour_a] += count_a
                hour_a = ha
                count_a = 0
            count_a += 1
            hs = min(st[j] // _HOUR, last_hour)
            if hs != hour_s:
                hub_hourly[1, h, hour_s] += count_s
                hub_hourly[2, h, hour_s] += busy_s
                hour_s = hs
                count_s = 0
                busy_s = 0
            count_s += 1
            busy_s += s_s[j]
            if st[j] > window_end:
                still += 1
            j += 1
        hub_hourly[0, h, hour_a] += count_a
        hub_hourly[1, h, hour_s] += count_s
        hub_hourly[2, h, hour_s] += busy_s
        lane_stats[0, ln] += j - i
        lane_stats[1, ln] += busy
        lane_stats[2, ln] += wait
        i = j
    w_lane = np.empty(still, np.int64)
    w_start = np.empty(still, np.int64)
    if still:
        j = 0
        for k in range(m):
            if st[k] > window_end:
                w_lane[j] = lane[k]
                w_start[j] = st[k]
                j += 1
    return depart, w_lane, w_start


@njit(cache=True, nogil=True)
def advance_rank(pos: I64, depart: I64, state: I8, hop: I8, last_hop: I8, time: I64,
                 hub_a: I64, hub_b: I64, transfer: I64, transfer_all: int, hop_link: I64,
                 n_hubs: int, agency_link: int, window_end: int
                 ) -> int:  # pragma: no cover - compiled
    """Move each served message on; returns the latest departure (for the run's last event).

    ``hop_link[hub_a * n_hubs + hub_b]`` is the link latency between the hubs of a route;
    ``transfer`` the transfer time of each message, or empty when every message takes
    ``transfer_all`` (status messages all have one size).
    """
    latest = 0
    for j in range(len(pos)):
        i = pos[j]
        d = depart[j]
        if d > latest:
            latest = d
        x = transfer[i] if len(transfer) else transfer_all
        if hop[i] == last_hop[i]:
            time[i] = d + agency_link + x
            state[i] = FINAL
        else:
            t = d + hop_link[hub_a[i] * n_hubs + hub_b[i]] + x
            time[i] = t
            hop[i] += 1
            if t >= window_end:
                state[i] = LATER
    return latest
