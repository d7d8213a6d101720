"""The index of a PKI folder written by ``docflow pki init``: what is where, and what it is.

``index.json`` maps every organ code to its certificates and keys with their roles, and names
the root, the hub CAs and their CRLs, with paths relative to the folder so that the folder can
be moved. Example (one agency)::

    {
      "format": "docflow-pki/1",
      "seed": 7, "algorithm": "ecdsa-p256", "issued_at": "2025-01-01T00:00:00+00:00",
      "encrypted_keys": false,
      "policies": {"organ": "2.25.226…297.1.1", "signer": "2.25.226…297.1.2"},
      "root": {"cert": "root/ca.pem", "crl": "root/crl.pem", "key": "root/ca.key"},
      "cas": {"H49": {"name": "…", "cert": "ca/H49/ca.pem", "crl": "ca/H49/crl.pem",
                      "key": "ca/H49/ca.key"}},
      "agencies": {"000.00.00.H49": {"name": "Ủy ban nhân dân tỉnh …", "level": "province",
                                     "hub": "H49",
                                     "organ": {"cert": "agencies/H49/000.00.00.H49.organ.pem",
                                               "key": "agencies/H49/000.00.00.H49.organ.key"},
                                     "signer": {…}}}
    }
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docflow.errors import InputError, Location
from docflow.pki.roles import Role
from docflow.runfolder import check_complete

__all__ = ["FORMAT", "INDEX_NAME", "CaEntry", "Credential", "PkiIndex", "read_index"]

FORMAT = "docflow-pki/1"
"""The index's format tag; a reader refuses any other."""

INDEX_NAME = "index.json"


@dataclass(frozen=True, slots=True)
class Credential:
    """Where one certificate and its key are, relative to the PKI folder."""

    cert: str
    key: str


@dataclass(frozen=True, slots=True)
class CaEntry:
    """A CA of the PKI folder: its certificate, CRL and key, relative to the folder."""

    name: str
    cert: str
    crl: str
    key: str


@dataclass(frozen=True, slots=True)
class PkiIndex:
    """The parsed ``index.json`` of a PKI folder."""

    root: CaEntry
    cas: Mapping[str, CaEntry]
    """Hub id → its CA."""
    agencies: Mapping[str, Mapping[str, Any]]
    """Organ code → ``{"name", "level", "hub", "organ": {...}, "signer": {...}}``."""
    meta: Mapping[str, Any]
    """Everything else: seed, algorithm, issue time, whether keys are encrypted, policies."""

    def credential(self, organ_code: str, role: Role) -> Credential:
        """Where the certificate and key of ``organ_code`` in ``role`` are.

        Raises
        ------
        UsageError
            ``DF-PKI-027`` when the folder has no such agency.
        """
        from docflow.errors import UsageError

        entry = self.agencies.get(organ_code)
        if entry is None or role.value not in entry:
            raise UsageError("DF-PKI-027", f"the PKI has no {role.value} certificate for "
                                           f"{organ_code!r}")
        item = entry[role.value]
        return Credential(item["cert"], item["key"])

    def to_json(self) -> bytes:
        """The index as UTF-8 JSON, keys in a fixed order so equal PKIs give equal bytes."""
        doc = {"format": FORMAT, **self.meta,
               "root": _ca_dict(self.root),
               "cas": {k: _ca_dict(v) for k, v in self.cas.items()},
               "agencies": self.agencies}
        return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"

    @classmethod
    def parse(cls, data: bytes, source: str | None = None) -> PkiIndex:
        """Parse ``index.json``.

        Raises
        ------
        InputError
            ``DF-PKI-025`` when it is not JSON, has another format tag, or misses a part.
        """
        where = Location(file=source)
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError("DF-PKI-025", f"the index is not JSON ({exc})", where) from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise InputError("DF-PKI-025", f"the index's format is not {FORMAT!r}", where)
        try:
            root = _ca_entry(doc["root"])
            cas = {str(k): _ca_entry(v) for k, v in doc["cas"].items()}
            agencies = doc["agencies"]
            for code, entry in agencies.items():
                for role in Role:
                    if role.value in entry:
                        item = entry[role.value]
                        if not isinstance(item.get("cert"), str) or \
                                not isinstance(item.get("key"), str):
                            raise TypeError(f"agency {code}: {role.value} needs cert and key")
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError("DF-PKI-025", f"the index misses or mistypes {exc}",
                             where) from None
        meta = {k: v for k, v in doc.items()
                if k not in {"format", "root", "cas", "agencies"}}
        return cls(root, cas, agencies, meta)


def read_index(folder: str | Path) -> PkiIndex:
    """Read the index of the PKI folder ``folder``.

    Raises
    ------
    InputError
        ``DF-PKI-025`` when the folder has no readable index; ``DF-RUN-002`` when the folder
        is marked incomplete (``docflow pki init`` interrupted, or still writing it).
    """
    check_complete(folder, "the PKI")
    path = Path(folder) / INDEX_NAME
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError("DF-PKI-025", f"not a PKI folder: cannot read {INDEX_NAME} "
                                       f"({exc.strerror or exc})",
                         Location(file=str(path))) from None
    return PkiIndex.parse(data, str(path))


def _ca_dict(entry: CaEntry) -> dict[str, str]:
    return {"name": entry.name, "cert": entry.cert, "crl": entry.crl, "key": entry.key}


def _ca_entry(raw: Any) -> CaEntry:
    values = [raw[k] for k in ("name", "cert", "crl", "key")]
    if not all(isinstance(v, str) for v in values):
        raise TypeError("a CA entry needs name, cert, crl and key as strings")
    return CaEntry(*values)
