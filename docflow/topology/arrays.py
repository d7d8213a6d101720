"""The topology as flat numpy arrays, so the simulator routes documents by table lookup.

The simulator moves tens of millions of documents; it must never touch an :class:`Agency` object
per document. :class:`TopologyArrays` holds everything it needs about agencies and hubs as arrays
indexed by agency index (the position in :attr:`Topology.agencies`) and hub index (the position
in :attr:`Topology.hubs`), plus a hub-pair route table:

>>> import numpy as np
>>> from docflow.topology import build_preset
>>> arr = build_preset("tiny").arrays()
>>> senders = np.array([arr.codes.index("000.00.00.H01")] * 2)
>>> receivers = np.array([arr.codes.index("000.00.01.H01"), arr.codes.index("000.00.00.H25")])
>>> hop_count, hops = arr.route_hubs(senders, receivers)
>>> hop_count.tolist()
[1, 3]
>>> [[arr.hub_ids[h] for h in row[:n]] for row, n in zip(hops, hop_count)]
[['lgsp-h01'], ['lgsp-h01', 'axis', 'lgsp-h25']]

All arrays are read-only (``flags.writeable`` is off), so one instance can be shared by threads
and by every stage of a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import networkx as nx
import numpy as np
import numpy.typing as npt

from docflow.levels import Level
from docflow.topology.model import AgencyKind, HubKind

if TYPE_CHECKING:
    from docflow.topology.network import Topology

__all__ = ["AGENCY_KIND_ORDER", "HUB_KIND_ORDER", "LEVEL_ORDER", "TopologyArrays",
           "build_arrays"]

LEVEL_ORDER: tuple[Level, ...] = tuple(Level)
"""Decodes :attr:`TopologyArrays.level`: code ``i`` is ``LEVEL_ORDER[i]`` (central 0, province 1,
district 2, commune 3)."""

AGENCY_KIND_ORDER: tuple[AgencyKind, ...] = tuple(AgencyKind)
"""Decodes :attr:`TopologyArrays.kind`."""

HUB_KIND_ORDER: tuple[HubKind, ...] = tuple(HubKind)
"""Decodes :attr:`TopologyArrays.hub_kind` (axis 0, province 1, ministry 2)."""

I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class TopologyArrays:
    """Agencies and hubs as read-only arrays; see the module docstring for an example.

    Per agency (length :attr:`n_agencies`, indexed by agency index):
    ``level`` (int8, codes in :data:`LEVEL_ORDER`), ``kind`` (int8, :data:`AGENCY_KIND_ORDER`),
    ``hub`` (int32 hub index), ``province`` (int32 index into :attr:`provinces`, ``-1`` for
    central agencies), ``parent`` (int32 agency index, ``-1`` at the top).

    Per hub (length :attr:`n_hubs`): ``hub_kind`` (int8, :data:`HUB_KIND_ORDER`),
    ``hub_province`` (int32, ``-1`` for the axis and ministry hubs).

    Routes: ``route_len[a, b]`` is the number of hubs a message from hub ``a`` to hub ``b``
    crosses (1 if ``a == b``, 3 via the axis otherwise in every preset) and
    ``route_table[a, b, :route_len[a, b]]`` their indices in order, padded with ``-1`` to
    :attr:`route_width`.

    Children: the agencies whose parent is ``i`` are
    ``children[children_offsets[i]:children_offsets[i + 1]]`` (compressed sparse rows, in
    agency-index order), for traffic that goes down the hierarchy.
    """

    codes: tuple[str, ...]
    """Organ code of each agency."""
    level: I8
    kind: I8
    hub: I32
    province: I32
    parent: I32
    children_offsets: I64
    children: I32
    hub_ids: tuple[str, ...]
    """Id of each hub."""
    hub_kind: I8
    hub_province: I32
    axis: int
    """Hub index of the national axis, ``-1`` if the topology has none."""
    provinces: tuple[str, ...]
    """Province names; ``province`` indexes this tuple."""
    route_len: I8
    route_table: I32

    @property
    def n_agencies(self) -> int:
        return len(self.codes)

    @property
    def n_hubs(self) -> int:
        return len(self.hub_ids)

    @property
    def route_width(self) -> int:
        """Length of the longest route (3 in every topology with an axis and several hubs)."""
        return int(self.route_table.shape[2])

    def route_hubs(self, sender: npt.ArrayLike, receiver: npt.ArrayLike) -> tuple[I8, I32]:
        """Route many documents at once by table lookup.

        Parameters
        ----------
        sender, receiver
            Agency indices, same shape ``(n,)``.

        Returns
        -------
        hop_count : ndarray of int8, shape (n,)
            Number of hubs each document crosses.
        hops : ndarray of int32, shape (n, route_width)
            Hub indices in order, padded with ``-1``.
        """
        pair = self.hub_pair(sender, receiver)
        # np.take on the flattened tables: about twice as fast as 2-D fancy indexing; tens of
        # nanoseconds per document (bench/test_topology_bench.py routes 1 M pairs).
        return (np.take(self.route_len.reshape(-1), pair),
                np.take(self.route_table.reshape(-1, self.route_width), pair, axis=0))

    def hub_pair(self, sender: npt.ArrayLike, receiver: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """Flat hub-pair index ``hub[sender] * n_hubs + hub[receiver]`` of each document.

        One integer per document that identifies its route: documents can be grouped by it
        (``np.unique``/``np.bincount``) and routed later with ``route_table.reshape(-1, w)``.
        """
        hub_from = np.take(self.hub, np.asarray(sender)).astype(np.intp)
        return hub_from * self.n_hubs + np.take(self.hub, np.asarray(receiver))

    def level_of(self, level: Level) -> int:
        """The int8 code of ``level`` in :attr:`level`."""
        return LEVEL_ORDER.index(level)


_A = TypeVar("_A", bound=np.ndarray)


def _frozen(array: _A) -> _A:
    array.flags.writeable = False
    return array


def build_arrays(topology: Topology) -> TopologyArrays:
    """Flatten ``topology`` into :class:`TopologyArrays` (use :meth:`Topology.arrays`)."""
    agencies = topology.agencies
    n = len(agencies)
    hub_index = topology.hub_index
    province_index = {name: i for i, name in enumerate(topology.provinces)}
    level_code = {level: i for i, level in enumerate(LEVEL_ORDER)}
    kind_code = {kind: i for i, kind in enumerate(AGENCY_KIND_ORDER)}
    hub_kind_code = {kind: i for i, kind in enumerate(HUB_KIND_ORDER)}

    level = np.fromiter((level_code[a.level] for a in agencies), np.int8, n)
    kind = np.fromiter((kind_code[a.kind] for a in agencies), np.int8, n)
    hub = np.fromiter((hub_index[a.hub] for a in agencies), np.int32, n)
    province = np.fromiter((province_index.get(a.province, -1) if a.province else -1
                            for a in agencies), np.int32, n)
    parent = np.fromiter((topology.index[a.parent] if a.parent else -1 for a in agencies),
                         np.int32, n)

    has_parent = np.flatnonzero(parent >= 0)
    order = has_parent[np.argsort(parent[has_parent], kind="stable")]
    children = order.astype(np.int32)
    counts = np.bincount(parent[has_parent], minlength=n)
    children_offsets = np.zeros(n + 1, np.int64)
    np.cumsum(counts, out=children_offsets[1:])

    hubs = topology.hubs
    hub_kind = np.array([hub_kind_code[h.kind] for h in hubs], np.int8)
    hub_province = np.array([province_index[h.province] if h.province else -1 for h in hubs],
                            np.int32)
    route_len, route_table = _route_table(topology)
    axis = hub_index[topology.axis.id] if topology.axis is not None else -1
    return TopologyArrays(
        codes=tuple(a.code for a in agencies), level=_frozen(level), kind=_frozen(kind),
        hub=_frozen(hub), province=_frozen(province), parent=_frozen(parent),
        children_offsets=_frozen(children_offsets), children=_frozen(children),
        hub_ids=tuple(h.id for h in hubs), hub_kind=_frozen(hub_kind),
        hub_province=_frozen(hub_province), axis=axis, provinces=topology.provinces,
        route_len=_frozen(route_len), route_table=_frozen(route_table))


def _route_table(topology: Topology) -> tuple[I8, I32]:
    """All hub-pair routes, one breadth-first search per hub (networkx), into a dense table."""
    hub_index = topology.hub_index
    n = len(topology.hubs)
    paths = dict(nx.all_pairs_shortest_path(topology.hub_graph))
    width = max((len(p) for by_target in paths.values() for p in by_target.values()), default=1)
    route_len = np.zeros((n, n), np.int8)
    route_table = np.full((n, n, width), -1, np.int32)
    for source, by_target in paths.items():
        a = hub_index[source]
        for target, path in by_target.items():
            b = hub_index[target]
            route_len[a, b] = len(path)
            route_table[a, b, :len(path)] = [hub_index[h] for h in path]
    return route_len, route_table
