"""A trickled request body (slowloris on the body): on main the server waited for it for
ever, holding the connection. Now the body has ``--body-timeout`` seconds to arrive whole:
408 ``DF-AXS-016``, nothing stored, and the server answers others meanwhile."""

from __future__ import annotations

import json
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.axis.live import H49, Server, national_pki, write_folder


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = write_folder(national_pki(), tmp_path_factory.mktemp("pki"))
    live = Server(folder, str(tmp_path_factory.mktemp("db") / "axis.sqlite"),
                  extra=("--body-timeout", "1")).start()
    try:
        yield live
    finally:
        live.stop()


def _agency_context(folder: Path, code: str) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(folder / "tls" / "ca.pem"))
    [cert] = folder.glob(f"agencies/*/{code}.tls.pem")
    context.load_cert_chain(str(cert), str(cert.with_suffix(".key")))
    return context


def test_a_trickled_body_is_cut_off(slow_server: Server) -> None:
    """Headers announce 5,000 bytes; one arrives every 0.4 s. Within a few seconds the
    server answers 408 with DF-AXS-016 and closes, instead of waiting for the rest."""
    context = _agency_context(slow_server.pki, H49)
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", slow_server.port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        tls.sendall(b"POST /messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\n"
                    b"Content-Length: 5000\r\n\r\n<edXML")
        tls.settimeout(0.4)
        answer = b""
        for _ in range(25):
            try:
                tls.sendall(b" ")
                chunk = tls.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            answer += chunk
            if b"\r\n\r\n" in answer and answer.endswith(b"}"):
                break
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    body = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert body["code"] == "DF-AXS-016" and body["accepted"] is False
    assert time.monotonic() - start < 8
