"""``docflow calibrate``: fit the traffic model to published figures and write what came out.

Writes ``calibration.json`` (the fitted parameters with their standard deviations, each target
with its fit, the held-out predictions, the alternative readings of ambiguous figures, and the
scenarios' other figures listed as inputs) and ``calibration.md``, the same as a report a
person reads. Both are written to a temporary name and renamed, so a folder never holds half a
result.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from docflow.atomic import write_text_atomic
from docflow.errors import InputError, Location
from docflow.progress import Progress
from docflow.sim.calib_fit import Model, fit
from docflow.sim.calib_targets import read_targets

__all__ = ["SCHEMA", "calibrate", "render_markdown"]

SCHEMA = "docflow.calibration/1"


def calibrate(targets: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *,
              budget: int | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Fit the free parameters of ``targets`` by least squares and check them out of sample.

    Parameters
    ----------
    targets
        A targets file (``fixtures/calibration/targets.toml`` is the shipped one).
    out
        A folder for ``calibration.json`` and ``calibration.md``; ``None`` writes nothing.
    budget
        Documents drawn per unit response (default
        :data:`~docflow.sim.calib_response.DOCUMENT_BUDGET`).
    progress
        Called with (phase, done, total) (:mod:`docflow.progress`): ``"modelling the
        targets"``, then ``"fitting"``.

    Returns
    -------
    dict
        What ``calibration.json`` holds.

    Raises
    ------
    ConfigError
        A bad targets file (``DF-SCN-*``, ``DF-CAL-*``) or scenario it names.
    InputError
        An unreadable file, or an output folder that cannot be written (``DF-IO-004``).
    """
    import docflow

    spec = read_targets(targets)
    result = {"schema": SCHEMA, "docflow_version": docflow.__version__,
              "targets_file": Path(targets).name,
              **fit(Model.build(spec, budget, progress), progress)}
    if out is not None:
        folder = Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_text_atomic(folder / "calibration.json",
                              json.dumps(result, ensure_ascii=False, indent=1) + "\n")
            write_text_atomic(folder / "calibration.md", render_markdown(result))
        except OSError as exc:
            raise InputError("DF-IO-004", f"cannot write the calibration: "
                             f"{exc.strerror or exc}", Location(file=str(folder))) from None
    return result


def _n(x: float) -> str:
    return f"{x:,.0f}"


def _pct(x: float) -> str:
    return f"{x:+.1%}"


def render_markdown(result: dict[str, Any]) -> str:
    """The calibration as a Markdown report: parameters, fits, held-out errors, readings and
    inputs."""
    lines = [f"# Calibration of the traffic model ({result['targets_file']})", "",
             f"χ² = {result['chi2']:.1f} over the fitted targets "
             f"({result['dof']} degrees of freedom, the priors counted as one observation "
             "each); standard deviations are scaled up by the reduced χ² when it exceeds 1. "
             "Errors are model / published − 1.", "", "## Parameters", "",
             "| parameter | fitted | ± 1 σ | prior (range) | set by |", "|---|---:|---:|---|---|"]
    for p in result["parameters"]:
        pr = p["prior"]
        lines.append(f"| `{p['name']}` | {p['value']:.4g} | {p['sigma']:.2g} | "
                     f"{pr['value']:g} ({pr['low']:g} – {pr['high']:g}; {pr['source']}) | "
                     f"{p['set_by']} |")
    lines += ["", "## Targets (in sample)", "",
              "| target | role | reading | published | model | ± 1 σ | error |",
              "|---|---|---|---:|---:|---:|---:|"]
    for t in result["targets"]:
        lines.append(f"| {t['id']} | {t['role']} | {t['reading']} | {_n(t['published'])} | "
                     f"{_n(t['model'])} | {_n(t['sigma'])} | {_pct(t['error'])} |")
    lines += ["", "A *fitted* target's agreement measures the fit, not the model; a *predicted* "
              "one was never fitted.", "", "## Held out", "",
              "Each province refitted without its own figures and predicted from its "
              "topology alone.", "",
              "| held out | fitted on | target | published | predicted | ± 1 σ | error |",
              "|---|---|---|---:|---:|---:|---:|"]
    for h in result["held_out"]:
        lines.append(f"| {h['group']} | {', '.join(h['fitted_on'])} | {h['target']} | "
                     f"{_n(h['published'])} | {_n(h['model'])} | {_n(h['sigma'])} | "
                     f"{_pct(h['error'])} |")
    for r in result["readings"]:
        lines += ["", f"## Another reading: {r['target']}, {r['reading']}", "",
                  f"The figure taken as {_n(r['published'])} (× {r['factor']:g}). Parameters: " +
                  ", ".join(f"`{k}` {v:.4g}" for k, v in r["parameters"].items()) +
                  f"; χ² {r['chi2']:.1f}.", "",
                  "| target | in sample | held out |", "|---|---:|---:|"]
        held = {h["target"]: h["error"] for h in r["held_out"]}
        for row in r["in_sample"]:
            lines.append(f"| {row['target']} | {_pct(row['error'])} | "
                         f"{_pct(held[row['target']]) if row['target'] in held else '—'} |")
    lines += ["", "## Inputs, never counted as reproduced", "",
              "| scenario | figure | role | published |", "|---|---|---|---:|"]
    for i in result["inputs"]:
        value = f"{i['published']:.0%}" if i["measure"].endswith("share") else \
            _n(i["published"])
        lines.append(f"| {i['scenario']} | {i['figure']} | {i['role']} | {value} |")
    notes = [t for t in result["targets"] if t["note"]]
    if notes:
        lines += ["", "## Notes on the figures", ""]
        lines += [f"- **{t['id']}**: {t['note']}" for t in notes]
    return "\n".join(lines) + "\n"
