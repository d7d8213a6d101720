"""The oracle: the engine's semantics, one SimPy process per message.

The windowed engine must agree with this small, obviously-correct model. Both get the same
documents (the engine's generator, recorded through ``Engine.on_traffic``), the same routes and
service times (``LaneTable``), the same outage windows and the same answers (``StatusPlan`` draws
from delivery serials). What the oracle does on its own, event by event, is everything the
engine does in bulk: the FIFO queues with several workers (``simpy.Resource``), the refusals,
back-off and dead letters at a hub or agency that is down, agencies holding what they send while
down, link delays, and status messages travelling back through their own lanes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from docflow.sim.crypto import ModelCrypto
from docflow.sim.engine import Engine
from docflow.sim.scenario import Scenario
from docflow.sim.setup import prepare
from docflow.traffic.generate import DayTraffic

_ACCEPTED = 3


@dataclass
class OracleResult:
    """What the oracle measured, per sender level (level codes of the topology arrays)."""

    delivered: dict[int, int] = field(default_factory=dict)
    lost: dict[int, int] = field(default_factory=dict)
    delivery_s: dict[int, list[float]] = field(default_factory=dict)
    acceptance_s: dict[int, list[float]] = field(default_factory=dict)
    status_delivered: dict[int, int] = field(default_factory=dict)
    status_lost: dict[int, int] = field(default_factory=dict)


def record_traffic(scenario: Scenario) -> tuple[Engine, list[DayTraffic]]:
    """Run the engine on ``scenario`` (model crypto), keeping every day's traffic."""
    topology = prepare(scenario)
    engine = Engine(scenario, topology, ModelCrypto())
    days: list[DayTraffic] = []
    engine.on_traffic = days.append
    return engine, days


def run_oracle(engine: Engine, days: list[DayTraffic]) -> OracleResult:
    """Replay ``days`` through the SimPy model built from ``engine``'s configuration."""
    a, lanes, policy = engine.arrays, engine.lanes, engine.policy
    status_plan = engine.status
    env = simpy.Environment()
    doc_lane = [simpy.Resource(env, capacity=int(w)) for w in lanes.doc_workers]
    status_lane = [simpy.Resource(env, capacity=int(w)) for w in lanes.status_workers]
    hub_windows = [(int(h), int(b), int(e)) for h, b, e in engine.hub_outages.windows_us()]
    agency_windows = [(int(g), int(b), int(e))
                      for g, b, e in engine.agency_outages.windows_us()]
    out = OracleResult()
    # plain Python numbers for the hot path (the same formulas as LaneTable, element by element)
    doc_base, per_kb = lanes.doc_base_us.tolist(), lanes.doc_per_kb_us.tolist()
    status_us, lane_hub = lanes.status_us.tolist(), lanes.hub.tolist()
    transfer_per_kb, agency_link = lanes.transfer_us_per_kb, lanes.agency_link_us
    hub_of, level_of = a.hub.tolist(), a.level.tolist()

    def transfer(size_kb: int) -> int:
        return round(size_kb * transfer_per_kb)

    def down(windows: list[tuple[int, int, int]], who: int, t: float) -> bool:
        return any(w == who and b <= t < e for w, b, e in windows)

    def held(who: int, t: int) -> int:
        moved = True
        while moved:
            moved = False
            for w, b, e in agency_windows:
                if w == who and b <= t < e:
                    t, moved = e, True
        return t

    def get_through(windows: list[tuple[int, int, int]], who: int):
        """Try until accepted; returns False (via StopIteration value) when dead-lettered."""
        refused = 0
        while down(windows, who, env.now):
            refused += 1
            if refused == policy.max_attempts:
                return False
            yield env.timeout(policy.wait_us(refused))
        return True

    def bump(d: dict[int, int], k: int) -> None:
        d[k] = d.get(k, 0) + 1

    def travel(src: int, dst: int, size_kb: int, status: bool):
        """Through the lanes to ``dst``; returns the arrival time, or None if lost."""
        ha, hb = hub_of[src], hub_of[dst]
        n_hops = int(lanes.length[ha, hb])
        sequence = lanes.sequence[ha, hb].tolist()
        links = lanes.hop_link_us[ha, hb].tolist()
        for hop in range(n_hops):
            lane = sequence[hop]
            ok = yield from get_through(hub_windows, lane_hub[lane])
            if not ok:
                return None
            service = status_us[lane] if status else doc_base[lane] + round(per_kb[lane] *
                                                                           size_kb)
            resource = (status_lane if status else doc_lane)[lane]
            with resource.request() as req:
                yield req
                yield env.timeout(service)
            if hop < n_hops - 1:
                yield env.timeout(links[hop] + transfer(size_kb))
        yield env.timeout(agency_link + transfer(size_kb))
        ok = yield from get_through(agency_windows, dst)
        return env.now if ok else None

    def status_message(src: int, dst: int, code: int, send_us: int, t0: int):
        leave = held(src, send_us)
        yield env.timeout(leave - env.now)
        yield env.timeout(agency_link + transfer(lanes.status_kb))
        arrived = yield from travel(src, dst, lanes.status_kb, status=True)
        if arrived is None:
            bump(out.status_lost, code)
            return
        bump(out.status_delivered, code)
        if code == _ACCEPTED:
            level = level_of[dst]
            out.acceptance_s.setdefault(level, []).append((arrived - t0) / 1e6)

    delivered: list[tuple[int, int, int, int, int, int]] = []

    def document(src: int, dst: int, t0: int, size_kb: int, prio: int, serial: int):
        leave = held(src, t0)
        yield env.timeout(leave - env.now)
        yield env.timeout(agency_link + transfer(size_kb))
        arrived = yield from travel(src, dst, size_kb, status=False)
        level = level_of[src]
        if arrived is None:
            bump(out.lost, level)
            return
        bump(out.delivered, level)
        out.delivery_s.setdefault(level, []).append((arrived - t0) / 1e6)
        delivered.append((arrived, src, dst, t0, prio, serial))

    def delayed(at: int, proc):
        yield env.timeout(at - env.now)
        yield from proc

    # Documents first: status messages have lanes of their own, so they never delay a
    # document, and the answers can be drawn for all deliveries at once (as the engine does).
    serial = 0
    for traffic in days:
        for j in range(traffic.n_deliveries):
            d = int(traffic.document[j])
            t0 = int(traffic.send_us[d])
            env.process(delayed(t0, document(int(traffic.sender[d]), int(traffic.receiver[j]),
                                             t0, int(traffic.size_kb[d]),
                                             int(traffic.priority[d]), serial + j)))
        serial += traffic.n_deliveries
    env.run()
    if delivered:
        arrived, src, dst, t0, prio, serials = (np.array(c, np.int64) for c in zip(*delivered,
                                                                                   strict=True))
        answers = status_plan.answers(arrived, prio, serials)
        env = simpy.Environment(initial_time=0)
        status_lane[:] = [simpy.Resource(env, capacity=int(w)) for w in lanes.status_workers]
        for k, code, send in zip(answers.delivery.tolist(), answers.code.tolist(),
                                 answers.send_us.tolist(), strict=True):
            env.process(delayed(send, status_message(int(dst[k]), int(src[k]), code, send,
                                                     int(t0[k]))))
        env.run()
    return out
