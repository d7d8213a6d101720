"""The audit's JSON output as one typed value, shared by its writer and every reader.

:class:`AuditOutput` is what ``docflow audit --format json`` writes (schema ``docflow.audit/1``,
``docflow/schemas/audit.schema.json``): :meth:`AuditResult.output
<docflow.audit.result.AuditResult.output>` builds it. It is written and read through the one codec
of every output, :mod:`docflow.jsonmodel`, by way of the layout's model
(:class:`~docflow.audit.output_json.AuditJson`): :meth:`AuditOutput.to_json` gives the JSON-ready
dict in its fixed key order, and :meth:`AuditOutput.from_json` reads a saved one back, checking
every field — a missing or mistyped field is ``DF-REP-002`` with its dotted key
(``by_level.central.both_valid``, ``target.below[0].rate``), never a ``KeyError``. The text, CSV
and HTML renderings all read this model, by attribute, never by string keys into the dict.

Rates are not stored in the model: they are recomputed from the counters
(:class:`~docflow.metrics.coverage.CoverageCounts`), so an edited rate in a saved file can never
disagree with its own counts in a report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from docflow.archive.importer import ImportResult
from docflow.audit.directory import NO_DIRECTORY, Directory, DirectorySource, Named
from docflow.audit.output_json import (
    AgencyJson,
    AuditJson,
    BelowJson,
    ContextJson,
    DirectoryJson,
    FindingJson,
    ImportJson,
    LocationJson,
    RoleSourcesJson,
    SourcesJson,
    TargetJson,
    UnreadableJson,
)
from docflow.audit.run_trust import TrustSource
from docflow.audit.target import BelowTarget
from docflow.errors import CATALOGUE, Finding, InputError, Location
from docflow.metrics.coverage import RATE_FIELDS, CoverageCounts, CoverageTable
from docflow.metrics.coverage_json import Coverage
from docflow.outputs import rate

__all__ = ["AuditContext", "AuditOutput", "RoleSources", "Sources", "TargetSection"]


@dataclass(frozen=True, slots=True)
class AuditContext:
    """What the signatures were checked against: the stored verification context."""

    policy: str
    trust_fingerprint: str
    at: str
    """The validation time (ISO 8601), or ``signing-time``."""
    trust_source: TrustSource
    anchors: tuple[str, ...]



@dataclass(frozen=True, slots=True)
class RoleSources:
    """Documents whose signatures of one role are in the envelope, a PDF, or both."""

    xml: int = 0
    pdf: int = 0
    both: int = 0



@dataclass(frozen=True, slots=True)
class Sources:
    """Where each role's signatures were found."""

    organ: RoleSources = RoleSources()
    signer: RoleSources = RoleSources()



@dataclass(frozen=True, slots=True)
class TargetSection:
    """The target and the groups below it, worst first (by the upper bound)."""

    value: float
    measure: str
    """One of :data:`~docflow.metrics.coverage.RATE_FIELDS`."""
    min_documents: int
    unranked: int
    below: tuple[BelowTarget, ...]



