"""Hostile import sources are read without extracting, within limits, with a finding per entry."""

from __future__ import annotations

import io
import os
import struct
import tarfile
import zipfile
from pathlib import Path

import pytest

from docflow.archive.sources import SourceEntry, SourceLimits, iter_source
from docflow.errors import InputError

from .factory import make_document


def _codes(entries: list[SourceEntry]) -> list[str | None]:
    return [e.finding.code if e.finding else None for e in entries]


def _files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_a_folder_yields_its_xml_files_and_skips_links(tmp_path: Path) -> None:
    """Only .edxml/.xml regular files are read; a symbolic link is reported, not followed."""
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.edxml").write_bytes(make_document(1))
    (src / "sub" / "b.XML").write_bytes(make_document(2))
    (src / "readme.txt").write_text("not an envelope")
    secret = tmp_path / "secret.xml"
    secret.write_bytes(b"<secret/>")
    (src / "link.xml").symlink_to(secret)
    entries = list(iter_source(src))
    by_name = {Path(e.origin).name: e for e in entries}
    assert set(by_name) == {"a.edxml", "b.XML", "link.xml"}
    assert by_name["a.edxml"].data == make_document(1)
    assert _codes([by_name["link.xml"]]) == ["DF-ARC-012"]


def test_zip_traversal_and_absolute_names_are_reported_and_nothing_is_written(
        tmp_path: Path) -> None:
    """Entry names that would escape a target folder are findings; no file is created."""
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ok/a.edxml", make_document(1))
        zf.writestr("../../outside.edxml", make_document(2))
        zf.writestr("/etc/absolute.xml", make_document(3))
        zf.writestr("C:\\windows\\drive.xml", make_document(4))
        link = zipfile.ZipInfo("link.xml")
        link.external_attr = (0o120777 << 16)
        zf.writestr(link, "/etc/passwd")
    before = _files_under(tmp_path.parent)
    entries = list(iter_source(path))
    assert _codes(entries) == [None, "DF-ARC-011", "DF-ARC-011", "DF-ARC-011", "DF-ARC-012"]
    assert entries[0].data == make_document(1)
    assert _files_under(tmp_path.parent) == before


def test_a_zip_bomb_is_refused_by_ratio_without_expanding_it(tmp_path: Path) -> None:
    """An entry that expands more than the ratio limit allows is a finding (DF-ARC-014)."""
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.xml", b"<a>" + b"\0" * (40 * 1024 * 1024) + b"</a>")
        zf.writestr("fine.xml", make_document(1))
    entries = list(iter_source(path))
    assert _codes(entries) == ["DF-ARC-014", None]


def test_a_zip_that_lies_about_sizes_is_never_read_past_the_limit(tmp_path: Path) -> None:
    """A declared size patched below the real one cannot make docflow read the real size."""
    big = b"<a>" + os.urandom(3 * 1024 * 1024).hex().encode() + b"</a>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("liar.xml", big)
    raw = bytearray(buffer.getvalue())
    # Patch the uncompressed size in the central directory (offset 24 of the record) and the
    # local header (offset 22) down to 1 KiB.
    central = raw.rfind(b"PK\x01\x02")
    struct.pack_into("<L", raw, central + 24, 1024)
    struct.pack_into("<L", raw, 22, 1024)
    path = tmp_path / "liar.zip"
    path.write_bytes(bytes(raw))
    entries = list(iter_source(path, SourceLimits(max_entry_bytes=2 * 1024 * 1024)))
    assert len(entries) == 1 and entries[0].data is None
    assert entries[0].finding is not None
    assert entries[0].finding.code in ("DF-ARC-013", "DF-ARC-014", "DF-ARC-018")


