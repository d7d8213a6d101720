"""Pages are written whole or not at all, and an unwritable target is a clean DF-IO-004."""

from __future__ import annotations

from pathlib import Path

import pytest

from docflow.errors import InputError
from docflow.report.page import render, write_page


def test_page_is_written_as_utf8_and_replaced_whole(tmp_path: Path) -> None:
    """Writing over an existing report replaces it in one step and leaves no temporary file."""
    target = tmp_path / "report.html"
    target.write_text("old", "utf-8")
    write_page("<p>Ủy ban nhân dân xã</p>", target)
    assert target.read_bytes() == "<p>Ủy ban nhân dân xã</p>".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_unwritable_target_is_df_io_004(tmp_path: Path) -> None:
    """A target in a folder that does not exist raises DF-IO-004 naming the file."""
    target = tmp_path / "missing" / "report.html"
    with pytest.raises(InputError) as err:
        write_page("x", target)
    assert err.value.code == "DF-IO-004" and err.value.location.file == str(target)


def test_every_page_declares_utf8_and_forbids_loading_anything() -> None:
    """The page shell sets UTF-8, a viewport, a policy that loads nothing, and a print style."""
    html = render("base.html.j2", title="t")
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html and 'name="viewport"' in html
    assert "default-src 'none'" in html and "@media print" in html
    assert "<link" not in html and "<script" not in html and "@import" not in html
