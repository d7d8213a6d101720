"""A real axis for the tests: a PKI folder written by pki's own writer, really signed messages,
and ``docflow axis serve`` started as its own process on a free loopback port."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from docflow.dsig import Signer
from docflow.envelope.builder import build
from docflow.envelope.dates import VIETNAM
from docflow.envelope.samples import sample_document
from docflow.pki.export import write_pki
from docflow.pki.national import Agency, NationalPki
from docflow.pki.roles import Role
from docflow.profile.edxml import sign_message

ISSUED = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).replace(hour=0, minute=0, second=0,
                                                                  microsecond=0)
"""The PKI is issued two days ago, so that its CRLs are in force now (the server checks
signatures at the time of the request)."""

AGENCIES = (
    Agency("000.00.00.G22", "Văn phòng Chính phủ", "central", "axis"),
    Agency("000.00.00.H49", "Ủy ban nhân dân tỉnh Quảng Nam", "province", "lgsp-h49"),
    Agency("000.00.12.H49", "Sở Nội vụ tỉnh Quảng Nam", "province", "lgsp-h49"),
    Agency("000.01.12.H49", "Ủy ban nhân dân xã 01", "commune", "lgsp-h49"),
)
G22, H49, SNV, XA = (a.organ_code for a in AGENCIES)


def national_pki() -> NationalPki:
    return NationalPki.build(AGENCIES, seed=11, at=ISSUED)


def write_folder(pki: NationalPki, folder: Path) -> Path:
    write_pki(pki, folder, jobs=1)
    return folder


def signed_document(pki: NationalPki, sender: str, receivers: list[str], serial: int, *,
                    organ: bool = True, size: int = 600) -> bytes:
    """A document of ``sender`` to ``receivers``, signed by its signer and its organ."""
    when = dt.datetime.now(VIETNAM).replace(microsecond=0) - dt.timedelta(minutes=5)
    envelope = sample_document(np.random.default_rng([11, serial]), sender=sender,
                               receivers=receivers, attachments=1, size=size, when=when,
                               number=serial)
    data = build(envelope)
    for role, wanted in ((Role.SIGNER, True), (Role.ORGAN, organ)):
        if wanted:
            key, cert, chain = pki.credentials_for(sender, role)
            data = sign_message(data, Signer(key, [cert, *chain]), role)
    return data


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """``docflow axis serve`` in a process of its own (its own process group)."""

    pki: Path
    db: str
    port: int = field(default_factory=free_port)
    workers: int = 1
    extra: tuple[str, ...] = ()
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> Server:
        command = [sys.executable, "-c", "from docflow.cli import main; main()", "axis",
                   "serve", "--pki", str(self.pki), "--db", self.db, "--port",
                   str(self.port), "--workers", str(self.workers), *self.extra]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + timeout
        context = ssl.create_default_context(cafile=str(self.pki / "tls" / "ca.pem"))
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"the server exited with {self.process.returncode}: {err}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as raw, \
                        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                    tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if tls.recv(64).startswith(b"HTTP/1.1 200"):
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the server did not answer within the timeout")

    def kill(self) -> None:
        """``kill -9`` of the server's process group (the server and any worker)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
