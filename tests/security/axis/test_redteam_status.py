"""Status messages that claim a role their sender does not have (each was stored on main).

QCVN 102:2016's status codes belong to sides: the receivers of a document answer it (01
arrived … 06 done, 15/16 change accepted/rejected), and only its sender recalls it (13). A
receiver's "13" reads, in the sender's list, as if the sender had recalled its own document;
a sender's "03" or "06" reaches every receiver as if one of them had accepted or finished it.
Both are refused with ``DF-AXS-006`` and nothing is stored, on the store every server process
shares (the TLS caller is already bound to From by ``DF-AXS-003``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from docflow.axis.admission import Route
from docflow.axis.store import Conflict, Stored, open_store


def _doc(doc_id: str, to: tuple[str, ...] = ("B", "C")) -> Route:
    return Route("document", "A", to, doc_id, None, None)


def _status(doc_id: str, sender: str, code: str) -> Route:
    return Route("status", sender, (), None, doc_id, code)


@pytest.mark.parametrize(("sender", "code"), [("B", "13"), ("A", "03"), ("A", "06"),
                                              ("A", "01"), ("A", "15")])
def test_a_status_of_the_other_side_is_refused(sender: str, code: str, tmp_path: Path) -> None:
    """A receiver recalling (13), or the sender answering its own document as a receiver
    would: DF-AXS-006, no message stored, no delivery changed."""
    store = open_store(str(tmp_path / "axis.sqlite"))
    try:
        first = store.add_batch([(b"<doc/>", _doc("A,1"))], now=1000.0)[0]
        assert isinstance(first, Stored)
        forged = store.add_batch([(b"<forged/>", _status("A,1", sender, code))],
                                 now=1001.0)[0]
        assert isinstance(forged, Conflict) and forged.code == "DF-AXS-006", forged
        assert store.counts(since=0)["messages"] == 1
        assert [m.id for m in store.inbox("B")] == [first.id]
        assert {m.id: m.receivers for m in store.sent("A")}[first.id] == (
            ("B", True, None), ("C", True, None))
    finally:
        store.close()


@pytest.mark.parametrize(("sender", "code", "receivers"), [("A", "13", ("B", "C")),
                                                          ("B", "03", ("A",)),
                                                          ("C", "16", ("A",))])
def test_each_side_keeps_its_own_codes(sender: str, code: str, receivers: tuple[str, ...],
                                       tmp_path: Path) -> None:
    """The sender recalls to every receiver; a receiver answers the sender."""
    store = open_store(str(tmp_path / "axis.sqlite"))
    try:
        store.add_batch([(b"<doc/>", _doc("A,1"))], now=1000.0)
        answer = store.add_batch([(b"<st/>", _status("A,1", sender, code))], now=1001.0)[0]
        assert isinstance(answer, Stored) and answer.receivers == receivers
    finally:
        store.close()
