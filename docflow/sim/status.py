"""The receiver's answers to each delivered document: status messages and when they are sent.

On delivery the receiver's software sends ``01`` (arrived) after :attr:`StatusSpec.ack_s`
clock seconds. A clerk then accepts (``03``) or rejects (``02``) it, a leader assigns it
(``04``), a handler starts (``05``) and finishes (``06``) — each step an exponential delay in
*working* hours after the one before, shorter for urgent documents. A rejected document gets no
further answers. Each answer is a message from the receiver back to the sender through the hubs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from docflow.envelope.status import StatusCode
from docflow.jit import njit
from docflow.sim.counter_random import key_base, uniform
from docflow.sim.scenario import StatusSpec
from docflow.sim.workspace import Workspace
from docflow.traffic.calendar import (
    HOUR_US,
    NEVER,
    SECOND_US,
    WorkCalendar,
    clock_at_one,
    work_before_one,
)

__all__ = ["ANSWER_CODES", "Answers", "StatusPlan"]

ANSWER_CODES: tuple[StatusCode, ...] = (StatusCode.ARRIVED, StatusCode.REJECTED,
                                        StatusCode.ACCEPTED, StatusCode.ASSIGNED,
                                        StatusCode.PROCESSING, StatusCode.DONE)
"""The codes the simulator sends; a message carries ``int(code.value)`` (1–6)."""

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Answers:
    """Status messages for a batch of deliveries: which delivery, which code, when sent."""

    delivery: I64
    code: npt.NDArray[np.int8]
    send_us: I64
    unanswered: int
    """Answers that would be sent after the end of the calendar (not simulated)."""


@dataclass(frozen=True, eq=False)
class StatusPlan:
    """Draws answers under a :class:`StatusSpec` and a working calendar.

    Examples
    --------
    >>> from datetime import date
    >>> from docflow.traffic.calendar import WorkCalendar, WorkingHours
    >>> cal = WorkCalendar.build(WorkingHours(), date(2025, 7, 7), 30)
    >>> plan = StatusPlan(StatusSpec(reject_share=0.0), cal)
    >>> a = plan.answers(np.array([9 * HOUR_US]), np.array([0]), np.array([0]))
    >>> a.code.tolist()
    [1, 3, 4, 5, 6]
    >>> bool(np.all(np.diff(a.send_us) > 0))
    True
    """

    spec: StatusSpec
    calendar: WorkCalendar
    key: int = 0
    """Key of the counter-based draws (the run derives it from its seed)."""

    def answers(self, delivered_us: I64, priority: npt.NDArray[np.integer],
                serial: I64, work: Workspace | None = None) -> Answers:
        """The answers to deliveries made at ``delivered_us`` of documents of ``priority``.

        ``serial`` numbers the deliveries; the draws come from it and :attr:`key` only
        (:mod:`docflow.sim.counter_random`), so a delivery's answers do not depend on when or
        with which others it is processed. With ``work``, the answers' arrays are views of it,
        valid until it next draws answers.
        """
        spec = self.spec
        means = np.array([spec.accept_hours, spec.assign_hours, spec.process_hours,
                          spec.done_hours]) * HOUR_US
        n = len(delivered_us)
        work = work or Workspace()
        delivery = work.array("answer_delivery", 5 * n, np.int64)
        code = work.array("answer_code", 5 * n, np.int8)
        send = work.array("answer_send", 5 * n, np.int64)
        args = (np.asarray(delivered_us, np.int64), np.asarray(priority, np.int64),
                np.asarray(serial, np.int64), key_base(self.key), round(spec.ack_s * SECOND_US),
                spec.reject_share, means, spec.urgent_speedup, *self.calendar.kernel_args(),
                delivery, code, send, work.array("answer_delay", (n, 4), np.int64))
        m, unanswered = _answers(*args)
        return Answers(delivery=delivery[:m], code=code[:m], send_us=send[:m],
                       unanswered=unanswered)


@njit(cache=True, nogil=True)
def _answers(delivered: I64, priority: I64, serial: I64, base: np.uint64, ack_us: int,
             reject_share: float, means_us: npt.NDArray[np.float64], speedup: float,
             days: int, day_work: int, hours: I64, cum_start: I64,
             is_working: npt.NDArray[np.bool_], working_before_day: I64, working_day: I64,
             total_work: int, delivery: I64, code: npt.NDArray[np.int8], send: I64,
             delay: I64) -> tuple[int, int]:  # pragma: no cover - compiled
    """All answers in one compiled pass, delivery-major (a delivery's answers adjacent),
    written to the first entries of ``delivery``, ``code`` and ``send`` (room for five per
    delivery); returns how many, and how many fell past the calendar.

    Speed: the working-time delays of every step are drawn first, into ``delay`` (``(n, 4)``
    scratch), in a loop whose logarithms do not wait on one another; a working time then
    becomes a clock time without an integer division
    (:func:`~docflow.traffic.calendar.floor_div`) and without a branch on the time of day
    (:func:`~docflow.traffic.calendar.clock_at_one`).
    """
    n = len(delivered)
    for i in range(n):
        s = serial[i]
        speed = speedup if priority[i] >= 1 else 1.0
        for j in range(1, 5):
            u = uniform(base, s, j)
            # exponential by inversion of a counter-based uniform
            delay[i, j - 1] = int(np.rint(-np.log1p(-u) * means_us[j - 1] / speed))
    m = 0
    unanswered = 0
    for i in range(n):
        s = serial[i]
        rejected = uniform(base, s, 0) < reject_share
        t = delivered[i] + ack_us
        # Speed: the working time is carried from step to step (work_before of a time that
        # clock_at made gives back the same working time): one conversion per answer.
        w = work_before_one(t, days, day_work, hours, is_working, working_before_day,
                            total_work)
        answers = 2 if rejected else 5
        for j in range(answers):
            if j > 0:
                w += delay[i, j - 1]
                out = clock_at_one(w, day_work, hours, cum_start, working_day, total_work)
                t = NEVER if out == NEVER else max(out, t)
            if t == NEVER:
                unanswered += answers - j
                break
            delivery[m] = i
            code[m] = 1 if j == 0 else (2 if rejected else j + 2)
            send[m] = t
            m += 1
    return m, unanswered
