"""Hub lanes: the queues a message passes on its way, and their capacities.

Each hub has one lane per *rank* of a route — rank 0 takes messages from the hub's own agencies,
the last rank delivers to them, the ranks between relay (the national axis relaying between two
provinces) — and separate lanes for documents and for status messages. A message from hub ``a``
to hub ``b`` passes ``a``'s rank-0 lane, the relay lanes of the hubs between, and ``b``'s last
lane; a message inside one hub passes that hub's first and last lanes.

Why lanes and not one queue per hub: with one queue a hub would serve its outgoing documents
behind incoming ones that depend, through the axis, on outgoing documents of the same window — a
cycle that only event-by-event simulation can untangle. With lanes ordered by rank, every
message moves from a lower rank to a higher one, so a window is served rank by rank, each rank a
single pass over sorted arrays, exactly. A real hub works the same way: receiving from agencies
and delivering to them are separate services. Status messages (a few hundred bytes, many of
them) have their own lanes so that the document path never waits on answers to itself; both
count in the hub's load and utilisation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from docflow.sim.scenario import HubSpec, LinkSpec
from docflow.topology.arrays import TopologyArrays

__all__ = ["LaneTable"]

I64 = npt.NDArray[np.int64]
_MS = 1000


@dataclass(frozen=True, eq=False)
class LaneTable:
    """Lanes of a topology and the route of every hub pair as a sequence of lanes.

    Lane ``hub * ranks + rank`` is the rank-``rank`` lane of ``hub`` (the same numbering for the
    document and the status lanes). ``sequence[a, b, :length[a, b]]`` are the lanes from hub
    ``a`` to hub ``b``; ``hop_link_us[a, b, k]`` is the link latency after lane ``k`` (to the
    next hub, 0 inside one hub; the last entry is unused: the agency link follows).
    """

    ranks: int
    n_hubs: int
    length: npt.NDArray[np.int8]
    sequence: I64
    hop_link_us: I64
    rank: I64
    """Rank of each lane."""
    hub: I64
    """Hub of each lane."""
    doc_workers: I64
    doc_base_us: I64
    doc_per_kb_us: npt.NDArray[np.float64]
    status_workers: I64
    status_us: I64
    agency_link_us: int
    transfer_us_per_kb: float
    status_kb: int = 2
    """Size of a status message on the wire (for transfer time)."""

    @property
    def n_lanes(self) -> int:
        return self.n_hubs * self.ranks

    @classmethod
    def build(cls, arrays: TopologyArrays, hubs: HubSpec, links: LinkSpec) -> LaneTable:
        """The lanes of ``arrays``' hubs with the capacities of ``hubs``."""
        n = arrays.n_hubs
        ranks = max(2, arrays.route_width)
        length = np.where(arrays.route_len <= 1, 2, arrays.route_len).astype(np.int8)
        width = int(length.max())
        sequence = np.full((n, n, width), -1, np.int64)
        hop_link = np.zeros((n, n, width), np.int64)
        hub_link = round(links.hub_hub_ms * _MS)
        for a in range(n):
            for b in range(n):
                route = arrays.route_table[a, b, :max(1, int(arrays.route_len[a, b]))]
                if len(route) == 1:
                    sequence[a, b, :2] = [route[0] * ranks, route[0] * ranks + ranks - 1]
                    continue
                for k, h in enumerate(route):
                    r = 0 if k == 0 else (ranks - 1 if k == len(route) - 1 else k)
                    sequence[a, b, k] = int(h) * ranks + r
                    hop_link[a, b, k] = hub_link
        rank = np.tile(np.arange(ranks, dtype=np.int64), n)
        hub = np.repeat(np.arange(n, dtype=np.int64), ranks)
        caps = [hubs.capacity(arrays.hub_ids[h], h == arrays.axis) for h in range(n)]
        per_lane = [caps[h] for h in hub]
        per_kb = np.array([c.ms_per_mb * _MS / 1024 for c in per_lane])
        transfer = 0.0 if links.mbps <= 0 else 8 * 1024 / (links.mbps * 1e6) * 1e6
        return cls(
            ranks=ranks, n_hubs=n, length=length, sequence=sequence, hop_link_us=hop_link,
            rank=rank, hub=hub,
            doc_workers=np.array([c.workers for c in per_lane], np.int64),
            doc_base_us=np.array([round(c.service_ms * _MS) for c in per_lane], np.int64),
            doc_per_kb_us=per_kb,
            status_workers=np.array([c.status_workers for c in per_lane], np.int64),
            status_us=np.array([round(c.status_service_ms * _MS) for c in per_lane], np.int64),
            agency_link_us=round(links.agency_hub_ms * _MS),
            transfer_us_per_kb=transfer)

    def service_us(self, lane: I64, size_kb: npt.NDArray[np.int32] | None) -> I64:
        """Service time of each message at its lane: documents by size, status messages fixed."""
        if size_kb is None:
            return self.status_us[lane]
        return self.doc_base_us[lane] + np.rint(
            self.doc_per_kb_us[lane] * size_kb).astype(np.int64)

    def transfer_us(self, size_kb: npt.NDArray[np.int32] | int) -> I64:
        """Time to push a message of ``size_kb`` through a link (on top of its latency)."""
        return np.rint(np.asarray(size_kb) * self.transfer_us_per_kb).astype(np.int64)

    def workers(self, status: bool) -> I64:
        """Workers per lane, for the document or the status lanes."""
        return self.status_workers if status else self.doc_workers
