"""The windowed engine: a day at a time, whole stages through the hub lanes at once.

Each simulated day (a *window*) runs in a fixed order:

1. **Documents.** The day's documents are drawn (:mod:`docflow.traffic.generate`), their
   signing plan and crypto outcomes counted, and each delivery becomes a message at the first
   lane of its route. Messages of earlier days due today are taken from the pool.
2. **Lanes, rank by rank.** All messages at rank-0 lanes go through the outage/retry schedule
   (:mod:`docflow.sim.faults`), are sorted by (lane, time) and served in one compiled pass
   (:func:`docflow.sim.queues.serve_window`); their departures plus link latency are their
   arrivals at the next rank, and so on (:mod:`docflow.sim.lanes` explains why ranks make this
   exact). A message due after the window's end waits in the pool for its own day. Each lane's
   workers carry their free times, and its queue the messages still waiting, into the next
   window.
3. **Deliveries** (the last lane, then the agency link, then the receiving agency's outage
   schedule) are counted, and the receivers' answers drawn (:mod:`docflow.sim.status`).
4. **Status messages** due today go through their own lanes the same way, back to the
   senders; status 03 reaching the sender is the document's acceptance.

After the period, days without new documents run on until the pools are empty (or
:attr:`~docflow.sim.scenario.Period.drain_days` run out). Randomness comes from one
``numpy.random.Generator`` in a fixed order, so a seed gives the same run on every machine.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from docflow.errors import ConfigError, Location
from docflow.jit import njit
from docflow.progress import Progress
from docflow.sim.calibration import CalibrationProbes
from docflow.sim.crypto import CryptoMode, DocumentRecords
from docflow.sim.faults import OutageTable, RetryPolicy, hours_us
from docflow.sim.lane_pass import (
    FINAL,
    LATER,
    LOST,
    advance_rank,
    prepare_batch,
    select_rank,
    serve_rank,
    sort_rank,
)
from docflow.sim.lanes import LaneTable
from docflow.sim.messages import Messages, Pool, constant, day_order
from docflow.sim.prefetch import AHEAD, prefetch
from docflow.sim.scenario import Scenario
from docflow.sim.signing import SigningPlan
from docflow.sim.status import Answers, StatusPlan
from docflow.sim.tally import DOC, N_LEVELS, STATUS, Tally, add_hourly
from docflow.sim.workspace import Workspace
from docflow.topology import Topology
from docflow.topology.arrays import LEVEL_ORDER
from docflow.traffic.calendar import DAY_US, WorkCalendar
from docflow.traffic.generate import DayTraffic, TrafficGenerator

__all__ = ["Engine", "EngineResult", "days_phase"]

_NO_TRANSFER = np.zeros(0, np.int64)
_NO_SIZE = np.zeros(0, np.int32)
_NEEDED = (frozenset({"src", "dst", "t0", "prio", "serial"}), frozenset({"dst", "t0", "code"}))
"""Fields the deliveries of documents, and the arrivals of status messages, are read for."""

I64 = npt.NDArray[np.int64]
_MAX_WINDOW_MESSAGES = 1 << 31
_ACCEPTED = 3
_REJECTED = 2


def days_phase(days: int, drain_days: int) -> str:
    """The window loop's phase as the progress line names it: the horizon, drain included.

    >>> days_phase(7, 20), days_phase(365, 0)
    ('simulating 7 days + drain', 'simulating 365 days')
    """
    horizon = f"{days} day{'s' if days != 1 else ''}"
    return f"simulating {horizon} + drain" if drain_days else f"simulating {horizon}"


@dataclass(frozen=True, eq=False)
class EngineResult:
    """What a run counted, with what is needed to describe it."""

    scenario: Scenario
    topology: Topology
    calendar: WorkCalendar
    lanes: LaneTable
    tally: Tally
    calibration: list[dict[str, Any]]
    days_run: int
    hub_outages: list[tuple[int, int, int]]
    agency_outages: list[tuple[int, int, int]]


class Engine:
    """Runs one scenario on one topology; see the module docstring.

    Parameters
    ----------
    scenario, topology
        What to run (the topology already checked against the scenario).
    crypto
        The crypto mode that turns planned documents into signature outcomes.
    progress
        Called with (:func:`days_phase`, simulated days done, days planned) after every
        window, and with ``("signing", done, total)`` while a sample is signed at the end.
    plan
        The signing plan (:meth:`SigningPlan.for_scenario` by default; the crypto mode is
        built from the same one).
    """

    def __init__(self, scenario: Scenario, topology: Topology, crypto: CryptoMode,
                 progress: Progress | None = None,
                 plan: SigningPlan | None = None) -> None:
        self.scenario = scenario
        self.topology = topology
        self.crypto = crypto
        self.progress = progress
        self.arrays = a = topology.arrays()
        self.rng = np.random.default_rng(scenario.seed)
        period = scenario.period
        self.days = period.days + period.drain_days
        self.phase = days_phase(period.days, period.drain_days)
        """The name of the window loop's phase in :attr:`progress`."""
        self.horizon_us = self.days * DAY_US
        """The end of the last window: the run's figures are a snapshot at this time."""
        # the calendar runs a little past the last window, so late answers find office hours
        self.calendar = WorkCalendar.build(scenario.calendar, period.start, self.days + 31)
        self.lanes = LaneTable.build(a, scenario.hubs, scenario.links)
        self.generator = TrafficGenerator(scenario.traffic, a, self.calendar)
        self.policy = RetryPolicy.of(scenario.faults)
        hub_index = topology.hub_index
        self.hub_outages = OutageTable.build([
            (hub_index[o.target], self.calendar.time_of(o.start),
             self.calendar.time_of(o.start) + hours_us(o.hours))
            for o in scenario.faults.hub_outages])
        self.agency_outages = OutageTable.build([
            (topology.index[o.target], self.calendar.time_of(o.start),
             self.calendar.time_of(o.start) + hours_us(o.hours))
            for o in scenario.faults.agency_outages])
        self.plan = plan or SigningPlan.for_scenario(scenario, a)
        self.status = StatusPlan(scenario.status, self.calendar,
                                 key=int(self.rng.integers(0, 2**63 - 1)))
        self.tally = Tally(a.n_hubs, self.lanes.n_lanes, (self.days + 2) * 24)
        self.probes = CalibrationProbes(scenario, a)
        self.pools = (Pool(), Pool())
        self.work = (Workspace(), Workspace())
        """Scratch arrays of the document lanes and of the status lanes (one per thread)."""
        lanes = self.lanes
        self.free = [np.zeros(int(lanes.workers(c == STATUS).sum()), np.int64) for c in (0, 1)]
        self.free_offsets = [np.concatenate([[0], np.cumsum(lanes.workers(c == STATUS))])
                             .astype(np.int64) for c in (0, 1)]
        self._sequence = np.ascontiguousarray(lanes.sequence).ravel()
        self._width = int(lanes.sequence.shape[2])
        self._hop_link = np.ascontiguousarray(lanes.hop_link_us[:, :, 0]).ravel()
        self.waiting_lane = [np.zeros(0, np.int64), np.zeros(0, np.int64)]
        self.waiting_start = [np.zeros(0, np.int64), np.zeros(0, np.int64)]
        self.serial = 0
        self.delivery_serial = 0
        self.on_traffic: Callable[[DayTraffic], None] | None = None
        """Called with every day's traffic (the oracle of the tests replays it)."""
        self.sample_keys = np.zeros(0)
        self.sample: DocumentRecords | None = None

    # --- the window loop ----------------------------------------------------------------------
    def run(self) -> EngineResult:
        """Run every window and return the totals.

        Speed: the status messages of day *d* and the documents of day *d + 1* do not depend on
        each other (status lanes are their own, and answers of day *d + 1* fall on day *d + 1*
        or later), so they run at the same time, on two threads: the compiled passes and the
        numpy sorts release the interpreter lock. Each writes only its own counters, and the
        shared pool orders what it holds by window and class, so a run is the same, byte for
        byte, as one done in sequence.
        """
        period_days = self.scenario.period.days
        day = 0
        with ThreadPoolExecutor(1, thread_name_prefix="docflow-status") as status_thread:
            pending: Future[None] | None = None
            for day in range(self.days):
                self._document_window(day, day < period_days)
                if pending is not None:
                    pending.result()
                pending = status_thread.submit(self._status_window, day)
                if day + 1 >= period_days:
                    pending.result()
                    pending = None
                if self.progress:
                    self.progress(self.phase, day + 1, self.days)
                if day + 1 >= period_days and not len(self.pools[DOC]) and \
                        not len(self.pools[STATUS]):
                    if self.progress:  # drained early: the phase is done, at fewer days
                        self.progress(self.phase, day + 1, day + 1)
                    break
            if pending is not None:
                pending.result()
        late = self.tally.after_horizon
        self.tally.in_flight_by_class = (len(self.pools[DOC]) + late[DOC],
                                         len(self.pools[STATUS]) + late[STATUS])
        self.tally.in_flight_end = sum(self.tally.in_flight_by_class)
        if self.crypto.samples is not None and self.sample is not None:
            self._count_coverage(self.sample, self.progress)
        return EngineResult(self.scenario, self.topology, self.calendar, self.lanes, self.tally,
                            self.probes.rows(), day + 1, self.hub_outages.windows_us(),
                            self.agency_outages.windows_us())

    def _document_window(self, day: int, issue: bool) -> None:
        """Window ``day`` of the document lanes (on the calling thread)."""
        fresh = self._documents(day) if issue else Messages.empty()
        docs = Messages.concat([*self.pools[DOC].take_parts(day), fresh], self.work[DOC])
        answers = self._delivered(self._serve(DOC, docs, day))
        if answers is not None:
            self.pools[STATUS].put_sorted(*answers, (day, DOC))

    def _status_window(self, day: int) -> None:
        """Window ``day`` of the status lanes (on the status thread)."""
        batch = Messages.concat(self.pools[STATUS].take_parts(day), self.work[STATUS])
        arrived = self._serve(STATUS, batch, day)
        self._answered(arrived)

    # --- documents ----------------------------------------------------------------------------
    def _documents(self, day: int) -> Messages:
        a, t, rng = self.arrays, self.tally, self.rng
        traffic = self.generator.day(day, rng)
        if self.on_traffic is not None:
            self.on_traffic(traffic)
        n = traffic.n_documents
        plan = self.plan.draw(traffic.sender, rng)
        keys = rng.random(n)  # drawn in every mode, so all modes move the same documents
        records = DocumentRecords(
            serial=np.arange(self.serial, self.serial + n, dtype=np.int64),
            send_us=traffic.send_us, doc_type=traffic.doc_type, priority=traffic.priority,
            size_kb=traffic.size_kb, plan=plan, first=traffic.first, receiver=traffic.receiver)
        self.serial += n
        if self.crypto.samples is None:
            self._count_coverage(records)
        else:
            self._keep_sample(records, keys)
        self.probes.observe(traffic, plan)
        level = a.level[traffic.sender]
        t.sent += np.bincount(level, minlength=N_LEVELS)
        t.sent_hub += np.bincount(a.hub[traffic.sender], minlength=a.n_hubs)
        add_hourly(t.sent_hourly, level, traffic.send_us)
        t.doc_types += np.bincount(traffic.doc_type, minlength=len(t.doc_types))
        t.priorities += np.bincount(traffic.priority, minlength=5)
        t.directions += np.bincount(traffic.direction, minlength=len(t.directions))
        return self._document_messages(traffic)

    def _document_messages(self, traffic: DayTraffic) -> Messages:
        a, t = self.arrays, self.tally
        doc = traffic.document
        src = traffic.sender[doc]
        t.deliveries += np.bincount(a.level[src], minlength=N_LEVELS)
        t.deliveries_hub += np.bincount(a.hub[src], minlength=a.n_hubs)
        t0 = traffic.send_us[doc]
        size = traffic.size_kb[doc]
        leave = self.agency_outages.hold(src.astype(np.int64), t0)
        arrive = leave + self.lanes.agency_link_us + self.lanes.transfer_us(size)
        n = len(doc)
        if n >= _MAX_WINDOW_MESSAGES:
            raise ConfigError("DF-SCN-009", f"{n} deliveries in one day",
                              Location(file=self.scenario.source, key="traffic"))
        serial = np.arange(self.delivery_serial, self.delivery_serial + n, dtype=np.int64)
        self.delivery_serial += n
        return Messages(t=arrive, t0=t0, src=src, dst=traffic.receiver, size_kb=size,
                        hop=np.zeros(n, np.int8), code=np.zeros(n, np.int8),
                        prio=traffic.priority[doc], serial=serial)

    def _count_coverage(self, records: DocumentRecords,
                        progress: Progress | None = None) -> None:
        if len(records) == 0:
            return
        out = self.crypto.outcomes(records, progress)
        a = self.arrays
        sender = records.plan.sender
        kw = dict(organ_present=out.organ_present, organ_valid=out.organ_valid,
                  signer_present=out.signer_present, signer_valid=out.signer_valid,
                  reasons=out.reason)
        self.tally.coverage_level.add_arrays(a.level[sender], labels=[lv.value for lv in
                                                                     LEVEL_ORDER], **kw)
        self.tally.coverage_hub.add_arrays(a.hub[sender], labels=list(a.hub_ids), **kw)

    def _keep_sample(self, records: DocumentRecords, keys: npt.NDArray[np.float64]) -> None:
        """Keep the documents with the smallest keys: a uniform sample of the whole run."""
        size = self.crypto.samples or 0
        merged_keys = np.concatenate([self.sample_keys, keys])
        merged = DocumentRecords.concat([r for r in (self.sample, records) if r is not None])
        if len(merged_keys) > size:
            keep = np.sort(np.argpartition(merged_keys, size - 1)[:size]) if size else \
                np.zeros(0, np.int64)
            merged = merged.take(keep)
            merged_keys = merged_keys[keep]
        self.sample, self.sample_keys = merged, merged_keys

    # --- lanes ----------------------------------------------------------------------------------
    def _serve(self, cls: int, msgs: Messages, day: int) -> Messages:
        """Move messages through the lanes, rank by rank; return those that reached an agency
        (with ``t`` the time they did).

        Speed: the batch is never copied per rank; :mod:`docflow.sim.lane_pass` works on
        compact per-rank arrays in compiled passes, and the full records are gathered once at
        the end, for the deliveries and for the messages that wait for a later window.
        """
        a, lanes, t = self.arrays, self.lanes, self.tally
        n = len(msgs)
        if n == 0:
            return msgs
        w0, w1 = day * DAY_US, (day + 1) * DAY_US
        ranks, n_hubs = lanes.ranks, lanes.n_hubs
        # Speed: the batch's working arrays come from this thread's workspace (see
        # docflow.sim.workspace): no new pages for them from one window to the next.
        work = self.work[cls]
        hub_a = work.array("hub_a", n, np.int64)
        hub_b = work.array("hub_b", n, np.int64)
        last_hop = work.array("last_hop", n, np.int8)
        state = work.array("state", n, np.int8)
        prepare_batch(msgs.src, msgs.dst, msgs.t, a.hub, lanes.length, w1, hub_a, hub_b,
                      last_hop, state)
        time = work.array("time", n, np.int64)
        time[:] = msgs.t
        hop = work.array("hop", n, np.int8)
        hop[:] = msgs.hop
        pos_all = work.array("pos", n, np.int64)
        lane_all = work.array("lane", n, np.int64)
        pair_all = work.array("pair", (n, 2), np.int64)
        status = cls == STATUS
        status_transfer = int(lanes.transfer_us(lanes.status_kb))
        transfer = _NO_TRANSFER if status else lanes.transfer_us(msgs.size_kb)
        size_kb = _NO_SIZE if status else msgs.size_kb  # status lanes read no size
        n_lanes = lanes.n_lanes
        for rank in range(ranks):
            m = select_rank(
                state, hop, last_hop, hub_a, hub_b, time, size_kb, rank, ranks,
                self._sequence, n_hubs, self._width, lanes.doc_base_us, lanes.doc_per_kb_us,
                lanes.status_us, status, pos_all, lane_all, pair_all)
            if m == 0:
                continue
            pos, lane, pair = pos_all[:m], lane_all[:m], pair_all[:m]
            if len(self.hub_outages):
                arrival = pair[:, 0]
                out = self.hub_outages.retry(lanes.hub[lane], arrival, self.policy)
                t.lane_refused[cls] += np.bincount(lane, weights=out.refused,
                                                   minlength=n_lanes).astype(np.int64)
                retried = out.refused > 0
                if retried.any():
                    hubs = lanes.hub[lane[retried]]
                    add_hourly(t.hub_hourly[cls, 3], hubs, arrival[retried])
                    add_hourly(t.hub_hourly[cls, 4], hubs, out.resolved[retried])
                lost = out.lost
                if lost.any():
                    t.lane_dead[cls] += np.bincount(lane[lost], minlength=n_lanes)
                    state[pos[lost]] = LOST
                later = ~lost & (out.accepted >= w1)
                if later.any():
                    time[pos[later]] = out.accepted[later]
                    state[pos[later]] = LATER
                keep = ~lost & ~later
                pair[:, 0] = out.accepted
                pos, lane, pair = pos[keep], lane[keep], pair[keep]
                if len(pos) == 0:
                    continue
            order, sorted_lane = sort_rank(lane, pair[:, 0], w0, work)
            w_lane, w_start = self.waiting_lane[cls], self.waiting_start[cls]
            w_off = np.searchsorted(w_lane, np.arange(n_lanes + 1)).astype(np.int64)
            depart, still_lane, still_start = serve_rank(
                order, sorted_lane, pair, lanes.hub, self.free[cls],
                self.free_offsets[cls], w_start, w_off, t.lane_peak[cls], t.lane_stats[cls],
                t.hub_hourly[cls], w1, work)
            self._carry_waiting(cls, lane, still_lane, still_start, w1)
            latest = advance_rank(pos, depart, state, hop, last_hop, time, hub_a, hub_b,
                                  transfer, status_transfer, self._hop_link, n_hubs,
                                  lanes.agency_link_us, w1)
            t.last_event[cls] = max(t.last_event[cls], latest)
        lost_mask = state == LOST
        if lost_mask.any():
            self._lost(cls, msgs.take(lost_mask))
        later_idx = np.flatnonzero(state == LATER)
        if len(later_idx):
            deferred = msgs.take(later_idx)
            deferred.t = time[later_idx]
            deferred.hop = hop[later_idx]
            self.pools[cls].put(deferred, (day, cls))
        final = np.flatnonzero(state == FINAL)
        done = msgs.take(final, _NEEDED[cls])
        done.t = time[final]
        return self._by_horizon(cls, self._reach_agency(cls, done))

    def _by_horizon(self, cls: int, done: Messages) -> Messages:
        """The messages that reach their agency by the horizon; the others are counted as in
        flight at the end, since the run stops there (a queue served in the last window may
        finish days later, and those deliveries are not the run's)."""
        late = done.t > self.horizon_us
        if not late.any():
            return done
        self.tally.after_horizon[cls] += int(late.sum())
        keep = done.take(~late, _NEEDED[cls])
        keep.t = done.t[~late]
        return keep

    def _carry_waiting(self, cls: int, served_lanes: I64, still_lane: I64, still_start: I64,
                       w1: int) -> None:
        """Keep the start times of messages still waiting at the window's end, per lane."""
        w_lane, w_start = self.waiting_lane[cls], self.waiting_start[cls]
        if not len(w_lane) and not len(still_lane):
            return
        served = np.zeros(self.lanes.n_lanes, bool)
        served[served_lanes] = True
        keep = ~served[w_lane] | (w_start > w1)
        new_lane = np.concatenate([w_lane[keep], still_lane])
        new_start = np.concatenate([w_start[keep], still_start])
        o = np.lexsort((new_start, new_lane))
        self.waiting_lane[cls], self.waiting_start[cls] = new_lane[o], new_start[o]

    def _reach_agency(self, cls: int, done: Messages) -> Messages:
        """The receiving agency's outages: the hub retries, then gives up."""
        if not len(self.agency_outages) or not len(done):
            return done
        out = self.agency_outages.retry(done.dst.astype(np.int64), done.t, self.policy)
        lost = out.lost
        if lost.any():
            if cls == DOC:
                self.tally.lost_at_agency += int(lost.sum())
            else:
                self.tally.status_lost_at_agency += int(lost.sum())
            self._lost(cls, done.take(lost))
            done = done.take(~lost)
            done.t = out.accepted[~lost]
        else:
            done.t = out.accepted
        return done

    def _lost(self, cls: int, msgs: Messages) -> None:
        a, t = self.arrays, self.tally
        if cls == DOC:
            t.lost += np.bincount(a.level[msgs.src], minlength=N_LEVELS)
            t.lost_hub += np.bincount(a.hub[msgs.src], minlength=a.n_hubs)
        else:
            t.status_lost += np.bincount(msgs.code, minlength=7)

    # --- deliveries and answers -------------------------------------------------------------
    def _delivered(self, done: Messages) -> tuple[Messages, I64, I64] | None:
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
        answers = self.status.answers(done.t, done.prio, done.serial, self.work[DOC])
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
        work = self.work[DOC]
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

    def _answered(self, arrived: Messages) -> None:
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
