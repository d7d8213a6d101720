"""The flat arrays agree with the object model, and the route table with networkx routes."""

from __future__ import annotations

import numpy as np
import pytest

from docflow.levels import Level
from docflow.topology import build_preset
from docflow.topology.arrays import HUB_KIND_ORDER, LEVEL_ORDER

PRESETS = ["tiny"]


@pytest.mark.parametrize("name", PRESETS)
def test_per_agency_arrays_match_the_agencies(name: str) -> None:
    """Every per-agency array decodes to the attribute of the agency at that index."""
    topo = build_preset(name)
    arr = topo.arrays()
    assert arr.n_agencies == len(topo.agencies)
    for i, agency in enumerate(topo.agencies):
        assert arr.codes[i] == agency.code
        assert LEVEL_ORDER[arr.level[i]] is agency.level
        assert arr.hub_ids[arr.hub[i]] == agency.hub
        expected_province = -1 if agency.province is None else \
            arr.provinces.index(agency.province)
        assert arr.province[i] == expected_province
        expected_parent = -1 if agency.parent is None else topo.index[agency.parent]
        assert arr.parent[i] == expected_parent
    for j, hub in enumerate(topo.hubs):
        assert HUB_KIND_ORDER[arr.hub_kind[j]] is hub.kind


@pytest.mark.parametrize("name", PRESETS)
def test_children_index_lists_exactly_the_children(name: str) -> None:
    """The CSR children of agency i are the agencies whose parent is i, in index order."""
    topo = build_preset(name)
    arr = topo.arrays()
    for i, agency in enumerate(topo.agencies):
        got = arr.children[arr.children_offsets[i]:arr.children_offsets[i + 1]].tolist()
        want = [j for j, a in enumerate(topo.agencies) if a.parent == agency.code]
        assert got == want


@pytest.mark.parametrize("name", PRESETS)
def test_route_table_matches_object_routes(name: str) -> None:
    """For every sender/receiver pair, the vectorised route equals Topology.route."""
    topo = build_preset(name)
    arr = topo.arrays()
    n = arr.n_agencies
    senders, receivers = np.divmod(np.arange(n * n), n)
    hop_count, hops = arr.route_hubs(senders, receivers)
    for s, r, count, row in zip(senders, receivers, hop_count, hops, strict=True):
        want = [h.id for h in topo.route(topo.agencies[s].code, topo.agencies[r].code)]
        assert [arr.hub_ids[h] for h in row[:count]] == want
        assert (row[count:] == -1).all()


def test_arrays_are_read_only() -> None:
    """The arrays are shared by every stage of a run, so writing to one must fail."""
    arr = build_preset("tiny").arrays()
    with pytest.raises(ValueError):
        arr.hub[0] = 1
    with pytest.raises(ValueError):
        arr.route_table[0, 0, 0] = 5


def test_level_codes_follow_level_order() -> None:
    """Level codes are the positions in Level: central 0 … commune 3."""
    arr = build_preset("tiny").arrays()
    assert [arr.level_of(level) for level in Level] == [0, 1, 2, 3]


def test_hub_pair_indexes_the_flat_route_table() -> None:
    """hub_pair gives one integer per document that indexes the flattened route table."""
    topo = build_preset("tiny")
    arr = topo.arrays()
    senders = np.arange(arr.n_agencies).repeat(arr.n_agencies)
    receivers = np.tile(np.arange(arr.n_agencies), arr.n_agencies)
    pair = arr.hub_pair(senders, receivers)
    hop_count, hops = arr.route_hubs(senders, receivers)
    flat = arr.route_table.reshape(-1, arr.route_width)
    assert (flat[pair] == hops).all()
    assert (arr.route_len.reshape(-1)[pair] == hop_count).all()
    assert (pair // arr.n_hubs == arr.hub[senders]).all()
