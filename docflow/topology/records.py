"""Turning the loose records of a topology file into checked :class:`Agency` and :class:`Hub`.

GraphML and JSON differ in syntax only: both give, per node, a mapping of attribute names to
strings (or ``None``). This module checks those mappings — required attributes present, no
unknown ones, enum values known — and says which node and attribute is wrong, so both formats
report the same problems with the same ``DF-TOP`` codes.
"""

from __future__ import annotations

from collections.abc import Mapping

from docflow.errors import ConfigError, Location
from docflow.levels import Level
from docflow.topology.model import Agency, AgencyKind, Hub, HubKind

__all__ = ["AGENCY_FIELDS", "HUB_FIELDS", "agency_from_record", "agency_record",
           "hub_from_record", "hub_record"]

AGENCY_FIELDS: dict[str, bool] = {"code": True, "name": True, "level": True, "kind": True,
                                  "province": False, "parent": False, "hub": True}
"""Attributes of an agency record, and whether each is required."""

HUB_FIELDS: dict[str, bool] = {"id": True, "name": True, "kind": True, "province": False}
"""Attributes of a hub record, and whether each is required."""

_NOWHERE = Location()


def _fields(record: Mapping[str, object], spec: Mapping[str, bool], node: str,
            where: Location) -> dict[str, str | None]:
    unknown = sorted(set(record) - set(spec))
    if unknown:
        raise ConfigError("DF-TOP-007", f"{node}: unknown attribute {unknown[0]!r}; allowed: "
                          f"{', '.join(spec)}", _at(where, node, unknown[0]))
    out: dict[str, str | None] = {}
    for key, required in spec.items():
        value = record.get(key)
        if value is None or value == "":
            if required:
                raise ConfigError("DF-TOP-007", f"{node}: required attribute {key!r} is "
                                  "missing or empty", _at(where, node, key))
            out[key] = None
        elif not isinstance(value, str):
            raise ConfigError("DF-TOP-007", f"{node}: attribute {key!r} must be a string, not "
                              f"{type(value).__name__}", _at(where, node, key))
        else:
            out[key] = value
    return out


def _at(where: Location, node: str, key: str) -> Location:
    return Location(file=where.file, line=where.line, path=where.path, key=f"{node}.{key}")


def agency_from_record(record: Mapping[str, object], node: str,
                       where: Location = _NOWHERE) -> Agency:
    """Check one agency record and return the :class:`Agency`.

    ``node`` names the record in messages (its code, or its position); ``where`` gives the file
    and line. The organ code itself, hubs and parents are checked by :class:`Topology`.

    Raises
    ------
    ConfigError
        ``DF-TOP-007`` missing, unknown or non-string attribute; ``DF-TOP-004`` unknown level;
        ``DF-TOP-005`` unknown kind.
    """
    f = _fields(record, AGENCY_FIELDS, node, where)
    try:
        level = Level.parse(str(f["level"]))
    except ValueError as exc:
        raise ConfigError("DF-TOP-004", f"{node}: {exc}", _at(where, node, "level")) from None
    try:
        kind = AgencyKind(str(f["kind"]))
    except ValueError:
        raise ConfigError("DF-TOP-005", f"{node}: unknown agency kind {f['kind']!r}; allowed: "
                          f"{', '.join(AgencyKind)}", _at(where, node, "kind")) from None
    return Agency(code=str(f["code"]), name=str(f["name"]), level=level, kind=kind,
                  province=f["province"], parent=f["parent"], hub=str(f["hub"]))


def hub_from_record(record: Mapping[str, object], node: str,
                    where: Location = _NOWHERE) -> Hub:
    """Check one hub record and return the :class:`Hub` (see :func:`agency_from_record`)."""
    f = _fields(record, HUB_FIELDS, node, where)
    try:
        kind = HubKind(str(f["kind"]))
    except ValueError:
        raise ConfigError("DF-TOP-005", f"{node}: unknown hub kind {f['kind']!r}; allowed: "
                          f"{', '.join(HubKind)}", _at(where, node, "kind")) from None
    return Hub(id=str(f["id"]), name=str(f["name"]), kind=kind, province=f["province"])


def agency_record(agency: Agency) -> dict[str, str | None]:
    """The record of ``agency``, as files store it (enum values as strings)."""
    return {"code": agency.code, "name": agency.name, "level": agency.level.value,
            "kind": agency.kind.value, "province": agency.province, "parent": agency.parent,
            "hub": agency.hub}


def hub_record(hub: Hub) -> dict[str, str | None]:
    """The record of ``hub``, as files store it."""
    return {"id": hub.id, "name": hub.name, "kind": hub.kind.value, "province": hub.province}
