"""The audit's JSON layout (``docflow.audit/1``) as :class:`~docflow.jsonmodel.JsonModel` classes.

Each class is one object of ``docflow/schemas/audit.schema.json``, its fields that object's keys
in the order written, so the audit is written and read through the one codec every output uses
(:mod:`docflow.jsonmodel`): a missing or mistyped field is ``DF-REP-002`` with its dotted key.
:class:`~docflow.audit.output.AuditOutput` is built from :class:`AuditJson` and back; what the
codec cannot see from an annotation (a code absent from the catalogue, contradictory counters)
it checks there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from docflow.audit.directory import DirectorySource
from docflow.audit.run_trust import TrustSource
from docflow.errors import Severity
from docflow.jsonmodel import JsonModel, key, optional
from docflow.metrics.coverage_json import Coverage
from docflow.outputs import OutputSchema

__all__ = ["AgencyJson", "AuditJson", "BelowJson", "ContextJson", "DirectoryJson",
           "FindingJson", "ImportJson", "LocationJson", "RoleSourcesJson", "SourcesJson",
           "TargetJson", "UnreadableJson"]


@dataclass(frozen=True, slots=True)
class LocationJson:
    """Where a finding is: only the known parts are written."""

    file: str | None = field(default=None, metadata=optional())
    line: int | None = field(default=None, metadata=optional())
    path: str | None = field(default=None, metadata=optional())
    key: str | None = field(default=None, metadata=optional())
    offset: int | None = field(default=None, metadata=optional())


@dataclass(frozen=True, slots=True)
class FindingJson:
    code: str
    """A code of :data:`~docflow.errors.CATALOGUE` (checked when the model is read)."""
    severity: Severity
    message: str
    location: LocationJson


@dataclass(frozen=True, slots=True)
class ContextJson:
    policy: str
    trust_fingerprint: str
    at: str
    trust_source: TrustSource
    anchors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UnreadableJson:
    total: int
    """The sum of ``by_code``: written for readers, recomputed when read."""
    by_code: dict[str, int]


@dataclass(frozen=True, slots=True)
class RoleSourcesJson:
    xml: int
    pdf: int
    both: int


@dataclass(frozen=True, slots=True)
class SourcesJson:
    organ: RoleSourcesJson
    signer: RoleSourcesJson


@dataclass(frozen=True, slots=True)
class BelowJson:
    dimension: str
    """``level`` or ``agency`` (checked when the model is read)."""
    key: str
    documents: int
    count: int
    rate: float
    low: float
    high: float
    certain: bool


@dataclass(frozen=True, slots=True)
class TargetJson:
    value: int | float
    measure: str
    """One of :data:`~docflow.metrics.coverage.RATE_FIELDS` (checked when the model is read)."""
    ranking: str
    min_documents: int
    unranked: int
    below: tuple[BelowJson, ...]


@dataclass(frozen=True, slots=True)
class ImportJson:
    added: int
    already: int
    rejected: int
    rejected_before: int
    by_code: dict[str, int]
    findings: tuple[FindingJson, ...]


@dataclass(frozen=True, slots=True)
class AgencyJson:
    name: str
    province: str | None


@dataclass(frozen=True, slots=True)
class DirectoryJson:
    source: DirectorySource
    origin: str | None
    provinces: bool
    agencies: dict[str, AgencyJson]


@dataclass(frozen=True, slots=True)
class AuditJson(JsonModel):
    """The root object of ``docflow audit --format json``."""

    SCHEMA: ClassVar[OutputSchema] = OutputSchema.AUDIT

    schema: str
    docflow_version: str
    source: str
    archive: str | None
    context: ContextJson
    notices: tuple[FindingJson, ...]
    documents: int
    verified_now: int
    reused: int
    status_messages: int
    unreadable: UnreadableJson
    total: Coverage
    sources: SourcesJson
    by_level: dict[str, Coverage]
    by_agency: dict[str, Coverage]
    by_document_type: dict[str, Coverage]
    by_month: dict[str, Coverage]
    target: TargetJson | None
    imported: ImportJson | None = field(metadata=key("import"))
    directory: DirectoryJson | None = None
    """Absent from outputs of docflow before it."""
    by_province: dict[str, Coverage] | None = None
    by_province_level: dict[str, dict[str, Coverage]] | None = None
