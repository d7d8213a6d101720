"""Business rules on time: dates and timestamps exist, and come in a plausible order.

edXML writes dates ``yyyy/MM/dd`` and timestamps ``yyyy/MM/dd HH:mm:ss`` in Vietnam time.
Beyond the form, a message tells a story in time: a document is promulgated, then sent (the
first ``TraceHeader``), then relayed by hubs, then answered; an answer is due after it was
issued. A message that contradicts its own story was mis-dated, or assembled by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from lxml import etree

from docflow.envelope.dates import parse_date, parse_timestamp
from docflow.envelope.rules_tree import Rule, Tree, at, missing, text_of
from docflow.envelope.status import StatusCode
from docflow.errors import Finding

__all__ = ["date_of", "document_date_findings", "status_findings", "timestamp_of"]

_REJECTIONS = {StatusCode.REJECTED, StatusCode.CHANGE_REJECTED}
_KNOWN = " ".join(code.value for code in StatusCode)


def date_of(element: etree._Element) -> Rule[dt.date | None]:
    """The element's date (``DF-ENV-053`` if it is not one); ``None`` when it is not."""
    try:
        return parse_date(text_of(element))
    except ValueError as exc:
        yield Finding("DF-ENV-053", str(exc), at(element))
        return None


def timestamp_of(element: etree._Element) -> Rule[dt.datetime | None]:
    """The element's timestamp (``DF-ENV-054`` if it is not one); ``None`` when it is not."""
    try:
        return parse_timestamp(text_of(element))
    except ValueError as exc:
        yield Finding("DF-ENV-054", str(exc), at(element))
        return None


def _trace_findings(tree: Tree, promulgated: dt.date | None) -> Iterator[Finding]:
    previous: dt.datetime | None = None
    for hop in tree.all("TraceHeaderList", "TraceHeader"):
        element = tree.child(hop, "Timestamp")
        if element is None or not text_of(element):
            continue  # the schema reports it; there is no time to judge
        stamp = yield from timestamp_of(element)
        if not isinstance(stamp, dt.datetime):
            continue
        if promulgated is not None and stamp.date() < promulgated:
            yield Finding("DF-ENV-056", f"the message passed here at {text_of(element)}, before "
                          f"the document was promulgated on {promulgated:%Y/%m/%d}",
                          at(element))
        if previous is not None and stamp < previous:
            yield Finding("DF-ENV-057", f"this hop is stamped {text_of(element)}, earlier than "
                          f"the hop before it ({previous:%Y/%m/%d %H:%M:%S})", at(element))
        previous = stamp


def document_date_findings(tree: Tree, header: etree._Element, report_missing: bool
                           ) -> Rule[dt.date | None]:
    """PromulgationDate and DueDate (``DF-ENV-053``/``055``), hops (``054``/``056``/``057``).

    Returns the promulgation date when there is a valid one.
    """
    promulgated: dt.date | None = None
    element = tree.first("PromulgationInfo", "PromulgationDate")
    if element is None or not text_of(element):
        if report_missing:
            # An element without children is false to lxml: test for None, not truth.
            info = tree.first("MessageHeader", "PromulgationInfo")
            yield missing(header if info is None else info, "PromulgationDate")
    else:
        value = yield from date_of(element)
        promulgated = value if isinstance(value, dt.date) else None
    for due in tree.all("MessageHeader", "DueDate"):
        if not text_of(due):
            continue
        value = yield from date_of(due)
        if isinstance(value, dt.date) and promulgated is not None and value < promulgated:
            yield Finding("DF-ENV-055", f"DueDate {text_of(due)} is before the document was "
                          f"promulgated ({promulgated:%Y/%m/%d})", at(due))
    yield from _trace_findings(tree, promulgated)
    return promulgated


def status_findings(tree: Tree, status: etree._Element, promulgated: dt.date | None,
                    report_missing: bool) -> Iterator[Finding]:
    """StatusCode (``DF-ENV-061``), Timestamp (``054``/``058``), Description (``063``)."""
    code_el = tree.child(status, "StatusCode")
    code = None
    if code_el is None or not text_of(code_el):
        if report_missing:
            yield missing(status, "StatusCode")
    else:
        code = StatusCode.lookup(text_of(code_el))
        if code is None:
            yield Finding("DF-ENV-061", f"StatusCode {text_of(code_el)!r} is not one of "
                          f"{_KNOWN}", at(code_el))
    stamp_el = tree.child(status, "Timestamp")
    if stamp_el is None or not text_of(stamp_el):
        if report_missing:
            yield missing(status, "Timestamp")
    else:
        stamp = yield from timestamp_of(stamp_el)
        if isinstance(stamp, dt.datetime) and isinstance(promulgated, dt.date) \
                and stamp.date() < promulgated:
            yield Finding("DF-ENV-058", f"the status is stamped {text_of(stamp_el)}, before the "
                          f"document it answers was promulgated ({promulgated:%Y/%m/%d})",
                          at(stamp_el))
    if code in _REJECTIONS:
        description = tree.child(status, "Description")
        if description is None or not text_of(description):
            assert code is not None
            yield Finding("DF-ENV-063", f"status {code.value} ({code.label}) does not say why "
                          "in <Description>; the sender cannot correct the document",
                          at(code_el if code_el is not None else status))