@dataclass(frozen=True)
class AuditOutput:
    """The audit's JSON output (``docflow.audit/1``), field by field.

    Examples
    --------
    >>> out = AuditOutput.from_json(AuditOutput.example().to_json())
    >>> out.documents, out.by_level["central"].both_valid, out.directory.name("000.00.00.G22")
    (2, 1, 'Văn phòng Chính phủ')
    >>> bad = AuditOutput.example().to_json()
    >>> del bad["by_level"]["central"]["both_valid"]
    >>> AuditOutput.from_json(bad, "audit.json")
    Traceback (most recent call last):
    docflow.errors.InputError: DF-REP-002 audit.json by_level.central.both_valid: missing field
    """

    docflow_version: str
    source: str
    """The source as given (an archive, a folder, a zip or a tar)."""
    archive: str | None
    context: AuditContext
    notices: tuple[Finding, ...]
    verified_now: int
    status_messages: int
    unreadable: Mapping[str, int]
    """Entries of the source that could not be archived, per finding code."""
    total: CoverageCounts
    sources: Sources
    by_level: CoverageTable
    by_agency: CoverageTable
    by_document_type: CoverageTable
    by_month: CoverageTable
    target: TargetSection | None
    imported: ImportResult | None
    """The ``import`` section: what the import before the audit did."""
    directory: Directory = NO_DIRECTORY
    """Names and provinces of the audited agencies (absent from outputs of docflow before it:
    read as :data:`~docflow.audit.directory.NO_DIRECTORY`)."""
    by_province: CoverageTable | None = field(default=None)
    """Coverage per province; ``None`` when no province is known."""
    by_province_level: Mapping[str, CoverageTable] | None = field(default=None)
    """Per province, coverage per level of the sender; ``None`` when no province is known."""

    @property
    def documents(self) -> int:
        return self.total.documents

    @property
    def reused(self) -> int:
        """Documents whose stored result was reused."""
        return self.documents - self.verified_now

    def to_json(self) -> dict[str, Any]:
        """The JSON form, in its fixed key order (``json.dumps`` of it is the output)."""
        return self.wire().to_dict()

    def wire(self) -> AuditJson:
        """This output as the layout's model (:class:`~docflow.audit.output_json.AuditJson`)."""
        c, s, t, d = self.context, self.sources, self.target, self.directory
        return AuditJson(
            **AuditJson.header() | {"docflow_version": self.docflow_version},
            source=self.source, archive=self.archive,
            context=ContextJson(c.policy, c.trust_fingerprint, c.at, c.trust_source,
                                c.anchors),
            notices=tuple(_finding_json(f) for f in self.notices),
            documents=self.documents, verified_now=self.verified_now, reused=self.reused,
            status_messages=self.status_messages,
            unreadable=UnreadableJson(sum(self.unreadable.values()), _sorted(self.unreadable)),
            total=Coverage.of(self.total),
            sources=SourcesJson(RoleSourcesJson(s.organ.xml, s.organ.pdf, s.organ.both),
                                RoleSourcesJson(s.signer.xml, s.signer.pdf, s.signer.both)),
            by_level=_table_json(self.by_level), by_agency=_table_json(self.by_agency),
            by_document_type=_table_json(self.by_document_type),
            by_month=_table_json(self.by_month),
            target=None if t is None else TargetJson(
                t.value, t.measure, "upper_bound", t.min_documents, t.unranked,
                tuple(BelowJson(b.dimension, b.key, b.documents, b.count, _rate(b.rate),
                                _rate(b.low), _rate(b.high), b.certain) for b in t.below)),
            imported=None if (i := self.imported) is None else ImportJson(
                i.added, i.already, i.rejected, i.rejected_before, _sorted(i.by_code),
                tuple(_finding_json(f) for f in i.findings)),
            directory=DirectoryJson(d.source, d.origin, d.provinces, {
                code: AgencyJson(n.name, n.province) for code, n in sorted(d.agencies.items())}),
            by_province=None if self.by_province is None else _table_json(self.by_province),
            by_province_level=None if (pl := self.by_province_level) is None else {
                p: _table_json(pl[p]) for p in sorted(pl)})

    @classmethod
    def from_json(cls, data: Mapping[str, Any], file: str | None = None) -> AuditOutput:
        """Read and check an audit's JSON form.

        Parameters
        ----------
        data
            The parsed JSON (``json.loads`` of ``docflow audit --format json``).
        file
            Where it was read from, named in errors.

        Raises
        ------
        InputError
            ``DF-REP-002`` naming the dotted key of the first field that is missing or wrong,
            including a ``schema`` other than ``docflow.audit/1``.
        """
        return cls.of(AuditJson.from_dict(data, file), file)

    @classmethod
    def of(cls, j: AuditJson, file: str | None = None) -> AuditOutput:
        """The output a checked :class:`~docflow.audit.output_json.AuditJson` says.

        Raises
        ------
        InputError
            ``DF-REP-002`` at the dotted key of a finding code the catalogue lacks, an unknown
            measure or dimension, or coverage counters that contradict each other.
        """
        c, s, t, d = j.context, j.sources, j.target, j.directory
        target = None
        if t is not None:
            if t.measure not in RATE_FIELDS:
                raise _bad(file, "target.measure", f"unknown measure {t.measure!r}; one of "
                                                   f"{', '.join(RATE_FIELDS)}")
            below = []
            for n, b in enumerate(t.below):
                if b.dimension not in ("level", "agency"):
                    raise _bad(file, f"target.below[{n}].dimension",
                               f"expected level or agency, found {b.dimension!r}")
                below.append(BelowTarget(b.dimension, b.key, b.documents, b.count, b.rate,
                                         b.low, b.high, b.certain))
            target = TargetSection(t.value, t.measure, t.min_documents, t.unranked,
                                   tuple(below))
        imported = None
        if (i := j.imported) is not None:
            imported = ImportResult(
                added=i.added, already=i.already, rejected=i.rejected,
                rejected_before=i.rejected_before, by_code=dict(i.by_code),
                findings=tuple(_finding(f, file, f"import.findings[{n}]")
                               for n, f in enumerate(i.findings)))
        return cls(
            docflow_version=j.docflow_version, source=j.source, archive=j.archive,
            context=AuditContext(c.policy, c.trust_fingerprint, c.at, c.trust_source,
                                 c.anchors),
            notices=tuple(_finding(f, file, f"notices[{n}]") for n, f in enumerate(j.notices)),
            verified_now=j.verified_now, status_messages=j.status_messages,
            unreadable=dict(j.unreadable.by_code),
            total=_counts(j.total, file, "total"),
            sources=Sources(RoleSources(s.organ.xml, s.organ.pdf, s.organ.both),
                            RoleSources(s.signer.xml, s.signer.pdf, s.signer.both)),
            by_level=_table(j.by_level, file, "by_level"),
            by_agency=_table(j.by_agency, file, "by_agency"),
            by_document_type=_table(j.by_document_type, file, "by_document_type"),
            by_month=_table(j.by_month, file, "by_month"),
            target=target, imported=imported,
            directory=NO_DIRECTORY if d is None else Directory(
                d.source, d.origin, {k: Named(a.name, a.province) for k, a in d.agencies.items()},
                d.provinces),
            by_province=None if j.by_province is None else _table(j.by_province, file,
                                                                  "by_province"),
            by_province_level=None if (pl := j.by_province_level) is None else {
                p: _table(pl[p], file, f"by_province_level.{p}") for p in pl})
    @classmethod
    def example(cls) -> AuditOutput:
        """A small output of two documents from one central agency, for examples and tests."""
        counts = CoverageCounts(documents=2, organ_present=2, signer_present=1, both_present=1,
                                organ_valid=2, signer_valid=1, both_valid=1)
        return cls(
            docflow_version="0", source="archive.sqlite", archive="archive.sqlite",
            context=AuditContext("default", "0" * 64, "signing-time", TrustSource.GIVEN,
                                 ("root.pem",)),
            notices=(), verified_now=2, status_messages=0, unreadable={}, total=counts,
            sources=Sources(RoleSources(xml=2), RoleSources(xml=1)),
            by_level=CoverageTable({"central": counts}),
            by_agency=CoverageTable({"000.00.00.G22": counts}),
            by_document_type=CoverageTable({"Quyết định": counts}),
            by_month=CoverageTable({"2025-07": counts}), target=None, imported=None,
            directory=Directory(DirectorySource.TOPOLOGY, "tiny",
                                {"000.00.00.G22": Named("Văn phòng Chính phủ", None)}, True),
            by_province=CoverageTable({"central": counts}),
            by_province_level={"central": CoverageTable({"central": counts})})


