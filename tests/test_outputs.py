"""Every JSON output validates against the JSON Schema shipped in the package.

The outputs are real: a simulation of ``tests/report/data/tiny-faults.toml`` with real
signatures on a sample (outages, expired certificates, tampering and calibration figures all
appear in it), the audit of that run's archive and of the fixture folder, and the validation of
every fixture envelope plus a message signed by a test PKI. Each layout names its schema and the
docflow version; counts are integers and rates carry at most six decimals.
"""

from __future__ import annotations

import copy
import json
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

import docflow
from docflow.audit.output import AuditOutput
from docflow.cli import cli
from docflow.outputs import RATE_DIGITS, OutputSchema
from docflow.sim.summary_model import SimulationSummary
from docflow.validation import ValidationConfig, validate_paths
from docflow.validation.document import FindingEntry, ValidationDocument

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "envelopes"
SENDER = "000.00.00.G22"


def _validator(schema: OutputSchema) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema.json_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _errors(schema: OutputSchema, data: Any) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
            for e in _validator(schema).iter_errors(data)]


def _rates(obj: Any, key: str = "") -> Iterator[float]:
    """Every rate or interval bound inside ``obj``."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _rates(v, k)
    elif isinstance(obj, list):
        for v in obj:
            yield from _rates(v, key)
    elif key in ("rate", "low", "high", "utilisation") and isinstance(obj, float):
        yield obj


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A week on ``tiny`` with faults and 300 documents really signed and verified."""
    out = tmp_path_factory.mktemp("run") / "run"
    docflow.simulate(ROOT / "tests" / "report" / "data" / "tiny-faults.toml", out=out,
                     crypto="sample:300")
    return out


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A test PKI and a message signed by the signer, then the organ."""
    base = tmp_path_factory.mktemp("signed")
    runner = CliRunner()

    def ok(*args: str) -> None:
        result = runner.invoke(cli, list(args))
        assert result.exit_code == 0, result.output

    ok("pki", "init", "--preset", "tiny", "--seed", "3", "--out", str(base / "pki"))
    (base / "a.txt").write_text("Nội dung\n", encoding="utf-8")
    ok("envelope", "new", "--from", SENDER, "--to", "000.00.00.G04", "--type", "QĐ",
       "--subject", "Thử nghiệm", "--attach", str(base / "a.txt"), "-o", str(base / "m.edxml"))
    index = json.loads((base / "pki" / "index.json").read_text(encoding="utf-8"))
    step = base / "m.edxml"
    for role in ("signer", "organ"):
        paths = index["agencies"][SENDER][role]
        ok("sign", str(step), "--key", str(base / "pki" / paths["key"]), "--cert",
           str(base / "pki" / paths["cert"]), "--role", role, "-o", str(base / f"{role}.edxml"))
        step = base / f"{role}.edxml"
    return base / "pki", step


def test_schemas_are_draft_2020_12_with_their_ids() -> None:
    """Each shipped schema is a valid draft 2020-12 schema whose $id is the output's id."""
    for schema in OutputSchema:
        doc = schema.json_schema()
        jsonschema.Draft202012Validator.check_schema(doc)
        assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert doc["$id"] == schema.value
        assert doc["properties"]["schema"] == {"const": schema.value,
                                               "description": "The layout and its version."}


def test_schemas_in_the_package_are_the_repository_schemas() -> None:
    """``schemas/`` is what the package ships (``docflow/schemas`` points there)."""
    for schema in OutputSchema:
        assert json.loads((ROOT / "schemas" / schema.file).read_text(encoding="utf-8")) == \
            schema.json_schema()


