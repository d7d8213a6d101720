"""Outages: refusals with growing back-off, dead letters, and agencies holding their mail."""

from __future__ import annotations

import numpy as np

from docflow.sim.faults import OutageTable, RetryPolicy

POLICY = RetryPolicy(backoff_us=60, factor=2.0, backoff_max_us=500, max_attempts=6)
TABLE = OutageTable.build([(1, 1_000, 2_000), (1, 2_100, 2_400), (2, 0, 10_000)])


def naive(who: int, t: int) -> tuple[int, int]:
    """One message, one attempt at a time (the definition); -1 when dead-lettered."""
    refused = 0
    while any(w == who and b <= t < e for w, b, e in TABLE.windows_us()):
        refused += 1
        if refused == POLICY.max_attempts:
            return -1, refused
        t += POLICY.wait_us(refused)
    return t, refused


def test_retry_matches_one_at_a_time_definition() -> None:
    """Accepted times, refusal counts and losses equal the attempt-by-attempt loop."""
    rng = np.random.default_rng(0)
    who = rng.integers(0, 4, 5_000)
    t = rng.integers(0, 3_000, 5_000)
    out = TABLE.retry(who, t, POLICY)
    for i in range(len(t)):
        assert (int(out.accepted[i]), int(out.refused[i])) == naive(int(who[i]), int(t[i]))
    assert out.lost.any() and (out.refused > 0).any() and (out.refused == 0).any()


def test_backoff_grows_and_is_capped() -> None:
    """Waits double from the first and never exceed the cap."""
    assert [POLICY.wait_us(k) for k in range(1, 6)] == [60, 120, 240, 480, 500]


def test_hold_waits_through_chained_outages() -> None:
    """What a down agency sends leaves when it is back, across back-to-back windows."""
    table = OutageTable.build([(5, 100, 200), (5, 200, 300), (6, 0, 50)])
    held = table.hold(np.array([5, 5, 6, 7]), np.array([150, 350, 10, 120]))
    assert held.tolist() == [300, 350, 50, 120]
