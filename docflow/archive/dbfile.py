"""The archive's SQLite file at its boundary: refused before it is opened if it is not one,
every ``sqlite3`` error turned into a ``DF-ARC`` code, and every write one explicit transaction.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

from docflow.errors import InputError, Location

__all__ = ["SQLITE_MAGIC", "Transaction", "check_header", "error_for", "guard"]

SQLITE_MAGIC = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file."""

P = ParamSpec("P")
R = TypeVar("R")


def error_for(exc: sqlite3.Error, path: str) -> InputError:
    """Map a sqlite3 error to a DF-ARC code by SQLite's own error name, not its wording."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    where = Location(file=path)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return InputError("DF-ARC-003", f"the archive is locked by another process ({text}); "
                          "wait for it to finish or raise the timeout", where)
    if name.startswith("SQLITE_NOTADB") or "not a database" in text:
        return InputError("DF-ARC-001", f"not an SQLite database ({text})", where)
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_FULL", "SQLITE_IOERR",
                        "SQLITE_PERM", "SQLITE_AUTH")) or "unable to open" in text:
        return InputError("DF-ARC-006", f"the archive cannot be written ({text})", where)
    return InputError("DF-ARC-002", f"the archive database is corrupt or unusable ({text})",
                      where)


def guard(method: Callable[P, R]) -> Callable[P, R]:
    """Turn any ``sqlite3.Error`` raised by an :class:`Archive` method into an InputError."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as exc:
            self = args[0]
            raise error_for(exc, str(getattr(self, "path", "?"))) from None

    return wrapper


def check_header(path: Path) -> None:
    """Refuse a non-SQLite file before SQLite opens it, so it is never touched."""
    try:
        if path.exists() and not path.is_file():
            raise InputError("DF-ARC-006", "the archive path is not a regular file",
                             Location(file=str(path)))
        if path.exists() and path.stat().st_size > 0:
            with open(path, "rb") as handle:
                head = handle.read(len(SQLITE_MAGIC))
            if head != SQLITE_MAGIC:
                raise InputError("DF-ARC-001", "the file is not an SQLite database (its first "
                                 "bytes are not the SQLite header)", Location(file=str(path)))
    except OSError as exc:
        raise InputError("DF-ARC-006", f"cannot read the archive: {exc.strerror or exc}",
                         Location(file=str(path))) from None


class Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on any exception (even KeyboardInterrupt).

    ``IMMEDIATE`` takes the write lock up front, so a second writer waits (up to the timeout)
    at the start of its batch instead of failing half-way through it.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            self._db.execute("COMMIT")
        elif self._db.in_transaction:
            self._db.execute("ROLLBACK")
