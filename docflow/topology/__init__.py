"""The national topology: agencies, the hubs they attach to, routes between them.

``Topology`` is the checked, immutable model; ``Topology.arrays()`` gives the same as numpy
arrays for the simulator; presets are built by name with :func:`build_preset`, and user files
(GraphML or JSON) are read with :func:`load_topology`.

>>> topo = build_preset("tiny")
>>> topo.count_by_level()[Level.COMMUNE]
7
"""

from docflow.levels import Level
from docflow.topology.arrays import TopologyArrays
from docflow.topology.files import load_topology, read_topology, save_topology
from docflow.topology.model import Agency, AgencyKind, Hub, HubKind
from docflow.topology.network import Topology
from docflow.topology.presets import PRESETS, build_preset

__all__ = ["PRESETS", "Agency", "AgencyKind", "Hub", "HubKind", "Level", "Topology",
           "TopologyArrays", "build_preset", "load_topology", "read_topology", "save_topology"]
