"""The axis's message store: what was acknowledged, who it waits for, what was refused.

Acknowledged means durable: :meth:`Store.add` commits (SQLite with ``synchronous=FULL``, or
PostgreSQL's own commit) before the service answers, so a ``kill -9`` after the answer loses
nothing. A resend of the same bytes is recognised by their SHA-256 and answered with the id
already given, never stored twice; a *different* message under a ``DocumentId`` the axis
already holds is refused (``DF-AXS-008``), since receivers file documents by that id.

Tables (the same in both dialects)::

    messages    one row per admitted message: kind, sender, DocumentId or the DocumentId it
                answers, status code, size, the exact bytes received
    deliveries  one row per (message, receiver): whether it still waits, and for a document
                the latest status code its receiver answered
    refusals    what was refused, when, from whom, with which codes (for the status page)

A document waits for a receiver until that receiver answers it with a status message; a
status message waits for its receiver until fetched. The SQL is written once with ``?``
placeholders; :class:`docflow.axis.store_pg.PostgresStore` adapts it.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docflow.axis.admission import Route
from docflow.envelope.status import StatusCode
from docflow.errors import InputError, Location

__all__ = ["Conflict", "Listing", "SqliteStore", "Store", "Stored", "open_store"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id {serial},
    sha256 TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    sender TEXT NOT NULL,
    document_id TEXT UNIQUE,
    response_for TEXT,
    status_code TEXT,
    received_at {real} NOT NULL,
    size INTEGER NOT NULL,
    body {blob} NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    message_id BIGINT NOT NULL REFERENCES messages(id),
    receiver TEXT NOT NULL,
    waiting INTEGER NOT NULL,
    status_code TEXT,
    updated_at {real} NOT NULL,
    PRIMARY KEY (message_id, receiver)
);
CREATE INDEX IF NOT EXISTS deliveries_waiting ON deliveries (receiver, waiting);
CREATE INDEX IF NOT EXISTS messages_sender ON messages (sender);
CREATE TABLE IF NOT EXISTS refusals (
    id {serial},
    at {real} NOT NULL,
    agency TEXT,
    codes TEXT NOT NULL,
    http_status INTEGER NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Stored:
    """The acknowledgement of :meth:`Store.add`."""

    id: int
    duplicate: bool
    """True when the same bytes were acknowledged before (``id`` is that first one's)."""
    receivers: tuple[str, ...]


class Conflict(Exception):
    """The store refuses the message: ``code`` (a DF-AXS code) and a plain message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Listing:
    """One message in an inbox or a sent list."""

    id: int
    kind: str
    sender: str
    document_id: str | None
    response_for: str | None
    status_code: str | None
    received_at: float
    size: int
    receivers: tuple[tuple[str, bool, str | None], ...] = ()
    """For a sent list: ``(receiver, still waiting, latest status code)`` per receiver."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "kind": self.kind, "from": self.sender,
            "document_id": self.document_id, "response_for": self.response_for,
            "status_code": self.status_code, "received_at": self.received_at,
            "size": self.size}
        if self.receivers:
            out["receivers"] = [{"organ_id": r, "waiting": w, "status_code": s}
                                for r, w, s in self.receivers]
        return out


def _listing(row: Sequence[Any], receivers: tuple[tuple[str, bool, str | None], ...] = ()
             ) -> Listing:
    return Listing(int(row[0]), str(row[1]), str(row[2]), row[3], row[4], row[5],
                   float(row[6]), int(row[7]), receivers)


_RECALLED = StatusCode.RECALLED.value
"""The one status a document's sender sends about it (QCVN 102:2016): every other code is a
receiver's answer."""

_LIST_COLUMNS = ("m.id, m.kind, m.sender, m.document_id, m.response_for, m.status_code, "
                 "m.received_at, m.size")


