"""Write a national test PKI to a folder: PEM certificates, PKCS#8 keys, CRLs and an index.

Layout (paths are relative to the folder and listed in ``index.json``)::

    index.json                          what is where (see docflow.pki.index)
    root/ca.pem  root/ca.key  root/crl.pem
    tsa/tsa.pem  tsa/tsa.key            the RFC 3161 timestamp authority, issued by the root
    ca/<hub>/ca.pem  ca/<hub>/ca.key  ca/<hub>/crl.pem
    agencies/<hub>/<organ code>.organ.pem  .organ.key  .signer.pem  .signer.key
    tls/ca.pem  tls/ca.key  tls/server.pem  tls/server.key       (docflow.pki.tls)
    agencies/<hub>/<organ code>.tls.pem  .tls.key               the agency's TLS client

Agencies are grouped by hub rather than given a folder each: 12,000 more folders slow a busy
disk down for nothing. Keys are written with mode 0600. This is the whole of
``docflow pki init``; the command adds only the topology and the progress bar.

The folder is one run (:mod:`docflow.runfolder`): a folder that is not empty is refused
(``DF-RUN-001``) unless ``force``, which removes the earlier PKI first, so that old keys never
stay beside new certificates; it is marked ``.incomplete`` until every file is on disk. Each
file is written to a temporary name and renamed; the files are flushed to disk once, at the
end, rather than one by one (an fsync per key would cost seconds on a national PKI, and a
killed run is marked incomplete anyway).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding

from docflow.atomic import write_atomic
from docflow.errors import InputError, Location
from docflow.pki import tls
from docflow.pki.index import INDEX_NAME, CaEntry, PkiIndex
from docflow.pki.io import key_pem
from docflow.pki.keys import KeyAlgorithm, PrivateKey, RsaKeyCache, default_cache_dir
from docflow.pki.national import NationalPki
from docflow.pki.roles import ORGAN_POLICY, SIGNER_POLICY, Role
from docflow.processes import worker_pool_scope
from docflow.runfolder import Layout, claim, finish

__all__ = ["PKI_LAYOUT", "ExportSummary", "write_pki"]

_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What :func:`write_pki` wrote."""

    folder: Path
    agencies: int
    certificates: int
    """CA and end-entity certificates written."""
    crls: int
    seconds: float
    """Wall time of the whole export, for the ``pki init`` report."""
    tls_certificates: int = 0
    """The axis's TLS CA and server certificate and one TLS client certificate per agency
    (:mod:`docflow.pki.tls`), counted apart from the signing PKI's."""


PKI_LAYOUT = Layout("PKI", frozenset({INDEX_NAME, "root", "ca", "agencies"}))
"""What :func:`write_pki` writes at the top of its folder: what ``force`` removes."""


