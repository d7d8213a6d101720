"""The attacker's toolbox: edit a signed document's tree and recompute what needs no secret.

An attacker can change any byte of a document, recompute digests, MAC with any secret they
know, and sign with keys they hold (their own, or a certificate of their own agency); they
cannot sign with another agency's key. Canonicalization here is lxml's own exclusive C14N, the
one docflow signs with, so that a forgery does not depend on docflow's code to be built.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from lxml import etree

from docflow.dsig import Signer, SignReference
from docflow.profile.edxml import EDXML_NS
from docflow.xmlsafe import parse_xml

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
MORE = "http://www.w3.org/2001/04/xmldsig-more#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = DS_NS + "enveloped-signature"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA1 = DS_NS + "sha1"
RSA_SHA256 = MORE + "rsa-sha256"
RSA_SHA1 = DS_NS + "rsa-sha1"
ECDSA_SHA256 = MORE + "ecdsa-sha256"
HMAC_SHA256 = MORE + "hmac-sha256"


def ds(local: str) -> str:
    return f"{{{DS_NS}}}{local}"


def ed(local: str) -> str:
    return f"{{{EDXML_NS}}}{local}"


def tree(document: bytes) -> etree._Element:
    return parse_xml(document)


def dump(root: etree._Element) -> bytes:
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def edit(document: bytes, change: Callable[[etree._Element], object]) -> bytes:
    """``document`` after ``change`` edited a fresh tree of it."""
    root = tree(document)
    change(root)
    return dump(root)


def header(root_or_envelope: etree._Element) -> etree._Element:
    """The edXMLHeader of a message root (its first envelope) or of an edXMLEnvelope."""
    path = ed("edXMLHeader") if root_or_envelope.tag == ed("edXMLEnvelope") else \
        f"{ed('edXMLEnvelope')}/{ed('edXMLHeader')}"
    found = root_or_envelope.find(path)
    assert found is not None
    return found


def without_organ_signature(document: bytes) -> bytes:
    """``document`` with the organ's Signature (the last one in edXMLHeader) removed, as an
    attacker in transit would strip it."""
    def strip(root: etree._Element) -> None:
        found = header(root)
        found.remove(found.findall(ds("Signature"))[-1])
    return edit(document, strip)


def attachments(root: etree._Element) -> list[etree._Element]:
    return root.findall(f"{ed('AttachmentEncoded')}/{ed('Attachment')}")


def signatures(root: etree._Element) -> list[etree._Element]:
    return list(root.iter(ds("Signature")))


def organ_signature(root: etree._Element) -> etree._Element:
    """The Signature with a ``URI=""`` Reference."""
    return next(s for s in signatures(root) if "" in s.xpath(
        "ds:SignedInfo/ds:Reference/@URI", namespaces={"ds": DS_NS}))


def signer_signature(root: etree._Element) -> etree._Element:
    """The Signature without a ``URI=""`` Reference."""
    return next(s for s in signatures(root) if "" not in s.xpath(
        "ds:SignedInfo/ds:Reference/@URI", namespaces={"ds": DS_NS}))


def signed_info(sig: etree._Element) -> etree._Element:
    found = sig.find(ds("SignedInfo"))
    assert found is not None
    return found


def references(sig: etree._Element) -> list[etree._Element]:
    return signed_info(sig).findall(ds("Reference"))


def exc_c14n(node: etree._Element | etree._ElementTree) -> bytes:
    return etree.tostring(node, method="c14n", exclusive=True, with_comments=False)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def set_digest(reference: etree._Element, octets: bytes, name: str = "sha256") -> None:
    value = reference.find(ds("DigestValue"))
    assert value is not None
    value.text = b64(hashlib.new(name, octets).digest())


def set_value(sig: etree._Element, value: bytes) -> None:
    element = sig.find(ds("SignatureValue"))
    assert element is not None
    element.text = b64(value)


def set_method(sig: etree._Element, uri: str) -> None:
    method = signed_info(sig).find(ds("SignatureMethod"))
    assert method is not None
    method.set("Algorithm", uri)


def signed_info_octets(sig: etree._Element) -> bytes:
    """The canonical SignedInfo, as docflow's signatures declare it (exclusive C14N)."""
    method = signed_info(sig).find(ds("CanonicalizationMethod"))
    assert method is not None and method.get("Algorithm") == EXC_C14N
    return exc_c14n(signed_info(sig))


