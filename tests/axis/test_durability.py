"""Acknowledged means durable: ``kill -9`` of a real server process at random moments, under
concurrent sends, loses no acknowledged message and stores none twice."""

from __future__ import annotations

import contextlib
import hashlib
import random
import sqlite3
import threading
import time
from pathlib import Path

import psycopg
import pytest

from docflow.axis import Client
from docflow.errors import InputError
from docflow.pki.national import NationalPki

from .live import G22, H49, SNV, XA, Server, free_port, signed_document

_SENDERS = {H49: SNV, SNV: G22, G22: XA}
"""Three agencies send at once, each to its own receiver."""


def _send_until_killed(server: Server, pki_dir: Path, sender: str, items: list[int],
                       docs: dict[int, bytes], acked: dict[int, int],
                       lock: threading.Lock, stop: threading.Event) -> None:
    try:
        client = Client(server.url, pki_dir, sender, timeout=10)
    except InputError:
        return
    with client:
        for i in items:
            if stop.is_set():
                return
            try:
                result = client.send(docs[i])
            except InputError:  # the server died under the request: not acknowledged
                continue
            if result.accepted:
                with lock:
                    acked[i] = int(result.id or 0)


def _wait_for_acks(acked: dict[int, int], lock: threading.Lock, target: int,
                   deadline: float) -> None:
    """Until ``target`` messages are acknowledged (or the deadline): the kill then lands in
    the middle of the stream however fast this machine serves, never after its end."""
    while time.monotonic() < deadline:
        with lock:
            if len(acked) >= target:
                return
        time.sleep(0.001)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The embedded SQLite store, and a fresh database on a real PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "axis.sqlite")
    return str(request.getfixturevalue("pg_url"))


def _stored_rows(url: str) -> list[tuple[int, str, bytes]]:
    if url.startswith("postgresql://"):
        with psycopg.connect(url) as db:
            return [(int(r[0]), str(r[1]), bytes(r[2])) for r in
                    db.execute("SELECT id, sha256, body FROM messages").fetchall()]
    with contextlib.closing(sqlite3.connect(url)) as db:
        return [(int(r[0]), str(r[1]), bytes(r[2])) for r in
                db.execute("SELECT id, sha256, body FROM messages").fetchall()]


def test_every_acknowledged_message_survives_kill_9_exactly_once(
        pki: NationalPki, pki_dir: Path, store_url: str) -> None:
    """Kill the server (SIGKILL, its whole process group) at random moments while three
    agencies send (each kill after a random number of acknowledgements, so that it lands
    mid-stream on a fast machine too); restart it on the same store. Every message ever
    acknowledged is there under the id it was given, byte for byte, once; a resend of any
    message, acknowledged or cut off, is recognised rather than stored again. Bounded: 3 kills,
    150 messages, 120 s."""
    docs: dict[int, bytes] = {}
    owner: dict[int, str] = {}
    for i in range(150):
        sender = list(_SENDERS)[i % 3]
        docs[i] = signed_document(pki, sender, [_SENDERS[sender]], 7000 + i)
        owner[i] = sender
    db = store_url
    port = free_port()
    acked: dict[int, int] = {}
    lock = threading.Lock()
    rng = random.Random(15)
    deadline = time.monotonic() + 120
    kills = 0
    while kills < 3 and len(acked) < len(docs) and time.monotonic() < deadline:
        server = Server(pki_dir, str(db), port=port).start()
        stop = threading.Event()
        pending = [i for i in docs if i not in acked]
        threads = [threading.Thread(target=_send_until_killed, args=(
            server, pki_dir, sender, [i for i in pending if owner[i] == sender], docs, acked,
            lock, stop)) for sender in _SENDERS]
        for thread in threads:
            thread.start()
        _wait_for_acks(acked, lock, len(acked) + rng.randint(1, max(1, len(pending) // 4)),
                       deadline)
        time.sleep(rng.uniform(0, 0.02))  # a random moment, with requests in flight
        server.kill()
        kills += 1
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert kills >= 2 and acked, "the test must kill a server that acknowledged something"
    server = Server(pki_dir, str(db), port=port).start()
    try:
        clients = {code: Client(server.url, pki_dir, code, timeout=30)
                   for code in {*_SENDERS, *_SENDERS.values()}}
        for i, data in docs.items():
            again = clients[owner[i]].send(data)
            assert again.accepted, again
            if i in acked:
                assert again.duplicate and again.id == acked[i]
        for i, message_id in acked.items():
            assert clients[_SENDERS[owner[i]]].get(message_id) == docs[i]
        for client in clients.values():
            client.close()
    finally:
        server.stop()
    rows = _stored_rows(db)
    assert len(rows) == len(docs) == len({r[1] for r in rows})
    assert {hashlib.sha256(r[2]).hexdigest() for r in rows} == \
        {hashlib.sha256(d).hexdigest() for d in docs.values()}


def test_two_worker_processes_share_one_sqlite_file(pki: NationalPki, pki_dir: Path,
                                                    tmp_path: Path) -> None:
    """``--workers 2`` on SQLite: three agencies sending at once through both processes get
    every message acknowledged once (writes take the lock up front, BEGIN IMMEDIATE, so
    neither process fails upgrading a read lock), and resends are recognised across them."""
    db = tmp_path / "axis.sqlite"
    docs = {i: signed_document(pki, list(_SENDERS)[i % 3], [_SENDERS[list(_SENDERS)[i % 3]]],
                               7600 + i) for i in range(60)}
    server = Server(pki_dir, str(db), workers=2).start(timeout=120)
    acked: dict[int, int] = {}
    try:
        lock, stop = threading.Lock(), threading.Event()
        threads = [threading.Thread(target=_send_until_killed, args=(
            server, pki_dir, sender, [i for i in docs if i % 3 == k], docs, acked, lock, stop))
            for k, sender in enumerate(_SENDERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert len(acked) == len(docs)
        with Client(server.url, pki_dir, H49) as h49:
            again = h49.send(docs[0])
        assert again.duplicate and again.id == acked[0]
    finally:
        server.kill()
    rows = _stored_rows(str(db))
    assert sorted(r[0] for r in rows) == sorted(acked.values())
