"""The manual's generated tables are right, and the build would fail if they could not be made.

The tables are written into docs/ by ``docs/hooks/tables.py`` when ``mkdocs build --strict``
runs; these tests call the same functions without MkDocs, so a broken generator, a scenario
field the key table forgets, a default the table misstates, or a calibration file out of step
with the scenarios fails the suite, not only the docs build.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from docflow.errors import CATALOGUE
from docflow.sim.scenario_file import parse_scenario

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docflow_docs_tables",
                                                  DOCS / "hooks" / "tables.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tables = _hooks()


def test_every_marker_in_the_pages_is_generated() -> None:
    """Every page renders: each marker names a known table, and each known table is used."""
    used = set()
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        used |= set(tables.MARKER.findall(text))
        rendered = tables.render(text)
        assert "<!-- generated:" not in rendered, page.name
    assert used == set(tables.GENERATORS)


def test_an_unknown_marker_fails() -> None:
    """A typo in a marker is an error, not a page with a silent hole."""
    with pytest.raises(ValueError, match="unknown generated table 'code'"):
        tables.render("<!-- generated: code -->\n")


def test_codes_table_lists_every_code() -> None:
    """Every catalogue code appears once, with its severity and verdict, in catalogue order."""
    rows = tables.codes_table().splitlines()[2:]
    codes = [re.match(r"\| `([A-Z0-9-]+)`", row).group(1) for row in rows]  # type: ignore[union-attr]
    assert codes == list(CATALOGUE)
    for row, info in zip(rows, CATALOGUE.values(), strict=True):
        assert f"| {info.severity.value} |" in row


def test_every_code_is_well_formed() -> None:
    """Codes are DF-<AREA>-<three digits>, and errors say which verdict they force."""
    for code, info in CATALOGUE.items():
        area, number = code.split("-")[1:]
        assert code == info.code and area.isupper() and len(number) == 3 and number.isdigit()
        assert (info.indication is not None) == (info.severity.value == "error"), code


def test_scenario_keys_cover_every_field() -> None:
    """A scenario field that no row of the key table describes fails the build."""
    assert tables.uncovered_fields() == []
    table = tables.scenario_keys_table()
    assert table.count("\n") == len(tables.scenario_key_rows()) + 1


def _toml_value(default: str) -> str | None:
    """The default column as a TOML value, when it is one literal in backquotes."""
    m = re.fullmatch(r"`(.+)`", default)
    return m.group(1) if m else None


def _setting(key: str, value: str) -> str:
    """``a.b.c = v`` as a TOML document: tables for the parents, the key in the last."""
    *parents, leaf = key.split(".")
    return (f"[{'.'.join(parents)}]\n" if parents else "") + f"{leaf} = {value}\n"


def test_scenario_key_defaults_are_the_defaults() -> None:
    """Each key set to its documented default gives the default scenario: the table's keys are
    keys the parser accepts, and its defaults are the code's."""
    default = parse_scenario(b"seed = 20250707\n")
    checked = 0
    for row in tables.scenario_key_rows():
        key, value = row.key, _toml_value(row.default)
        if "<level>" in key:
            # "central 40, province 20, …": set the province's documented value
            m = re.search(r"province ([^,;]+)", row.default)
            if m is None or " " in m.group(1).strip():
                continue
            key, value = key.replace("<level>", "province"), m.group(1).strip()
        if key.endswith(".*") or key.startswith("[[") or key == "topology.file" or \
                value is None:
            continue
        doc = _setting(key, value)
        scenario = parse_scenario(doc.encode())
        assert scenario == default, f"{key} = {value} is not the default"
        checked += 1
    assert checked >= 40


