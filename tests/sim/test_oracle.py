"""The windowed engine agrees with the event-by-event SimPy oracle on small scenarios.

Rule: on the same documents, delivered and lost counts match exactly (per level, and per status
code), and mean and p95 latencies to delivery and to acceptance agree within 2%.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest

from docflow.sim.scenario import (
    CryptoSpec,
    FaultSpec,
    HubCapacity,
    HubSpec,
    Outage,
    Period,
    Scenario,
)
from docflow.traffic.spec import DEFAULT_LEVEL_TRAFFIC, TrafficSpec
from tests.sim.oracle import record_traffic, run_oracle

BASE = replace(Scenario(), topology="tiny", seed=11, crypto=CryptoSpec.parse("model"),
               period=Period(days=2, drain_days=80))


def busy_traffic(factor: float) -> TrafficSpec:
    """Default traffic scaled up, so that queues form on slow hubs."""
    return TrafficSpec(levels=tuple(replace(t, per_day=t.per_day * factor)
                                    for t in DEFAULT_LEVEL_TRAFFIC.values()))


SCENARIOS = {
    # one slow worker per lane: real queueing, no faults
    "queueing": replace(BASE, traffic=busy_traffic(1.5), hubs=HubSpec(
        default=HubCapacity(workers=1, service_ms=900.0, ms_per_mb=400.0, status_workers=1,
                            status_service_ms=200.0),
        axis=HubCapacity(workers=2, service_ms=700.0, status_workers=1,
                         status_service_ms=150.0))),
    # several workers, a two-hour hub outage and an agency outage (retries, held messages)
    "outages": replace(BASE, seed=12, hubs=HubSpec(
        default=HubCapacity(workers=3, service_ms=1500.0, status_workers=2,
                            status_service_ms=300.0)),
        faults=FaultSpec(hub_outages=(Outage("lgsp-h01", datetime(2025, 7, 7, 9), 2.0),),
                         agency_outages=(Outage("000.00.00.H25", datetime(2025, 7, 8, 8),
                                                3.0),))),
    # outages longer than the retry limit: dead letters at a hub and at an agency
    "dead-letters": replace(BASE, seed=13, faults=FaultSpec(
        hub_outages=(Outage("axis", datetime(2025, 7, 7, 13, 30), 3.0),),
        agency_outages=(Outage("000.00.00.H01", datetime(2025, 7, 8, 7), 6.0),),
        max_attempts=4, retry_backoff_s=120.0)),
}


def _percentile(values: list[float], q: float) -> float:
    return float(np.quantile(np.array(values), q, method="inverted_cdf"))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_engine_agrees_with_oracle(name: str) -> None:
    """Delivered/lost counts equal; mean and p95 latencies within 2% of the oracle's."""
    engine, days = record_traffic(SCENARIOS[name])
    result = engine.run()
    assert result.tally.in_flight_end == 0
    oracle = run_oracle(engine, days)
    t = result.tally
    levels = sorted(set(oracle.delivered) | set(oracle.lost))
    assert levels
    for level in levels:
        assert t.delivered[level] == oracle.delivered.get(level, 0), level
        assert t.lost[level] == oracle.lost.get(level, 0), level
        for hist, group, samples in (
                (t.hist, level, oracle.delivery_s.get(level, [])),
                (t.hist_accept, 8 + level, oracle.acceptance_s.get(level, []))):
            if not samples:
                assert hist.count(group) == 0
                continue
            assert hist.count(group) == len(samples)
            mean = float(np.mean(samples))
            assert hist.mean_s(group) == pytest.approx(mean, rel=0.02)
            assert hist.quantile_s(group, 0.95) == pytest.approx(
                _percentile(samples, 0.95), rel=0.02)
    for code in range(1, 7):
        assert t.status_delivered[code] == oracle.status_delivered.get(code, 0), code
        assert t.status_lost[code] == oracle.status_lost.get(code, 0), code


def test_scenarios_exercise_what_they_claim() -> None:
    """The oracle scenarios really queue, refuse and lose (else agreement would prove little)."""
    engine, _ = record_traffic(SCENARIOS["queueing"])
    t = engine.run().tally
    assert t.lane_wait[0].sum() > 0 and t.lane_peak[0].max() >= 3
    engine, _ = record_traffic(SCENARIOS["outages"])
    t = engine.run().tally
    assert t.lane_refused[0].sum() > 0 and t.lost.sum() == 0
    engine, _ = record_traffic(SCENARIOS["dead-letters"])
    t = engine.run().tally
    assert t.lane_dead[0].sum() > 0 and t.lost_at_agency > 0
