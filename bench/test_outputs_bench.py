"""The price of reading an output through its typed model, against parsing the JSON alone.

Run with ``pytest bench/test_outputs_bench.py --benchmark-enable --benchmark-only -s``.

``outputs-read``: a ``summary.json`` the size of a national quarter — a real run's summary (the
tiny topology, a week) with its hubs copied to 100 and its hourly series stretched to 92 days
(2,208 points per hub and level), about 4 MB — read by ``json.loads`` (the floor: no check at all)
and by :meth:`SimulationSummary.from_json` (parse, check every field, build the model),
interleaved round by round, warm (the model's reading plan is built before the first round).
Reported: each one's min and median seconds, and the ratio model/``json.loads`` per round, min
and median. Rounds: ``DOCFLOW_BENCH_ROUNDS`` (default 7).
"""

from __future__ import annotations

import copy
import json
import os
import statistics
import time
from typing import Any

from docflow.jsonmodel import dumps
from docflow.runs import simulate
from docflow.sim.scenario import Period, Scenario
from docflow.sim.summary_model import SimulationSummary

HUBS = 100
STEPS = 92 * 24


def _national_quarter() -> bytes:
    data: dict[str, Any] = json.loads(simulate(Scenario(topology="tiny", period=Period(days=7)),
                                               crypto="model").to_json())
    template = next(iter(data["hubs"].values()))
    series = data["series"]
    hubs = {f"hub-{i:03d}": copy.deepcopy(template) for i in range(HUBS)}
    data["hubs"] = hubs
    series["steps"] = STEPS
    series["backlog"] = {h: [i % 7 for i in range(STEPS)] for h in hubs}
    series["utilisation"] = {h: [round((i % 10) / 10, 5) for i in range(STEPS)] for h in hubs}
    for group in ("throughput", "sent"):
        series[group] = {lv: [i % 50 for i in range(STEPS)] for lv in series[group]}
    return dumps(data)


def test_outputs_read(benchmark: Any) -> None:
    """json.loads and SimulationSummary.from_json of the same bytes, interleaved, warm."""
    benchmark.group = "outputs-read"
    text = _national_quarter()
    SimulationSummary.from_json(text)  # warm: the reading plan is cached per model class
    rounds = int(os.environ.get("DOCFLOW_BENCH_ROUNDS", 7))
    times: dict[str, list[float]] = {"json.loads": [], "from_json": []}

    def run() -> None:
        for _ in range(rounds):
            t = time.perf_counter()
            json.loads(text)
            times["json.loads"].append(time.perf_counter() - t)
            t = time.perf_counter()
            model = SimulationSummary.from_json(text)
            times["from_json"].append(time.perf_counter() - t)
            assert len(model.hubs) == HUBS

    benchmark.pedantic(run, rounds=1, iterations=1)
    ratios = [m / j for j, m in zip(times["json.loads"], times["from_json"], strict=True)]
    benchmark.extra_info["bytes"] = len(text)
    benchmark.extra_info["seconds"] = {k: [round(t, 4) for t in v] for k, v in times.items()}
    benchmark.extra_info["ratio"] = {"min": round(min(ratios), 2),
                                     "median": round(statistics.median(ratios), 2)}
    print(f"\n  {len(text) / 1e6:.1f} MB")
    for name, values in times.items():
        print(f"  {name:<12} min {min(values):.3f} s  median {statistics.median(values):.3f} s")
    print(f"  from_json / json.loads  min {min(ratios):.2f}  median "
          f"{statistics.median(ratios):.2f}")
