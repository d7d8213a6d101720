"""The archive: envelopes, metadata, status events and verification results in one SQLite file.

SQLite (stdlib ``sqlite3``) in WAL mode is the embedded default store: one file that can be
copied, readers (the audit's worker processes) that never block the writer, and transactions that
make an interrupted import or audit resume without losing or double-counting anything.

* Envelopes are identified by the SHA-256 of their raw bytes; adding the same bytes twice is a
  no-op, which makes re-imports idempotent.
* Bodies are stored zstd-compressed (``zstandard``): on a signed 12 KB envelope it
  decompresses about 2.5× faster than zlib (43 against 107 µs here), and decompression is on
  the audit's path for every envelope, beside a signature check of well under a millisecond.
  Bodies written as zlib by earlier versions are still read.
* Every write is one explicit transaction (``BEGIN IMMEDIATE`` … ``COMMIT``): a batch is stored
  whole or not at all. ``synchronous=NORMAL`` in WAL mode keeps every committed transaction
  across a killed process; only a power cut can lose the last few.
* Every ``sqlite3`` error is turned into an :class:`~docflow.errors.InputError` with a
  ``DF-ARC`` code at this boundary (:mod:`docflow.archive.dbfile`); nothing is written to a
  file that is not a docflow archive.

The rows as values, and a stored body's decoding, are :mod:`docflow.archive.records`.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import zstandard

from docflow.archive.dbfile import Transaction, check_header, error_for, guard
from docflow.archive.metadata import EnvelopeMeta, StatusInfo
from docflow.archive.records import (
    Codec,
    NewEnvelope,
    Reject,
    StoredBlob,
    StoredBody,
    StoredResult,
    WriteCounts,
    content_hash,
    decode_blob,
)
from docflow.archive.schema import APPLICATION_ID, SCHEMA_VERSION, migrate
from docflow.envelope.rules import MessageKind
from docflow.errors import Finding, InputError, Location
from docflow.levels import Level

# The value types live in docflow.archive.records and the SQLite boundary in
# docflow.archive.dbfile; the values are re-exported here, where callers have always found them.
__all__ = ["Archive", "Codec", "NewEnvelope", "Reject", "StoredBlob", "StoredBody",
           "StoredResult", "WriteCounts", "content_hash", "decode_blob"]


def _stored_time(text: str | None) -> datetime | None:
    """A stored ``signed_at``, or ``None`` when there is none or it cannot be read.

    The column is a copy of what the envelope says, kept to spare the audit a search of the
    tree: a damaged or foreign value must not end an audit, and ``None`` makes the audit read
    the time from the envelope itself, as for an archive older than the column.

    >>> _stored_time("2025-07-01T09:30:00+07:00").isoformat(), _stored_time("yesterday")
    ('2025-07-01T09:30:00+07:00', None)
    """
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Archive:
    """An open archive database; use as a context manager, or call :meth:`close`.

    Parameters
    ----------
    path
        The SQLite file; created (with its folder's existing permissions) when missing.
    timeout
        Seconds to wait for another process's write lock before giving up with ``DF-ARC-003``.
        Five seconds covers a writer's batch commit; a held lock beyond that means another
        import or audit is running.
    readonly
        Open without writing anything (the audit's workers): no migration, no WAL switch.

    Raises
    ------
    InputError
        ``DF-ARC-001`` not SQLite, ``DF-ARC-002`` corrupt, ``DF-ARC-003`` locked,
        ``DF-ARC-004`` newer schema, ``DF-ARC-005`` another application's database,
        ``DF-ARC-006`` cannot create or write.

    Examples
    --------
    >>> import tempfile, os
    >>> from docflow.archive.metadata import EnvelopeMeta
    >>> from docflow.envelope.rules import MessageKind
    >>> folder = tempfile.mkdtemp()
    >>> with Archive(os.path.join(folder, "a.sqlite")) as archive:
    ...     meta = EnvelopeMeta(MessageKind.DOCUMENT, sender="000.00.00.G22")
    ...     archive.add_many([NewEnvelope(b"<edXML/>", meta)]).added
    ...     archive.add_many([NewEnvelope(b"<edXML/>", meta)]).already
    1
    1
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 5.0,
                 readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._decompressor = zstandard.ZstdDecompressor()
        check_header(self.path)
        if readonly and not self.path.exists():
            raise InputError("DF-IO-001", "the archive does not exist", Location(file=str(path)))
        try:
            if readonly:
                uri = self.path.resolve().as_uri() + "?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None,
                                           check_same_thread=False)
            else:
                self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None,
                                           check_same_thread=False)
        except sqlite3.Error as exc:
            raise error_for(exc, str(self.path)) from None
        try:
            self._setup_waiting(timeout)
        except BaseException:
            self._db.close()
            raise

    def _setup_waiting(self, timeout: float) -> None:
        """:meth:`_setup`, tried again while another process holds the file, up to ``timeout``.

        SQLite's busy timeout does not cover every case: when two connections would deadlock
        (one switching a new file to WAL, the other starting its write), it answers "locked"
        at once to one of them. Every step of the setup is its own transaction, so trying
        again after a short pause is safe.
        """
        deadline = time.monotonic() + timeout
        pause = 0.005
        while True:
            try:
                self._setup()
                return
            except InputError as exc:
                if exc.code != "DF-ARC-003" or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    @guard
    def _setup(self) -> None:
        db = self._db
        version = self._check_identity(readonly=self.readonly)
        if self.readonly:
            return
        if version < SCHEMA_VERSION:
            # Something to create or migrate: the write lock first, then the checks again.
            # Two processes creating one new archive would otherwise both read version 0 and
            # both create the tables; now the first migrates and the second, having waited
            # for the lock, finds the archive complete. An up-to-date archive needs no lock,
            # so it opens while another process writes.
            db.execute("BEGIN IMMEDIATE")
            try:
                if self._check_identity(readonly=False) == 0:
                    # Claimed for docflow in the locked transaction, so that a second opener
                    # never takes a half-made archive for another application's database.
                    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        self.migrated_from = migrate(db)

    def _check_identity(self, *, readonly: bool) -> int:
        """Refuse another application's database or a newer schema; return the version."""
        # One statement, so one snapshot: read one by one, the three could straddle another
        # process's migration and show its tables without its application id.
        app_id, version, tables = self._db.execute(
            "SELECT a.application_id, v.user_version, (SELECT count(*) FROM sqlite_master) "
            "FROM pragma_application_id() a, pragma_user_version() v").fetchone()
        app_id, version = int(app_id), int(version)
        if app_id != APPLICATION_ID and (app_id != 0 or tables):
            raise InputError("DF-ARC-005", "this SQLite database is not a docflow archive "
                             f"(application_id {app_id:#x}, {tables} schema objects); "
                             "it is left untouched", Location(file=str(self.path)))
        if version > SCHEMA_VERSION:
            raise InputError("DF-ARC-004", f"the archive has schema version {version}; this "
                             f"docflow reads up to {SCHEMA_VERSION}; upgrade docflow",
                             Location(file=str(self.path)))
        if readonly and version < SCHEMA_VERSION:
            raise InputError("DF-ARC-004", f"the archive has schema version {version}; "
                             "open it once for writing to migrate it",
                             Location(file=str(self.path)))
        return version

    # -- lifetime ----------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection (committed data is already safe)."""
        self._db.close()

    @guard
    def checkpoint(self) -> bool:
        """Copy the write-ahead log into the database file and empty it; True when complete.

        SQLite does this itself when the last connection closes, but not when a read-only
        connection (an audit worker's) is the last: the results then stay in
        ``archive.sqlite-wal``, and a copy of the ``.sqlite`` alone loses them. ``TRUNCATE``
        waits (up to the timeout) for readers on older snapshots, then leaves a 0-byte log.
        """
        busy, _, _ = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return not busy

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    @guard
    def schema_version(self) -> int:
        """The schema version of the file (:data:`~docflow.archive.schema.SCHEMA_VERSION`)."""
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _transaction(self) -> Transaction:
        return Transaction(self._db)

    # -- writing -----------------------------------------------------------------------------
    @guard
    def add_many(self, envelopes: Iterable[NewEnvelope], rejects: Iterable[Reject] = (),
                 *, level: int = 3) -> WriteCounts:
        """Add envelopes (and import rejects) in one transaction; already stored ones are kept.

        This is the bulk API for the simulator and the importer: metadata comes with each
        envelope, so nothing is parsed here; the bytes are hashed and compressed, and rows are
        inserted with ``executemany``. Either the whole batch is stored or nothing is.

        Parameters
        ----------
        envelopes
            The envelopes with their metadata.
        rejects
            Import-source entries that could not be archived, recorded once per origin.
        level
            zstd compression level; 3 is zstd's own default balance of speed and size.
        """
        now = _now()
        added = already = rejected = rejected_before = 0
        compressor = zstandard.ZstdCompressor(level=level)
        with self._transaction() as db:
            for item in envelopes:
                digest = content_hash(item.data)
                meta = item.meta
                compressed = compressor.compress(item.data)
                cur = db.execute(
                    "INSERT OR IGNORE INTO envelopes (sha256, kind, sender, sender_level, "
                    "document_id, doc_type, code, promulgation_date, month, raw_size, "
                    "stored_size, origin, imported_at, signed_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (digest, meta.kind.value, meta.sender,
                     meta.sender_level.value if meta.sender_level else None, meta.document_id,
                     meta.doc_type, meta.code, meta.promulgation_date, meta.month,
                     len(item.data), len(compressed), item.origin, now,
                     meta.signed_at.isoformat() if meta.signed_at else None))
                if cur.rowcount == 0:
                    already += 1
                    continue
                added += 1
                envelope_id = cur.lastrowid
                db.execute("INSERT INTO bodies (envelope_id, codec, data, crc32) "
                           "VALUES (?,?,?,?)", (envelope_id, Codec.ZSTD.value, compressed,
                                                zlib.crc32(compressed)))
                if meta.receivers:
                    levels = meta.receiver_levels or (None,) * len(meta.receivers)
                    db.executemany(
                        "INSERT INTO receivers (envelope_id, position, organ, level) "
                        "VALUES (?,?,?,?)",
                        [(envelope_id, i, organ, lv.value if lv else None)
                         for i, (organ, lv) in enumerate(zip(meta.receivers, levels,
                                                             strict=True))])
                if meta.status is not None:
                    self._insert_status(db, envelope_id, meta.status)
            for reject in rejects:
                cur = db.execute(
                    "INSERT OR IGNORE INTO rejects (origin, code, message, imported_at) "
                    "VALUES (?,?,?,?)",
                    (reject.origin, reject.finding.code, reject.finding.message, now))
                if cur.rowcount:
                    rejected += 1
                else:
                    rejected_before += 1
        return WriteCounts(added, already, rejected, rejected_before)

    @staticmethod
    def _insert_status(db: sqlite3.Connection, envelope_id: int | None,
                       status: StatusInfo) -> None:
        db.execute("INSERT INTO status_events (envelope_id, document_id, organ, status_code, "
                   "timestamp, description) VALUES (?,?,?,?,?,?)",
                   (envelope_id, status.document_id, status.organ, status.status_code,
                    status.timestamp, status.description))

    @guard
    def add_status_events(self, events: Iterable[StatusInfo]) -> int:
        """Record status events that have no envelope (the simulator's model mode)."""
        count = 0
        with self._transaction() as db:
            for event in events:
                self._insert_status(db, None, event)
                count += 1
        return count

    # -- reading envelopes -------------------------------------------------------------------
    @guard
    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM envelopes").fetchone()[0])

    @guard
    def count(self, kind: MessageKind | None = None) -> int:
        """Number of envelopes, of one kind or all."""
        if kind is None:
            return len(self)
        return int(self._db.execute("SELECT count(*) FROM envelopes WHERE kind = ?",
                                    (kind.value,)).fetchone()[0])

    @guard
    def contains(self, digests: Sequence[bytes]) -> set[bytes]:
        """The digests among ``digests`` that the archive already holds."""
        found: set[bytes] = set()
        for start in range(0, len(digests), 500):  # stay under SQLite's variable limit
            chunk = list(digests[start:start + 500])
            marks = ",".join("?" * len(chunk))
            found.update(row[0] for row in self._db.execute(
                f"SELECT sha256 FROM envelopes WHERE sha256 IN ({marks})", chunk))
        return found

    @guard
    def get(self, digest: bytes) -> bytes:
        """The raw bytes of the envelope with this content hash (``KeyError`` if absent)."""
        row = self._db.execute("SELECT b.envelope_id, b.codec, b.data, e.sha256, b.crc32 "
                               "FROM bodies b JOIN envelopes e ON e.id = b.envelope_id "
                               "WHERE e.sha256 = ?", (digest,)).fetchone()
        if row is None:
            raise KeyError(digest.hex())
        return self._decode(row[0], row[1], row[2], row[3], row[4])

    def _decode(self, envelope_id: int, codec: str, blob: bytes, digest: bytes,
                crc: int | None, check_hash: bool = True) -> bytes:
        return decode_blob(StoredBlob(envelope_id, codec, blob, digest, crc=crc),
                           check_hash=check_hash, file=str(self.path),
                           decompressor=self._decompressor)

    def read_bodies(self, ids: Sequence[int], *, check_hash: bool = True) -> list[StoredBody]:
        """The bytes of the envelopes ``ids`` (or the ``DF-ARC-019`` error of a damaged one),
        with their recorded signing times, in the order of ``ids``.

        The stored CRC-32 catches a body damaged on disk (and each codec checks what it can
        of its frame); ``check_hash`` also recomputes the SHA-256 identity, which catches a
        body swapped for another intact one. The audit turns it off: there a signature check
        covers the content anyway, and the hash costs about as much as the decompression.
        Bodies stored before the checksum (schema version 5) are always hash-checked.
        """
        out: list[StoredBody] = []
        for item in self.read_blobs(ids):
            try:
                data: bytes | InputError = decode_blob(item, check_hash=check_hash,
                                                       file=str(self.path),
                                                       decompressor=self._decompressor)
            except InputError as exc:
                data = exc
            out.append(StoredBody(item.envelope_id, data, item.signed_at))
        return out

    @guard
    def read_blobs(self, ids: Sequence[int]) -> list[StoredBlob]:
        """The stored (compressed) bodies of ``ids``, in the order of ``ids``, with their
        signing times; a missing body has the codec ``""`` (:func:`decode_blob` reports it)."""
        out: list[StoredBlob] = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                "SELECT b.envelope_id, b.codec, b.data, e.sha256, b.crc32, e.signed_at FROM "
                f"bodies b JOIN envelopes e ON e.id = b.envelope_id WHERE b.envelope_id IN "
                f"({marks})",
                chunk).fetchall()
            by_id = {row[0]: row for row in rows}
            for envelope_id in chunk:
                row = by_id.get(envelope_id)
                if row is None:
                    out.append(StoredBlob(envelope_id, "", b"", b""))
                    continue
                out.append(StoredBlob(row[0], row[1], row[2], row[3], crc=row[4],
                                      signed_at=_stored_time(row[5])))
        return out

    def envelopes(self, kind: MessageKind | None = MessageKind.DOCUMENT
                  ) -> Iterator[tuple[bytes, EnvelopeMeta]]:
        """Every envelope's raw bytes and stored metadata, in insertion order."""
        for envelope_id, digest in self._ids_and_digests(kind):
            yield self.get(digest), self.metadata(envelope_id)

    @guard
    def _ids_and_digests(self, kind: MessageKind | None) -> list[tuple[int, bytes]]:
        query = "SELECT id, sha256 FROM envelopes" + (" WHERE kind = ?" if kind else "") + \
            " ORDER BY id"
        return self._db.execute(query, (kind.value,) if kind else ()).fetchall()

    @guard
    def metadata(self, envelope_id: int) -> EnvelopeMeta:
        """The stored metadata of one envelope."""
        row = self._db.execute(
            "SELECT kind, sender, sender_level, document_id, doc_type, code, promulgation_date, "
            "signed_at FROM envelopes WHERE id = ?", (envelope_id,)).fetchone()
        if row is None:
            raise KeyError(envelope_id)
        recv = self._db.execute("SELECT organ, level FROM receivers WHERE envelope_id = ? "
                                "ORDER BY position", (envelope_id,)).fetchall()
        st = self._db.execute("SELECT document_id, status_code, organ, timestamp, description "
                              "FROM status_events WHERE envelope_id = ?",
                              (envelope_id,)).fetchone()
        return EnvelopeMeta(
            kind=MessageKind(row[0]), sender=row[1],
            sender_level=Level(row[2]) if row[2] else None,
            receivers=tuple(r[0] for r in recv),
            receiver_levels=tuple(Level(r[1]) if r[1] else None for r in recv) if recv else (),
            document_id=row[3], doc_type=row[4], code=row[5], promulgation_date=row[6],
            status=StatusInfo(*st) if st else None,
            signed_at=_stored_time(row[7]))

    @guard
    def status_events(self, document_id: str | None = None) -> list[StatusInfo]:
        """Status events, of one document or all, in the order they were recorded."""
        query = "SELECT document_id, status_code, organ, timestamp, description FROM " \
            "status_events" + (" WHERE document_id = ?" if document_id else "") + " ORDER BY id"
        return [StatusInfo(*row) for row in
                self._db.execute(query, (document_id,) if document_id else ())]

    @guard
    def rejects(self) -> list[Reject]:
        """Import-source entries that could not be archived, in the order they were met."""
        return [Reject(origin, Finding(code, message, Location(file=origin)))
                for origin, code, message in self._db.execute(
                    "SELECT origin, code, message FROM rejects ORDER BY id")]

    # -- verification results ----------------------------------------------------------------
    @guard
    def context(self, *, policy: str, trust_fingerprint: str, at: str) -> int:
        """The id of the verification context (policy, trust store, time), created if new."""
        fingerprint = hashlib.sha256(json.dumps([policy, trust_fingerprint, at]).encode())\
            .hexdigest()
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO contexts (fingerprint, policy, trust_fingerprint, "
                       "at, created_at) VALUES (?,?,?,?,?)",
                       (fingerprint, policy, trust_fingerprint, at, _now()))
            row = db.execute("SELECT id FROM contexts WHERE fingerprint = ?",
                             (fingerprint,)).fetchone()
        return int(row[0])

    @guard
    def unverified(self, context_id: int, kind: MessageKind = MessageKind.DOCUMENT) -> list[int]:
        """Ids of envelopes of ``kind`` with no result in this context yet, by sender then id.

        Grouping by sender means a chunk of work holds few senders, so each certificate is
        path-validated by about one worker instead of by every worker.
        """
        return [row[0] for row in self._db.execute(
            "SELECT e.id FROM envelopes e WHERE e.kind = ? AND NOT EXISTS (SELECT 1 FROM "
            "verifications v WHERE v.context_id = ? AND v.envelope_id = e.id) "
            "ORDER BY e.sender, e.id", (kind.value, context_id))]

    @guard
    def raw_sizes(self, ids: Sequence[int]) -> list[int]:
        """The raw size in bytes of each envelope of ``ids``, in their order (0 if unknown)."""
        sizes: dict[int, int] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            sizes.update(self._db.execute(
                f"SELECT id, raw_size FROM envelopes WHERE id IN ({marks})", chunk).fetchall())
        return [int(sizes.get(i, 0)) for i in ids]

    @guard
    def store_results(self, context_id: int, results: Iterable[StoredResult]) -> int:
        """Store verification results in one transaction; a result already stored is kept.

        Returns the number of new results, so a resumed audit can tell what it added.
        """
        rows = [(r.envelope_id, context_id, int(r.outcome.organ_present),
                 int(r.outcome.organ_valid), int(r.outcome.signer_present),
                 int(r.outcome.signer_valid), json.dumps(sorted(set(r.outcome.reasons))),
                 r.outcome.organ_source, r.outcome.signer_source)
                for r in results]
        with self._transaction() as db:
            before = db.total_changes
            db.executemany("INSERT OR IGNORE INTO verifications (envelope_id, context_id, "
                           "organ_present, organ_valid, signer_present, signer_valid, reasons, "
                           "organ_source, signer_source) VALUES (?,?,?,?,?,?,?,?,?)", rows)
            return db.total_changes - before

    @guard
    def result_rows(self, context_id: int) -> list[tuple[Any, ...]]:
        """Per document verified in this context: sender, sender level, type, month, outcome.

        Rows are ``(sender, sender_level, doc_type, month, organ_present, organ_valid,
        signer_present, signer_valid, reasons_json, organ_source, signer_source)``, in
        envelope id order.
        """
        return self._db.execute(
            "SELECT e.sender, e.sender_level, e.doc_type, e.month, v.organ_present, "
            "v.organ_valid, v.signer_present, v.signer_valid, v.reasons, v.organ_source, "
            "v.signer_source FROM verifications v "
            "JOIN envelopes e ON e.id = v.envelope_id WHERE v.context_id = ? AND "
            "e.kind = 'document' ORDER BY e.id", (context_id,)).fetchall()

    @guard
    def size_totals(self) -> tuple[int, int]:
        """Total raw and stored bytes of all envelopes."""
        row = self._db.execute("SELECT coalesce(sum(raw_size), 0), coalesce(sum(stored_size), 0) "
                               "FROM envelopes").fetchone()
        return int(row[0]), int(row[1])
