"""Each scenario knob and fault moves the results the way it should; runs are reproducible."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from docflow.levels import Level
from docflow.runs import simulate
from docflow.sim.scenario import (
    Adoption,
    CryptoSpec,
    FaultSpec,
    HubCapacity,
    HubSpec,
    Outage,
    Period,
    Scenario,
    SigningSpec,
    StatusSpec,
)
from docflow.traffic.spec import DEFAULT_LEVEL_TRAFFIC, TrafficSpec

BUSY = TrafficSpec(levels=tuple(replace(t, per_day=t.per_day * 3)
                                for t in DEFAULT_LEVEL_TRAFFIC.values()))
BASE = replace(Scenario(), name="knobs", topology="tiny", seed=3, traffic=BUSY,
               crypto=CryptoSpec.parse("model"), period=Period(days=2, drain_days=45))
MORNING = datetime(2025, 7, 7, 8, 0)


def run(scenario: Scenario) -> dict[str, Any]:
    return dict(json.loads(simulate(scenario).to_json()))


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    return run(BASE)


def test_same_seed_same_bytes_other_seed_other_run() -> None:
    """The same scenario and seed give byte-identical summary.json; another seed does not."""
    a, b = simulate(BASE).to_json(), simulate(BASE).to_json()
    assert a == b
    assert simulate(replace(BASE, seed=4)).to_json() != a


def test_everything_sent_is_accounted_for(base: dict[str, Any]) -> None:
    """Deliveries are delivered or lost; status messages sent are delivered or lost."""
    tot = base["totals"]
    assert base["run"]["in_flight_at_end"] == 0
    assert tot["delivered"] + tot["lost"] == tot["deliveries"] > 0
    status = tot["status_messages"]
    assert status["delivered"] + status["lost"] == status["sent"] > 4 * tot["delivered"]
    for level in base["levels"].values():
        assert level["delivered"] + level["lost"] == level["deliveries"]


def test_hub_outage_delays_its_traffic() -> None:
    """A two-hour outage of a province hub refuses messages there, raises latency for that
    province's senders and the hub's backlog (the retries come back together), and loses
    nothing (the retries outlast it)."""
    slow = replace(BASE, hubs=HubSpec(default=HubCapacity(workers=1, service_ms=1500.0)))
    base = run(slow)
    out = run(replace(slow, faults=FaultSpec(hub_outages=(Outage("lgsp-h01", MORNING, 2.0),))))
    hub, before = out["hubs"]["lgsp-h01"], base["hubs"]["lgsp-h01"]
    assert hub["documents"]["refused_attempts"] > 0 == before["documents"]["refused_attempts"]
    assert hub["latency_s"]["delivery"]["p95"] > 10 * before["latency_s"]["delivery"]["p95"]
    assert hub["latency_s"]["delivery"]["mean"] > before["latency_s"]["delivery"]["mean"]
    assert hub["documents"]["peak_waiting_hourly"] > before["documents"]["peak_waiting_hourly"]
    assert max(out["series"]["backlog"]["lgsp-h01"]) > max(base["series"]["backlog"]["lgsp-h01"])
    assert out["totals"]["lost"] == 0
    other = out["hubs"]["lgsp-h25"]["documents"]
    assert other["refused_attempts"] == 0
    assert out["outages"][0]["target"] == "lgsp-h01"


def test_outage_past_the_retry_limit_loses_messages() -> None:
    """When the hub stays down past the last retry, messages go to the dead-letter queue."""
    out = run(replace(BASE, faults=FaultSpec(
        hub_outages=(Outage("axis", MORNING, 9.0),), max_attempts=3)))
    assert out["hubs"]["axis"]["documents"]["dead_letters"] > 0
    assert out["totals"]["lost"] == out["totals"]["lost_at_hubs"] > 0
    assert out["totals"]["delivered"] + out["totals"]["lost"] == out["totals"]["deliveries"]


def test_agency_outage_holds_and_refuses(base: dict[str, Any]) -> None:
    """A receiving agency down all day past the retries loses deliveries to it."""
    out = run(replace(BASE, faults=FaultSpec(
        agency_outages=(Outage("000.00.00.H01", MORNING, 30.0),), max_attempts=4)))
    assert out["totals"]["lost_at_agencies"] > 0 == base["totals"]["lost_at_agencies"]


def test_more_capacity_lowers_latency() -> None:
    """Slow single-worker hubs queue; more workers bring latency and backlog down."""
    slow = HubSpec(default=HubCapacity(workers=1, service_ms=3000.0))
    fast = HubSpec(default=HubCapacity(workers=8, service_ms=3000.0))
    a, b = run(replace(BASE, hubs=slow)), run(replace(BASE, hubs=fast))
    for level in ("province", "commune"):
        assert b["levels"][level]["latency_s"]["delivery"]["mean"] < \
            a["levels"][level]["latency_s"]["delivery"]["mean"]
    assert b["hubs"]["lgsp-h01"]["peak_backlog"] < a["hubs"]["lgsp-h01"]["peak_backlog"]


def test_tampering_lowers_valid_coverage_with_its_reason(base: dict[str, Any]) -> None:
    """Documents altered in transit keep their signatures (present) but not valid ones."""
    out = run(replace(BASE, faults=FaultSpec(tamper_rate=0.3)))
    a, b = base["levels"]["province"]["coverage"], out["levels"]["province"]["coverage"]
    assert b["rates"]["organ_present"]["rate"] == pytest.approx(
        a["rates"]["organ_present"]["rate"], abs=0.06)
    assert b["rates"]["organ_valid"]["rate"] < a["rates"]["organ_valid"]["rate"] - 0.15
    assert b["reasons"].get("DF-SIG-011", 0) > 0 and not a["reasons"]


def test_bad_certificates_give_their_reasons() -> None:
    """Expired and revoked certificates make signatures invalid, each with its code."""
    out = run(replace(BASE, faults=FaultSpec(expired_cert_share=0.3, revoked_cert_share=0.3)))
    reasons: dict[str, int] = {}
    for level in out["levels"].values():
        for code, n in level["coverage"]["reasons"].items():
            reasons[code] = reasons.get(code, 0) + n
    assert reasons.get("DF-PKI-003", 0) > 0 and reasons.get("DF-PKI-005", 0) > 0


def test_lower_adoption_and_never_signing_lower_coverage(base: dict[str, Any]) -> None:
    """Lower adoption at a level, or an agency that never signs, lowers coverage there."""
    low = SigningSpec(levels=(Adoption(Level.COMMUNE, organ=0.3, signer=0.1),))
    out = run(replace(BASE, signing=low))
    a, b = base["levels"]["commune"]["coverage"], out["levels"]["commune"]["coverage"]
    assert b["rates"]["organ_present"]["rate"] < 0.45 < a["rates"]["organ_present"]["rate"]
    assert b["rates"]["both_valid"]["rate"] < a["rates"]["both_valid"]["rate"]
    never = run(replace(BASE, faults=FaultSpec(never_sign=("000.00.00.H01",))))
    assert never["levels"]["province"]["coverage"]["organ_present"] < \
        base["levels"]["province"]["coverage"]["organ_present"]


def test_rejections_and_slower_clerks(base: dict[str, Any]) -> None:
    """More rejections mean fewer acceptances; slower clerks mean later acceptance."""
    out = run(replace(BASE, status=StatusSpec(reject_share=0.5, accept_hours=8.0)))
    for name, level in out["levels"].items():
        assert level["rejected"] > base["levels"][name]["rejected"]
        assert level["accepted"] < base["levels"][name]["accepted"]
    assert out["levels"]["commune"]["latency_s"]["acceptance"]["p50"] > \
        base["levels"]["commune"]["latency_s"]["acceptance"]["p50"]


def test_more_traffic_more_documents(base: dict[str, Any]) -> None:
    """Doubling the per-day rates about doubles the documents sent."""
    double = TrafficSpec(levels=tuple(replace(t, per_day=t.per_day * 2) for t in BUSY.levels))
    out = run(replace(BASE, traffic=double))
    ratio = out["totals"]["documents_sent"] / base["totals"]["documents_sent"]
    assert 1.7 < ratio < 2.3
