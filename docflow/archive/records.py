"""What goes into the archive and comes back out: its rows as values, and a stored body decoded.

These are the archive's vocabulary without its database: the importer and the simulator build
:class:`NewEnvelope` and :class:`Reject`, the audit's workers decode a :class:`StoredBlob` with
:func:`decode_blob` where they have no access to the archive file, and an envelope's identity is
:func:`content_hash` wherever it is computed. :mod:`docflow.archive.store` reads and writes them.
"""

from __future__ import annotations

import enum
import hashlib
import zlib
from dataclasses import dataclass
from datetime import datetime

import zstandard

from docflow.archive.metadata import EnvelopeMeta
from docflow.errors import Finding, InputError, Location
from docflow.metrics.coverage import DocumentOutcome

__all__ = ["Codec", "NewEnvelope", "Reject", "StoredBlob", "StoredBody", "StoredResult",
           "WriteCounts", "content_hash", "decode_blob"]


class Codec(enum.StrEnum):
    """How a body is stored; the value is written in ``bodies.codec``."""

    ZSTD = "zstd"
    """What docflow writes (level 3, zstd's default)."""
    ZLIB = "zlib"
    """What the first archives held; read, no longer written."""


@dataclass(frozen=True, slots=True)
class NewEnvelope:
    """An envelope to add, with metadata the caller already has (no parse needed)."""

    data: bytes
    meta: EnvelopeMeta
    origin: str | None = None
    """Where it came from (a file, ``archive.zip!a/b.edxml``, ``sim:run-1``), for reports."""


@dataclass(frozen=True, slots=True)
class Reject:
    """An entry of an import source that could not be archived, and why."""

    origin: str
    finding: Finding


@dataclass(frozen=True, slots=True)
class WriteCounts:
    """What one write did: rows new to the archive and rows it already held."""

    added: int = 0
    already: int = 0
    rejected: int = 0
    rejected_before: int = 0


@dataclass(frozen=True, slots=True)
class StoredBody:
    """An envelope read back for verification: its bytes (or why not) and its signing time."""

    envelope_id: int
    data: bytes | InputError
    signed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """An envelope as stored (still compressed), to decode elsewhere: the distributed audit
    sends these to workers that have no access to the archive file."""

    envelope_id: int
    codec: str
    """A :class:`Codec` value, or ``""`` when the archive has no body for this envelope."""
    blob: bytes
    digest: bytes
    crc: int | None = None
    """The CRC-32 of ``blob`` recorded at import; ``None`` for a body stored before it."""
    signed_at: datetime | None = None


def decode_blob(stored: StoredBlob, *, check_hash: bool = True, file: str | None = None,
                decompressor: zstandard.ZstdDecompressor | None = None) -> bytes:
    """The raw bytes of ``stored``.

    The CRC-32 of the stored bytes is checked first (a few microseconds for an ordinary body):
    damage on disk is then reported as what it is, never as the XML or signature error that
    verifying garbled bytes would give. A body stored before the checksum existed is checked
    against its SHA-256 identity instead, whatever ``check_hash`` says.

    Raises
    ------
    InputError
        ``DF-ARC-019`` when the body is missing, damaged (its checksum), cannot be decompressed
        or (with ``check_hash``) no longer matches its SHA-256 identity; ``file`` names the
        archive in the error.
    """
    if not stored.codec:
        raise InputError("DF-ARC-019", f"envelope {stored.envelope_id} has no stored body",
                         Location(file=file))
    if stored.crc is not None and zlib.crc32(stored.blob) != stored.crc:
        raise InputError("DF-ARC-019", f"envelope {stored.envelope_id}: the stored body is "
                         "damaged (its checksum does not match)", Location(file=file))
    check_hash = check_hash or stored.crc is None
    try:
        if stored.codec == Codec.ZSTD.value:
            data = (decompressor or zstandard.ZstdDecompressor()).decompress(stored.blob)
        elif stored.codec == Codec.ZLIB.value:
            data = zlib.decompress(stored.blob)
        else:
            raise ValueError(f"unknown codec {stored.codec!r}")
    except (zlib.error, zstandard.ZstdError, ValueError) as exc:
        raise InputError("DF-ARC-019", f"envelope {stored.envelope_id} cannot be decompressed: "
                         f"{exc}", Location(file=file)) from None
    if check_hash and content_hash(data) != stored.digest:
        raise InputError("DF-ARC-019", f"envelope {stored.envelope_id} no longer matches its "
                         "content hash", Location(file=file))
    return data


@dataclass(frozen=True, slots=True)
class StoredResult:
    """One stored verification result: an envelope id and its outcome."""

    envelope_id: int
    outcome: DocumentOutcome


def content_hash(data: bytes) -> bytes:
    """The identity of an envelope: SHA-256 of its raw bytes."""
    return hashlib.sha256(data).digest()
