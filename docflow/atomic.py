"""Writing an output file so that a reader sees the old file or the new one, never a torn one.

Every JSON, CSV, HTML and PEM file docflow writes goes through :func:`write_atomic`: the bytes
go to a temporary name in the same folder (so the rename cannot cross file systems), are
flushed to disk, and the temporary file is renamed over the target; the folder is then synced
so that the rename itself survives a crash. A kill at any moment leaves either the complete old
file or the complete new one (and at worst a hidden ``.NAME.*.tmp`` beside it); a full disk
fails the write with ``DF-IO-004`` and leaves the old file as it was.

The SQLite archive is not written this way: it is transactional itself.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from docflow.errors import InputError, Location

__all__ = ["TMP_SUFFIX", "is_temporary", "sync_folder", "write_atomic", "write_text_atomic"]

TMP_SUFFIX = ".tmp"
"""Temporary files are named ``.NAME.RANDOM.tmp``: hidden, and recognisable as leftovers."""


def is_temporary(name: str) -> bool:
    """Whether ``name`` is the temporary name of an output being written (or left by a kill).

    Examples
    --------
    >>> is_temporary(".summary.json.1f2e3d4c5b6a.tmp"), is_temporary("summary.json")
    (True, False)
    """
    return name.startswith(".") and name.endswith(TMP_SUFFIX) and name.count(".") >= 3


def write_atomic(path: str | os.PathLike[str], data: bytes, *, mode: int = 0o644,
                 sync: bool = True) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    Parameters
    ----------
    path
        The file to write; its folder must exist.
    data
        The whole content.
    mode
        Permissions of the new file (less the umask); ``0o600`` for private keys, which are
        never readable by others, not even for the moment before a ``chmod``.
    sync
        Flush the file and the folder to disk before returning. A writer of thousands of
        files whose folder is marked incomplete until the end (``docflow pki init``) passes
        ``False`` and syncs once at the end (:func:`sync_folder`).

    Returns
    -------
    Path
        The file written: ``path``, or the file it links to. A device or a pipe (``-o
        /dev/stdout``) is written in place: renaming over it would replace it.

    Raises
    ------
    InputError
        ``DF-IO-004`` when the file cannot be written (no such folder, read-only, full disk);
        the previous file, if any, is left untouched.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "summary.json"
    >>> write_atomic(target, b"{}").read_bytes()
    b'{}'
    """
    target = Path(path)
    if target.is_symlink():  # write the file the link names, keep the link
        target = Path(os.path.realpath(target))
    if target.exists() and not target.is_file() and not target.is_dir():
        return _write_in_place(target, data)  # /dev/stdout, a FIFO: nothing to rename over
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}{TMP_SUFFIX}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        if sync:
            sync_folder(target.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise InputError("DF-IO-004", f"cannot write: {exc.strerror or exc}",
                         Location(file=str(target))) from None
    return target


def _write_in_place(target: Path, data: bytes) -> Path:
    """Write to a device or a pipe, which a rename would replace rather than write to."""
    try:
        with open(target, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise InputError("DF-IO-004", f"cannot write: {exc.strerror or exc}",
                         Location(file=str(target))) from None
    return target


def write_text_atomic(path: str | os.PathLike[str], text: str, *, mode: int = 0o644) -> Path:
    """:func:`write_atomic` of ``text`` as UTF-8."""
    return write_atomic(path, text.encode("utf-8"), mode=mode)


def sync_folder(folder: str | os.PathLike[str]) -> None:
    """Flush a folder's entries (the names created, renamed or removed in it) to disk.

    Never raises: a file system that cannot sync a folder (some network file systems refuse)
    leaves nothing more to do.
    """
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
