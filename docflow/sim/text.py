"""The terminal summary of a run: a short table per level and the figures an operator asks first.

>>> summary = {"scenario": {"name": "x", "topology": "tiny", "crypto": "model", "seed": 1,
...            "start": "2025-07-07T00:00:00+07:00", "end": "2025-07-08T00:00:00+07:00"},
...            "totals": {"documents_sent": 3, "deliveries": 4, "delivered": 4, "lost": 0,
...                       "status_messages": {"sent": 8, "lost": 0}},
...            "run": {"in_flight_at_end": 0},
...            "levels": {"commune": {"agencies": 2, "sent": 3, "delivered": 4, "lost": 0,
...               "latency_s": {"delivery": {"p50": 0.9, "p95": 2.0},
...                             "acceptance": {"p50": 7200.0}},
...               "coverage": {"documents": 3, "rates": {"organ_valid": {"rate": 1.0},
...                                                      "both_valid": {"rate": 0.5}}}}},
...            "hubs": {}}
>>> print(render_summary(summary).splitlines()[3].split())
['commune', '2', '3', '4', '0', '0.90', 's', '2.00', 's', '2.0', 'h', '100.0%', '50.0%']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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


def render_summary(summary: Mapping[str, Any]) -> str:
    """A few lines of text: what ran, a table per level, the busiest hubs, what was lost."""
    scn, tot = summary["scenario"], summary["totals"]
    lines = [f"{scn['name']}: {scn['topology']}, {scn['start'][:10]} → {scn['end'][:10]}, "
             f"crypto {scn['crypto']}, seed {scn['seed']}", ""]
    head = (f"{'level':<10} {'agencies':>10} {'sent':>11} {'delivered':>11} {'lost':>8} "
            f"{'p50 deliv':>10} {'p95 deliv':>10} {'p50 accept':>11} {'organ ok':>9} "
            f"{'both ok':>9}")
    lines.append(head)
    for name, lv in summary["levels"].items():
        lat = lv["latency_s"]
        rates = lv["coverage"]["rates"]
        lines.append(
            f"{name:<10} {lv['agencies']:>10,} {lv['sent']:>11,} {lv['delivered']:>11,} "
            f"{lv['lost']:>8,} {_dur(lat['delivery']['p50']):>10} "
            f"{_dur(lat['delivery']['p95']):>10} {_dur(lat['acceptance']['p50']):>11} "
            f"{_pct(rates['organ_valid']['rate']):>9} {_pct(rates['both_valid']['rate']):>9}")
    lines.append("")
    status = tot["status_messages"]
    lines.append(f"documents {tot['documents_sent']:,}, deliveries {tot['deliveries']:,}, "
                 f"delivered {tot['delivered']:,}, lost {tot['lost']:,}; status messages "
                 f"{status['sent']:,} (lost {status['lost']:,}); still in flight at the end "
                 f"{summary['run']['in_flight_at_end']:,}")
    hubs = sorted(summary["hubs"].items(),
                  key=lambda kv: (-(kv[1]["documents"]["peak_hour_utilisation"] or 0), kv[0]))
    if hubs:
        busiest = ", ".join(
            f"{hid} {_pct(h['documents']['peak_hour_utilisation'])} peak hour, backlog "
            f"{h['documents']['peak_backlog']}" for hid, h in hubs[:3])
        lines.append(f"busiest hubs: {busiest}")
    return "\n".join(lines)
