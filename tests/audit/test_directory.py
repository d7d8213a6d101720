"""Agencies by name and per-province rates: from ``--topology``, the run's topology, or a PKI
index, in the JSON, text, CSV and HTML outputs; "unknown" said plainly when nothing names them.

The documents are real: signed by the national test PKI (valid, tampered, unsigned) from
agencies of Quảng Nam and the Government Office, plus a legacy-signed one from Hà Nội, and
audited through the command line as a user runs it.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from archive.factory import make_document
from click.testing import CliRunner

from audit.signed import national_pki, signed_document, write_trust
from docflow.audit.directory import CENTRAL, DirectorySource, find_directory
from docflow.audit.output import AuditOutput
from docflow.cli import cli
from docflow.errors import InputError
from docflow.outputs import OutputSchema
from docflow.topology import build_preset

UNKNOWN_CODE = "000.01.12.H49"
"""A commune the test PKI issues for but vn-2024 does not list."""


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A folder of envelopes, and the trust anchor and CRLs that issued their signatures."""
    base = tmp_path_factory.mktemp("named")
    pki = national_pki()
    root, crls = write_trust(pki, base / "trust")
    folder = base / "src"
    folder.mkdir()
    plan = [("000.00.00.G22", {}), ("000.00.00.G22", {}), ("000.00.00.G22", {"signer": False}),
            ("000.00.00.H49", {}), ("000.00.00.H49", {"tamper": True}),
            ("000.00.12.H49", {"organ": False, "signer": False}),
            (UNKNOWN_CODE, {"signer": False})]
    for serial, (sender, how) in enumerate(plan, start=1):
        (folder / f"{serial:03}.edxml").write_bytes(signed_document(pki, sender, serial, **how))
    (folder / "900.edxml").write_bytes(make_document(900, sender="000.00.12.H01",
                                                     legacy_signature=True))
    return folder, root, crls


def _audit(src: Path, root: Path, crls: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["audit", str(src), "--trust", str(root), "--crl",
                                      str(crls), "-j", "1",
                                      "--quiet", "--target", "0.99", "--min-documents", "1",
                                      *args])
    assert result.exit_code == 1, result.output  # everything is below 99 %
    return result.stdout


def test_json_names_agencies_and_counts_provinces(source) -> None:
    """With --topology vn-2024 the JSON names every agency the topology lists (and no other),
    places it in its province, and counts each province's documents once: the provinces add
    up to the total, counter by counter; the output validates against the schema."""
    src, root, crls = source
    data = json.loads(_audit(src, root, crls, "--topology", "vn-2024", "--format", "json"))
    assert [e.message for e in jsonschema.Draft202012Validator(
        OutputSchema.AUDIT.json_schema()).iter_errors(data)] == []
    topology = build_preset("vn-2024")
    directory = data["directory"]
    assert directory["source"] == "topology" and directory["origin"] == "vn-2024"
    assert directory["provinces"] is True
    known = {c for c in data["by_agency"] if c in topology.index}
    assert known == {"000.00.00.G22", "000.00.00.H49", "000.00.12.H49", "000.00.12.H01"}
    assert set(directory["agencies"]) == known
    for code in known:
        agency = topology.agency(code)
        assert directory["agencies"][code] == {"name": agency.name,
                                               "province": agency.province}
    assert directory["agencies"]["000.00.00.G22"]["name"] == "Văn phòng Chính phủ"
    provinces = data["by_province"]
    assert set(provinces) == {CENTRAL, "Quảng Nam", "Hà Nội", "unknown"}
    assert provinces["Quảng Nam"]["documents"] == 3
    assert provinces["unknown"]["documents"] == 1  # the commune vn-2024 does not list
    for counter in ("documents", "organ_present", "organ_valid", "signer_valid", "both_valid"):
        assert sum(p[counter] for p in provinces.values()) == data["total"][counter]
    assert provinces[CENTRAL]["both_valid"] == 2  # two of the three central documents
    split = data["by_province_level"]
    assert set(split) == set(provinces)
    assert set().union(*split.values()) == set(data["by_level"])  # the levels of by_level
    for province, levels in split.items():
        for counter in ("documents", "organ_present", "signer_valid", "both_valid"):
            assert sum(c[counter] for c in levels.values()) == provinces[province][counter]
    for level, counts in data["by_level"].items():
        assert sum(p[level]["documents"] for p in split.values() if level in p) == \
            counts["documents"]