def _sorted(counts: Mapping[str, int]) -> dict[str, int]:
    return {k: counts[k] for k in sorted(counts)}


def _rate(value: float) -> float:
    rounded = rate(value)
    assert rounded is not None  # a below-target group has documents, so a rate
    return rounded


def _table_json(table: CoverageTable) -> dict[str, Coverage]:
    return {k: Coverage.of(counts) for k, counts in table.items()}


def _bad(file: str | None, where: str, message: str) -> InputError:
    return InputError("DF-REP-002", message, Location(file=file, key=where))


def _counts(c: Coverage, file: str | None, where: str) -> CoverageCounts:
    """The counters of a coverage object; rates are derived, so recomputed, never read."""
    try:
        return c.counts()
    except ValueError as exc:
        raise _bad(file, f"{where}.documents",
                   f"contradictory coverage counters: {exc}") from None


def _table(groups: Mapping[str, Coverage], file: str | None, where: str) -> CoverageTable:
    return CoverageTable({k: _counts(c, file, f"{where}.{k}") for k, c in groups.items()})


def _finding_json(f: Finding) -> FindingJson:
    loc = f.location
    return FindingJson(f.code, f.effective_severity, f.message,
                       LocationJson(loc.file, loc.line, loc.path, loc.key, loc.offset))


def _finding(f: FindingJson, file: str | None, where: str) -> Finding:
    """A notice or an import finding: its code must be in the catalogue."""
    if f.code not in CATALOGUE:
        raise _bad(file, f"{where}.code", f"unknown finding code {f.code!r}")
    loc = f.location
    return Finding(f.code, f.message, Location(loc.file, loc.line, loc.path, loc.key,
                                               loc.offset), f.severity)
