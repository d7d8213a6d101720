"""Output folders that hold one run, complete or clearly marked incomplete.

``docflow simulate --out DIR`` and ``docflow pki init --out DIR`` write many files into a
folder. Two things must never happen (issue 13): a folder that mixes the files of two runs (an
old ``archive.sqlite`` and ``trust/`` beside a new summary, an old PKI's keys silently
replaced), and a folder that looks finished when its run was killed half-way. So:

* :func:`claim` refuses a non-empty folder (``DF-RUN-001``) unless the caller forces it; then it
  removes the files a run of that kind writes (its :class:`Layout`), and only those, so that
  nothing of the old run stays beside the new one. Other files are left alone.
* The claim writes a marker, ``.incomplete``, before anything else, and :func:`finish` removes
  it after every file is on disk. Readers (``docflow audit``, ``docflow report``, a ``--trust``
  PKI folder) call :func:`check_complete` and refuse a marked folder (``DF-RUN-002``): it holds
  an interrupted run, or one still being written.

The marker is created exclusively, so two commands started on one empty folder at once cannot
both claim it: the second is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from docflow.atomic import is_temporary, sync_folder
from docflow.errors import InputError, Location, UsageError

__all__ = ["INCOMPLETE", "Layout", "check_complete", "claim", "finish", "is_incomplete"]

INCOMPLETE = ".incomplete"
"""The marker of a folder whose run has not finished (interrupted, or still running)."""


@dataclass(frozen=True, slots=True)
class Layout:
    """What a kind of run writes at the top of its folder: what ``--force`` may remove."""

    kind: str
    """Named in messages: ``simulation run``, ``PKI``."""
    names: frozenset[str]
    """Files and folders a run of this kind writes directly in its folder."""


def is_incomplete(folder: str | os.PathLike[str]) -> bool:
    """Whether ``folder`` carries the marker of an unfinished run."""
    return (Path(folder) / INCOMPLETE).exists()


def check_complete(folder: str | os.PathLike[str], what: str) -> None:
    """Refuse to read ``what`` from a folder whose run has not finished.

    Raises
    ------
    InputError
        ``DF-RUN-002``, naming the folder, when it carries the marker.
    """
    if is_incomplete(folder):
        raise InputError("DF-RUN-002", f"{what} is in an incomplete folder: the run writing it "
                         "was interrupted or is still running (it carries the "
                         f"{INCOMPLETE} marker); rerun it with --force",
                         Location(file=str(folder)))


def claim(folder: str | os.PathLike[str], layout: Layout, *, force: bool = False) -> Path:
    """Make ``folder`` ready for a new run of ``layout``'s kind and mark it incomplete.

    Parameters
    ----------
    folder
        Created if missing. If it holds anything, the call is refused unless ``force``.
    layout
        The names a run of this kind writes; with ``force`` these (and leftover temporary
        files) are removed, after the marker is written, so that a kill during the removal
        still leaves a marked folder.
    force
        Replace the run in a non-empty folder.

    Returns
    -------
    Path
        The folder, holding the marker and no file of an earlier run.

    Raises
    ------
    UsageError
        ``DF-RUN-001`` if the folder is not empty and ``force`` is not given, or another
        command claimed it at the same moment.
    InputError
        ``DF-IO-004`` if the folder cannot be created, listed or cleared.
    """
    path = Path(folder)
    where = Location(file=str(path))
    try:
        if path.exists() and not path.is_dir():
            raise InputError("DF-IO-004", "the output exists and is not a folder", where)
        path.mkdir(parents=True, exist_ok=True)
        present = sorted(os.listdir(path))
    except OSError as exc:
        raise InputError("DF-IO-004", f"cannot create the output folder: "
                         f"{exc.strerror or exc}", where) from None
    if present and not force:
        shown = ", ".join(present[:5]) + (f" and {len(present) - 5} more" if
                                          len(present) > 5 else "")
        what = (f"an unfinished {layout.kind}" if INCOMPLETE in present else
                f"a {layout.kind}" if layout.names & set(present) else "other files")
        raise UsageError("DF-RUN-001", f"the output folder is not empty: it holds {what} "
                         f"({shown}); choose an empty folder, or give --force to replace the "
                         f"{layout.kind} in it", where)
    _mark(path, exclusive=not force)
    try:
        for name in present:
            if name in layout.names or is_temporary(name):
                _remove(path / name)
        sync_folder(path)
    except OSError as exc:
        raise InputError("DF-IO-004", f"cannot clear the earlier {layout.kind}: "
                         f"{exc.strerror or exc}", Location(file=exc.filename or str(path))
                         ) from None
    return path


def finish(folder: str | os.PathLike[str]) -> None:
    """Mark ``folder`` complete: sync it, then remove the marker (and sync that).

    Call it after the last output is written; every output was written through
    :func:`docflow.atomic.write_atomic` or a committed transaction, so syncing the folder
    makes the whole run durable before the marker goes.
    """
    path = Path(folder)
    sync_folder(path)
    with contextlib.suppress(FileNotFoundError):
        (path / INCOMPLETE).unlink()
    sync_folder(path)


def _mark(path: Path, *, exclusive: bool) -> None:
    text = (f"docflow started writing this folder at {dt.datetime.now(dt.UTC).isoformat()} "
            f"(process {os.getpid()}). While this file exists the folder is incomplete: the "
            "run is still going, or it was interrupted and must be run again with --force.\n")
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    try:
        fd = os.open(path / INCOMPLETE, flags, 0o644)
    except FileExistsError:
        raise UsageError("DF-RUN-001", "another docflow command claimed this output folder "
                         "at the same moment", Location(file=str(path))) from None
    except OSError as exc:
        raise InputError("DF-IO-004", f"cannot write to the output folder: "
                         f"{exc.strerror or exc}", Location(file=str(path))) from None
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    except OSError as exc:
        raise InputError("DF-IO-004", f"cannot write to the output folder: "
                         f"{exc.strerror or exc}", Location(file=str(path))) from None
    finally:
        os.close(fd)
    sync_folder(path)


def _remove(entry: Path) -> None:
    """Remove a file or a folder; a symbolic link is removed, never followed."""
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry)
    else:
        entry.unlink(missing_ok=True)
