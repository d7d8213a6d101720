"""``docflow.audit``: verify every document of an archive in parallel and count its coverage.

The work is split so that nothing is counted twice and nothing is lost when an audit is killed:

0. The trust configuration is settled (:mod:`docflow.audit.run_trust`: with no anchor, a
   simulation run's own trust files, or a warning) and every trust file is read once here, so
   that a bad anchor, CRL or role mapping is an error with its code before any import, and
   never a failure inside a worker process.
1. The source is made an archive: an archive database is used as it is; a folder, a zip or a
   tar is imported first (into ``config.db`` or a temporary file).
2. The verification *context* — policy, trust-store fingerprint, validation time — gets an id.
3. The documents with no stored result in that context are verified, in batches, by an
   :class:`~docflow.dist.executor.Executor` — this process, a local pool (the default) or a
   Dask cluster (``config.scheduler``). This process reads each batch's stored bytes and sends
   them with the trust (as bytes, :mod:`docflow.audit.trust_bundle`), so workers need no
   shared file system; each builds its checker once and keeps its certificate cache. A few
   booleans per document come back, and this process stores each batch's results in one
   transaction as it arrives (a result already stored is kept).
4. Coverage is counted from the stored results (all of them, old and new) with
   :mod:`docflow.metrics.coverage`, so a resumed audit, or a second audit of the same archive
   with the same context (which verifies only what is new), reports exactly what one
   uninterrupted audit would.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from docflow.archive.importer import ImportResult, import_source
from docflow.archive.store import Archive
from docflow.audit.batch import as_results, verify_batch
from docflow.audit.config import AuditConfig
from docflow.audit.directory import Directory, find_directory
from docflow.audit.result import (
    AuditResult,
    by_province,
    by_province_level,
    coverage_by_dimension,
    signature_sources,
)
from docflow.audit.run_trust import TrustSource, resolve_trust
from docflow.audit.scratch import scratch_archive
from docflow.audit.signatures import SignatureChecker
from docflow.audit.target import below_target, unranked_agencies
from docflow.audit.trust_bundle import pack_trust, remember
from docflow.dist.executor import Executor, open_executor
from docflow.envelope.rules import MessageKind
from docflow.errors import Finding, InputError, Location, WorkerError
from docflow.progress import Progress
from docflow.runfolder import check_complete

__all__ = ["VERIFYING", "audit", "is_archive"]

VERIFYING = "verifying"
"""The audit's main phase in the progress line: documents verified of those to verify."""

Notify = Callable[[Finding], None]
"""Called with each notice (``DF-AUD-003``, ``DF-AUD-004``) as soon as it is known, before
any document is verified, so that a user can stop an audit that trusts nothing."""

_SQLITE_MAGIC = b"SQLite format 3\x00"


def is_archive(path: Path) -> bool:
    """True when ``path`` is an SQLite file (an archive, or something to refuse as one)."""
    try:
        if not path.is_file():
            return False
        with open(path, "rb") as handle:
            return handle.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False