def test_scenario_keys_with_no_single_default_are_accepted() -> None:
    """The table's array-of-tables, per-hub and axis keys are accepted as written."""
    doc = """
[topology]
file = "topo.json"
[hubs.axis]
workers = 4
[hubs.override."hub-h49"]
workers = 3
[[faults.hub_outage]]
hub = "axis"
start = 2025-07-08T09:00:00
hours = 2
[[faults.agency_outage]]
agency = "000.00.00.H49"
start = 2025-07-08T09:00:00
hours = 2
[[calibration]]
figure = "documents"
published = 10
measure = "documents_sent"
scope = "000.00.00.H49"
source = "test"
"""
    keys = {row.key.replace('."<hub id>"', "").split(" ")[0].split(".*")[0]
            for row in tables.scenario_key_rows() if row.key.startswith("[[")
            or row.key.endswith(".*")}
    assert keys == {"[[faults.hub_outage]]", "[[faults.agency_outage]]", "[[calibration]]",
                    "hubs.axis", "hubs.override"}
    s = parse_scenario(doc.encode())
    assert s.topology == "topo.json" and s.hubs.axis.workers == 4
    assert s.hubs.overrides[0][0] == "hub-h49" and len(s.faults.hub_outages) == 1
    assert len(s.faults.agency_outages) == 1 and s.calibration[0].scope == "000.00.00.H49"


def test_calibration_file_matches_the_scenarios() -> None:
    """The measured calibration holds every calibrated scenario's published figures."""
    measured = json.loads(tables.CALIBRATION_FILE.read_text(encoding="utf-8"))
    assert tables.calibration_mismatches(measured) == []
    table = tables.calibration_table(measured)
    assert measured["commit"] in table and measured["command"] in table
    names = {path.stem for path in (ROOT / "fixtures" / "scenarios").glob("*.toml")
             if tomllib.loads(path.read_text(encoding="utf-8")).get("calibration")}
    assert set(measured["scenarios"]) == names


def test_calibration_out_of_step_fails() -> None:
    """A scenario whose published figure changed without a new measurement stops the build."""
    measured = json.loads(tables.CALIBRATION_FILE.read_text(encoding="utf-8"))
    first = next(iter(measured["scenarios"].values()))
    first["calibration"][0] = {**first["calibration"][0], "published": 1.0}
    with pytest.raises(ValueError, match="differ"):
        tables.calibration_table(measured)


def test_field_docs_reads_docstrings() -> None:
    """Field docstrings are read from the source, so each meaning is the code's own."""
    from docflow.sim.scenario import Period

    docs = tables.field_docs(Period)
    assert set(docs) == {f.name for f in dataclasses.fields(Period)}
    assert docs["days"].startswith("Number of days")


def test_readme_is_a_front_page() -> None:
    """The README stays a front page, and every page it links to exists."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) < 250
    links = re.findall(r"\]\(([^)#]+\.md)(?:#[^)]*)?\)", text)
    assert links and all((ROOT / link).is_file() for link in links), links


def test_nav_lists_every_page() -> None:
    """mkdocs.yml's nav names each page of docs/ once, and only pages that exist (the strict
    build refuses a page left out of the nav)."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = re.findall(r"^\s+- (?:[^:]+: )?([\w./-]+\.md)$", config, re.MULTILINE)
    pages = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.glob("*.md"))
    assert sorted(nav) == pages


def test_the_fit_tables_are_what_calibrate_gives_now() -> None:
    """docs/data/calibration-fit.json is what `docflow calibrate` gives on the shipped targets
    at this commit (every number), so the manual's fit and held-out tables cannot drift."""
    from docflow.sim.calib_run import calibrate

    measured = json.loads(tables.FIT_FILE.read_text(encoding="utf-8"))
    assert tables.fit_mismatches(measured) == []
    now = json.loads(json.dumps(calibrate(tables.TARGETS), ensure_ascii=False))
    assert {k: v for k, v in measured.items() if k not in ("commit", "command")} == now
    for table in (tables.fit_table(), tables.held_out_table()):
        assert measured["commit"] in table
    assert "Thanh Hóa" in tables.held_out_table() and "cumulative" in tables.held_out_table()


def test_no_calibrated_scenario_reports_a_reproduction() -> None:
    """Every published figure of the scenarios is an input or a fit; none claims to be
    reproduced, and the generated table says which is which."""
    measured = json.loads(tables.CALIBRATION_FILE.read_text(encoding="utf-8"))
    roles = {r["role"] for run in measured["scenarios"].values() for r in run["calibration"]}
    assert roles == {"input", "fitted"}
    assert "| input |" in tables.calibration_table(measured)


def test_a_changed_target_stops_the_fit_table() -> None:
    measured = json.loads(tables.FIT_FILE.read_text(encoding="utf-8"))
    measured["targets"][0] = {**measured["targets"][0], "published": 1.0}
    assert tables.fit_mismatches(measured)
