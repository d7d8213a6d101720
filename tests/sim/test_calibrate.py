"""docflow calibrate: the response model agrees with the simulator, the fit recovers known
parameters with honest uncertainties, held-out provinces are predicted, inputs are never fits,
and bad targets files are clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from docflow.cli import cli
from docflow.errors import ConfigError
from docflow.runs import simulate
from docflow.sim.calib_fit import Model
from docflow.sim.calib_response import response
from docflow.sim.calib_run import calibrate
from docflow.sim.calib_targets import Param, read_targets
from docflow.sim.scenario_file import read_scenario
from docflow.topology.arrays import LEVEL_ORDER

REPO = Path(__file__).resolve().parents[2]
BUDGET = 20_000

SCENARIO = """\
name = "tiny-calib"
seed = 11
[topology]
preset = "tiny"
[period]
start = 2025-07-07
days = 56
drain_days = 5
[traffic.central]
per_day = 4
[traffic.province]
per_day = 12
[traffic.district]
per_day = 9
[traffic.commune]
per_day = 3
[crypto]
mode = "model"
[[calibration]]
figure = "Hà Nội exchanged"
published = {a}
measure = "documents_exchanged"
scope = "000.00.00.H01"
[[calibration]]
figure = "Hà Nội over the axis"
published = {b}
measure = "documents_via_axis"
scope = "000.00.00.H01"
[[calibration]]
figure = "Phú Thọ exchanged"
published = {c}
measure = "documents_exchanged"
scope = "000.00.00.H25"
[[calibration]]
figure = "Phú Thọ deliveries"
published = {d}
measure = "deliveries"
scope = "000.00.00.H25"
[[calibration]]
figure = "Agencies"
published = 20
measure = "agencies"
"""

TARGETS = """\
[fit]
parameters = [{params}]
{extra}
[[target]]
scenario = "s.toml"
figure = "Hà Nội exchanged"
group = "Hà Nội"
uncertainty = 0.001
[[target]]
scenario = "s.toml"
figure = "Hà Nội over the axis"
group = "Hà Nội"
uncertainty = 0.001
[[target]]
scenario = "s.toml"
figure = "Phú Thọ exchanged"
group = "Phú Thọ"
uncertainty = 0.001
[[target]]
scenario = "s.toml"
figure = "Phú Thọ deliveries"
group = "Phú Thọ"
uncertainty = 0.001
[[target.reading]]
name = "as printed"
[[target.reading]]
name = "half"
factor = 0.5
"""


def _write(folder: Path, values: list[float], params: str = '"rate.province", "rate.commune"',
           extra: str = "") -> Path:
    a, b, c, d = values
    (folder / "s.toml").write_text(SCENARIO.format(a=a, b=b, c=c, d=d), encoding="utf-8")
    path = folder / "targets.toml"
    path.write_text(TARGETS.format(params=params, extra=extra), encoding="utf-8")
    return path


def test_the_response_model_agrees_with_a_full_simulation(tmp_path: Path) -> None:
    """At the scenario's own rates, the linear response predicts what the simulator counts
    (each figure within 5 %, the Poisson noise of a few thousand documents)."""
    _write(tmp_path, [1, 1, 1, 1])
    scenario = read_scenario(tmp_path / "s.toml")
    result = simulate(scenario)
    rates = np.array([scenario.traffic.level(lv).per_day  # type: ignore[union-attr]
                      for lv in LEVEL_ORDER])
    for figure, row in zip(scenario.calibration[:4], result.summary.calibration, strict=False):
        model = response(scenario, figure, budget=BUDGET).count(rates, 1.0)
        assert row.simulated is not None and row.simulated > 500
        assert model == pytest.approx(row.simulated, rel=0.05), figure.figure


def _truth(tmp_path: Path, rates: dict[str, float], odds: float = 1.0) -> list[float]:
    """The four counts the model gives at known parameters (figures to fit back)."""
    path = _write(tmp_path, [1, 1, 1, 1])
    model = Model.build(read_targets(path), budget=BUDGET)
    full = np.array([rates.get(lv.value, 0.0) for lv in LEVEL_ORDER])
    return [r.count(full, odds) for r in model.responses]


def test_the_fit_recovers_known_rates_and_predicts_a_held_out_province(tmp_path: Path) -> None:
    """Figures made by the model at known rates are fitted back to those rates (within 1 %
    and within 3 σ); each province held out is predicted from the other's fit within 2 %;
    the alternative reading refits and moves the rates; the agencies figure is an input."""
    prior = read_targets(_write(tmp_path, [1, 1, 1, 1])).priors
    truth = {"central": prior[Param.RATE_CENTRAL].value, "province": 31.0,
             "district": prior[Param.RATE_DISTRICT].value, "commune": 2.2}
    published = _truth(tmp_path, truth)
    path = _write(tmp_path, published)
    result = calibrate(path, tmp_path / "out", budget=BUDGET)
    params = {p["name"]: p for p in result["parameters"]}
    for name, want in (("rate.province", 31.0), ("rate.commune", 2.2)):
        got = params[name]
        assert got["value"] == pytest.approx(want, rel=0.01)
        assert abs(got["value"] - want) <= 3 * got["sigma"] + 1e-9
        assert got["set_by"] == "targets"
    assert all(abs(t["error"]) < 0.01 for t in result["targets"])
    held = {h["target"]: h for h in result["held_out"]}
    assert set(held) == {t["id"] for t in result["targets"]}
    for h in held.values():
        assert h["fitted_on"] != [h["group"]] and h["group"] not in h["fitted_on"]
        assert abs(h["error"]) < 0.02, h
    (reading,) = result["readings"]
    assert reading["reading"] == "half" and reading["published"] == pytest.approx(
        published[3] / 2)
    assert reading["parameters"]["rate.province"] != pytest.approx(31.0, rel=0.01)
    assert [i["figure"] for i in result["inputs"]] == ["Agencies"]
    assert result["inputs"][0]["role"] == "input"
    saved = json.loads((tmp_path / "out" / "calibration.json").read_text("utf-8"))
    assert saved == json.loads(json.dumps(result))
    report = (tmp_path / "out" / "calibration.md").read_text("utf-8")
    assert "## Held out" in report and "Inputs, never counted as reproduced" in report


def test_a_model_that_cannot_fit_says_so_in_its_uncertainties(tmp_path: Path) -> None:
    """Figures no single set of rates gives (one province's doubled) leave a large χ², and
    the standard deviations grow with it rather than claiming precision."""
    prior = read_targets(_write(tmp_path, [1, 1, 1, 1])).priors
    truth = {"central": prior[Param.RATE_CENTRAL].value, "province": 31.0,
             "district": prior[Param.RATE_DISTRICT].value, "commune": 2.2}
    good = _truth(tmp_path, truth)
    exact = calibrate(_write(tmp_path, good), budget=BUDGET)
    bad = calibrate(_write(tmp_path, [good[0] * 2, good[1] * 2, good[2], good[3]]),
                    budget=BUDGET)
    assert bad["chi2"] > 100 * max(exact["chi2"], 1e-6)
    for p, q in zip(bad["parameters"], exact["parameters"], strict=True):
        assert p["sigma"] > 5 * q["sigma"]
    assert max(abs(h["error"]) for h in bad["held_out"]) > 0.2


@pytest.mark.parametrize(("edit", "code"), [
    (lambda t: t.replace('"rate.province"', '"rate.provinse"'), "DF-CAL-003"),
    (lambda t: t.replace('figure = "Phú Thọ deliveries"', 'figure = "Phú Thọ"'), "DF-CAL-001"),
    (lambda t: t.replace('figure = "Hà Nội exchanged"', 'figure = "Agencies"'), "DF-CAL-001"),
    (lambda t: t.replace("uncertainty = 0.001\n[[target]]", "uncertainty = 2\n[[target]]", 1),
     "DF-SCN-004"),
    (lambda t: t.replace("[fit]", "[fit]\nweights = 1"), "DF-SCN-002"),
])
def test_bad_targets_are_clear_errors(tmp_path: Path, edit: object, code: str) -> None:
    path = _write(tmp_path, [1, 1, 1, 1])
    path.write_text(edit(path.read_text("utf-8")), encoding="utf-8")  # type: ignore[operator]
    with pytest.raises(ConfigError) as info:
        read_targets(path)
    assert info.value.code == code and str(path) in str(info.value)


def test_cli_writes_both_files_and_refuses_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[fit\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["calibrate", str(bad), "--out", str(tmp_path / "o")])
    assert run.exit_code == 2 and "DF-SCN-001" in run.output and "Traceback" not in run.output


def test_the_shipped_targets_name_real_figures_and_list_every_input() -> None:
    """Every count of the calibrated scenarios is a target, every other figure an input; the
    2019 axis is predicted, never fitted; Thanh Hóa has its two readings."""
    t = read_targets(REPO / "fixtures" / "calibration" / "targets.toml")
    assert {x.scenario.name for x in t.targets} == {
        "phu-tho-2021", "thanh-hoa-2024", "yen-lac-2024", "binh-duong-2024",
        "national-axis-2019"}
    assert [x.fit for x in t.targets if x.scenario.name == "national-axis-2019"] == [False]
    thanh_hoa = next(x for x in t.targets if x.scenario.name == "thanh-hoa-2024")
    assert [r.factor for r in thanh_hoa.readings] == [1.0, 0.25]
    assert {f.measure.value for _, f in t.inputs} == {
        "organ_signed_share", "received_signed_share", "agencies", "communes", "certificates"}
    assert all(f.effective_role.value == "input" for _, f in t.inputs)
