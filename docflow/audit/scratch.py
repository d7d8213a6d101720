"""The temporary archive of an audit of a folder, zip or tar: removed on every exit, swept if not.

An audit of a source that is not an archive imports it first into a scratch archive (~17 MB
for a 2,000-envelope run) in ``$TMPDIR``. Normal ends, errors, Ctrl-C and ``SIGTERM`` (which
the CLI turns into an exit) remove it on the way out. A ``kill -9`` or a power cut cannot run
any code, so the next audit sweeps: each scratch folder holds an ``owner.lock`` file that its
audit keeps locked (``flock``) while it runs. The kernel drops the lock when the last process
holding it dies, whatever killed it, and the pid it names can never be mistaken for a newer
process that reused it; a folder whose lock can be taken has no living owner and is removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["PREFIX", "scratch_archive", "sweep_stale"]

PREFIX = "docflow-audit-"
"""Scratch folders are ``$TMPDIR/docflow-audit-<pid>-<random>``; the pid is for people."""

STAGING = "docflow-audit.new-"
"""The name of a scratch folder for the microseconds before it is locked; never swept."""

LOCK_NAME = "owner.lock"

UNLOCKED_GRACE = 24 * 3600.0
"""Seconds after which a scratch folder with no lock file (left by a docflow older than the
lock, or killed between creating the folder and its lock) is taken as abandoned."""


@contextlib.contextmanager
def scratch_archive(base: str | os.PathLike[str] | None = None) -> Iterator[Path]:
    """A path for a scratch archive, in a locked folder that is removed on the way out.

    Stale folders of killed audits are swept first (:func:`sweep_stale`).
    """
    sweep_stale(base)
    # The folder is made and locked under a name the sweep ignores, then renamed: a sweep
    # running at the same moment must never see it between its creation and its lock.
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING}{os.getpid()}-", dir=base))
    folder = staging
    # An empty file, never written: flock needs only a descriptor, and read-only is enough.
    lock = os.open(staging / LOCK_NAME, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        folder = staging.with_name(PREFIX + staging.name[len(STAGING):])
        os.rename(staging, folder)
        yield folder / "archive.sqlite"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(lock)


def sweep_stale(base: str | os.PathLike[str] | None = None) -> list[Path]:
    """Remove the scratch folders whose audit is no longer running; return them.

    Only this user's folders are looked at, and a folder is removed only while its lock is
    held by the sweeper, so an audit starting at the same moment is never swept.
    """
    root = Path(base) if base is not None else Path(tempfile.gettempdir())
    removed: list[Path] = []
    try:
        candidates = [p for p in root.iterdir() if p.name.startswith(PREFIX)]
    except OSError:
        return removed
    for folder in candidates:
        try:
            info = folder.lstat()
        except OSError:
            continue
        if not folder.is_dir() or folder.is_symlink() or info.st_uid != os.getuid():
            continue
        handle = _take(folder, info.st_mtime)
        if handle is None:
            continue
        try:
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            if handle >= 0:
                os.close(handle)
        removed.append(folder)
    return removed


def _take(folder: Path, mtime: float) -> int | None:
    """The lock of an abandoned ``folder``, taken (``-1`` for an old folder with no lock);
    ``None`` while a living audit holds it."""
    try:
        handle = os.open(folder / LOCK_NAME, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return -1 if time.time() - mtime > UNLOCKED_GRACE else None
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(handle)
        return None
    return handle
