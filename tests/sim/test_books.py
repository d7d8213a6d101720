"""The simulator's books: utilisation is a share of capacity, the run stops at its horizon,
waiting messages show in the backlog, and every message lost is counted where it was lost."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import jsonschema
import pytest

from docflow.outputs import OutputSchema
from docflow.runs import simulate
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

BUSY = TrafficSpec(levels=tuple(replace(t, per_day=t.per_day * 3)
                                for t in DEFAULT_LEVEL_TRAFFIC.values()))
BASE = replace(Scenario(), name="books", topology="tiny", seed=3, traffic=BUSY,
               crypto=CryptoSpec.parse("model"), period=Period(days=2, drain_days=45))
OVERLOADED = replace(BASE, hubs=HubSpec(overrides=(
    ("lgsp-h01", HubCapacity(workers=1, service_ms=400_000.0)),)))
"""One province hub that needs about four times the period to serve its two days of traffic."""
MORNING = datetime(2025, 7, 7, 8, 0)
VN = timezone(timedelta(hours=7))


def run(scenario: Scenario) -> dict[str, Any]:
    return dict(json.loads(simulate(scenario).to_json()))


@pytest.fixture(scope="module")
def overloaded() -> dict[str, Any]:
    return run(OVERLOADED)


def _accounted(summary: dict[str, Any]) -> None:
    tot = summary["totals"]
    assert tot["delivered"] + tot["lost"] + tot["in_flight_at_end"] == tot["deliveries"]
    status = tot["status_messages"]
    assert status["delivered"] + status["lost"] + status["in_flight_at_end"] == status["sent"]
    assert summary["run"]["in_flight_at_end"] == \
        tot["in_flight_at_end"] + status["in_flight_at_end"]


def test_utilisation_is_a_share_of_capacity_and_offered_load_says_overload(
        overloaded: dict[str, Any]) -> None:
    """An overloaded hub is busy at most all the time (utilisation <= 1, every hour and
    every step too); how far it is overloaded is its offered load, reported beside it."""
    for hub in overloaded["hubs"].values():
        for cls in ("documents", "status"):
            figures = hub[cls]
            assert 0.0 <= figures["utilisation"] <= 1.0
            assert 0.0 <= figures["peak_hour_utilisation"] <= 1.0
            assert figures["offered_load"] >= figures["utilisation"] - 1e-9
    for series in overloaded["series"]["utilisation"].values():
        assert max(series) <= 1.0
    hub = overloaded["hubs"]["lgsp-h01"]
    assert hub["offered_load"] > 2.0
    validator = jsonschema.Draft202012Validator(OutputSchema.SIMULATION.json_schema())
    assert [e.message for e in validator.iter_errors(overloaded)] == []
    # Busy from the first morning's traffic to the end of the period: no idle hour after it.
    assert hub["utilisation"] > 0.7 and hub["documents"]["peak_hour_utilisation"] == 1.0
    _accounted(overloaded)


def test_a_short_drain_stops_the_books_at_the_horizon(overloaded: dict[str, Any]) -> None:
    """With drain_days = 1 nothing is delivered after the horizon: what the overloaded hub
    has not served by then is in flight at the end, and the last event is within it."""
    short = run(replace(OVERLOADED, period=Period(days=2, drain_days=1)))
    start = datetime.fromisoformat(short["scenario"]["period"]["start"])
    horizon = start.replace(tzinfo=VN) + timedelta(days=3)
    assert datetime.fromisoformat(short["run"]["last_event"]) <= horizon
    assert short["totals"]["in_flight_at_end"] > 0
    assert short["totals"]["delivered"] < overloaded["totals"]["delivered"]
    for hub in short["hubs"].values():  # nothing took longer than the run: 3 days from 00:00
        assert (hub["latency_s"]["delivery"]["p99"] or 0) < 3 * 86400
    _accounted(short)


def test_an_axis_outage_shows_in_the_axis_backlog() -> None:
    """During a six-hour axis outage nothing queues (everything is refused and waits to
    retry), yet the axis's peak backlog counts those messages, as its series does."""
    out = run(replace(BASE, faults=FaultSpec(hub_outages=(Outage("axis", MORNING, 6.0),))))
    axis = out["hubs"]["axis"]
    waiting = max(out["series"]["backlog"]["axis"])
    assert axis["documents"]["refused_attempts"] > 0
    assert axis["peak_backlog"] >= waiting > axis["documents"]["peak_queued"]
    _accounted(out)


def test_status_messages_lost_at_agencies_have_their_own_counter() -> None:
    """A sender down past the retries loses the answers to its documents: they are counted
    as status messages lost at agencies, and the losses add up."""
    noon = MORNING + timedelta(hours=4)
    out = run(replace(BASE, faults=FaultSpec(
        agency_outages=(Outage("000.00.00.H01", noon, 30.0),), max_attempts=3)))
    status = out["totals"]["status_messages"]
    assert status["lost_at_agencies"] > 0
    assert status["lost"] == status["lost_at_hubs"] + status["lost_at_agencies"]
    _accounted(out)
