"""Published figures beside what the run produces: the quantities each figure counts.

A province reports "625,412 documents sent and received" or "98% signed"; a scenario lists such
figures with the :class:`~docflow.sim.scenario.Measure` that counts the same thing and the
agencies in scope (a subtree of the topology, by default all local agencies). The probes count
those quantities on every day's traffic as it is generated, so any crypto mode gives the same
calibration table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from docflow.levels import Level
from docflow.sim.scenario import CalibrationFigure, Measure, Scenario
from docflow.sim.signing import SignedDocuments
from docflow.topology.arrays import LEVEL_ORDER, TopologyArrays
from docflow.traffic.generate import DayTraffic

__all__ = ["CalibrationProbes"]

_SHARES = {Measure.ORGAN_SIGNED_SHARE, Measure.RECEIVED_SIGNED_SHARE}
_UNITS = {Measure.AGENCIES: "agencies", Measure.COMMUNES: "communes",
          Measure.CERTIFICATES: "certificates", Measure.DELIVERIES: "deliveries"}


def _scope_mask(arrays: TopologyArrays, scope: str | None) -> npt.NDArray[np.bool_]:
    """Agencies in scope: the subtree of ``scope``, or every agency with a province."""
    if scope is None:
        return arrays.province >= 0
    root = arrays.codes.index(scope)
    mask = np.zeros(arrays.n_agencies, bool)
    frontier = np.array([root])
    while len(frontier):
        mask[frontier] = True
        kids = [arrays.children[arrays.children_offsets[i]:arrays.children_offsets[i + 1]]
                for i in frontier]
        frontier = np.concatenate(kids) if kids else np.zeros(0, np.int64)
        frontier = frontier[~mask[frontier]]
    return mask


class CalibrationProbes:
    """Counts, per figure, the numerator and denominator of its measure."""

    def __init__(self, scenario: Scenario, arrays: TopologyArrays,
                 per_sender: bool = False) -> None:
        self.figures: tuple[CalibrationFigure, ...] = scenario.calibration
        self.arrays = arrays
        self.masks = [_scope_mask(arrays, f.scope) for f in self.figures]
        self.num = np.zeros(len(self.figures), np.int64)
        self.den = np.zeros(len(self.figures), np.int64)
        self.signers = scenario.signing.signers_per_agency
        self.by_sender: npt.NDArray[np.float64] | None = \
            np.zeros((len(self.figures), arrays.n_agencies)) if per_sender else None
        """With ``per_sender``, each count split by the agency that sent the document (what
        the calibration's response model weighs by each sender's direction mix)."""

    def observe(self, day: DayTraffic, plan: SignedDocuments | None) -> None:
        """Count one day's documents; without a signing ``plan`` (the calibration's response
        runs count documents only) the signed shares are left uncounted."""
        if not self.figures or day.n_documents == 0:
            return
        a = self.arrays
        crosses = a.route_len[a.hub[day.sender[day.document]], a.hub[day.receiver]] > 1
        for k, (figure, mask) in enumerate(zip(self.figures, self.masks, strict=True)):
            sent = mask[day.sender]
            recv_any = np.bincount(day.document, weights=mask[day.receiver],
                                   minlength=day.n_documents) > 0
            m = figure.measure
            hit: npt.NDArray[np.bool_] | None = None
            senders = day.sender
            if m is Measure.DOCUMENTS_SENT:
                hit = sent
            elif m is Measure.DOCUMENTS_RECEIVED:
                hit = recv_any
            elif m is Measure.DOCUMENTS_EXCHANGED:
                hit = sent | recv_any
            elif m is Measure.DOCUMENTS_VIA_AXIS:
                involved = (mask[day.sender[day.document]] | mask[day.receiver]) & crosses
                hit = np.bincount(day.document, weights=involved,
                                  minlength=day.n_documents) > 0
            elif m is Measure.DELIVERIES:
                senders = day.sender[day.document]
                hit = mask[senders] | mask[day.receiver]
            if hit is not None:
                self.num[k] += int(hit.sum())
                if self.by_sender is not None:
                    self.by_sender[k] += np.bincount(senders, weights=hit,
                                                     minlength=self.arrays.n_agencies)
            if hit is not None or plan is None:
                continue
            if m is Measure.ORGAN_SIGNED_SHARE:
                self.num[k] += int((plan.organ_signs & sent).sum())
                self.den[k] += int(sent.sum())
            elif m is Measure.RECEIVED_SIGNED_SHARE:
                self.num[k] += int((plan.organ_signs & recv_any).sum())
                self.den[k] += int(recv_any.sum())

    def rows(self) -> list[dict[str, Any]]:
        """One row per figure: the figure, what was published and what the run produced."""
        out = []
        commune = LEVEL_ORDER.index(Level.COMMUNE)
        for k, (figure, mask) in enumerate(zip(self.figures, self.masks, strict=True)):
            m = figure.measure
            simulated: float
            if m in _SHARES:
                simulated = self.num[k] / self.den[k] if self.den[k] else 0.0
            elif m is Measure.AGENCIES:
                simulated = int(mask.sum())
            elif m is Measure.COMMUNES:
                simulated = int((mask & (self.arrays.level == commune)).sum())
            elif m is Measure.CERTIFICATES:
                simulated = round(int(mask.sum()) * (1.0 + self.signers))
            else:
                simulated = int(self.num[k])
            unit = "share" if m in _SHARES else _UNITS.get(m, "documents")
            out.append({"figure": figure.figure, "measure": m.value, "scope": figure.scope,
                        "unit": unit, "published": figure.published, "simulated": simulated,
                        "ratio": simulated / figure.published if figure.published else None,
                        "source": figure.source, "role": figure.effective_role.value})
        return out
