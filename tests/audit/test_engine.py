"""The audit counts every document once, reuses stored results, and agrees across processes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from archive.factory import make_document, make_status

from audit.signed import national_pki, signed_document, write_trust
from docflow.archive.importer import import_source
from docflow.archive.store import Archive
from docflow.audit import AuditConfig, audit
from docflow.audit.batch import check_blobs
from docflow.audit.signatures import SignatureChecker
from docflow.errors import InputError
from docflow.trust import Trust

SENDERS = ["000.00.00.G22", "000.00.00.H49", "000.00.12.H49"]


def _source(folder: Path, n: int = 60) -> Path:
    """n documents from three senders over two months; every third has a legacy signature."""
    folder.mkdir()
    for i in range(n):
        (folder / f"{i}.edxml").write_bytes(make_document(
            i, sender=SENDERS[i % 3], legacy_signature=i % 3 == 0,
            date="2025/07/15" if i % 2 else "2025/08/01"))
    (folder / "status.xml").write_bytes(make_status("000.00.00.H49,2025/07/01,1/QĐ-UBND"))
    (folder / "junk.xml").write_bytes(b"junk")
    return folder


def test_unsigned_and_legacy_documents_are_counted_exactly(tmp_path: Path) -> None:
    """No signature counts 0; a legacy QCVN signature counts present and never valid."""
    result = audit(_source(tmp_path / "src"), AuditConfig(jobs=1))
    total = result.total
    assert total.documents == 60
    assert (total.organ_present, total.organ_valid, total.signer_present) == (20, 0, 0)
    assert total.reasons == {"DF-ENV-070": 20}
    assert result.status_messages == 1
    assert result.unreadable == {"DF-XML-001": 1}
    by_agency = result.tables["agency"]
    assert by_agency["000.00.00.G22"].organ_present == 20
    assert by_agency["000.00.00.H49"].organ_present == 0
    by_level = result.tables["level"]
    assert {k: c.documents for k, c in by_level.items()} == \
        {"central": 20, "province": 20, "unknown": 20}
    assert {k: c.documents for k, c in result.tables["month"].items()} == \
        {"2025-07": 30, "2025-08": 30}
    assert {k: c.documents for k, c in result.tables["document_type"].items()} == \
        {"Quyết định": 60}
    assert result.archive is None  # a temporary archive


def test_a_second_audit_checks_only_what_is_new(tmp_path: Path) -> None:
    """With the same policy and trust store, stored results are reused; new envelopes checked."""
    src = _source(tmp_path / "src")
    db = tmp_path / "a.sqlite"
    first = audit(src, AuditConfig(jobs=1, db=db))
    assert (first.verified_now, first.reused) == (60, 0)
    (src / "new.edxml").write_bytes(make_document(1000))
    second = audit(src, AuditConfig(jobs=1, db=db))
    assert (second.verified_now, second.reused, second.documents) == (1, 60, 61)
    third = audit(db, AuditConfig(jobs=1))
    assert third.verified_now == 0
    assert third.to_dict()["total"] == second.to_dict()["total"]


def test_another_trust_store_or_time_is_checked_afresh(tmp_path: Path) -> None:
    """Results are tagged with the trust fingerprint and time; changing either re-verifies."""
    db = tmp_path / "a.sqlite"
    audit(_source(tmp_path / "src"), AuditConfig(jobs=1, db=db))
    anchor, _ = write_trust(national_pki(), tmp_path / "trust")
    other = audit(db, AuditConfig(jobs=1, trust=Trust.from_options(anchors=(anchor,))))
    assert other.verified_now == 60
    import datetime as dt
    timed = audit(db, AuditConfig(jobs=1, trust=Trust(at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))))
    assert timed.verified_now == 60 and timed.at == "2026-01-01T00:00:00+00:00"
    assert audit(db, AuditConfig(jobs=1)).verified_now == 0


def test_a_pool_of_workers_counts_what_one_process_counts(tmp_path: Path) -> None:
    """Two worker processes with small chunks give the same result as one process."""
    src = _source(tmp_path / "src", n=90)
    one = audit(src, AuditConfig(jobs=1))
    two = audit(src, AuditConfig(jobs=2, chunk_size=7))
    assert two.to_dict()["total"] == one.to_dict()["total"]
    for dimension in ("level", "agency", "document_type", "month"):
        assert two.tables[dimension] == one.tables[dimension]


def test_a_zip_source_is_imported_then_audited(tmp_path: Path) -> None:
    """A zip is audited like the folder it holds, hostile entries counted as unreadable."""
    path = tmp_path / "src.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(9):
            zf.writestr(f"{i}.edxml", make_document(i, legacy_signature=i < 3))
        zf.writestr("../evil.edxml", make_document(50))
    result = audit(path, AuditConfig(jobs=1))
    assert (result.documents, result.total.organ_present) == (9, 3)
    assert result.unreadable == {"DF-ARC-011": 1}
    assert result.imported is not None and result.imported.added == 9


def test_a_damaged_envelope_lowers_coverage_instead_of_vanishing(tmp_path: Path) -> None:
    """A stored body that no longer matches its hash is a document with no valid signature."""
    db = tmp_path / "a.sqlite"
    with Archive(db) as archive:
        import_source(_source(tmp_path / "src", n=6), archive)
    with sqlite3.connect(db) as con:
        con.execute("UPDATE bodies SET data = x'78' WHERE envelope_id = 1")
    result = audit(db, AuditConfig(jobs=1))
    assert result.documents == 6
    assert result.total.reasons.get("DF-ARC-019") == 1


def test_targets_list_levels_and_agencies_worst_first(tmp_path: Path) -> None:
    """--target lists groups below it, ranked by the upper bound of their interval."""
    result = audit(_source(tmp_path / "src"), AuditConfig(jobs=1, target=0.3,
                                                          measure="organ_present"))
    below = [(b.dimension, b.key) for b in result.below]
    # G22 signs everything it sends (legacy), so only the others are below 30%.
    assert below == [("agency", "000.00.00.H49"), ("agency", "000.00.12.H49"),
                     ("level", "province"), ("level", "unknown")]
    assert all(b.certain for b in result.below)


def test_bad_sources_raise_input_errors(tmp_path: Path) -> None:
    """A missing source or a foreign database is an InputError with a code, not a crash."""
    with pytest.raises(InputError) as err:
        audit(tmp_path / "missing")
    assert err.value.code == "DF-IO-001"
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as con:
        con.execute("CREATE TABLE t (x)")
    with pytest.raises(InputError) as err:
        audit(foreign)
    assert err.value.code == "DF-ARC-005"


def test_config_is_checked() -> None:
    """Impossible settings are refused when the configuration is made."""
    for bad in ({"target": 0.0}, {"target": 1.5}, {"jobs": 0}, {"chunk_size": 0},
                {"measure": "signed"}):
        with pytest.raises(ValueError):
            dataclasses.replace(AuditConfig(), **bad)


def test_an_archive_copy_gives_the_same_answer(tmp_path: Path) -> None:
    """The stored results travel with the archive file: a copy reports the same coverage."""
    db = tmp_path / "a.sqlite"
    first = audit(_source(tmp_path / "src"), AuditConfig(jobs=1, db=db))
    shutil.copy(db, tmp_path / "copy.sqlite")
    copy = audit(tmp_path / "copy.sqlite", AuditConfig(jobs=1))
    assert copy.verified_now == 0
    assert copy.to_dict()["by_agency"] == first.to_dict()["by_agency"]


class _NoOffset(dt.tzinfo):
    """A time zone that cannot tell its offset, as a broken zone database fails."""

    def utcoffset(self, when: dt.datetime | None) -> dt.timedelta:
        raise RuntimeError("the time zone database cannot be read")

    def dst(self, when: dt.datetime | None) -> dt.timedelta | None:
        return None

    def tzname(self, when: dt.datetime | None) -> str | None:
        return None


def test_an_exception_inside_verification_is_counted_with_df_aud_002(tmp_path: Path) -> None:
    """DF-AUD-002 is the net for an exception raised while one envelope is verified: the
    worker counts the envelope present-nothing and not valid with the reason DF-AUD-002, goes
    on with the next, and lets nothing end the audit. No envelope makes the verifier raise
    any more (a damaged certificate is DF-SIG-027: test_cli.py), so the exception comes from
    the one other thing a worker is given, its validation time: a real datetime whose zone
    cannot tell its offset. The same worker with the signing times verifies every envelope,
    so the net made the difference, not the envelopes."""
    pki = national_pki()
    src = tmp_path / "src"
    src.mkdir()
    for serial in range(1, 4):
        (src / f"{serial}.edxml").write_bytes(signed_document(pki, "000.00.00.G22", serial))
    db = tmp_path / "a.sqlite"
    with Archive(db) as archive:
        import_source(src, archive)
    root, crls = write_trust(pki, tmp_path / "trust")
    checker = SignatureChecker(Trust.from_options(anchors=(str(root),), crls=(str(crls),)))
    with sqlite3.connect(db) as con:
        ids = [row[0] for row in con.execute("SELECT id FROM envelopes ORDER BY id")]
    with Archive(db, readonly=True) as archive:
        blobs = archive.read_blobs(ids)
    broken = check_blobs(checker, dt.datetime(2025, 7, 2, tzinfo=_NoOffset()), blobs)
    working = check_blobs(checker, None, blobs)
    assert broken == [(i, False, False, False, False, ("DF-AUD-002",), "", "") for i in ids]
    assert working == [(i, True, True, True, True, (), "xml", "xml") for i in ids]
