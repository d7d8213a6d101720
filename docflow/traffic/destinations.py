"""Who receives a document: candidate sets per sender and direction, sampled without a loop.

Every (sender, :class:`~docflow.traffic.spec.Direction`) pair has a *candidate set* of possible
recipients, and every such set is one or two contiguous runs of an index array:

* the sender's children (compressed sparse rows of the topology) for ``down`` at local level;
* agencies sorted by (level, province) for ``lateral`` (one run, minus the sender itself),
  ``cross_province`` (the level's run minus the sender's province: two runs), ``central`` and the
  centre's ``down`` (the province level of every province);
* the sender's parent for ``up`` (one candidate), or the centre for a People's Committee with no
  superior.

So the table holds five integers per sender and direction, built once per topology, and picking
the *j*-th candidate of a million documents is a handful of array operations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from docflow.levels import Level
from docflow.topology.arrays import LEVEL_ORDER, TopologyArrays
from docflow.traffic.spec import Direction

__all__ = ["DIRECTIONS", "CandidateTable"]

DIRECTIONS: tuple[Direction, ...] = tuple(Direction)
"""Decodes direction codes: code ``i`` is ``DIRECTIONS[i]``."""

_CHILDREN, _SORTED, _PARENT = 0, 1, 2
_CENTRAL = LEVEL_ORDER.index(Level.CENTRAL)
_PROVINCE = LEVEL_ORDER.index(Level.PROVINCE)

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]


@dataclass(frozen=True, eq=False)
class CandidateTable:
    """Candidate sets of every sender and direction; build with :meth:`build`.

    Arrays of shape ``(n_agencies, 5)`` (direction codes in :data:`DIRECTIONS` order): ``source``
    (0 children, 1 agencies sorted by level and province, 2 the parent), ``start1``/``len1`` and
    ``start2``/``len2`` (the runs in that array), ``skip`` (position in run 1 to leave out — the
    sender itself — or a large number) and ``size`` (number of candidates).
    """

    source: npt.NDArray[np.int8]
    start1: I64
    len1: I64
    start2: I64
    len2: I64
    skip: I64
    size: I64
    children: I32
    by_level_province: I64
    parent: I32

    @classmethod
    def build(cls, arrays: TopologyArrays) -> CandidateTable:
        """The candidate sets of ``arrays``' agencies."""
        n = arrays.n_agencies
        level = arrays.level.astype(np.int64)
        n_prov = len(arrays.provinces)
        prov = np.where(arrays.province >= 0, arrays.province, n_prov).astype(np.int64)
        order = np.lexsort((np.arange(n), prov, level))  # by level, then province, then index
        rank = np.empty(n, np.int64)
        rank[order] = np.arange(n)
        n_levels = len(LEVEL_ORDER)
        group = level * (n_prov + 1) + prov
        group_start = np.searchsorted(group[order], np.arange(n_levels * (n_prov + 1)),
                                      side="left")
        group_len = np.bincount(group, minlength=n_levels * (n_prov + 1))
        level_start = np.searchsorted(level[order], np.arange(n_levels), side="left")
        level_len = np.bincount(level, minlength=n_levels)

        shape = (n, len(DIRECTIONS))
        source = np.full(shape, _SORTED, np.int8)
        start1 = np.zeros(shape, np.int64)
        len1 = np.zeros(shape, np.int64)
        start2 = np.zeros(shape, np.int64)
        len2 = np.zeros(shape, np.int64)
        skip = np.full(shape, np.iinfo(np.int64).max // 2, np.int64)
        central = level == _CENTRAL
        local = ~central
        g = group

        d = DIRECTIONS.index(Direction.DOWN)
        offsets = arrays.children_offsets
        source[local, d] = _CHILDREN
        start1[local, d] = offsets[:-1][local]
        len1[local, d] = np.diff(offsets)[local]
        start1[central, d] = level_start[_PROVINCE]
        len1[central, d] = level_len[_PROVINCE]

        d = DIRECTIONS.index(Direction.UP)
        has_parent = arrays.parent >= 0
        source[has_parent, d] = _PARENT
        len1[has_parent, d] = 1
        top_local = local & ~has_parent
        start1[top_local, d] = level_start[_CENTRAL]
        len1[top_local, d] = level_len[_CENTRAL]

        d = DIRECTIONS.index(Direction.LATERAL)
        start1[:, d] = group_start[g]
        len1[:, d] = group_len[g]
        skip[:, d] = rank - group_start[g]

        d = DIRECTIONS.index(Direction.CROSS_PROVINCE)
        lvl_s, lvl_l = level_start[level], level_len[level]
        start1[local, d] = lvl_s[local]
        len1[local, d] = (group_start[g] - lvl_s)[local]
        start2[local, d] = (group_start[g] + group_len[g])[local]
        len2[local, d] = (lvl_s + lvl_l - group_start[g] - group_len[g])[local]

        d = DIRECTIONS.index(Direction.CENTRAL)
        start1[local, d] = level_start[_CENTRAL]
        len1[local, d] = level_len[_CENTRAL]

        size = len1 + len2 - (skip < len1)
        return cls(source=source, start1=start1, len1=len1, start2=start2, len2=len2,
                   skip=skip, size=np.maximum(size, 0), children=arrays.children,
                   by_level_province=order.astype(np.int64), parent=arrays.parent)

    def pick(self, sender: I64, direction: I64, position: I64) -> I64:
        """The recipient at ``position`` (``0 <= position < size``) of each candidate set.

        >>> from docflow.topology import build_preset
        >>> arrays = build_preset("tiny").arrays()
        >>> table = CandidateTable.build(arrays)
        >>> s = arrays.codes.index("000.00.00.H01")
        >>> down = DIRECTIONS.index(Direction.DOWN)
        >>> n = int(table.size[s, down])
        >>> got = table.pick(np.full(n, s), np.full(n, down), np.arange(n))
        >>> sorted(arrays.codes[i] for i in got) == sorted(
        ...     arrays.codes[i] for i in range(arrays.n_agencies) if arrays.parent[i] == s)
        True
        """
        sender = np.asarray(sender, np.int64)
        direction = np.asarray(direction, np.int64)
        q = np.asarray(position, np.int64)
        q = q + (q >= self.skip[sender, direction])
        len1 = self.len1[sender, direction]
        in1 = q < len1
        idx = np.where(in1, self.start1[sender, direction] + q,
                       self.start2[sender, direction] + (q - len1))
        src = self.source[sender, direction]
        out = np.empty(len(sender), np.int64)
        m = src == _CHILDREN
        out[m] = self.children[idx[m]]
        m = src == _SORTED
        out[m] = self.by_level_province[idx[m]]
        m = src == _PARENT
        out[m] = self.parent[sender[m]]
        return out
