"""Imports are idempotent, count every entry once, and record hostile entries as findings."""

from __future__ import annotations

import zipfile
from pathlib import Path

from docflow.archive.importer import ImportConfig, import_source
from docflow.archive.store import Archive
from docflow.levels import Level

from .factory import make_document, make_status

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]><f>&x;</f>"""


def _hostile_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(10):
            zf.writestr(f"docs/{i}.edxml", make_document(i))
        zf.writestr("docs/copy-of-0.edxml", make_document(0))
        zf.writestr("status.xml", make_status("000.00.00.H49,2025/07/01,1/QĐ-UBND"))
        zf.writestr("laughs.xml", BILLION_LAUGHS)
        zf.writestr("xxe.xml", EXTERNAL)
        zf.writestr("binary.xml", b"%PDF-1.4 a PDF named .xml")
        zf.writestr("other.xml", b"<html><body>not edXML</body></html>")
        zf.writestr("../../escape.xml", make_document(99))
        zf.writestr("notes.txt", b"ignored")


def test_a_hostile_zip_is_imported_with_findings(tmp_path: Path) -> None:
    """Good envelopes are archived; each hostile entry is one reject with its code."""
    _hostile_zip(tmp_path / "src.zip")
    with Archive(tmp_path / "a.sqlite") as archive:
        result = import_source(tmp_path / "src.zip", archive)
        assert (result.added, result.already) == (11, 1)
        assert result.by_code == {"DF-XML-002": 2, "DF-XML-001": 1, "DF-ENV-002": 1,
                                  "DF-ARC-011": 1}
        assert result.rejected == 5
        assert len(archive) == 11
        assert len(archive.rejects()) == 5


def test_importing_again_adds_and_counts_nothing(tmp_path: Path) -> None:
    """A second import of the same source adds no envelope and records no new reject."""
    _hostile_zip(tmp_path / "src.zip")
    with Archive(tmp_path / "a.sqlite") as archive:
        import_source(tmp_path / "src.zip", archive)
        again = import_source(tmp_path / "src.zip", archive, ImportConfig(batch_size=3))
        assert (again.added, again.already, again.rejected, again.rejected_before) == \
            (0, 12, 0, 5)
        assert len(archive) == 11
        assert len(archive.rejects()) == 5


def test_batches_do_not_change_what_is_imported(tmp_path: Path) -> None:
    """Any batch size, even one entry per transaction, gives the same archive."""
    _hostile_zip(tmp_path / "src.zip")
    counts = []
    for batch in (1, 4, 1000):
        with Archive(tmp_path / f"a{batch}.sqlite") as archive:
            result = import_source(tmp_path / "src.zip", archive, ImportConfig(batch_size=batch))
            counts.append((result.added, result.already, result.rejected, len(archive)))
    assert counts == [(11, 1, 5, 11)] * 3


def test_levels_come_from_a_mapping_or_what_the_code_proves(tmp_path: Path) -> None:
    """A topology's levels are stored; without one, only central and province are inferred."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.xml").write_bytes(make_document(1, sender="000.01.12.H49"))
    (src / "b.xml").write_bytes(make_document(2, sender="000.00.00.G22"))
    (src / "c.xml").write_bytes(make_document(3, sender="000.00.12.H49"))
    with Archive(tmp_path / "a.sqlite") as archive:
        import_source(src, archive, ImportConfig(levels={"000.01.12.H49": Level.COMMUNE}))
        levels = {m.sender: m.sender_level for _, m in archive.envelopes()}
    assert levels == {"000.01.12.H49": Level.COMMUNE, "000.00.00.G22": Level.CENTRAL,
                      "000.00.12.H49": None}


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "envelopes"


def test_the_fixture_corpus_is_archived_or_rejected_as_its_manifest_says(tmp_path: Path) -> None:
    """Unreadable XML is rejected with the parser's code; rule failures are still archived.

    The archive keeps what was sent: judging business rules is ``docflow validate``'s job,
    so only what cannot be read as an edXML message (DF-IO, DF-XML codes) is rejected.
    """
    rows = [line.split("\t") for line in
            (FIXTURES / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    expected_rejects = {}
    for name, _verdict, codes, *_ in rows:
        first = codes.split(",")[0]
        if first.startswith(("DF-XML", "DF-IO")):
            expected_rejects[name] = first
    with Archive(tmp_path / "a.sqlite") as archive:
        result = import_source(FIXTURES, archive)
        rejects = {str(Path(r.origin).relative_to(FIXTURES)): r.finding.code
                   for r in archive.rejects()}
        assert rejects == expected_rejects
        assert result.added + result.already == len(rows) - len(expected_rejects)
