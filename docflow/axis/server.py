"""Run the axis: uvicorn over TLS, with the caller's verified client certificate in the scope.

The server asks every client for a certificate (``CERT_OPTIONAL``: a browser without one may
still open the status page) and verifies it against the PKI folder's TLS CA alone
(:mod:`docflow.pki.tls`); OpenSSL refuses the handshake for a certificate that does not chain
to it or lacks the clientAuth purpose. uvicorn does not hand the peer certificate to the
application, so :class:`_TlsH11Protocol` does, once per connection after the handshake, as the
ASGI TLS extension describes (``scope["extensions"]["tls"]["client_cert_chain"]``, PEM).

Size limits hold at the socket: h11 refuses request heads over 16 KiB, and the application
refuses a body from its Content-Length before reading it (:mod:`docflow.axis.app`).

With ``workers > 1`` uvicorn forks a supervisor's children over one listening socket; each
child asks the kernel to kill it when its parent dies (``PR_SET_PDEATHSIG``), so a ``kill -9``
of the server leaves no orphan serving on.
"""

from __future__ import annotations

import json
import os
import ssl
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from docflow.axis.admission import Admission
from docflow.axis.config import ServeConfig
from docflow.axis.directory import read_directory
from docflow.axis.judges import die_with_parent
from docflow.axis.store import open_store
from docflow.errors import InputError, Location
from docflow.pki.io import read_passphrase

__all__ = ["serve"]

_ENV = "DOCFLOW_AXIS_SERVE"
"""How the configuration reaches uvicorn's worker processes (they import the factory)."""

_LOOP = "uvloop" if sys.platform != "win32" else "asyncio"
"""libuv's event loop, and its TLS in C: about an eighth fewer instructions per message on the
event loop than asyncio's own loop and its TLS written in Python (docs/axis.md)."""

_KEEP_ALIVE = 75
"""Seconds an idle connection is kept open (uvicorn's default is 5). An agency that sends
every few seconds would otherwise pay a new TLS handshake, which costs the server more CPU
than the rest of a message (docs/axis.md); 75 s is nginx's default."""

_HEAD_LIMIT = 16 * 1024
"""The largest request head (request line and headers) h11 accepts."""

Scope = MutableMapping[str, Any]
Asgi = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
                Awaitable[None]]


class _TlsH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, adding the verified peer certificate to every request scope."""

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is None:
            return
        der = ssl_object.getpeercert(binary_form=True)
        tls = {"client_cert_chain": [ssl.DER_cert_to_PEM_cert(der)] if der else [],
               "tls_version": ssl_object.version(), "cipher_suite": None,
               "server_cert": None, "client_cert_name": None, "client_cert_error": None}
        app: Asgi = self.app

        async def with_tls(scope: Scope, receive: Any, send: Any) -> None:
            scope.setdefault("extensions", {})["tls"] = tls
            await app(scope, receive, send)

        self.app = with_tls


def app_from_environment() -> Any:
    """The uvicorn factory: the application for the configuration in ``DOCFLOW_AXIS_SERVE``."""
    from docflow.axis.app import create_app

    raw = json.loads(os.environ[_ENV])
    config = ServeConfig(**{**raw, "pki": Path(raw["pki"]),
                            "passphrase_file": Path(raw["passphrase_file"])
                            if raw.get("passphrase_file") else None})
    if config.workers > 1:
        die_with_parent()
    return create_app(config)


def check(config: ServeConfig) -> str:
    """Open everything the service needs once, so that a bad PKI folder or store is a clear
    error before the server starts; return what the store is.

    Raises
    ------
    InputError
        ``DF-PKI-025``, ``DF-AXS-012``, ``DF-AXS-013`` or ``DF-AXS-014``.
    """
    read_directory(config.pki)
    Admission.from_pki(config.pki, max_bytes=config.max_bytes, revocation=config.revocation)
    store = open_store(config.db)
    try:
        return store.description
    finally:
        store.close()


def _check_key(cert: Path, key: Path, password: str | None) -> None:
    """Load the server's certificate and key once, so that an encrypted key without its
    passphrase (or with a wrong one) is a clear error, not a server that dies starting."""
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
            str(cert), str(key), password=(lambda: password or ""))
    except (OSError, ssl.SSLError) as exc:
        raise InputError("DF-AXS-014", f"cannot load the server's TLS key: {exc} (a key "
                         "written with a passphrase needs --passphrase-file)",
                         Location(file=str(key))) from None


def serve(config: ServeConfig, announce: Callable[[str], None] | None = None) -> None:
    """Serve the axis until interrupted (SIGINT or SIGTERM stop it cleanly).

    Parameters
    ----------
    config
        What to serve, where.
    announce
        Called with one line once the configuration checked out and the server starts.

    Raises
    ------
    InputError
        As :func:`check`, before anything listens.
    """
    import uvicorn

    pki = config.pki.resolve()
    config = ServeConfig(**{**asdict(config), "pki": pki})
    store = check(config)
    directory = read_directory(pki)
    cert, key = directory.server_files()
    password = read_passphrase(config.passphrase_file).decode("utf-8") \
        if config.passphrase_file else None
    _check_key(cert, key, password)
    os.environ[_ENV] = json.dumps({**asdict(config), "pki": str(pki),
                                   "passphrase_file": str(config.passphrase_file)
                                   if config.passphrase_file else None})
    if announce is not None:
        announce(f"axis on {config.url} ({len(directory.agencies):,} agencies, store {store}, "
                 f"{config.workers} worker{'s' if config.workers != 1 else ''})")
    uvicorn.run("docflow.axis.server:app_from_environment", factory=True,
                host=config.host, port=config.port, workers=config.workers,
                http=_TlsH11Protocol, ssl_certfile=str(cert), ssl_keyfile=str(key),
                ssl_keyfile_password=password,
                ssl_ca_certs=str(directory.ca_file), ssl_cert_reqs=ssl.CERT_OPTIONAL,
                h11_max_incomplete_event_size=_HEAD_LIMIT, log_level=config.log_level,
                access_log=False, server_header=False, timeout_graceful_shutdown=5,
                loop=_LOOP, timeout_keep_alive=_KEEP_ALIVE)
