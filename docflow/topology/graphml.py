"""Topologies as GraphML: plain GraphML that networkx (and other graph tools) read.

A docflow GraphML file is an undirected ``<graph>`` whose nodes are hubs and agencies and whose
edges are the relations of :attr:`Topology.graph`. Every attribute is a declared ``<key>`` whose
id is the attribute name (graph attributes are prefixed ``g.``), with ``attr.type="string"``:

* graph: ``g.format`` (``docflow-topology``), ``g.version`` (``1``), ``g.name``,
  ``g.description``, ``g.provenance`` (the provenance as a JSON object);
* node: ``node_type`` (``hub`` or ``agency``), ``name``, ``kind``, ``province``; agencies also
  ``level``, ``parent`` and ``hub``. The node id is the hub id or the agency's organ code. A
  missing province or parent is written as no ``<data>`` at all;
* edge: ``relation`` (``attach``, ``uplink`` or ``parent``).

Edges are derived from the node attributes (``hub``, ``parent``, and every hub's uplink to the
axis), so on reading they are ignored and rebuilt; a ``<key>`` may carry a ``<default>``, which a
hand-written file can use to put every agency on one hub. The bytes are parsed with
:func:`docflow.xmlsafe.parse_xml`: no DTD, no entities, bounded size and depth.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from docflow.errors import ConfigError, InputError, Location
from docflow.topology.model import Agency, Hub
from docflow.topology.network import Topology
from docflow.topology.records import (
    HUB_FIELDS,
    agency_from_record,
    agency_record,
    hub_from_record,
    hub_record,
)
from docflow.xmlsafe import XmlLimits, parse_xml

__all__ = ["FORMAT", "GRAPHML_NS", "VERSION", "dump_graphml", "parse_graphml"]

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
FORMAT = "docflow-topology"
"""Value of the ``g.format`` graph attribute (and of ``format`` in JSON files)."""
VERSION = 1
"""Version of the file layout; a file of a later version is refused rather than misread."""

_G = f"{{{GRAPHML_NS}}}"
_GRAPH_KEYS = ("format", "version", "name", "description", "provenance")
_NODE_KEYS = ("node_type", "name", "level", "kind", "province", "parent", "hub")


def dump_graphml(topology: Topology) -> bytes:
    """Serialise ``topology`` as GraphML (UTF-8, indented); the inverse of :func:`parse_graphml`.

    >>> from docflow.topology import build_preset
    >>> tiny = build_preset("tiny")
    >>> parse_graphml(dump_graphml(tiny)) == tiny
    True
    """
    root = etree.Element(f"{_G}graphml", nsmap={None: GRAPHML_NS})
    for key in _GRAPH_KEYS:
        etree.SubElement(root, f"{_G}key", {"id": f"g.{key}", "for": "graph",
                                            "attr.name": key, "attr.type": "string"})
    for key in _NODE_KEYS:
        etree.SubElement(root, f"{_G}key", {"id": key, "for": "node", "attr.name": key,
                                            "attr.type": "string"})
    etree.SubElement(root, f"{_G}key", {"id": "relation", "for": "edge",
                                        "attr.name": "relation", "attr.type": "string"})
    graph = etree.SubElement(root, f"{_G}graph", {"id": topology.name,
                                                  "edgedefault": "undirected"})
    for key, value in (("format", FORMAT), ("version", str(VERSION)), ("name", topology.name),
                       ("description", topology.description),
                       ("provenance", json.dumps(topology.provenance, ensure_ascii=False))):
        _data(graph, f"g.{key}", value)
    for hub in topology.hubs:
        _node(graph, hub.id, {"node_type": "hub", **hub_record(hub)}, skip="id")
    for agency in topology.agencies:
        _node(graph, agency.code, {"node_type": "agency", **agency_record(agency)}, skip="code")
    for source, target, relation in topology.graph.edges(data="relation"):
        edge = etree.SubElement(graph, f"{_G}edge", source=source, target=target)
        _data(edge, "relation", relation)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True))


def _data(parent: etree._Element, key: str, value: str) -> None:
    etree.SubElement(parent, f"{_G}data", key=key).text = value


def _node(graph: etree._Element, node_id: str, record: dict[str, str | None],
          skip: str) -> None:
    node = etree.SubElement(graph, f"{_G}node", id=node_id)
    for key, value in record.items():
        if key != skip and value is not None:
            _data(node, key, value)


def parse_graphml(data: bytes, *, where: str | None = None,
                  limits: XmlLimits | None = None) -> Topology:
    """Read a topology from GraphML bytes.

    Parameters
    ----------
    data
        The whole file.
    where
        File name for error locations (and the default topology name).
    limits
        Size and depth limits of the XML parser (its defaults if ``None``).

    Raises
    ------
    InputError
        ``DF-XML-*`` hostile or broken XML (DTD, entities, not well-formed, …);
        ``DF-TOP-011`` not a GraphML topology, or a format version docflow does not know.
    ConfigError
        ``DF-TOP-001`` … ``DF-TOP-012`` for bad nodes, naming the node, attribute and line.
    """
    root = parse_xml(data, where=where) if limits is None else \
        parse_xml(data, limits=limits, where=where)
    if root.tag != f"{_G}graphml":
        raise InputError("DF-TOP-011", f"the root element is {etree.QName(root).localname!r}, "
                         f"not graphml in the {GRAPHML_NS} namespace",
                         Location(file=where, line=root.sourceline))
    keys, defaults = _keys(root, where)
    graphs = root.findall(f"{_G}graph")
    if len(graphs) != 1:
        raise InputError("DF-TOP-011", f"a topology file has exactly one <graph>, this one has "
                         f"{len(graphs)}", Location(file=where, line=root.sourceline))
    graph = graphs[0]
    meta = _values(graph, keys, defaults.get("graph", {}), where)
    _check_format(meta, where, graph.sourceline)
    hubs: list[Hub] = []
    agencies: list[Agency] = []
    lines: dict[str, int] = {}
    for node in graph.iterfind(f"{_G}node"):
        node_id = node.get("id")
        line = node.sourceline or 0
        if not node_id:
            raise ConfigError("DF-TOP-007", "a <node> has no id", Location(file=where,
                                                                          line=line))
        node_defaults = defaults.get("node", {})
        record: dict[str, Any] = _values(node, keys, node_defaults, where)
        node_type = record.pop("node_type", None)
        here = Location(file=where, line=line)
        if node_type == "hub":
            # A default declared for agencies (level, hub, ...) does not apply to hubs.
            for key in set(node_defaults) - set(HUB_FIELDS):
                if record.get(key) == node_defaults[key]:
                    record.pop(key, None)
            hubs.append(hub_from_record({"id": node_id, **record}, node_id, here))
        elif node_type == "agency":
            agencies.append(agency_from_record({"code": node_id, **record}, node_id, here))
        else:
            raise ConfigError("DF-TOP-007", f"{node_id}: node_type must be 'hub' or 'agency', "
                              f"not {node_type!r}", Location(file=where, line=line,
                                                            key=f"{node_id}.node_type"))
        lines.setdefault(node_id, line)
    provenance = _provenance(meta.get("provenance"), where)
    name = meta.get("name") or _stem(where)
    return Topology(name, agencies, hubs, description=meta.get("description") or "",
                    provenance=provenance, source=where, lines=lines)


def _keys(root: etree._Element, where: str | None
          ) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    keys: dict[str, str] = {}
    defaults: dict[str, dict[str, str]] = {}
    for key in root.iterfind(f"{_G}key"):
        key_id, name = key.get("id"), key.get("attr.name") or key.get("id")
        if not key_id or not name:
            raise InputError("DF-TOP-011", "a <key> has no id",
                             Location(file=where, line=key.sourceline))
        keys[key_id] = name
        default = key.find(f"{_G}default")
        if default is not None:
            domain = key.get("for", "all")
            for target in ("graph", "node") if domain == "all" else (domain,):
                defaults.setdefault(target, {})[name] = default.text or ""
    return keys, defaults


def _values(element: etree._Element, keys: dict[str, str], defaults: dict[str, str],
            where: str | None) -> dict[str, str]:
    values = dict(defaults)
    tag = f"{_G}data"
    for data in element:
        if data.tag != tag:
            continue
        key = data.get("key", "")
        if key not in keys:
            raise InputError("DF-TOP-011", f"<data key={key!r}> uses a key that no <key> "
                             "declares", Location(file=where, line=data.sourceline))
        # A <data> holds text only; the rare child element (a yEd graphics blob) is dropped.
        values[keys[key]] = data.text or ""
    return values


def _check_format(meta: dict[str, str], where: str | None, line: int | None) -> None:
    fmt, version = meta.get("format"), meta.get("version")
    if fmt is not None and fmt != FORMAT:
        raise InputError("DF-TOP-011", f"the graph's format is {fmt!r}, not {FORMAT!r}",
                         Location(file=where, line=line, key="format"))
    if version is not None and version != str(VERSION):
        raise InputError("DF-TOP-011", f"format version {version!r} is not supported; this "
                         f"docflow reads version {VERSION}",
                         Location(file=where, line=line, key="version"))


def _provenance(text: str | None, where: str | None) -> dict[str, list[str]]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, dict) or not all(
            isinstance(v, list) and all(isinstance(s, str) for s in v) for v in value.values()):
        raise ConfigError("DF-TOP-007", "provenance must be a JSON object of lists of strings",
                          Location(file=where, key="provenance"))
    return value


def _stem(where: str | None) -> str:
    if not where:
        return "topology"
    name = where.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] or "topology"
