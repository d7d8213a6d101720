"""A body damaged on disk is DF-ARC-019 in the audit, never an XML or a signature error."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import zlib
from pathlib import Path

import pytest

from audit.signed import national_pki, signed_document, write_trust
from docflow.archive.importer import import_source
from docflow.archive.schema import SCHEMA_VERSION, migrate
from docflow.archive.store import Archive, content_hash
from docflow.audit import AuditConfig, audit
from docflow.errors import InputError
from docflow.trust import Trust


def _signed_archive(folder: Path, n: int = 4) -> tuple[Path, AuditConfig]:
    pki = national_pki()
    src = folder / "src"
    src.mkdir()
    for serial in range(1, n + 1):
        (src / f"{serial}.edxml").write_bytes(signed_document(pki, "000.00.00.G22", serial,
                                                              size=4000))
    db = folder / "archive.sqlite"
    with Archive(db) as archive:
        import_source(src, archive)
    root, crls = write_trust(pki, folder / "trust")
    return db, AuditConfig(trust=Trust(anchors=(root,), crls=(crls,)), jobs=1)


def _damage_on_disk(db: Path, envelope_id: int, offsets: tuple[int, ...]) -> None:
    """Flip bytes of one stored body in the SQLite file itself, as a failing disk would."""
    with contextlib.closing(sqlite3.connect(db)) as con:
        blob = con.execute("SELECT data FROM bodies WHERE envelope_id = ?",
                           (envelope_id,)).fetchone()[0]
    raw = bytearray(db.read_bytes())  # the archive is closed, so checkpointed: all in the file
    for offset in offsets:
        # A large body spans overflow pages: find the bytes around the offset, not the blob.
        start = max(0, min(offset - 8, len(blob) - 16))
        at = raw.find(blob[start:start + 16])
        assert at > 0 and raw.find(blob[start:start + 16], at + 1) < 0
        raw[at + offset - start] ^= 0x20
    db.write_bytes(bytes(raw))


def _reasons(db: Path) -> dict[int, list[str]]:
    with contextlib.closing(sqlite3.connect(db)) as con:
        return {row[0]: json.loads(row[1]) for row in
                con.execute("SELECT envelope_id, reasons FROM verifications")}


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_a_body_damaged_on_disk_is_reported_as_damaged(tmp_path: Path, where: str) -> None:
    """Bytes flipped at the start, the middle or the end of a stored body: that document's
    only reason is DF-ARC-019; the others verify as before."""
    db, config = _signed_archive(tmp_path)
    with contextlib.closing(sqlite3.connect(db)) as con:
        size = con.execute("SELECT length(data) FROM bodies WHERE envelope_id = 2").fetchone()[0]
    offset = {"start": 12, "middle": size // 2, "end": size - 12}[where]
    _damage_on_disk(db, 2, (offset,))
    result = audit(db, config)
    reasons = _reasons(db)
    assert reasons[2] == ["DF-ARC-019"]
    assert all(reasons[i] == [] for i in (1, 3, 4))
    assert result.total.documents == 4 and result.total.both_valid == 3


def test_an_archive_from_before_the_checksum_is_migrated_and_checked_by_hash(
        tmp_path: Path) -> None:
    """A version-5 archive gains the checksum column; its old bodies, which have none, are
    checked against their SHA-256, so damage is DF-ARC-019 there too."""
    db, config = _signed_archive(tmp_path)
    old = tmp_path / "old.sqlite"
    con = sqlite3.connect(old, isolation_level=None)
    migrate(con, target=5)
    with contextlib.closing(sqlite3.connect(db)) as source:
        for table in ("envelopes", "bodies", "receivers"):
            columns = [c[1] for c in con.execute(f"PRAGMA table_info({table})")]
            names = ", ".join(columns)
            for row in source.execute(f"SELECT {names} FROM {table}"):
                con.execute(f"INSERT INTO {table} ({names}) VALUES "
                            f"({', '.join('?' * len(row))})", row)
    con.close()
    with Archive(old) as archive:
        assert (archive.migrated_from, archive.schema_version) == (5, SCHEMA_VERSION)
    with contextlib.closing(sqlite3.connect(old)) as con:
        assert con.execute("SELECT count(*) FROM bodies WHERE crc32 IS NULL").fetchone()[0] == 4
    _damage_on_disk(old, 3, (40,))
    audit(old, config)
    assert _reasons(old)[3] == ["DF-ARC-019"]


def test_reading_a_damaged_body_names_the_envelope(tmp_path: Path) -> None:
    """``Archive.get`` of a damaged body raises DF-ARC-019 naming the envelope."""
    db, _ = _signed_archive(tmp_path, 1)
    with Archive(db) as archive:
        data = next(archive.envelopes())[0]
        stored = archive._db.execute("SELECT crc32, data FROM bodies").fetchone()
    assert stored[0] == zlib.crc32(stored[1])
    _damage_on_disk(db, 1, (30,))
    with Archive(db) as archive, pytest.raises(InputError) as err:
        archive.get(content_hash(data))
    assert err.value.code == "DF-ARC-019" and "envelope 1" in str(err.value)