def audit(source: str | os.PathLike[str], config: AuditConfig | None = None,
          progress: Progress | None = None, notify: Notify | None = None,
          executor: Executor | None = None) -> AuditResult:
    """Verify every document of ``source`` and report signing coverage.

    Parameters
    ----------
    source
        An archive database, or a folder, zip or tar of ``.edxml``/``.xml`` files (imported
        first, into ``config.db`` or a temporary archive).
    config
        Trust, validation time, processes, target; :class:`AuditConfig` defaults otherwise.
    progress
        Called with (phase, done, total) (:mod:`docflow.progress`): ``"importing"`` entries
        of a folder, zip or tar, then ``"verifying"`` after each chunk (verified so far, to
        verify).
    notify
        Called with each notice about the trust configuration before verification starts
        (they are in the result too).
    executor
        Where batches are verified; ``None`` opens one from ``config.scheduler`` and
        ``config.jobs`` (:func:`docflow.dist.executor.open_executor`) and closes it after.
        Every executor gives the same result, byte for byte.

    Returns
    -------
    AuditResult
        Coverage by level, agency, document type and month, with 95% Wilson intervals.

    Raises
    ------
    InputError
        When the source or the archive cannot be read (``DF-IO``, ``DF-ARC`` codes), a
        trust file cannot be read (``DF-IO``, ``DF-PKI`` codes), or the scheduler cannot be
        used (``DF-DIST`` codes); ``DF-RUN-002`` when the source is in a run folder marked
        incomplete (a simulation interrupted or running). Problems of single envelopes are
        counted, never raised.
    ConfigError
        ``DF-PKI-026`` when the role mapping is not TOML or a rule is invalid.
    """
    config = config or AuditConfig()
    path = Path(source)
    if not path.exists():
        raise InputError("DF-IO-001", "the source does not exist", Location(file=str(path)))
    check_complete(path if path.is_dir() else path.parent, "the source")  # an unfinished run
    trust, trust_source, notice = resolve_trust(path, config.trust, run_trust=config.run_trust)
    config = dataclasses.replace(config, trust=trust)
    checker = SignatureChecker(trust)  # reads every trust file now: errors before any work
    directory = find_directory(path, config.topology, trust.anchors)  # a bad --topology too
    notices = () if notice is None else (notice,)
    if notify is not None:
        for item in notices:
            notify(item)
    run = _Run(str(source), checker, trust_source, notices, config, progress, executor,
               directory)
    if is_archive(path):
        return _audit_archive(path, path, None, run)
    if config.db is not None:
        with Archive(config.db) as archive:
            imported = import_source(path, archive, config.import_config, progress)
        return _audit_archive(Path(config.db), Path(config.db), imported, run)
    with scratch_archive() as db:
        with Archive(db) as archive:
            imported = import_source(path, archive, config.import_config, progress)
        return _audit_archive(db, None, imported, run)


@dataclasses.dataclass(frozen=True, slots=True)
class _Run:
    """What one call of :func:`audit` settled before touching the archive."""

    source: str
    checker: SignatureChecker
    """Built in this process from the settled trust; verifies when no pool is used."""
    trust_source: TrustSource
    notices: tuple[Finding, ...]
    config: AuditConfig
    progress: Progress | None
    executor: Executor | None
    directory: Directory
    """Names and provinces of the agencies (:mod:`docflow.audit.directory`)."""


