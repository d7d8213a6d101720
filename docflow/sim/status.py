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
from docflow.sim.counter_random import uniforms
from docflow.sim.scenario import StatusSpec
from docflow.traffic.calendar import HOUR_US, NEVER, SECOND_US, WorkCalendar

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
                serial: I64) -> Answers:
        """The answers to deliveries made at ``delivered_us`` of documents of ``priority``.

        ``serial`` numbers the deliveries; the draws come from it and :attr:`key` only
        (:mod:`docflow.sim.counter_random`), so a delivery's answers do not depend on when or
        with which others it is processed.
        """
        n = len(delivered_us)
        spec = self.spec
        speed = np.where(np.asarray(priority) >= 1, spec.urgent_speedup, 1.0)
        rejected = uniforms(self.key, serial, 0) < spec.reject_share
        t01 = delivered_us + round(spec.ack_s * SECOND_US)
        steps = [t01]
        t = t01
        for stream, mean_h in enumerate((spec.accept_hours, spec.assign_hours,
                                         spec.process_hours, spec.done_hours), start=1):
            # exponential by inversion of a counter-based uniform
            u = uniforms(self.key, serial, stream)
            delay = np.rint(-np.log1p(-u) * (mean_h * HOUR_US) / speed).astype(np.int64)
            t = self.calendar.add_working(t, delay)
            steps.append(t)
        # Row j of the table is the j-th answer of each delivery: 01, 02|03, 04, 05, 06.
        table = np.stack(steps)
        codes = np.empty((5, n), np.int8)
        codes[0] = 1
        codes[1] = np.where(rejected, 2, 3)
        codes[2:] = np.array([4, 5, 6], np.int8)[:, None]
        sent = np.ones((5, n), bool)
        sent[2:] = ~rejected
        never = table == NEVER
        unanswered = int((sent & never).sum())
        sent &= ~never
        # Delivery-major order: the answers of one delivery are adjacent and in order.
        sent_t = sent.T
        delivery = np.repeat(np.arange(n, dtype=np.int64), sent_t.sum(axis=1))
        return Answers(delivery=delivery, code=codes.T[sent_t], send_us=table.T[sent_t],
                       unanswered=unanswered)