def test_text_and_csv_show_names(source) -> None:
    """The text table says where the names come from, lists each agency with its name
    (--full), names the agencies below the target and has a province table; the CSV has the
    name and province of each agency row and a row per province."""
    src, root, crls = source
    text = _audit(src, root, crls, "--topology", "vn-2024", "--full")
    assert "agency names from topology vn-2024" in text
    assert "000.00.00.G22  Văn phòng Chính phủ" in text
    assert "By province" in text and "Quảng Nam" in text
    assert "Quảng Nam/" in text and "By province/level" in text
    assert "By province/level" not in _audit(src, root, crls, "--topology", "vn-2024")
    below = [line for line in text.splitlines() if line.strip().startswith(("agency", "* agency"))]
    assert any(line.endswith("Ủy ban nhân dân tỉnh Quảng Nam") for line in below)
    assert any(UNKNOWN_CODE in line and line.rstrip().endswith("]") for line in below)

    rows = list(csv.DictReader(io.StringIO(_audit(src, root, crls, "--topology", "vn-2024",
                                                  "--format", "csv"))))
    agencies = {r["key"]: r for r in rows if r["dimension"] == "agency"}
    assert agencies["000.00.00.H49"]["name"] == "Ủy ban nhân dân tỉnh Quảng Nam"
    assert agencies["000.00.00.H49"]["province"] == "Quảng Nam"
    assert agencies["000.00.00.G22"]["province"] == CENTRAL
    assert agencies[UNKNOWN_CODE]["name"] == agencies[UNKNOWN_CODE]["province"] == ""
    provinces = [r for r in rows if r["dimension"] == "province"]
    assert sum(int(r["documents"]) for r in provinces) == 8
    split = {r["key"]: int(r["documents"]) for r in rows if r["dimension"] == "province_level"}
    assert sum(split.values()) == 8
    assert sum(n for k, n in split.items() if k.startswith("Quảng Nam/")) == 3


