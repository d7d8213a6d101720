"""``docflow pki tsa serve``: the local timestamp authority over HTTP (RFC 3161 §3.4).

A POST of a DER TimeStampReq (``application/timestamp-query``) is answered with a DER
TimeStampResp (``application/timestamp-reply``) stamped with the server's clock. Anything else
is an HTTP error with a one-line reason; a malformed request gets a rejection inside a valid
response, as the RFC says. The server binds to loopback by default: it is a test and simulator
service, not a public TSA.
"""

from __future__ import annotations

import datetime as dt
import signal
import sys
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from docflow.errors import UsageError
from docflow.pki.tsa import TimestampAuthority, read_tsa

__all__ = ["TsaServer", "make_server", "serve_pki"]

_MAX_BODY = 16 * 1024


class TsaServer(ThreadingHTTPServer):
    """An HTTP server holding one authority and a clock."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], tsa: TimestampAuthority,
                 clock: Callable[[], dt.datetime]) -> None:
        super().__init__(address, _Handler)
        self.tsa = tsa
        self.clock = clock


class _Handler(BaseHTTPRequestHandler):
    server: TsaServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a TSA under load would otherwise write a line per stamp to stderr."""

    def _reply(self, status: int, body: bytes, kind: str = "text/plain; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._reply(405, b"POST a DER TimeStampReq (application/timestamp-query)\n")

    def do_POST(self) -> None:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._reply(411, b"Content-Length is required\n")
            return
        if not 0 < length <= _MAX_BODY:
            self._reply(413, b"the request must be 1 to 16384 bytes\n")
            return
        body = self.rfile.read(length)
        answer = self.server.tsa.respond(body, at=self.server.clock())
        self._reply(200, answer, "application/timestamp-reply")


def make_server(tsa: TimestampAuthority, host: str = "127.0.0.1", port: int = 0,
                clock: Callable[[], dt.datetime] | None = None) -> TsaServer:
    """A server for ``tsa`` bound to ``host:port`` (0: any free port; see ``server_port``)."""
    return TsaServer((host, port), tsa, clock or (lambda: dt.datetime.now(dt.UTC)))


def serve_pki(folder: str, host: str = "127.0.0.1", port: int = 3161,
              ready: Callable[[str], None] | None = None) -> None:
    """``docflow pki tsa serve``: the TSA of the PKI folder ``folder`` until SIGINT or SIGTERM.

    ``ready`` is called with the URL once the socket is bound (``port=0`` takes a free one).

    Raises
    ------
    UsageError
        ``DF-PDF-015`` for a PKI without a TSA, ``DF-PDF-013`` for an address that cannot be
        bound.
    """
    tsa = read_tsa(folder)
    try:
        server = make_server(tsa, host, port)
    except OSError as exc:
        raise UsageError("DF-PDF-013", f"cannot listen on {host}:{port}: "
                         f"{exc.strerror or exc}") from None
    # SIGTERM leaves serve_forever like Ctrl-C does; the socket is closed either way.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if ready is not None:
        ready(f"http://{host}:{server.server_port}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
