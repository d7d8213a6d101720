"""The business rules of an edXML message, run on the parsed tree: what the XSD cannot say.

The schema checks structure; these rules check meaning: that organ codes are codes, that the
``DocumentId`` agrees with the sender, the date and the number, that the notation carries the
abbreviation of the Decree 30/2020 document type, that dates exist and come in a plausible order,
that every attachment in the manifest is there exactly once and is base64, and that a legacy
QCVN ``Signature`` is reported as what it is: present, and not verifiable.

The rules read the lxml tree rather than the model so that every finding has a line and an
element path (:func:`docflow.xmlsafe.element_path`). They tolerate the variants real messages
have: elements in any order, the aliases of :mod:`docflow.envelope.layout` (``TimeStamp``,
``Business``…), a root of ``edXMLEnvelope`` without the ``edXML`` wrapper.

Speed: one walk over the tree indexes every QCVN element by (parent, name); each rule then looks
up the few elements it needs, and element paths are only computed for findings.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from docflow.envelope import layout
from docflow.envelope.kind import MessageKind, message_kind
from docflow.envelope.model import NS
from docflow.envelope.rules_attachments import attachment_findings, legacy_signature_findings
from docflow.envelope.rules_codes import (
    code_findings,
    document_id_findings,
    organ_findings,
    other_info_findings,
    recipient_findings,
    response_for_findings,
)
from docflow.envelope.rules_dates import document_date_findings, status_findings
from docflow.envelope.rules_tree import Tree, TreeSpec, hidden, missing, unread
from docflow.errors import Finding

__all__ = ["NAMESPACE", "MessageKind", "message_kind", "rule_findings"]

NAMESPACE = NS
"""The QCVN 102:2016 namespace every edXML element is in."""


def _aliases() -> dict[str, str]:
    """Every field spelling the parser accepts, mapped to the canonical tag (from the layout)."""
    found: dict[str, str] = {}

    def walk(parts: tuple[layout.Part, ...]) -> None:
        for part in parts:
            for alias in part.aliases:
                found[alias] = part.tag
            walk(part.parts)
            if part.block is not None:
                walk(part.block.parts)

    walk(layout.DOCUMENT.parts)
    walk(layout.STATUS.parts)
    return found


#: Every element a rule reads, as a field or as the parent of one.
_READ = frozenset({
    "edXMLHeader", "MessageHeader", "Status", "From", "To", "OrganId", "DocumentId", "Code",
    "CodeNumber", "CodeNotation", "PromulgationInfo", "PromulgationDate", "DocumentType", "Type",
    "TypeName", "DueDate", "OtherInfo", "Priority", "ResponseFor", "TraceHeaderList",
    "TraceHeader", "Timestamp", "Bussiness", "BussinessDocType", "ReceiverList", "Receiver",
    "ReplacementInfo", "OrganIdList", "StatusCode", "Description", "edXMLManifest", "Reference",
    "AttachmentEncoded", "Attachment", "ContentId", "ContentTransferEncoded", "Signature",
    "DigitalSignature",
})
_SPEC = TreeSpec(_READ, _aliases())


def _document(tree: Tree, report_missing: bool) -> Iterator[Finding]:
    header = tree.first("edXMLHeader", "MessageHeader")
    if header is None:
        if report_missing:
            # An element without children is false to lxml: test for None, not truth.
            above = tree.first("edXMLEnvelope", "edXMLHeader")
            yield missing(tree.root if above is None else above, "MessageHeader")
        return
    sender = tree.first("MessageHeader", "From")
    if sender is None and report_missing:
        yield missing(header, "From")
    senders = yield from organ_findings(tree, [sender] if sender is not None else [],
                                        report_missing)
    receivers = tree.all("MessageHeader", "To")
    if not receivers and report_missing:
        yield missing(header, "To")
    receiver_ids = yield from organ_findings(tree, receivers, report_missing)
    yield from recipient_findings(tree, senders[0] if senders else None, receivers,
                                  receiver_ids)
    yield from organ_findings(tree, tree.all("TraceHeaderList", "TraceHeader"), False)
    yield from organ_findings(tree, tree.all("ReceiverList", "Receiver"), False)
    for organ_list in tree.all("ReplacementInfo", "OrganIdList"):
        for organ in tree.children(organ_list, "OrganId"):
            yield from tree.organ_code(organ)
    yield from code_findings(tree, header, report_missing)
    yield from document_date_findings(tree, header, report_missing)
    yield from document_id_findings(tree, header, report_missing)
    yield from other_info_findings(tree)
    for response in tree.all("MessageHeader", "ResponseFor"):
        yield from response_for_findings(tree, response, report_missing)
    yield from attachment_findings(tree, report_missing)


def _status(tree: Tree, report_missing: bool) -> Iterator[Finding]:
    status = tree.first("edXMLHeader", "Status")
    if status is None:  # pragma: no cover - message_kind found it
        return
    sender = tree.first("Status", "From")
    if sender is None and report_missing:
        yield missing(status, "From")
    yield from organ_findings(tree, [sender] if sender is not None else [], report_missing)
    response = tree.first("Status", "ResponseFor")
    promulgated = None
    if response is None:
        if report_missing:
            yield missing(status, "ResponseFor")
    else:
        promulgated = yield from response_for_findings(tree, response, report_missing)
    yield from status_findings(tree, status, promulgated, report_missing)


def rule_findings(root: etree._Element, *, report_missing: bool = True,
                  kind: MessageKind | None = None) -> list[Finding]:
    """Every business-rule finding of an edXML message, in document order of the rules.

    Parameters
    ----------
    root
        The root element as :func:`docflow.xmlsafe.parse_xml` returns it.
    report_missing
        Report a field the rules need but cannot find (``DF-ENV-041``) and a second copy of a
        singleton (``DF-ENV-092``). The validation engine turns it off when the schema runs,
        because the schema already reports the absence and the copy (``DF-ENV-005``).
    kind
        The message's kind if the caller has it already (:func:`message_kind` otherwise).

    Returns
    -------
    list of Finding
        Locations carry the line and element path; the caller knows the file.

    Examples
    --------
    >>> from docflow.envelope.builder import build
    >>> from docflow.envelope.samples import example_document
    >>> from docflow.xmlsafe import parse_xml
    >>> rule_findings(parse_xml(build(example_document())))
    []
    """
    tree = Tree(root, _SPEC)
    findings = [hidden(element) for element in tree.hidden]
    # A second copy of a singleton is always ignored; the schema, when it runs, has already
    # refused it (DF-ENV-005), so it is reported here only when the schema does not run.
    findings.extend(unread(code, element) for code, element in tree.unread
                    if report_missing or code != "DF-ENV-092")
    findings.extend(legacy_signature_findings(tree))
    if (kind or message_kind(root)) is MessageKind.STATUS:
        findings.extend(_status(tree, report_missing))
    else:
        findings.extend(_document(tree, report_missing))
    return findings
