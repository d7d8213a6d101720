"""Traffic: who sends what to whom, and when — drawn with numpy from the scenario's seed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from docflow.topology import build_preset
from docflow.topology.arrays import LEVEL_ORDER
from docflow.traffic.calendar import WorkCalendar, WorkingHours
from docflow.traffic.destinations import DIRECTIONS, CandidateTable
from docflow.traffic.generate import TrafficGenerator, _direction_codes, _stable_order
from docflow.traffic.spec import DEFAULT_LEVEL_TRAFFIC, Direction, LevelTraffic, TrafficSpec

ARRAYS = build_preset("tiny").arrays()
CAL = WorkCalendar.build(WorkingHours(), date(2025, 7, 7), 7)  # Monday


def _brute_candidates(s: int, direction: Direction) -> set[int]:
    """The candidate set of a sender and direction, by its definition."""
    a = ARRAYS
    n = a.n_agencies
    central = LEVEL_ORDER.index(LEVEL_ORDER[0])
    lvl, prov = a.level[s], a.province[s]
    every = range(n)
    if direction is Direction.DOWN:
        if lvl == central:
            return {i for i in every if a.level[i] == 1}
        return {i for i in every if a.parent[i] == s}
    if direction is Direction.UP:
        if a.parent[s] >= 0:
            return {int(a.parent[s])}
        return {i for i in every if a.level[i] == central} if lvl != central else set()
    if direction is Direction.LATERAL:
        return {i for i in every if a.level[i] == lvl and a.province[i] == prov and i != s}
    if direction is Direction.CROSS_PROVINCE:
        return set() if lvl == central else {
            i for i in every if a.level[i] == lvl and a.province[i] != prov}
    return set() if lvl == central else {i for i in every if a.level[i] == central}


def test_candidate_sets_match_their_definition() -> None:
    """Every (sender, direction) candidate set is exactly what the direction means."""
    table = CandidateTable.build(ARRAYS)
    for s in range(ARRAYS.n_agencies):
        for d, direction in enumerate(DIRECTIONS):
            size = int(table.size[s, d])
            got = table.pick(np.full(size, s), np.full(size, d), np.arange(size)).tolist()
            assert len(got) == len(set(got)), (s, direction)
            assert set(got) == _brute_candidates(s, direction), (s, direction)


def test_same_seed_same_day_and_weekends_are_quiet() -> None:
    """A day is a function of the generator state; Saturday and Sunday send nothing."""
    gen = TrafficGenerator(TrafficSpec(), ARRAYS, CAL)
    a, b = gen.day(1, np.random.default_rng(5)), gen.day(1, np.random.default_rng(5))
    for field in ("sender", "send_us", "doc_type", "receiver", "size_kb"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert gen.day(5, np.random.default_rng(5)).n_documents == 0
    assert gen.day(6, np.random.default_rng(5)).n_documents == 0


def test_deliveries_are_distinct_and_follow_the_direction() -> None:
    """No self-delivery, no repeated recipient, and each recipient fits the direction."""
    gen = TrafficGenerator(TrafficSpec(), ARRAYS, CAL)
    table = CandidateTable.build(ARRAYS)
    for day in range(5):
        t = gen.day(day, np.random.default_rng(day))
        pairs = t.document * ARRAYS.n_agencies + t.receiver
        assert len(np.unique(pairs)) == len(pairs)
        assert bool((t.receiver != t.sender[t.document]).all())
        for j in range(t.n_deliveries):
            doc = int(t.document[j])
            s, d = int(t.sender[doc]), int(t.direction[doc])
            size = int(table.size[s, d])
            allowed = set(table.pick(np.full(size, s), np.full(size, d), np.arange(size)))
            assert int(t.receiver[j]) in allowed


def test_volume_follows_the_rate() -> None:
    """Documents per working day average per_day × senders (Poisson, within 4 sigma)."""
    spec = TrafficSpec(levels=tuple(replace(x, per_day=x.per_day * 10)
                                    for x in DEFAULT_LEVEL_TRAFFIC.values()))
    gen = TrafficGenerator(spec, ARRAYS, CAL)
    counts = [gen.day(d, np.random.default_rng(d)).n_documents for d in range(5)]
    mean = gen.expected_per_day()
    assert abs(np.mean(counts) - mean) < 4 * np.sqrt(mean / 5)


def test_broadcast_reaches_every_child() -> None:
    """A broadcast document goes to every candidate of its direction (up to broadcast_max)."""
    only_down = TrafficSpec(levels=(LevelTraffic(LEVEL_ORDER[1], per_day=50.0, broadcast=1.0,
                                                 mix=((Direction.DOWN, 1.0),)),))
    gen = TrafficGenerator(only_down, ARRAYS, CAL)
    t = gen.day(0, np.random.default_rng(0))
    assert t.n_documents > 0
    for doc in range(t.n_documents):
        s = int(t.sender[doc])
        got = set(t.receiver[t.first[doc]:t.first[doc + 1]].tolist())
        assert got == {i for i in range(ARRAYS.n_agencies) if ARRAYS.parent[i] == s}


@pytest.mark.parametrize("direction", [Direction.UP])
def test_up_goes_to_the_parent(direction: Direction) -> None:
    """An upward document of an agency with a superior goes to that superior only."""
    spec = TrafficSpec(levels=(LevelTraffic(LEVEL_ORDER[3], per_day=20.0, recipients=3.0,
                                            mix=((direction, 1.0),)),))
    t = TrafficGenerator(spec, ARRAYS, CAL).day(0, np.random.default_rng(0))
    assert t.n_deliveries == t.n_documents > 0
    assert bool((ARRAYS.parent[t.sender[t.document]] == t.receiver).all())


def test_document_types_follow_their_shares() -> None:
    """Công văn dominates at its share (within 2 points over a busy week)."""
    spec = TrafficSpec(levels=tuple(replace(x, per_day=x.per_day * 20)
                                    for x in DEFAULT_LEVEL_TRAFFIC.values()))
    gen = TrafficGenerator(spec, ARRAYS, CAL)
    types = np.concatenate([gen.day(d, np.random.default_rng(d)).doc_type for d in range(5)])
    share = float((types == 0).mean())  # index 0 is Công văn in the default mix
    assert abs(share - spec.documents.types[0][1]) < 0.02


@pytest.mark.parametrize("span", [1, 1000, 86_400_000_000, 2**62])
def test_submission_order_is_a_stable_sort(span: int) -> None:
    """Documents are ordered by send time, ties in drawing order — exactly a stable argsort,
    whether the packed-key sort applies (a day's span) or not (a span too wide to pack)."""
    rng = np.random.default_rng(span % 1000)
    t = rng.integers(0, span, 50_000) - span // 3
    assert np.array_equal(_stable_order(t), np.argsort(t, kind="stable"))
    assert len(_stable_order(t[:0])) == 0


def test_direction_codes_follow_the_cumulative_shares() -> None:
    """A document's direction is the number of its sender's cumulative shares its uniform
    reaches, capped at the last direction (ties go up, as with >=)."""
    rng = np.random.default_rng(8)
    cum = np.cumsum(rng.random((30, len(DIRECTIONS))), axis=1)
    cum /= cum[:, -1:]
    sender = rng.integers(0, 30, 20_000).astype(np.int32)
    u = rng.random(20_000)
    u[:30] = cum[sender[:30], 1]  # exactly on a boundary
    want = np.minimum((u[:, None] >= cum[sender]).sum(axis=1), len(DIRECTIONS) - 1)
    assert np.array_equal(_direction_codes(u, sender, cum), want)
