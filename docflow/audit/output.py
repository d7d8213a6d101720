"""The audit's JSON output as one typed value, shared by its writer and every reader.

:class:`AuditOutput` is what ``docflow audit --format json`` writes (schema ``docflow.audit/1``,
``docflow/schemas/audit.schema.json``): :meth:`AuditResult.output
<docflow.audit.result.AuditResult.output>` builds it, :meth:`AuditOutput.to_json` gives the
JSON-ready dict in its fixed key order, and :meth:`AuditOutput.from_json` reads a saved one back,
checking every field it reads — a missing or mistyped field is ``DF-REP-002`` with its dotted key
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
from docflow.audit.run_trust import TrustSource
from docflow.audit.target import BelowTarget
from docflow.errors import CATALOGUE, Finding, Location, Severity
from docflow.fields import Fields
from docflow.metrics.coverage import RATE_FIELDS, CoverageCounts, CoverageTable, read_counts
from docflow.outputs import OutputSchema

__all__ = ["AuditContext", "AuditOutput", "RoleSources", "Sources", "TargetSection"]

SCHEMA = OutputSchema.AUDIT.value

_LOCATION_KEYS = ("file", "line", "path", "key", "offset")


@dataclass(frozen=True, slots=True)
class AuditContext:
    """What the signatures were checked against: the stored verification context."""

    policy: str
    trust_fingerprint: str
    at: str
    """The validation time (ISO 8601), or ``signing-time``."""
    trust_source: TrustSource
    anchors: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"policy": self.policy, "trust_fingerprint": self.trust_fingerprint,
                "at": self.at, "trust_source": self.trust_source.value,
                "anchors": list(self.anchors)}

    @classmethod
    def from_json(cls, f: Fields) -> AuditContext:
        source = f.text("trust_source")
        if source not in {s.value for s in TrustSource}:
            raise f.fail("trust_source", f"unknown trust source {source!r}; one of "
                                         f"{', '.join(s.value for s in TrustSource)}")
        anchors = f.array("anchors")
        for i, a in enumerate(anchors):
            if not isinstance(a, str):
                raise f.fail(f"anchors[{i}]", "expected a string")
        return cls(f.text("policy"), f.text("trust_fingerprint"), f.text("at"),
                   TrustSource(source), tuple(anchors))


@dataclass(frozen=True, slots=True)
class RoleSources:
    """Documents whose signatures of one role are in the envelope, a PDF, or both."""

    xml: int = 0
    pdf: int = 0
    both: int = 0

    def to_json(self) -> dict[str, int]:
        return {"xml": self.xml, "pdf": self.pdf, "both": self.both}

    @classmethod
    def from_json(cls, f: Fields) -> RoleSources:
        return cls(f.count("xml"), f.count("pdf"), f.count("both"))


@dataclass(frozen=True, slots=True)
class Sources:
    """Where each role's signatures were found."""

    organ: RoleSources = RoleSources()
    signer: RoleSources = RoleSources()

    def to_json(self) -> dict[str, Any]:
        return {"organ": self.organ.to_json(), "signer": self.signer.to_json()}

    @classmethod
    def from_json(cls, f: Fields) -> Sources:
        return cls(RoleSources.from_json(f.obj("organ")), RoleSources.from_json(f.obj("signer")))


