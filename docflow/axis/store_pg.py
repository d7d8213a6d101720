"""The axis's store on PostgreSQL (psycopg 3), so that several server processes share one.

The logic and the SQL are :class:`docflow.axis.store.Store`'s; this module connects, creates
the tables under an advisory lock (two servers starting together would otherwise race on
``CREATE TABLE IF NOT EXISTS``) and turns ``?`` into psycopg's ``%s``. A commit returns once
PostgreSQL has flushed its WAL (``synchronous_commit`` on, its default), so an answer sent
after it survives a ``kill -9`` of the server, as with SQLite.
"""

from __future__ import annotations

import psycopg

from docflow.axis.store import SCHEMA, Store
from docflow.errors import InputError, Location

__all__ = ["PostgresStore"]

_LOCK = 0x646F63666C6F77  # "docflow": the advisory lock key of schema creation


class PostgresStore(Store):
    """A store in the PostgreSQL database at a ``postgresql://`` URL."""

    integrity_errors = (psycopg.errors.IntegrityError,)

    def __init__(self, url: str) -> None:
        shown = url.split("@")[-1]  # never print a password
        try:
            db = psycopg.connect(url, autocommit=False, connect_timeout=10)
            with db.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
                cur.execute(SCHEMA.format(serial="BIGSERIAL PRIMARY KEY",
                                          real="DOUBLE PRECISION", blob="BYTEA"))
            db.commit()
        except psycopg.Error as exc:
            raise InputError("DF-AXS-012", f"cannot open the PostgreSQL store at {shown}: "
                             f"{str(exc).strip()}", Location(key="--db")) from None
        super().__init__(db, f"postgresql://{shown}")

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s")
