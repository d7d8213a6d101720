"""The result of an audit: coverage by level, agency, document type and month, as one value."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from docflow import __version__
from docflow.archive.importer import ImportResult
from docflow.archive.metadata import infer_level
from docflow.audit.directory import NO_DIRECTORY, Directory
from docflow.audit.output import AuditContext, AuditOutput, RoleSources, Sources, TargetSection
from docflow.audit.run_trust import TrustSource
from docflow.audit.target import BelowTarget
from docflow.errors import Finding
from docflow.levels import Level
from docflow.metrics.coverage import CoverageCounts, CoverageTable
from docflow.outputs import OutputSchema

__all__ = ["DIMENSIONS", "SCHEMA", "SOURCES", "UNKNOWN", "AuditResult", "by_province",
           "by_province_level", "coverage_by_dimension", "signature_sources"]

SCHEMA = OutputSchema.AUDIT.value
"""The ``schema`` field of the JSON form; bumped when a field changes meaning or goes away."""

UNKNOWN = "unknown"
"""The key of documents whose sender, level, type or month the archive does not know."""

DIMENSIONS: tuple[str, ...] = ("level", "agency", "document_type", "month")
"""The groupings of every audit, in report order."""


SOURCES: tuple[str, ...] = ("xml", "pdf", "both")
"""Where a role's signatures were found in a document: the envelope's XML-DSig, a PDF
attachment's PAdES signatures, or both."""


def signature_sources(rows: Sequence[tuple[Any, ...]]) -> dict[str, dict[str, int]]:
    """Documents per role whose signatures of that role are in each :data:`SOURCES`."""
    out = {role: dict.fromkeys(SOURCES, 0) for role in ("organ", "signer")}
    for row in rows:
        for role, index in (("organ", 9), ("signer", 10)):
            source = row[index] if len(row) > index else ""
            if source in out[role]:
                out[role][source] += 1
    return out


def _level_keys(rows: Sequence[tuple[Any, ...]],
                levels: Mapping[str, Level] | None) -> list[str]:
    """Each row's level: stored, else looked up or inferred from the organ code, else unknown."""
    keys = []
    for r in rows:
        level = r[1]
        if level is None:
            inferred = infer_level(r[0], levels)
            level = inferred.value if inferred else UNKNOWN
        keys.append(level)
    return keys


def by_province_level(rows: Sequence[tuple[Any, ...]], directory: Directory,
                      levels: Mapping[str, Level] | None = None
                      ) -> dict[str, CoverageTable] | None:
    """Coverage per province and, within it, per level of the sender (the level of
    :func:`coverage_by_dimension`, so a province's levels add up to its row of
    :func:`by_province`); ``None`` when the directory places no one."""
    if not directory.provinces or not rows:
        return None if not directory.provinces else {}
    provinces = [directory.province(r[0] or UNKNOWN) for r in rows]
    flags = np.array([r[4:8] for r in rows], dtype=bool).reshape(len(rows), 4)
    reasons = [() if r[8] == "[]" else tuple(json.loads(r[8])) for r in rows]
    table = CoverageTable()
    # One vectorised pass over "province<US>level" keys, split afterwards.
    table.add_arrays(np.array([f"{p}\x1f{lv}" for p, lv in zip(provinces, _level_keys(
        rows, levels), strict=True)], dtype=object).astype(str),
        organ_present=flags[:, 0], organ_valid=flags[:, 1], signer_present=flags[:, 2],
        signer_valid=flags[:, 3], reasons=reasons)
    out: dict[str, dict[str, CoverageCounts]] = {}
    for key, counts in table.items():
        province, _, level = key.partition("\x1f")
        out.setdefault(province, {})[level] = counts
    return {p: CoverageTable(out[p]) for p in sorted(out)}


def coverage_by_dimension(rows: Sequence[tuple[Any, ...]],
                          levels: Mapping[str, Level] | None = None
                          ) -> dict[str, CoverageTable]:
    """Count stored results (:meth:`Archive.result_rows`) by level, agency, type and month.

    A level missing from the archive is looked up in ``levels`` (or inferred from the organ
    code, see :func:`~docflow.archive.metadata.infer_level`); what stays unknown is counted
    under ``unknown``, so every document is counted once in every dimension.
    """
    n = len(rows)
    senders = [r[0] or UNKNOWN for r in rows]
    level_keys = _level_keys(rows, levels)
    flags = np.array([r[4:8] for r in rows], dtype=bool).reshape(n, 4)
    reasons = [() if r[8] == "[]" else tuple(json.loads(r[8])) for r in rows]
    columns = {
        "level": level_keys,
        "agency": senders,
        "document_type": [r[2] or UNKNOWN for r in rows],
        "month": [r[3] or UNKNOWN for r in rows],
    }
    tables: dict[str, CoverageTable] = {}
    for dimension in DIMENSIONS:
        table = CoverageTable()
        if n:
            table.add_arrays(np.array(columns[dimension], dtype=object).astype(str),
                             organ_present=flags[:, 0], organ_valid=flags[:, 1],
                             signer_present=flags[:, 2], signer_valid=flags[:, 3],
                             reasons=reasons)
        tables[dimension] = table
    return tables


