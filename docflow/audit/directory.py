"""Who the audited agencies are: organ code → name and province, from a topology or a PKI index.

The archive knows each document's sender only by organ code (``000.00.00.H49``); an auditor
reads names, and asks *where* the unsigned documents come from. The names and provinces come
from the first of these that the audit has, in this order:

1. the topology given (``AuditConfig.topology``, ``--topology``): a preset name or a file;
2. the topology of the simulation run whose ``archive.sqlite`` is audited: the run's
   ``summary.json`` names it (``scenario.topology``), when that is a preset or an absolute path
   that still exists;
3. the ``index.json`` of a ``docflow pki init`` folder among the trust anchors (or the run's
   ``trust/`` folder): names and levels; provinces too when the index names a preset topology
   (``pki init --preset`` records it).

With none of them, every agency is ``unknown`` by name and no province is counted: the output
says so (:attr:`Directory.source` is ``none``), and never guesses a name from the code.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from docflow.audit.run_trust import RUN_ARCHIVE, RUN_TRUST
from docflow.errors import DocflowError
from docflow.pki.index import INDEX_NAME, read_index
from docflow.topology import PRESETS, Topology, build_preset, load_topology

__all__ = ["CENTRAL", "Directory", "DirectorySource", "Named", "find_directory"]

CENTRAL = "central"
"""The province key of agencies the directory knows to have no province (ministries, the
Government Office and other central bodies)."""

RUN_SUMMARY = "summary.json"
"""The summary a simulation run writes beside its archive; it names the run's topology."""


class DirectorySource(enum.StrEnum):
    """Where the names came from; the value is in the JSON output (``directory.source``)."""

    TOPOLOGY = "topology"
    """A topology given with ``--topology``."""
    RUN = "run"
    """The topology named by the simulation run whose archive is audited."""
    PKI = "pki"
    """The ``index.json`` of a PKI folder among the trust anchors."""
    NONE = "none"
    """Nothing: agencies are known by organ code only."""


@dataclass(frozen=True, slots=True)
class Named:
    """What the directory knows of one agency."""

    name: str
    province: str | None
    """``None`` for a central agency, or when the source does not say (a PKI index alone)."""


@dataclass(frozen=True, slots=True)
class Directory:
    """Organ code → :class:`Named`, and what it was read from.

    Examples
    --------
    >>> d = Directory(DirectorySource.TOPOLOGY, "tiny", {"000.00.00.H01": Named("UBND", "Hà Nội")},
    ...               provinces=True)
    >>> d.name("000.00.00.H01"), d.name("000.00.00.H99"), d.province("000.00.00.H99")
    ('UBND', None, 'unknown')
    """

    source: DirectorySource
    origin: str | None
    """The preset name or file the names were read from; ``None`` when there is none."""
    agencies: Mapping[str, Named]
    provinces: bool
    """Whether the source places agencies in provinces (a topology does; an index alone not)."""

    def name(self, code: str) -> str | None:
        """The agency's name, or ``None`` when the directory does not know the code."""
        known = self.agencies.get(code)
        return known.name if known is not None else None

    def province(self, code: str) -> str:
        """The province key: the province's name, :data:`CENTRAL`, or ``unknown``."""
        known = self.agencies.get(code)
        if known is None:
            return "unknown"
        return known.province or CENTRAL

    def only(self, codes: Iterable[str]) -> Directory:
        """The same directory restricted to ``codes`` (what an audit result keeps)."""
        wanted = {c: self.agencies[c] for c in sorted(set(codes)) if c in self.agencies}
        return Directory(self.source, self.origin, wanted, self.provinces)


NO_DIRECTORY = Directory(DirectorySource.NONE, None, {}, False)


def _from_topology(topology: Topology, source: DirectorySource, origin: str) -> Directory:
    return Directory(source, origin, {a.code: Named(a.name, a.province)
                                      for a in topology.agencies}, True)


def _run_topology(archive: Path) -> tuple[Topology, str] | None:
    """The topology the simulation run of ``archive`` was built on, when it can be found."""
    if archive.name != RUN_ARCHIVE:
        return None
    try:
        summary = json.loads((archive.parent / RUN_SUMMARY).read_text("utf-8"))
        name = summary["scenario"]["topology"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(name, str):
        return None
    if name in PRESETS:
        return build_preset(name), name
    if Path(name).is_absolute() and Path(name).is_file():
        try:
            return load_topology(name), name
        except DocflowError:
            return None
    return None  # a path relative to a scenario file we do not have


def _from_index(folder: Path) -> Directory | None:
    """Names (and provinces, through a preset the index names) of a PKI folder's index."""
    try:
        index = read_index(folder)
    except DocflowError:
        return None
    preset = index.meta.get("topology")
    if isinstance(preset, str) and preset in PRESETS:
        return _from_topology(build_preset(preset), DirectorySource.PKI, str(folder))
    agencies = {str(code): Named(str(entry.get("name") or ""), None)
                for code, entry in index.agencies.items() if entry.get("name")}
    return Directory(DirectorySource.PKI, str(folder), agencies, False)


def find_directory(source: Path, topology: str | None,
                   anchors: Iterable[Path]) -> Directory:
    """The directory of an audit of ``source``; see the module's docstring for the order.

    Parameters
    ----------
    source
        What is audited (an archive, a folder, a zip, a tar).
    topology
        A preset name or a topology file, given by the user; it wins.
    anchors
        The trust anchors in force: a PKI folder among them lends its index.

    Raises
    ------
    UsageError, InputError, ConfigError
        Only for a ``topology`` given that cannot be read (``DF-TOP-010``, ``DF-TOP-011``, …);
        a run's or an index's that cannot be read leaves the names unknown.
    """
    if topology is not None:
        return _from_topology(load_topology(topology), DirectorySource.TOPOLOGY, topology)
    found = _run_topology(source)
    if found is not None:
        return _from_topology(found[0], DirectorySource.RUN, found[1])
    folders = [Path(a) for a in anchors if (Path(a) / INDEX_NAME).is_file()]
    if source.name == RUN_ARCHIVE and (source.parent / RUN_TRUST / INDEX_NAME).is_file():
        folders.append(source.parent / RUN_TRUST)
    for folder in folders:
        directory = _from_index(folder)
        if directory is not None:
            return directory
    return NO_DIRECTORY
