"""The axis's store on PostgreSQL (psycopg 3), so that several server processes share one.

The logic and the SQL are :class:`docflow.axis.store.Store`'s; this module connects, creates
the tables under an advisory lock (two servers starting together would otherwise race on
``CREATE TABLE IF NOT EXISTS``) and turns ``?`` into psycopg's ``%s``. A commit returns once
PostgreSQL has flushed its WAL (``synchronous_commit`` on, its default), so an answer sent
after it survives a ``kill -9`` of the server, as with SQLite.
"""

from __future__ import annotations

import threading
from typing import Any

import psycopg

from docflow.axis.store import SCHEMA, Store
from docflow.errors import InputError, Location

__all__ = ["PostgresStore"]

_LOCK = 0x646F63666C6F77  # "docflow": the advisory lock key of schema creation


class PostgresStore(Store):
    """A store in the PostgreSQL database at a ``postgresql://`` URL.

    Each thread of the service's store pool has a connection of its own, so that several
    transactions are in flight at once and PostgreSQL flushes their commits together: one
    connection would make every acknowledgement wait for the previous one's flush.
    """

    integrity_errors = (psycopg.errors.IntegrityError,)
    threads = 4

    def __init__(self, url: str) -> None:
        self._url = url
        self._shown = url.split("@")[-1]  # never print a password
        self._local = threading.local()
        self._all: list[psycopg.Connection[Any]] = []
        db = self._connect()
        try:
            with db.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
                cur.execute(SCHEMA.format(serial="BIGSERIAL PRIMARY KEY",
                                          real="DOUBLE PRECISION", blob="BYTEA"))
            db.commit()
        except psycopg.Error as exc:
            raise InputError("DF-AXS-012", f"cannot create the tables of the PostgreSQL "
                             f"store at {self._shown}: {str(exc).strip()}",
                             Location(key="--db")) from None
        super().__init__(db, f"postgresql://{self._shown}")
        self._lock = _NoLock()

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            db = psycopg.connect(self._url, autocommit=False, connect_timeout=10)
        except psycopg.Error as exc:
            raise InputError("DF-AXS-012", f"cannot open the PostgreSQL store at "
                             f"{self._shown}: {str(exc).strip()}",
                             Location(key="--db")) from None
        self._local.db = db
        self._all.append(db)
        return db

    def _connection(self) -> Any:
        db = getattr(self._local, "db", None)
        return db if db is not None else self._connect()

    def close(self) -> None:
        for db in self._all:
            db.close()

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s")


class _NoLock:
    """A lock that never waits: each thread has its own connection."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None
