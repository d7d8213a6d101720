"""summary.json's typed model: the writer's bytes read back whole, bad fields named, in step
with the JSON Schema."""

from __future__ import annotations

import copy
import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any

import pytest

from docflow.errors import InputError
from docflow.jsonmodel import JsonModel
from docflow.levels import Level
from docflow.outputs import OutputSchema
from docflow.runs import simulate
from docflow.sim.summary_model import SimulationSummary

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, SimulationSummary]:
    """A real run with an outage, tampering, expired certificates and calibration figures:
    the bytes of its summary.json and the model the writer built."""
    out = tmp_path_factory.mktemp("run") / "run"
    result = simulate(ROOT / "tests" / "report" / "data" / "tiny-faults.toml", out=out)
    return (out / "summary.json").read_bytes(), result.summary


def test_summary_json_reads_back_to_the_same_model_and_bytes(
        written: tuple[bytes, SimulationSummary]) -> None:
    """summary.json → model → JSON gives the file's bytes, and the model the writer built."""
    data, model = written
    read = SimulationSummary.from_json(data, "run/summary.json")
    assert read == model
    assert read.to_json() == data
    assert read.levels[Level.COMMUNE].coverage.reasons  # tampering and expired certificates
    assert {f.kind.value for f in read.scenario.faults} >= {"hub_outage", "tampering"}
    assert read.calibration and read.outages[0].target == "lgsp-h01"


@pytest.mark.parametrize(("edit", "key", "message"), [
    (lambda s: s["levels"]["commune"].pop("sent"), "levels.commune.sent", "missing field"),
    (lambda s: s["levels"]["commune"]["coverage"].update(both_valid="all"),
     "levels.commune.coverage.both_valid", "whole number"),
    (lambda s: s["hubs"]["axis"].update(kind="moon"), "hubs.axis.kind", "axis, province"),
    (lambda s: s["levels"].update(galaxy=s["levels"]["commune"]), "levels.galaxy",
     "expected one of central"),
    (lambda s: s["scenario"]["faults"][0].update(start="soon"), "scenario.faults[0].start",
     "ISO 8601"),
    (lambda s: s["series"]["backlog"]["axis"].__setitem__(2, -1), "series.backlog.axis[2]",
     "zero or more"),
    (lambda s: s["latency_cdf"]["commune"]["delivery"].__setitem__(0, [1.0]),
     "latency_cdf.commune.delivery[0]", "list of 2 items"),
    (lambda s: s["totals"]["status_messages"]["by_code"].update({"99": {}}),
     "totals.status_messages.by_code.99", "expected one of"),
    (lambda s: s["calibration"][1].update(role="guessed"), "calibration[1].role",
     "input, fitted, predicted"),
    (lambda s: s.update(schema="docflow.load/1"), "schema", "docflow.simulation/1"),
])
def test_a_broken_field_is_df_rep_002_with_its_dotted_key(
        written: tuple[bytes, SimulationSummary], edit: Any, key: str, message: str) -> None:
    """Every field is checked on reading: a missing or mistyped one is DF-REP-002 at its key."""
    data = json.loads(written[0])
    edit(data)
    with pytest.raises(InputError) as err:
        SimulationSummary.from_json(json.dumps(data), "run/summary.json")
    assert (err.value.code, err.value.location.key, err.value.location.file) == \
        ("DF-REP-002", key, "run/summary.json")
    assert message in err.value.message


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _same_shape(schema: dict[str, Any], node: dict[str, Any], tp: Any, where: str) -> int:
    """Walk the JSON Schema and the model together; return how many objects were compared."""
    node = _resolve(schema, node)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        rest = [a for a in args if a is not type(None)]
        return _same_shape(schema, node, rest[0], where) if len(rest) == 1 else 0
    if dataclasses.is_dataclass(tp):
        if "oneOf" in node:  # a fault: each variant's keys are fields of the one row
            names = {f.name for f in dataclasses.fields(tp)}
            for variant in node["oneOf"]:
                assert set(variant["properties"]) <= names, where
            return 1
        hints = typing.get_type_hints(tp)
        fields = {f.metadata.get("docflow.json.key", f.name): f for f in dataclasses.fields(tp)}
        required = {k for k, f in fields.items() if f.default is dataclasses.MISSING}
        assert set(node["properties"]) == set(fields), where
        assert set(node["required"]) == required, where
        return 1 + sum(_same_shape(schema, node["properties"][k], hints[f.name], f"{where}.{k}")
                       for k, f in fields.items())
    if origin is dict:
        return _same_shape(schema, node["additionalProperties"], args[1], f"{where}.*")
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _same_shape(schema, node["items"], args[0], f"{where}[]")
    return 0


def test_the_model_and_the_json_schema_name_the_same_fields() -> None:
    """Every object of the schema has exactly the model's keys, required where the model has
    no default: the model and the published schema cannot drift apart."""
    schema = OutputSchema.SIMULATION.json_schema()
    assert issubclass(SimulationSummary, JsonModel)
    assert _same_shape(schema, schema, SimulationSummary, "") > 20


def test_a_hand_edited_rate_does_not_reach_the_report(
        written: tuple[bytes, SimulationSummary]) -> None:
    """The model keeps what the file says; the report recomputes rates from the counts."""
    from docflow.report.simulation import read_simulation

    data = json.loads(written[0])
    original = copy.deepcopy(data)
    data["levels"]["commune"]["coverage"]["rates"]["both_valid"]["rate"] = 0.123
    model = SimulationSummary.from_dict(data)
    assert model.levels[Level.COMMUNE].coverage.rates.both_valid.rate == 0.123
    view = read_simulation(model)
    commune = next(c for c in view.coverage if c.key == "commune")
    assert commune.cells["both_valid"].rate != 0.123
    assert commune.cells["both_valid"].rate == pytest.approx(
        original["levels"]["commune"]["coverage"]["both_valid"] /
        original["levels"]["commune"]["coverage"]["documents"])
