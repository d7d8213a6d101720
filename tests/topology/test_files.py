"""Topologies round-trip through GraphML and JSON; broken or hostile files get a DF code."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from docflow.errors import ConfigError, DocflowError, InputError, UsageError
from docflow.topology import build_preset
from docflow.topology.files import load_topology, read_topology, save_topology
from docflow.topology.graphml import dump_graphml, parse_graphml
from docflow.topology.jsonfile import dump_json, parse_json


def _without_none(graph: nx.Graph) -> tuple[dict[str, dict[str, Any]], set[tuple[Any, ...]]]:
    nodes = {n: {k: v for k, v in d.items() if v is not None} for n, d in graph.nodes(data=True)}
    edges = {(*sorted((u, v)), d["relation"]) for u, v, d in graph.edges(data=True)}
    return nodes, edges


@pytest.mark.parametrize("name", ["tiny", "yen-lac-2024", "binh-duong-2024", "vn-2025"])
def test_graphml_round_trip(name: str, tmp_path: Path) -> None:
    """Writing GraphML and reading it back gives the same topology and the same graph."""
    topo = build_preset(name)
    path = tmp_path / f"{name}.graphml"
    save_topology(topo, path)
    back = read_topology(path)
    assert back == topo
    assert back.agencies == topo.agencies and back.hubs == topo.hubs
    assert _without_none(back.graph) == _without_none(topo.graph)


@pytest.mark.parametrize("name", ["tiny", "thanh-hoa-2024", "vn-2024"])
def test_json_round_trip(name: str, tmp_path: Path) -> None:
    """Writing JSON and reading it back gives the same topology, provenance included."""
    topo = build_preset(name)
    path = tmp_path / f"{name}.json"
    save_topology(topo, path)
    back = load_topology(path)
    assert back == topo and back.provenance == topo.provenance
    assert (back.arrays().route_table == topo.arrays().route_table).all()


def test_networkx_reads_our_graphml() -> None:
    """networkx's own reader sees every node, edge and attribute docflow writes."""
    topo = build_preset("tiny")
    graph = nx.read_graphml(io.BytesIO(dump_graphml(topo)))
    nodes, edges = _without_none(graph)
    want_nodes, want_edges = _without_none(topo.graph)
    assert nodes == want_nodes
    assert edges == want_edges
    assert graph.graph["name"] == "tiny"


def test_graphml_written_by_networkx_is_read() -> None:
    """A file written by networkx from Topology.graph (None attributes dropped) reads back."""
    topo = build_preset("tiny")
    graph = nx.Graph()
    for node, data in topo.graph.nodes(data=True):
        graph.add_node(node, **{k: v for k, v in data.items() if v is not None})
    graph.add_edges_from(topo.graph.edges(data=True))
    data = "\n".join(nx.generate_graphml(graph)).encode()
    back = parse_graphml(data, where="tiny.graphml")
    assert back.agencies == topo.agencies and back.hubs == topo.hubs
    assert back.name == "tiny"


def test_graphml_key_defaults_apply() -> None:
    """A <default> on a key applies to every node that does not set it."""
    text = dump_graphml(build_preset("tiny")).decode()
    text = text.replace('<key id="level" for="node" attr.name="level" attr.type="string"/>',
                        '<key id="level" for="node" attr.name="level" attr.type="string">'
                        "<default>commune</default></key>")
    text = text.replace('<data key="level">commune</data>', "")
    back = parse_graphml(text.encode())
    assert back.agencies == build_preset("tiny").agencies


# --- broken files -------------------------------------------------------------------------

def _json_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(dump_json(build_preset("tiny")))
    return doc


def _load_json(doc: Any) -> None:
    parse_json(json.dumps(doc, ensure_ascii=False).encode(), where="t.json")


def _agency(doc: dict[str, Any], code: str) -> dict[str, Any]:
    return next(a for a in doc["agencies"] if a["code"] == code)


