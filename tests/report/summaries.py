"""Small summaries for the report tests, with coverage counted by the real metrics code.

Used for the edge cases a real run does not produce on demand (an outage across the end of the
run, hostile names, a calibration block); the main report tests render real runs.
"""

from __future__ import annotations

import math
from typing import Any

from docflow.audit.output import AuditContext, AuditOutput, RoleSources, Sources, TargetSection
from docflow.audit.run_trust import TrustSource
from docflow.audit.target import BelowTarget
from docflow.metrics.coverage import CoverageTable, DocumentOutcome

HOURS = 7 * 24
LEVELS = {"central": 40.0, "province": 300.0, "commune": 900.0}


def _working_hours(scale: float) -> list[float]:
    out = []
    for h in range(HOURS):
        day, hour = divmod(h, 24)
        out.append(0.0 if day >= 5 or not 8 <= hour < 17 else scale * (1 + 0.3 * math.sin(h)))
    return out


def coverage(documents: int, unsigned: int, invalid: int) -> dict[str, Any]:
    """Coverage of ``documents``: ``unsigned`` without signatures, ``invalid`` with a bad one."""
    table = CoverageTable()
    good = DocumentOutcome(organ_present=True, organ_valid=True, signer_present=True,
                           signer_valid=True)
    bad = DocumentOutcome(organ_present=True, signer_present=True, signer_valid=True,
                          reasons=("DF-SIG-001",))
    for _ in range(documents - unsigned - invalid):
        table.add("x", good)
    for _ in range(unsigned):
        table.add("x", DocumentOutcome())
    for _ in range(invalid):
        table.add("x", bad)
    return table.to_dict()["x"]


def _latency(p50: float | None, p95: float | None, p99: float | None) -> dict[str, Any]:
    return {"count": 100, "mean": p50, "p50": p50, "p95": p95, "p99": p99}


def _lane(utilisation: float, peak_backlog: int) -> dict[str, Any]:
    return {"messages": 500, "utilisation": utilisation, "offered_load": utilisation,
            "peak_hour_utilisation": min(1.0, 2 * utilisation), "peak_backlog": peak_backlog,
            "peak_queued": peak_backlog, "peak_waiting_hourly": 0, "mean_wait_s": 1.5,
            "refused_attempts": 0, "dead_letters": 0}


def hub(name: str, kind: str = "province", utilisation: float = 0.1, peak_backlog: int = 0,
        province: str | None = None) -> dict[str, Any]:
    """One hub entry of ``summary.json``, every field present."""
    return {"name": name, "kind": kind, "province": province, "agencies": 4, "sent": 900,
            "deliveries": 1000, "delivered": 999, "lost": 1,
            "latency_s": {"delivery": _latency(10.0, 200.0, 800.0),
                          "acceptance": _latency(7200.0, 80_000.0, 90_000.0)},
            "documents": _lane(utilisation, peak_backlog), "status": _lane(utilisation / 2, 0),
            "utilisation": utilisation, "offered_load": utilisation,
            "peak_backlog": peak_backlog, "outages": 0, "coverage": coverage(900, 9, 3)}


