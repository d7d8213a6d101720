"""One interface for running independent tasks: in this process, a local pool, or Dask.

The audit and the sweep hand an :class:`Executor` a function and a stream of argument tuples
and take the results back as they finish (:meth:`Executor.map_unordered`). They never see
which engine ran them, so one archive or one sweep gives the same bytes everywhere; what they
must do themselves is make each result say what it belongs to (an envelope id, a run index),
since results arrive in completion order.

Three implementations:

* :class:`InProcess` — no parallelism (``jobs=1``): the baseline, and the easiest to debug.
* :class:`LocalPool` — the default: a :class:`~concurrent.futures.ProcessPoolExecutor` over
  this machine's cores (fork where the platform has it, workers ignore SIGINT).
* :class:`~docflow.dist.dask_executor.DaskExecutor` — a Dask cluster
  (``--scheduler tcp://HOST:PORT``) or a :class:`distributed.LocalCluster`
  (``--scheduler local:N``). Imported only when asked for, so Dask stays an extra.

Only a bounded number of tasks is in flight at once (``window``): a national archive is read
in batches as workers free up, never loaded whole into memory or into the scheduler.
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

from docflow.errors import InputError, Location, UsageError, WorkerError
from docflow.processes import StartMethod, stop_pool, worker_pool

__all__ = ["Executor", "InProcess", "LocalPool", "SchedulerSpec", "open_executor"]

R = TypeVar("R")

_LOCAL_N = re.compile(r"local:([1-9][0-9]{0,3})")
_TCP = re.compile(r"tcp://[^\s:/]+:[0-9]{1,5}")


class Executor(ABC):
    """Runs independent tasks and yields their results as they finish.

    Use as a context manager; :meth:`close` stops whatever the executor started (a pool, a
    local cluster) and leaves a cluster it only connected to running.
    """

    workers: int
    """Tasks that can run at once (processes, or Dask worker threads)."""

    def share(self, value: Any) -> Any:
        """A handle on ``value`` to pass as a task argument, sent to each worker once.

        The pool pickles it with every task (it is small beside a batch of envelopes); Dask
        scatters it to every worker once and hands the tasks a reference.
        """
        return value

    @abstractmethod
    def map_unordered(self, fn: Callable[..., R], tasks: Iterable[tuple[Any, ...]],
                      window: int | None = None) -> Iterator[R]:
        """Yield ``fn(*args)`` for every ``args`` of ``tasks``, in the order they finish.

        Parameters
        ----------
        fn
            A module-level function (it is pickled by reference).
        tasks
            Argument tuples, consumed lazily: at most ``window`` are in flight at once.
        window
            Tasks in flight; ``None`` keeps three per worker, enough that no worker waits
            while the caller stores a result.

        Raises
        ------
        WorkerError
            ``DF-DIST-003`` when the pool broke or the cluster gave a task up (a worker died
            running it again and again). Results already yielded stay valid.
        """

    def close(self) -> None:  # noqa: B027 - nothing to release by default (InProcess)
        """Release what this executor started."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class InProcess(Executor):
    """Runs every task here, one after the other, in the order given."""

    workers = 1

    def map_unordered(self, fn: Callable[..., R], tasks: Iterable[tuple[Any, ...]],
                      window: int | None = None) -> Iterator[R]:
        for args in tasks:
            yield fn(*args)


