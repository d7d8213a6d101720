"""The manual's generated tables, written into the pages by ``mkdocs build`` (a MkDocs hook).

A page asks for a table with a marker on a line of its own, ``<!-- generated: NAME -->``; the
hook replaces it with the table built from the code, so the manual cannot drift from it:

* ``codes``: every finding code of :data:`docflow.errors.CATALOGUE`;
* ``scenario-keys``: every scenario key, its default (read from ``Scenario()``) and its
  meaning (the docstring of the dataclass field it sets);
* ``calibration``: the published figures of the calibrated scenarios beside the simulated
  ones, from ``docs/data/calibration.json``, which ``python docs/hooks/tables.py calibration``
  measures (it runs each scenario) and stamps with the commit and the command.

An unknown marker, a scenario field no key describes, or a calibration file out of step with
the scenarios fails the build; ``tests/test_docs.py`` checks the same without MkDocs.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CALIBRATION_FILE = ROOT / "docs" / "data" / "calibration.json"
SCENARIOS = ROOT / "fixtures" / "scenarios"
MARKER = re.compile(r"^<!-- generated: ([a-z-]+) -->$", re.MULTILINE)


# --- finding codes ------------------------------------------------------------------------------
def codes_table() -> str:
    """The markdown table of every finding code, in catalogue order."""
    from docflow.errors import CATALOGUE

    rows = ["| Code | Severity | Verdict it forces | Meaning |", "|---|---|---|---|"]
    for info in CATALOGUE.values():
        verdict = info.indication.value if info.indication else "— (does not affect it)"
        summary = info.summary.replace("|", "\\|")
        rows.append(f"| `{info.code}` | {info.severity.value} | {verdict} | {summary} |")
    return "\n".join(rows)


# --- scenario keys ------------------------------------------------------------------------------
def field_docs(cls: type) -> dict[str, str]:
    """The docstrings of a dataclass's fields (the string literal after each annotation)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, after in zip(body, [*body[1:], None], strict=True):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and \
                isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) and \
                isinstance(after.value.value, str):
            docs[node.target.id] = " ".join(after.value.value.split())
        elif isinstance(node, ast.FunctionDef) and ast.get_docstring(node):
            docs[node.name] = " ".join((ast.get_docstring(node) or "").split())
    return docs


def _rst_to_md(text: str) -> str:
    """Sphinx roles (``:class:`X```) and double backquotes as Markdown code."""
    text = re.sub(r":[a-z]+:`~?([^`]+)`", lambda m: f"`{m.group(1).split('.')[-1]}`", text)
    return text.replace("``", "`").replace("|", "\\|")


def _value(x: Any) -> str:
    """A default as it would be written in TOML, in backquotes."""
    if isinstance(x, bool):
        return f"`{str(x).lower()}`"
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    if isinstance(x, str | date | int | float):
        return f"`{x!s}`" if not isinstance(x, str) else f'`"{x}"`'
    return f"`{x}`"


def _per_level(get: Callable[[Any], Any], items: Any) -> str:
    return ", ".join(f"{item.level.value} {_value(get(item)).strip('`')}" for item in items)


@dataclasses.dataclass(frozen=True)
class KeyRow:
    """One scenario key: where its meaning is documented, and its default."""

    key: str
    owner: type
    field: str
    default: str
    meaning: str = ""
    """Written here only for a field without a docstring of its own."""


