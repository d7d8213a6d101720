"""Status codes that a receiving agency sends back about a document (QCVN 102:2016/BTTTT).

A receiver answers every document it gets with status messages that follow its handling:
``01`` the message arrived, then ``02`` rejected or ``03`` accepted (entered in the register),
``04`` assigned to a unit, ``05`` being processed, ``06`` done. ``13`` is the sender recalling its
own document, and ``15``/``16`` answer a request to change a document (accepted/rejected).
"""

from __future__ import annotations

import enum

__all__ = ["StatusCode"]


class StatusCode(enum.Enum):
    """A status code; the value is the two-digit string on the wire.

    >>> StatusCode("03").label
    'accepted'
    >>> StatusCode.DONE.value
    '06'
    """

    ARRIVED = "01"
    REJECTED = "02"
    ACCEPTED = "03"
    ASSIGNED = "04"
    PROCESSING = "05"
    DONE = "06"
    RECALLED = "13"
    CHANGE_ACCEPTED = "15"
    CHANGE_REJECTED = "16"

    @property
    def label(self) -> str:
        """A short English label for reports."""
        return _LABELS[self]

    @property
    def description(self) -> str:
        """The Vietnamese wording agencies use in ``Description``."""
        return _DESCRIPTIONS[self]

    @classmethod
    def lookup(cls, wire: str) -> StatusCode | None:
        """The member for ``wire`` (surrounding space ignored), ``None`` if it is not known.

        A parser keeps an unknown code as text, so that the rules can report it, rather than
        failing on it.

        >>> StatusCode.lookup(" 05 ") is StatusCode.PROCESSING
        True
        >>> StatusCode.lookup("99") is None
        True
        """
        return _BY_WIRE.get(wire.strip())


_LABELS = {
    StatusCode.ARRIVED: "arrived", StatusCode.REJECTED: "rejected",
    StatusCode.ACCEPTED: "accepted", StatusCode.ASSIGNED: "assigned",
    StatusCode.PROCESSING: "processing", StatusCode.DONE: "done",
    StatusCode.RECALLED: "recalled by sender", StatusCode.CHANGE_ACCEPTED: "change accepted",
    StatusCode.CHANGE_REJECTED: "change rejected",
}
_DESCRIPTIONS = {
    StatusCode.ARRIVED: "Đã đến",
    StatusCode.REJECTED: "Từ chối tiếp nhận",
    StatusCode.ACCEPTED: "Đã tiếp nhận",
    StatusCode.ASSIGNED: "Phân công xử lý",
    StatusCode.PROCESSING: "Đang xử lý",
    StatusCode.DONE: "Hoàn thành",
    StatusCode.RECALLED: "Thu hồi văn bản",
    StatusCode.CHANGE_ACCEPTED: "Đồng ý cập nhật, thay thế văn bản",
    StatusCode.CHANGE_REJECTED: "Từ chối cập nhật, thay thế văn bản",
}
_BY_WIRE = {member.value: member for member in StatusCode}
