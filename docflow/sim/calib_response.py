"""How a published count responds to the traffic model's rates and direction mix, measured by
the simulator's own traffic generator and probes.

Every count a province publishes (documents sent, exchanged, over the axis, deliveries) is a
sum over documents, and the expected number of documents is linear in each level's rate. Split
each level's documents into those that stay in the province and those that leave it (to the
centre or another province): the count is ``sum over agencies of rate * ((1 - out) * J_in +
out * J_out)``, where ``J_in`` (``J_out``) is what one document per agency per working day,
all staying in (all leaving), adds to the count, and ``out`` the level's share of documents
that leave. ``J`` is measured once per target by generating the scenario's period with the
real :class:`~docflow.traffic.generate.TrafficGenerator` (same topology, calendar, recipients,
broadcasts and each direction's share within its group) and counting with the real
:class:`~docflow.sim.calibration.CalibrationProbes`; the fit then costs nothing per step.

Both are kept per sending agency: ``out`` is computed for each agency as the generator does it
(directions with no candidate for the agency dropped, the rest rescaled), with ``mix.outside``
multiplying the odds of leaving, so the expected count is exact, not an average over a level;
what remains is the Poisson noise of the measured responses, which
``tests/sim/test_calibrate.py`` bounds against a full simulation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from docflow.sim.calibration import CalibrationProbes
from docflow.sim.scenario import CalibrationFigure, Scenario
from docflow.sim.setup import prepare
from docflow.topology.arrays import LEVEL_ORDER, TopologyArrays
from docflow.traffic.calendar import WorkCalendar
from docflow.traffic.destinations import DIRECTIONS
from docflow.traffic.generate import TrafficGenerator
from docflow.traffic.spec import Direction, TrafficSpec

__all__ = ["DOCUMENT_BUDGET", "OUTSIDE", "Response", "response"]

DOCUMENT_BUDGET = 40_000
"""Documents drawn per unit response: Poisson noise of about 0.5 % on a count of them."""

OUTSIDE = frozenset({Direction.CENTRAL, Direction.CROSS_PROVINCE})
"""Directions that leave the province (what ``mix.outside`` scales)."""

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Response:
    """One target's response, per sending agency: ``J_in[a]`` (``J_out[a]``) is what agency
    ``a`` adds to the count per document a working day that stays in (leaves) the province,
    and ``inside[a]``, ``outside[a]`` its shares of the two (after the generator drops the
    directions it has no one in), whose ratio ``mix.outside`` multiplies."""

    level: npt.NDArray[np.int64]
    J_in: F64
    J_out: F64
    inside: F64
    outside: F64

    def out_share(self, odds: float) -> F64:
        """Each agency's share of documents leaving, with the odds multiplied by ``odds``."""
        i, o = self.inside, self.outside
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(i > 0, odds * o / (odds * o + i), np.where(o > 0, 1.0, 0.0))

    def count(self, rates: F64, odds: float) -> float:
        """The expected count under ``rates`` (per level, documents per agency per working
        day) and the odds multiplier."""
        out = self.out_share(odds)
        per = (1.0 - out) * self.J_in + out * self.J_out
        return float((np.asarray(rates)[self.level] * per).sum())


def response(scenario: Scenario, figure: CalibrationFigure,
             budget: int = DOCUMENT_BUDGET) -> Response:
    """The :class:`Response` of ``figure`` on ``scenario``'s topology and period.

    Each (level, stay or leave) is generated with its own stream of the scenario's seed, at a
    rate chosen to draw about ``budget`` documents, counted per sender, and divided back to
    one document per agency per working day. A level the scenario does not let send
    (communes on the 2019 axis) has no response.
    """
    topology = prepare(scenario)
    arrays = topology.arrays()
    period = scenario.period
    calendar = WorkCalendar.build(scenario.calendar, period.start, period.days)
    working = len(calendar.working_days(period.days))
    probe_scenario = replace(scenario, calibration=(figure,))
    available = TrafficGenerator(scenario.traffic, arrays, calendar).candidates.size > 0
    n = arrays.n_agencies
    J = np.zeros((2, n))
    inside = np.zeros(n)
    outside = np.zeros(n)
    leave = np.array([d in OUTSIDE for d in DIRECTIONS])
    for i, level in enumerate(LEVEL_ORDER):
        traffic = scenario.traffic.level(level)
        rows = arrays.level == i
        if traffic is None or traffic.per_day <= 0 or not rows.any() or working == 0:
            continue
        shares = np.array([traffic.share(d) for d in DIRECTIONS])[None, :] * available[rows]
        total = shares.sum(axis=1)
        total[total == 0] = 1.0
        inside[rows] = shares[:, ~leave].sum(axis=1) / total
        outside[rows] = shares[:, leave].sum(axis=1) / total
        rate = max(1.0, budget / (int(rows.sum()) * working))
        for g, group in enumerate((~leave, leave)):
            mix = tuple((d, traffic.share(d)) for d, keep in zip(DIRECTIONS, group, strict=True)
                        if keep and traffic.share(d) > 0)
            if not mix:
                continue
            spec = TrafficSpec(levels=(replace(traffic, per_day=rate, mix=mix),),
                               documents=scenario.traffic.documents)
            J[g] += _count(probe_scenario, arrays, calendar, period.days, spec,
                           (scenario.seed, i, g)) / rate
    return Response(arrays.level.astype(np.int64), J[0], J[1], inside, outside)


def _count(scenario: Scenario, arrays: TopologyArrays, calendar: WorkCalendar, days: int,
           spec: TrafficSpec, seed: tuple[int, int, int]) -> F64:
    """The figure's count over the period under ``spec``, per sending agency."""
    generator = TrafficGenerator(spec, arrays, calendar)
    probes = CalibrationProbes(scenario, arrays, per_sender=True)
    rng = np.random.default_rng([abs(x) for x in seed])
    for day in range(days):
        probes.observe(generator.day(day, rng), None)
    assert probes.by_sender is not None
    return probes.by_sender[0]
