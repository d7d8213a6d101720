"""The audit's output on the one codec: its layout model walked with the JSON Schema, and
bad fields anywhere in it named by their dotted key."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from docflow.archive.importer import ImportResult
from docflow.audit.output import AuditOutput, TargetSection
from docflow.audit.output_json import AuditJson
from docflow.audit.target import BelowTarget
from docflow.errors import Finding, InputError, Location, Severity
from docflow.jsonmodel import JsonModel
from docflow.outputs import OutputSchema
from tests.sim.test_summary_model import _same_shape


def _without_null_variants(node: Any) -> Any:
    """The schema with each ``oneOf: [null, X]`` replaced by X: the model says ``X | None``
    for those, and the walk compares the X."""
    if isinstance(node, list):
        return [_without_null_variants(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _without_null_variants(v) for k, v in node.items()}
    variants = out.get("oneOf")
    if variants and len(variants) == 2 and {"type": "null"} in variants:
        rest = next(v for v in variants if v != {"type": "null"})
        del out["oneOf"]
        out.update(rest)
    return out


def _nullable(node: dict[str, Any]) -> bool:
    kinds = node.get("type", [])
    return "null" in kinds or {"type": "null"} in node.get("oneOf", [])


def test_the_model_and_the_json_schema_name_the_same_fields() -> None:
    """Every object of audit.schema.json has exactly the model's keys, required where the model
    has no default, and a top-level key may be null exactly where the model says ``| None``."""
    schema = OutputSchema.AUDIT.json_schema()
    assert issubclass(AuditJson, JsonModel) and AuditJson.SCHEMA is OutputSchema.AUDIT
    assert _same_shape(schema, _without_null_variants(schema), AuditJson, "") > 20
    fields = {f.metadata.get("docflow.json.key", f.name): f for f in dataclasses.fields(AuditJson)}
    may_be_null = {k for k, f in fields.items()
                   if "None" in str(f.type) and f.default is dataclasses.MISSING}
    assert may_be_null == {k for k, n in schema["properties"].items()
                           if _nullable(n) and k in schema["required"]}


def _full() -> dict[str, Any]:
    """The example output with a target, a notice and an import: every part of the layout."""
    notice = Finding("DF-REP-002", "a note", Location(file="a.xml", line=3), Severity.WARNING)
    out = dataclasses.replace(
        AuditOutput.example(), notices=(notice,),
        target=TargetSection(0.9, "both_valid", 1, 0, (
            BelowTarget("level", "central", 2, 1, 0.5, 0.094531, 0.905469, False),)),
        imported=ImportResult(added=2, rejected=1, findings=(notice,),
                              by_code={"DF-REP-002": 1}))
    return out.to_json()


def test_the_json_is_the_codec_s_and_reads_back_whole() -> None:
    """The dict AuditOutput writes is AuditJson's, and reading it gives the same output."""
    data = json.loads(json.dumps(_full()))
    assert data == AuditJson.from_dict(data).to_dict()
    again = AuditOutput.from_json(data)
    assert again.to_json() == data
    assert again.notices[0].location.line == 3 and again.imported is not None
    assert again.target is not None and again.target.below[0].key == "central"


@pytest.mark.parametrize(("edit", "key"), [
    (lambda d: d["target"]["below"][0].update(rate="half"), "target.below[0].rate"),
    (lambda d: d["target"]["below"][0].update(dimension="hub"), "target.below[0].dimension"),
    (lambda d: d["target"].update(measure="speed"), "target.measure"),
    (lambda d: d["notices"][0].update(code="DF-XYZ-999"), "notices[0].code"),
    (lambda d: d["notices"][0]["location"].update(line=-1), "notices[0].location.line"),
    (lambda d: d["import"]["findings"][0].update(severity="fatal"),
     "import.findings[0].severity"),
    (lambda d: d["context"].update(trust_source="guess"), "context.trust_source"),
    (lambda d: d["by_level"]["central"].update(both_valid=2), "by_level.central.documents"),
    (lambda d: d["by_province_level"]["central"]["central"].pop("reasons"),
     "by_province_level.central.central.reasons"),
    (lambda d: d["unreadable"].pop("by_code"), "unreadable.by_code"),
])
def test_a_bad_field_is_df_rep_002_at_its_dotted_key(edit: Any, key: str) -> None:
    data = _full()
    edit(data)
    with pytest.raises(InputError) as err:
        AuditOutput.from_json(data, "audit.json")
    assert (err.value.code, err.value.location.key, err.value.location.file) == \
        ("DF-REP-002", key, "audit.json")