def test_size_and_count_limits_apply_to_zips(tmp_path: Path) -> None:
    """Too large an entry, too many entries and too many bytes in total are findings."""
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(5):
            zf.writestr(f"{i}.xml", make_document(i))
    size = len(make_document(0))
    assert _codes(list(iter_source(path, SourceLimits(max_entries=4)))) == ["DF-ARC-015"]
    assert _codes(list(iter_source(path, SourceLimits(max_entry_bytes=size - 1)))) == \
        ["DF-ARC-013"] * 5
    assert _codes(list(iter_source(path, SourceLimits(max_total_bytes=2 * size + 5)))) == \
        [None, None, "DF-ARC-016"]


def test_an_encrypted_zip_entry_is_skipped(tmp_path: Path) -> None:
    """An entry flagged as encrypted is a finding; the others are read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("secret.xml", make_document(1))
        zf.writestr("plain.xml", make_document(2))
    raw = bytearray(buffer.getvalue())
    struct.pack_into("<H", raw, 6, 1)  # the local header's flag bits
    central = raw.find(b"PK\x01\x02")
    struct.pack_into("<H", raw, central + 8, 1)
    path = tmp_path / "enc.zip"
    path.write_bytes(bytes(raw))
    assert _codes(list(iter_source(path))) == ["DF-ARC-017", None]


def test_a_corrupt_zip_entry_is_a_finding(tmp_path: Path) -> None:
    """A flipped byte in an entry's data fails its CRC: DF-ARC-018, the others still read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("a.xml", make_document(1))
        zf.writestr("b.xml", make_document(2))
    raw = bytearray(buffer.getvalue())
    raw[30 + len("a.xml") + 50] ^= 0xFF
    path = tmp_path / "crc.zip"
    path.write_bytes(bytes(raw))
    assert _codes(list(iter_source(path))) == ["DF-ARC-018", None]


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
def test_tars_are_read_with_links_and_traversal_reported(tmp_path: Path, mode: str) -> None:
    """Plain and compressed tars: regular entries are read; links and escapes are findings."""
    path = tmp_path / f"src.tar{mode[1:].replace(':', '.')}"
    with tarfile.open(path, mode) as tf:
        for name, data in [("a.edxml", make_document(1)), ("../up.xml", make_document(2)),
                           ("/abs.xml", make_document(3))]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        sym = tarfile.TarInfo("sym.xml")
        sym.type = tarfile.SYMTYPE
        sym.linkname = "/etc/passwd"
        tf.addfile(sym)
        hard = tarfile.TarInfo("hard.xml")
        hard.type = tarfile.LNKTYPE
        hard.linkname = "a.edxml"
        tf.addfile(hard)
    before = _files_under(tmp_path.parent)
    entries = list(iter_source(path))
    assert _codes(entries) == [None, "DF-ARC-011", "DF-ARC-011", "DF-ARC-012", "DF-ARC-012"]
    assert entries[0].data == make_document(1)
    assert _files_under(tmp_path.parent) == before


def test_a_tar_bomb_stops_at_the_ratio_budget(tmp_path: Path) -> None:
    """A gzip tar expanding far beyond its size is cut off with a finding, not expanded."""
    path = tmp_path / "bomb.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        data = make_document(1)
        info = tarfile.TarInfo("first.xml")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
        zeros = tarfile.TarInfo("zeros.bin")
        zeros.size = 60 * 1024 * 1024

        class Zeros(io.RawIOBase):
            def readinto(self, b: bytearray) -> int:  # type: ignore[override]
                b[:] = bytes(len(b))
                return len(b)

        tf.addfile(zeros, Zeros())
        info = tarfile.TarInfo("after.xml")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    assert path.stat().st_size < 200_000
    assert _codes(list(iter_source(path))) == [None, "DF-ARC-014"]


def test_something_else_is_not_a_source(tmp_path: Path) -> None:
    """A file that is neither a folder, a zip, a tar nor an XML file gives DF-ARC-010."""
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(100))
    with pytest.raises(InputError) as err:
        list(iter_source(path))
    assert err.value.code == "DF-ARC-010"
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + os.urandom(64))
    with pytest.raises(InputError) as err:
        list(iter_source(broken))
    assert err.value.code == "DF-ARC-010"