def scenario_key_rows() -> list[KeyRow]:
    """Every key a scenario file may hold, with the dataclass field it sets."""
    from docflow.sim import scenario as sc
    from docflow.sim.scenario_file import ALGORITHMS
    from docflow.traffic import calendar, spec

    s = sc.Scenario()
    levels, signing, hubs = s.traffic.levels, s.signing.levels, s.hubs
    cap, axis = hubs.default, hubs.axis
    rows = [
        KeyRow("name", sc.Scenario, "name", "the file's name",
               "Shown in the summary and the report."),
        KeyRow("description", sc.Scenario, "description", '`""`',
               "One line shown in the summary and the report."),
        KeyRow("seed", sc.Scenario, "seed", _value(s.seed)),
        KeyRow("topology.preset", sc.Scenario, "topology", _value(s.topology),
               "A preset: `vn-2025`, `vn-2024`, `phu-tho-2021`, `thanh-hoa-2024`, "
               "`yen-lac-2024`, `binh-duong-2024` or `tiny`."),
        KeyRow("topology.file", sc.Scenario, "topology", "—",
               "A GraphML or JSON topology file, relative to the scenario; not with "
               "`topology.preset`."),
    ]
    rows += [KeyRow(f"period.{f}", sc.Period, f, _value(getattr(s.period, f)))
             for f in ("start", "days", "drain_days")]
    rows += [
        KeyRow("calendar.hours", calendar.WorkingHours, "hours",
               '`["07:30-11:30", "13:30-17:00"]`',
               'Office hours, as `"HH:MM-HH:MM"` intervals, sorted and disjoint.'),
        KeyRow("calendar.weekdays", calendar.WorkingHours, "weekdays",
               '`["mon", "tue", "wed", "thu", "fri"]`',
               "Working weekdays (`mon` … `sun`); Saturday and Sunday are off by default."),
        KeyRow("calendar.holidays", calendar.WorkingHours, "holidays", "`[]`"),
    ]
    for f in ("per_day", "recipients", "broadcast", "broadcast_max"):
        rows.append(KeyRow(f"traffic.<level>.{f}", spec.LevelTraffic, f,
                           _per_level(lambda x, f=f: getattr(x, f), levels)))
    rows.append(KeyRow("traffic.<level>.mix", spec.LevelTraffic, "mix",
                       "; ".join(f"{x.level.value} " + ", ".join(
                           f"{d.value} {v:g}" for d, v in x.mix) for x in levels)))
    docs = s.traffic.documents
    rows += [
        KeyRow("traffic.documents.types", spec.DocumentMix, "types", ", ".join(
            f"{t.value} {v:g}" for t, v in docs.types)),
        KeyRow("traffic.documents.priorities", spec.DocumentMix, "priorities",
               _value(list(docs.priorities))),
        KeyRow("traffic.documents.attachment_median_kb", spec.DocumentMix,
               "attachment_median_kb", _value(docs.attachment_median_kb)),
        KeyRow("traffic.documents.attachment_sigma", spec.DocumentMix, "attachment_sigma",
               _value(docs.attachment_sigma)),
        KeyRow("signing.algorithm", sc.SigningSpec, "algorithm", _value(s.signing.algorithm),
               "One of " + ", ".join(f"`{a}`" for a in ALGORITHMS) + ". " + field_docs(
                   sc.SigningSpec)["algorithm"]),
        KeyRow("signing.signers_per_agency", sc.SigningSpec, "signers_per_agency",
               _value(s.signing.signers_per_agency)),
        KeyRow("signing.<level>.organ", sc.Adoption, "organ",
               _per_level(lambda x: x.organ, signing)),
        KeyRow("signing.<level>.signer", sc.Adoption, "signer",
               _per_level(lambda x: x.signer, signing)),
    ]
    for f in ("workers", "service_ms", "ms_per_mb", "status_workers", "status_service_ms"):
        rows.append(KeyRow(f"hubs.{f}", sc.HubCapacity, f, _value(getattr(cap, f))))
    rows.append(KeyRow("hubs.capacity_per_hour", sc.HubCapacity, "capacity_per_hour",
                       _value(round(cap.capacity_per_hour)),
                       "Instead of `service_ms`: documents one lane serves per hour "
                       "(`workers × 3,600,000 / service_ms`)."))
    rows.append(KeyRow("hubs.axis.*", sc.HubSpec, "axis", ", ".join(
        f"{f} {_value(getattr(axis, f)).strip('`')}" for f in
        ("workers", "service_ms", "ms_per_mb", "status_workers", "status_service_ms"))))
    rows.append(KeyRow('hubs.override."<hub id>".*', sc.HubSpec, "overrides", "—"))
    rows += [KeyRow(f"links.{f.name}", sc.LinkSpec, f.name, _value(getattr(s.links, f.name)))
             for f in dataclasses.fields(sc.LinkSpec)]
    rows += [KeyRow(f"status.{f.name}", sc.StatusSpec, f.name,
                    _value(getattr(s.status, f.name)))
             for f in dataclasses.fields(sc.StatusSpec)]
    rows += [
        KeyRow("[[faults.hub_outage]] hub, start, hours", sc.FaultSpec, "hub_outages", "none",
               "A hub (by id) down from `start` (a Vietnam date-time inside the period) for "
               "`hours`; what reaches it is refused and retried."),
        KeyRow("[[faults.agency_outage]] agency, start, hours", sc.FaultSpec, "agency_outages",
               "none"),
    ]
    for f in ("retry_backoff_s", "backoff_factor", "backoff_max_s", "max_attempts",
              "tamper_rate", "expired_cert_share", "revoked_cert_share"):
        rows.append(KeyRow(f"faults.{f}", sc.FaultSpec, f, _value(getattr(s.faults, f))))
    rows += [
        KeyRow("faults.never_sign", sc.FaultSpec, "never_sign", "`[]`"),
        KeyRow("crypto.mode", sc.CryptoSpec, "kind", _value(s.crypto.mode),
               "`model` (outcomes drawn from the rates, no XML), `sample:N` (N documents "
               "made into real envelopes, signed and verified) or `real` (every document)."),
        KeyRow("crypto.processes", sc.CryptoSpec, "processes", _value(s.crypto.processes)),
    ]
    for f in ("figure", "published", "measure", "scope", "source", "role"):
        meaning = {"published": "The published value (a count, or a share from 0 to 1).",
                   "measure": "What the figure counts: " + ", ".join(
                       f"`{m.value}`" for m in sc.Measure) + ".",
                   "role": "What the figure is to the scenario: `input` (set from it), "
                   "`fitted` (rates tuned to it) or `predicted` (neither); only a prediction "
                   "is a reproduction. Default: `input` for agencies, communes, certificates "
                   "and signed shares, `fitted` for document counts."}.get(f, "")
        default = {"source": '`""`', "role": "by measure"}.get(f, "none")
        rows.append(KeyRow(f"[[calibration]] {f}", sc.CalibrationFigure, f, default, meaning))
    return rows


