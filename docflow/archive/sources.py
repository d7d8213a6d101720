"""Read the entries of an import source (a folder, a zip, a tar) safely, without extracting.

Import sources come from other agencies and from auditors' downloads, so they are treated as
hostile. Nothing is ever written to disk: entries are read into memory through a size-limited
stream and handed on as bytes, so a path-traversal name (``../../etc/x``, ``/etc/x``) or a
symbolic link inside a tar can never place a file anywhere. Such names are still reported, since
an archive that carries them was not made by an honest exporter.

Every entry yields a :class:`SourceEntry` holding either its bytes or a finding; a finding never
stops the import of the other entries, except the two that make reading further unsafe (too many
entries, too many bytes in total), which end the source after being reported.

Limits (:class:`SourceLimits`) cover the known bombs: a huge declared or actual size, a
compression ratio no real envelope reaches, a huge entry count (checked from the zip's end
record *before* its central directory is loaded), and a total that a tar stream may expand to.
"""

from __future__ import annotations

import enum
import lzma
import os
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from docflow.errors import Finding, InputError, Location

__all__ = ["SourceEntry", "SourceKind", "SourceLimits", "iter_source", "source_kind"]


@dataclass(frozen=True, slots=True)
class SourceLimits:
    """What an import source may contain before docflow stops reading it."""

    max_entry_bytes: int = 64 * 1024 * 1024
    """64 MiB, the hardened XML parser's own limit: a larger entry could not be parsed anyway."""
    max_total_bytes: int = 64 * 1024 ** 3
    """64 GiB of expanded data per source: about eight million 8 KB envelopes, a year of a
    large province; beyond that a source is far more likely a bomb than an export."""
    max_entries: int = 2_000_000
    """Entries per zip or tar; the zip's central directory costs memory per entry, so the count
    is checked from the end record before the directory is read."""
    max_ratio: float = 200.0
    """Expanded size over compressed size. XML headers compress 3–10×, base64 attachments
    hardly at all; bombs reach 1,000× and more."""
    ratio_floor: int = 1024 * 1024
    """The ratio is only enforced above 1 MiB expanded: a small, very regular file is harmless."""
    suffixes: tuple[str, ...] = (".edxml", ".xml")
    """Entries whose names end otherwise (case-insensitively) are ignored, not read."""


class SourceKind(enum.StrEnum):
    """What an import source is."""

    FOLDER = "folder"
    FILE = "file"
    ZIP = "zip"
    TAR = "tar"


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """One entry of a source: its origin and either its bytes or why it was not read."""

    origin: str
    """The source's absolute path, and for a container ``!`` and the entry's name."""
    data: bytes | None = None
    finding: Finding | None = None


def source_kind(path: Path) -> SourceKind:
    """Tell a folder, a single XML file, a zip and a tar apart by content, not name.

    Raises
    ------
    InputError
        ``DF-IO-001`` when the path cannot be read, ``DF-ARC-010`` when it is none of these.
    """
    try:
        if path.is_dir():
            return SourceKind.FOLDER
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise InputError("DF-IO-001", f"cannot read the source: {exc.strerror or exc}",
                         Location(file=str(path))) from None
    if head in (b"PK\x03\x04", b"PK\x05\x06"):
        return SourceKind.ZIP
    try:
        if tarfile.is_tarfile(path):
            return SourceKind.TAR
    except (OSError, tarfile.TarError, EOFError, zlib.error, lzma.LZMAError):
        pass
    if path.suffix.lower() in (".edxml", ".xml"):
        return SourceKind.FILE
    raise InputError("DF-ARC-010", "the source is not a folder, a zip, a tar (plain, gz, bz2 or "
                     "xz) or an .edxml/.xml file", Location(file=str(path)))


def _unsafe_name(name: str) -> bool:
    """True for names that would land outside a target folder if extracted."""
    if not name or "\x00" in name:
        return True
    posix = name.replace("\\", "/")
    if posix.startswith("/") or (len(posix) > 1 and posix[1] == ":"):  # absolute, or C:
        return True
    return ".." in PurePosixPath(posix).parts


def _wanted(name: str, limits: SourceLimits) -> bool:
    return name.lower().endswith(limits.suffixes)


def _finding(code: str, message: str, origin: str) -> SourceEntry:
    return SourceEntry(origin, finding=Finding(code, message, Location(file=origin)))


