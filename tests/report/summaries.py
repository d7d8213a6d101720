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


def summary(name: str = "tuần thử nghiệm", hub_name: str = "LGSP Hà Nội") -> dict[str, Any]:
    """A week-long summary with three levels, three hubs, an outage and a calibration block."""
    levels = {}
    for i, (level, scale) in enumerate(LEVELS.items()):
        levels[level] = {
            "sent": 1000 * (i + 1), "delivered": 1000 * (i + 1) - i, "lost": i,
            "throughput_per_hour": {"mean": scale / 3, "peak": scale * 1.3},
            "latency_s": {"delivery": {"p50": 12.0, "p95": 300.0, "p99": 900.0},
                          "acceptance": {"p50": 7200.0, "p95": 90_000.0, "p99": None}},
            "coverage": coverage(1000 * (i + 1), 10 * i, 5 * i),
        }
    hubs = {"AXIS": {"name": "Trục liên thông văn bản quốc gia", "utilisation": 0.42,
                     "peak_backlog": 120},
            "H01": {"name": hub_name, "utilisation": 0.31, "peak_backlog": 80},
            "H49": {"name": "LGSP Quảng Nam", "utilisation": 0.2, "peak_backlog": 30}}
    outage = {"target": "H49", "start": "2025-07-08T09:00:00+07:00",
              "end": "2025-07-08T11:00:00+07:00"}
    return {
        "scenario": {"name": name, "seed": 7, "topology": "tiny", "crypto": "model",
                     "start": "2025-07-07T00:00:00+07:00", "end": "2025-07-14T00:00:00+07:00",
                     "faults": [{"kind": "hub_outage", **outage}]},
        "topology": {"hubs": 3, "agencies": {"central": 3, "province": 4, "commune": 12}},
        "levels": levels,
        "hubs": hubs,
        "series": {
            "step_s": 3600,
            "throughput": {lv: _working_hours(s) for lv, s in LEVELS.items()},
            "backlog": {h: _working_hours(3.0) for h in hubs},
            "utilisation": {h: [v / 20 for v in _working_hours(1.0)] for h in hubs},
        },
        "latency_cdf": {lv: {"delivery": [[2, 0.1], [10, 0.5], [60, 0.9], [900, 1.0]],
                             "acceptance": [[600, 0.1], [7200, 0.5], [90_000, 1.0]]}
                        for lv in LEVELS},
        "outages": [outage],
        "calibration": [
            {"figure": "Documents over the national axis", "source": "Phú Thọ 2021",
             "published": 135_221, "simulated": 131_000},
            {"figure": "Organ signing rate", "source": "Thanh Hóa", "published": 0.98,
             "simulated": 0.975, "unit": "share"},
        ],
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
