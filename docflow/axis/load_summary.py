"""Building ``docflow load``'s summary (:class:`~docflow.axis.load_output.LoadSummary`) from
what a run measured.

The figures mean what the simulation summary's mean (:mod:`docflow.sim.summary`), over the
*real* time of the run: a level's ``sent`` is the documents of its agencies the axis
acknowledged, ``delivered`` the deliveries their receivers fetched, latencies run from a
document's planned send time to its fetch (delivery), to the axis's acknowledgement of its 03
(acceptance) and to the axis's acknowledgement of the document itself (ack, the service's own
latency). The hubs are the topology's: each groups the documents its agencies sent, all of
which the one sandbox server carried, so that a slow province shows where it is.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from docflow.atomic import write_atomic
from docflow.axis.load_output import (
    HubFigures,
    HubLatencies,
    LevelFigures,
    LevelLatencies,
    LoadSettings,
    LoadSummary,
    Prediction,
    RunInfo,
    ScenarioInfo,
    StatusMessages,
    Throughput,
    TimeSeries,
    TopologyInfo,
    Totals,
    cdf_of,
    latency_of,
    per_s,
    seconds,
)
from docflow.axis.load_plan import LoadConfig, LoadPlan
from docflow.axis.load_run import LoadResult, Record
from docflow.envelope.dates import VIETNAM
from docflow.levels import Level
from docflow.sim.scenario import Scenario
from docflow.sim.summary_model import PeriodInfo
from docflow.topology import Topology
from docflow.topology.arrays import LEVEL_ORDER

__all__ = ["STEP_S", "build_load_summary", "write_summary"]

STEP_S = 1
"""Seconds per step of the series: a load run lasts seconds to minutes."""


def _at(epoch_s: float) -> dt.datetime:
    """Vietnam time, to the second."""
    return dt.datetime.fromtimestamp(round(epoch_s), VIETNAM)


def _per_step(times: Sequence[float], steps: int) -> tuple[int, ...]:
    if not len(times):
        return (0,) * steps
    at = np.minimum((np.asarray(times, float) // STEP_S).astype(int), steps - 1)
    return tuple(int(x) for x in np.bincount(at, minlength=steps))


def _delivery(records: Sequence[Record]) -> list[float]:
    return [t - r.planned.at_s for r in records for t in r.delivered_s.values()]


def _acceptance(records: Sequence[Record]) -> list[float]:
    return [t - r.planned.at_s for r in records for code, t in r.answered.values()
            if code == "03"]


def _ack(records: Sequence[Record]) -> list[float]:
    return [(r.acked_s or 0.0) - r.planned.at_s for r in records]


def _level(agencies: int, records: Sequence[Record], wall_s: float,
           steps: int) -> LevelFigures:
    accepted = [r for r in records if r.accepted]
    deliveries = sum(len(r.planned.receivers) for r in accepted)
    delivered = sum(len(r.delivered_s) for r in accepted)
    finals = [c for r in accepted for c, _ in r.answered.values()]
    per_step = _per_step([t for r in accepted for t in r.delivered_s.values()], steps)
    return LevelFigures(
        agencies, len(accepted), deliveries, delivered, deliveries - delivered,
        finals.count("03"), finals.count("02"),
        Throughput(per_s(delivered / wall_s * 3600) if wall_s else None,
                   max(per_step, default=0) * 3600 // STEP_S),
        LevelLatencies(latency_of(_delivery(accepted)), latency_of(_acceptance(accepted)),
                       latency_of(_ack(accepted))))


def build_load_summary(scenario: Scenario, topology: Topology, plan: LoadPlan,
                       result: LoadResult, config: LoadConfig,
                       model: Prediction | None = None) -> LoadSummary:
    """The summary of a run: what ``result`` measured of ``plan``, and ``model`` beside it."""
    records = result.records
    steps = max(1, int(np.ceil(result.wall_s / STEP_S)))
    sending_levels = {r.planned.level for r in records}
    present = [lv for lv in LEVEL_ORDER if lv.value in sending_levels]
    agencies = {lv: sum(1 for v in plan.levels.values() if v == lv.value) for lv in present}
    accepted = [r for r in records if r.accepted]
    by_level: dict[Level, list[Record]] = {
        lv: [r for r in records if r.planned.level == lv.value] for lv in present}
    levels = {lv: _level(agencies[lv], by_level[lv], result.wall_s, steps) for lv in present}
    hub_of = {a.code: a.hub for a in topology.agencies}
    hubs = {}
    for hub in topology.hubs:
        mine = [r for r in accepted if hub_of.get(r.planned.sender) == hub.id]
        members = sum(1 for code in plan.levels if hub_of.get(code) == hub.id)
        if not members:
            continue
        deliveries = sum(len(r.planned.receivers) for r in mine)
        delivered = sum(len(r.delivered_s) for r in mine)
        hubs[hub.id] = HubFigures(hub.name, hub.kind, hub.province, members, len(mine),
                                  deliveries, delivered, deliveries - delivered,
                                  HubLatencies(latency_of(_delivery(mine)),
                                               latency_of(_ack(mine))))
    backlog = np.zeros(steps, int)
    for r in accepted:
        begin = min(int((r.acked_s or 0) // STEP_S), steps - 1)
        for receiver in r.planned.receivers:
            until = int(r.delivered_s[receiver] // STEP_S) if receiver in r.delivered_s \
                else steps
            backlog[begin:until] += 1
    attempted = [r for r in records if r.acked_s is not None]
    statuses = Counter(code for r in accepted for code, _ in r.answered.values())
    deliveries_all = sum(lv.deliveries for lv in levels.values())
    delivered_all = sum(lv.delivered for lv in levels.values())
    sending = result.sending_s
    accepted_of = {lv: [r for r in rs if r.accepted] for lv, rs in by_level.items()}
    return LoadSummary(
        **LoadSummary.header(),
        scenario=ScenarioInfo(scenario.name, scenario.description, scenario.seed,
                              scenario.topology,
                              PeriodInfo(scenario.period.start, scenario.period.days,
                                         scenario.period.drain_days)),
        run=RunInfo(_at(result.started), _at(result.started + max(result.wall_s, 1.0)),
                    seconds(result.wall_s) or 0.0, seconds(sending) or 0.0,
                    deliveries_all - delivered_all,
                    sum(len(r.delivered_s) - len(r.answered) for r in accepted)
                    if config.statuses else 0),
        topology=TopologyInfo(scenario.topology, agencies),
        totals=Totals(len(accepted), deliveries_all, delivered_all,
                      deliveries_all - delivered_all,
                      StatusMessages(2 * sum(statuses.values()), dict(sorted(
                          {"01": sum(statuses.values()), **statuses}.items()))
                          if statuses else {})),
        levels=levels, hubs=hubs,
        series=TimeSeries(
            _at(result.started), STEP_S, steps,
            {lv: _per_step([t for r in accepted_of[lv] for t in r.delivered_s.values()], steps)
             for lv in present},
            {lv: _per_step([r.acked_s or 0.0 for r in accepted_of[lv]], steps)
             for lv in present},
            tuple(int(x) for x in backlog)),
        latency_cdf={lv: cdf_of(_delivery(accepted_of[lv]), _acceptance(accepted_of[lv]))
                     for lv in present},
        load=LoadSettings(
            url=config.url, rate_scale=float(config.rate_scale),
            duration_s=float(config.duration_s), drain_s=float(config.drain_s),
            statuses=config.statuses,
            scenario_working_s=round(float(plan.scenario_working_s), 1),
            planned=len(plan.documents), attempted=len(attempted),
            skipped_outside_pki=plan.skipped,
            offered_per_s=per_s(len(attempted) / sending) if sending else None,
            acknowledged_per_s=per_s(len(accepted) / sending) if sending else None,
            requests=result.requests,
            requests_per_s=per_s(result.requests / result.wall_s) if result.wall_s else None,
            ack_latency_s=latency_of(_ack(attempted)),
            refused=dict(sorted(Counter(c for r in records for c in r.refused).items())),
            transport_failures=sum(1 for r in records if r.failed),
            status_fetched=result.status_fetched),
        model=model)


def write_summary(summary: LoadSummary, folder: str | os.PathLike[str]) -> Path:
    """Write ``folder/summary.json`` atomically (:func:`docflow.atomic.write_atomic`)."""
    return write_atomic(Path(folder) / "summary.json", summary.to_json())