def write_pki(pki: NationalPki, folder: str | Path, *, passphrase: bytes | None = None,
              progress: Callable[[int], None] | None = None,
              extra: dict[str, Any] | None = None, jobs: int | None = None,
              force: bool = False) -> ExportSummary:
    """Issue every certificate of ``pki`` and write the PKI to ``folder``.

    Parameters
    ----------
    pki
        The PKI to write; its certificates are issued here without being kept in memory.
    folder
        The output folder; created if missing. It must be empty unless ``force``.
    passphrase
        Encrypt every private key with it (PKCS#8, PBES2/AES-256). Costs ~2 ms per key:
        PBKDF2 is slow on purpose.
    progress
        Called with the number of agencies just written (for a progress bar).
    extra
        More entries for the index's metadata (for example the preset's name).
    jobs
        Worker processes; all cores by default. Agencies are written in chunks by the
        workers; the output does not depend on ``jobs``.
    force
        Replace the PKI in a non-empty folder: its files (``index.json``, ``root/``, ``ca/``,
        ``agencies/``) are removed first; other files are left alone.

    Returns
    -------
    ExportSummary

    Raises
    ------
    UsageError
        ``DF-RUN-001`` when the folder is not empty and ``force`` is not given.
    InputError
        ``DF-IO-004`` when the folder or a file cannot be written.
    """
    started = time.perf_counter()
    base = claim(folder, PKI_LAYOUT, force=force)
    if pki.algorithm is KeyAlgorithm.RSA_2048:
        # Generate the missing RSA keys on every core first; issuing then only loads them.
        (pki.rsa_cache or RsaKeyCache(default_cache_dir())).fill(pki.seed, list(pki.labels()),
                                                                 jobs)
    writer = _Writer(base, passphrase)
    root_entry = writer.ca("root", pki.root, pki.root_key, pki.crl(None), "root CA")
    tsa = pki.tsa()
    writer.write(_TSA_CERT, tsa.certificate.public_bytes(Encoding.PEM))
    writer.write_key(_TSA_KEY, tsa.key)
    tls_meta = _write_tls(writer, pki)
    cas = {}
    for hub in pki.hubs:
        cas[hub.hub_id] = writer.ca(f"ca/{_file_name(hub.hub_id)}", pki.ca(hub.hub_id),
                                    pki.ca_key(hub.hub_id), pki.crl(hub.hub_id), hub.name)
    codes = [agency.organ_code for agency in pki.agencies]
    chunks = [codes[i:i + _CHUNK] for i in range(0, len(codes), _CHUNK)]
    workers = min(jobs or os.cpu_count() or 1, len(chunks))
    agencies: dict[str, Any] = {}
    if workers <= 1:
        results: Iterable[dict[str, Any]] = (_write_agencies(pki, base, passphrase, chunk)
                                             for chunk in chunks)
        for chunk, entries in zip(chunks, results, strict=True):
            agencies.update(entries)
            if progress is not None:
                progress(len(chunk))
    else:
        # Issuing is CPU-bound Python and C: processes, not threads. Each worker gets a copy of
        # the PKI without its caches (see NationalPki.__getstate__) and rebuilds the few CAs
        # it needs; map() keeps the chunks in order, so the index is the same for any jobs.
        with worker_pool_scope(workers, initializer=_start_worker,
                               initargs=(pki, base, passphrase)) as pool:
            for chunk, entries in zip(chunks, pool.map(_write_chunk, chunks), strict=True):
                agencies.update(entries)
                if progress is not None:
                    progress(len(chunk))
    meta: dict[str, Any] = {
        "seed": pki.seed, "algorithm": pki.algorithm.value, "issued_at": pki.at.isoformat(),
        "encrypted_keys": passphrase is not None, "tls": tls_meta,
        "tsa": {"cert": _TSA_CERT, "key": _TSA_KEY},
        "policies": {Role.ORGAN.value: ORGAN_POLICY.dotted_string,
                     Role.SIGNER.value: SIGNER_POLICY.dotted_string},
        "validity_days": {"root": pki.validity.root_days, "ca": pki.validity.ca_days,
                          "leaf": pki.validity.leaf_days, "crl": pki.validity.crl_days},
        **(extra or {})}
    index = PkiIndex(root_entry, cas, agencies, meta)
    writer.write(INDEX_NAME, index.to_json())
    os.sync()  # every file of the PKI on disk (see the module docstring), then:
    finish(base)
    return ExportSummary(base, len(agencies), 1 + len(cas) + 2 * len(agencies), 1 + len(cas),
                         time.perf_counter() - started, 2 + len(agencies))


_TSA_CERT, _TSA_KEY = "tsa/tsa.pem", "tsa/tsa.key"
"""Where the timestamp authority's certificate and key go (``docflow pki tsa serve``)."""

_CHUNK = 250
"""Agencies per worker task: large enough that sending the PKI and the results costs little,
small enough that the progress bar moves and the two cores finish together."""


_WORKER: tuple[NationalPki, Path, bytes | None] | None = None
"""What a worker process writes with, sent once per worker rather than once per chunk."""


