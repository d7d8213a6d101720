"""FIFO lanes: the compiled c-server loop, the max-plus scan and a plain loop agree exactly."""

from __future__ import annotations

import heapq

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from docflow.sim.lane_pass import serve_rank, sort_rank
from docflow.sim.queues import scan_single_server, serve_window, sort_arrivals


def naive(lane: np.ndarray, arrival: np.ndarray, service: np.ndarray,
          workers: list[int]) -> tuple[np.ndarray, list[int]]:
    """First come, first served with c workers, one message at a time (the definition);
    also the largest number of messages waiting seen at an arrival, per lane."""
    depart = np.zeros(len(arrival), np.int64)
    peak = [0] * len(workers)
    for ln in range(len(workers)):
        idx = [i for i in np.lexsort((np.arange(len(lane)), arrival, lane)) if lane[i] == ln]
        free = [0] * workers[ln]
        starts: list[int] = []
        for i in idx:
            f = heapq.heappop(free)
            s = max(int(arrival[i]), f)
            depart[i] = s + int(service[i])
            heapq.heappush(free, int(depart[i]))
            waiting = sum(1 for st_ in starts if st_ > arrival[i]) + (1 if s > arrival[i] else 0)
            peak[ln] = max(peak[ln], waiting)
            starts.append(s)
    return depart, peak


def _serve_sorted(lane: np.ndarray, arrival: np.ndarray, service: np.ndarray,
                  workers: list[int]) -> tuple[np.ndarray, np.ndarray]:
    order, s_lane, s_arr = sort_arrivals(lane, arrival, 0)
    free = np.zeros(sum(workers), np.int64)
    offsets = np.concatenate([[0], np.cumsum(workers)]).astype(np.int64)
    peak = np.zeros(len(workers), np.int64)
    start = np.empty(len(lane), np.int64)
    depart = np.empty(len(lane), np.int64)
    serve_window(s_lane, s_arr, service[order], free, offsets, np.zeros(0, np.int64),
                 np.zeros(len(workers) + 1, np.int64), peak, start, depart)
    out = np.empty(len(lane), np.int64)
    out[order] = depart
    return out, peak


cases = st.integers(1, 60).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 2), min_size=n, max_size=n),
    st.lists(st.integers(0, 50_000), min_size=n, max_size=n),
    st.lists(st.integers(1, 9_000), min_size=n, max_size=n),
    st.lists(st.integers(1, 4), min_size=3, max_size=3)))


@settings(max_examples=60, deadline=None)
@given(cases)
def test_compiled_loop_is_first_come_first_served(case: tuple) -> None:
    """serve_window gives the departures and peak queue of the one-at-a-time definition."""
    lane, arrival, service, workers = (np.array(x, np.int64) for x in case)
    want, want_peak = naive(lane, arrival, service, workers.tolist())
    got, peak = _serve_sorted(lane, arrival, service, workers.tolist())
    assert np.array_equal(got, want)
    assert peak.tolist() == want_peak


@settings(max_examples=60, deadline=None)
@given(cases)
def test_max_plus_scan_matches_for_one_worker(case: tuple) -> None:
    """With one worker, the max-plus scan D = C + cummax(A - C_prev) gives the same departures."""
    lane, arrival, service, _ = (np.array(x, np.int64) for x in case)
    order = np.lexsort((np.arange(len(lane)), arrival, lane))
    busy = np.array([0, 7_000, 100], np.int64)
    scan = scan_single_server(lane[order], arrival[order], service[order], busy)
    free = busy.copy()
    start = np.empty(len(lane), np.int64)
    depart = np.empty(len(lane), np.int64)
    serve_window(lane[order], arrival[order], service[order], free, np.arange(4),
                 np.zeros(0, np.int64), np.zeros(4, np.int64), np.zeros(3, np.int64), start,
                 depart)
    assert np.array_equal(scan, depart)