def _read_limited(stream: IO[bytes], limit: int) -> bytes | None:
    """Read at most ``limit`` bytes in 1 MiB steps; ``None`` if the stream holds more."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(1024 * 1024, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None


def iter_source(path: str | os.PathLike[str], limits: SourceLimits = SourceLimits()
                ) -> Iterator[SourceEntry]:
    """Yield every wanted entry of a folder, a zip, a tar or a single file.

    Entries whose names do not end in one of ``limits.suffixes`` are skipped silently (a
    ``README.txt`` beside the envelopes is not a problem); everything else yields either bytes
    or a finding.

    Raises
    ------
    InputError
        ``DF-IO-001`` or ``DF-ARC-010`` when the source as a whole cannot be opened.
    """
    source = Path(path).absolute()
    kind = source_kind(source)
    if kind is SourceKind.FOLDER:
        yield from _folder(source, limits)
    elif kind is SourceKind.FILE:
        yield from _single(source, limits)
    elif kind is SourceKind.ZIP:
        yield from _zip(source, limits)
    else:
        yield from _tar(source, limits)


def _single(source: Path, limits: SourceLimits) -> Iterator[SourceEntry]:
    origin = str(source)
    try:
        with open(source, "rb") as handle:
            data = _read_limited(handle, limits.max_entry_bytes)
    except OSError as exc:
        yield _finding("DF-IO-001", f"cannot read: {exc.strerror or exc}", origin)
        return
    if data is None:
        yield _finding("DF-ARC-013", f"larger than {limits.max_entry_bytes:,} bytes", origin)
    else:
        yield SourceEntry(origin, data=data)


def _folder(source: Path, limits: SourceLimits) -> Iterator[SourceEntry]:
    total = 0
    count = 0
    for root, dirs, files in os.walk(source, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            if not _wanted(name, limits):
                continue
            full = Path(root) / name
            origin = str(full)
            count += 1
            if count > limits.max_entries:
                yield _finding("DF-ARC-015", f"more than {limits.max_entries:,} files; the rest "
                               "is not read", str(source))
                return
            try:
                info = full.lstat()
            except OSError as exc:
                yield _finding("DF-IO-001", f"cannot read: {exc.strerror or exc}", origin)
                continue
            if not stat.S_ISREG(info.st_mode):
                yield _finding("DF-ARC-012", "not a regular file (a symbolic link or a device); "
                               "links are not followed", origin)
                continue
            if info.st_size > limits.max_entry_bytes:
                yield _finding("DF-ARC-013", f"{info.st_size:,} bytes, above the limit of "
                               f"{limits.max_entry_bytes:,}", origin)
                continue
            if total + info.st_size > limits.max_total_bytes:
                yield _finding("DF-ARC-016", f"more than {limits.max_total_bytes:,} bytes in "
                               "total; the rest is not read", str(source))
                return
            for entry in _single(full, limits):
                if entry.data is not None:
                    total += len(entry.data)
                yield entry


# -- zip ------------------------------------------------------------------------------------
_EOCD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD_COUNT = struct.Struct("<4sQ2H2L2Q")


def _zip_entry_count(source: Path) -> int | None:
    """The entry count from the end-of-central-directory record, read without zipfile.

    ``zipfile`` loads the whole central directory into memory when it opens an archive; reading
    the count first lets a zip that claims millions of entries be refused cheaply. ``None`` if
    no end record is found (zipfile then reports the damage).
    """
    with open(source, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        back = min(size, _EOCD.size + 65535)
        handle.seek(size - back)
        tail = handle.read(back)
        pos = tail.rfind(b"PK\x05\x06")
        if pos < 0 or pos + _EOCD.size > len(tail):
            return None
        fields = _EOCD.unpack_from(tail, pos)
        count = int(fields[4])
        if count != 0xFFFF or pos < _ZIP64_LOCATOR.size:
            return count
        loc = _ZIP64_LOCATOR.unpack_from(tail, pos - _ZIP64_LOCATOR.size)
        if loc[0] != b"PK\x06\x07":
            return count
        handle.seek(int(loc[2]))
        record = handle.read(_ZIP64_EOCD_COUNT.size)
        if len(record) < _ZIP64_EOCD_COUNT.size or record[:4] != b"PK\x06\x06":
            return count
        return int(_ZIP64_EOCD_COUNT.unpack(record)[7])


def _zip(source: Path, limits: SourceLimits) -> Iterator[SourceEntry]:
    where = Location(file=str(source))
    try:
        count = _zip_entry_count(source)
    except OSError as exc:
        raise InputError("DF-IO-001", f"cannot read: {exc.strerror or exc}", where) from None
    if count is not None and count > limits.max_entries:
        yield _finding("DF-ARC-015", f"the zip declares {count:,} entries, above the limit of "
                       f"{limits.max_entries:,}; nothing is read", str(source))
        return
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError("DF-ARC-010", f"the zip cannot be read: {exc}", where) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_entries:
            yield _finding("DF-ARC-015", f"{len(infos):,} entries, above the limit of "
                           f"{limits.max_entries:,}; nothing is read", str(source))
            return
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            origin = f"{source}!{info.filename}"
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                yield _finding("DF-ARC-012", "a symbolic link stored in the zip; not followed",
                               origin)
                continue
            if not _wanted(info.filename, limits):
                continue
            if _unsafe_name(info.filename):
                yield _finding("DF-ARC-011", f"the entry name {info.filename!r} is absolute or "
                               "climbs out of the archive; skipped", origin)
                continue
            if info.flag_bits & 0x1:
                yield _finding("DF-ARC-017", "the entry is encrypted", origin)
                continue
            if info.file_size > limits.max_entry_bytes:
                yield _finding("DF-ARC-013", f"declares {info.file_size:,} bytes, above the "
                               f"limit of {limits.max_entry_bytes:,}", origin)
                continue
            if info.file_size > limits.ratio_floor and \
                    info.file_size > limits.max_ratio * max(info.compress_size, 1):
                yield _finding("DF-ARC-014", f"declares {info.file_size:,} bytes from "
                               f"{info.compress_size:,} compressed, a ratio above "
                               f"{limits.max_ratio:g}", origin)
                continue
            if total + info.file_size > limits.max_total_bytes:
                yield _finding("DF-ARC-016", f"more than {limits.max_total_bytes:,} bytes in "
                               "total; the rest is not read", str(source))
                return
            # The declared sizes may lie: read through a limit that also enforces the ratio.
            cap = min(limits.max_entry_bytes,
                      max(limits.ratio_floor, int(limits.max_ratio * max(info.compress_size, 1))))
            try:
                with archive.open(info) as stream:
                    data = _read_limited(stream, cap)
            except RuntimeError as exc:  # zipfile's "encrypted, password required"
                yield _finding("DF-ARC-017", f"the entry cannot be read: {exc}", origin)
                continue
            except NotImplementedError as exc:
                yield _finding("DF-ARC-018", f"unsupported compression: {exc}", origin)
                continue
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
                yield _finding("DF-ARC-018", f"the entry is corrupt: {exc}", origin)
                continue
            if data is None:
                code = "DF-ARC-013" if cap == limits.max_entry_bytes else "DF-ARC-014"
                yield _finding(code, f"expands beyond {cap:,} bytes, more than it declares",
                               origin)
                continue
            total += len(data)
            yield SourceEntry(origin, data=data)


# -- tar ------------------------------------------------------------------------------------
_TAR_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError)


def _tar(source: Path, limits: SourceLimits) -> Iterator[SourceEntry]:
    where = Location(file=str(source))
    try:
        compressed = source.stat().st_size
        # Stream mode ("r|*"): members are read in order, never by seeking back, so a
        # compressed tar is decompressed once.
        archive = tarfile.open(source, mode="r|*")  # noqa: SIM115 (closed by `with` below)
    except _TAR_ERRORS as exc:
        raise InputError("DF-ARC-010", f"the tar cannot be read: {exc}", where) from None
    # A tar stream has no per-entry ratio: bound how far it may expand as a whole, instead.
    budget = min(limits.max_total_bytes,
                 max(limits.ratio_floor, int(limits.max_ratio * max(compressed, 1))))
    count = 0
    try:
        with archive:
            while True:
                try:
                    member = archive.next()
                except _TAR_ERRORS as exc:
                    yield _finding("DF-ARC-018", f"the tar is corrupt after {count} entries: "
                                   f"{exc}; the rest is not read", str(source))
                    return
                if member is None:
                    return
                count += 1
                origin = f"{source}!{member.name}"
                if count > limits.max_entries:
                    yield _finding("DF-ARC-015", f"more than {limits.max_entries:,} entries; the "
                                   "rest is not read", str(source))
                    return
                end = member.offset_data + member.size
                if end > budget:
                    code = "DF-ARC-016" if budget == limits.max_total_bytes else "DF-ARC-014"
                    yield _finding(code, f"the tar expands beyond {budget:,} bytes from "
                                   f"{compressed:,} compressed; the rest is not read", origin)
                    return
                if member.issym() or member.islnk() or member.isdev() or member.isfifo():
                    yield _finding("DF-ARC-012", "a link or device entry; not followed", origin)
                    continue
                if not member.isfile() or not _wanted(member.name, limits):
                    continue
                if _unsafe_name(member.name):
                    yield _finding("DF-ARC-011", f"the entry name {member.name!r} is absolute or "
                                   "climbs out of the archive; skipped", origin)
                    continue
                if member.size > limits.max_entry_bytes:
                    yield _finding("DF-ARC-013", f"{member.size:,} bytes, above the limit of "
                                   f"{limits.max_entry_bytes:,}", origin)
                    continue
                stream = archive.extractfile(member)
                if stream is None:
                    continue
                try:
                    data = _read_limited(stream, limits.max_entry_bytes)
                except _TAR_ERRORS as exc:
                    yield _finding("DF-ARC-018", f"the entry is corrupt: {exc}; the rest is not "
                                   "read", origin)
                    return
                if data is None or len(data) != member.size:
                    yield _finding("DF-ARC-018", f"the entry holds {len(data or b''):,} bytes, "
                                   f"not the {member.size:,} its header declares", origin)
                    continue
                yield SourceEntry(origin, data=data)
    except _TAR_ERRORS as exc:
        yield _finding("DF-ARC-018", f"the tar is corrupt: {exc}", str(source))
