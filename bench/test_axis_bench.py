"""The axis service against its floor: acknowledged messages per second over HTTPS vs the same
judgement in process, SQLite vs PostgreSQL, and latency at half the measured rate.

Run with ``pytest bench/test_axis_bench.py -s -p no:randomly`` (not part of the test suite;
it takes about a minute). Warm: every server is started and sent one message before it is
timed; the floor's judge has verified a message of every agency before it is timed.

In each of ``ROUNDS`` rounds, interleaved so that the machine's drift hits every row alike:

* ``floor``: :meth:`docflow.axis.admission.Admission.judge` on the batch in this process, one
  message after another: the validation and verification the server must do anyway;
* ``sqlite`` / ``postgresql``: a fresh ``docflow axis serve`` process (one worker) on a fresh
  store, sent the same batch by ``CLIENTS`` concurrent clients (closed loop, one message in
  flight per client, four agencies), the load generator on the same two cores as the server.

Printed: per row the rate's min and median over the rounds, the acknowledgement latency
p50/p95/p99 of the median round, the server's CPU seconds per message (from /proc), and the
ratios server/floor and postgresql/sqlite; then an open-loop pass at half the median SQLite
rate with its p99. The issue's goals: server ≥ 60% of the floor, p99 < 100 ms at half rate,
PostgreSQL ≥ 70% of SQLite.
"""

from __future__ import annotations

import os
import queue
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from docflow.axis import Client
from docflow.axis.admission import Admission
from docflow.pki.national import NationalPki
from tests.axis.live import AGENCIES, Server, national_pki, signed_document, write_folder
from tests.axis.postgres import fresh_database, postgres_server

ROUNDS = 3
MESSAGES = 240
CLIENTS = 8
SENDERS = [a.organ_code for a in AGENCIES]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[NationalPki, Path, list[bytes]]:
    pki = national_pki()
    folder = write_folder(pki, tmp_path_factory.mktemp("bench-pki"))
    batch = [signed_document(pki, SENDERS[i % 4], [SENDERS[(i + 1) % 4]], 20_000 + i)
             for i in range(MESSAGES)]
    return pki, folder, batch


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    with postgres_server() as url:
        yield url


def _cpu_seconds(pid: int) -> float:
    fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _floor(folder: Path, batch: list[bytes]) -> float:
    judge = Admission.from_pki(folder, max_bytes=32 * 1024 * 1024)
    for data in batch[:4]:  # warm: one message of every agency
        assert judge.judge(data).passed
    started = time.perf_counter()
    for data in batch:
        judge.judge(data)
    return len(batch) / (time.perf_counter() - started)