SCENARIO_DATACLASSES = ("Scenario", "Period", "WorkingHours", "TrafficSpec", "LevelTraffic",
                        "DocumentMix", "SigningSpec", "Adoption", "HubSpec", "HubCapacity",
                        "LinkSpec", "StatusSpec", "FaultSpec", "Outage", "CryptoSpec",
                        "CalibrationFigure")
NOT_KEYS = {("Scenario", "source"), ("Adoption", "level"), ("LevelTraffic", "level"),
            ("CryptoSpec", "sample"), ("HubSpec", "default")} | {
    ("Scenario", f) for f in ("period", "calendar", "traffic", "signing", "hubs", "links",
                              "status", "faults", "crypto", "calibration")} | {
    ("TrafficSpec", "levels"), ("TrafficSpec", "documents"), ("SigningSpec", "levels")} | {
    ("Outage", f) for f in ("target", "start", "hours")}
"""Fields that are tables of keys rather than keys, or that no key sets (``sample`` is part
of ``crypto.mode``; an outage's fields are named in its row)."""


def uncovered_fields() -> list[str]:
    """Fields of the scenario's dataclasses that no row of the key table describes."""
    from docflow.sim import scenario as sc
    from docflow.traffic import calendar, spec

    covered = {(row.owner.__name__, row.field) for row in scenario_key_rows()}
    missing = []
    for name in SCENARIO_DATACLASSES:
        cls = getattr(sc, name, None) or getattr(spec, name, None) or getattr(calendar, name)
        for f in dataclasses.fields(cls):
            if (name, f.name) not in covered and (name, f.name) not in NOT_KEYS:
                missing.append(f"{name}.{f.name}")
    return missing


