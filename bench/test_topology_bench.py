"""Topology benchmarks: building the national presets, and routing by table lookup.

Run with ``pytest bench/test_topology_bench.py --benchmark-enable --benchmark-only``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from docflow.topology import PRESETS, build_preset


@pytest.mark.benchmark(group="topology-build")
@pytest.mark.parametrize("name", ["vn-2025", "vn-2024"])
def test_build_preset(benchmark: Any, name: str) -> None:
    """Build a national preset from its tables (uncached) and check it, as a run does once."""
    topo = benchmark(PRESETS[name].build)
    assert len(topo.agencies) > 3000


@pytest.mark.benchmark(group="topology-build")
@pytest.mark.parametrize("name", ["vn-2025", "vn-2024"])
def test_build_arrays(benchmark: Any, name: str) -> None:
    """Flatten a national preset into arrays and the hub-pair route table."""
    from docflow.topology.arrays import build_arrays

    topo = build_preset(name)
    arrays = benchmark(build_arrays, topo)
    assert arrays.n_agencies == len(topo.agencies)


@pytest.mark.benchmark(group="topology-route")
def test_route_one_million_pairs(benchmark: Any) -> None:
    """Route 1 M random sender/receiver pairs on vn-2024 by route-table lookup."""
    arrays = build_preset("vn-2024").arrays()
    rng = np.random.default_rng(2024)
    senders = rng.integers(0, arrays.n_agencies, 1_000_000)
    receivers = rng.integers(0, arrays.n_agencies, 1_000_000)
    hop_count, hops = benchmark(arrays.route_hubs, senders, receivers)
    assert hop_count.shape == (1_000_000,) and hops.shape == (1_000_000, 3)
    assert set(np.unique(hop_count).tolist()) == {1, 3}
