"""The axis's judge processes (docflow/axis/judges.py): a judge that dies costs at most the
one message it was judging, never an acknowledgement, and no judge outlives its server; and
the connections the server keeps, so that a client pays one TLS handshake, not one a send."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from docflow.axis import Client
from docflow.axis.admission import Admission, Judgement
from docflow.axis.client import tls_context
from docflow.axis.directory import read_directory
from docflow.pki.national import NationalPki

from .live import G22, H49, SNV, Server, signed_document

_serials = itertools.count(7000)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return sorted(found)


def _judges(server: Server) -> list[int]:
    """The server's judge processes: its children running docflow.axis.judges."""
    assert server.process is not None
    return [pid for pid in _children(server.process.pid)
            if b"docflow.axis.judges" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(predicate: object, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.fixture()
def one_judge(pki_dir: Path, tmp_path: Path) -> Iterator[Server]:
    live = Server(pki_dir, str(tmp_path / "axis.sqlite"), extra=("--judges", "1")).start()
    try:
        yield live
    finally:
        live.stop()


def test_the_judgement_crosses_the_pipe_unchanged(pki: NationalPki, pki_dir: Path) -> None:
    """What a judge sends back (JSON) is the judgement itself, refusal findings included."""
    judge = Admission.from_pki(pki_dir, max_bytes=1 << 20)
    passed = judge.judge(signed_document(pki, H49, [SNV], next(_serials)))
    failed = judge.judge(signed_document(pki, H49, [SNV], next(_serials), organ=False))
    assert passed.passed and not failed.passed and failed.findings
    for judgement in (passed, failed):
        assert Judgement.from_dict(judgement.to_dict()) == judgement


def test_the_server_judges_in_as_many_processes_as_asked(one_judge: Server, pki: NationalPki,
                                                         pki_dir: Path) -> None:
    """--judges 1: one judge process beside the server, and it judges (a forgery is refused
    by it with the validation's codes)."""
    assert len(_judges(one_judge)) == 1
    with Client(one_judge.url, pki_dir, H49) as axis:
        assert axis.send(signed_document(pki, H49, [SNV], next(_serials))).accepted
        refused = axis.send(signed_document(pki, H49, [SNV], next(_serials), organ=False))
    assert refused.http_status == 422 and refused.code == "DF-AXS-005" and refused.codes


def test_a_judge_killed_while_idle_is_replaced_and_nothing_is_refused(
        one_judge: Server, pki: NationalPki, pki_dir: Path) -> None:
    """kill -9 of the idle judge: the next message is judged by its replacement."""
    (first,) = _judges(one_judge)
    os.kill(first, signal.SIGKILL)
    _wait_for(lambda: not _alive(first))
    with Client(one_judge.url, pki_dir, H49) as axis:
        result = axis.send(signed_document(pki, H49, [G22], next(_serials)))
    assert result.accepted, result
    (second,) = _judges(one_judge)
    assert second != first


def test_a_judge_that_dies_mid_message_costs_that_message_a_503(
        one_judge: Server, pki: NationalPki, pki_dir: Path) -> None:
    """A judge killed while it holds a message: that send is answered 503 DF-AXS-017 and not
    stored; the same message sent again is judged by the new judge and acknowledged."""
    (judge,) = _judges(one_judge)
    data = signed_document(pki, H49, [SNV], next(_serials))
    os.kill(judge, signal.SIGSTOP)  # the message waits in its pipe, unread
    answers = []
    with Client(one_judge.url, pki_dir, H49) as axis:
        sender = threading.Thread(target=lambda: answers.append(axis.send(data)))
        sender.start()
        time.sleep(0.5)
        os.kill(judge, signal.SIGKILL)
        sender.join(timeout=60)
        (first,) = answers
        assert first.http_status == 503 and first.code == "DF-AXS-017", first
        assert not any(m.get("document_id") for m in axis.sent())
        again = axis.send(data)
    assert again.accepted and not again.duplicate, again


def test_no_judge_outlives_a_killed_server(pki_dir: Path, tmp_path: Path) -> None:
    """kill -9 of the server process alone (not its group): its judges die with it."""
    live = Server(pki_dir, str(tmp_path / "axis.sqlite"), extra=("--judges", "2")).start()
    try:
        judges = _judges(live)
        assert len(judges) == 2
        assert live.process is not None
        os.kill(live.process.pid, signal.SIGKILL)
        live.process.wait(timeout=10)
        _wait_for(lambda: not any(_alive(pid) for pid in judges))
    finally:
        live.kill()


def test_an_idle_connection_is_kept_past_five_seconds(one_judge: Server, pki_dir: Path) -> None:
    """An agency that sends every few seconds keeps its connection (and spares the server a
    TLS handshake): a request 6 s after the last one, on the same connection, is answered
    (uvicorn's default keep-alive, 5 s, would have closed it)."""
    context = tls_context(read_directory(pki_dir), H49)
    with socket.create_connection(("127.0.0.1", one_judge.port), timeout=30) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        for _ in range(2):
            tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: axis\r\n\r\n")
            answer = b""
            while not answer.endswith(b'{"ok":true}'):
                chunk = tls.recv(4096)
                assert chunk, f"the server closed the connection after {answer!r}"
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200")
            time.sleep(6)