class Store:
    """The store's logic over a DB-API connection; subclasses connect and name the dialect.

    One connection per process, used by one thread at a time (the service runs store calls
    on a single worker thread); the lock makes any other use safe too.
    """

    integrity_errors: tuple[type[Exception], ...] = (sqlite3.IntegrityError,)

    def __init__(self, connection: Any, description: str) -> None:
        self._db = connection
        self._lock: Any = threading.Lock()
        self.description = description

    # --- dialect ---------------------------------------------------------------------------
    def _sql(self, text: str) -> str:
        return text

    threads: int = 1
    """Store calls the service may run at once: one for SQLite, whose writers take turns
    anyway; more for a server database, whose commits then share one flush of its log."""

    def _connection(self) -> Any:
        """The connection of the calling thread (the one connection, here)."""
        return self._db

    def _begin(self, cursor: Any, write: bool) -> None:
        """Open a transaction (psycopg opens one by itself on the first statement)."""

    @contextmanager
    def _transaction(self, *, write: bool = True) -> Iterator[Any]:
        with self._lock:
            db = self._connection()
            cursor = db.cursor()
            try:
                self._begin(cursor, write)
                yield cursor
                db.commit()
            except BaseException:
                db.rollback()
                raise
            finally:
                cursor.close()

    def _run(self, cursor: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        cursor.execute(self._sql(sql), tuple(params))
        return cursor

    # --- writing ---------------------------------------------------------------------------
    def add(self, data: bytes, route: Route, *, now: float | None = None) -> Stored:
        """Store an admitted message and its deliveries, durably, before the answer.

        Raises
        ------
        Conflict
            ``DF-AXS-008`` for a different message under a DocumentId already held;
            ``DF-AXS-006`` for a status answering a document the axis does not hold or whose
            parties do not include its sender.
        """
        (result,) = self.add_batch([(data, route)], now=now)
        if isinstance(result, Conflict):
            raise result
        return result

    def add_batch(self, items: Sequence[tuple[bytes, Route]], *, now: float | None = None
                  ) -> list[Stored | Conflict]:
        """Store several admitted messages in one transaction: one commit, one flush.

        Each message is stored or refused on its own, in order, so a batch gives the same
        answers as the same messages one by one; the service gathers
        the messages that arrive while a commit is under way into the next batch.
        """
        when = time.time() if now is None else now
        try:
            # A refusal (Conflict) is decided before its message writes anything, so the
            # batch needs no savepoint per message unless another process races it to an
            # insert: then all of it is rolled back and stored again, a savepoint each.
            with self._transaction() as cur:
                return [self._add_or_refuse(cur, data, route, when) for data, route in items]
        except self.integrity_errors:
            pass
        results: list[Stored | Conflict] = []
        with self._transaction() as cur:
            for data, route in items:
                digest = hashlib.sha256(data).hexdigest()
                for attempt in range(2):
                    self._run(cur, "SAVEPOINT message")
                    try:
                        results.append(self._add(cur, data, digest, route, when))
                    except Conflict as refused:
                        self._run(cur, "ROLLBACK TO SAVEPOINT message")
                        results.append(refused)
                    except self.integrity_errors:
                        # Another process stored the same bytes (or DocumentId) between our
                        # look-up and our insert: the retry finds its row, as for a resend.
                        self._run(cur, "ROLLBACK TO SAVEPOINT message")
                        self._run(cur, "RELEASE SAVEPOINT message")
                        if attempt:
                            raise
                        continue
                    self._run(cur, "RELEASE SAVEPOINT message")
                    break
        return results

    def _add_or_refuse(self, cur: Any, data: bytes, route: Route, when: float
                       ) -> Stored | Conflict:
        try:
            return self._add(cur, data, hashlib.sha256(data).hexdigest(), route, when)
        except Conflict as refused:
            return refused

    def _add(self, cur: Any, data: bytes, digest: str, route: Route, when: float) -> Stored:
        """Store one message; a :class:`Conflict` is raised before anything is written."""
        if route.kind == "document":
            # One look-up for both: the same bytes (a resend) or the same DocumentId (another
            # message under it), read in one statement, so one snapshot answers both.
            held = self._run(cur, "SELECT id, sha256 FROM messages WHERE sha256 = ? OR "
                             "document_id = ?", (digest, route.document_id)).fetchall()
            for message_id, sha256 in held:
                if sha256 == digest:
                    return self._resent(cur, int(message_id))
            if held:
                raise Conflict("DF-AXS-008", f"the axis holds message {held[0][0]} with "
                               f"DocumentId {route.document_id!r}, with other content")
            receivers = route.receivers
        else:
            row = self._run(cur, "SELECT id FROM messages WHERE sha256 = ?",
                            (digest,)).fetchone()
            if row is not None:
                return self._resent(cur, int(row[0]))
            receivers = self._status_receivers(cur, route, when)
        new_id = self._run(
            cur, "INSERT INTO messages (sha256, kind, sender, document_id, response_for, "
            "status_code, received_at, size, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING id",
            (digest, route.kind, route.sender, route.document_id, route.response_for,
             route.status_code, when, len(data), data)).fetchone()[0]
        # A statement per hundred receivers, not per receiver: a round trip each to a server
        # database (and well under SQLite's limit of bound values).
        for start in range(0, len(receivers), 100):
            part = receivers[start:start + 100]
            self._run(cur, "INSERT INTO deliveries (message_id, receiver, waiting, status_code, "
                      "updated_at) VALUES " + ", ".join(["(?, ?, 1, NULL, ?)"] * len(part)),
                      [v for receiver in part for v in (new_id, receiver, when)])
        return Stored(int(new_id), False, tuple(sorted(receivers)))

    def _resent(self, cur: Any, message_id: int) -> Stored:
        """A message the axis already holds, answered as it was first: its id and receivers."""
        held_for = tuple(r[0] for r in self._run(
            cur, "SELECT receiver FROM deliveries WHERE message_id = ? ORDER BY receiver",
            (message_id,)).fetchall())
        return Stored(message_id, True, held_for)

    def _status_receivers(self, cur: Any, route: Route, when: float) -> tuple[str, ...]:
        doc = self._run(cur, "SELECT id, sender FROM messages WHERE document_id = ? AND "
                        "kind = 'document'", (route.response_for,)).fetchone()
        if doc is None:
            raise Conflict("DF-AXS-006", f"the axis holds no document {route.response_for!r}")
        doc_id, doc_sender = int(doc[0]), str(doc[1])
        parties = [r[0] for r in self._run(
            cur, "SELECT receiver FROM deliveries WHERE message_id = ? ORDER BY receiver",
            (doc_id,)).fetchall()]
        recall = route.status_code == _RECALLED
        if route.sender == doc_sender:
            if not recall:
                raise Conflict("DF-AXS-006", f"{route.sender} sent {route.response_for!r}: its "
                               f"sender may only recall it ({_RECALLED}), not answer it "
                               f"({route.status_code})")
            # The sender's own status (13, recalled) goes to every receiver of the document.
            return tuple(parties)
        if route.sender not in parties:
            raise Conflict("DF-AXS-006", f"{route.sender} is not a receiver of "
                           f"{route.response_for!r}")
        if recall:
            raise Conflict("DF-AXS-006", f"only the sender of {route.response_for!r} recalls "
                           f"it ({_RECALLED}); {route.sender} is a receiver")
        self._run(cur, "UPDATE deliveries SET waiting = 0, status_code = ?, updated_at = ? "
                  "WHERE message_id = ? AND receiver = ?",
                  (route.status_code, when, doc_id, route.sender))
        return (doc_sender,)

    def refuse(self, agency: str | None, codes: Sequence[str], http_status: int,
               *, now: float | None = None) -> None:
        """Record a refusal for the status page (never the refused bytes)."""
        with self._transaction() as cur:
            self._run(cur, "INSERT INTO refusals (at, agency, codes, http_status) "
                      "VALUES (?, ?, ?, ?)", (time.time() if now is None else now, agency,
                                              " ".join(codes), http_status))

    # --- reading ---------------------------------------------------------------------------
    def fetch(self, message_id: int, caller: str) -> bytes | None:
        """The bytes of ``message_id`` if ``caller`` sent it or is one of its receivers.

        Fetching a status message addressed to ``caller`` ends its wait.
        """
        with self._transaction() as cur:
            row = self._run(cur, "SELECT body, kind, sender FROM messages WHERE id = ?",
                            (message_id,)).fetchone()
            if row is None:
                return None
            party = self._run(cur, "SELECT 1 FROM deliveries WHERE message_id = ? AND "
                              "receiver = ?", (message_id, caller)).fetchone()
            if party is None and row[2] != caller:
                return None
            if party is not None and row[1] == "status":
                self._run(cur, "UPDATE deliveries SET waiting = 0, updated_at = ? WHERE "
                          "message_id = ? AND receiver = ? AND waiting = 1",
                          (time.time(), message_id, caller))
            return bytes(row[0])

    def inbox(self, receiver: str, limit: int = 1000) -> list[Listing]:
        """What waits for ``receiver``, oldest first."""
        with self._transaction(write=False) as cur:
            rows = self._run(cur, f"SELECT {_LIST_COLUMNS} FROM deliveries d JOIN messages m "
                             "ON m.id = d.message_id WHERE d.receiver = ? AND d.waiting = 1 "
                             "ORDER BY m.id LIMIT ?", (receiver, limit)).fetchall()
        return [_listing(r) for r in rows]

    def sent(self, sender: str, limit: int = 1000) -> list[Listing]:
        """What ``sender`` sent, newest first, with each receiver's wait and latest status."""
        with self._transaction(write=False) as cur:
            rows = self._run(cur, f"SELECT {_LIST_COLUMNS} FROM messages m WHERE m.sender = ? "
                             "ORDER BY m.id DESC LIMIT ?", (sender, limit)).fetchall()
            out = []
            for r in rows:
                parties = self._run(cur, "SELECT receiver, waiting, status_code FROM "
                                    "deliveries WHERE message_id = ? ORDER BY receiver",
                                    (r[0],)).fetchall()
                out.append(_listing(r, tuple((p[0], bool(p[1]), p[2]) for p in parties)))
        return out

    def counts(self, *, since: float, refusals: int = 20) -> dict[str, Any]:
        """What the status page shows: messages per hour since ``since``, what waits per
        agency, the latest refusals with their codes, and the totals."""
        with self._transaction(write=False) as cur:
            hours = self._run(cur, "SELECT CAST(received_at AS BIGINT) / 3600 AS h, COUNT(*) "
                              "FROM messages WHERE received_at >= ? GROUP BY h ORDER BY h",
                              (since,)).fetchall()
            waiting = self._run(cur, "SELECT receiver, COUNT(*) FROM deliveries WHERE "
                                "waiting = 1 GROUP BY receiver ORDER BY COUNT(*) DESC, "
                                "receiver").fetchall()
            refused = self._run(cur, "SELECT at, agency, codes, http_status FROM refusals "
                                "ORDER BY id DESC LIMIT ?", (refusals,)).fetchall()
            totals = self._run(cur, "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM messages"
                               ).fetchone()
            refused_total = self._run(cur, "SELECT COUNT(*) FROM refusals").fetchone()[0]
        return {
            "per_hour": [(int(h) * 3600, int(n)) for h, n in hours],
            "waiting": [(str(a), int(n)) for a, n in waiting],
            "refusals": [{"at": float(at), "agency": agency, "codes": str(codes).split(),
                          "http_status": int(status)} for at, agency, codes, status in refused],
            "messages": int(totals[0]), "bytes": int(totals[1]),
            "refused": int(refused_total)}

    def close(self) -> None:
        with self._lock:
            self._db.close()


class SqliteStore(Store):
    """The embedded default: one SQLite file in WAL mode, every commit synced (FULL)."""

    def __init__(self, path: str | Path) -> None:
        where = Location(file=str(path))
        try:
            # Transactions are opened explicitly (_begin): IMMEDIATE for a write, so that
            # two server processes never deadlock upgrading a read lock (SQLITE_BUSY).
            db = sqlite3.connect(str(path), check_same_thread=False, timeout=30.0,
                                 isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit is on disk before the answer is sent; NORMAL would let a power
            # cut take back an acknowledged message (a kill -9 alone would not).
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            db.executescript(SCHEMA.format(serial="INTEGER PRIMARY KEY AUTOINCREMENT",
                                           real="REAL", blob="BLOB"))
        except sqlite3.DatabaseError as exc:
            raise InputError("DF-AXS-012", f"cannot open the SQLite store: {exc}",
                             where) from None
        super().__init__(db, f"sqlite:{path}")

    def _begin(self, cursor: Any, write: bool) -> None:
        cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")


def open_store(url: str) -> Store:
    """The store at ``url``: a file path (SQLite) or ``postgresql://…`` (PostgreSQL).

    Raises
    ------
    InputError
        ``DF-AXS-013`` for another scheme; ``DF-AXS-012`` when the store cannot be opened.
    """
    if url.startswith(("postgresql://", "postgres://")):
        from docflow.axis.store_pg import PostgresStore

        return PostgresStore(url)
    if "://" in url:
        raise InputError("DF-AXS-013", f"{url.split('://')[0]}:// is not a store: give a file "
                         "path (SQLite) or a postgresql:// URL", Location(key="--db"))
    return SqliteStore(url.removeprefix("sqlite:"))
