"""Simulator benchmarks: one queue window, a national year, and the engine beside SimPy.

Run with ``pytest bench/test_sim_bench.py --benchmark-enable --benchmark-only -s``.

* ``sim-window`` (micro): one window of one million messages over 100 lanes — the compiled
  first-come-first-served pass with two workers per lane, beside the numpy max-plus scan with
  one worker (the same departures when there is one worker).
* ``sim-national-year`` (whole run): ``fixtures/scenarios/national-year-2024.toml`` — a year of
  vn-2024, over 60 million documents, their deliveries and status messages, model crypto. The
  goals are checked: under five minutes, peak memory under 8 GB.
* ``sim-vs-simpy`` (whole run): ``fixtures/scenarios/one-day-vn-2025.toml`` through the engine
  and through the event-by-event SimPy model of the tests (``tests/sim/oracle.py``) on the same
  documents, side by side; the engine must be at least 20 times faster.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from docflow.sim.crypto import ModelCrypto
from docflow.sim.engine import Engine
from docflow.sim.lane_pass import serve_rank, sort_rank
from docflow.sim.queues import scan_single_server
from docflow.sim.scenario_file import read_scenario
from docflow.sim.setup import prepare
from docflow.sim.workspace import Workspace
from tests.sim.oracle import record_traffic, run_oracle

SCENARIOS = Path(__file__).parents[1] / "fixtures" / "scenarios"
DAY = 86_400_000_000
N, LANES = 1_000_000, 100


@pytest.fixture(scope="module")
def window() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    lane = rng.integers(0, LANES, N)
    arrival = rng.integers(0, DAY, N)
    service = rng.integers(50_000, 400_000, N)
    return lane, arrival, service


@pytest.mark.benchmark(group="sim-window")
def test_window_compiled_two_workers(benchmark: Any, window: tuple) -> None:
    """Sort (packed keys) and serve a window of 1 M messages, two workers per lane, with the
    scratch buffers kept from call to call as the engine keeps them from window to window."""
    lane, arrival, service = window
    work = Workspace()
    pair = np.stack([arrival, service], axis=1)

    def run() -> np.ndarray:
        free = np.zeros(2 * LANES, np.int64)
        offsets = np.arange(0, 2 * LANES + 1, 2, dtype=np.int64)
        order, s_lane = sort_rank(lane, arrival, 0, work)
        depart, _, _ = serve_rank(order, s_lane, pair, np.arange(LANES), free,
                                  offsets, np.zeros(0, np.int64), np.zeros(LANES + 1, np.int64),
                                  np.zeros(LANES, np.int64), np.zeros((3, LANES), np.int64),
                                  np.zeros((5, LANES, 48), np.int64), DAY, work)
        return depart.copy()

    depart = benchmark(run)
    assert (depart >= arrival + service).all()


@pytest.mark.benchmark(group="sim-window")
def test_window_max_plus_scan_one_worker(benchmark: Any, window: tuple) -> None:
    """The numpy max-plus scan of the same window with one worker per lane (lexsort first)."""
    lane, arrival, service = window

    def run() -> np.ndarray:
        order = np.lexsort((arrival, lane))
        return scan_single_server(lane[order], arrival[order], service[order],
                                  np.zeros(LANES, np.int64))

    depart = benchmark(run)
    assert len(depart) == N


@pytest.mark.benchmark(group="sim-national-year")
def test_national_year(benchmark: Any) -> None:
    """A national year on vn-2024: ≥ 60 M documents in under 5 minutes and under 8 GB."""
    scenario = read_scenario(SCENARIOS / "national-year-2024.toml")
    topology = prepare(scenario)
    result: dict[str, Any] = {}

    def run() -> None:
        start = time.perf_counter()
        result["r"] = Engine(scenario, topology, ModelCrypto()).run()
        result["seconds"] = time.perf_counter() - start

    benchmark.pedantic(run, rounds=1, iterations=1)
    t = result["r"].tally
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    documents, deliveries = int(t.sent.sum()), int(t.deliveries.sum())
    status = int(t.status_sent.sum())
    print(f"\nnational year: {documents:,} documents, {deliveries:,} deliveries, {status:,} "
          f"status messages, {int(t.lane_count.sum()):,} lane visits in "
          f"{result['seconds']:.1f} s; peak RSS {peak_gb:.2f} GB")
    assert documents >= 60_000_000
    assert result["seconds"] < 300
    assert peak_gb < 8


@pytest.mark.benchmark(group="sim-vs-simpy")
def test_engine_against_simpy_one_day(benchmark: Any) -> None:
    """The engine is at least 20 times faster than the SimPy model on the same day."""
    scenario = read_scenario(SCENARIOS / "one-day-vn-2025.toml")
    timings: dict[str, float] = {}

    def run() -> None:
        engine, days = record_traffic(scenario)
        start = time.perf_counter()
        engine.run()
        timings["engine"] = time.perf_counter() - start
        start = time.perf_counter()
        oracle = run_oracle(engine, days)
        timings["simpy"] = time.perf_counter() - start
        assert sum(oracle.delivered.values()) == int(engine.tally.delivered.sum())

    benchmark.pedantic(run, rounds=1, iterations=1)
    ratio = timings["simpy"] / timings["engine"]
    print(f"\none day of vn-2025: engine {timings['engine']:.2f} s, SimPy "
          f"{timings['simpy']:.2f} s, ratio {ratio:.0f}x")
    assert ratio >= 20
