"""The axis's status page: messages per hour, what waits per agency, the latest refusals.

One self-contained HTML page (inline CSS and SVG, no script, nothing loaded), rendered from
:meth:`docflow.axis.store.Store.counts` on every request, so that an operator sees the
service as it is. It refreshes itself every 10 seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from html import escape
from typing import Any

from docflow.axis.directory import AgencyEntry
from docflow.envelope.dates import VIETNAM

__all__ = ["render_page"]

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:64rem;color:#1b1f24}
h1{font-size:1.5rem;margin:0 0 .3rem} h2{font-size:1.1rem;margin:1.6rem 0 .5rem}
table{border-collapse:collapse;width:100%} td,th{padding:.25rem .6rem;text-align:left;
border-bottom:1px solid #dde} td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.kpi{display:flex;gap:2rem;margin:1rem 0} .kpi div{font-size:.85rem;color:#555}
.kpi b{display:block;font-size:1.6rem;color:#1b1f24} code{background:#f2f3f5;padding:0 .25rem}
.muted{color:#666}
"""


def _time(stamp: float) -> str:
    return dt.datetime.fromtimestamp(stamp, VIETNAM).strftime("%Y-%m-%d %H:%M:%S")


def _chart(per_hour: list[tuple[int, int]], now: float) -> str:
    """An SVG bar per hour of the last 24, the current hour last."""
    last = int(now) // 3600 * 3600
    counts = dict(per_hour)
    hours = [last - 3600 * i for i in range(23, -1, -1)]
    values = [counts.get(h, 0) for h in hours]
    top = max(values) or 1
    width, height, bar = 720, 140, 720 / 24
    bars = []
    for i, (hour, value) in enumerate(zip(hours, values, strict=True)):
        h = round(value / top * (height - 20), 1)
        label = dt.datetime.fromtimestamp(hour, VIETNAM).strftime("%H:00")
        bars.append(f'<rect x="{i * bar + 2:.1f}" y="{height - h:.1f}" width="{bar - 4:.1f}" '
                    f'height="{h}" fill="#2f6fb3"><title>{label}: {value}</title></rect>')
    return (f'<svg id="per-hour" role="img" aria-label="messages per hour" '
            f'viewBox="0 0 {width} {height}" width="100%" height="{height}">'
            + "".join(bars) + "</svg>")


def render_page(counts: Mapping[str, Any], *, agencies: Mapping[str, AgencyEntry],
                now: float, store: str, started: float) -> str:
    """The page for ``counts`` (as :meth:`Store.counts` returns them)."""
    last_hour = sum(n for hour, n in counts["per_hour"] if hour >= int(now) // 3600 * 3600)
    waiting_rows = "".join(
        f'<tr><td><code>{escape(code)}</code></td>'
        f'<td>{escape(agencies[code].name if code in agencies else "")}</td>'
        f'<td class="n">{n:,}</td></tr>' for code, n in counts["waiting"]) or \
        '<tr><td colspan="3" class="muted">nothing waits</td></tr>'
    refusal_rows = "".join(
        f'<tr><td>{_time(r["at"])}</td><td><code>{escape(r["agency"] or "-")}</code></td>'
        f'<td class="n">{r["http_status"]}</td>'
        f'<td>{" ".join(f"<code>{escape(c)}</code>" for c in r["codes"])}</td></tr>'
        for r in counts["refusals"]) or \
        '<tr><td colspan="4" class="muted">nothing refused</td></tr>'
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="10"><link rel="icon" href="data:,">
<title>docflow axis — status</title><style>{_STYLE}</style></head><body>
<h1>docflow axis sandbox</h1>
<p class="muted">Store {escape(store)} · up since {_time(started)} · {len(agencies):,}
agencies · shown at {_time(now)} (Vietnam time)</p>
<div class="kpi">
<div id="total-messages"><b>{counts["messages"]:,}</b>messages held</div>
<div id="last-hour"><b>{last_hour:,}</b>this hour</div>
<div id="total-waiting"><b>{sum(n for _, n in counts["waiting"]):,}</b>deliveries waiting</div>
<div id="total-refused"><b>{counts["refused"]:,}</b>refused</div>
</div>
<h2>Messages per hour (last 24 hours)</h2>
{_chart(counts["per_hour"], now)}
<h2>Waiting per agency</h2>
<table id="waiting"><tr><th>Agency</th><th>Name</th><th class="n">Waiting</th></tr>
{waiting_rows}</table>
<h2>Latest refusals</h2>
<table id="refusals"><tr><th>When</th><th>From</th><th class="n">HTTP</th><th>Codes</th></tr>
{refusal_rows}</table>
<p class="muted">API: <a href="/openapi.json">/openapi.json</a></p>
</body></html>
"""