def scenario_keys_table() -> str:
    """The markdown table of every scenario key, its default and its meaning."""
    missing = uncovered_fields()
    if missing:
        raise ValueError(f"scenario fields with no key in the manual: {', '.join(missing)}")
    out = ["| key | default | meaning |", "|---|---|---|"]
    for row in scenario_key_rows():
        meaning = row.meaning or field_docs(row.owner).get(row.field, "")
        if not meaning:
            raise ValueError(f"{row.owner.__name__}.{row.field} ({row.key}) has no docstring")
        head, _, names = row.key.partition("]] ")
        key = f"`{head}]]` " + ", ".join(f"`{n}`" for n in names.split(", ")) if names \
            else f"`{row.key}`"
        out.append(f"| {key} | {row.default} | {_rst_to_md(meaning)} |")
    return "\n".join(out)


# --- calibration --------------------------------------------------------------------------------
def calibrated_scenarios() -> Iterator[tuple[str, Any]]:
    """The fixture scenarios with a calibration block, by name."""
    from docflow.sim.scenario_file import read_scenario

    for path in sorted(SCENARIOS.glob("*.toml")):
        scenario = read_scenario(path)
        if scenario.calibration:
            yield path.stem, scenario


def calibration_mismatches(measured: dict[str, Any]) -> list[str]:
    """What differs between the measured file and the scenarios' published figures."""
    problems = []
    expected = {name: [(f.figure, f.published, f.measure.value, f.effective_role.value)
                       for f in s.calibration]
                for name, s in calibrated_scenarios()}
    got = {name: [(r["figure"], r["published"], r["measure"], r.get("role"))
                  for r in run["calibration"]]
           for name, run in measured["scenarios"].items()}
    for name in sorted(expected.keys() | got.keys()):
        if expected.get(name) != got.get(name):
            problems.append(f"{name}: the scenario's figures and the measured ones differ; "
                            "run python docs/hooks/tables.py calibration")
    return problems


def calibration_table(measured: dict[str, Any] | None = None) -> str:
    """The markdown table of published against simulated figures, with its provenance."""
    if measured is None:
        measured = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    problems = calibration_mismatches(measured)
    if problems:
        raise ValueError("; ".join(problems))
    out = ["| scenario | published figure | role | published | simulated | ratio |",
           "|---|---|---|---:|---:|---:|"]
    for name, run in measured["scenarios"].items():
        for i, r in enumerate(run["calibration"]):
            share = r["unit"] == "share"
            fmt: Callable[[float], str] = (lambda x: f"{x:.1%}") if share else \
                (lambda x: f"{x:,.0f}")
            first = f"`{name}`" if i == 0 else ""
            out.append(f"| {first} | {r['figure'].replace('|', '/')} | {r['role']} "
                       f"| {fmt(r['published'])} "
                       f"| {fmt(r['simulated'])} | {r['ratio']:.3f} |")
    out.append("")
    out.append(f"Measured at commit `{measured['commit']}` with docflow {measured['version']} "
               f"by `{measured['command']}`, which runs "
               "`docflow simulate fixtures/scenarios/NAME.toml --out DIR --crypto model` for "
               "each scenario. No row is a reproduction: an *input* was set from the figure and "
               "a *fitted* figure had the scenario's rates tuned to it; the out-of-sample "
               "checks are in the held-out table.")
    return "\n".join(out)


# --- the fit and its held-out checks ------------------------------------------------------------
FIT_FILE = ROOT / "docs" / "data" / "calibration-fit.json"
TARGETS = ROOT / "fixtures" / "calibration" / "targets.toml"


