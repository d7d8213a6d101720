"""Least-squares fit of the traffic model's free parameters to published counts, with
uncertainties, out-of-sample checks and the effect of ambiguous figures.

Residuals are relative and weighted by each figure's stated uncertainty; each parameter adds a
weak prior residual (its register value, one standard deviation per half of its plausible
range), so that a parameter no fitted target informs stays where the register puts it and the
report says so, instead of drifting. Uncertainties come from the Jacobian at the optimum
(covariance ``(JᵀJ)⁻¹``, scaled up by the reduced chi-square of all residuals when the fit is
worse than the stated uncertainties, as it is when the model cannot fit the provinces
together). Held-out checks refit without one group (a province) and predict its
figures from its topology alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import least_squares

from docflow.errors import ConfigError, Location
from docflow.progress import Progress, counted
from docflow.sim.calib_response import Response, response
from docflow.sim.calib_targets import Param, Targets
from docflow.topology.arrays import LEVEL_ORDER

__all__ = ["FITTING", "MODELLING", "Fit", "Model", "fit"]

MODELLING = "modelling the targets"
"""The calibration's first phase: each target's response drawn from its scenario."""
FITTING = "fitting"
"""The calibration's phase in the progress line (:mod:`docflow.progress`)."""

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Model:
    """The targets with their responses: what a parameter vector predicts for each."""

    targets: Targets
    responses: tuple[Response, ...]

    @classmethod
    def build(cls, targets: Targets, budget: int | None = None,
              progress: Progress | None = None) -> Model:
        """Each target's response, drawn from its scenario; ``progress`` hears
        ``("modelling the targets", done, total)`` after each."""
        kw = {} if budget is None else {"budget": budget}
        responses: list[Response] = []
        for t in targets.targets:
            if progress is not None:
                progress(MODELLING, len(responses), len(targets.targets))
            responses.append(response(t.scenario, t.figure, **kw))
        if progress is not None:
            progress(MODELLING, len(responses), len(targets.targets))
        return cls(targets, tuple(responses))

    def full(self, x: F64) -> F64:
        """All five parameters, the free ones from ``x`` and the rest at their priors."""
        values = np.array([self.targets.priors[p].value for p in Param])
        for k, p in enumerate(self.targets.parameters):
            values[list(Param).index(p)] = x[k]
        return values

    def predict(self, x: F64, index: int) -> float:
        """Target ``index``'s count under free parameters ``x``."""
        v = self.full(x)
        return self.responses[index].count(v[:len(LEVEL_ORDER)], float(v[-1]))


@dataclass(frozen=True)
class Fit:
    """One least-squares fit: parameter values and standard deviations, and its chi-square."""

    values: F64
    sigma: F64
    cov: F64
    chi2: float
    dof: int
    """Residuals (targets and priors) less parameters: the number of fitted targets."""
    informed: tuple[bool, ...]
    """Whether a fitted target depends on each parameter (else the prior alone sets it)."""


def _solve(model: Model, fitted: list[int], published: dict[int, float]) -> Fit:
    """Fit the logarithms of the parameters (every parameter is a positive rate or factor, and
    a factor of two either way is as plausible as the other); report them back linearly."""
    t = model.targets
    priors = [t.priors[p] for p in t.parameters]
    u0 = np.log([p.value for p in priors])
    scale = np.array([(np.log(p.high) - np.log(max(p.low, 1e-6))) / 2.0 for p in priors])
    sd = np.array([t.targets[i].uncertainty * published[i] for i in fitted])

    def residuals(u: F64) -> F64:
        x = np.exp(u)
        data = [(model.predict(x, i) - published[i]) for i in fitted]
        return np.concatenate([np.array(data) / sd, (u - u0) / scale])

    res = least_squares(residuals, u0, method="lm", xtol=1e-12, ftol=1e-12)
    jac = np.asarray(res.jac)
    values = np.exp(np.asarray(res.x))
    # covariance of log values, then of the values (delta method: d value = value * d log)
    cov = np.linalg.pinv(jac.T @ jac) * np.outer(values, values)
    n_data = len(fitted)
    chi2 = float(np.sum(res.fun[:n_data] ** 2))
    # the priors count as observations, one per parameter: what is left is one per target
    dof = n_data
    total = float(np.sum(res.fun ** 2))
    if dof > 0 and total / dof > 1.0:
        cov = cov * (total / dof)
    informed = tuple(bool(np.any(np.abs(jac[:n_data, k]) > 1e-9)) for k in range(len(u0)))
    return Fit(values, np.sqrt(np.clip(np.diag(cov), 0.0, None)), cov, chi2, dof, informed)


