"""An archive made by an older docflow is migrated step by step, keeping what it holds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from docflow.archive.metadata import read_metadata
from docflow.archive.schema import APPLICATION_ID, SCHEMA_VERSION, migrate
from docflow.archive.store import Archive, NewEnvelope, StoredResult, content_hash
from docflow.envelope.rules import MessageKind
from docflow.metrics.coverage import DocumentOutcome

from .factory import make_document


def _version_1_archive(path: Path) -> bytes:
    """Write an archive as the first schema version did, with one envelope in it."""
    import zlib

    data = make_document(1)
    db = sqlite3.connect(path, isolation_level=None)
    migrate(db, target=1)
    db.execute("INSERT INTO envelopes (sha256, kind, sender, sender_level, document_id, "
               "doc_type, code, promulgation_date, month, raw_size, stored_size, origin, "
               "imported_at) VALUES (?, 'document', '000.00.00.H49', 'province', 'd', "
               "'Quyết định', '1/QĐ-UBND', '2025/07/01', '2025-07', ?, ?, 'old', 'then')",
               (content_hash(data), len(data), len(zlib.compress(data))))
    db.execute("INSERT INTO bodies VALUES (1, 'zlib', ?)", (zlib.compress(data),))
    db.close()
    return data


def test_an_old_archive_is_migrated_and_keeps_its_envelopes(tmp_path: Path) -> None:
    """Opening a version-1 archive runs the missing steps; its envelope stays readable."""
    path = tmp_path / "old.sqlite"
    data = _version_1_archive(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    with Archive(path) as archive:
        assert archive.migrated_from == 1
        assert archive.schema_version == SCHEMA_VERSION
        assert archive.get(content_hash(data)) == data
        # The kind written as text by the first version reads as the envelope's MessageKind.
        assert archive.metadata(1).kind is MessageKind.DOCUMENT
        assert archive.count(MessageKind.DOCUMENT) == 1
        assert archive.count(MessageKind.STATUS) == 0
        # The tables added by later steps work.
        ctx = archive.context(policy="default", trust_fingerprint="x", at="signing-time")
        archive.store_results(ctx, [StoredResult(1, DocumentOutcome())])
        assert archive.rejects() == []
        assert archive.add_many([NewEnvelope(data, read_metadata(data))]).already == 1
        # The signing time added in version 5 is empty for old rows and filled for new ones.
        assert archive.metadata(1).signed_at is None
    with Archive(path) as archive:
        assert archive.migrated_from == SCHEMA_VERSION


def test_each_step_is_atomic(tmp_path: Path) -> None:
    """A step that fails leaves the database at the version before it, unchanged."""
    path = tmp_path / "a.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    migrate(db, target=2)
    db.execute("CREATE TABLE contexts (x)")  # makes step 3 fail half-way
    try:
        migrate(db)
    except sqlite3.OperationalError:
        pass
    else:
        raise AssertionError("step 3 should have failed")
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "verifications" not in tables
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    db.close()


def test_a_fresh_archive_has_every_step() -> None:
    """The schema version is the number of steps, so a new step cannot be forgotten."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    assert migrate(db) == 0
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
