"""Deliveries and answers: what the engine counts when a document reaches its receiver, the
receivers' answers it sends back as status messages, and what it counts when those arrive.

:class:`Deliveries` is the end of both kinds of lane: the engine hands it the documents that
reached an agency in a window (the answers come back in the order the status pool keeps them)
and the status messages that reached theirs. It writes only the run's :class:`Tally`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from docflow.jit import njit
from docflow.sim.faults import OutageTable
from docflow.sim.lanes import LaneTable
from docflow.sim.messages import Messages, constant, day_order
from docflow.sim.prefetch import AHEAD, prefetch
from docflow.sim.status import Answers, StatusPlan
from docflow.sim.tally import DOC, N_LEVELS, STATUS, Tally, add_hourly
from docflow.sim.workspace import Workspace
from docflow.topology.arrays import TopologyArrays

__all__ = ["Deliveries"]

I64 = npt.NDArray[np.int64]
_ACCEPTED = 3
_REJECTED = 2


class Deliveries:
    """Counts deliveries and status arrivals into ``tally``, and draws the answers.

    Parameters
    ----------
    arrays
        The topology's arrays (each agency's level and hub).
    tally
        The run's counters; deliveries are counted from the document thread, arrivals of
        status messages from the status thread, each into its own counters.
    status
        The receivers' answer plan.
    lanes, agency_outages
        The agency link and the agencies' outages an answer waits for before it leaves.
    work
        The document thread's workspace, where the answers' fields are gathered.
    """

    def __init__(self, arrays: TopologyArrays, tally: Tally, status: StatusPlan,
                 lanes: LaneTable, agency_outages: OutageTable, work: Workspace) -> None:
        self.arrays = arrays
        self.tally = tally
        self.status = status
        self.lanes = lanes
        self.agency_outages = agency_outages
        self.work = work

    def delivered(self, done: Messages) -> tuple[Messages, I64, I64] | None:
        """Count deliveries; return the receivers' answers as status messages (in day order,
        see :meth:`_answer_messages`)."""
        if not len(done):
            return None
        a, t = self.arrays, self.tally
        src_level = a.level[done.src].astype(np.int64)
        dst_level = a.level[done.dst].astype(np.int64)
        src_hub = a.hub[done.src].astype(np.int64)
        latency = done.t - done.t0
        t.delivered += np.bincount(src_level, minlength=N_LEVELS)
        t.delivered_hub += np.bincount(src_hub, minlength=a.n_hubs)
        t.received += np.bincount(dst_level, minlength=N_LEVELS)
        add_hourly(t.delivered_hourly, src_level, done.t)
        t.hist.add(src_level, latency, N_LEVELS + dst_level, 3 * N_LEVELS + src_hub)
        t.last_event[DOC] = max(t.last_event[DOC], int(done.t.max()))
        answers = self.status.answers(done.t, done.prio, done.serial, self.work)
        t.unanswered += answers.unanswered
        _count_codes(answers.code, t.status_sent)
        return self._answer_messages(done, answers)

    def _answer_messages(self, done: Messages, answers: Answers) -> tuple[Messages, I64, I64]:
        """The answers as status messages in the order the pool keeps them (by the day they
        reach the first hub, then as drawn), with the days and where each begins; views of
        the document thread's workspace, which :meth:`Pool.put_sorted` copies.

        Speed: each field is gathered once, straight into that order; the size, hop,
        priority and serial of a status message are constants (the status lanes read none but
        the hop), so they cost no memory per message.
        """
        k = answers.delivery
        n = len(k)
        lanes = self.lanes
        if len(self.agency_outages):
            leave = self.agency_outages.hold(done.dst[k].astype(np.int64), answers.send_us)
        else:
            leave = answers.send_us
        arrive = leave + (lanes.agency_link_us + int(lanes.transfer_us(lanes.status_kb)))
        work = self.work
        order, days, bounds = day_order(arrive, work)
        fields = (work.array("answer_t", n, np.int64), work.array("answer_t0", n, np.int64),
                  work.array("answer_src", n, np.int32), work.array("answer_dst", n, np.int32),
                  work.array("answer_code_sorted", n, np.int8))
        _gather_answers(order, k, arrive, answers.code, done.t0, done.dst, done.src, *fields)
        t, t0, src, dst, code = fields
        msgs = Messages(t=t, t0=t0, src=src, dst=dst,
                        size_kb=constant(lanes.status_kb, n, np.int32),
                        hop=constant(0, n, np.int8), code=code,
                        prio=constant(0, n, np.int8), serial=constant(0, n, np.int64))
        return msgs, days, bounds

    def answered(self, arrived: Messages) -> None:
        """Count the status messages that reached their agency: each code, and each document's
        acceptance (03) or rejection (02), with its latency."""
        if not len(arrived):
            return
        a, t = self.arrays, self.tally
        acc, rej, latest = _split_arrivals(arrived.code, arrived.t, t.status_delivered)
        t.last_event[STATUS] = max(t.last_event[STATUS], latest)
        if len(acc):
            dst = arrived.dst[acc]
            level = a.level[dst].astype(np.int64)
            hub = a.hub[dst].astype(np.int64)
            latency = arrived.t[acc] - arrived.t0[acc]
            t.accepted += np.bincount(level, minlength=N_LEVELS)
            L = N_LEVELS
            t.hist_accept.add(2 * L + level, latency, 3 * L + a.n_hubs + hub)
        if len(rej):
            t.rejected += np.bincount(a.level[arrived.dst[rej]], minlength=N_LEVELS)


@njit(cache=True, nogil=True)
def _gather_answers(order: I64, delivery: I64, arrive: I64, code: npt.NDArray[np.int8],
                    done_t0: I64, done_dst: npt.NDArray[np.int32],
                    done_src: npt.NDArray[np.int32], t: I64, t0: I64,
                    src: npt.NDArray[np.int32], dst: npt.NDArray[np.int32],
                    code_out: npt.NDArray[np.int8]) -> None:  # pragma: no cover - compiled
    """The fields of the answers' status messages in ``order``, in one pass: an answer travels
    from the document's receiver back to its sender, and counts latency from the document's
    issue.

    Speed: ``order`` interleaves a few dozen ascending runs (one per day), too many streams
    for the hardware prefetcher; the loop asks for its lines ahead itself.
    """
    n = len(order)
    for i in range(n):
        if i + 2 * AHEAD < n:
            ahead = order[i + 2 * AHEAD]
            prefetch(arrive, ahead)
            prefetch(code, ahead)
            prefetch(delivery, ahead)
            d_ahead = delivery[order[i + AHEAD]]
            prefetch(done_t0, d_ahead)
            prefetch(done_dst, d_ahead)
            prefetch(done_src, d_ahead)
        a = order[i]
        d = delivery[a]
        t[i] = arrive[a]
        code_out[i] = code[a]
        t0[i] = done_t0[d]
        src[i] = done_dst[d]
        dst[i] = done_src[d]


@njit(cache=True, nogil=True)
def _count_codes(code: npt.NDArray[np.int8], counts: I64) -> None:  # pragma: no cover
    """Add the number of messages of each status code to ``counts`` (a bincount that does not
    first widen every code to 64 bits)."""
    for i in range(len(code)):
        counts[code[i]] += 1


@njit(cache=True, nogil=True)
def _split_arrivals(code: npt.NDArray[np.int8], t: I64,
                   counts: I64) -> tuple[I64, I64, int]:  # pragma: no cover - compiled
    """One pass over the status messages that reached their agency: counts per code (added
    to ``counts``), the positions of the acceptances (03) and of the rejections (02), and the
    latest arrival."""
    n = len(code)
    n_acc = 0
    n_rej = 0
    latest = 0
    for i in range(n):
        c = code[i]
        counts[c] += 1
        n_acc += c == _ACCEPTED
        n_rej += c == _REJECTED
        latest = max(latest, t[i])
    acc = np.empty(n_acc, np.int64)
    rej = np.empty(n_rej, np.int64)
    j = 0
    k = 0
    for i in range(n):
        c = code[i]
        if c == _ACCEPTED:
            acc[j] = i
            j += 1
        elif c == _REJECTED:
            rej[k] = i
            k += 1
    return acc, rej, latest