class LocalPool(Executor):
    """A process pool on this machine, started now.

    fork where the platform has it: workers start in milliseconds and a script without an
    ``if __name__ == "__main__"`` guard still works; spawn elsewhere. Create it before opening
    any SQLite connection, since a forked child must not inherit one. A caller that may have
    other threads running (the simulator's status thread) asks for ``forkserver``.
    """

    def __init__(self, workers: int, method: StartMethod = StartMethod.FORK) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self._broken = False
        # Workers ignore Ctrl-C and die with this process (docflow.processes).
        self._pool = worker_pool(workers, method=method)
        # With fork, the first submit starts every worker: do it now, while the caller holds
        # no connection that a child could inherit.
        try:
            self._pool.submit(int).result()
        except BaseException:  # Ctrl-C or SIGTERM while the workers start: none of them stays
            stop_pool(self._pool)
            raise

    def map_unordered(self, fn: Callable[..., R], tasks: Iterable[tuple[Any, ...]],
                      window: int | None = None) -> Iterator[R]:
        limit = window or 3 * self.workers
        in_flight: set[Future[R]] = set()
        try:
            for args in tasks:
                in_flight.add(self._pool.submit(fn, *args))
                while len(in_flight) >= limit:
                    done, in_flight = _first_done(in_flight)
                    yield from (f.result() for f in done)
            while in_flight:
                done, in_flight = _first_done(in_flight)
                yield from (f.result() for f in done)
        except (BrokenProcessPool, BrokenPipeError) as exc:  # BrokenPipe: sent to a dead worker
            self._broken = True
            raise WorkerError("DF-DIST-003", f"a worker process died: {exc}",
                              Location()) from None
        except BaseException:
            self._broken = True  # an error or Ctrl-C: the workers go at once
            raise
        finally:
            # Not on a broken pool: close() stops it, and its shutdown drops what is queued.
            # A future cancelled here and then failed by the dying pool kills the pool's
            # manager thread (CPython 3.11 sets the BrokenProcessPool on every pending
            # future, cancelled or not), and the interpreter then hangs at exit.
            if not self._broken:
                for future in in_flight:
                    future.cancel()

    def close(self) -> None:
        if self._broken:
            stop_pool(self._pool)
        else:
            self._pool.shutdown(cancel_futures=True)


def _first_done(futures: set[Future[R]]) -> tuple[list[Future[R]], set[Future[R]]]:
    done, pending = wait(futures, return_when=FIRST_COMPLETED)
    return sorted(done, key=id), set(pending)


@dataclass(frozen=True, slots=True)
class SchedulerSpec:
    """Where tasks run, as ``--scheduler`` names it.

    Examples
    --------
    >>> SchedulerSpec.parse("local:4")
    SchedulerSpec(address=None, local_workers=4)
    >>> SchedulerSpec.parse("tcp://10.0.0.5:8786").address
    'tcp://10.0.0.5:8786'
    >>> SchedulerSpec.parse("udp://x")
    Traceback (most recent call last):
    docflow.errors.UsageError: DF-DIST-001 --scheduler: 'udp://x' is not local:N or \
tcp://HOST:PORT
    """

    address: str | None = None
    """A running Dask scheduler (``tcp://HOST:PORT``)."""
    local_workers: int | None = None
    """Start a :class:`distributed.LocalCluster` of this many one-thread worker processes."""

    @classmethod
    def parse(cls, text: str) -> SchedulerSpec:
        """Read a ``--scheduler`` value.

        Raises
        ------
        UsageError
            ``DF-DIST-001`` when it is neither ``local:N`` nor ``tcp://HOST:PORT``.
        """
        text = text.strip()
        if (m := _LOCAL_N.fullmatch(text)) is not None:
            return cls(local_workers=int(m.group(1)))
        if _TCP.fullmatch(text):
            return cls(address=text)
        raise UsageError("DF-DIST-001", f"{text!r} is not local:N or tcp://HOST:PORT",
                         Location(key="--scheduler"))


def open_executor(scheduler: str | None = None, jobs: int | None = None,
                  tasks: int | None = None) -> Executor:
    """The executor for ``--scheduler`` and ``--jobs``.

    Parameters
    ----------
    scheduler
        ``None`` for this machine; ``local:N`` or ``tcp://HOST:PORT`` for Dask.
    jobs
        Processes on this machine (``None``: every core); ignored with a scheduler.
    tasks
        How many tasks there will be, if known: no more processes are started than that,
        and one task runs in this process.

    Raises
    ------
    UsageError
        ``DF-DIST-001`` for a malformed ``scheduler``.
    InputError
        ``DF-DIST-002`` when Dask is missing or the scheduler cannot be reached.
    """
    if scheduler is not None:
        spec = SchedulerSpec.parse(scheduler)
        try:
            from docflow.dist.dask_executor import DaskExecutor
        except ImportError:
            raise InputError("DF-DIST-002", "Dask is not installed: pip install "
                             "'docflow[dist]'", Location(key="--scheduler")) from None
        return DaskExecutor(spec)
    workers = jobs or os.cpu_count() or 1
    if tasks is not None:
        workers = min(workers, tasks)
    return LocalPool(workers) if workers > 1 else InProcess()
