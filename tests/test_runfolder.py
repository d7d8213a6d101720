"""docflow/runfolder.py: a non-empty folder is refused unless forced; forcing removes the earlier
run's files and only those; the marker is there from the claim to the finish."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from docflow.errors import InputError, UsageError
from docflow.runfolder import INCOMPLETE, Layout, check_complete, claim, finish, is_incomplete

RUN = Layout("simulation run", frozenset({"summary.json", "archive.sqlite", "trust"}))


def _old_run(folder: Path) -> None:
    (folder / "trust").mkdir(parents=True)
    (folder / "trust" / "root.pem").write_text("old anchor")
    (folder / "summary.json").write_text('{"seed": 1}')
    (folder / "archive.sqlite").write_text("old archive")


def test_a_missing_or_empty_folder_is_claimed_and_marked(tmp_path: Path) -> None:
    """Created if missing; marked incomplete until finish()."""
    folder = claim(tmp_path / "a" / "run", RUN)
    assert os.listdir(folder) == [INCOMPLETE] and is_incomplete(folder)
    finish(folder)
    assert os.listdir(folder) == [] and not is_incomplete(folder)


def test_a_non_empty_folder_is_refused_and_left_alone(tmp_path: Path) -> None:
    """DF-RUN-001 naming the folder and what it holds; nothing is touched."""
    _old_run(tmp_path)
    with pytest.raises(UsageError) as caught:
        claim(tmp_path, RUN)
    assert caught.value.code == "DF-RUN-001"
    assert caught.value.location.file == str(tmp_path)
    assert "a simulation run" in caught.value.message and "--force" in caught.value.message
    assert sorted(os.listdir(tmp_path)) == ["archive.sqlite", "summary.json", "trust"]


def test_force_removes_the_run_and_keeps_other_files(tmp_path: Path) -> None:
    """--force removes every file of the earlier run (and a leftover temporary file), keeps
    a file that is not the run's, and removes a link without following it."""
    _old_run(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / ".summary.json.0123456789ab.tmp").write_text("torn")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "keep.pem").write_text("not the run's")
    (tmp_path / "trust").rename(tmp_path / "trust-old")
    (tmp_path / "trust").symlink_to(outside, target_is_directory=True)
    claim(tmp_path, RUN, force=True)
    assert sorted(os.listdir(tmp_path)) == [INCOMPLETE, "notes.txt", "trust-old"]
    assert (outside / "keep.pem").read_text() == "not the run's"


def test_an_interrupted_run_is_refused_without_force(tmp_path: Path) -> None:
    """A folder that holds only the marker of a killed run is not empty either."""
    claim(tmp_path, RUN)
    with pytest.raises(UsageError) as caught:
        claim(tmp_path, RUN)
    assert "unfinished simulation run" in caught.value.message


def test_check_complete_refuses_a_marked_folder(tmp_path: Path) -> None:
    """DF-RUN-002 naming the folder; nothing for a finished one."""
    claim(tmp_path, RUN)
    with pytest.raises(InputError) as caught:
        check_complete(tmp_path, "the summary")
    assert caught.value.code == "DF-RUN-002" and caught.value.location.file == str(tmp_path)
    finish(tmp_path)
    check_complete(tmp_path, "the summary")


def test_a_file_in_place_of_the_folder_is_df_io_004(tmp_path: Path) -> None:
    """--out naming a file: DF-IO-004, the file untouched."""
    target = tmp_path / "run"
    target.write_text("a file")
    with pytest.raises(InputError) as caught:
        claim(target, RUN, force=True)
    assert caught.value.code == "DF-IO-004" and "not a folder" in caught.value.message
    assert target.read_text() == "a file"