BROKEN_JSON = [
    ("DF-TOP-001", "000.00.01.H01", lambda d: _agency(d, "000.00.01.H01").update(
        code="00.00.01.H01")),
    ("DF-TOP-001", "000.00.00.H25", lambda d: _agency(d, "000.00.00.H25").update(
        code="000.01.00.H25")),
    ("DF-TOP-002", "000.00.00.H25", lambda d: _agency(d, "000.00.02.H25").update(
        code="000.00.00.H25")),
    ("DF-TOP-002", "axis", lambda d: d["hubs"].append(dict(d["hubs"][0]))),
    ("DF-TOP-003", "000.00.02.H01.hub", lambda d: _agency(d, "000.00.02.H01").update(
        hub="lgsp-h99")),
    ("DF-TOP-004", "000.00.02.H01.level", lambda d: _agency(d, "000.00.02.H01").update(
        level="ward")),
    ("DF-TOP-005", "000.00.02.H01.kind", lambda d: _agency(d, "000.00.02.H01").update(
        kind="sở")),
    ("DF-TOP-005", "axis.kind", lambda d: d["hubs"][0].update(kind="national")),
    ("DF-TOP-006", "000.00.02.H01.parent", lambda d: _agency(d, "000.00.02.H01").update(
        parent="000.00.00.H77")),
    ("DF-TOP-006", "cycle", lambda d: _agency(d, "000.00.00.H01").update(
        parent="000.00.31.H01")),
    ("DF-TOP-007", "000.00.02.H01.name", lambda d: _agency(d, "000.00.02.H01").pop("name")),
    ("DF-TOP-007", "000.00.02.H01.parnet", lambda d: _agency(d, "000.00.02.H01").update(
        parnet="000.00.00.H01")),
    ("DF-TOP-007", "000.00.02.H01.hub", lambda d: _agency(d, "000.00.02.H01").update(hub=7)),
    ("DF-TOP-008", "axis", lambda d: d["hubs"][1].update(kind="axis")),
    ("DF-TOP-009", "000.00.02.H01.province", lambda d: _agency(d, "000.00.02.H01").update(
        province=None)),
    ("DF-TOP-009", "000.00.00.G04.province", lambda d: _agency(d, "000.00.00.G04").update(
        province="Hà Nội")),
    ("DF-TOP-011", "version", lambda d: d.update(version=2)),
    ("DF-TOP-011", "format", lambda d: d.update(format="gexf")),
    ("DF-TOP-011", "agencies", lambda d: d.update(agencies={"a": 1})),
    ("DF-TOP-012", "no agencies", lambda d: d.update(agencies=[])),
]


@pytest.mark.parametrize(("code", "where", "mutate"), BROKEN_JSON,
                         ids=[f"{c}-{w}" for c, w, _ in BROKEN_JSON])
def test_broken_json_is_refused_with_its_code(code: str, where: str, mutate: Any) -> None:
    """Each kind of broken record raises its DF-TOP code and names the node or key."""
    doc = _json_doc()
    mutate(doc)
    with pytest.raises(DocflowError) as info:
        _load_json(doc)
    assert info.value.code == code
    assert isinstance(info.value, ConfigError | InputError)
    text = str(info.value)
    assert where.split(".")[0] in text or where in ("cycle", "no agencies", "axis")
    assert "t.json" in text


def test_json_syntax_error_names_the_line() -> None:
    """A JSON syntax error is DF-TOP-011 with the line of the error."""
    data = dump_json(build_preset("tiny")).replace(b'"hub-g04"}', b'"hub-g04",}', 1)
    with pytest.raises(InputError) as info:
        parse_json(data, where="t.json")
    assert info.value.code == "DF-TOP-011" and info.value.location.line


@pytest.mark.parametrize("data", [b"[1, 2]", b"\xff\xfe{}", b'{"a": ' * 100_000])
def test_json_that_is_not_a_topology_object(data: bytes) -> None:
    """A list, non-UTF-8 bytes or absurd nesting is DF-TOP-011, never a crash."""
    with pytest.raises(InputError) as info:
        parse_json(data)
    assert info.value.code == "DF-TOP-011"


