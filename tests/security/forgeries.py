"""A generator of forgeries: every signed part of a docflow-signed message, moved, copied or
copied-then-forged to every place an attacker might hide it, and the other families of the
literature (stripping, re-rooting, kind and key confusion, text and namespace games, extra
content in unsigned places, attachment swaps), each as a named edit of a fresh tree.

Each forgery is a function of the message root (edited in place); :data:`WRAPPINGS` is the
cross product of parts × places × operations, and :data:`FAMILIES` the hand-named rest.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree

from .attack import (
    attachments,
    ds,
    ec_key_value,
    ed,
    header,
    mac,
    organ_signature,
    references,
    replace_key_info,
    resign,
    set_digest,
    signer_signature,
    without,
)

Edit = Callable[[etree._Element], None]
FORGED_SUBJECT = "Về việc thu hồi toàn bộ kinh phí đã cấp"
FORGED_CONTENT = "Rk9SR0VEIENPTlRFTlQ="  # "FORGED CONTENT"


def _find(root: etree._Element, path: str) -> etree._Element:
    found = root.find(path)
    assert found is not None, path
    return found


def message_header(root: etree._Element) -> etree._Element:
    return _find(header(root), ed("MessageHeader"))


def envelope(root: etree._Element) -> etree._Element:
    return _find(root, ed("edXMLEnvelope"))


def forge_subject(element: etree._Element) -> None:
    """Rewrite the Subject at or under ``element``."""
    subject = element if element.tag == ed("Subject") else element.find(f".//{ed('Subject')}")
    assert subject is not None
    subject.text = FORGED_SUBJECT


def forge_content(element: etree._Element) -> None:
    content = element.find(ed("ContentTransferEncoded"))
    assert content is not None
    content.text = FORGED_CONTENT


#: The signed parts an attacker moves, and how each is forged in place.
PARTS: dict[str, tuple[Callable[[etree._Element], etree._Element], Edit | None]] = {
    "organ-signature": (organ_signature, None),
    "signer-signature": (signer_signature, None),
    "attachment": (lambda root: attachments(root)[0], forge_content),
    "message-header": (message_header, forge_subject),
    "envelope": (envelope, forge_subject),
}


def _wrapper(parent: etree._Element, tag: str = "{urn:attacker}Wrapper") -> etree._Element:
    return etree.SubElement(parent, tag)


#: Where an attacker puts a moved or copied part: a function giving the new parent.
PLACES: dict[str, Callable[[etree._Element], etree._Element]] = {
    "root": lambda root: root,
    "envelope": envelope,
    "header": header,
    "message-header": message_header,
    "body": lambda root: _find(envelope(root), ed("edXMLBody")),
    "attachments": lambda root: _find(root, ed("AttachmentEncoded")),
    "wrapper-in-header": lambda root: _wrapper(header(root)),
    "wrapper-in-root": lambda root: _wrapper(root),
    "qcvn-wrapper-in-header": lambda root: _wrapper(header(root), ed("Extension")),
    "organ-object": lambda root: _wrapper(organ_signature(root), ds("Object")),
    "signer-object": lambda root: _wrapper(signer_signature(root), ds("Object")),
    "organ-key-info": lambda root: _find(organ_signature(root), ds("KeyInfo")),
}


#: Where each part stands: moving it there moves nothing.
STANDS_AT: dict[str, str] = {
    "organ-signature": "header",
    "signer-signature": "header",
    "attachment": "attachments",
    "message-header": "header",
    "envelope": "root",
}

#: The parts each place lies in, or is: a part cannot be moved or copied into itself.
WITHIN: dict[str, frozenset[str]] = {
    "root": frozenset(),
    "envelope": frozenset({"envelope"}),
    "header": frozenset({"envelope"}),
    "message-header": frozenset({"envelope", "message-header"}),
    "body": frozenset({"envelope"}),
    "attachments": frozenset(),
    "wrapper-in-header": frozenset({"envelope"}),
    "wrapper-in-root": frozenset(),
    "qcvn-wrapper-in-header": frozenset({"envelope"}),
    "organ-object": frozenset({"envelope", "organ-signature"}),
    "signer-object": frozenset({"envelope", "signer-signature"}),
    "organ-key-info": frozenset({"envelope", "organ-signature"}),
}

#: The parts and places that exist only once the organ has signed.
ORGAN_ONLY = frozenset({"organ-signature", "organ-object", "organ-key-info"})


def possible(part: str, place: str, operation: str) -> bool:
    """Whether ``operation`` of ``part`` to ``place`` can be built on a docflow-signed message:
    not into the part itself, nor a move to where the part already stands."""
    return part not in WITHIN[place] and not (operation == "move" and STANDS_AT[part] == place)


def _wrap(part: str, place: str, operation: str) -> Edit | None:
    take, forge = PARTS[part]

    def change(root: etree._Element) -> None:
        element = take(root)
        parent = PLACES[place](root)
        if operation == "move":
            parent.append(element)
        elif operation == "copy":
            parent.append(copy.deepcopy(element))
        else:  # the original hidden at the place, a forged twin where it was
            parent.append(copy.deepcopy(element))
            assert forge is not None
            forge(element)

    def contains(root: etree._Element) -> bool:
        element = take(root)
        parent = PLACES[place](root)
        return element is parent or element in parent.iterancestors() or \
            (parent is element.getparent() and operation == "move")

    if operation == "forge" and forge is None:
        return None

    def guarded(root: etree._Element) -> None:
        # After other forgeries (a composition), a part may have come to hold the place.
        probe = copy.deepcopy(root)
        if contains(probe):
            raise _Skip
        change(root)
    return guarded


class _Skip(Exception):
    """A combination that makes no sense (a part moved into itself, or where it stands)."""


#: Each wrapping's (operation, part, place), by name.
_WRAPPED: dict[str, tuple[str, str, str]] = {}


def _wrappings() -> dict[str, Edit]:
    out: dict[str, Edit] = {}
    for part in PARTS:
        for place in PLACES:
            for operation in ("move", "copy", "forge"):
                change = _wrap(part, place, operation)
                if change is None:
                    continue
                name = f"{operation}-{part}-to-{place}"
                out[name] = change
                _WRAPPED[name] = (operation, part, place)
    return out


def applicable(change: Edit, root: etree._Element) -> bool:
    """Apply ``change`` to ``root``; False when the combination makes no sense."""
    try:
        change(root)
    except _Skip:
        return False
    return True


def possible_wrappings(*, organ_signed: bool = True) -> list[str]:
    """The names of the wrappings that can be built (:func:`possible`) on a message the organ
    has signed, or only the person (no organ Signature to move, or to hide a part in)."""
    return sorted(name for name, (operation, part, place) in _WRAPPED.items()
                  if possible(part, place, operation)
                  and (organ_signed or not {part, place} & ORGAN_ONLY))


WRAPPINGS = _wrappings()


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    assert parent is not None
    parent.remove(element)


def _steps(*steps: Edit) -> Edit:
    def change(root: etree._Element) -> None:
        for step in steps:
            step(root)
    return change


def strip_organ(root: etree._Element) -> None:
    _remove(organ_signature(root))


def strip_signer(root: etree._Element) -> None:
    _remove(signer_signature(root))


def forge_header(root: etree._Element) -> None:
    forge_subject(message_header(root))


def forge_attachment(root: etree._Element) -> None:
    forge_content(attachments(root)[0])


def _add(parent: Callable[[etree._Element], etree._Element], tag: str,
         text: str | None = None) -> Edit:
    def change(root: etree._Element) -> None:
        etree.SubElement(parent(root), tag).text = text
    return change


def _set_attribute(element: Callable[[etree._Element], etree._Element], name: str,
                   value: str) -> Edit:
    return lambda root: element(root).set(name, value)


def _swap_contents(root: etree._Element) -> None:
    first, second = (a.find(ed("ContentTransferEncoded")) for a in attachments(root)[:2])
    assert first is not None and second is not None
    first.text, second.text = second.text, first.text


def _swap_ids(root: etree._Element) -> None:
    first, second = attachments(root)[:2]
    a, b = first.get("Id"), second.get("Id")
    first.set("Id", b or "")
    second.set("Id", a or "")


def _swap_content_ids(root: etree._Element) -> None:
    first, second = (a.find(ed("ContentId")) for a in attachments(root)[:2])
    assert first is not None and second is not None
    first.text, second.text = second.text, first.text


def _reorder_attachments(root: etree._Element) -> None:
    first, second = attachments(root)[:2]
    second.addnext(first)


def _duplicate_attachment(root: etree._Element) -> None:
    first = attachments(root)[0]
    twin = copy.deepcopy(first)
    del twin.attrib["Id"]
    forge_content(twin)
    first.getparent().append(twin)  # type: ignore[union-attr]


def _drop_attachment(root: etree._Element) -> None:
    _remove(attachments(root)[1])


def _evil_twin_with_foreign_id(root: etree._Element) -> None:
    """The signed attachment moved under a foreign wrapper; a forged twin in its place with
    the same Id in another namespace."""
    original = attachments(root)[0]
    twin = copy.deepcopy(original)
    identifier = twin.attrib.pop("Id")
    twin.set("{urn:attacker}Id", identifier)
    forge_content(twin)
    original.addprevious(twin)
    _wrapper(root).append(original)


def _evil_twin_with_xml_id(root: etree._Element) -> None:
    original = attachments(root)[0]
    twin = copy.deepcopy(original)
    twin.set("{http://www.w3.org/XML/1998/namespace}id", twin.attrib.pop("Id"))
    forge_content(twin)
    original.addprevious(twin)
    _wrapper(root).append(original)


def _duplicate_id_on_header(root: etree._Element) -> None:
    message_header(root).set("Id", attachments(root)[0].get("Id") or "")


def _hmac_organ(root: etree._Element) -> None:
    signature = organ_signature(root)
    replace_key_info(signature)
    mac(signature, b"a secret the attacker chose")


def _key_value_organ(root: etree._Element) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    forge_header(root)
    signature = organ_signature(root)
    [reference] = references(signature)
    set_digest(reference, without(root, signature))
    resign(signature, key, "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256")
    replace_key_info(signature, key_value=ec_key_value(key))


def _add_status(tag: str) -> Edit:
    return lambda root: etree.SubElement(header(root), tag).__setattr__("text", None)


def _rename_message_header_status(root: etree._Element) -> None:
    message_header(root).tag = ed("Status")


#: Forgeries of the organ- and person-signed message, by family.
FAMILIES: dict[str, Edit] = {
    # stripping
    "strip-organ": strip_organ,
    "strip-signer": strip_signer,
    "strip-both": _steps(strip_organ, strip_signer),
    "strip-organ-forge-header": _steps(strip_organ, forge_header),
    "strip-organ-forge-attachment": _steps(strip_organ, forge_attachment),
    "strip-signer-forge-attachment": _steps(strip_signer, forge_attachment),
    # kind confusion
    "kind-foreign-status": _steps(strip_organ, forge_header, _add_status("{urn:x}Status")),
    "kind-bare-status": _steps(strip_organ, forge_header, _add_status("Status")),
    "kind-qcvn-status": _steps(strip_organ, forge_header, _add_status(ed("Status"))),
    "kind-header-renamed-status": _steps(strip_organ, _rename_message_header_status),
    "kind-status-kept-signature": _add_status(ed("Status")),
    # key confusion
    "key-hmac-organ": _steps(forge_header, _hmac_organ),
    "key-value-organ": _key_value_organ,
    # duplicate and foreign Ids
    "id-foreign-namespace-twin": _evil_twin_with_foreign_id,
    "id-xml-id-twin": _evil_twin_with_xml_id,
    "id-duplicate-on-header": _duplicate_id_on_header,
    # extra content in unsigned places
    "extra-foreign-in-organ-key-info": _add(lambda r: _find(organ_signature(r), ds("KeyInfo")),
                                            "{urn:attacker}Note", "forged"),
    "extra-object-in-organ": _add(organ_signature, ds("Object"), FORGED_SUBJECT),
    "extra-attribute-on-organ": _set_attribute(organ_signature, "Id", "organ-1"),
    "extra-foreign-attribute-on-organ": _set_attribute(organ_signature, "{urn:x}note",
                                                       FORGED_SUBJECT),
    "extra-element-after-attachments": _add(lambda r: r, "{urn:attacker}Note", "forged"),
    "extra-qcvn-element-in-header": _add(header, ed("Note"), FORGED_SUBJECT),
    "extra-attribute-on-root": _set_attribute(lambda r: r, "{urn:x}note", "forged"),
    # attachment swaps
    "swap-attachment-contents": _swap_contents,
    "swap-attachment-ids": _swap_ids,
    "swap-attachment-content-ids": _swap_content_ids,
    "reorder-attachments": _reorder_attachments,
    "duplicate-attachment-unsigned": _duplicate_attachment,
    "drop-attachment": _drop_attachment,
}


def _declaration_off(data: bytes) -> bytes:
    return data.split(b"?>", 1)[1].lstrip() if data.startswith(b"<?xml") else data


#: Forgeries made on the bytes: re-rooting, namespace-prefix and whitespace games.
BYTES: dict[str, Callable[[bytes], bytes]] = {
    "reroot-foreign-wrapper": lambda d: b'<w:Wrapper xmlns:w="urn:attacker">' +
    _declaration_off(d) + b"</w:Wrapper>",
    "reroot-qcvn-wrapper": lambda d: b'<q:edXML xmlns:q="http://www.mic.gov.vn/TBT/QCVN_102_'
    b'2016">' + _declaration_off(d) + b"</q:edXML>",
    "reroot-other-namespace": lambda d: d.replace(b"http://www.mic.gov.vn/TBT/QCVN_102_2016",
                                                  b"urn:other:edxml"),
    "reroot-no-namespace": lambda d: d.replace(
        b' xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"', b"").replace(b"edXML:", b""),
    "prefix-renamed": lambda d: d.replace(b"edXML:", b"q:").replace(b"xmlns:edXML=",
                                                                     b"xmlns:q="),
    "prefix-default-namespace": lambda d: d.replace(b"edXML:", b"").replace(b"xmlns:edXML=",
                                                                             b"xmlns="),
    "unused-namespace-declarations": lambda d: d.replace(
        b"<edXML:edXML ", b'<edXML:edXML xmlns:junk="urn:junk" xmlns:ds2="http://www.w3.org/'
        b'2000/09/xmldsig#" ', 1),
    "redundant-declaration-on-subject": lambda d: d.replace(
        b"<edXML:Subject>", b'<edXML:Subject xmlns:edXML="http://www.mic.gov.vn/TBT/'
        b'QCVN_102_2016">', 1),
    "whitespace-in-header": lambda d: d.replace(b"<edXML:Subject>", b"\n <edXML:Subject>", 1),
    "whitespace-in-subject": lambda d: d.replace(b"<edXML:Subject>", b"<edXML:Subject> ", 1),
    "crlf-line-ends": lambda d: d.replace(b"\n", b"\r\n"),
    "attribute-quotes-and-order": lambda d: d.replace(b'Id="att-1"', b"Id='att-1'  "),
    "extra-empty-element-in-business": lambda d: d.replace(
        b"<edXML:Paper>0</edXML:Paper>", b"<edXML:Paper>0</edXML:Paper><edXML:Note/>", 1),
}
