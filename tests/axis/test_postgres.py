"""PostgreSQL mode: several server processes share one store (a real PostgreSQL server)."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from docflow.axis import Client
from docflow.envelope.status import StatusCode
from docflow.pki.national import NationalPki

from .live import H49, SNV, Server, signed_document


def test_two_servers_share_one_store(pki: NationalPki, pki_dir: Path, pg_url: str) -> None:
    """Sent through one server, fetched and answered through another; a resend through the
    second is recognised; the same message sent to both at once is stored once."""
    one = Server(pki_dir, pg_url).start()
    two = Server(pki_dir, pg_url).start()
    try:
        with Client(one.url, pki_dir, H49) as h49_one, Client(two.url, pki_dir, H49) as h49_two, \
                Client(two.url, pki_dir, SNV) as snv_two:
            document = signed_document(pki, H49, [SNV], 9001)
            sent = h49_one.send(document)
            assert sent.accepted and not sent.duplicate
            again = h49_two.send(document)
            assert again.duplicate and again.id == sent.id
            assert [m["id"] for m in snv_two.inbox()] == [sent.id]
            assert snv_two.get(int(sent.id or 0)) == document
            assert snv_two.status(int(sent.id or 0), StatusCode.ARRIVED).accepted
            assert [m["status_code"] for m in h49_one.inbox()] == ["01"]

            racing = signed_document(pki, H49, [SNV], 9002)
            results = []

            def send(client: Client) -> None:
                results.append(client.send(racing))

            threads = [threading.Thread(target=send, args=(c,)) for c in (h49_one, h49_two)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            assert len(results) == 2 and all(r.accepted for r in results)
            assert len({r.id for r in results}) == 1
            assert sorted(r.duplicate for r in results) == [False, True]
    finally:
        one.stop()
        two.stop()


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_serve_one_store_and_die_with_their_parent(pki: NationalPki, pki_dir: Path,
                                                           pg_url: str) -> None:
    """``--workers 2`` serves; a kill -9 of the parent alone (not its group) leaves no worker
    serving on: each asked the kernel to die with its parent."""
    server = Server(pki_dir, pg_url, workers=2).start(timeout=120)
    assert server.process is not None
    try:
        with Client(server.url, pki_dir, H49) as h49:
            for serial in range(9100, 9106):
                assert h49.send(signed_document(pki, H49, [SNV], serial)).accepted
        workers = _children(server.process.pid)
        assert len(workers) >= 2
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
        deadline = time.monotonic() + 30
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers)
    finally:
        server.kill() if server.process and server.process.poll() is None else None
        for pid in _children(server.process.pid) if server.process else ():
            os.kill(pid, signal.SIGKILL)
