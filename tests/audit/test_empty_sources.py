"""A source with nothing to audit or import is unusable input (exit 2, with what was found);
rejected entries give the audit the exit code ``archive import`` gives them."""

from __future__ import annotations

from pathlib import Path

from archive.factory import make_document, make_status
from click.testing import CliRunner

from docflow.archive.importer import import_source
from docflow.archive.store import Archive
from docflow.cli import cli


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_auditing_a_run_folder_names_its_archive(tmp_path: Path) -> None:
    """``audit run/`` instead of ``run/archive.sqlite``: exit 2, and the hint names the file."""
    run = tmp_path / "run"
    run.mkdir()
    with Archive(run / "archive.sqlite") as archive:
        import_source(_folder(tmp_path / "src", 2), archive)
    (run / "summary.json").write_text("{}")
    code, out, err = _run("audit", str(run))
    assert code == 2 and out == ""
    assert "DF-ARC-020" in err and str(run / "archive.sqlite") in err


def test_an_empty_folder_is_refused_by_audit_and_import(tmp_path: Path) -> None:
    """An empty folder: exit 2 for both commands, and import creates no archive."""
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = _run("audit", str(empty))
    assert code == 2 and "DF-ARC-020" in err and "empty" in err
    db = tmp_path / "a.sqlite"
    code, _, err = _run("archive", "import", str(empty), "--db", str(db))
    assert code == 2 and "DF-ARC-020" in err
    assert not db.exists()


def test_an_archive_without_documents_is_refused(tmp_path: Path) -> None:
    """An archive holding only status messages has nothing to audit: DF-AUD-005, exit 2."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "s.edxml").write_bytes(make_status("000.00.00.H49,2025/07/01,1/QĐ-UBND"))
    db = tmp_path / "a.sqlite"
    with Archive(db) as archive:
        import_source(src, archive)
    code, _, err = _run("audit", str(db))
    assert code == 2 and "DF-AUD-005" in err and "1 status message" in err


def test_rejected_entries_give_audit_and_import_the_same_exit_code(tmp_path: Path) -> None:
    """A source with one rejected entry: ``archive import`` and ``audit`` both exit 1."""
    src = _folder(tmp_path / "src", 3)
    (src / "bad.xml").write_bytes(b"<!DOCTYPE x [<!ENTITY e 'e'>]><x>&e;</x>")
    audited, out, _ = _run("audit", str(src), "--format", "json")
    imported, _, _ = _run("archive", "import", str(src), "--db", str(tmp_path / "a.sqlite"))
    assert (audited, imported) == (1, 1)
    assert '"DF-XML-002": 1' in out
    clean = _folder(tmp_path / "clean", 3)
    assert _run("audit", str(clean))[0] == 0


def test_import_shows_progress_unless_quiet(tmp_path: Path) -> None:
    """``archive import`` reports progress on stderr, as the audit does; --quiet silences it."""
    src = _folder(tmp_path / "src", 5)
    code, out, err = _run("archive", "import", str(src), "--db", str(tmp_path / "a.sqlite"),
                          "--batch-size", "2")
    assert code == 0 and "importing" in err and "importing" not in out
    code, _, err = _run("archive", "import", str(src), "--db", str(tmp_path / "b.sqlite"),
                        "--quiet")
    assert code == 0 and err == ""


def _folder(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        (folder / f"{i}.edxml").write_bytes(make_document(i))
    return folder
