"""The axis's directory: the agencies it serves, and where their TLS files are.

Read from the ``index.json`` of a ``docflow pki init`` folder, which lists every agency of the
topology (organ code, name, level, hub) and, since the axis sandbox, the TLS CA, the server's
certificate and each agency's TLS client certificate (:mod:`docflow.pki.tls`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docflow.errors import InputError, Location, UsageError
from docflow.pki.index import read_index

__all__ = ["AgencyEntry", "Directory", "read_directory"]


@dataclass(frozen=True, slots=True)
class AgencyEntry:
    """One agency of the directory, as ``GET /agencies`` lists it."""

    organ_id: str
    name: str
    level: str
    hub: str

    def to_dict(self) -> dict[str, str]:
        return {"organ_id": self.organ_id, "name": self.name, "level": self.level,
                "hub": self.hub}


@dataclass(frozen=True, slots=True)
class Directory:
    """The agencies of a PKI folder and the axis's TLS files in it (absolute paths)."""

    folder: Path
    agencies: Mapping[str, AgencyEntry]
    tls: Mapping[str, Any]
    """``{"ca": {"cert", "key"}, "server": {"cert", "key"}}``, paths relative to ``folder``."""
    clients: Mapping[str, Mapping[str, str]]
    """Organ code → ``{"cert", "key"}`` of its TLS client certificate."""

    @property
    def ca_file(self) -> Path:
        """The TLS CA certificate: what the server trusts for clients, and clients for it."""
        return self.folder / self.tls["ca"]["cert"]

    def server_files(self) -> tuple[Path, Path]:
        """The server's certificate and key."""
        return self.folder / self.tls["server"]["cert"], self.folder / self.tls["server"]["key"]

    def client_files(self, organ_code: str) -> tuple[Path, Path]:
        """The TLS client certificate and key of ``organ_code``.

        Raises
        ------
        UsageError
            ``DF-AXS-014`` when the folder holds none for that agency.
        """
        entry = self.clients.get(organ_code)
        if entry is None:
            raise UsageError("DF-AXS-014", f"the PKI folder has no TLS client certificate for "
                             f"{organ_code!r}", Location(file=str(self.folder), key="--as"))
        return self.folder / entry["cert"], self.folder / entry["key"]


def read_directory(folder: str | Path) -> Directory:
    """Read the directory of the PKI folder ``folder``.

    Raises
    ------
    InputError
        ``DF-PKI-025`` when it is not a PKI folder; ``DF-AXS-014`` when it has no TLS files
        (written by a docflow from before the axis sandbox: run ``docflow pki init`` again).
    """
    base = Path(folder)
    index = read_index(base)
    tls = index.meta.get("tls")
    if not isinstance(tls, dict) or not all(
            isinstance(tls.get(k), dict) and isinstance(tls[k].get("cert"), str)
            and isinstance(tls[k].get("key"), str) for k in ("ca", "server")):
        raise InputError("DF-AXS-014", "the PKI folder has no TLS certificates for the axis; "
                         "write it again with this docflow's 'docflow pki init'",
                         Location(file=str(base / "index.json")))
    agencies = {}
    clients = {}
    for code, entry in index.agencies.items():
        agencies[code] = AgencyEntry(code, str(entry.get("name", "")),
                                     str(entry.get("level", "")), str(entry.get("hub", "")))
        item = entry.get("tls")
        if isinstance(item, dict) and isinstance(item.get("cert"), str) \
                and isinstance(item.get("key"), str):
            clients[code] = {"cert": item["cert"], "key": item["key"]}
    return Directory(base.resolve(), agencies, tls, clients)
