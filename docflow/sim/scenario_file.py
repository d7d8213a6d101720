"""Scenario files: TOML in, a checked :class:`~docflow.sim.scenario.Scenario` out.

:func:`parse_scenario` works on bytes and :func:`read_scenario` only opens the file. Every key is
checked for type and range, unknown keys are refused with a "did you mean", and every error is a
:class:`~docflow.errors.ConfigError` whose location is the file and the dotted key, and whose
message names the bad value and what is allowed. Checks that need the topology (hub ids, organ
codes) are made when the run builds it (:mod:`docflow.sim.setup`).

The built-in default scenario is ``docflow/sim/scenarios/default.toml``.
"""

from __future__ import annotations

import difflib
import itertools
import os
from dataclasses import fields
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from docflow.envelope.doctypes import DocumentType
from docflow.levels import Level
from docflow.sim.scenario import (
    Adoption,
    CalibrationFigure,
    CryptoSpec,
    FaultSpec,
    FigureRole,
    HubCapacity,
    HubSpec,
    LinkSpec,
    Measure,
    Outage,
    Period,
    Scenario,
    SigningSpec,
    StatusSpec,
)
from docflow.sim.toml_table import Table
from docflow.tomlsafe import parse_toml, read_toml
from docflow.traffic.calendar import WorkingHours
from docflow.traffic.spec import (
    DEFAULT_LEVEL_TRAFFIC,
    Direction,
    DocumentMix,
    LevelTraffic,
    TrafficSpec,
)

__all__ = ["ALGORITHMS", "builtin_scenario", "parse_scenario", "read_scenario",
           "scenario_from_document"]

ALGORITHMS = ("rsa-sha256", "rsa-sha384", "rsa-sha512", "ecdsa-p256", "ed25519")
"""Signature algorithms a scenario may name (those of docflow's signature profile)."""

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SHARE_TOLERANCE = 1e-6
_MAX_SCENARIO_BYTES = 4 << 20


def builtin_scenario() -> Scenario:
    """The built-in default: one week of ``vn-2025`` with ``sample:2000`` crypto."""
    data = resources.files("docflow.sim").joinpath("scenarios/default.toml").read_bytes()
    return parse_scenario(data, file="<built-in default>")