def _start_worker(pki: NationalPki, base: Path, passphrase: bytes | None) -> None:
    global _WORKER
    _WORKER = (pki, base, passphrase)


def _write_chunk(codes: list[str]) -> dict[str, Any]:
    assert _WORKER is not None, "worker not started"
    return _write_agencies(*_WORKER, codes)


def _write_agencies(pki: NationalPki, base: Path, passphrase: bytes | None,
                    codes: list[str]) -> dict[str, Any]:
    """Issue and write the certificates and keys of ``codes``; return their index entries."""
    writer = _Writer(base, passphrase)
    entries: dict[str, Any] = {}
    for code in codes:
        agency = pki.agency(code)
        stem = f"agencies/{_file_name(agency.hub_id)}/{_file_name(code)}"
        entry: dict[str, Any] = {"name": agency.name, "level": agency.level,
                                 "hub": agency.hub_id}
        for role in Role:
            creds = pki.issue(code, role)
            cert_path = f"{stem}.{role.value}.pem"
            key_path = f"{stem}.{role.value}.key"
            writer.write(cert_path, creds.certificate.public_bytes(Encoding.PEM))
            writer.write_key(key_path, creds.key)
            entry[role.value] = {"cert": cert_path, "key": key_path}
        client = tls.client_credentials(pki, code)
        writer.write(f"{stem}.tls.pem", client.certificate.public_bytes(Encoding.PEM))
        writer.write_key(f"{stem}.tls.key", client.key)
        entry["tls"] = {"cert": f"{stem}.tls.pem", "key": f"{stem}.tls.key"}
        entries[code] = entry
    return entries


def _write_tls(writer: _Writer, pki: NationalPki) -> dict[str, Any]:
    """Write the TLS CA and the axis server's certificate; return their index entry."""
    out: dict[str, Any] = {}
    for name, creds in (("ca", tls.tls_ca(pki)), ("server", tls.server_credentials(pki))):
        writer.write(f"tls/{name}.pem", creds.certificate.public_bytes(Encoding.PEM))
        writer.write_key(f"tls/{name}.key", creds.key)
        out[name] = {"cert": f"tls/{name}.pem", "key": f"tls/{name}.key"}
    return out


def _file_name(identifier: str) -> str:
    """``identifier`` as a file name: itself when safe, else escaped (``%XX``) so that two
    identifiers never share a name."""
    if _SAFE.fullmatch(identifier):
        return identifier
    escaped = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else
                      "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in identifier)
    if escaped[:1] in (".", "-", ""):  # never "..", a hidden file or an option-like name
        escaped = f"%{ord(escaped[0]):02X}{escaped[1:]}" if escaped else "%00"
    return escaped[:200]


class _Writer:
    """Writes files under one folder, creating sub-folders once, mapping OS errors."""

    def __init__(self, base: Path, passphrase: bytes | None) -> None:
        self.base = base
        self.passphrase = passphrase
        self._made: set[Path] = set()

    def ca(self, folder: str, cert: Any, key: PrivateKey, crl: Any, name: str) -> CaEntry:
        self.write(f"{folder}/ca.pem", cert.public_bytes(Encoding.PEM))
        self.write_key(f"{folder}/ca.key", key)
        self.write(f"{folder}/crl.pem", crl.public_bytes(Encoding.PEM))
        return CaEntry(name, f"{folder}/ca.pem", f"{folder}/crl.pem", f"{folder}/ca.key")

    def write_key(self, relative: str, key: PrivateKey) -> None:
        self.write(relative, key_pem(key, self.passphrase), mode=0o600)

    def write(self, relative: str, data: bytes, mode: int = 0o644) -> None:
        path = self.base / relative
        parent = path.parent
        try:
            if parent not in self._made:
                parent.mkdir(parents=True, exist_ok=True)
                self._made.add(parent)
        except OSError as exc:
            raise InputError("DF-IO-004", f"cannot write: {exc.strerror or exc}",
                             Location(file=str(parent))) from None
        write_atomic(path, data, mode=mode, sync=False)
