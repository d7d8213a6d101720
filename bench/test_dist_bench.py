"""The price and the gain of Dask: audits and sweeps on 1 and 2 workers, against the local pool.

Run with ``pytest bench/test_dist_bench.py --benchmark-enable --benchmark-only -s``.

Two whole-run groups, each measured *interleaved* (every round runs each configuration once,
in turn, so drift on the shared machine hits all alike) and reported as ratios with their min
and median over rounds (``extra_info`` and a printed table):

* ``dist-audit``: :func:`docflow.audit` of an archive of real signed envelopes (a
  ``sample:N`` run of the default week on vn-2025, cached in
  ``$DOCFLOW_CACHE_DIR/bench/``), every envelope verified each round, on a Dask
  ``LocalCluster`` of 2 workers, of 1 worker, and on the local process pool of 2. Warm:
  each executor is started once, before the first round, and kept (its workers keep their
  checker and certificate cache), as a long-running cluster would. Goals (issue 16):
  2 workers ≥ 1.8× one worker; Dask on 2 workers ≥ 90% of the pool on the same 2 cores.
* ``dist-sweep``: ``docflow sweep`` of 20 seeds of the default week (crypto ``model``) on a
  ``LocalCluster`` of 2 workers and of 1. Goal: ≥ 1.8×.

Rounds: ``DOCFLOW_BENCH_ROUNDS`` (default 3 for the audit, 1 for the sweep, whose one-worker
round alone takes minutes).

Beside the wall times, every run's CPU time is counted: this process (the client, and for
``local:N`` the scheduler, which runs in it) and the configuration's own worker processes
(the pool's, the ``LocalCluster``'s). The other configurations' clusters stay up between
their turns, and their idle schedulers run in this process: their background CPU is counted
in every configuration's client time alike. On a loaded machine the wall ratios say little
(a second worker needs a second free core) while the CPU per item says what each engine costs:
``cpu-price`` is the pool's CPU per envelope over Dask's (1.0: Dask costs nothing more), and
``cores used`` is CPU over wall (how much of the machine a configuration managed to use).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from docflow.audit import AuditConfig, audit
from docflow.dist.executor import Executor, LocalPool, open_executor
from docflow.dist.sweep import sweep
from docflow.pki.keys import default_cache_dir
from docflow.runs import simulate
from docflow.trust import Trust

DOCUMENTS = 8_000
SWEEP_SEEDS = tuple(range(1, 21))


def _rounds(default: int) -> int:
    return int(os.environ.get("DOCFLOW_BENCH_ROUNDS", default))


def _archive() -> Path:
    """A real-crypto archive of the default week: DOCUMENTS envelopes, signed by organ and
    signer, generated once."""
    folder = default_cache_dir() / "bench" / f"dist-audit-{DOCUMENTS}-v1"
    if not (folder / "archive.sqlite").exists():
        partial = folder.with_name(folder.name + f".{os.getpid()}.tmp")
        shutil.rmtree(partial, ignore_errors=True)
        simulate(None, partial, crypto=f"sample:{DOCUMENTS}")
        os.replace(partial, folder)
    return folder


def _forget(db: Path) -> None:
    with sqlite3.connect(db) as con:
        con.execute("DELETE FROM verifications")


def worker_pids(executor: Executor) -> list[int]:
    """The worker processes of ``executor`` on this machine (a pool's, a ``local:N``
    cluster's), read from the executor's internals: for CPU accounting only."""
    if isinstance(executor, LocalPool):
        return list(executor._pool._processes)  # type: ignore[attr-defined]
    client = getattr(executor, "_client", None)
    return list(client.run(os.getpid).values()) if client is not None else []


def cpu_seconds(pids: list[int]) -> float:
    """CPU time of this process (every thread: the client, and the schedulers of any
    ``local:N`` cluster it holds) and of the processes ``pids``."""
    total = time.process_time()
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:  # a worker gone (restarted by its nanny)
            continue
        total += times.user + times.system
    return total


CPU: dict[str, list[float]] = {}
"""CPU seconds of every run of the last :func:`_interleave`, by configuration."""


def _interleave(configs: dict[str, Callable[[], None]], rounds: int,
                setup: Callable[[], None] = lambda: None,
                pids: dict[str, list[int]] | None = None) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in configs}
    CPU.clear()
    CPU.update({name: [] for name in configs})
    for _ in range(rounds):
        for name, run in configs.items():
            setup()
            own = (pids or {}).get(name, [])
            cpu = cpu_seconds(own)
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
            CPU[name].append(cpu_seconds(own) - cpu)
    return times


def _ratios(times: dict[str, list[float]], pairs: dict[str, tuple[str, str]]
            ) -> dict[str, dict[str, float]]:
    """Per pair (faster, slower): the speed ratio slower/faster per round, min and median."""
    out = {}
    for label, (fast, slow) in pairs.items():
        per_round = [s / f for f, s in zip(times[fast], times[slow], strict=True)]
        out[label] = {"min": round(min(per_round), 3),
                      "median": round(statistics.median(per_round), 3)}
    return out


def _cpu_price(cheap: str, dear: str) -> dict[str, float]:
    """CPU time of ``cheap`` over ``dear`` per round (the same work): min and median."""
    per_round = [c / d for c, d in zip(CPU[cheap], CPU[dear], strict=True)]
    return {"min": round(min(per_round), 3), "median": round(statistics.median(per_round), 3)}


def _report(benchmark: Any, times: dict[str, list[float]], ratios: dict[str, Any],
            unit: str, count: int) -> None:
    benchmark.extra_info["seconds"] = {k: [round(t, 3) for t in v] for k, v in times.items()}
    benchmark.extra_info["cpu_seconds"] = {k: [round(t, 3) for t in v] for k, v in CPU.items()}
    benchmark.extra_info["ratios"] = ratios
    benchmark.extra_info["load_average"] = os.getloadavg()[0]
    print(f"\n  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, values in times.items():
        rates = [count / t for t in values]
        cpu = CPU[name]
        used = [c / t for c, t in zip(cpu, values, strict=True)]
        print(f"  {name:<16} min {min(values):8.2f} s  median {statistics.median(values):8.2f} s"
              f"  best {max(rates):9.1f} {unit}/s  median {statistics.median(rates):9.1f}"
              f"  cpu median {statistics.median(cpu):7.2f} s"
              f" = {1000 * statistics.median(cpu) / count:7.2f} ms/{unit[:-1]}"
              f"  cores used {statistics.median(used):4.2f}")
    for label, r in ratios.items():
        print(f"  {label:<48} min {r['min']:.3f}  median {r['median']:.3f}")


def test_dist_audit(benchmark: Any) -> None:
    """Audit on Dask (2 and 1 workers) and on the local pool of 2, interleaved, warm."""
    benchmark.group = "dist-audit"
    folder = _archive()
    db = folder / "archive.sqlite"
    trust = Trust(anchors=(folder / "trust" / "root.pem",),
                        crls=(folder / "trust" / "crls.pem",))
    config = AuditConfig(trust=trust)
    executors: dict[str, Executor] = {"pool-2": LocalPool(2),
                                      "dask-2": open_executor("local:2"),
                                      "dask-1": open_executor("local:1")}
    counts: list[int] = []

    def runner(executor: Executor) -> Callable[[], None]:
        def run() -> None:
            result = audit(db, config, executor=executor)
            counts.append(result.verified_now)
        return run

    try:
        configs = {name: runner(ex) for name, ex in executors.items()}
        _interleave(configs, 1, lambda: _forget(db))  # warm-up: workers build their checkers
        times: dict[str, list[float]] = {}

        def measure() -> None:
            pids = {name: worker_pids(ex) for name, ex in executors.items()}
            times.update(_interleave(configs, _rounds(3), lambda: _forget(db), pids))

        benchmark.pedantic(measure, rounds=1, iterations=1)
    finally:
        for ex in executors.values():
            ex.close()
    documents = counts[0]
    assert documents > 0 and set(counts) == {documents}
    # Each ratio is time(second) / time(first) in the same round: the first's speed-up.
    ratios = _ratios(times, {"dask 2 workers vs 1 (goal >= 1.8)": ("dask-2", "dask-1"),
                             "dask 2 rate / pool 2 rate (goal >= 0.9)": ("dask-2", "pool-2")})
    ratios["cpu-price: pool 2 cpu / dask 2 cpu"] = _cpu_price("pool-2", "dask-2")
    ratios["cpu-price: dask 1 cpu / dask 2 cpu"] = _cpu_price("dask-1", "dask-2")
    benchmark.extra_info["documents"] = documents
    _report(benchmark, times, ratios, "envelopes", documents)


def test_dist_sweep(benchmark: Any) -> None:
    """20 seeds of the default week (model crypto) on 2 workers and on 1, interleaved."""
    benchmark.group = "dist-sweep"
    executors = {"dask-2": open_executor("local:2"), "dask-1": open_executor("local:1")}
    times: dict[str, list[float]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            outs: dict[str, Path] = {}

            def runner(name: str, executor: Executor) -> Callable[[], None]:
                def run() -> None:
                    outs[name] = Path(tmp) / name
                    sweep(None, outs[name], seeds=SWEEP_SEEDS, crypto="model",
                          executor=executor)
                return run

            configs = {name: runner(name, ex) for name, ex in executors.items()}

            def measure() -> None:
                pids = {name: worker_pids(ex) for name, ex in executors.items()}
                times.update(_interleave(configs, _rounds(1), pids=pids))

            benchmark.pedantic(measure, rounds=1, iterations=1)
            assert (outs["dask-2"] / "sweep.json").read_bytes() == \
                (outs["dask-1"] / "sweep.json").read_bytes()
    finally:
        for ex in executors.values():
            ex.close()
    ratios = _ratios(times, {"sweep 2 workers vs 1 (goal >= 1.8)": ("dask-2", "dask-1")})
    ratios["cpu-price: dask 1 cpu / dask 2 cpu"] = _cpu_price("dask-1", "dask-2")
    _report(benchmark, times, ratios, "runs", len(SWEEP_SEEDS))
