"""Where the audit's CPU goes on each engine: the client (with a ``local:N`` scheduler) and the
workers, per envelope.

Run from a clone, after ``bench/test_dist_bench.py`` has built its archive once::

    .venv/bin/python bench/dist_cpu.py pool-2,dask-2,dask-1 ROUNDS

Each configuration audits the bench's 8,000-envelope archive once per round, interleaved,
after one warm-up round. CPU time is this process's (every thread: the client, and the schedulers of
the ``local:N`` clusters, which run in it) and that of the configuration's own workers, read
with ``psutil`` before and after;
it is what a configuration costs whatever the load of the machine, where wall times are not.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time

from docflow.audit import AuditConfig, audit
from docflow.dist.executor import Executor, LocalPool, open_executor
from docflow.pki.keys import default_cache_dir
from docflow.trust import Trust

sys.path.insert(0, os.path.dirname(__file__))
from test_dist_bench import cpu_seconds, worker_pids


def main() -> None:
    folder = default_cache_dir() / "bench" / "dist-audit-8000-v1"
    db = folder / "archive.sqlite"
    trust = Trust(anchors=(folder / "trust" / "root.pem",), crls=(folder / "trust" / "crls.pem",))
    config = AuditConfig(trust=trust)
    names = sys.argv[1].split(",")
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    executors: dict[str, Executor] = {}
    for name in names:
        kind, _, n = name.partition("-")
        executors[name] = LocalPool(int(n)) if kind == "pool" else open_executor(f"local:{n}")
    try:
        for round_ in range(rounds + 1):
            for name, executor in executors.items():
                with sqlite3.connect(db) as con:
                    con.execute("DELETE FROM verifications")
                pids = worker_pids(executor)
                workers = cpu_seconds(pids) - time.process_time()
                client, wall = time.process_time(), time.perf_counter()
                docs = audit(db, config, executor=executor).verified_now
                wall = time.perf_counter() - wall
                client = time.process_time() - client
                workers = cpu_seconds(pids) - time.process_time() - workers
                if round_ == 0:
                    continue  # warm-up: workers build their checkers
                print(f"{name:8} wall {wall:7.2f} s  workers {1000 * workers / docs:6.3f} ms/env"
                      f"  client {1000 * client / docs:6.3f} ms/env"
                      f"  total {1000 * (workers + client) / docs:6.3f} ms/env"
                      f"  load {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        for executor in executors.values():
            executor.close()


if __name__ == "__main__":
    main()