def read_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and check the scenario file at ``path`` (at most 4 MB)."""
    doc = read_toml(path, "DF-SCN-001", _MAX_SCENARIO_BYTES, what="the scenario")
    return scenario_from_document(doc, os.fspath(path))


def parse_scenario(data: bytes, file: str | None = None) -> Scenario:
    """Check a scenario given as TOML bytes.

    Raises
    ------
    ConfigError
        ``DF-SCN-001`` not TOML, ``-002`` unknown key, ``-003`` wrong type, ``-004`` value out
        of range or not allowed, ``-005`` shares that do not add up to 1, ``-007`` keys that
        contradict each other.

    Examples
    --------
    >>> s = parse_scenario(b'seed = 3\\n[period]\\ndays = 2\\n[crypto]\\nmode = "model"\\n')
    >>> s.seed, s.period.days, s.crypto.mode
    (3, 2, 'model')
    >>> parse_scenario(b'[period]\\ndays = "two"\\n')
    Traceback (most recent call last):
    docflow.errors.ConfigError: DF-SCN-003 period.days: expected a whole number, found the ...
    """
    doc = parse_toml(data, "DF-SCN-001", file=file, what="the scenario")
    return scenario_from_document(doc, file)


def scenario_from_document(doc: dict[str, Any], file: str | None = None) -> Scenario:
    """Check a scenario given as the dict TOML parses to (a sweep sets keys in it first).

    Raises
    ------
    ConfigError
        As :func:`parse_scenario`, after the file has been read as TOML.
    """
    root = Table(doc, file=file)
    defaults = Scenario()
    name = root.string("name", Path(file).stem if file and not file.startswith("<") else "default")
    description = root.string("description", "")
    seed = root.integer("seed", defaults.seed, low=0, high=2**63 - 1)
    topology = _topology(root)
    period = _period(root.table("period"))
    calendar = _calendar(root.table("calendar"))
    traffic = _traffic(root.table("traffic"))
    signing = _signing(root.table("signing"))
    hubs = _hubs(root.table("hubs"))
    links = _links(root.table("links"))
    status = _status(root.table("status"))
    faults = _faults(root.table("faults"))
    crypto = _crypto(root.table("crypto"))
    calibration = tuple(_figure(t) for t in root.tables("calibration"))
    root.finish()
    return Scenario(name=name, description=description, seed=seed, topology=topology,
                    period=period, calendar=calendar, traffic=traffic, signing=signing,
                    hubs=hubs, links=links, status=status, faults=faults, crypto=crypto,
                    calibration=calibration, source=file)


def _topology(root: Table) -> str:
    table = root.table("topology", ("preset", "file"))
    preset = table.string("preset", "")
    path = table.string("file", "")
    table.finish()
    if preset and path:
        raise table.error("DF-SCN-007", "file", "give either topology.preset or "
                          "topology.file, not both")
    if path:
        return path
    return preset or Scenario().topology


def _period(t: Table) -> Period:
    d = Period()
    out = Period(start=t.day("start", d.start), days=t.integer("days", d.days, low=1, high=3660),
                 drain_days=t.integer("drain_days", d.drain_days, low=0, high=3660))
    t.finish()
    return out


def _clock(t: Table, name: str, text: object, index: int) -> tuple[int, int]:
    """``"07:30-11:30"`` as minutes after midnight."""
    where = f"{name}[{index}]"
    if not isinstance(text, str):
        raise t.error("DF-SCN-003", where, f"expected a string such as \"07:30-11:30\", "
                      f"found {text!r}")
    try:
        a, b = text.split("-")
        begin = [int(x) for x in a.strip().split(":")]
        end = [int(x) for x in b.strip().split(":")]
        lo, hi = begin[0] * 60 + begin[1], end[0] * 60 + end[1]
        if len(begin) != 2 or len(end) != 2 or not 0 <= lo < hi <= 24 * 60:
            raise ValueError
    except (ValueError, IndexError):
        raise t.error("DF-SCN-004", where, f"{text!r} is not an interval of office hours; "
                      "allowed: \"HH:MM-HH:MM\" with the start before the end, "
                      "e.g. \"07:30-11:30\"") from None
    return lo, hi


def _calendar(t: Table) -> WorkingHours:
    d = WorkingHours()
    hours = d.hours
    if t.has("hours"):
        raw = t.array("hours")
        hours = tuple(_clock(t, "hours", x, i) for i, x in enumerate(raw))
        if not hours:
            raise t.error("DF-SCN-004", "hours", "no office hours; allowed: one or more "
                          "intervals such as \"07:30-11:30\"")
        for (_, e1), (b2, _) in itertools.pairwise(hours):
            if b2 < e1:
                raise t.error("DF-SCN-004", "hours", "intervals must be sorted and must not "
                              "overlap")
    weekdays = d.weekdays
    if t.has("weekdays"):
        raw = t.array("weekdays")
        out = []
        for i, x in enumerate(raw):
            if not isinstance(x, str) or x.lower()[:3] not in _WEEKDAYS:
                raise t.error("DF-SCN-004", f"weekdays[{i}]", f"{x!r} is not a weekday; "
                              f"allowed: {', '.join(_WEEKDAYS)}")
            out.append(_WEEKDAYS.index(x.lower()[:3]))
        weekdays = tuple(sorted(set(out)))
    holidays: tuple[date, ...] = ()
    if t.has("holidays"):
        raw = t.array("holidays")
        for i, x in enumerate(raw):
            if not isinstance(x, date) or hasattr(x, "hour"):
                raise t.error("DF-SCN-003", f"holidays[{i}]", f"expected a date such as "
                              f"2025-09-02, found {x!r}")
        holidays = tuple(raw)
    t.finish()
    return WorkingHours(hours=hours, weekdays=weekdays, holidays=holidays)


def _shares(t: Table, name: str, parse: Any, allowed: list[str]) -> list[tuple[Any, float]]:
    """A table of shares keyed by names ``parse`` understands; they must add up to 1."""
    table = t.table(name)
    out = []
    for key in table.names():
        try:
            item = parse(key)
        except (ValueError, KeyError):
            raise table.error("DF-SCN-004", key, f"{key!r} is not allowed; allowed: "
                              f"{', '.join(allowed)}") from None
        out.append((item, table.number(key, low=0.0, high=1.0)))
    total = sum(v for _, v in out)
    if out and abs(total - 1.0) > _SHARE_TOLERANCE:
        raise t.error("DF-SCN-005", name, f"shares add up to {total:g}; they must add up to 1")
    return out


def _level_key(t: Table, key: str, *others: str) -> Level:
    try:
        return Level(key)
    except ValueError:
        allowed = [m.value for m in Level] + list(others)
        near = difflib.get_close_matches(key, allowed, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise t.error("DF-SCN-002", key, f"unknown key {key!r}{hint}; allowed: "
                      f"{', '.join(allowed)}") from None


def _traffic(t: Table) -> TrafficSpec:
    levels = []
    documents = DocumentMix()
    for key in t.names():
        if key == "documents":
            documents = _documents(t.table("documents"))
            continue
        level = _level_key(t, key, "documents")
        sub = t.table(key)
        d = DEFAULT_LEVEL_TRAFFIC[level]
        mix = d.mix
        if sub.has("mix"):
            mix = tuple(_shares(sub, "mix", Direction, [x.value for x in Direction]))
        levels.append(LevelTraffic(
            level=level, per_day=sub.number("per_day", d.per_day, low=0.0, high=1e6),
            recipients=sub.number("recipients", d.recipients, low=1.0, high=1e4),
            broadcast=sub.number("broadcast", d.broadcast, low=0.0, high=1.0),
            broadcast_max=sub.integer("broadcast_max", d.broadcast_max, low=1, high=100_000),
            mix=mix))
        sub.finish()
    given = {x.level for x in levels}
    levels += [v for k, v in DEFAULT_LEVEL_TRAFFIC.items() if k not in given]
    levels.sort(key=lambda x: list(Level).index(x.level))
    return TrafficSpec(levels=tuple(levels), documents=documents)


def _doctype(name: str) -> DocumentType:
    try:
        return DocumentType.from_name(name)
    except KeyError:
        return DocumentType.from_abbreviation(name)


def _documents(t: Table) -> DocumentMix:
    d = DocumentMix()
    types = d.types
    if t.has("types"):
        types = tuple(_shares(t, "types", _doctype, [x.value for x in DocumentType]))
    priorities = d.priorities
    if t.has("priorities"):
        raw = t.array("priorities")
        if len(raw) != 5 or not all(isinstance(x, int | float) and not isinstance(x, bool)
                                    and 0 <= x <= 1 for x in raw):
            raise t.error("DF-SCN-004", "priorities", f"{raw!r} is not allowed; allowed: five "
                          "shares in [0, 1] for priorities 0 (normal) to 4 (flash, timed)")
        if abs(sum(raw) - 1.0) > _SHARE_TOLERANCE:
            raise t.error("DF-SCN-005", "priorities", f"shares add up to {sum(raw):g}; they "
                          "must add up to 1")
        priorities = tuple(float(x) for x in raw)
    out = DocumentMix(
        types=types, priorities=priorities,
        attachment_median_kb=t.number("attachment_median_kb", d.attachment_median_kb,
                                      low=1.0, high=1e6),
        attachment_sigma=t.number("attachment_sigma", d.attachment_sigma, low=0.0, high=5.0))
    t.finish()
    return out


def _signing(t: Table) -> SigningSpec:
    d = SigningSpec()
    algorithm = t.choice("algorithm", _algorithm, ALGORITHMS, d.algorithm)
    signers = t.number("signers_per_agency", d.signers_per_agency, low=0.0, high=1e4)
    given = {}
    for key in t.names():
        if key in ("algorithm", "signers_per_agency"):
            continue
        level = _level_key(t, key, "algorithm", "signers_per_agency")
        sub = t.table(key)
        base = d.adoption(level)
        organ = sub.number("organ", base.organ, low=0.0, high=1.0)
        signer = sub.number("signer", base.signer, low=0.0, high=1.0)
        sub.finish()
        given[level] = Adoption(level, organ=organ, signer=signer)
    levels = tuple(given.get(x.level, x) for x in d.levels)
    return SigningSpec(levels=levels, algorithm=algorithm, signers_per_agency=signers)


def _algorithm(text: str) -> str:
    if text not in ALGORITHMS:
        raise ValueError(text)
    return text


def _capacity(t: Table, base: HubCapacity) -> HubCapacity:
    workers = t.integer("workers", base.workers, low=1, high=10_000)
    if t.has("capacity_per_hour") and t.has("service_ms"):
        raise t.error("DF-SCN-007", "capacity_per_hour", "give either service_ms or "
                      "capacity_per_hour, not both")
    if t.has("capacity_per_hour"):
        capacity = t.number("capacity_per_hour", low=0.0, low_open=True, high=1e9)
        service_ms = workers * 3_600_000.0 / capacity
    else:
        service_ms = t.number("service_ms", base.service_ms, low=0.0, low_open=True,
                              high=3_600_000.0)
    out = HubCapacity(
        workers=workers, service_ms=service_ms,
        ms_per_mb=t.number("ms_per_mb", base.ms_per_mb, low=0.0, high=1e6),
        status_workers=t.integer("status_workers", base.status_workers, low=1, high=10_000),
        status_service_ms=t.number("status_service_ms", base.status_service_ms, low=0.0,
                                   low_open=True, high=3_600_000.0))
    return out


def _hubs(t: Table) -> HubSpec:
    d = HubSpec()
    default = _capacity(t, d.default)
    axis_table = t.table("axis")
    axis = _capacity(axis_table, d.axis)
    axis_table.finish()
    overrides = []
    override_table = t.table("override")
    for hub_id in override_table.names():
        sub = override_table.table(hub_id)
        overrides.append((hub_id, _capacity(sub, default)))
        sub.finish()
    t.finish()
    return HubSpec(default=default, axis=axis, overrides=tuple(overrides))


def _links(t: Table) -> LinkSpec:
    d = LinkSpec()
    out = LinkSpec(agency_hub_ms=t.number("agency_hub_ms", d.agency_hub_ms, low=0.0, high=1e7),
                   hub_hub_ms=t.number("hub_hub_ms", d.hub_hub_ms, low=0.0, high=1e7),
                   mbps=t.number("mbps", d.mbps, low=0.0, high=1e6))
    t.finish()
    return out


def _status(t: Table) -> StatusSpec:
    d = StatusSpec()
    kw = {f.name: t.number(f.name, getattr(d, f.name), low=0.0, high=1e5)
          for f in fields(StatusSpec) if f.name not in ("reject_share", "urgent_speedup")}
    out = StatusSpec(**kw, reject_share=t.number("reject_share", d.reject_share, low=0.0,
                                                 high=1.0),
                     urgent_speedup=t.number("urgent_speedup", d.urgent_speedup, low=1.0,
                                             high=1e3))
    t.finish()
    return out


def _outages(t: Table, name: str, target: str) -> tuple[Outage, ...]:
    out = []
    for sub in t.tables(name):
        out.append(Outage(target=sub.string(target), start=sub.moment("start"),
                          hours=sub.number("hours", low=0.0, low_open=True, high=24 * 3660)))
        sub.finish()
    return tuple(out)


def _faults(t: Table) -> FaultSpec:
    d = FaultSpec()
    never = t.array("never_sign", [])
    for i, code in enumerate(never):
        if not isinstance(code, str):
            raise t.error("DF-SCN-003", f"never_sign[{i}]", f"expected an organ code string, "
                          f"found {code!r}")
    out = FaultSpec(
        hub_outages=_outages(t, "hub_outage", "hub"),
        agency_outages=_outages(t, "agency_outage", "agency"),
        retry_backoff_s=t.number("retry_backoff_s", d.retry_backoff_s, low=0.0, low_open=True,
                                 high=1e7),
        backoff_factor=t.number("backoff_factor", d.backoff_factor, low=1.0, high=100.0),
        backoff_max_s=t.number("backoff_max_s", d.backoff_max_s, low=0.0, low_open=True,
                               high=1e8),
        max_attempts=t.integer("max_attempts", d.max_attempts, low=1, high=1000),
        tamper_rate=t.number("tamper_rate", d.tamper_rate, low=0.0, high=1.0),
        expired_cert_share=t.number("expired_cert_share", d.expired_cert_share, low=0.0,
                                    high=1.0),
        revoked_cert_share=t.number("revoked_cert_share", d.revoked_cert_share, low=0.0,
                                    high=1.0),
        never_sign=tuple(never))
    if out.expired_cert_share + out.revoked_cert_share > 1.0:
        raise t.error("DF-SCN-007", "revoked_cert_share", "expired_cert_share + "
                      "revoked_cert_share exceed 1")
    t.finish()
    return out


def _crypto(t: Table) -> CryptoSpec:
    d = CryptoSpec()
    spec = t.choice("mode", CryptoSpec.parse, ["model", "sample:N", "real"], d)
    processes = t.integer("processes", 0, low=0, high=1024)
    t.finish()
    return CryptoSpec(spec.kind, sample=spec.sample, processes=processes)


def _figure(t: Table) -> CalibrationFigure:
    figure = t.string("figure")
    published = t.number("published", low=0.0)
    measure = t.choice("measure", Measure, [m.value for m in Measure])
    out = CalibrationFigure(
        figure=figure, published=published, measure=measure,
        scope=t.string("scope") if t.has("scope") else None,
        source=t.string("source", ""),
        role=t.choice("role", FigureRole, [r.value for r in FigureRole],
                      FigureRole.default_for(measure)))
    t.finish()
    return out
