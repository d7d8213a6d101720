"""The archive's SQLite schema, as an ordered list of migration steps.

The schema version is SQLite's ``PRAGMA user_version``: 0 for a new, empty file, ``n`` once the
first ``n`` steps of :data:`MIGRATIONS` have run. Opening an archive runs the steps it lacks, each
in its own transaction together with the version bump, so a migration interrupted by a crash
leaves the file at the previous version, intact, and the next open runs the step again. Steps are
only ever appended: a released step is never edited, since archives in the field were made by it.

Tables (latest version)
-----------------------
``envelopes``
    One row per distinct message, identified by the SHA-256 of its raw bytes, with the
    metadata the audit groups by (sender, levels, type, code, dates, month, sizes, kind) and
    the signing time it validates at (``signed_at``, ISO 8601, since version 5).
``bodies``
    The compressed bytes of each envelope (``codec`` ``zstd``, or ``zlib`` in archives written
    before docflow used zstd; both are read), apart from the metadata so that scans of metadata
    never page through the blobs, with the CRC-32 of those bytes (``crc32``, since version 7;
    NULL in older rows, which are checked by their SHA-256 instead).
``receivers``
    The ``To`` organs of each document, in order, with their levels when known.
``status_events``
    Status messages (arrived, accepted, …) about documents, from archived status envelopes or
    written directly by the simulator.
``contexts`` and ``verifications``
    A verification context is a policy, a trust-store fingerprint and a validation time; each
    envelope has at most one result per context, so a resumed or repeated audit only checks
    envelopes with no result yet and can never count one twice.
``rejects``
    Entries of an import source that could not be archived (not XML, hostile XML, zip bombs,
    path traversal…), with the finding code, keyed by where they came from so that importing
    the same source again does not count them again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

__all__ = ["APPLICATION_ID", "MIGRATIONS", "SCHEMA_VERSION", "migrate"]

APPLICATION_ID = 0x64664C57
"""``PRAGMA application_id`` of a docflow archive (``dfLW``): tells our files from other
SQLite databases, so that docflow never migrates a database that is not its own."""


def _v1_envelopes(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE envelopes (
            id INTEGER PRIMARY KEY,
            sha256 BLOB NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('document', 'status')),
            sender TEXT,
            sender_level TEXT,
            document_id TEXT,
            doc_type TEXT,
            code TEXT,
            promulgation_date TEXT,
            month TEXT,
            raw_size INTEGER NOT NULL,
            stored_size INTEGER NOT NULL,
            origin TEXT,
            imported_at TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE bodies (
            envelope_id INTEGER PRIMARY KEY REFERENCES envelopes(id),
            codec TEXT NOT NULL,
            data BLOB NOT NULL
        )""")
    db.execute("""
        CREATE TABLE receivers (
            envelope_id INTEGER NOT NULL REFERENCES envelopes(id),
            position INTEGER NOT NULL,
            organ TEXT NOT NULL,
            level TEXT,
            PRIMARY KEY (envelope_id, position)
        ) WITHOUT ROWID""")
    db.execute("CREATE INDEX envelopes_by_sender ON envelopes(sender)")


def _v2_status_events(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE status_events (
            id INTEGER PRIMARY KEY,
            envelope_id INTEGER UNIQUE REFERENCES envelopes(id),
            document_id TEXT NOT NULL,
            organ TEXT,
            status_code TEXT NOT NULL,
            timestamp TEXT,
            description TEXT
        )""")
    db.execute("CREATE INDEX status_by_document ON status_events(document_id)")


def _v3_verifications(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE contexts (
            id INTEGER PRIMARY KEY,
            fingerprint TEXT NOT NULL UNIQUE,
            policy TEXT NOT NULL,
            trust_fingerprint TEXT NOT NULL,
            at TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE verifications (
            envelope_id INTEGER NOT NULL REFERENCES envelopes(id),
            context_id INTEGER NOT NULL REFERENCES contexts(id),
            organ_present INTEGER NOT NULL,
            organ_valid INTEGER NOT NULL,
            signer_present INTEGER NOT NULL,
            signer_valid INTEGER NOT NULL,
            reasons TEXT NOT NULL,
            PRIMARY KEY (context_id, envelope_id),
            CHECK (organ_valid <= organ_present AND signer_valid <= signer_present)
        ) WITHOUT ROWID""")


def _v4_rejects(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE rejects (
            id INTEGER PRIMARY KEY,
            origin TEXT NOT NULL UNIQUE,
            code TEXT NOT NULL,
            message TEXT NOT NULL,
            imported_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX envelopes_by_kind_month ON envelopes(kind, month)")


def _v5_signed_at(db: sqlite3.Connection) -> None:
    # The audit's default validation time, read once at import instead of at every audit.
    # Archives from version 4 keep NULL here; the audit then reads the time from the envelope.
    db.execute("ALTER TABLE envelopes ADD COLUMN signed_at TEXT")


def _v6_signature_sources(db: sqlite3.Connection) -> None:
    # Where each role's signatures were found (xml, pdf, both, or '' when absent): the audit
    # counts PDF signatures as well as XML-DSig ones and says which. Results stored before
    # keep '' here; they belong to contexts the audit no longer reuses.
    db.execute("ALTER TABLE verifications ADD COLUMN organ_source TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE verifications ADD COLUMN signer_source TEXT NOT NULL DEFAULT ''")


def _v7_body_checksum(db: sqlite3.Connection) -> None:
    # CRC-32 of the stored (compressed) bytes, checked at every read, so that a body damaged
    # on disk is DF-ARC-019 before it is decompressed or verified. Older rows keep NULL:
    # computing one now would bless whatever damage they already carry, so they are checked
    # against their SHA-256 identity instead, which has been stored since version 1.
    db.execute("ALTER TABLE bodies ADD COLUMN crc32 INTEGER")


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _v1_envelopes,
    _v2_status_events,
    _v3_verifications,
    _v4_rejects,
    _v5_signed_at,
    _v6_signature_sources,
    _v7_body_checksum,
)
"""Step ``i`` takes a database from version ``i`` to ``i + 1``. Append only."""

SCHEMA_VERSION = len(MIGRATIONS)
"""The version this docflow writes and reads."""


def migrate(db: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Run the missing steps up to ``target``; return the version the database started at.

    ``db`` must be in autocommit mode (``isolation_level=None``) so that each step, with its
    version bump, is one explicit transaction. The version is read inside that transaction,
    after the write lock is taken, so that two processes opening the same archive never run
    one step twice: the second waits, then finds the step done. The caller checks that the
    database is a docflow archive (or empty) and not newer than :data:`SCHEMA_VERSION`.
    """
    start = int(db.execute("PRAGMA user_version").fetchone()[0])
    if start >= target:
        return start  # nothing to do: no lock, so an archive in use by a writer still opens
    while True:
        db.execute("BEGIN IMMEDIATE")
        try:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version >= target:
                db.execute("COMMIT")
                return start
            if version == 0:
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
            db.execute("COMMIT")
        except BaseException:
            # A Ctrl-C can land after COMMIT has run: then there is nothing to roll back, and
            # a ROLLBACK would turn the interrupt into an "archive unusable" error.
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