def fit_mismatches(measured: dict[str, Any]) -> list[str]:
    """What differs between the measured fit and the shipped targets (ids, figures, readings,
    parameters), so that a changed targets file cannot keep an old table."""
    from docflow.sim.calib_targets import read_targets

    t = read_targets(TARGETS)
    want = [(x.id, x.figure.figure, x.published, x.fit) for x in t.targets]
    got = [(r["id"], r["figure"], r["published"], r["role"] == "fitted")
           for r in measured["targets"]]
    problems = []
    if want != got:
        problems.append("the targets and the measured fit differ")
    if [p.value for p in t.parameters] != [p["name"] for p in measured["parameters"]]:
        problems.append("the fitted parameters differ")
    readings = [(x.id, r.name) for x in t.targets for r in x.readings[1:]]
    if readings != [(r["target"], r["reading"]) for r in measured["readings"]]:
        problems.append("the readings differ")
    return [f"{p}; run python docs/hooks/tables.py fit" for p in problems]


def _load_fit() -> dict[str, Any]:
    measured = json.loads(FIT_FILE.read_text(encoding="utf-8"))
    problems = fit_mismatches(measured)
    if problems:
        raise ValueError("; ".join(problems))
    return measured


def _stamp(measured: dict[str, Any]) -> str:
    return (f"Measured at commit `{measured['commit']}` with docflow "
            f"{measured['docflow_version']} by `{measured['command']}`, which runs "
            "`docflow calibrate fixtures/calibration/targets.toml --out DIR`.")


def fit_table() -> str:
    """The fitted parameters and every target in sample."""
    m = _load_fit()
    out = ["| parameter | fitted | ± 1 σ | prior (range) | set by |", "|---|---:|---:|---|---|"]
    for p in m["parameters"]:
        pr = p["prior"]
        out.append(f"| `{p['name']}` | {p['value']:.4g} | {p['sigma']:.2g} | {pr['value']:g} "
                   f"({pr['low']:g} – {pr['high']:g}) | {p['set_by']} |")
    out += ["", f"χ² = {m['chi2']:.1f} over {m['dof']} fitted targets.", "",
            "| target | role | published | model | ± 1 σ | error |",
            "|---|---|---:|---:|---:|---:|"]
    for t in m["targets"]:
        out.append(f"| {t['id']} | {t['role']} | {t['published']:,.0f} | {t['model']:,.0f} "
                   f"| {t['sigma']:,.0f} | {t['error']:+.1%} |")
    out += ["", _stamp(m)]
    return "\n".join(out)


def held_out_table() -> str:
    """Each province predicted from the fit on the others, and the other readings."""
    m = _load_fit()
    out = ["| held out | target | published | predicted | ± 1 σ | error |",
           "|---|---|---:|---:|---:|---:|"]
    for h in m["held_out"]:
        out.append(f"| {h['group']} | {h['target']} | {h['published']:,.0f} "
                   f"| {h['model']:,.0f} | {h['sigma']:,.0f} | {h['error']:+.1%} |")
    for r in m["readings"]:
        held = {h["target"]: h["error"] for h in r["held_out"]}
        out += ["", f"With **{r['target']}** read as *{r['reading']}* "
                f"({r['published']:,.0f}): parameters " + ", ".join(
                    f"`{k}` {v:.3g}" for k, v in r["parameters"].items()) +
                f", χ² {r['chi2']:.1f}.", "",
                "| target | in sample | held out |", "|---|---:|---:|"]
        for row in r["in_sample"]:
            h = held.get(row["target"])
            out.append(f"| {row['target']} | {row['error']:+.1%} | "
                       f"{'—' if h is None else f'{h:+.1%}'} |")
    out += ["", _stamp(m)]
    return "\n".join(out)


