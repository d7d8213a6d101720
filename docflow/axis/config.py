"""How ``docflow axis serve`` runs: one frozen configuration."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_MAX_BYTES", "ServeConfig"]

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
"""32 MiB: an official document with its PDF attachments, base64-encoded, stays well below;
the hardened parser's own limit (64 MiB) is for files, the service refuses at half of it so
that one request cannot hold a worker's memory for long."""


@dataclass(frozen=True, slots=True)
class ServeConfig:
    """Settings of one axis service; variants with :func:`dataclasses.replace`.

    Examples
    --------
    >>> ServeConfig(Path("pki")).url
    'https://127.0.0.1:8443'
    """

    pki: Path
    """The ``docflow pki init`` folder: trust anchors and CRLs for signatures, the directory of
    agencies, the TLS CA and the server's TLS certificate."""
    db: str = "axis.sqlite"
    """Where acknowledged messages are kept: an SQLite file (the embedded default) or a
    ``postgresql://`` URL, which several server processes can share."""
    host: str = "127.0.0.1"
    """Loopback by default: the sandbox is for an integrator's own machine."""
    port: int = 8443
    """The port of HTTPS APIs by convention when 443 needs root."""
    workers: int = 1
    """Server processes. Signature verification is CPU-bound Python, so more cores need more
    processes; each has its own store connection (SQLite serialises their commits)."""
    judges: int | None = None
    """Judge processes per server process (:mod:`docflow.axis.judges`); ``None``: one per
    core this process may run on, since judging is what takes the cores."""
    max_bytes: int = DEFAULT_MAX_BYTES
    """The largest request body; a larger one is refused from its Content-Length, before a
    byte of it is read, or as soon as a chunked body passes it."""
    body_seconds: float = 30.0
    """How long a request body may take to arrive, whole. A client that trickles its body
    (a few bytes now and then) would otherwise hold a connection, and a worker's memory for
    it, for ever; 30 s carries the largest message over a slow provincial link."""
    revocation: str = "require"
    """CRL policy of signature verification: ``require`` (the default, as ``docflow
    validate``), ``if-available`` or ``off``."""
    passphrase_file: Path | None = None
    """The file whose first line decrypts the server's TLS key, for a PKI written by ``pki init
    --passphrase-file``; a path rather than the secret, so that the secret is read by each
    process and never travels in the configuration."""
    log_level: str = "warning"
    """uvicorn's log level: warnings only, since an access line per message costs more than
    storing it under load."""

    @property
    def judge_count(self) -> int:
        """:attr:`judges`, or the cores this process may run on."""
        if self.judges is not None:
            return self.judges
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
            else os.cpu_count() or 1

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"
