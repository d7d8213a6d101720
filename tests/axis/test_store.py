"""The store on its own, on SQLite and on a real PostgreSQL: a batch answers as the same
messages one by one would, and a refusal in a batch leaves the others stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from docflow.axis.admission import Route
from docflow.axis.store import Conflict, Stored, open_store


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "axis.sqlite")
    return str(request.getfixturevalue("pg_url"))


def _doc(doc_id: str, to: tuple[str, ...] = ("B",)) -> Route:
    return Route("document", "A", to, doc_id, None, None)


def _status(doc_id: str, sender: str, code: str = "03") -> Route:
    return Route("status", sender, (), None, doc_id, code)


def test_a_batch_answers_as_one_by_one(url: str) -> None:
    store = open_store(url)
    try:
        results = store.add_batch([
            (b"<one/>", _doc("A,1")),
            (b"<one/>", _doc("A,1")),             # the same bytes: a resend
            (b"<other/>", _doc("A,1")),           # other bytes, same DocumentId
            (b"<st/>", _status("A,1", "B")),      # B answers
            (b"<st2/>", _status("A,9", "B")),     # a status for no document
            (b"<st3/>", _status("A,1", "C")),     # C is no party
            (b"<two/>", _doc("A,2", ("B", "C"))),
        ], now=1000.0)
        first, again, other, status, orphan, stranger, two = results
        assert isinstance(first, Stored) and not first.duplicate
        assert isinstance(again, Stored) and again.duplicate and again.id == first.id
        assert isinstance(other, Conflict) and other.code == "DF-AXS-008"
        assert isinstance(status, Stored) and status.receivers == ("A",)
        assert isinstance(orphan, Conflict) and orphan.code == "DF-AXS-006"
        assert isinstance(stranger, Conflict) and stranger.code == "DF-AXS-006"
        assert isinstance(two, Stored) and two.receivers == ("B", "C")
        assert [m.id for m in store.inbox("B")] == [two.id]  # the first one was answered
        assert store.fetch(first.id, "C") is None and store.fetch(first.id, "B") == b"<one/>"
        sent = {m.id: m.receivers for m in store.sent("A")}
        assert sent[first.id] == (("B", False, "03"),)
        assert store.counts(since=0)["messages"] == 3
    finally:
        store.close()