def _graphml(old: str, new: str) -> bytes:
    text = dump_graphml(build_preset("tiny")).decode()
    assert old in text
    return text.replace(old, new, 1).encode()


BROKEN_GRAPHML = [
    ("DF-TOP-001", '<node id="000.00.02.H01">', '<node id="000.00.2.H01">'),
    ("DF-TOP-002", '<node id="000.00.02.H01">', '<node id="000.00.00.H01">'),
    ("DF-TOP-003", '<data key="hub">lgsp-h25</data>', '<data key="hub">lgsp-h26</data>'),
    ("DF-TOP-004", '<data key="level">district</data>', '<data key="level">huyện</data>'),
    ("DF-TOP-005", '<data key="kind">commune</data>', '<data key="kind">xã</data>'),
    ("DF-TOP-006", '<data key="parent">000.00.00.H25</data>',
     '<data key="parent">000.00.00.H26</data>'),
    ("DF-TOP-007", '<data key="node_type">agency</data>', '<data key="node_type">org</data>'),
    ("DF-TOP-011", '<data key="g.version">1</data>', '<data key="g.version">9</data>'),
    ("DF-TOP-011", '<data key="node_type">agency</data>', '<data key="d7">agency</data>'),
]


@pytest.mark.parametrize(("code", "old", "new"), BROKEN_GRAPHML,
                         ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(BROKEN_GRAPHML)])
def test_broken_graphml_is_refused_with_its_code_and_line(code: str, old: str, new: str) -> None:
    """Each kind of broken node raises its DF-TOP code with the file and the line."""
    with pytest.raises(DocflowError) as info:
        parse_graphml(_graphml(old, new), where="t.graphml")
    assert info.value.code == code
    assert info.value.location.file == "t.graphml"
    assert info.value.location.line and info.value.location.line > 1


HOSTILE = [
    ("DF-XML-002", b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                   b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><graphml>&lol2;</graphml>'),
    ("DF-XML-002", b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM '
                   b'"file:///etc/passwd">]><graphml>&xxe;</graphml>'),
    ("DF-XML-003", b"<graphml>&xxe;</graphml>"),
    ("DF-XML-001", b"<graphml><graph></graphml>"),
    ("DF-TOP-011", b"<gexf/>"),
    ("DF-TOP-011", b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns"/>'),
]


@pytest.mark.parametrize(("code", "data"), HOSTILE, ids=[c for c, _ in HOSTILE])
def test_hostile_or_foreign_xml_is_refused(code: str, data: bytes) -> None:
    """DTDs, entities and malformed XML are refused by the hardened parser; XML that is not a
    GraphML topology is DF-TOP-011."""
    with pytest.raises(InputError) as info:
        parse_graphml(data, where="evil.graphml")
    assert info.value.code == code


def test_unknown_name_and_suffix(tmp_path: Path) -> None:
    """Neither a preset nor a file is DF-TOP-010; so is saving to an unknown suffix."""
    with pytest.raises(UsageError) as info:
        load_topology(tmp_path / "missing.graphml")
    assert info.value.code == "DF-TOP-010"
    with pytest.raises(UsageError) as info:
        save_topology(build_preset("tiny"), tmp_path / "t.csv")
    assert info.value.code == "DF-TOP-010"


def test_format_is_sniffed_without_a_known_suffix(tmp_path: Path) -> None:
    """A file with another suffix is read as GraphML or JSON by its first byte."""
    tiny = build_preset("tiny")
    (tmp_path / "a.topo").write_bytes(dump_graphml(tiny))
    (tmp_path / "b.topo").write_bytes(dump_json(tiny))
    assert read_topology(tmp_path / "a.topo") == tiny
    assert read_topology(tmp_path / "b.topo") == tiny
    (tmp_path / "c.topo").write_bytes(b"code,name\n")
    with pytest.raises(InputError) as info:
        read_topology(tmp_path / "c.topo")
    assert info.value.code == "DF-TOP-011"