def test_version_is_the_package_version() -> None:
    """The version written into outputs is the one pyproject.toml releases."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert docflow.__version__ == project["project"]["version"]


def test_summary_validates(run: Path) -> None:
    """A real summary.json validates, with its id and version, and rounded rates."""
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    assert _errors(OutputSchema.SIMULATION, summary) == []
    assert summary["schema"] == "docflow.simulation/1"
    assert summary["docflow_version"] == docflow.__version__
    kinds = {f["kind"] for f in summary["scenario"]["faults"]}
    assert {"hub_outage", "tampering", "expired_certificates"} <= kinds
    assert summary["calibration"] and summary["run"]["coverage_from"] == "sample"
    rates = list(_rates(summary))
    assert rates and all(round(x, RATE_DIGITS) == x for x in rates)


def test_summary_schema_refuses_what_is_wrong(run: Path) -> None:
    """A float count, a rate above 1, a missing or unknown field, another schema id or a time
    not at +07:00 each fail."""
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    level = next(iter(summary["levels"]))
    for path, change in ((("totals", "delivered"), 3.5),
                         (("levels", level, "coverage", "rates", "organ_valid", "rate"), 1.2),
                         (("run", "surprise"), 1)):
        broken = copy.deepcopy(summary)
        target = broken
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = change
        assert _errors(OutputSchema.SIMULATION, broken), path
    broken = copy.deepcopy(summary)
    del broken["hubs"][next(iter(broken["hubs"]))]["latency_s"]
    assert _errors(OutputSchema.SIMULATION, broken)
    broken = {**summary, "schema": "docflow-simulation/1"}
    assert _errors(OutputSchema.SIMULATION, broken)
    broken = copy.deepcopy(summary)
    broken["scenario"]["start"] = "2025-07-07T00:00:00Z"
    assert _errors(OutputSchema.SIMULATION, broken), "times are Vietnam time"


def test_audit_of_the_run_validates(run: Path) -> None:
    """The audit of the run's archive (its own trust and topology, a target) validates, with
    the agencies named and the provinces counted; one written before those two fields existed
    validates too, and reads back as having no names."""
    result = docflow.audit(run / "archive.sqlite", docflow.AuditConfig(target=0.98))
    data = json.loads(json.dumps(result.to_dict()))
    assert _errors(OutputSchema.AUDIT, data) == []
    assert data["docflow_version"] == docflow.__version__
    assert data["documents"] == 300 and data["target"]["below"]
    assert all(round(x, RATE_DIGITS) == x for x in _rates(data))
    assert data["directory"]["source"] == "run" and data["directory"]["origin"] == "tiny"
    assert set(data["directory"]["agencies"]) == set(data["by_agency"])
    assert sum(p["documents"] for p in data["by_province"].values()) == 300
    older = {k: v for k, v in data.items()
             if k not in ("directory", "by_province", "by_province_level")}
    assert _errors(OutputSchema.AUDIT, older) == []
    read = AuditOutput.from_json(older)
    assert read.directory.source.value == "none" and read.by_province is None
    assert read.by_province_level is None
    broken = copy.deepcopy(data)
    broken["directory"]["agencies"][next(iter(broken["by_agency"]))]["level"] = "x"
    assert _errors(OutputSchema.AUDIT, broken)


def test_audit_json_of_a_folder_validates(tmp_path: Path) -> None:
    """``docflow audit FOLDER --format json`` (an import, unreadable entries, no trust)."""
    out = tmp_path / "audit.json"
    result = CliRunner().invoke(cli, ["audit", str(FIXTURES), "--format", "json",
                                      "-o", str(out), "--jobs", "1"])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert _errors(OutputSchema.AUDIT, data) == []
    assert data["import"]["rejected"] > 0 and data["unreadable"]["total"] > 0
    assert data["notices"][0]["code"] == "DF-AUD-003"


def test_validation_json_validates(signed: tuple[Path, Path]) -> None:
    """``docflow validate --format json --timings`` of every fixture and a signed message."""
    pki, message = signed
    result = CliRunner().invoke(cli, ["validate", "--format", "json", "--timings", "--trust",
                                      str(pki), str(FIXTURES), str(message)])
    data = json.loads(result.output)
    assert _errors(OutputSchema.VALIDATION, data) == []
    assert data["docflow_version"] == docflow.__version__
    verdicts = {r["verdict"] for r in data["reports"]}
    assert verdicts == {"PASSED", "FAILED", "INDETERMINATE"}
    assert any(r["signatures"] for r in data["reports"])
    assert data["summary"]["total"] == len(data["reports"]) == \
        len(list(FIXTURES.rglob("*.edxml"))) + 1


def test_every_output_reads_back_through_its_model(run: Path,
                                                   signed: tuple[Path, Path]) -> None:
    """The real summary.json (sample signatures, faults) and the printed validation JSON (every
    fixture and a signed message, checked against the PKI) read back through their typed
    models to the same bytes; the findings come back as the library's findings."""
    data = (run / "summary.json").read_bytes()
    assert SimulationSummary.from_json(data).to_json() == data
    pki, message = signed
    result = CliRunner().invoke(cli, ["validate", "--format", "json", "--trust", str(pki),
                                      str(FIXTURES), str(message)])
    printed = result.output.encode()
    document = ValidationDocument.from_json(printed, "<stdout>")
    assert document.to_json() == printed
    assert document.summary.exit_code == result.exit_code
    config = ValidationConfig(trust=docflow.Trust.from_options([pki]))
    reports = list(validate_paths([FIXTURES, message], config))
    assert [r.source for r in document.reports] == [r.source for r in reports]
    for entry, report in zip(document.reports, reports, strict=True):
        assert [(f.code, f.message, f.location) for f in map(FindingEntry.finding,
                                                             entry.findings)] == \
            [(f.code, f.message, f.location) for f in report.findings]
        assert [s.verdict for s in entry.signatures] == [s.verdict for s in report.signatures]