def measure_fit() -> dict[str, Any]:
    """Run the calibration on the shipped targets and stamp it with the commit."""
    from docflow.sim.calib_run import calibrate

    commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, text=True,
                            capture_output=True, check=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "docflow", "fixtures"],
                           cwd=ROOT, text=True, capture_output=True, check=True).stdout.strip()
    result = calibrate(TARGETS)
    return {"commit": commit + ("+changes" if dirty else ""),
            "command": "python docs/hooks/tables.py fit", **result}


# --- assumptions --------------------------------------------------------------------------------
def assumptions_table() -> str:
    """The assumptions register: every default that shapes a prediction, with range and
    source."""
    from docflow.assumptions import ASSUMPTIONS

    out = ["| assumption | value | range | unit | source |", "|---|---:|---:|---|---|"]
    for a in ASSUMPTIONS.values():
        out.append(f"| `{a.name}` | {a.value:g} | {a.low:g} – {a.high:g} | {a.unit} "
                   f"| {a.source.replace('|', '/')} |")
    sourced = sum(a.sourced for a in ASSUMPTIONS.values())
    out.append("")
    out.append(f"{len(ASSUMPTIONS)} assumptions, {sourced} with a published or measured "
               f"source for the value or its range, {len(ASSUMPTIONS) - sourced} assumed.")
    return "\n".join(out)


def measure_calibration() -> dict[str, Any]:
    """Run every calibrated scenario in model mode and collect its ``calibration`` block."""
    import tempfile

    import docflow
    from docflow.jsonmodel import to_data

    commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, text=True,
                            capture_output=True, check=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "docflow"], cwd=ROOT,
                           text=True, capture_output=True, check=True).stdout.strip()
    scenarios = {}
    for name, _ in calibrated_scenarios():
        with tempfile.TemporaryDirectory() as tmp:
            result = docflow.simulate(SCENARIOS / f"{name}.toml", out=tmp, crypto="model")
            scenarios[name] = {"seed": result.summary.scenario.seed,
                               "calibration": to_data(result.summary.calibration)}
        print(f"measured {name}", file=sys.stderr)
    return {"commit": commit + ("+changes" if dirty else ""),
            "version": docflow.__version__,
            "command": "python docs/hooks/tables.py calibration", "scenarios": scenarios}


# --- the hook -----------------------------------------------------------------------------------
GENERATORS: dict[str, Callable[[], str]] = {
    "codes": codes_table,
    "scenario-keys": scenario_keys_table,
    "calibration": calibration_table,
    "assumptions": assumptions_table,
    "calibration-fit": fit_table,
    "held-out": held_out_table,
}


def render(markdown: str) -> str:
    """``markdown`` with every generated-table marker replaced by its table."""
    def table(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in GENERATORS:
            raise ValueError(f"unknown generated table {name!r}; known: {', '.join(GENERATORS)}")
        return GENERATORS[name]()
    return MARKER.sub(table, markdown)


def on_page_markdown(markdown: str, **_: Any) -> str:
    """MkDocs hook: fill in the generated tables of a page; a table that cannot be generated
    stops the build with its reason."""
    from mkdocs.exceptions import PluginError

    try:
        return render(markdown)
    except (ValueError, OSError) as exc:
        raise PluginError(f"generated tables: {exc}") from None


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:] == ["calibration"]:
        CALIBRATION_FILE.parent.mkdir(parents=True, exist_ok=True)
        data = measure_calibration()
        CALIBRATION_FILE.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n",
                                    encoding="utf-8")
    elif sys.argv[1:] == ["fit"]:
        FIT_FILE.write_text(json.dumps(measure_fit(), ensure_ascii=False, indent=1) + "\n",
                            encoding="utf-8")
    elif sys.argv[1:2] == ["show"] and sys.argv[2:3]:
        print(GENERATORS[sys.argv[2]]())
    else:
        sys.exit("usage: python docs/hooks/tables.py calibration | fit | show NAME (one of "
                 f"{', '.join(GENERATORS)})")