def test_html_names_agencies_and_says_why_there_is_no_map(source, tmp_path: Path) -> None:
    """The page names the agencies below the target and has the province table; with vn-2024's
    provinces (not the 34 of 2025) it draws no map and says why."""
    src, root, crls = source
    out = tmp_path / "audit.html"
    _audit(src, root, crls, "--topology", "vn-2024", "--format", "html", "-o", str(out))
    html = out.read_text("utf-8")
    assert "Ủy ban nhân dân tỉnh Quảng Nam <code>000.00.00.H49</code>" in html
    assert 'id="map-provinces"' not in html
    assert 'id="provinces-why"' in html and "not among the 34 provinces of 2025" in html
    table = html[html.index('<table class="provinces">'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr data-province=") == 4  # Quảng Nam, Hà Nội, central, unknown
    levels = html[html.index('<table class="province-levels">'):]
    levels = levels[:levels.index("</table>")]
    assert levels.count('<tr data-province="Quảng Nam" data-level=') >= 1
    assert levels.count("<tr data-province=") >= 4


def test_without_a_topology_names_are_unknown(source, tmp_path: Path) -> None:
    """A folder audited with a plain trust anchor and no topology: the JSON says the source is
    none and counts no province, the text says names are unknown and how to give them, the CSV
    leaves the name empty, and the page says provinces are unknown, never a guessed name."""
    src, root, crls = source
    data = json.loads(_audit(src, root, crls, "--format", "json"))
    assert data["directory"] == {"source": "none", "origin": None, "provinces": False,
                                 "agencies": {}}
    assert data["by_province"] is None
    text = _audit(src, root, crls)
    assert "agency names unknown" in text and "--topology" in text
    assert "By province" not in text and "Văn phòng" not in text
    rows = list(csv.DictReader(io.StringIO(_audit(src, root, crls, "--format", "csv"))))
    assert all(r["name"] == "" for r in rows)
    out = tmp_path / "audit.html"
    _audit(src, root, crls, "--format", "html", "-o", str(out))
    html = out.read_text("utf-8")
    assert "Provinces are unknown" in html and '<table class="provinces">' not in html


def test_a_bad_topology_is_refused_before_any_work(source) -> None:
    """--topology naming neither a preset nor a file exits 2 with DF-TOP-010."""
    src, root, _ = source
    result = CliRunner().invoke(cli, ["audit", str(src), "--trust", str(root), "--topology",
                                      "vn-2030"])
    assert result.exit_code == 2 and "DF-TOP-010" in result.output


def test_the_run_topology_is_found_beside_its_archive(tmp_path: Path) -> None:
    """A run's archive.sqlite with its summary.json: the preset the summary names; a relative
    topology path the summary cannot resolve leaves names unknown; --topology always wins."""
    run = tmp_path / "run"
    run.mkdir()
    archive = run / "archive.sqlite"
    archive.write_bytes(b"")
    (run / "summary.json").write_text(json.dumps({"scenario": {"topology": "tiny"}}), "utf-8")
    found = find_directory(archive, None, ())
    assert found.source is DirectorySource.RUN and found.origin == "tiny"
    assert found.name("000.00.00.H01") == "Ủy ban nhân dân thành phố Hà Nội"
    assert found.province("000.00.00.H01") == "Hà Nội"
    assert find_directory(archive, "vn-2024", ()).source is DirectorySource.TOPOLOGY
    (run / "summary.json").write_text(json.dumps({"scenario": {"topology": "my.graphml"}}),
                                      "utf-8")
    assert find_directory(archive, None, ()).source is DirectorySource.NONE
    (run / "summary.json").write_text("{not json", "utf-8")
    assert find_directory(archive, None, ()).source is DirectorySource.NONE


def test_a_pki_index_names_agencies(tmp_path: Path) -> None:
    """A ``docflow pki init`` folder given as --trust lends its index: names, and provinces
    through the preset it records; an index that names no preset gives names only."""
    pki = tmp_path / "pki"
    result = CliRunner().invoke(cli, ["pki", "init", "--preset", "tiny", "--seed", "3",
                                      "--out", str(pki), "--quiet"])
    assert result.exit_code == 0, result.output
    src = tmp_path / "src"
    src.mkdir()
    found = find_directory(src, None, (pki,))
    assert found.source is DirectorySource.PKI and found.provinces
    assert found.name("000.00.00.G22") == "Văn phòng Chính phủ"
    index = json.loads((pki / "index.json").read_text("utf-8"))
    del index["topology"]
    (pki / "index.json").write_text(json.dumps(index, ensure_ascii=False), "utf-8")
    alone = find_directory(src, None, (pki,))
    assert alone.source is DirectorySource.PKI and not alone.provinces
    assert alone.name("000.00.00.G22") == "Văn phòng Chính phủ"
    assert alone.province("000.00.00.G22") == CENTRAL


def test_the_model_reads_back_what_it_wrote(source) -> None:
    """A real audit's JSON read through AuditOutput and written again is the same document;
    a bad directory or province field is DF-REP-002 naming its dotted key."""
    src, root, crls = source
    text = _audit(src, root, crls, "--topology", "vn-2024", "--format", "json")
    data = json.loads(text)
    again = AuditOutput.from_json(data).to_json()
    assert json.dumps(again, ensure_ascii=False, indent=2) + "\n" == text
    for edit, key in (
            (lambda d: d["directory"]["agencies"]["000.00.00.G22"].update(name=7),
             "directory.agencies.000.00.00.G22.name"),
            (lambda d: d["directory"].update(source="guess"), "directory.source"),
            (lambda d: d["by_province"]["Quảng Nam"].update(documents=-1),
             "by_province.Quảng Nam.documents")):
        broken = json.loads(text)
        edit(broken)
        with pytest.raises(InputError) as err:
            AuditOutput.from_json(broken, "audit.json")
        assert err.value.code == "DF-REP-002" and err.value.location.key == key
