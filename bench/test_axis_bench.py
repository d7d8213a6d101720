"""The axis service against its floor: acknowledged messages per second over HTTPS vs the same
judgement in process, SQLite vs PostgreSQL, latency at half the measured rate, and the load
model against the measured latency.

Run with ``pytest bench/test_axis_bench.py -s -p no:randomly`` (not part of the test suite;
a few minutes). Warm: every server is started and sent one message before it is timed; the
floor's judge has verified a message of every agency before it is timed.

``test_axis_rate_against_its_floor``: in each of ``ROUNDS`` rounds, interleaved so that the
machine's drift hits every row alike:

* ``floor``: :meth:`docflow.axis.admission.Admission.judge` on the batch in this process, one
  message after another: the validation and verification the server must do anyway;
* ``sqlite`` / ``postgresql``: a fresh ``docflow axis serve`` process (one worker, its judge
  processes: one per core) on a fresh store, sent the same batch over ``CLIENTS`` keep-alive
  connections (closed loop, one message in flight per connection, four agencies), the load
  generator on the same two cores as the server.

The load generator is this process: asyncio streams speaking just enough HTTP/1.1, so that it
takes little of the cores it shares with the server; its CPU per message is printed beside
the server's (the server's counts its judge processes too, from /proc).

Printed: per row the rate's min and median over the rounds, the acknowledgement latency
p50/p95/p99 of the median round, CPU per message, and the ratios server/floor and
postgresql/sqlite; then an open-loop pass at half the median SQLite rate with its p99, the
cost parts (judgement, a commit alone, a message alone end to end) and the load model's
parameters. The issue's goals: server ≥ 60% of the floor, p99 < 100 ms at half rate,
PostgreSQL ≥ 70% of SQLite.

``test_model_meets_reality``: Poisson arrivals at 20, 50 and 80 % of the capacity just
measured, and the latency percentiles the model (:func:`docflow.axis.load_model.predict_latency`)
predicts for the same arrivals beside the measured ones.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import statistics
import time
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest

from docflow.axis.admission import Admission
from docflow.axis.client import tls_context
from docflow.axis.directory import read_directory
from docflow.axis.load_model import predict_latency
from docflow.axis.store import open_store
from docflow.pki.national import NationalPki
from tests.axis.live import AGENCIES, Server, national_pki, signed_document, write_folder
from tests.axis.postgres import fresh_database, postgres_server

ROUNDS = 3
MESSAGES = 240
CLIENTS = 8
SENDERS = [a.organ_code for a in AGENCIES]
T = TypeVar("T")


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
    """CPU seconds of ``pid`` and of every process under it (the server's judges)."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = (Path("/proc") / str(current) / "stat").read_text().rsplit(")", 1)[1].split()
            for task in (Path("/proc") / str(current) / "task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue  # it ended between the two reads
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _floor(folder: Path, batch: list[bytes]) -> float:
    judge = Admission.from_pki(folder, max_bytes=32 * 1024 * 1024)
    for data in batch[:4]:  # warm: one message of every agency
        assert judge.judge(data).passed
    started = time.perf_counter()
    for data in batch:
        judge.judge(data)
    return len(batch) / (time.perf_counter() - started)


class _Lane:
    """One keep-alive HTTPS connection of one agency (its TLS client certificate), speaking
    just enough HTTP/1.1 to send a message and read the answer.

    The load generator shares the server's two cores, so it is kept lean: asyncio streams
    and a hand-written request cost a fraction of a general client's CPU per message (the
    bench prints the generator's CPU per message beside the server's).
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, url: str, folder: Path, sender: str) -> _Lane:
        host, port = url.removeprefix("https://").rsplit(":", 1)
        context = tls_context(read_directory(folder), sender)
        reader, writer = await asyncio.open_connection(host, int(port), ssl=context)
        return cls(reader, writer)

    async def send(self, data: bytes) -> dict[str, object]:
        self.writer.write(b"POST /messages HTTP/1.1\r\nHost: axis\r\nContent-Type: "
                          b"application/xml\r\nContent-Length: %d\r\n\r\n" % len(data) + data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
        answer: dict[str, object] = json.loads(await self.reader.readexactly(length))
        assert status in (200, 201) and answer["accepted"] is True, answer
        return answer

    def close(self) -> None:
        self.writer.close()


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def _closed_loop(server: Server, folder: Path, batch: list[bytes]
                 ) -> tuple[float, list[float], float, float]:
    """Rate, acknowledgement latencies, and the CPU seconds per message of the server (its
    judges included) and of this load generator."""
    by_sender: dict[str, list[bytes]] = {s: [] for s in SENDERS}
    for i, data in enumerate(batch):
        by_sender[SENDERS[i % 4]].append(data)
    lanes = [(sender, items[k::CLIENTS // 4]) for sender, items in by_sender.items()
             for k in range(CLIENTS // 4)]
    latencies: list[float] = []
    assert server.process is not None
    pid = server.process.pid

    async def main() -> tuple[float, float, float]:
        connections = [await _Lane.open(server.url, folder, sender) for sender, _ in lanes]
        await connections[0].send(signed_document(national_pki(), SENDERS[0], [SENDERS[1]],
                                                  _warm_serial()))

        async def run(lane: _Lane, items: list[bytes]) -> None:
            for data in items:
                begin = time.perf_counter()
                await lane.send(data)
                latencies.append(time.perf_counter() - begin)

        cpu, mine = _cpu_seconds(pid), time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*(run(c, items) for c, (_, items) in zip(connections, lanes,
                                                                      strict=True)))
        wall = time.perf_counter() - started
        cpu, mine = _cpu_seconds(pid) - cpu, time.process_time() - mine
        for lane in connections:
            lane.close()
        return wall, cpu, mine

    wall, cpu, mine = _run(main())
    return len(batch) / wall, latencies, cpu / len(batch), mine / len(batch)


def _open_loop(server: Server, folder: Path, batch: list[bytes], rate: float) -> list[float]:
    """Messages fall due at a fixed rate and are sent on ``2 * CLIENTS`` persistent
    connections (per sender, since From must be the caller); latency counts from when a
    message was due, so a due message waiting for a free connection counts too."""
    latencies: list[float] = []

    async def main() -> None:
        idle: dict[str, asyncio.Queue[_Lane]] = {s: asyncio.Queue() for s in SENDERS}
        for k in range(2 * CLIENTS):
            sender = SENDERS[k % 4]
            idle[sender].put_nowait(await _Lane.open(server.url, folder, sender))

        async def one(sender: str, data: bytes, due: float) -> None:
            lane = await idle[sender].get()
            await lane.send(data)
            latencies.append(time.perf_counter() - due)
            idle[sender].put_nowait(lane)

        start = time.perf_counter()
        tasks = []
        for i, data in enumerate(batch):
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(one(SENDERS[i % 4], data, due)))
        await asyncio.gather(*tasks)
        for queue in idle.values():
            while not queue.empty():
                queue.get_nowait().close()

    _run(main())
    return latencies


_warm = itertools.count(99_000)


def _warm_serial() -> int:
    return next(_warm)


def _q(values: list[float], q: float) -> float:
    return float(np.quantile(values, q)) * 1000


def _unloaded(server: Server, folder: Path, batch: list[bytes]) -> list[float]:
    """Acknowledgement latencies of one message at a time (message ``i`` from
    ``SENDERS[i % 4]``, on that agency's connection): the service's path without queueing
    (transport, judgement, commit)."""
    latencies: list[float] = []

    async def main() -> None:
        lanes = [await _Lane.open(server.url, folder, sender) for sender in SENDERS]
        for i, data in enumerate(batch):
            begin = time.perf_counter()
            await lanes[i % 4].send(data)
            latencies.append(time.perf_counter() - begin)
        for lane in lanes:
            lane.close()

    _run(main())
    return latencies


def _commit_ms(tmp_path: Path, folder: Path, batch: list[bytes]) -> float:
    """Median milliseconds of one message stored alone (one transaction, one fsync) in a
    fresh SQLite store, in process: the commit part of the service's path."""
    judge = Admission.from_pki(folder, max_bytes=32 * 1024 * 1024)
    routes = [judge.judge(data).route for data in batch]
    store = open_store(str(tmp_path / "commit.sqlite"))
    times = []
    try:
        for data, route in zip(batch, routes, strict=True):
            assert route is not None
            begin = time.perf_counter()
            store.add(data, route)
            times.append(time.perf_counter() - begin)
    finally:
        store.close()
    return statistics.median(times) * 1000


def test_axis_rate_against_its_floor(setup: tuple[NationalPki, Path, list[bytes]],
                                     postgres: str, tmp_path: Path) -> None:
    _, folder, batch = setup
    rows: dict[str, list[tuple[float, list[float], float, float]]] = {
        "floor": [], "sqlite": [], "postgresql": []}
    for n in range(ROUNDS):
        rows["floor"].append((_floor(folder, batch), [], 0.0, 0.0))
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
          f"rounds interleaved, warm, {CLIENTS} closed-loop connections on the same 2 cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    median: dict[str, float] = {}
    for name, results in rows.items():
        rates = [r[0] for r in results]
        median[name] = statistics.median(rates)
        middle = sorted(results, key=lambda r: r[0])[len(results) // 2]
        line = f"  {name:<11} min {min(rates):7.1f}/s  median {median[name]:7.1f}/s"
        if middle[1]:
            line += (f"  ack p50/p95/p99 {_q(middle[1], .5):6.1f}/{_q(middle[1], .95):6.1f}/"
                     f"{_q(middle[1], .99):6.1f} ms  CPU per message: server "
                     f"{middle[2] * 1000:4.2f} ms, generator {middle[3] * 1000:4.2f} ms")
        print(line)
    print(f"  ratios: sqlite/floor {median['sqlite'] / median['floor']:.2f}, postgresql/floor "
          f"{median['postgresql'] / median['floor']:.2f}, postgresql/sqlite "
          f"{median['postgresql'] / median['sqlite']:.2f}")
    half = median["sqlite"] / 2
    server = Server(folder, str(tmp_path / "half.sqlite")).start()
    try:
        latencies = _open_loop(server, folder, batch, half)
        alone = _unloaded(server, folder, [signed_document(national_pki(), SENDERS[i % 4],
                                                           [SENDERS[(i + 1) % 4]], 40_000 + i)
                                           for i in range(40)])
    finally:
        server.stop()
    print(f"  open loop at {half:.1f}/s (half the median sqlite rate): p50/p95/p99 "
          f"{_q(latencies, .5):.1f}/{_q(latencies, .95):.1f}/{_q(latencies, .99):.1f} ms")
    # The model's parameters (docs/axis.md, "Model meets reality"): the service as one FIFO
    # stage at the measured capacity, plus the path a message takes outside that queue.
    service = 1000 / median["sqlite"]
    print(f"  cost parts: judgement {1000 / median['floor']:.2f} ms (floor), commit alone "
          f"{_commit_ms(tmp_path, folder, batch[:40]):.2f} ms, one message alone end to end "
          f"p50 {_q(alone, .5):.2f} ms; capacity {median['sqlite']:.0f}/s")
    print(f"  model: --model-service-ms {service:.2f} --model-workers 1 --model-transit-ms "
          f"{max(0.0, _q(alone, .5) - service):.2f}")


def _poisson_loop(server: Server, folder: Path, batch: list[bytes], rate: float,
                  seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Open loop with Poisson arrivals at ``rate``: each message due at its drawn time, sent
    on a free one of 8 connections of its sender. Returns the arrival times (s after the
    start) and the measured acknowledgement latencies (s after each was due), in order."""
    gaps = np.random.default_rng(seed).exponential(1 / rate, len(batch))
    arrivals = np.cumsum(gaps) - gaps[0]
    latencies = np.zeros(len(batch))

    async def main() -> None:
        idle: dict[str, asyncio.Queue[_Lane]] = {s: asyncio.Queue() for s in SENDERS}
        for k in range(32):
            sender = SENDERS[k % 4]
            idle[sender].put_nowait(await _Lane.open(server.url, folder, sender))

        async def one(i: int, due: float) -> None:
            lane = await idle[SENDERS[i % 4]].get()
            await lane.send(batch[i])
            latencies[i] = time.perf_counter() - due
            idle[SENDERS[i % 4]].put_nowait(lane)

        start = time.perf_counter()
        tasks = []
        for i, at in enumerate(arrivals):
            await asyncio.sleep(max(0.0, start + at - time.perf_counter()))
            tasks.append(asyncio.create_task(one(i, start + at)))
        await asyncio.gather(*tasks)
        for queue in idle.values():
            while not queue.empty():
                queue.get_nowait().close()

    _run(main())
    return arrivals, latencies


MODEL_MESSAGES = 1200
MODEL_LOADS = (0.2, 0.5, 0.8)


def test_model_meets_reality(setup: tuple[NationalPki, Path, list[bytes]],
                             tmp_path: Path) -> None:
    """The load model (docflow.axis.load_model.predict_latency) against the SQLite server
    under Poisson arrivals at 20, 50 and 80 % of the capacity measured just before, with the
    parameters measured the same way as test_axis_rate_against_its_floor prints them."""
    pki, folder, _ = setup
    batch = [signed_document(pki, SENDERS[i % 4], [SENDERS[(i + 1) % 4]], 60_000 + i)
             for i in range(MODEL_MESSAGES + 340)]
    server = Server(folder, str(tmp_path / "model.sqlite")).start()
    try:
        capacity = statistics.median(_closed_loop(server, folder, batch[k * 80:(k + 1) * 80])[0]
                                     for k in range(3))
        alone = np.array(_unloaded(server, folder, batch[240:340])) * 1000
        service = 1000 / capacity
        transits = np.maximum(alone - service, 0.0)
        print(f"\nmodel meets reality: capacity {capacity:.0f}/s (closed loop, median of 3), "
              f"a message alone p50/p95 {np.quantile(alone, .5):.2f}/"
              f"{np.quantile(alone, .95):.2f} ms, so service {service:.2f} ms, transit p50 "
              f"{np.quantile(transits, .5):.2f} ms; load average {os.getloadavg()[0]:.1f}")
        print("  load   rate/s   measured p50 / p95    model, transit fixed    "
              "model, transit as measured alone   (ms)")
        rest = batch[340:]
        share = len(rest) // len(MODEL_LOADS)
        for n, load in enumerate(MODEL_LOADS):
            part = rest[n * share:(n + 1) * share]
            arrivals, measured = _poisson_loop(server, folder, part, load * capacity, n)
            fixed = predict_latency(arrivals, service_ms=service, workers=1,
                                    transit_ms=float(np.quantile(transits, .5)))
            spread = predict_latency(arrivals, service_ms=service, workers=1,
                                     transit_ms=transits, seed=n)
            print(f"  {load:4.0%} {load * capacity:8.1f}   " + "      ".join(
                f"{np.quantile(x, .5) * 1000:7.1f} / {np.quantile(x, .95) * 1000:7.1f}"
                for x in (measured, fixed, spread)))
    finally:
        server.stop()