def _spread(model: Model, result: Fit, index: int) -> float:
    """Standard deviation of a prediction, from the parameters' covariance."""
    x = result.values
    g = np.zeros(len(x))
    for k in range(len(x)):
        h = 1e-4 * max(abs(x[k]), 1e-3)
        up, down = x.copy(), x.copy()
        up[k] += h
        down[k] = max(0.0, x[k] - h)
        g[k] = (model.predict(up, index) - model.predict(down, index)) / (up[k] - down[k])
    return float(np.sqrt(max(0.0, float(g @ result.cov @ g))))


def _rows(model: Model, result: Fit, published: dict[int, float],
          indices: list[int]) -> list[dict[str, Any]]:
    out = []
    for i in indices:
        pred = model.predict(result.values, i)
        out.append({"target": model.targets.targets[i].id, "published": published[i],
                    "model": round(pred, 1), "sigma": round(_spread(model, result, i), 1),
                    "error": round(pred / published[i] - 1.0, 4)})
    return out


def fit(model: Model, progress: Progress | None = None) -> dict[str, Any]:
    """The main fit, the held-out checks and the alternative readings, as a JSON-ready dict.

    ``progress`` hears ``("fitting", done, total)`` after the main fit, the held-out fits
    and each alternative reading (each reading refits and holds out again).

    Raises
    ------
    ConfigError
        ``DF-CAL-002`` when no target is marked for fitting.
    """
    t = model.targets
    targets = t.targets
    fitted = [i for i, x in enumerate(targets) if x.fit]
    if not fitted:
        raise ConfigError("DF-CAL-002", "no target has fit = true", Location(file=t.file))
    published = {i: x.published for i, x in enumerate(targets)}
    steps = 2 + sum(len(x.readings) - 1 for x in targets)
    step = counted(progress, FITTING, steps) or (lambda n: None)
    step(0)
    main = _solve(model, fitted, published)
    step(1)
    everything = list(range(len(targets)))
    parameters = [{
        "name": p.value, "value": round(float(main.values[k]), 4),
        "sigma": round(float(main.sigma[k]), 4),
        "prior": {"value": t.priors[p].value, "low": t.priors[p].low, "high": t.priors[p].high,
                  "source": t.priors[p].source},
        "set_by": "targets" if main.informed[k] else "prior only"}
        for k, p in enumerate(t.parameters)]
    in_sample = {r["target"]: r for r in _rows(model, main, published, everything)}
    rows = []
    for i, x in enumerate(targets):
        rows.append({"id": x.id, "scenario": x.scenario.name, "figure": x.figure.figure,
                     "group": x.group, "measure": x.figure.measure.value,
                     "scope": x.figure.scope, "source": x.figure.source,
                     "published_as_printed": x.figure.published, "reading": x.readings[0].name,
                     "published": published[i], "uncertainty": x.uncertainty,
                     "role": "fitted" if x.fit else "predicted", "note": x.note,
                     **{k: in_sample[x.id][k] for k in ("model", "sigma", "error")}})
    held = held_out(model, published)
    step(1)
    readings = []
    for i, x in enumerate(targets):
        for r in x.readings[1:]:
            alt = dict(published)
            alt[i] = x.figure.published * r.factor
            refit = _solve(model, fitted, alt) if x.fit else main
            readings.append({
                "target": x.id, "reading": r.name, "factor": r.factor, "published": alt[i],
                "parameters": {p.value: round(float(refit.values[k]), 4)
                               for k, p in enumerate(t.parameters)},
                "chi2": round(refit.chi2, 3),
                "in_sample": _rows(model, refit, alt, everything),
                "held_out": held_out(model, alt)})
            step(1)
    return {"parameters": parameters, "chi2": round(main.chi2, 3), "dof": main.dof,
            "targets": rows, "held_out": held, "readings": readings,
            "inputs": [{"scenario": name, "figure": f.figure, "measure": f.measure.value,
                        "published": f.published, "role": f.effective_role.value,
                        "source": f.source} for name, f in t.inputs]}


def held_out(model: Model, published: dict[int, float]) -> list[dict[str, Any]]:
    """For each group, refit without it and predict its targets; targets never fitted are
    predicted by the fit on every fitted target."""
    targets = model.targets.targets
    fitted = [i for i, x in enumerate(targets) if x.fit]
    out: list[dict[str, Any]] = []
    groups = list(dict.fromkeys(targets[i].group for i in fitted))
    for group in groups:
        train = [i for i in fitted if targets[i].group != group]
        test = [i for i, x in enumerate(targets) if x.group == group]
        if not train:
            continue
        result = _solve(model, train, published)
        for row in _rows(model, result, published, test):
            out.append({"group": group, "fitted_on": sorted({targets[i].group for i in train}),
                        **row})
    never = [i for i, x in enumerate(targets) if not x.fit]
    if never:
        result = _solve(model, fitted, published)
        for i, row in zip(never, _rows(model, result, published, never), strict=True):
            out.append({"group": targets[i].group, "fitted_on": groups, **row})
    return out
