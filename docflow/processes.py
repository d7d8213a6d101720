"""Worker pools whose processes die with the process that started them and ignore Ctrl-C.

A :class:`concurrent.futures.ProcessPoolExecutor` left to itself outlives a parent killed with
``kill -9``: each worker waits forever on its task queue (it holds the queue's write end itself,
so it never sees an end of file), keeps the archive open, and keeps the forkserver and the
resource tracker alive behind it (both exit only when every holder of their pipes has gone).
And a Ctrl-C, sent by the terminal to the whole process group, raises ``KeyboardInterrupt`` in
every worker, each printing its traceback over the parent's one-line message.

:func:`worker_pool` starts every worker through :func:`_start_worker`, which, before the
caller's initializer runs:

* ignores ``SIGINT``: only the parent decides what an interrupt means (stop the workers,
  keep what was committed, print one line, exit 130);
* asks Linux to send it ``SIGKILL`` when its parent process dies (``PR_SET_PDEATHSIG``). That
  covers workers forked straight from the pool's owner (``fork``); Linux sends it when the
  *thread* that forked the worker ends, so a pool is started from a thread that outlives it
  (docflow's pools start from the main thread). A worker started by a
  forkserver has the forkserver as its parent, which does not die with the owner, hence
* a watchdog thread that waits on a pidfd of the pool's owner (or, where there is none, polls
  it every half second) and ends the worker the moment the owner is gone.

Once the workers are gone, the forkserver and the resource tracker see the end of their pipes
and exit by themselves, so a killed ``docflow`` leaves no process behind.

:func:`stop_pool` is what the owner calls on its way out after an error or an interrupt: it
kills the workers instead of waiting for their current tasks, so that Ctrl-C takes effect at
once.
"""

from __future__ import annotations

import contextlib
import ctypes
import enum
import multiprocessing
import os
import select
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

__all__ = ["StartMethod", "stop_pool", "worker_pool", "worker_pool_scope"]

class StartMethod(enum.StrEnum):
    """How workers are started; the values are multiprocessing's names (see
    :func:`worker_pool` for when to choose which)."""

    FORK = "fork"
    FORKSERVER = "forkserver"
    SPAWN = "spawn"

_PR_SET_PDEATHSIG = 1
"""``prctl`` option from ``<linux/prctl.h>``: the signal this process gets when its parent dies."""

_POLL_SECONDS = 0.5
"""How often the fallback watchdog looks for its owner, where no pidfd is available."""


def worker_pool(workers: int, *, method: StartMethod = StartMethod.FORK,
                initializer: Callable[..., object] | None = None,
                initargs: tuple[Any, ...] = ()) -> ProcessPoolExecutor:
    """A process pool whose workers die with this process and ignore ``SIGINT``.

    Parameters
    ----------
    workers
        Number of worker processes.
    method
        The start method. ``fork`` starts in milliseconds and needs no ``__main__`` guard, but
        must not be used while other threads may hold locks; ``forkserver`` forks from a clean,
        single-threaded server (what a process with running threads needs); ``spawn`` is the
        portable choice. A method the platform lacks falls back to ``spawn``.
    initializer, initargs
        Run once in each worker, after it has been tied to this process.

    Returns
    -------
    ProcessPoolExecutor
        Stop it with :func:`stop_pool` on an error or an interrupt, ``shutdown()`` otherwise.
    """
    if method.value not in multiprocessing.get_all_start_methods():
        method = StartMethod.SPAWN
    return ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context(method.value),
                               initializer=_start_worker,
                               initargs=(os.getpid(), initializer, initargs))


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` at once: cancel queued tasks, kill the workers, reap them.

    Used on an error or an interrupt, when the results of running tasks are no longer wanted;
    waiting for them would make Ctrl-C take as long as the slowest task.
    """
    # The executor keeps its processes in a private mapping (Python 3.14 adds a public
    # terminate_workers(); use it where it exists).
    terminate = getattr(pool, "terminate_workers", None)
    if callable(terminate):
        with contextlib.suppress(Exception):
            terminate()
    processes = dict(getattr(pool, "_processes", None) or {})
    for process in processes.values():
        with contextlib.suppress(Exception):
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def worker_pool_scope(workers: int, *, method: StartMethod = StartMethod.FORK,
                      initializer: Callable[..., object] | None = None,
                      initargs: tuple[Any, ...] = ()) -> Iterator[ProcessPoolExecutor]:
    """:func:`worker_pool` as a context: shut down on success, :func:`stop_pool` otherwise."""
    pool = worker_pool(workers, method=method, initializer=initializer, initargs=initargs)
    try:
        yield pool
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown(wait=True)


def _start_worker(owner: int, initializer: Callable[..., object] | None,
                  initargs: tuple[Any, ...]) -> None:
    """Worker initializer: ignore Ctrl-C, die with ``owner``, then run the caller's initializer."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for inherited in (signal.SIGTERM, signal.SIGHUP):  # not the CLI's handlers (fork copies)
        signal.signal(inherited, signal.SIG_DFL)
    _die_with_parent()
    _watch(owner)  # also covers an owner that died before prctl took effect
    if initializer is not None:
        initializer(*initargs)


def _die_with_parent() -> None:
    """``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux; nothing elsewhere (the watchdog covers)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return


def _watch(owner: int) -> None:
    """Start a daemon thread that ends this process as soon as ``owner`` has exited."""
    try:
        handle: int | None = os.pidfd_open(owner)  # type: ignore[attr-defined,unused-ignore]
    except ProcessLookupError:
        os._exit(1)  # the owner is already gone
    except (AttributeError, OSError):
        handle = None
    thread = threading.Thread(target=_wait_for_exit, args=(owner, handle),
                              name="docflow-owner-watchdog", daemon=True)
    thread.start()


def _wait_for_exit(owner: int, handle: int | None) -> None:
    """Block until ``owner`` exits, then end this process without cleanup.

    ``os._exit`` from this thread ends the worker even while its main thread is deep in C
    (a signature, a decompression); nothing of a worker's state is worth saving, since the
    owner that would have received it is gone.
    """
    if handle is not None:
        poller = select.poll()
        poller.register(handle, select.POLLIN)
        while not poller.poll():
            pass
        os._exit(1)
    while True:
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:
            pass
        threading.Event().wait(_POLL_SECONDS)
