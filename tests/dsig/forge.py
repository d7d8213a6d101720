"""An attacker's toolbox: edit a signed document's tree and recompute what the attacker can.

The attacker can change anything in the document and can recompute digests and HMACs (they
need no secret), and can sign with their own key; they cannot sign with the victim's key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac as hmac_module
from collections.abc import Callable

from lxml import etree

from docflow.dsig.algorithms import C14NMethod, SignatureMethod, sign_value
from docflow.dsig.c14n import canonicalize
from docflow.dsig.references import inclusive_prefixes
from docflow.xmlsafe import parse_xml

DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"ds": DS}


def ds(local: str) -> str:
    return f"{{{DS}}}{local}"


def tree(document: bytes) -> etree._Element:
    return parse_xml(document)


def dump(root: etree._Element) -> bytes:
    return etree.tostring(root)


def signature(root: etree._Element, index: int = 0) -> etree._Element:
    return list(root.iter(ds("Signature")))[index]


def signed_info_octets(sig: etree._Element) -> bytes:
    signed_info = sig.find(ds("SignedInfo"))
    assert signed_info is not None
    method_el = signed_info.find(ds("CanonicalizationMethod"))
    assert method_el is not None
    method = C14NMethod(method_el.get("Algorithm"))
    prefixes = inclusive_prefixes(method_el) if method.exclusive else ()
    return canonicalize(signed_info, method, inclusive_prefixes=prefixes)


def set_value(sig: etree._Element, value: bytes) -> None:
    element = sig.find(ds("SignatureValue"))
    assert element is not None
    element.text = base64.b64encode(value).decode()


def resign(sig: etree._Element, key: object, method: SignatureMethod | None = None) -> None:
    """Sign the (edited) SignedInfo again with ``key``, optionally switching the method."""
    if method is not None:
        method_el = sig.find(f"{ds('SignedInfo')}/{ds('SignatureMethod')}")
        assert method_el is not None
        method_el.set("Algorithm", method.value)
    method_el = sig.find(f"{ds('SignedInfo')}/{ds('SignatureMethod')}")
    assert method_el is not None
    chosen = SignatureMethod(method_el.get("Algorithm"))
    if chosen.family == "rsa" and chosen.hash_bits == 160:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        value = key.sign(signed_info_octets(sig), padding.PKCS1v15(),  # type: ignore
                         hashes.SHA1())
    else:
        value = sign_value(chosen, key, signed_info_octets(sig))  # type: ignore[arg-type]
    set_value(sig, value)


def hmac_sign(sig: etree._Element, secret: bytes, method: SignatureMethod) -> None:
    """Switch to an HMAC method and MAC the SignedInfo with ``secret``."""
    method_el = sig.find(f"{ds('SignedInfo')}/{ds('SignatureMethod')}")
    assert method_el is not None
    method_el.set("Algorithm", method.value)
    name = {160: "sha1", 256: "sha256", 384: "sha384", 512: "sha512"}[method.hash_bits]
    set_value(sig, hmac_module.new(secret, signed_info_octets(sig), name).digest())


def redigest(sig: etree._Element, octets: bytes, number: int = 0,
             hash_name: str = "sha256") -> None:
    """Set Reference ``number``'s DigestValue to the digest of ``octets``."""
    value = sig.findall(f"{ds('SignedInfo')}/{ds('Reference')}/{ds('DigestValue')}")[number]
    value.text = base64.b64encode(hashlib.new(hash_name, octets).digest()).decode()


def edit(document: bytes, change: Callable[[etree._Element], None]) -> bytes:
    """Apply ``change`` to a fresh tree of ``document`` and serialize it."""
    root = tree(document)
    change(root)
    return dump(root)
