"""A checked, immutable topology: agencies, hubs, the graph between them and hub-to-hub routes.

A :class:`Topology` is built once (from a preset or a file) and then shared read-only by the
traffic generator, the simulator and the PKI. Construction checks everything a user file could
get wrong and raises :class:`~docflow.errors.ConfigError` with a ``DF-TOP`` code naming the
node and attribute, so that no later stage meets a dangling reference.

Routing follows the national architecture: an agency sends to its own hub; a hub other than the
national axis is attached to the axis; so a document between two agencies on the same hub
crosses that hub only, and any other document crosses ``sender hub → axis → receiver hub``.
Routes are computed with networkx shortest paths on the hub graph, once per hub pair, and cached.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING

import networkx as nx

from docflow.envelope.organ import OrganCode
from docflow.errors import ConfigError, Location
from docflow.levels import Level
from docflow.topology.model import Agency, AgencyKind, Hub, HubKind

if TYPE_CHECKING:
    from docflow.topology.arrays import TopologyArrays

__all__ = ["Topology"]


class Topology:
    """Agencies attached to hubs, hubs attached to the national axis.

    Parameters
    ----------
    name
        A short name (the preset name, or the file's stem).
    agencies
        The agencies, in a fixed order: an agency's position is its index in
        :meth:`arrays` and in everything the simulator writes.
    hubs
        The hubs, in a fixed order (the hub index of :meth:`arrays`).
    description
        One line saying what the topology is.
    provenance
        Which figures of the topology are real and which are generated, as
        ``{"real": [...], "approximate": [...], "generated": [...]}`` lists of sentences.
    source, lines
        The file the topology was read from and the line of each node in it, so that errors
        point at the line; both optional.

    Raises
    ------
    ConfigError
        ``DF-TOP-001`` bad organ code, ``-002`` duplicate code or hub id, ``-003`` unknown hub,
        ``-004`` unknown level, ``-005`` unknown kind, ``-006`` unknown parent or a parent
        cycle, ``-008`` not exactly one axis, ``-009`` level and province disagree, ``-012``
        no agencies.

    Examples
    --------
    >>> from docflow.topology import build_preset
    >>> tiny = build_preset("tiny")
    >>> [hub.id for hub in tiny.route("000.00.00.G22", "000.00.00.H01")]
    ['hub-g22', 'axis', 'lgsp-h01']
    """

    def __init__(self, name: str, agencies: Iterable[Agency], hubs: Iterable[Hub], *,
                 description: str = "", provenance: Mapping[str, Iterable[str]] | None = None,
                 source: str | None = None, lines: Mapping[str, int] | None = None) -> None:
        self.name = name
        self.description = description
        self.provenance: dict[str, tuple[str, ...]] = {
            key: tuple(values) for key, values in (provenance or {}).items()}
        self.agencies: tuple[Agency, ...] = tuple(agencies)
        self.hubs: tuple[Hub, ...] = tuple(hubs)
        self._source = source
        self._lines = lines or {}
        self._check()
        self.index: dict[str, int] = {a.code: i for i, a in enumerate(self.agencies)}
        """Agency index by organ code."""
        self.hub_index: dict[str, int] = {h.id: i for i, h in enumerate(self.hubs)}
        """Hub index by hub id."""
        axes = [h for h in self.hubs if h.kind is HubKind.AXIS]
        self.axis: Hub | None = axes[0] if axes else None
        """The national axis, or ``None`` in a one-hub topology without one."""
        self._routes: dict[tuple[str, str], tuple[str, ...]] = {}

    # --- checks -----------------------------------------------------------------------------

    def _where(self, node: str, attribute: str) -> Location:
        return Location(file=self._source, line=self._lines.get(node),
                        key=f"{node}.{attribute}")

    def _check(self) -> None:
        if not self.agencies:
            raise ConfigError("DF-TOP-012", "the topology has no agencies",
                              Location(file=self._source))
        hub_ids: set[str] = set()
        for hub in self.hubs:
            if not isinstance(hub.kind, HubKind):
                raise ConfigError("DF-TOP-005", f"hub {hub.id!r} has unknown kind {hub.kind!r}; "
                                  f"allowed: {', '.join(HubKind)}", self._where(hub.id, "kind"))
            if hub.id in hub_ids:
                raise ConfigError("DF-TOP-002", f"hub id {hub.id!r} is used twice",
                                  self._where(hub.id, "id"))
            hub_ids.add(hub.id)
        axes = [h for h in self.hubs if h.kind is HubKind.AXIS]
        if len(self.hubs) > 1 and len(axes) != 1:
            raise ConfigError("DF-TOP-008", f"{len(self.hubs)} hubs need exactly one national "
                              f"axis (kind 'axis'); found {len(axes)}",
                              Location(file=self._source))
        codes: set[str] = set()
        for agency in self.agencies:
            code = agency.code
            try:
                OrganCode.parse(code)
            except (ValueError, AttributeError) as exc:
                raise ConfigError("DF-TOP-001", f"agency {code!r}: {exc}",
                                  self._where(str(code), "code")) from None
            if code in codes:
                raise ConfigError("DF-TOP-002", f"organ code {code!r} is used by two agencies",
                                  self._where(code, "code"))
            if code in hub_ids:
                raise ConfigError("DF-TOP-002", f"{code!r} is both a hub id and an organ code",
                                  self._where(code, "code"))
            codes.add(code)
            if not isinstance(agency.level, Level):
                raise ConfigError("DF-TOP-004", f"agency {code!r} has unknown level "
                                  f"{agency.level!r}; allowed: {', '.join(Level)}",
                                  self._where(code, "level"))
            if not isinstance(agency.kind, AgencyKind):
                raise ConfigError("DF-TOP-005", f"agency {code!r} has unknown kind "
                                  f"{agency.kind!r}; allowed: {', '.join(AgencyKind)}",
                                  self._where(code, "kind"))
            if agency.hub not in hub_ids:
                raise ConfigError("DF-TOP-003", f"agency {code!r} is attached to hub "
                                  f"{agency.hub!r}, which the topology does not have",
                                  self._where(code, "hub"))
            if (agency.level is Level.CENTRAL) != (agency.province is None):
                raise ConfigError("DF-TOP-009", f"agency {code!r} is at level "
                                  f"{agency.level.value} but its province is "
                                  f"{agency.province!r}; central agencies have no province, "
                                  "local ones need one", self._where(code, "province"))
        parents = {a.code: a.parent for a in self.agencies}
        for agency in self.agencies:
            if agency.parent is not None and agency.parent not in codes:
                raise ConfigError("DF-TOP-006", f"agency {agency.code!r} has parent "
                                  f"{agency.parent!r}, which is not an agency of the topology",
                                  self._where(agency.code, "parent"))
        self._check_cycles(parents)

    def _check_cycles(self, parents: dict[str, str | None]) -> None:
        done: set[str] = set()
        for start in parents:
            seen: list[str] = []
            node: str | None = start
            while node is not None and node not in done:
                if node in seen:
                    raise ConfigError("DF-TOP-006", "the parents form a cycle: "
                                      + " → ".join([*seen[seen.index(node):], node]),
                                      self._where(node, "parent"))
                seen.append(node)
                node = parents[node]
            done.update(seen)

    # --- lookups ----------------------------------------------------------------------------

    def agency(self, code: str) -> Agency:
        """Return the agency with organ code ``code`` (``KeyError`` if there is none)."""
        return self.agencies[self.index[code]]

    def hub(self, hub_id: str) -> Hub:
        """Return the hub with id ``hub_id`` (``KeyError`` if there is none)."""
        return self.hubs[self.hub_index[hub_id]]

    @cached_property
    def provinces(self) -> tuple[str, ...]:
        """Province names in order of first appearance (hubs first, then agencies).

        This order is the province index of :meth:`arrays`.
        """
        seen: dict[str, None] = {}
        for hub in self.hubs:
            if hub.province is not None:
                seen.setdefault(hub.province)
        for agency in self.agencies:
            if agency.province is not None:
                seen.setdefault(agency.province)
        return tuple(seen)

    # --- graph and routes -------------------------------------------------------------------

    @cached_property
    def graph(self) -> nx.Graph:
        """The whole topology as a frozen :class:`networkx.Graph`.

        Nodes are agency codes (``node_type="agency"``, with ``name``, ``level``, ``kind``,
        ``province``, ``parent``, ``hub``) and hub ids (``node_type="hub"``, with ``name``,
        ``kind``, ``province``); enum attributes hold their string values and a missing
        province or parent is ``None``. Edges carry ``relation``: ``attach`` (agency–hub),
        ``uplink`` (hub–axis) and ``parent`` (agency–parent agency, administrative only; routes
        never follow it).
        """
        graph = nx.Graph(name=self.name, description=self.description)
        for hub in self.hubs:
            graph.add_node(hub.id, node_type="hub", name=hub.name, kind=hub.kind.value,
                           province=hub.province)
        for agency in self.agencies:
            graph.add_node(agency.code, node_type="agency", name=agency.name,
                           level=agency.level.value, kind=agency.kind.value,
                           province=agency.province, parent=agency.parent, hub=agency.hub)
        graph.add_edges_from(self._hub_edges(), relation="uplink")
        graph.add_edges_from(((a.code, a.hub) for a in self.agencies), relation="attach")
        graph.add_edges_from(((a.code, a.parent) for a in self.agencies if a.parent),
                             relation="parent")
        return nx.freeze(graph)

    def _hub_edges(self) -> list[tuple[str, str]]:
        if self.axis is None:
            return []
        return [(h.id, self.axis.id) for h in self.hubs if h is not self.axis]

    @cached_property
    def hub_graph(self) -> nx.Graph:
        """The hubs and their uplinks only: the graph routes are computed on."""
        graph = nx.Graph()
        graph.add_nodes_from(h.id for h in self.hubs)
        graph.add_edges_from(self._hub_edges())
        return nx.freeze(graph)

    def hub_route(self, from_hub: str, to_hub: str) -> tuple[str, ...]:
        """Hub ids a message crosses from ``from_hub`` to ``to_hub``, both included.

        Computed with :func:`networkx.shortest_path` once per pair and cached.

        >>> from docflow.topology import build_preset
        >>> build_preset("tiny").hub_route("lgsp-h01", "lgsp-h01")
        ('lgsp-h01',)
        """
        key = (from_hub, to_hub)
        route = self._routes.get(key)
        if route is None:
            route = tuple(nx.shortest_path(self.hub_graph, from_hub, to_hub))
            self._routes[key] = route
        return route

    def route(self, sender: str, receiver: str) -> tuple[Hub, ...]:
        """The hubs a document from ``sender`` to ``receiver`` (organ codes) crosses, in order.

        One hub within a hub (a province's internal traffic), three across hubs
        (``sender hub → axis → receiver hub``).
        """
        ids = self.hub_route(self.agency(sender).hub, self.agency(receiver).hub)
        return tuple(self.hub(h) for h in ids)

    def arrays(self) -> TopologyArrays:
        """The topology as numpy arrays for the simulator; see :class:`TopologyArrays`.

        Built on first use and cached: the result is immutable.
        """
        return self._arrays

    @cached_property
    def _arrays(self) -> TopologyArrays:
        from docflow.topology.arrays import build_arrays

        return build_arrays(self)

    # --- summaries --------------------------------------------------------------------------

    def count_by_level(self) -> dict[Level, int]:
        """Number of agencies at each level, every level present (zero if none)."""
        counts = dict.fromkeys(Level, 0)
        for agency in self.agencies:
            counts[agency.level] += 1
        return counts

    def count_by_kind(self) -> dict[AgencyKind, int]:
        """Number of agencies of each kind that occurs, in :class:`AgencyKind` order."""
        counts = dict.fromkeys(AgencyKind, 0)
        for agency in self.agencies:
            counts[agency.kind] += 1
        return {kind: n for kind, n in counts.items() if n}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Topology):
            return NotImplemented
        return (self.name, self.description, self.provenance, self.agencies, self.hubs) == \
            (other.name, other.description, other.provenance, other.agencies, other.hubs)

    def __hash__(self) -> int:
        return hash((self.name, len(self.agencies), len(self.hubs)))

    def __repr__(self) -> str:
        return (f"<Topology {self.name!r}: {len(self.agencies)} agencies, "
                f"{len(self.hubs)} hubs>")
