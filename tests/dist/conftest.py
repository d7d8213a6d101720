"""A real Dask cluster on loopback: ``dask scheduler`` and two ``dask worker`` processes started
from this project's environment, torn down (process group by process group) afterwards."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from docflow.runs import simulate
from docflow.sim.scenario import Period, Scenario

DASK = Path(sys.executable).parent / "dask"


@dataclass
class Cluster:
    """A running scheduler and its workers; each process leads its own process group."""

    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def kill_worker(self, index: int) -> None:
        """SIGKILL one worker and every process it started: a lost machine."""
        os.killpg(self.workers[index].pid, signal.SIGKILL)
        self.workers[index].wait(10)

    def stop(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in [*self.workers, self.scheduler]:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
            # A group whose leader is gone may still hold children: end them too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


def _start(folder: Path, workers: int, allowed_failures: int | None = None) -> Cluster:
    """``allowed_failures``: how many worker deaths under one task the scheduler forgives
    before it gives the task up (Dask's default is 3)."""
    folder.mkdir(parents=True, exist_ok=True)
    scheduler_file = folder / "scheduler.json"
    log = open(folder / "scheduler.log", "wb")  # noqa: SIM115 - closed with the process
    env = dict(os.environ)
    if allowed_failures is not None:
        env["DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES"] = str(allowed_failures)
    scheduler = subprocess.Popen(
        [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0",
         "--no-dashboard", "--scheduler-file", str(scheduler_file)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=folder, env=env)
    cluster = Cluster("", scheduler)
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() or not scheduler_file.read_text().strip():
            if scheduler.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((folder / "scheduler.log").read_text())
            time.sleep(0.1)
        time.sleep(0.2)  # the file is written whole, but let the writer finish
        cluster.address = json.loads(scheduler_file.read_text())["address"]
        for n in range(workers):
            wlog = open(folder / f"worker-{n}.log", "wb")  # noqa: SIM115
            cluster.workers.append(subprocess.Popen(
                [str(DASK), "worker", cluster.address, "--nthreads", "1", "--nworkers", "1",
                 "--no-dashboard", "--local-directory", str(folder / f"w{n}")],
                stdout=wlog, stderr=subprocess.STDOUT, start_new_session=True, cwd=folder))
        from distributed import Client

        with Client(cluster.address, timeout=30) as client:
            client.wait_for_workers(workers, timeout=60)
    except BaseException:
        cluster.stop()
        raise
    return cluster


@pytest.fixture(scope="session")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A scheduler and two one-thread workers shared by the tests (left as found)."""
    cluster = _start(tmp_path_factory.mktemp("dask"), 2)
    yield cluster
    cluster.stop()


@pytest.fixture
def own_cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A cluster of two workers for one test that may kill one of them."""
    cluster = _start(tmp_path / "dask", 2)
    yield cluster
    cluster.stop()


@pytest.fixture
def strict_cluster(tmp_path: Path) -> Iterator[Cluster]:
    """Two workers under a scheduler that gives a task up the first time a worker dies
    running it (``allowed-failures`` 0)."""
    cluster = _start(tmp_path / "dask", 2, allowed_failures=0)
    yield cluster
    cluster.stop()


def kill_when_busy(cluster: Cluster, timeout: float = 300) -> threading.Thread:
    """A thread that SIGKILLs the first worker seen running a task (and its nanny): a machine
    lost mid-task. Its ``killed`` attribute lists the killed worker's index."""
    from distributed import Client

    def watch() -> None:
        with Client(cluster.address, timeout=30) as client:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                busy = [address for address, keys in client.processing().items() if keys]
                if busy:
                    pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                    group = os.getpgid(pid)
                    index = next(i for i, w in enumerate(cluster.workers) if w.pid == group)
                    cluster.kill_worker(index)
                    thread.killed.append(index)  # type: ignore[attr-defined]
                    return
                time.sleep(0.05)

    thread = threading.Thread(target=watch, daemon=True)
    thread.killed = []  # type: ignore[attr-defined]
    thread.start()
    return thread


@pytest.fixture(scope="session")
def run_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real-crypto run of the tiny topology with faults: ~350 signed documents, some with
    tampered, expired or revoked signatures, and its trust/ folder."""
    scenario = replace(Scenario(), topology="tiny", period=Period(days=1, drain_days=3))
    scenario = replace(scenario, faults=replace(scenario.faults, tamper_rate=0.05,
                                                expired_cert_share=0.15,
                                                revoked_cert_share=0.15))
    run = simulate(scenario, tmp_path_factory.mktemp("run") / "run", crypto="real")
    assert run.archive is not None
    return run.archive


def fresh_copy(archive: Path, to: Path) -> Path:
    """``archive`` (with its trust/ folder) copied to ``to``, replacing what is there, so that
    two audits see the same file under the same name."""
    if to.exists():
        shutil.rmtree(to)
    to.mkdir(parents=True)
    shutil.copy2(archive, to / archive.name)
    shutil.copytree(archive.parent / "trust", to / "trust")
    return to / archive.name
