"""The terminal summary of a run: a short table per level and the figures an operator asks first.

It reads the run's :class:`~docflow.sim.summary_model.SimulationSummary`, the model
``summary.json`` is written from.

>>> from docflow.runs import simulate
>>> from docflow.sim.scenario import Period, Scenario
>>> run = simulate(Scenario(topology="tiny", period=Period(days=1)), crypto="model")
>>> text = render_summary(run.summary)
>>> text.splitlines()[2].split()[:4]
['level', 'agencies', 'sent', 'delivered']
"""

from __future__ import annotations

from docflow.sim.summary_model import SimulationSummary

__all__ = ["render_summary"]


def _dur(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.2f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{100 * rate:.1f}%"


def render_summary(summary: SimulationSummary) -> str:
    """A few lines of text: what ran, a table per level, the busiest hubs, what was lost."""
    scn, tot = summary.scenario, summary.totals
    lines = [f"{scn.name}: {scn.topology}, {scn.start:%Y-%m-%d} → {scn.end:%Y-%m-%d}, "
             f"crypto {scn.crypto}, seed {scn.seed}", ""]
    head = (f"{'level':<10} {'agencies':>10} {'sent':>11} {'delivered':>11} {'lost':>8} "
            f"{'p50 deliv':>10} {'p95 deliv':>10} {'p50 accept':>11} {'organ ok':>9} "
            f"{'both ok':>9}")
    lines.append(head)
    for level, lv in summary.levels.items():
        lat = lv.latency_s
        rates = lv.coverage.rates
        lines.append(
            f"{level.value:<10} {lv.agencies:>10,} {lv.sent:>11,} {lv.delivered:>11,} "
            f"{lv.lost:>8,} {_dur(lat.delivery.p50):>10} "
            f"{_dur(lat.delivery.p95):>10} {_dur(lat.acceptance.p50):>11} "
            f"{_pct(rates.organ_valid.rate):>9} {_pct(rates.both_valid.rate):>9}")
    lines.append("")
    status = tot.status_messages
    lines.append(f"documents {tot.documents_sent:,}, deliveries {tot.deliveries:,}, "
                 f"delivered {tot.delivered:,}, lost {tot.lost:,}; status messages "
                 f"{status.sent:,} (lost {status.lost:,}); still in flight at the end "
                 f"{summary.run.in_flight_at_end:,}")
    hubs = sorted(summary.hubs.items(),
                  key=lambda kv: (-kv[1].documents.peak_hour_utilisation, kv[0]))
    if hubs:
        busiest = ", ".join(
            f"{hid} {_pct(h.documents.peak_hour_utilisation)} peak hour, backlog "
            f"{h.documents.peak_backlog}" for hid, h in hubs[:3])
        lines.append(f"busiest hubs: {busiest}")
    return "\n".join(lines)
