"""The :class:`~docflow.dist.executor.Executor` on a Dask cluster.

Tasks go to the scheduler with ``pure=False`` (their arguments are batches of envelope bytes:
hashing them for deduplication would cost more than it could save). When a worker dies, the
scheduler gives its tasks to another one; a task that kills its workers
``distributed.scheduler.allowed-failures`` times is given up and reported as ``DF-DIST-003``.
The workers need no file of the client's: every task carries its input.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import dask
from distributed import Client, Future, KilledWorker, LocalCluster, wait
from distributed.client import FutureCancelledError

from docflow.dist.executor import Executor, SchedulerSpec
from docflow.errors import InputError, Location, WorkerError

__all__ = ["DaskExecutor"]

R = TypeVar("R")

_CONNECT_TIMEOUT_S = 15
"""Seconds to reach a scheduler, and for the first worker to join it."""

WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}
"""Dask settings for docflow's workers, whose tasks are a few seconds of CPU-bound Python each.
Dask's own profiler samples the running task's stack every 10 ms and its monitors wake every
0.1–0.5 s: time taken from the task on a worker with one core (see docs/dist.md, "Speed").
Applied to the workers of ``local:N``; for ``dask worker`` processes set them in the workers'
environment (``DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False``, ...)."""


class DaskExecutor(Executor):
    """Tasks on a Dask scheduler: one this object starts (``local:N``) or a running one.

    Raises
    ------
    InputError
        ``DF-DIST-002`` when the scheduler cannot be reached or has no worker in time.
    """

    def __init__(self, spec: SchedulerSpec) -> None:
        self._cluster: LocalCluster | None = None
        where = spec.address or f"local:{spec.local_workers}"
        try:
            if spec.local_workers is not None:
                # The nannies hand the settings in force to the worker processes they start.
                with dask.config.set(WORKER_CONFIG):
                    self._cluster = LocalCluster(n_workers=spec.local_workers,
                                                 threads_per_worker=1, processes=True,
                                                 dashboard_address=":0",
                                                 silence_logs=logging.ERROR)
                self._client = Client(self._cluster)
            else:
                self._client = Client(spec.address, timeout=_CONNECT_TIMEOUT_S)
            self._client.wait_for_workers(1, timeout=_CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise InputError("DF-DIST-002", f"cannot use the Dask scheduler {where}: {exc}",
                             Location(key="--scheduler")) from None
        self.workers = max(1, sum(self._client.nthreads().values()))

    def share(self, value: Any) -> Any:
        return self._client.scatter(value, broadcast=True, hash=False)

    def map_unordered(self, fn: Callable[..., R], tasks: Iterable[tuple[Any, ...]],
                      window: int | None = None) -> Iterator[R]:
        # The cluster can grow or shrink while a job runs: the window follows its size,
        # asked of the scheduler after each wait (not per task: that is a round trip).
        limit = window or 3 * self._current_workers()
        in_flight: set[Future] = set()
        try:
            for args in tasks:
                in_flight.add(self._client.submit(fn, *args, pure=False))
                while len(in_flight) >= limit:
                    done, in_flight = _first_done(in_flight)
                    yield from self._gather(done)
                    limit = window or 3 * self._current_workers()
            while in_flight:
                done, in_flight = _first_done(in_flight)
                yield from self._gather(done)
        except KilledWorker as exc:
            raise WorkerError("DF-DIST-003", f"the cluster gave a task up: {exc}",
                              Location(key="--scheduler")) from None
        except FutureCancelledError as exc:  # a shared input lost with every worker holding it
            raise WorkerError("DF-DIST-003", f"the cluster lost a task's input: {exc}",
                              Location(key="--scheduler")) from None
        finally:
            for future in in_flight:
                future.release()

    def _gather(self, done: list[Future]) -> list[Any]:
        """The results of ``done``, fetched in one round trip (``result()`` each is one per
        future); a task that failed raises its error here."""
        return list(self._client.gather(done))

    def _current_workers(self) -> int:
        return max(1, sum(self._client.nthreads().values()))

    def close(self) -> None:
        client = getattr(self, "_client", None)
        if client is not None:
            client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def _first_done(futures: set[Future]) -> tuple[list[Future], set[Future]]:
    done, pending = wait(list(futures), return_when="FIRST_COMPLETED")
    return sorted(done, key=lambda f: f.key), set(pending)