def by_province(agencies: CoverageTable, directory: Directory) -> CoverageTable | None:
    """Coverage per province: the sum of its agencies' counts (each document has one sender,
    so every document is counted once). ``central`` holds agencies with no province, ``unknown``
    senders the directory does not know; ``None`` when the directory places no one (no
    topology, or a PKI index alone)."""
    if not directory.provinces:
        return None
    groups: dict[str, CoverageCounts] = {}
    for code, counts in agencies.items():
        key = directory.province(code)
        groups[key] = groups[key] + counts if key in groups else counts
    return CoverageTable(groups)


@dataclass(frozen=True)
class AuditResult:
    """What an audit found. Every count comes from results stored in the archive, so an audit
    resumed after a crash reports exactly what an uninterrupted one would."""

    source: str
    """The source as given (an archive, a folder, a zip or a tar)."""
    archive: str | None
    """The archive the results are stored in; ``None`` when it was temporary."""
    policy: str
    trust_fingerprint: str
    at: str
    """The validation time (ISO 8601), or ``signing-time``."""
    verified_now: int
    """Documents verified by this run; the others had a stored result already."""
    status_messages: int
    """Status messages in the archive; they carry no document and are not audited."""
    unreadable: dict[str, int]
    """Entries of import sources that could not be archived, per finding code."""
    tables: dict[str, CoverageTable]
    """Coverage per :data:`DIMENSIONS`."""
    measure: str
    target: float | None = None
    below: tuple[BelowTarget, ...] = ()
    """Levels and agencies below ``target``, worst first."""
    min_documents: int = 1
    """Agencies with fewer documents are not ranked in :attr:`below`."""
    unranked: int = 0
    """Agencies below the target left out of :attr:`below` for having fewer than
    :attr:`min_documents` documents."""
    imported: ImportResult | None = None
    """The import that preceded the audit, when the source was a folder, zip or tar."""
    trust_source: TrustSource = TrustSource.GIVEN
    """Where the trust anchors came from: given, the simulation run's folder, or nowhere."""
    anchors: tuple[str, ...] = ()
    """The trust anchor files (or ``docflow pki init`` folders) verified against."""
    notices: tuple[Finding, ...] = ()
    """What the user must know to read the figures: ``DF-AUD-003`` (no trust anchor, so
    nothing can be valid) or ``DF-AUD-004`` (the run's own trust files were used)."""
    sources: dict[str, dict[str, int]] | None = None
    """Per role, the documents whose signatures of that role are in the envelope (``xml``),
    in a PDF attachment (``pdf``) or in both: which kind the signing rates come from."""
    directory: Directory = NO_DIRECTORY
    """The names and provinces of the audited agencies, and where they were read from."""
    by_province: CoverageTable | None = None
    """Coverage per province (:func:`by_province`); ``None`` when no province is known."""
    by_province_level: dict[str, CoverageTable] | None = None
    """Coverage per province and level (:func:`by_province_level`)."""

    @property
    def exit_code(self) -> int:
        """1 when a level or agency is below the target or entries of the source could not be
        archived (where ``archive import`` of the same source exits 1 too), else 0."""
        return 1 if self.below or any(self.unreadable.values()) else 0

    @property
    def total(self) -> CoverageCounts:
        """All documents together."""
        return self.tables["level"].total()

    @property
    def documents(self) -> int:
        return self.total.documents

    @property
    def reused(self) -> int:
        """Documents whose stored result was reused."""
        return self.documents - self.verified_now

    def output(self) -> AuditOutput:
        """The typed JSON output (:class:`~docflow.audit.output.AuditOutput`) of this result:
        what every rendering (JSON, text, CSV, HTML) reads."""
        found = self.sources or {}
        return AuditOutput(
            docflow_version=__version__, source=self.source, archive=self.archive,
            context=AuditContext(self.policy, self.trust_fingerprint, self.at,
                                 self.trust_source, self.anchors),
            notices=self.notices, verified_now=self.verified_now,
            status_messages=self.status_messages, unreadable=self.unreadable,
            total=self.total,
            sources=Sources(*(RoleSources(**found.get(role, {})) for role in ("organ", "signer"))),
            by_level=self.tables["level"], by_agency=self.tables["agency"],
            by_document_type=self.tables["document_type"], by_month=self.tables["month"],
            target=None if self.target is None else TargetSection(
                self.target, self.measure, self.min_documents, self.unranked, self.below),
            imported=self.imported, directory=self.directory, by_province=self.by_province,
            by_province_level=self.by_province_level)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (schema ``docflow.audit/1``, ``docflow/schemas/audit.schema.json``)."""
        return self.output().to_json()
