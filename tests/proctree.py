"""The processes below a pid, read from /proc, for the tests that kill docflow and look for orphans.

A process is named by ``(pid, start time)`` so that a pid reused after its owner died is not
taken for a survivor; a zombie counts as gone (it holds no file and runs no code, and a
container's init may be slow to reap it).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

Proc = tuple[int, int]
"""(pid, start time in clock ticks since boot)."""


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time) of ``pid``, or ``None`` if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # the command name may hold spaces
    return int(fields[1]), fields[0], int(fields[19])


def descendants(pid: int) -> set[Proc]:
    """Every living process below ``pid`` (children, their children, ...)."""
    parents: dict[int, list[Proc]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = _stat(int(entry))
            if found is not None and found[1] != "Z":
                parents.setdefault(found[0], []).append((int(entry), found[2]))
    out: set[Proc] = set()
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.add(child)
            todo.append(child[0])
    return out


def alive(procs: set[Proc]) -> set[Proc]:
    """The processes of ``procs`` still running (same pid and start time, not a zombie)."""
    living = set()
    for pid, start in procs:
        found = _stat(pid)
        if found is not None and found[2] == start and found[1] != "Z":
            living.add((pid, start))
    return living


def wait_for(pid: int, count: int, timeout: float = 60.0) -> set[Proc]:
    """Wait until ``pid`` has at least ``count`` descendants; return them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = descendants(pid)
        if len(found) >= count:
            return found
        if _stat(pid) is None:
            break
        time.sleep(0.02)
    raise AssertionError(f"process {pid} never had {count} descendants")


def survivors(procs: set[Proc], timeout: float = 15.0) -> set[Proc]:
    """The processes of ``procs`` still running after ``timeout`` seconds (ideally none).

    Survivors normally go within milliseconds; the generous timeout only spares a machine
    whose load average is many times its cores a false alarm, and costs nothing otherwise."""
    deadline = time.monotonic() + timeout
    living = alive(procs)
    while living and time.monotonic() < deadline:
        time.sleep(0.05)
        living = alive(living)
    return living


def signal_while_committing(proc_pid: int, db: Path, sig: int, *, group: bool,
                            done: int = 2, timeout: float = 60.0) -> int:
    """Send ``sig`` to a running audit of ``db`` at a moment when it surely has work left.

    Once ``done`` results are stored, the test takes the archive's write lock, so the audit
    stops at its next commit; the signal is sent, the lock released, and the audit meets
    the signal as its commit returns. Returns the results stored at that moment.
    """
    import sqlite3

    deadline = time.monotonic() + timeout
    stored = 0
    while time.monotonic() < deadline:
        try:
            with contextlib.closing(sqlite3.connect(db, timeout=10)) as con:
                stored = int(con.execute("SELECT count(*) FROM verifications").fetchone()[0])
        except sqlite3.Error:
            stored = 0
        if stored >= done:
            break
        time.sleep(0.005)
    lock = sqlite3.connect(db, timeout=30, isolation_level=None)
    try:
        lock.execute("BEGIN IMMEDIATE")
        stored = int(lock.execute("SELECT count(*) FROM verifications").fetchone()[0])
        time.sleep(0.2)  # long enough for the audit to reach its commit and wait there
        if group:
            os.killpg(proc_pid, sig)
        else:
            os.kill(proc_pid, sig)
        time.sleep(0.1)
        lock.execute("ROLLBACK")
    finally:
        lock.close()
    return stored
