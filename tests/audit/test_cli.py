"""``docflow audit`` through the CLI: formats, exit codes, and an audit killed and resumed."""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from archive.factory import make_document
from click.testing import CliRunner
from cryptography import x509
from lxml import etree

from audit.signed import national_pki, signed_document, write_trust
from docflow.archive.importer import import_source
from docflow.archive.store import Archive
from docflow.cli import cli
from docflow.errors import CATALOGUE
from docflow.xmlsafe import parse_xml


def _source(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        (folder / f"{i:05}.edxml").write_bytes(make_document(
            i, sender="000.00.00.G22" if i % 2 else "000.00.00.H49", legacy_signature=i % 4 == 0))
    return folder


def test_json_follows_the_documented_schema(tmp_path: Path) -> None:
    """The JSON form has the schema id and the fields the README documents."""
    result = CliRunner().invoke(cli, ["audit", str(_source(tmp_path / "src", 8)), "-j", "1",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "docflow.audit/1"
    assert set(data) == {"schema", "docflow_version", "source", "archive", "context",
                         "documents", "verified_now", "reused", "status_messages", "unreadable",
                         "total", "by_level", "by_agency", "by_document_type", "by_month",
                         "target", "import", "notices", "sources", "directory", "by_province",
                         "by_province_level"}
    assert data["sources"]["organ"] == {"xml": 2, "pdf": 0, "both": 0}
    assert set(data["context"]) == {"policy", "trust_fingerprint", "at", "trust_source",
                                    "anchors"}
    assert data["documents"] == 8
    assert data["total"]["organ_present"] == 2
    assert data["by_level"]["central"]["rates"]["organ_present"]["high"] > 0
    assert data["context"]["at"] == "signing-time"


def test_target_exit_code_and_table(tmp_path: Path) -> None:
    """With groups below --target the table lists them and the exit code is 1."""
    src = _source(tmp_path / "src", 8)
    result = CliRunner().invoke(cli, ["audit", str(src), "-j", "1", "--target", "0.98",
                                      "--min-documents", "1"])
    assert result.exit_code == 1
    assert "Below the target of 98.0% both_valid" in result.output
    assert "000.00.00.H49" in result.output
    signed = tmp_path / "signed"
    signed.mkdir()
    for i in range(3):
        (signed / f"{i}.xml").write_bytes(make_document(i, legacy_signature=True))
    ok = CliRunner().invoke(cli, ["audit", str(signed), "-j", "1", "--target", "0.98",
                                  "--measure", "organ_present"])
    assert ok.exit_code == 0, ok.output


def test_table_is_compact_unless_full(tmp_path: Path) -> None:
    """The table leaves out the agency table and all but the 25 worst agencies below the
    target, says how many more there are, and prints each reason code with its meaning;
    --full lists every agency."""
    src = tmp_path / "src"
    src.mkdir()
    for k in range(30):
        (src / f"{k:03}.edxml").write_bytes(make_document(k, sender=f"000.00.{k + 1:02}.H49"))
    args = ["audit", str(src), "-j", "1", "--target", "0.98", "--min-documents", "1"]
    compact = CliRunner().invoke(cli, args)
    full = CliRunner().invoke(cli, [*args, "--full"])
    assert compact.exit_code == full.exit_code == 1
    assert "By agency: 30 agencies (--full lists each)" in compact.output
    assert "… and 5 more agencies (--full lists each)" in compact.output
    ranked = re.compile(r"^  [* ] agency ", re.MULTILINE)
    assert len(ranked.findall(compact.output)) == 25
    assert len(ranked.findall(full.output)) == 30
    assert all(f"000.00.{k:02}.H49" in full.output for k in range(1, 31))
    assert "more agencies" not in full.output
    data = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"]).stdout)
    reasons = data["total"]["reasons"]
    for code in reasons or data["unreadable"]["by_code"]:
        assert f"{code}  {CATALOGUE[code].summary}" in compact.output


def test_agencies_with_few_documents_are_counted_not_ranked(tmp_path: Path) -> None:
    """Below --min-documents an agency is left out of the ranking and counted instead; the
    levels are still ranked, so the exit code still says something is below the target."""
    src = _source(tmp_path / "src", 8)
    result = CliRunner().invoke(cli, ["audit", str(src), "-j", "1", "--target", "0.98"])
    assert result.exit_code == 1
    assert "2 agencies below the target sent fewer than 20 documents each" in result.output
    data = json.loads(CliRunner().invoke(cli, ["audit", str(src), "-j", "1", "--target",
                                               "0.98", "--format", "json"]).stdout)
    assert data["target"]["min_documents"] == 20 and data["target"]["unranked"] == 2
    assert {b["dimension"] for b in data["target"]["below"]} == {"level"}
    ranked = json.loads(CliRunner().invoke(cli, ["audit", str(src), "-j", "1", "--target",
                                                 "0.98", "--min-documents", "4",
                                                 "--format", "json"]).stdout)
    assert ranked["target"]["unranked"] == 0
    assert {b["key"] for b in ranked["target"]["below"] if b["dimension"] == "agency"} == \
        {"000.00.00.H49", "000.00.00.G22"}


def test_csv_has_a_row_per_group_that_adds_up(tmp_path: Path) -> None:
    """Each dimension's CSV rows add up to the total row; rates carry six decimals at most."""
    result = CliRunner().invoke(cli, ["audit", str(_source(tmp_path / "src", 12)), "-j", "1",
                                      "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    total = next(r for r in rows if r["dimension"] == "total")
    for dimension in ("level", "agency", "document_type", "month"):
        part = [r for r in rows if r["dimension"] == dimension]
        assert sum(int(r["documents"]) for r in part) == int(total["documents"]) == 12
        assert sum(int(r["organ_present"]) for r in part) == int(total["organ_present"])
    bounds = [r[c] for r in rows for c in r if c.endswith(("_rate", "_low", "_high")) and r[c]]
    assert bounds and all(round(float(x), 6) == float(x) for x in bounds)


def test_bad_at_and_bad_database_are_usage_and_input_errors(tmp_path: Path) -> None:
    """A malformed --at is a usage error; a non-archive SQLite source exits 2 with its code."""
    src = _source(tmp_path / "src", 1)
    result = CliRunner().invoke(cli, ["audit", str(src), "--at", "yesterday"])
    assert result.exit_code == 2 and "ISO 8601" in result.output
    foreign = tmp_path / "x.sqlite"
    with sqlite3.connect(foreign) as con:
        con.execute("CREATE TABLE t (x)")
    result = CliRunner().invoke(cli, ["audit", str(foreign)])
    assert result.exit_code == 2 and "DF-ARC-005" in result.output


def _damaged_certificate(data: bytes) -> bytes:
    """``data`` with the organ's certificate in KeyInfo damaged inside its issuer name (one tag
    byte): the certificate still loads, and its issuer raises ValueError when first read."""
    ds = "{http://www.w3.org/2000/09/xmldsig#}"
    root = parse_xml(data)
    node = list(root.iter(f"{ds}Signature"))[-1].find(f".//{ds}X509Certificate")
    assert node is not None and node.text
    der = bytearray(base64.b64decode(node.text))
    issuer = x509.load_der_x509_certificate(bytes(der)).issuer.public_bytes()
    country = bytes.fromhex("0603550406")  # the countryName OID; its value's tag follows
    der[der.index(issuer) + issuer.index(country) + len(country)] = 0x3C
    node.text = base64.b64encode(bytes(der)).decode()
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


@pytest.fixture(scope="module")
def signed_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """An archive of four documents signed by both roles, and the --trust/--crl options."""
    folder = tmp_path_factory.mktemp("signed")
    pki = national_pki()
    src = folder / "src"
    src.mkdir()
    for serial in range(1, 5):
        (src / f"{serial}.edxml").write_bytes(signed_document(pki, "000.00.00.G22", serial))
    with Archive(folder / "archive.sqlite") as archive:
        import_source(src, archive)
    root, crls = write_trust(pki, folder / "trust")
    return folder / "archive.sqlite", ["--trust", str(root), "--crl", str(crls)]


def _copy_with(db: Path, folder: Path, change: str) -> Path:
    """A copy of the archive ``db`` with the SQL ``change`` applied."""
    copy = folder / "copy.sqlite"
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
        target.execute(change)
    return copy


def test_an_envelope_with_a_damaged_certificate_is_counted_not_valid(
        signed_archive: tuple[Path, list[str]], tmp_path: Path) -> None:
    """An envelope whose organ certificate is damaged inside a name (which the certificate
    library decodes only when it is read) is a finding like any other, in the worker
    processes too: counted present and not valid with the reason DF-SIG-027, the others
    verified, exit 0. (It used to escape verification as an exception, DF-AUD-002; the net
    for such exceptions is tested in test_engine.py.)"""
    db, trust = signed_archive
    src = tmp_path / "src"
    src.mkdir()
    with Archive(db, readonly=True) as archive:
        for i, (data, _) in enumerate(archive.envelopes()):
            (src / f"{i}.edxml").write_bytes(_damaged_certificate(data) if i == 1 else data)
    result = CliRunner().invoke(cli, ["audit", str(src), *trust, "-j", "2", "--chunk-size",
                                      "1", "--format", "json"])
    assert result.exit_code == 0, result.output
    total = json.loads(result.stdout)["total"]
    assert (total["documents"], total["organ_present"]) == (4, 4)
    assert (total["organ_valid"], total["both_valid"]) == (3, 3)
    assert total["reasons"] == {"DF-SIG-027": 1}


def test_a_damaged_stored_signing_time_is_read_from_the_envelope(
        signed_archive: tuple[Path, list[str]], tmp_path: Path) -> None:
    """A signed_at column damaged in the file does not end the audit: the signing time is read
    from the envelope instead, and every signature is valid as in the intact archive."""
    db, trust = signed_archive
    copy = _copy_with(db, tmp_path, "UPDATE envelopes SET signed_at = 'yesterday'")
    result = CliRunner().invoke(cli, ["audit", str(copy), *trust, "-j", "1", "--format",
                                      "json"])
    assert result.exit_code == 0, result.output
    total = json.loads(result.stdout)["total"]
    assert (total["documents"], total["both_valid"], total["reasons"]) == (4, 4, {})


def _verified(db: Path) -> int:
    try:
        with contextlib.closing(sqlite3.connect(db, timeout=10)) as con:
            return int(con.execute("SELECT count(*) FROM verifications").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_an_audit_killed_half_way_resumes_without_double_counting(tmp_path: Path) -> None:
    """SIGKILL of a two-process audit mid-way; the rerun checks only the rest, counts once."""
    n = 600
    db = tmp_path / "a.sqlite"
    with Archive(db) as archive:
        import_source(_source(tmp_path / "src", n), archive)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from docflow.cli import main; main()", "audit", str(db),
         "-j", "2", "--chunk-size", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while _verified(db) < 5 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    lock = sqlite3.connect(db, timeout=30, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # the audit stops at its next commit; kill it there
    kept = int(lock.execute("SELECT count(*) FROM verifications").fetchone()[0])
    os.killpg(proc.pid, signal.SIGKILL)  # the parent and its workers
    proc.wait()
    lock.execute("ROLLBACK")
    lock.close()
    assert 0 < kept < n
    resumed = CliRunner().invoke(cli, ["audit", str(db), "-j", "2", "--format", "json"])
    data = json.loads(resumed.stdout)
    assert (data["verified_now"], data["reused"], data["documents"]) == (n - kept, kept, n)
    fresh = CliRunner().invoke(cli, ["audit", str(tmp_path / "src"), "-j", "1",
                                     "--format", "json"])
    expected = json.loads(fresh.stdout)
    for key in ("total", "by_level", "by_agency", "by_document_type", "by_month"):
        assert data[key] == expected[key]


def test_a_parallel_audit_leaves_its_results_in_the_database_file(tmp_path: Path) -> None:
    """After ``audit -j 2`` the write-ahead log is empty: a copy of the .sqlite alone holds
    every result (before, they stayed in archive.sqlite-wal)."""
    n = 60
    db = tmp_path / "a.sqlite"
    with Archive(db) as archive:
        import_source(_source(tmp_path / "src", n), archive)
    result = subprocess.run([*_DOCFLOW, "audit", str(db), "-j", "2", "--chunk-size", "4"],
                            capture_output=True, check=False)
    assert result.returncode == 0, result.stderr
    wal = Path(f"{db}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(db.read_bytes())
    assert _verified(copy) == n


_DOCFLOW = [sys.executable, "-c", "from docflow.cli import main; main()"]


def test_quiet_silences_the_progress_bar_only() -> None:
    """``audit -q`` prints no progress bar; warnings still reach stderr and stdout is the same
    result as without it."""
    from docflow.cli import cli

    envelopes = str(Path(__file__).resolve().parents[2] / "fixtures" / "envelopes")
    loud = CliRunner().invoke(cli, ["audit", envelopes, "-j", "1"])
    quiet = CliRunner().invoke(cli, ["audit", envelopes, "-j", "1", "--quiet"])
    assert loud.exit_code == quiet.exit_code == 1  # the broken fixtures are rejected entries
    assert "verifying" in loud.stderr and "verifying" not in quiet.stderr
    assert "DF-AUD-003" in quiet.stderr
    assert quiet.stdout == loud.stdout
