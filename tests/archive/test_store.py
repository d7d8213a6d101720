"""The archive stores envelopes once, transactionally, and refuses bad databases cleanly."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from docflow.archive.metadata import EnvelopeMeta, StatusInfo, read_metadata
from docflow.archive.store import Archive, NewEnvelope, Reject, StoredResult
from docflow.envelope.rules import MessageKind
from docflow.errors import Finding, InputError
from docflow.levels import Level
from docflow.metrics.coverage import DocumentOutcome

from .factory import make_document, make_status

SIGNED = datetime(2025, 8, 31, 9, 15, tzinfo=timezone(timedelta(hours=7)))


def _new(serial: int) -> NewEnvelope:
    data = make_document(serial)
    return NewEnvelope(data, read_metadata(data), origin=f"doc-{serial}.edxml")


def test_envelopes_are_stored_once_by_content_hash(tmp_path: Path) -> None:
    """The same bytes added twice are stored once; both calls report what they did."""
    with Archive(tmp_path / "a.sqlite") as archive:
        first = archive.add_many([_new(1), _new(2), _new(1)])
        second = archive.add_many([_new(2), _new(3)])
        assert (first.added, first.already) == (2, 1)
        assert (second.added, second.already) == (1, 1)
        assert len(archive) == 3
        stored = [data for data, _ in archive.envelopes()]
    assert stored == [make_document(1), make_document(2), make_document(3)]


def test_metadata_round_trips(tmp_path: Path) -> None:
    """Metadata written with an envelope is read back unchanged, levels and receivers included."""
    data = make_document(7, sender="000.00.12.H49", receivers=("000.00.00.G22", "000.00.00.H01"))
    meta = EnvelopeMeta(MessageKind.DOCUMENT, sender="000.00.12.H49",
                        sender_level=Level.DISTRICT, signed_at=SIGNED,
                        receivers=("000.00.00.G22", "000.00.00.H01"),
                        receiver_levels=(Level.CENTRAL, None), document_id="x", doc_type="Tờ trình",
                        code="7/TTr-UBND", promulgation_date="2025/08/31")
    with Archive(tmp_path / "a.sqlite") as archive:
        archive.add_many([NewEnvelope(data, meta)])
        (got_data, got_meta), = list(archive.envelopes())
    assert got_data == data
    assert got_meta == meta
    assert got_meta.month == "2025-08"
    assert read_metadata(data).signed_at == datetime(2025, 7, 1, 23, 59, 59,
                                                     tzinfo=timezone(timedelta(hours=7)))


def test_an_unreadable_stored_signing_time_is_none(tmp_path: Path) -> None:
    """A signed_at damaged in the file reads as unknown (the envelope then says), not as an
    exception that would end an audit."""
    data = make_document(8)
    with Archive(tmp_path / "a.sqlite") as archive:
        archive.add_many([NewEnvelope(data, EnvelopeMeta(MessageKind.DOCUMENT,
                                                         signed_at=SIGNED))])
    with sqlite3.connect(tmp_path / "a.sqlite") as db:
        db.execute("UPDATE envelopes SET signed_at = 'yesterday'")
    with Archive(tmp_path / "a.sqlite") as archive:
        (body,) = archive.read_bodies([1])
        assert (body.data, body.signed_at) == (data, None)
        assert archive.metadata(1).signed_at is None


def test_status_messages_become_status_events(tmp_path: Path) -> None:
    """An archived status message and a bare event are both listed for their document."""
    data = make_status("000.00.00.H49,2025/07/01,1/QĐ-UBND", code="03")
    with Archive(tmp_path / "a.sqlite") as archive:
        archive.add_many([NewEnvelope(data, read_metadata(data))])
        archive.add_status_events([StatusInfo("000.00.00.H49,2025/07/01,1/QĐ-UBND", "06",
                                              organ="000.00.00.G22")])
        events = archive.status_events("000.00.00.H49,2025/07/01,1/QĐ-UBND")
        assert [e.status_code for e in events] == ["03", "06"]
        assert archive.count(MessageKind.STATUS) == 1
        assert archive.count(MessageKind.DOCUMENT) == 0


def test_a_failed_batch_stores_nothing(tmp_path: Path) -> None:
    """An exception in the middle of add_many rolls the whole batch back."""
    def batch() -> Iterator[NewEnvelope]:
        yield _new(1)
        yield _new(2)
        raise RuntimeError("the producer failed")

    with Archive(tmp_path / "a.sqlite") as archive:
        with pytest.raises(RuntimeError):
            archive.add_many(batch())
        assert len(archive) == 0
        assert archive.add_many([_new(1)]).added == 1


def test_rejects_are_recorded_once_per_origin(tmp_path: Path) -> None:
    """A rejected entry met again (a re-import) is not recorded or counted twice."""
    reject = Reject("src.zip!bad.xml", Finding("DF-XML-001", "not XML"))
    with Archive(tmp_path / "a.sqlite") as archive:
        assert archive.add_many([], [reject]).rejected == 1
        again = archive.add_many([], [reject])
        assert (again.rejected, again.rejected_before) == (0, 1)
        assert [r.finding.code for r in archive.rejects()] == ["DF-XML-001"]


def test_results_are_kept_per_context_and_never_doubled(tmp_path: Path) -> None:
    """One result per envelope and context; other contexts see the envelope as unverified."""
    with Archive(tmp_path / "a.sqlite") as archive:
        archive.add_many([_new(1), _new(2)])
        ctx = archive.context(policy="default", trust_fingerprint="aa", at="signing-time")
        assert archive.context(policy="default", trust_fingerprint="aa",
                               at="signing-time") == ctx
        other = archive.context(policy="default", trust_fingerprint="bb", at="signing-time")
        ids = archive.unverified(ctx)
        assert len(ids) == 2
        outcome = DocumentOutcome(organ_present=True, reasons=("DF-ENV-070",),
                                  organ_source="xml")
        assert archive.store_results(ctx, [StoredResult(ids[0], outcome)]) == 1
        assert archive.store_results(ctx, [StoredResult(ids[0], outcome)]) == 0
        assert archive.unverified(ctx) == ids[1:]
        assert archive.unverified(other) == ids
        rows = archive.result_rows(ctx)
    assert rows == [("000.00.00.H49", "province", "Quyết định", "2025-07", 1, 0, 0, 0,
                     '["DF-ENV-070"]', "xml", "")]


def test_the_archive_is_in_wal_mode(tmp_path: Path) -> None:
    """Readers never block the writer: the journal is a write-ahead log."""
    path = tmp_path / "a.sqlite"
    Archive(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_non_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    """A file that is not SQLite gives DF-ARC-001 and is left byte for byte as it was."""
    path = tmp_path / "notes.sqlite"
    content = b"these are my notes, not a database\n" * 100
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        Archive(path)
    assert err.value.code == "DF-ARC-001"
    assert path.read_bytes() == content
    assert sorted(os.listdir(tmp_path)) == ["notes.sqlite"]


def test_another_applications_database_is_refused_untouched(tmp_path: Path) -> None:
    """An SQLite file made by something else gives DF-ARC-005 and is not migrated."""
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers (name TEXT)")
    before = path.read_bytes()
    with pytest.raises(InputError) as err:
        Archive(path)
    assert err.value.code == "DF-ARC-005"
    assert path.read_bytes() == before


def test_a_newer_archive_is_refused(tmp_path: Path) -> None:
    """An archive with a schema version above ours gives DF-ARC-004 and is not changed."""
    path = tmp_path / "a.sqlite"
    Archive(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    before = path.read_bytes()
    with pytest.raises(InputError) as err:
        Archive(path)
    assert err.value.code == "DF-ARC-004"
    assert path.read_bytes() == before


def test_a_corrupt_archive_gives_a_clear_error(tmp_path: Path) -> None:
    """Damaged pages give DF-ARC-002 (or DF-ARC-001 when the header itself is gone)."""
    path = tmp_path / "a.sqlite"
    with Archive(path) as archive:
        archive.add_many([NewEnvelope(os.urandom(3000) + make_document(i),
                                      read_metadata(make_document(i))) for i in range(200)])
    size = path.stat().st_size
    with open(path, "r+b") as handle:  # overwrite the b-tree pages after the header page
        handle.seek(4096)
        handle.write(b"\xa5" * (size - 4096))
    with pytest.raises(InputError) as err, Archive(path) as archive:
        list(archive.envelopes())
    assert err.value.code in ("DF-ARC-002", "DF-ARC-001")


def test_a_locked_archive_gives_a_clear_error(tmp_path: Path) -> None:
    """A write while another process holds the write lock gives DF-ARC-003 after the timeout."""
    path = tmp_path / "a.sqlite"
    Archive(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with Archive(path, timeout=0.05) as archive:
            with pytest.raises(InputError) as err:
                archive.add_many([_new(1)])
            assert err.value.code == "DF-ARC-003"
    finally:
        other.execute("ROLLBACK")
        other.close()
    with Archive(path) as archive:
        assert len(archive) == 0


def test_a_missing_folder_gives_a_clear_error(tmp_path: Path) -> None:
    """An archive path in a folder that does not exist gives DF-ARC-006."""
    with pytest.raises(InputError) as err:
        Archive(tmp_path / "no" / "such" / "a.sqlite")
    assert err.value.code == "DF-ARC-006"


def test_a_damaged_body_is_reported_not_returned(tmp_path: Path) -> None:
    """A body that no longer decompresses or matches its hash gives DF-ARC-019."""
    path = tmp_path / "a.sqlite"
    with Archive(path) as archive:
        archive.add_many([_new(1), _new(2)])
    with sqlite3.connect(path) as db:
        db.execute("UPDATE bodies SET data = x'00010203' WHERE envelope_id = 1")
    with Archive(path) as archive:
        first, second = archive.read_bodies([1, 2])
    assert isinstance(first.data, InputError) and first.data.code == "DF-ARC-019"
    assert second.data == make_document(2)