@dataclass(frozen=True, slots=True)
class TargetSection:
    """The target and the groups below it, worst first (by the upper bound)."""

    value: float
    measure: str
    """One of :data:`~docflow.metrics.coverage.RATE_FIELDS`."""
    min_documents: int
    unranked: int
    below: tuple[BelowTarget, ...]

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "measure": self.measure, "ranking": "upper_bound",
                "min_documents": self.min_documents, "unranked": self.unranked,
                "below": [b.to_dict() for b in self.below]}

    @classmethod
    def from_json(cls, f: Fields) -> TargetSection:
        measure = f.text("measure")
        if measure not in RATE_FIELDS:
            raise f.fail("measure", f"unknown measure {measure!r}; one of "
                                    f"{', '.join(RATE_FIELDS)}")
        below = []
        for b in f.items("below"):
            dimension = b.text("dimension")
            if dimension not in ("level", "agency"):
                raise b.fail("dimension", f"expected level or agency, found {dimension!r}")
            below.append(BelowTarget(dimension, b.text("key"), b.count("documents"),
                                     b.count("count"), b.number("rate"), b.number("low"),
                                     b.number("high"), b.flag("certain")))
        return cls(f.number("value"), measure, f.count("min_documents"), f.count("unranked"),
                   tuple(below))


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
        return {
            "schema": SCHEMA,
            "docflow_version": self.docflow_version,
            "source": self.source,
            "archive": self.archive,
            "context": self.context.to_json(),
            "notices": [f.to_dict() for f in self.notices],
            "documents": self.documents,
            "verified_now": self.verified_now,
            "reused": self.reused,
            "status_messages": self.status_messages,
            "unreadable": {"total": sum(self.unreadable.values()),
                           "by_code": {k: self.unreadable[k] for k in sorted(self.unreadable)}},
            "total": self.total.to_dict(),
            "sources": self.sources.to_json(),
            "by_level": self.by_level.to_dict(),
            "by_agency": self.by_agency.to_dict(),
            "by_document_type": self.by_document_type.to_dict(),
            "by_month": self.by_month.to_dict(),
            "target": None if self.target is None else self.target.to_json(),
            "import": None if self.imported is None else self.imported.to_dict(),
            "directory": _directory_json(self.directory),
            "by_province": None if self.by_province is None else self.by_province.to_dict(),
            "by_province_level": None if self.by_province_level is None else {
                p: self.by_province_level[p].to_dict() for p in sorted(self.by_province_level)},
        }

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
        root = Fields(data, file)
        schema = root.text("schema")
        if schema != SCHEMA:
            raise root.fail("schema", f"expected {SCHEMA!r}, found {schema!r}")
        unreadable = root.obj("unreadable").obj("by_code")
        return cls(
            docflow_version=root.text("docflow_version"),
            source=root.text("source"),
            archive=root.opt_text("archive"),
            context=AuditContext.from_json(root.obj("context")),
            notices=tuple(_finding(n) for n in root.items("notices")),
            verified_now=root.count("verified_now"),
            status_messages=root.count("status_messages"),
            unreadable={c: unreadable.count(c) for c in unreadable.names()},
            total=read_counts(root.obj("total")),
            sources=Sources.from_json(root.obj("sources")),
            by_level=_table(root.obj("by_level")),
            by_agency=_table(root.obj("by_agency")),
            by_document_type=_table(root.obj("by_document_type")),
            by_month=_table(root.obj("by_month")),
            target=TargetSection.from_json(t) if (t := root.opt_obj("target")) else None,
            imported=_import(i) if (i := root.opt_obj("import")) else None,
            directory=_directory(d) if (d := root.opt_obj("directory")) else NO_DIRECTORY,
            by_province=_table(p) if (p := root.opt_obj("by_province")) else None,
            by_province_level={k: _table(pl.obj(k)) for k in pl.names()}
            if (pl := root.opt_obj("by_province_level")) else None,
        )

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


def _table(f: Fields) -> CoverageTable:
    return CoverageTable({k: read_counts(f.obj(k)) for k in f.names()})


def _finding(f: Fields) -> Finding:
    """A notice or an import finding: its code must be in the catalogue, its severity known."""
    code = f.text("code")
    if code not in CATALOGUE:
        raise f.fail("code", f"unknown finding code {code!r}")
    severity = f.text("severity")
    if severity not in {s.value for s in Severity}:
        raise f.fail("severity", f"unknown severity {severity!r}; one of "
                                 f"{', '.join(s.value for s in Severity)}")
    message = f.text("message")
    location = Location()
    if loc := f.opt_obj("location"):
        parts: dict[str, Any] = {}
        for name in loc.names():
            if name not in _LOCATION_KEYS:
                raise loc.fail(name, f"unknown location part; one of {', '.join(_LOCATION_KEYS)}")
            parts[name] = loc.count(name) if name in ("line", "offset") else loc.text(name)
        location = Location(**parts)
    return Finding(code, message, location, Severity(severity))


def _import(f: Fields) -> ImportResult:
    codes = f.obj("by_code")
    return ImportResult(added=f.count("added"), already=f.count("already"),
                        rejected=f.count("rejected"), rejected_before=f.count("rejected_before"),
                        findings=tuple(_finding(x) for x in f.items("findings")),
                        by_code={c: codes.count(c) for c in codes.names()})


def _directory_json(d: Directory) -> dict[str, Any]:
    return {"source": d.source.value, "origin": d.origin, "provinces": d.provinces,
            "agencies": {code: {"name": n.name, "province": n.province}
                         for code, n in sorted(d.agencies.items())}}


def _directory(f: Fields) -> Directory:
    source = f.text("source")
    if source not in {s.value for s in DirectorySource}:
        raise f.fail("source", f"unknown directory source {source!r}; one of "
                               f"{', '.join(s.value for s in DirectorySource)}")
    agencies = f.obj("agencies")
    named = {}
    for code in agencies.names():
        a = agencies.obj(code)
        named[code] = Named(a.text("name"), a.opt_text("province"))
    return Directory(DirectorySource(source), f.opt_text("origin"), named, f.flag("provinces"))