def _closed_loop(server: Server, folder: Path, batch: list[bytes]
                 ) -> tuple[float, list[float], float]:
    """Rate, acknowledgement latencies and the server's CPU seconds per message."""
    by_sender: dict[str, list[bytes]] = {s: [] for s in SENDERS}
    for i, data in enumerate(batch):
        by_sender[SENDERS[i % 4]].append(data)
    lanes = [(sender, items[k::CLIENTS // 4]) for sender, items in by_sender.items()
             for k in range(CLIENTS // 4)]
    latencies: list[float] = []
    lock = threading.Lock()
    clients = [Client(server.url, folder, sender) for sender, _ in lanes]
    warm = Client(server.url, folder, SENDERS[0])
    assert warm.send(signed_document(national_pki(), SENDERS[0], [SENDERS[1]], 99_999)).accepted
    warm.close()

    def run(client: Client, items: list[bytes]) -> None:
        for data in items:
            begin = time.perf_counter()
            result = client.send(data)
            spent = time.perf_counter() - begin
            assert result.accepted, result
            with lock:
                latencies.append(spent)

    assert server.process is not None
    cpu = _cpu_seconds(server.process.pid)
    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(c, items))
               for c, (_, items) in zip(clients, lanes, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu = _cpu_seconds(server.process.pid) - cpu
    for client in clients:
        client.close()
    return len(batch) / wall, latencies, cpu / len(batch)


def _open_loop(server: Server, folder: Path, batch: list[bytes], rate: float) -> list[float]:
    """Messages fall due at a fixed rate and are sent by ``2 * CLIENTS`` workers (per sender,
    since From must be the caller) with persistent connections; latency counts from when a
    message was due, so a due message waiting for a free worker counts too."""
    queues: dict[str, queue.Queue[tuple[float, bytes] | None]] = {
        s: queue.Queue() for s in SENDERS}
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(sender: str) -> None:
        with Client(server.url, folder, sender) as client:
            while (item := queues[sender].get()) is not None:
                due, data = item
                result = client.send(data)
                assert result.accepted
                with lock:
                    latencies.append(time.perf_counter() - due)

    workers = [threading.Thread(target=worker, args=(SENDERS[k % 4],))
               for k in range(2 * CLIENTS)]
    for thread in workers:
        thread.start()
    time.sleep(1.0)  # clients built before the clock starts
    start = time.perf_counter()
    for i, data in enumerate(batch):
        due = start + i / rate
        time.sleep(max(0.0, due - time.perf_counter()))
        queues[SENDERS[i % 4]].put((due, data))
    for k in range(2 * CLIENTS):
        queues[SENDERS[k % 4]].put(None)
    for thread in workers:
        thread.join()
    return latencies


def _q(values: list[float], q: float) -> float:
    return float(np.quantile(values, q)) * 1000


def test_axis_rate_against_its_floor(setup: tuple[NationalPki, Path, list[bytes]],
                                     postgres: str, tmp_path: Path) -> None:
    _, folder, batch = setup
    rows: dict[str, list[tuple[float, list[float], float]]] = {
        "floor": [], "sqlite": [], "postgresql": []}
    for n in range(ROUNDS):
        rows["floor"].append((_floor(folder, batch), [], 0.0))
        server = Server(folder, str(tmp_path / f"round-{n}.sqlite")).start()
        try:
            rows["sqlite"].append(_closed_loop(server, folder, batch))
        finally:
            server.stop()
        with fresh_database(postgres) as url:
            server = Server(folder, url).start()
            try:
                rows["postgresql"].append(_closed_loop(server, folder, batch))
            finally:
                server.stop()
    print(f"\naxis bench: {MESSAGES} distinct signed 8 KB messages (ECDSA P-256), {ROUNDS} "
          f"rounds interleaved, warm, {CLIENTS} closed-loop clients on the same 2 cores")
    median: dict[str, float] = {}
    for name, results in rows.items():
        rates = [r[0] for r in results]
        median[name] = statistics.median(rates)
        middle = sorted(results, key=lambda r: r[0])[len(results) // 2]
        line = f"  {name:<11} min {min(rates):7.1f}/s  median {median[name]:7.1f}/s"
        if middle[1]:
            line += (f"  ack p50/p95/p99 {_q(middle[1], .5):6.1f}/{_q(middle[1], .95):6.1f}/"
                     f"{_q(middle[1], .99):6.1f} ms  server CPU {middle[2] * 1000:5.2f} ms/msg")
        print(line)
    print(f"  ratios: sqlite/floor {median['sqlite'] / median['floor']:.2f}, postgresql/floor "
          f"{median['postgresql'] / median['floor']:.2f}, postgresql/sqlite "
          f"{median['postgresql'] / median['sqlite']:.2f}")
    half = median["sqlite"] / 2
    server = Server(folder, str(tmp_path / "half.sqlite")).start()
    try:
        latencies = _open_loop(server, folder, batch, half)
    finally:
        server.stop()
    print(f"  open loop at {half:.1f}/s (half the median sqlite rate): p50/p95/p99 "
          f"{_q(latencies, .5):.1f}/{_q(latencies, .95):.1f}/{_q(latencies, .99):.1f} ms")