def _audit_archive(db: Path, shown: Path | None, imported: ImportResult | None,
                   run: _Run) -> AuditResult:
    config, progress = run.config, run.progress
    fingerprint = _checked_fingerprint(config.trust.fingerprint())
    at = config.at.isoformat() if config.at is not None else "signing-time"
    with Archive(db) as archive:
        context = archive.context(policy=config.trust.policy_name, trust_fingerprint=fingerprint,
                                  at=at)
        todo = archive.unverified(context)
        sizes = archive.raw_sizes(todo)
    chunks = list(_chunks(todo, sizes, config.chunk_size, config.chunk_bytes))
    bundle = pack_trust(config.trust)
    remember(bundle, run.checker)  # this process, and forked pool workers, reuse it
    # The executor is started while this process holds no SQLite connection, so forked
    # workers inherit none (SQLite forbids carrying a connection across fork()).
    owned = run.executor is None
    executor = run.executor or open_executor(config.scheduler, config.jobs, tasks=len(chunks))
    try:
        with Archive(db) as archive:
            shared = executor.share(bundle)
            # The client reads each batch's stored bytes as a worker frees up; the workers
            # need neither the archive file nor the trust files.
            tasks = ((shared, config.at, archive.read_blobs(chunk)) for chunk in chunks)
            done = 0
            if progress is not None:  # the line shows before the first batch ends
                progress(VERIFYING, 0, len(todo))
            for rows in executor.map_unordered(verify_batch, tasks):
                # One transaction per batch, a stored result kept: a killed audit, or a
                # batch a lost worker ran twice, counts every envelope once.
                archive.store_results(context, as_results(rows))
                done += len(rows)
                if progress is not None:
                    progress(VERIFYING, done, len(todo))
            rows_all = archive.result_rows(context)
            statuses = archive.count(MessageKind.STATUS)
            unreadable: dict[str, int] = {}
            for reject in archive.rejects():
                unreadable[reject.finding.code] = unreadable.get(reject.finding.code, 0) + 1
            if not rows_all and not unreadable:
                raise _nothing_to_audit(shown or Path(run.source), statuses)
            # Every result into the .sqlite itself, so that a copy of it alone holds them.
            archive.checkpoint()
    except WorkerError as exc:
        if exc.code != "DF-DIST-003" or config.scheduler is not None:
            raise
        raise WorkerError("DF-AUD-006", "a worker process died (killed, or out of memory); "
                          "the results stored so far are kept: run the same audit again to "
                          "verify the rest", Location(file=str(shown or run.source))) from None
    finally:
        if owned:
            executor.close()
    tables = coverage_by_dimension(rows_all, config.levels)
    directory = run.directory.only(tables["agency"])
    below = () if config.target is None else below_target(
        {"level": tables["level"], "agency": tables["agency"]}, config.target, config.measure,
        config.min_documents)
    unranked = 0 if config.target is None else unranked_agencies(
        tables["agency"], config.target, config.measure, config.min_documents)
    return AuditResult(source=run.source, archive=str(shown) if shown else None,
                       policy=config.trust.policy_name, trust_fingerprint=fingerprint, at=at,
                       verified_now=len(todo), status_messages=statuses, unreadable=unreadable,
                       tables=tables, measure=config.measure, target=config.target,
                       below=below, min_documents=config.min_documents, unranked=unranked,
                       imported=imported, trust_source=run.trust_source,
                       anchors=tuple(str(a) for a in config.trust.anchors),
                       notices=run.notices, sources=signature_sources(rows_all),
                       directory=directory, by_province=by_province(tables["agency"], directory),
                       by_province_level=by_province_level(rows_all, directory, config.levels))


CHECKS = "xml-dsig+pdf"
"""What the audit verifies in each envelope. Part of the stored context: results stored before
the PDF attachments were checked are not reused by an audit that checks them."""


def _checked_fingerprint(trust_fingerprint: str) -> str:
    """The trust's fingerprint bound to :data:`CHECKS`."""
    return hashlib.sha256(f"checks={CHECKS}\n{trust_fingerprint}".encode()).hexdigest()


def _nothing_to_audit(path: Path, statuses: int) -> InputError:
    """``DF-AUD-005``: an archive with no document, said with what it does hold."""
    held = f"{statuses:,} status message{'s' if statuses != 1 else ''} and " if statuses else ""
    return InputError("DF-AUD-005", f"the archive holds {held}no document to audit; import "
                      "envelopes into it first (docflow archive import SOURCE --db ARCHIVE)",
                      Location(file=str(path)))


def _chunks(ids: Sequence[int], sizes: Sequence[int], count: int,
            limit: int) -> Iterator[list[int]]:
    """Consecutive runs of ``ids`` of at most ``count`` envelopes and about ``limit`` bytes.

    A chunk closes once it reaches ``limit`` raw bytes, so one larger than the limit goes
    alone; the order (by sender) is kept, since it is what spares certificate checks.

    >>> list(_chunks([1, 2, 3, 4, 5], [10, 10, 50, 10, 10], 3, 30))
    [[1, 2, 3], [4, 5]]
    >>> list(_chunks([1, 2, 3], [40, 1, 1], 128, 30))
    [[1], [2, 3]]
    """
    chunk: list[int] = []
    held = 0
    for envelope_id, size in zip(ids, sizes, strict=True):
        chunk.append(envelope_id)
        held += size
        if len(chunk) >= count or held >= limit:
            yield chunk
            chunk, held = [], 0
    if chunk:
        yield chunk
