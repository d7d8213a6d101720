"""Messages in flight: constant fields, the day order of the pool, and what a window takes."""

from __future__ import annotations

import numpy as np

from docflow.sim.messages import Messages, Pool, constant, day_order
from docflow.traffic.calendar import DAY_US


def _messages(rng: np.random.Generator, n: int, days: int) -> Messages:
    return Messages(t=rng.integers(0, days * DAY_US, n), t0=rng.integers(0, DAY_US, n),
                    src=rng.integers(0, 50, n).astype(np.int32),
                    dst=rng.integers(0, 50, n).astype(np.int32),
                    size_kb=constant(2, n, np.int32), hop=constant(0, n, np.int8),
                    code=rng.integers(1, 7, n).astype(np.int8), prio=constant(0, n, np.int8),
                    serial=np.arange(n, dtype=np.int64))


def _rows(m: Messages) -> list[tuple[int, ...]]:
    return list(zip(*(np.asarray(getattr(m, f)).tolist() for f in
                      ("t", "t0", "src", "dst", "size_kb", "hop", "code", "prio", "serial")),
                    strict=True))


def test_day_order_is_a_stable_sort_by_day() -> None:
    """day_order gives the stable argsort of the days, the days present and their starts."""
    rng = np.random.default_rng(1)
    t = rng.integers(-2 * DAY_US, 40 * DAY_US, 30_000)
    t[::5] = t[3]  # ties
    day = t // DAY_US
    order, days, bounds = day_order(t)
    assert np.array_equal(order, np.argsort(day, kind="stable"))
    assert days.tolist() == sorted(set(day.tolist()))
    assert np.array_equal(np.diff(bounds), [np.count_nonzero(day == d) for d in days])


def test_constant_fields_stay_constant_and_read_right() -> None:
    """Taking and joining messages keep a constant field a broadcast view with the same
    values; joining a constant with different values gives a real array."""
    rng = np.random.default_rng(2)
    a, b = _messages(rng, 100, 3), _messages(rng, 50, 3)
    picked = a.take(np.arange(0, 100, 3))
    assert picked.size_kb.strides == (0,) and picked.size_kb.tolist() == [2] * 34
    joined = Messages.concat([a, b])
    assert joined.size_kb.strides == (0,) and len(joined.size_kb) == 150
    assert _rows(joined) == _rows(a) + _rows(b)
    b.size_kb = constant(5, 50, np.int32)
    mixed = Messages.concat([a, b])
    assert mixed.size_kb.tolist() == [2] * 100 + [5] * 50
    piece = a.piece(10, 20)
    assert _rows(piece) == _rows(a)[10:20] and piece.t.base is None


def test_sorted_put_equals_plain_put() -> None:
    """Putting messages already in day order (put_sorted) leaves the pool as put would:
    each day's messages in the order they were drawn, chunks ordered by tag."""
    rng = np.random.default_rng(3)
    first, second = _messages(rng, 5_000, 6), _messages(rng, 3_000, 6)
    plain, fast = Pool(), Pool()
    plain.put(second, (1, 0))
    plain.put(first, (0, 0))
    order, days, bounds = day_order(second.t)
    fast.put_sorted(second.take(order), days, bounds, (1, 0))
    order, days, bounds = day_order(first.t)
    fast.put_sorted(first.take(order), days, bounds, (0, 0))
    assert len(plain) == len(fast) == 8_000
    for day in range(6):
        got, want = fast.take(day), plain.take(day)
        assert _rows(got) == _rows(want)
        assert (got.t // DAY_US == day).all()
    assert len(fast) == 0


def test_joining_into_a_workspace_gives_the_same_batch() -> None:
    """A window's batch joined into workspace buffers equals the one joined into new arrays,
    and the pool keeps copies, not views of the workspace."""
    from docflow.sim.workspace import Workspace

    rng = np.random.default_rng(4)
    parts = [_messages(rng, n, 2) for n in (300, 1, 700)]
    work = Workspace()
    joined = Messages.concat(parts, work)
    assert _rows(joined) == _rows(Messages.concat(parts))
    assert joined.size_kb.strides == (0,)  # constants stay constant
    t = np.sort(rng.integers(0, 2 * DAY_US, 1001))  # in day order already, so the joined
    parts[0].t, parts[1].t, parts[2].t = t[:300], t[300:301], t[301:]  # batch goes as is
    joined = Messages.concat(parts, work)
    rows = _rows(joined)
    order, days, bounds = day_order(joined.t)
    assert np.array_equal(order, np.arange(len(order)))
    pool = Pool()
    pool.put_sorted(joined, days, bounds)
    Messages.concat(parts[::-1], work)  # the next window reuses the workspace
    kept = [pool.take(d) for d in days.tolist()]
    assert [r for k in kept for r in _rows(k)] == rows