def raw_ecdsa(key: ec.EllipticCurvePrivateKey, data: bytes,
              hash_: hashes.HashAlgorithm | None = None) -> bytes:
    """ECDSA over ``data`` as XML-DSig 1.1 writes it: ``r || s``, fixed-length halves."""
    size = (key.curve.key_size + 7) // 8
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hash_ or hashes.SHA256())))
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def resign(sig: etree._Element, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
           method: str | None = None) -> None:
    """Sign the (edited) SignedInfo again with ``key``, optionally naming another method."""
    if method is not None:
        set_method(sig, method)
    chosen = signed_info(sig).find(ds("SignatureMethod")).get("Algorithm")  # type: ignore
    data = signed_info_octets(sig)
    hash_: hashes.HashAlgorithm = hashes.SHA1() if chosen.endswith("sha1") else hashes.SHA256()
    if isinstance(key, rsa.RSAPrivateKey):
        set_value(sig, key.sign(data, padding.PKCS1v15(), hash_))
    else:
        set_value(sig, raw_ecdsa(key, data, hash_))


def mac(sig: etree._Element, secret: bytes, method: str = HMAC_SHA256,
        length: int | None = None) -> None:
    """Switch to an HMAC method and MAC the SignedInfo with ``secret`` (truncated to
    ``length`` bits with an HMACOutputLength when given)."""
    set_method(sig, method)
    element = signed_info(sig).find(ds("SignatureMethod"))
    assert element is not None
    for child in list(element):
        element.remove(child)
    if length is not None:
        etree.SubElement(element, ds("HMACOutputLength")).text = str(length)
    digest = hmac.new(secret, signed_info_octets(sig), "sha256").digest()
    set_value(sig, digest[:length // 8] if length is not None else digest)


def replace_key_info(sig: etree._Element, *certificates_der: bytes,
                     key_value: etree._Element | None = None) -> None:
    """Replace KeyInfo with the given certificates (and a KeyValue, before them)."""
    old = sig.find(ds("KeyInfo"))
    if old is not None:
        sig.remove(old)
    key_info = etree.SubElement(sig, ds("KeyInfo"))
    if key_value is not None:
        key_info.append(key_value)
    if certificates_der:
        data = etree.SubElement(key_info, ds("X509Data"))
        for der in certificates_der:
            etree.SubElement(data, ds("X509Certificate")).text = b64(der)


def set_transforms(reference: etree._Element, *algorithms: str,
                   xpath: tuple[str, dict[str, str]] | None = None) -> None:
    """Replace the Transforms of ``reference`` (none at all when ``algorithms`` is empty);
    ``xpath`` gives an XPath child (expression, namespaces) to every XPath-like transform."""
    old = reference.find(ds("Transforms"))
    if old is not None:
        reference.remove(old)
    if not algorithms:
        return
    transforms = etree.Element(ds("Transforms"))
    for algorithm in algorithms:
        transform = etree.SubElement(transforms, ds("Transform"), Algorithm=algorithm)
        if xpath is not None and ("xpath" in algorithm.lower() or "filter2" in algorithm):
            expression, namespaces = xpath
            ns = "http://www.w3.org/2002/06/xmldsig-filter2" if "filter2" in algorithm \
                else DS_NS
            element = etree.SubElement(transform, f"{{{ns}}}XPath", nsmap=namespaces)
            if "filter2" in algorithm:
                element.set("Filter", "subtract")
            element.text = expression
    reference.insert(0, transforms)


def add_reference(sig: etree._Element, uri: str, octets: bytes,
                  transforms: tuple[str, ...] = (EXC_C14N,)) -> etree._Element:
    """Append a Reference to ``uri`` whose digest is that of ``octets``."""
    reference = etree.SubElement(signed_info(sig), ds("Reference"), URI=uri)
    etree.SubElement(reference, ds("DigestMethod"), Algorithm=SHA256)
    etree.SubElement(reference, ds("DigestValue"))
    set_transforms(reference, *transforms)
    set_digest(reference, octets)
    return reference


def without(root: etree._Element, *elements: etree._Element) -> bytes:
    """The exclusive canonical form of ``root``'s document with ``elements`` removed (their
    tails kept), as a node-set filter that drops them would give it."""
    copy_root = copy.deepcopy(root)
    paths = [root.getroottree().getelementpath(e) for e in elements]
    for path in paths:
        found = copy_root.getroottree().find(path)
        parent = found.getparent()
        previous = found.getprevious()
        if found.tail:
            if previous is not None:
                previous.tail = (previous.tail or "") + found.tail
            else:
                parent.text = (parent.text or "") + found.tail
        parent.remove(found)
    return exc_c14n(copy_root.getroottree())


def forge_organ(document: bytes, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
                *certificates_der: bytes, key_value: etree._Element | None = None,
                change: Callable[[etree._Element], object] | None = None) -> bytes:
    """Forge the organ's signature with the attacker's ``key``: apply ``change`` (by default
    a new Subject), recompute the organ's digest, re-sign with the method of ``key``'s kind
    and replace KeyInfo with ``certificates_der`` (and ``key_value``)."""
    def forge(root: etree._Element) -> None:
        if change is None:
            subject = header(root).find(f"{ed('MessageHeader')}/{ed('Subject')}")
            assert subject is not None
            subject.text = "Về việc thu hồi toàn bộ kinh phí đã cấp"
        else:
            change(root)
        signature = organ_signature(root)
        [reference] = references(signature)
        set_digest(reference, without(root, signature))
        resign(signature, key, RSA_SHA256 if isinstance(key, rsa.RSAPrivateKey)
               else ECDSA_SHA256)
        replace_key_info(signature, *certificates_der, key_value=key_value)
    return edit(document, forge)


def ec_key_value(key: ec.EllipticCurvePrivateKey) -> etree._Element:
    """A ds:KeyValue holding ``key``'s public key (dsig11 ECKeyValue, P-256)."""
    from cryptography.hazmat.primitives import serialization
    ds11 = "http://www.w3.org/2009/xmldsig11#"
    key_value = etree.Element(ds("KeyValue"))
    ec_value = etree.SubElement(key_value, f"{{{ds11}}}ECKeyValue", nsmap={"dsig11": ds11})
    etree.SubElement(ec_value, f"{{{ds11}}}NamedCurve", URI="urn:oid:1.2.840.10045.3.1.7")
    etree.SubElement(ec_value, f"{{{ds11}}}PublicKey").text = b64(key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))
    return key_value


def sign_as(document: bytes, signer: Signer, role: str) -> bytes:
    """Sign in the edXML profile's place as ``role`` (``signer``: every attachment by its
    ``Id``; ``organ``: the whole message) with no check of the certificate against the
    message, as an attacker's own software would: docflow's ``sign_message`` refuses to sign
    for another agency than the sender."""
    def change(root: etree._Element) -> None:
        if role == "signer":
            ids = []
            for number, attachment in enumerate(attachments(root), 1):
                attachment.set("Id", attachment.get("Id") or f"att-{number}")
                ids.append(attachment.get("Id") or "")
            signer.sign_tree(header(root), [SignReference.element(i) for i in ids])
        else:
            signer.sign_tree(header(root))
    return edit(document, change)
