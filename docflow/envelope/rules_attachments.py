"""Business rules on the body: manifest against attachments, base64, and legacy signatures.

The manifest (``edXMLBody/edXMLManifest/Reference``) is what the sender declares it sends; the
attachments (``AttachmentEncoded/Attachment``) are what it sends. A receiver files what the
manifest lists, so every Reference needs exactly one Attachment with its ``ContentId``, and an
attachment the manifest does not list is content nobody declared. The QCVN-namespace
``Signature`` of field messages is not XML-DSig and often holds placeholder values: it is
reported as present and unverifiable, never as a valid signature.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from docflow.envelope.rules_tree import Tree, at, missing, text_of
from docflow.errors import Finding
from docflow.xmlsafe import text_content

__all__ = ["attachment_findings", "legacy_signature_findings"]

_WHITESPACE = b" \t\r\n"
_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_PAD_AND_WHITESPACE = b"=" + _WHITESPACE
_LEGACY_SIGNATURES = ("Signature", "DigitalSignature")


def _content_id(text: str) -> str:
    """The ContentId without the decorations some senders add (``cid:``, ``<…>``).

    >>> _content_id(" <cid:att-1> ")
    'att-1'
    """
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    if text[:4].lower() == "cid:":
        text = text[4:]
    return text


def _ids(tree: Tree, elements: list[etree._Element], report_missing: bool,
         duplicate_code: str, what: str) -> Iterator[tuple[str, etree._Element] | Finding]:
    seen: set[str] = set()
    for element in elements:
        cid_el = tree.child(element, "ContentId")
        cid = _content_id(text_of(cid_el)) if cid_el is not None else ""
        if not cid:
            if report_missing:
                yield missing(element, "ContentId")
            continue
        if cid in seen:
            yield Finding(duplicate_code, f"ContentId {cid!r} is used by more than one {what}",
                          at(cid_el if cid_el is not None else element))
            continue
        seen.add(cid)
        yield cid, element


def _base64_findings(tree: Tree, attachment: etree._Element, cid: str,
                     report_missing: bool) -> Iterator[Finding]:
    encoded = tree.child(attachment, "ContentTransferEncoded")
    if encoded is None:
        if report_missing:
            yield missing(attachment, "ContentTransferEncoded")
        return
    text = text_content(encoded)  # all of it: a comment must not hide the rest
    try:
        data = text.encode("ascii")
    except UnicodeEncodeError:
        yield Finding("DF-ENV-067", f"attachment {cid!r} is not valid base64: it holds "
                      "characters outside ASCII", at(encoded))
        return
    reason = _base64_problem(data)
    if reason == "empty":
        yield Finding("DF-ENV-069", f"attachment {cid!r} is empty", at(encoded))
    elif reason:
        yield Finding("DF-ENV-067", f"attachment {cid!r} is not valid base64: {reason}",
                      at(encoded))


def _base64_problem(data: bytes) -> str | None:
    """Why ``data`` is not base64 (``"empty"`` if there is nothing), or ``None`` if it is.

    Line breaks and spaces are allowed (MIME writes 76-character lines); any other character
    outside the alphabet, padding anywhere but at the end, or a length that does not fill
    whole groups of four is not.

    Speed: one ``bytes.translate`` pass over the data (drop the alphabet; what is left must be
    whitespace and final padding) runs in C at memory speed and decodes nothing;
    ``binascii.a2b_base64(strict_mode=True)`` takes about five times longer on 2 MB.

    >>> _base64_problem(b"aGk="), _base64_problem(b"a=Gk")
    (None, "'=' padding inside the data")
    >>> _base64_problem(b"aGk")
    'cut short: 3 character(s) past the last whole group of 4'
    """
    rest = data.translate(None, _ALPHABET)  # whitespace, padding and anything wrong
    bad = rest.translate(None, _PAD_AND_WHITESPACE)
    if bad:
        return f"it holds {bad[:1].decode('latin-1')!r}, which is not a base64 character"
    pads = rest.count(b"=")
    size = len(data) - len(rest) + pads  # characters other than whitespace
    if size == 0:
        return "empty"
    if pads:
        if pads > 2:
            return "too much '=' padding"
        if data[data.find(b"="):].translate(None, _PAD_AND_WHITESPACE):
            return "'=' padding inside the data"
    if size % 4:
        return f"cut short: {size % 4} character(s) past the last whole group of 4"
    return None


def attachment_findings(tree: Tree, report_missing: bool) -> Iterator[Finding]:
    """Manifest and attachments agree one to one (``DF-ENV-064``…``069``)."""
    references: dict[str, etree._Element] = {}
    for item in _ids(tree, tree.all("edXMLManifest", "Reference"), report_missing,
                     "DF-ENV-068", "manifest Reference"):
        if isinstance(item, Finding):
            yield item
        else:
            references[item[0]] = item[1]
    attachments: dict[str, etree._Element] = {}
    for item in _ids(tree, tree.all("AttachmentEncoded", "Attachment"), report_missing,
                     "DF-ENV-065", "Attachment"):
        if isinstance(item, Finding):
            yield item
            continue
        cid, attachment = item
        attachments[cid] = attachment
        yield from _base64_findings(tree, attachment, cid, report_missing)
        if cid not in references:
            yield Finding("DF-ENV-066", f"attachment {cid!r} is not listed in the manifest "
                          "(edXMLManifest/Reference)", at(attachment))
    for cid, reference in references.items():
        if cid not in attachments:
            yield Finding("DF-ENV-064", f"the manifest lists {cid!r}, but no Attachment has "
                          "that ContentId", at(reference))


def _names_sha1(signature: etree._Element) -> bool:
    for element in signature.iter():
        for value in element.attrib.values():
            if "sha1" in value.lower():
                return True
    return "sha1" in text_content(signature).lower()


def legacy_signature_findings(tree: Tree) -> Iterator[Finding]:
    """A QCVN-namespace ``Signature`` is reported as unverifiable (``DF-ENV-070``)."""
    for name in _LEGACY_SIGNATURES:
        for signature in tree.named(name):
            sha1 = " It names SHA-1, which no longer protects a signature." \
                if _names_sha1(signature) else ""
            yield Finding("DF-ENV-070", f"<{name}> in the QCVN 102 namespace is a legacy "
                          "signature, not an XML-DSig one (http://www.w3.org/2000/09/xmldsig#): "
                          f"docflow cannot verify it, so it proves nothing about the message."
                          f"{sha1}", at(signature))
