"""Audits of really signed archives: roles, validity, reasons and time, per agency and level."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.signed import SENT, national_pki, signed_document, write_trust
from docflow.archive.importer import ImportConfig, import_source
from docflow.archive.store import Archive
from docflow.audit import AuditConfig, audit
from docflow.cli import cli
from docflow.levels import Level
from docflow.pki.national import NationalPki
from docflow.pki.roles import Role
from docflow.trust import Trust

REVOKED_AT = dt.datetime(2025, 9, 1, tzinfo=dt.UTC)
"""The commune's organ certificate is revoked after the documents were signed (July)."""

LEVELS = {"000.00.12.H49": Level.PROVINCE, "000.01.12.H49": Level.COMMUNE}


@pytest.fixture(scope="module")
def pki() -> NationalPki:
    return national_pki(revoked={("000.00.12.H49", Role.ORGAN): dt.datetime(2025, 1, 2,
                                                                              tzinfo=dt.UTC),
                                 ("000.01.12.H49", Role.ORGAN): REVOKED_AT},
                        expired=(("000.00.00.H49", Role.SIGNER),))


@pytest.fixture(scope="module")
def archive_db(pki: NationalPki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Per agency: G22 signs fully (one copy tampered); the province signs with an expired
    person certificate; the department's organ certificate is revoked before July; the commune's
    after; one document of each agency is left unsigned."""
    folder = tmp_path_factory.mktemp("verified")
    src = folder / "src"
    src.mkdir()
    serial = 0
    for sender in ("000.00.00.G22", "000.00.00.H49", "000.00.12.H49", "000.01.12.H49"):
        for i in range(4):
            serial += 1
            signed = i < 3
            data = signed_document(pki, sender, serial, organ=signed, signer=signed,
                                   tamper=sender == "000.00.00.G22" and i == 2)
            (src / f"{serial:03}.edxml").write_bytes(data)
    db = folder / "archive.sqlite"
    with Archive(db) as archive:
        import_source(src, archive, ImportConfig(levels=LEVELS))
    return db


def _fresh_copy(db: Path, folder: Path) -> Path:
    """A copy of the archive without the results earlier tests stored in it."""
    copy = folder / "copy.sqlite"
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
        target.execute("DELETE FROM verifications")
    return copy


@pytest.fixture(scope="module")
def trust(pki: NationalPki, tmp_path_factory: pytest.TempPathFactory) -> Trust:
    root, crls = write_trust(pki, tmp_path_factory.mktemp("trust"))
    return Trust.from_options(anchors=(root,), crls=(crls,))


def test_each_agency_is_counted_by_role_and_validity(archive_db: Path,
                                                     trust: Trust) -> None:
    """Present and valid per role follow what was signed, with the verifier's reasons."""
    result = audit(archive_db, AuditConfig(trust=trust, jobs=1))
    agency = result.tables["agency"]
    g22, h49 = agency["000.00.00.G22"], agency["000.00.00.H49"]
    dept, commune = agency["000.00.12.H49"], agency["000.01.12.H49"]
    assert (g22.documents, g22.both_present, g22.both_valid) == (4, 3, 2)
    assert g22.reasons == {"DF-SIG-011": 1}  # the tampered attachment
    assert (h49.organ_valid, h49.signer_present, h49.signer_valid) == (3, 3, 0)
    assert h49.reasons == {"DF-PKI-003": 3}  # the expired person certificate
    assert (dept.organ_present, dept.organ_valid, dept.signer_valid) == (3, 0, 3)
    assert dept.reasons == {"DF-PKI-005": 3}  # revoked before the documents were signed
    assert (commune.organ_valid, commune.both_valid) == (3, 3)  # revoked only afterwards
    level = result.tables["level"]
    assert {k: c.documents for k, c in level.items()} == \
        {"central": 4, "province": 8, "commune": 4}
    assert result.total.both_valid == 2 + 0 + 0 + 3


def test_a_later_validation_time_sees_the_later_revocation(archive_db: Path,
                                                           trust: Trust) -> None:
    """--at after the commune's revocation makes its organ signatures invalid (DF-PKI-005)."""
    result = audit(archive_db, AuditConfig(trust=trust.replace(
        at=REVOKED_AT + dt.timedelta(days=1)), jobs=1))
    commune = result.tables["agency"]["000.01.12.H49"]
    assert (commune.organ_present, commune.organ_valid) == (3, 0)
    assert commune.reasons == {"DF-PKI-005": 3}


def test_without_the_trust_store_nothing_is_valid(archive_db: Path) -> None:
    """No trust anchor: every signature is present and none is valid."""
    result = audit(archive_db, AuditConfig(jobs=1))
    assert (result.total.organ_present, result.total.signer_present) == (12, 12)
    assert (result.total.organ_valid, result.total.signer_valid) == (0, 0)


def test_workers_verify_as_one_process_does(archive_db: Path, trust: Trust,
                                            tmp_path: Path) -> None:
    """A pool of two workers with tiny chunks reproduces the one-process counts exactly."""
    copy = _fresh_copy(archive_db, tmp_path)
    one = audit(archive_db, AuditConfig(trust=trust, jobs=1))
    two = audit(copy, AuditConfig(trust=trust, jobs=2, chunk_size=3))
    assert two.verified_now == 16
    for dimension in ("level", "agency", "document_type", "month"):
        assert two.tables[dimension] == one.tables[dimension]


def test_the_cli_takes_trust_and_crl_as_verify_does(archive_db: Path, trust: Trust,
                                                    tmp_path: Path) -> None:
    """--trust/--crl/--target on the command line give the library's result."""
    copy = _fresh_copy(archive_db, tmp_path)
    result = CliRunner().invoke(cli, [
        "audit", str(copy), "-j", "1", "--trust", str(trust.anchors[0]), "--crl",
        str(trust.crls[0]), "--target", "0.9", "--format", "csv"])
    assert result.exit_code == 1  # levels below 90% both valid
    assert "agency,000.01.12.H49,4,3,3,3,3,3,3," in result.stdout
    off = CliRunner().invoke(cli, ["audit", str(copy), "-j", "1", "--trust",
                                   str(trust.anchors[0]), "--revocation", "off",
                                   "--format", "json"])
    assert off.exit_code == 0, off.output
    assert '"policy": "default+revocation=off"' in off.stdout


def test_signing_time_comes_from_the_senders_trace_header(pki: NationalPki) -> None:
    """The default validation time is the sender's TraceHeader timestamp."""
    from docflow.audit.signatures import signing_time
    from docflow.xmlsafe import parse_xml

    data = signed_document(pki, "000.00.00.H49", 99)
    assert signing_time(parse_xml(data)) == SENT
