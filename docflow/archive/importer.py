"""``docflow archive import``: put the envelopes of a folder, zip or tar into an archive.

The import is idempotent and resumable. Entries are read one at a time (:mod:`.sources`),
hashed, and written in batches, each batch one transaction. Importing the same source again
adds nothing (envelopes are keyed by content hash, rejected entries by origin), and an import
killed half-way keeps every batch it committed: running it again skips what is stored and adds
the rest, so nothing is lost and nothing is counted twice.

An entry that cannot be archived (too large, a bomb, a traversal name, not XML, hostile XML,
not edXML) is recorded as a *reject* with its finding code, and counted; it never stops the
import.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from docflow.archive.metadata import read_metadata
from docflow.archive.sources import SourceEntry, SourceLimits, iter_source
from docflow.archive.store import Archive, NewEnvelope, Reject, content_hash
from docflow.errors import Finding, InputError, Location
from docflow.levels import Level
from docflow.progress import Progress

__all__ = ["IMPORTING", "ImportConfig", "ImportResult", "import_into", "import_source",
           "nothing_found"]

IMPORTING = "importing"
"""The phase of an import, in the progress line (:mod:`docflow.progress`)."""


@dataclass(frozen=True, slots=True)
class ImportConfig:
    """How to import a source."""

    limits: SourceLimits = field(default_factory=SourceLimits)
    """What a source may contain; see :class:`~docflow.archive.sources.SourceLimits`."""
    batch_size: int = 500
    """Entries per transaction: large enough that commits cost little (~4 MB of 8 KB
    envelopes), small enough that a killed import redoes at most a second of work."""
    batch_bytes: int = 16 * 1024 * 1024
    """Bytes per transaction, whichever of the two bounds comes first: a batch holds its
    entries' bytes until it is written, so large envelopes (scans of 60 MB) go one or two at a
    time instead of 500 (1.36 GB). 16 MiB is four times what 500 ordinary envelopes hold, so
    it never splits their batches."""
    levels: Mapping[str, Level] | None = None
    """Organ code → level, e.g. from a topology; codes not in it get
    :func:`~docflow.archive.metadata.infer_level`'s answer."""

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if self.batch_bytes < 1:
            raise ValueError("batch_bytes must be at least 1")


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did. ``added + already`` envelopes and ``rejected + rejected_before``
    rejects were met in the source."""

    added: int = 0
    """Envelopes new to the archive."""
    already: int = 0
    """Envelopes the archive held already (the same bytes, from any source)."""
    rejected: int = 0
    """Entries that could not be archived, recorded now."""
    rejected_before: int = 0
    """Such entries recorded by an earlier import of the same source."""
    findings: tuple[Finding, ...] = ()
    """The findings of the rejected entries met in this run (both kinds above)."""
    by_code: dict[str, int] = field(default_factory=dict)
    """Rejected entries met in this run, per finding code."""

    @property
    def exit_code(self) -> int:
        """1 when some entries were rejected (each is a finding), else 0."""
        return 1 if self.findings else 0

    def to_dict(self) -> dict[str, object]:
        return {"added": self.added, "already": self.already, "rejected": self.rejected,
                "rejected_before": self.rejected_before,
                "by_code": {k: self.by_code[k] for k in sorted(self.by_code)},
                "findings": [f.to_dict() for f in self.findings]}


def import_source(source: str | os.PathLike[str], archive: Archive,
                  config: ImportConfig = ImportConfig(),
                  progress: Progress | None = None) -> ImportResult:
    """Import every ``.edxml``/``.xml`` entry of ``source`` into ``archive``.

    Parameters
    ----------
    source
        A folder, a zip, a tar (plain, gz, bz2, xz) or one file.
    archive
        The open archive to write to.
    config
        Limits, batch size and levels.
    progress
        Called with ``("importing", entries handled, None)`` after each batch
        (:mod:`docflow.progress`; the number of entries is not known before the source is read).

    Raises
    ------
    InputError
        When the source as a whole cannot be opened (``DF-IO-001``, ``DF-ARC-010``) or the
        archive cannot be written (``DF-ARC-*``). Problems of single entries are findings.
    """
    added = already = rejected = rejected_before = handled = 0
    findings: list[Finding] = []
    by_code: dict[str, int] = {}
    batch: list[SourceEntry] = []

    def flush() -> None:
        nonlocal added, already, rejected, rejected_before, handled
        envelopes, rejects, known = _prepare(batch, archive, config)
        counts = archive.add_many(envelopes, rejects)
        added += counts.added
        already += counts.already + known
        rejected += counts.rejected
        rejected_before += counts.rejected_before
        for reject in rejects:
            findings.append(reject.finding)
            by_code[reject.finding.code] = by_code.get(reject.finding.code, 0) + 1
        handled += len(batch)
        if progress is not None:
            progress(IMPORTING, handled, None)
        batch.clear()

    size = 0
    for entry in iter_source(source, config.limits):
        batch.append(entry)
        size += len(entry.data or b"")
        if len(batch) >= config.batch_size or size >= config.batch_bytes:
            flush()
            size = 0
    if batch:
        flush()
    if added + already + rejected + rejected_before == 0:
        raise nothing_found(source, config.limits)
    return ImportResult(added, already, rejected, rejected_before, tuple(findings), by_code)


def import_into(source: str | os.PathLike[str], db: str | os.PathLike[str],
                config: ImportConfig = ImportConfig(),
                progress: Progress | None = None) -> ImportResult:
    """Import ``source`` into the archive file ``db`` (created if missing).

    What ``docflow archive import`` does: a source with no entry at all is refused
    (``DF-ARC-020``) before the archive is created, so a mistyped source leaves no empty
    archive behind (an existing archive is opened, and so checked, first). See
    :func:`import_source` for the rest.
    """
    if not Path(db).exists() and next(iter_source(source, config.limits), None) is None:
        raise nothing_found(source, config.limits)
    with Archive(db) as archive:
        return import_source(source, archive, config, progress)


def nothing_found(source: str | os.PathLike[str], limits: SourceLimits) -> InputError:
    """``DF-ARC-020`` for a source with no entry, saying what it holds instead.

    The common mistake is ``docflow audit run/`` for ``run/archive.sqlite``: the hint names the
    SQLite file it found there.
    """
    path = Path(source)
    wanted = " or ".join(limits.suffixes)
    if not path.is_dir():
        return InputError("DF-ARC-020", f"the source holds no {wanted} entry",
                          Location(file=str(path)))
    try:
        names = sorted(p.name for p in path.iterdir())
    except OSError:
        names = []
    databases = [n for n in names if _is_sqlite(path / n)]
    if databases:
        hint = f"; it holds the archive {path / databases[0]}: give that file instead"
    elif names:
        shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        hint = f"; it holds {len(names)} other entr{'y' if len(names) == 1 else 'ies'} " \
               f"({shown})"
    else:
        hint = "; the folder is empty"
    return InputError("DF-ARC-020", f"the folder holds no {wanted} file{hint}",
                      Location(file=str(path)))


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _prepare(batch: list[SourceEntry], archive: Archive, config: ImportConfig
             ) -> tuple[list[NewEnvelope], list[Reject], int]:
    """Parse the entries of a batch that the archive does not hold yet.

    Returns the envelopes to add, the rejects, and how many entries were skipped unparsed
    because their hash is already stored (a resumed import parses only what is new).
    """
    digests = {id(e): content_hash(e.data) for e in batch if e.data is not None}
    stored = archive.contains(list(digests.values()))
    envelopes: list[NewEnvelope] = []
    rejects: list[Reject] = []
    known = 0
    seen: dict[bytes, NewEnvelope] = {}
    for entry in batch:
        if entry.data is None:
            assert entry.finding is not None
            rejects.append(Reject(entry.origin, entry.finding))
            continue
        digest = digests[id(entry)]
        if digest in stored:
            known += 1
            continue
        if digest in seen:  # the same bytes twice in one batch: add_many counts it as already
            envelopes.append(seen[digest])
            continue
        try:
            meta = read_metadata(entry.data, config.levels, where=entry.origin)
        except InputError as exc:
            rejects.append(Reject(entry.origin, exc.as_finding()))
            continue
        seen[digest] = NewEnvelope(entry.data, meta, entry.origin)
        envelopes.append(seen[digest])
    return envelopes, rejects, known