def test_windows_carry_state_exactly() -> None:
    """Serving two windows in turn (carrying worker state and the waiting queue) equals
    serving them as one: the queue does not notice the window boundary."""
    rng = np.random.default_rng(3)
    n, day = 4_000, 86_400_000_000
    lane = rng.integers(0, 3, n)
    arrival = np.sort(rng.integers(0, 2 * day, n))
    service = rng.integers(10_000_000, 80_000_000, n)  # overloaded: queues cross midnight
    workers = np.array([1, 2, 3])
    whole, whole_peak = _serve_sorted(lane, arrival, service, workers.tolist())
    free = np.zeros(workers.sum(), np.int64)
    offsets = np.concatenate([[0], np.cumsum(workers)]).astype(np.int64)
    peak = np.zeros(3, np.int64)
    stats = np.zeros((3, 3), np.int64)
    hourly = np.zeros((3, 3, 60), np.int64)
    w_lane, w_start = np.zeros(0, np.int64), np.zeros(0, np.int64)
    out = np.empty(n, np.int64)
    for w in range(2):
        m = (arrival >= w * day) & (arrival < (w + 1) * day)
        idx = np.flatnonzero(m)
        order, s_lane = sort_rank(lane[idx], arrival[idx], w * day)
        w_off = np.searchsorted(w_lane, np.arange(4)).astype(np.int64)
        depart, still_lane, still_start = serve_rank(
            order, s_lane, np.stack([arrival[idx], service[idx]], axis=1), np.arange(3), free,
            offsets, w_start,
            w_off, peak, stats, hourly, (w + 1) * day)
        out[idx] = depart
        o = np.lexsort((still_start, still_lane))
        w_lane, w_start = still_lane[o], still_start[o]
    assert np.array_equal(out, whole)
    assert peak.tolist() == whole_peak.tolist()
    assert stats[0].sum() == n and stats[1].sum() == service.sum()


def test_packed_sort_equals_lexsort() -> None:
    """The packed-key sort orders by (lane, time, position) like an exact lexsort."""
    rng = np.random.default_rng(4)
    lane = rng.integers(0, 200, 100_000)
    arrival = rng.integers(0, 86_400_000_000, 100_000)
    arrival[::7] = arrival[3]  # many exact ties
    order, _, _ = sort_arrivals(lane, arrival, 0)
    assert np.array_equal(order, np.lexsort((np.arange(len(lane)), arrival, lane)))


def test_lane_pass_counters_match_message_by_message() -> None:
    """serve_rank's per-lane totals and per-hub-hour counters (added per hour-long run) equal
    the same counts made one message at a time from its arrival, start and service."""
    rng = np.random.default_rng(6)
    n, day, hour = 2_000, 86_400_000_000, 3_600_000_000
    lane = rng.integers(0, 6, n)
    arrival = rng.integers(0, day, n)
    arrival[::9] = arrival[4]  # ties
    service = rng.integers(1_000_000, 600_000_000, n)  # queues build up and cross hours
    workers = [1, 2, 3, 1, 2, 3]
    lane_hub = np.array([0, 0, 1, 1, 2, 2])
    free = np.zeros(sum(workers), np.int64)
    offsets = np.concatenate([[0], np.cumsum(workers)]).astype(np.int64)
    stats = np.zeros((3, 6), np.int64)
    hourly = np.zeros((3, 3, 30), np.int64)
    order, s_lane = sort_rank(lane, arrival, 0)
    depart, _, _ = serve_rank(order, s_lane, np.stack([arrival, service], axis=1), lane_hub,
                              free, offsets, np.zeros(0, np.int64), np.zeros(7, np.int64),
                              np.zeros(6, np.int64), stats, hourly, day)
    want, _ = naive(lane, arrival, service, workers)
    assert np.array_equal(depart, want)
    start = depart - service
    assert stats[0].tolist() == np.bincount(lane, minlength=6).tolist()
    assert stats[1].tolist() == np.bincount(lane, weights=service, minlength=6).tolist()
    assert stats[2].tolist() == np.bincount(lane, weights=start - arrival, minlength=6).tolist()
    ref = np.zeros_like(hourly)
    for i in range(n):
        h = lane_hub[lane[i]]
        ref[0, h, min(arrival[i] // hour, 29)] += 1
        ref[1, h, min(start[i] // hour, 29)] += 1
        ref[2, h, min(start[i] // hour, 29)] += service[i]
    assert np.array_equal(hourly, ref)