def summary(name: str = "tuần thử nghiệm", hub_name: str = "LGSP Hà Nội") -> dict[str, Any]:
    """A week-long summary (``docflow.simulation/1``, every field present) with three levels,
    three hubs, an outage and a calibration block."""
    levels = {}
    for i, (level, scale) in enumerate(LEVELS.items()):
        sent = 1000 * (i + 1)
        levels[level] = {
            "agencies": 3 + i, "sent": sent, "deliveries": sent, "delivered": sent - i,
            "lost": i, "received": sent - i, "accepted": sent - i, "rejected": 0,
            "throughput_per_hour": {"mean": scale / 3, "mean_working": scale,
                                    "peak": round(scale * 1.3)},
            "latency_s": {"delivery": _latency(12.0, 300.0, 900.0),
                          "acceptance": _latency(7200.0, 90_000.0, None),
                          "received": _latency(12.0, 300.0, 900.0)},
            "coverage": coverage(sent, 10 * i, 5 * i),
        }
    hubs = {"AXIS": hub("Trục liên thông văn bản quốc gia", "axis", 0.42, 120),
            "H01": hub(hub_name, "province", 0.31, 80, "Hà Nội"),
            "H49": hub("LGSP Quảng Nam", "province", 0.2, 30, "Đà Nẵng")}
    hubs["H49"]["outages"] = 1
    outage = {"target": "H49", "start": "2025-07-08T09:00:00+07:00",
              "end": "2025-07-08T11:00:00+07:00"}
    start = "2025-07-07T00:00:00+07:00"
    sent_total = sum(lv["sent"] for lv in levels.values())
    delivered = sum(lv["delivered"] for lv in levels.values())
    lost = sum(lv["lost"] for lv in levels.values())
    status = {"label": "x", "sent": 10, "delivered": 10, "lost": 0}
    return {
        "schema": "docflow.simulation/1", "docflow_version": "0.0.0",
        "scenario": {"name": name, "description": "", "seed": 7, "topology": "tiny",
                     "start": start, "end": "2025-07-14T00:00:00+07:00",
                     "period": {"start": "2025-07-07", "days": 7, "drain_days": 0},
                     "crypto": "model", "algorithm": "rsa-sha256",
                     "faults": [{"kind": "hub_outage", **outage}],
                     "retry": {"backoff_s": 60.0, "factor": 2.0, "backoff_max_s": 3600.0,
                               "max_attempts": 5}},
        "run": {"windows": 7, "last_event": "2025-07-13T17:00:00+07:00", "in_flight_at_end": 0,
                "unanswered_after_horizon": 0, "coverage_from": "model",
                "coverage_documents": sent_total},
        "topology": {"name": "tiny", "agencies": {"central": 3, "province": 4, "commune": 12},
                     "hubs": 3, "provinces": 2},
        "totals": {"documents_sent": sent_total, "deliveries": sent_total,
                   "delivered": delivered, "lost": lost, "lost_at_hubs": lost,
                   "lost_at_agencies": 0, "in_flight_at_end": 0,
                   "hub_messages": {"documents": 1500, "status": 3000},
                   "status_messages": {"sent": 60, "delivered": 60, "lost": 0,
                                       "lost_at_hubs": 0, "lost_at_agencies": 0,
                                       "in_flight_at_end": 0,
                                       "by_code": {"01": status, "03": status}},
                   "document_types": {"Công văn": sent_total}, "priorities": {"0": sent_total},
                   "directions": {"down": sent_total}},
        "levels": levels,
        "hubs": hubs,
        "series": {
            "start": start, "step_s": 3600, "steps": HOURS,
            "throughput": {lv: [round(v) for v in _working_hours(s)]
                           for lv, s in LEVELS.items()},
            "sent": {lv: [round(v) for v in _working_hours(s)] for lv, s in LEVELS.items()},
            "backlog": {h: [round(v) for v in _working_hours(3.0)] for h in hubs},
            "utilisation": {h: [v / 20 for v in _working_hours(1.0)] for h in hubs},
        },
        "latency_cdf": {lv: {"delivery": [[2.0, 0.1], [10.0, 0.5], [60.0, 0.9], [900.0, 0.99]],
                             "acceptance": [[600.0, 0.1], [7200.0, 0.5], [90_000.0, 0.99]]}
                        for lv in LEVELS},
        "outages": [{"kind": "hub", **outage}],
        "calibration": [
            {"figure": "Documents over the national axis", "measure": "documents_via_axis",
             "scope": None, "unit": "documents", "published": 135_221.0,
             "simulated": 131_000.0, "ratio": 0.9688, "source": "Phú Thọ 2021",
             "role": "predicted"},
            {"figure": "Organ signing rate", "measure": "organ_signed_share", "scope": None,
             "unit": "share", "published": 0.98, "simulated": 0.975, "ratio": 0.9949,
             "source": "Thanh Hóa", "role": "fitted"},
        ],
        "assumptions": [],
    }


AGENCIES = {  # organ code → (level, documents, unsigned, invalid)
    "000.00.00.G22": ("central", 400, 0, 2),
    "000.00.00.H49": ("province", 300, 9, 3),
    "000.00.01.H49": ("province", 120, 1, 0),
    "000.01.02.H49": ("commune", 80, 6, 1),
    "000.02.02.H49": ("commune", 40, 0, 0),
    "000.03.02.H49": ("commune", 3, 1, 0),
}
MONTHS = ("2025-05", "2025-06", "2025-07")
DOC_TYPES = ("Công văn", "Quyết định", "Kế hoạch", "Báo cáo")


def audit_result(target: float = 0.98) -> dict[str, Any]:
    """An audit's JSON form (schema ``docflow.audit/1``) for six agencies over three months."""
    good = DocumentOutcome(True, True, True, True)
    bad = DocumentOutcome(organ_present=True, signer_present=True, signer_valid=True,
                          reasons=("DF-PKI-010",))
    tables = {d: CoverageTable() for d in ("level", "agency", "document_type", "month")}
    i = 0
    for code, (level, documents, unsigned, invalid) in AGENCIES.items():
        for j in range(documents):
            outcome = DocumentOutcome() if j < unsigned else bad if j < unsigned + invalid \
                else good
            keys = {"level": level, "agency": code, "document_type": DOC_TYPES[i % 4],
                    "month": MONTHS[i % 3]}
            for dim, key in keys.items():
                tables[dim].add(key, outcome)
            i += 1
    below = []
    for dim in ("level", "agency"):
        for key, counts in tables[dim].items():
            rate = counts.rate("both_valid")
            if rate is not None and rate < target:
                low, high = counts.interval("both_valid")
                below.append({"dimension": dim, "key": key, "documents": counts.documents,
                              "count": counts.both_valid, "rate": rate, "low": low,
                              "high": high, "certain": high < target})
    below.sort(key=lambda b: (b["high"], b["rate"], b["dimension"], b["key"]))
    total = tables["level"].total()
    return AuditOutput(
        docflow_version="0", source="lưu trữ/archive.sqlite", archive="lưu trữ/archive.sqlite",
        context=AuditContext("docflow-2025", "ab" * 32, "signing-time", TrustSource.GIVEN, ()),
        notices=(), verified_now=total.documents, status_messages=12,
        unreadable={"DF-XML-001": 2}, total=total,
        sources=Sources(RoleSources(xml=total.organ_present),
                        RoleSources(xml=total.signer_present)),
        by_level=tables["level"], by_agency=tables["agency"],
        by_document_type=tables["document_type"], by_month=tables["month"],
        target=TargetSection(target, "both_valid", 1, 0, tuple(
            BelowTarget(b["dimension"], b["key"], b["documents"], b["count"], b["rate"],
                        b["low"], b["high"], b["certain"]) for b in below)),
        imported=None).to_json()
