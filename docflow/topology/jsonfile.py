"""Topologies as JSON: docflow's own format, easy to write by hand or from a spreadsheet.

::

    {
      "format": "docflow-topology",
      "version": 1,
      "name": "my-province",
      "description": "one line",                      (optional)
      "provenance": {"real": ["..."], "generated": ["..."]},   (optional)
      "hubs": [
        {"id": "axis", "name": "Trục liên thông văn bản quốc gia", "kind": "axis"},
        {"id": "lgsp-h38", "name": "...", "kind": "province", "province": "Thanh Hóa"}
      ],
      "agencies": [
        {"code": "000.00.00.H38", "name": "Ủy ban nhân dân tỉnh Thanh Hóa",
         "level": "province", "kind": "people-committee", "province": "Thanh Hóa",
         "parent": null, "hub": "lgsp-h38"}
      ]
    }

``province`` and ``parent`` may be omitted or ``null``; every other attribute is required, and
an unknown attribute is refused (it is most likely a misspelt one). Hubs and agencies keep their
order: it is the index order of :meth:`Topology.arrays`.
"""

from __future__ import annotations

import json
from typing import Any

from docflow.errors import ConfigError, InputError, Location
from docflow.topology.graphml import FORMAT, VERSION
from docflow.topology.network import Topology
from docflow.topology.records import (
    agency_from_record,
    agency_record,
    hub_from_record,
    hub_record,
)

__all__ = ["dump_json", "parse_json"]

_TOP_KEYS = ("format", "version", "name", "description", "provenance", "hubs", "agencies")


def dump_json(topology: Topology) -> bytes:
    """Serialise ``topology`` as JSON (UTF-8, one agency per line); inverse of
    :func:`parse_json`.

    >>> from docflow.topology import build_preset
    >>> tiny = build_preset("tiny")
    >>> parse_json(dump_json(tiny)) == tiny
    True
    """
    head = {"format": FORMAT, "version": VERSION, "name": topology.name,
            "description": topology.description,
            "provenance": {k: list(v) for k, v in topology.provenance.items()}}
    parts = [json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ",\n"]
    for key, records in (("hubs", [hub_record(h) for h in topology.hubs]),
                         ("agencies", [agency_record(a) for a in topology.agencies])):
        # One record per line: diffs stay readable and a 12,000-agency file stays small.
        body = ",\n  ".join(json.dumps(r, ensure_ascii=False) for r in records)
        parts.append(f' "{key}": [\n  {body}\n ]' + (",\n" if key == "hubs" else "\n"))
    parts.append("}\n")
    return "".join(parts).encode("utf-8")


def parse_json(data: bytes, *, where: str | None = None) -> Topology:
    """Read a topology from JSON bytes.

    Raises
    ------
    InputError
        ``DF-IO-003`` empty; ``DF-TOP-011`` not JSON, not UTF-8, not a docflow topology, or a
        version docflow does not know.
    ConfigError
        ``DF-TOP-001`` … ``DF-TOP-012`` for bad records, naming the record and attribute.
    """
    if not data.strip():
        raise InputError("DF-IO-003", "the input is empty", Location(file=where))
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError("DF-TOP-011", f"the file is not UTF-8 ({exc.reason} at byte "
                         f"{exc.start})", Location(file=where)) from None
    except json.JSONDecodeError as exc:
        raise InputError("DF-TOP-011", f"not valid JSON: {exc.msg}",
                         Location(file=where, line=exc.lineno)) from None
    except RecursionError:
        raise InputError("DF-TOP-011", "the JSON nests too deeply",
                         Location(file=where)) from None
    if not isinstance(doc, dict):
        raise InputError("DF-TOP-011", "a topology file is a JSON object",
                         Location(file=where))
    _check_head(doc, where)
    hubs = [hub_from_record(_record(r, f"hubs[{i}]", where), _label(r, "id", f"hubs[{i}]"),
                            Location(file=where))
            for i, r in enumerate(_list(doc, "hubs", where))]
    agencies = [agency_from_record(_record(r, f"agencies[{i}]", where),
                                   _label(r, "code", f"agencies[{i}]"), Location(file=where))
                for i, r in enumerate(_list(doc, "agencies", where))]
    provenance = doc.get("provenance") or {}
    if not isinstance(provenance, dict) or not all(
            isinstance(v, list) and all(isinstance(s, str) for s in v)
            for v in provenance.values()):
        raise ConfigError("DF-TOP-007", "provenance must be an object of lists of strings",
                          Location(file=where, key="provenance"))
    name = doc.get("name") or "topology"
    description = doc.get("description") or ""
    if not isinstance(name, str) or not isinstance(description, str):
        raise ConfigError("DF-TOP-007", "name and description must be strings",
                          Location(file=where, key="name"))
    return Topology(name, agencies, hubs, description=description, provenance=provenance,
                    source=where)


def _check_head(doc: dict[str, Any], where: str | None) -> None:
    if doc.get("format") != FORMAT:
        raise InputError("DF-TOP-011", f"'format' must be {FORMAT!r}, not "
                         f"{doc.get('format')!r}", Location(file=where, key="format"))
    if doc.get("version") != VERSION:
        raise InputError("DF-TOP-011", f"'version' {doc.get('version')!r} is not supported; "
                         f"this docflow reads version {VERSION}",
                         Location(file=where, key="version"))
    unknown = sorted(set(doc) - set(_TOP_KEYS))
    if unknown:
        raise ConfigError("DF-TOP-007", f"unknown key {unknown[0]!r}; allowed: "
                          f"{', '.join(_TOP_KEYS)}", Location(file=where, key=unknown[0]))


def _list(doc: dict[str, Any], key: str, where: str | None) -> list[Any]:
    value = doc.get(key)
    if not isinstance(value, list):
        raise InputError("DF-TOP-011", f"{key!r} must be a list",
                         Location(file=where, key=key))
    return value


def _record(value: Any, label: str, where: str | None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError("DF-TOP-007", f"{label} must be an object",
                          Location(file=where, key=label))
    return value


def _label(record: Any, key: str, fallback: str) -> str:
    value = record.get(key) if isinstance(record, dict) else None
    return value if isinstance(value, str) and value else fallback

