"""Outages, retries and the dead-letter queue, applied to whole arrays of messages.

A message that reaches a hub (or an agency) while it is down is refused. Its sender tries again
after a back-off that grows by ``backoff_factor`` each time (capped at ``backoff_max_s``); after
``max_attempts`` refused attempts the message goes to the dead-letter queue and is lost. An
agency that is down also holds what it would send (documents and status messages) until it is
back.

The retry schedule of every message is computed up front from the outage windows — a handful of
vectorised passes, one per attempt — so the queues only ever see the time a message was finally
accepted. That time never lies inside an outage, which is why a message deferred to a later
window is not checked twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from docflow.sim.scenario import FaultSpec
from docflow.traffic.calendar import HOUR_US, SECOND_US

__all__ = ["OutageTable", "RetryOutcome", "RetryPolicy"]

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Back-off schedule in µs; see the module docstring."""

    backoff_us: int
    factor: float
    backoff_max_us: int
    max_attempts: int

    @classmethod
    def of(cls, faults: FaultSpec) -> RetryPolicy:
        return cls(round(faults.retry_backoff_s * SECOND_US), faults.backoff_factor,
                   round(faults.backoff_max_s * SECOND_US), faults.max_attempts)

    def wait_us(self, attempt: int) -> int:
        """Wait after the ``attempt``-th refused attempt (1-based).

        >>> RetryPolicy(60, 2.0, 200, 5).wait_us(1), RetryPolicy(60, 2.0, 200, 5).wait_us(3)
        (60, 200)
        """
        return min(self.backoff_max_us, round(self.backoff_us * self.factor ** (attempt - 1)))


@dataclass(frozen=True, slots=True)
class RetryOutcome:
    """When each message got through (``-1`` if lost) and how many attempts were refused."""

    accepted: I64
    refused: I64
    resolved: I64
    """When the message stopped waiting: accepted, or dead-lettered at its last attempt."""

    @property
    def lost(self) -> npt.NDArray[np.bool_]:
        return self.accepted < 0


@dataclass(frozen=True, eq=False)
class OutageTable:
    """Outage windows of targets (hubs or agencies) indexed by an integer id."""

    target: I64
    begin: I64
    end: I64

    @classmethod
    def build(cls, windows: Sequence[tuple[int, int, int]]) -> OutageTable:
        """From ``(target, begin_us, end_us)`` triples."""
        rows = sorted(windows)
        return cls(np.array([r[0] for r in rows], np.int64),
                   np.array([r[1] for r in rows], np.int64),
                   np.array([r[2] for r in rows], np.int64))

    def __len__(self) -> int:
        return len(self.target)

    def targets(self) -> set[int]:
        return {int(t) for t in self.target}

    def down(self, who: I64, t: I64) -> npt.NDArray[np.bool_]:
        """Whether ``who`` is down at time ``t`` (element-wise)."""
        out = np.zeros(len(t), bool)
        for k in range(len(self.target)):
            out |= (who == self.target[k]) & (t >= self.begin[k]) & (t < self.end[k])
        return out

    def retry(self, who: I64, t: I64, policy: RetryPolicy) -> RetryOutcome:
        """Apply refusals and back-off to messages reaching ``who`` at ``t``.

        >>> table = OutageTable.build([(3, 100, 1_000)])
        >>> out = table.retry(np.array([3, 3, 4]), np.array([50, 150, 150]),
        ...                   RetryPolicy(400, 2.0, 10_000, 3))
        >>> out.accepted.tolist(), out.refused.tolist()
        ([50, 1350, 150], [0, 2, 0])
        >>> table.retry(np.array([3]), np.array([150]), RetryPolicy(10, 1.0, 10, 3)).lost.tolist()
        [True]
        """
        t = np.asarray(t, np.int64).copy()
        refused = np.zeros(len(t), np.int64)
        if len(self.target) == 0 or len(t) == 0:
            return RetryOutcome(t, refused, t)
        relevant = np.isin(who, self.target)
        if not relevant.any():
            return RetryOutcome(t, refused, t)
        idx = np.flatnonzero(relevant)
        w, tt = who[idx], t[idx]
        ref = np.zeros(len(idx), np.int64)
        alive = np.ones(len(idx), bool)
        for attempt in range(1, policy.max_attempts + 1):
            down = self.down(w, tt) & alive
            if not down.any():
                break
            ref[down] += 1
            if attempt == policy.max_attempts:
                alive[down] = False
                break
            tt[down] += policy.wait_us(attempt)
        resolved = t.copy()
        resolved[idx] = tt
        tt[~alive] = -1
        t[idx] = tt
        refused[idx] = ref
        return RetryOutcome(t, refused, resolved)

    def hold(self, who: I64, t: I64) -> I64:
        """Times moved past any outage of ``who`` (what a down agency sends waits for it)."""
        t = np.asarray(t, np.int64).copy()
        if len(self.target) == 0 or len(t) == 0:
            return t
        for _ in range(len(self.target)):  # chained windows need at most one pass each
            moved = False
            for k in range(len(self.target)):
                m = (who == self.target[k]) & (t >= self.begin[k]) & (t < self.end[k])
                if m.any():
                    t[m] = self.end[k]
                    moved = True
            if not moved:
                break
        return t

    def windows_us(self) -> list[tuple[int, int, int]]:
        return list(zip(self.target.tolist(), self.begin.tolist(), self.end.tolist(),
                        strict=True))


def hours_us(hours: float) -> int:
    """``hours`` in µs, rounded."""
    return round(hours * HOUR_US)
