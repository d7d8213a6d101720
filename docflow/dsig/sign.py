"""Make enveloped XML signatures that xmlsec1, signxml and docflow all verify.

A :class:`Signer` holds configuration only — the private key object, loaded once, and the
certificate chain — so one instance signs any number of documents, from any thread.

Every signature docflow makes has the same shape: exclusive C14N for ``SignedInfo`` and for
every Reference (so a signature survives being moved between documents with other namespaces,
as an edXML message is when a hub re-wraps it), the ``ds:`` prefix, each Reference either
``URI=""`` with enveloped-signature or ``URI="#id"``, and ``KeyInfo/X509Data`` carrying the
signer's certificate first and then its chain.

Speed: signing should cost little more than the private-key operation. The digests are taken
before the Signature exists (so the enveloped transform has nothing to remove), the canonical
``SignedInfo`` is written directly as text in its canonical form instead of being built as a
tree and canonicalized, and when the Signature goes at the end of the root element of a byte
document it is spliced into the original bytes, which also leaves the document as it was.

Examples
--------
>>> from cryptography.hazmat.primitives.asymmetric import ed25519
>>> signer = Signer(ed25519.Ed25519PrivateKey.generate())
>>> signed = signer.sign(b'<?xml version="1.0"?>\\n<a><b>text</b></a>')
>>> signed[:30]
b'<?xml version="1.0"?>\\n<a><b>te'
>>> b'eddsa-ed25519' in signed, signed.endswith(b'</ds:Signature></a>')
(True, True)
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from lxml import etree

from docflow.dsig.algorithms import (
    DS11_NS,
    DS_NS,
    C14NMethod,
    DigestMethod,
    PrivateKey,
    SignatureMethod,
    TransformMethod,
    default_signature_method,
    digest,
    key_problem,
    sign_value,
)
from docflow.dsig.c14n import canonicalize
from docflow.dsig.keyinfo import encode_certificate
from docflow.dsig.policy import DEFAULT_POLICY
from docflow.dsig.references import IdIndex
from docflow.errors import InputError, Location
from docflow.xmlsafe import parse_xml

__all__ = ["WHOLE_DOCUMENT", "SignReference", "Signer"]

_EXC = C14NMethod.EXC_C14N.value
_ENVELOPED = TransformMethod.ENVELOPED.value
_XML_SPACE = b" \t\r\n"
"""XML's white space (production S), all that may follow the root's end tag when no comment
or processing instruction does."""
_CURVE_OIDS = {"secp256r1": "1.2.840.10045.3.1.7", "secp384r1": "1.3.132.0.34",
               "secp521r1": "1.3.132.0.35"}


@dataclass(frozen=True, slots=True)
class SignReference:
    """One Reference to make: the whole document, or the element with an ID."""

    uri: str
    """``""`` for the whole document, ``#value`` for the element whose ID is ``value``."""

    @classmethod
    def element(cls, id_value: str) -> SignReference:
        """A Reference to the element whose ID attribute is ``id_value``."""
        if not id_value or id_value.startswith("#"):
            raise ValueError(f"{id_value!r} is not an ID value (write it without '#')")
        return cls("#" + id_value)


WHOLE_DOCUMENT = SignReference("")
"""``URI=""`` with enveloped-signature and exclusive C14N: the whole document but the
Signature itself."""


def _public_der(key: object) -> bytes:
    return key.public_bytes(serialization.Encoding.DER,  # type: ignore[attr-defined]
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def _certificate_key(cert: x509.Certificate) -> object:
    """The public key of ``cert``, or ``ValueError`` when it cannot be had: a certificate that
    is not the signing key's is a configuration error, whatever its key's algorithm."""
    try:
        return cert.public_key()
    except UnsupportedAlgorithm as exc:
        raise ValueError(f"the first certificate's key is of an algorithm docflow does not "
                         f"implement ({exc})") from None


def _b64_int(value: int) -> str:
    return base64.b64encode(value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")).decode()


@dataclass(frozen=True)
class Signer:
    """Signs documents with one key; holds only configuration and is safe to share.

    Raises
    ------
    ValueError
        The key is of a kind docflow does not sign with, is too small, does not match the
        first certificate, or the method or digest is one the default policy refuses.
    """

    key: PrivateKey
    """The private key object; load it once (parsing a PEM costs more than a signature)."""
    certificates: Sequence[x509.Certificate] = ()
    """The signing certificate first, then the chain up to (not necessarily including) the
    root; written to ``X509Data`` so that verifiers can build the path."""
    method: SignatureMethod | None = None
    """``None`` picks the method for the key: RSA-SHA256, ECDSA with the curve's hash, or
    Ed25519."""
    digest_method: DigestMethod = DigestMethod.SHA256
    """SHA-256: the digest every verifier supports and the default policy accepts."""
    include_key_value: bool = False
    """Also write the public key as ``KeyValue``, for partners that pin keys rather than
    certificates (and for crypto-only checks). Not for Ed25519, which has none in XML-DSig."""
    id_attributes: tuple[str, ...] = ("Id", "ID", "id")
    """Attribute names that hold IDs for ``#id`` References, as in the verify policy."""
    _method: SignatureMethod = field(init=False, repr=False)
    _key_info: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "certificates", tuple(self.certificates))
        method = self.method or default_signature_method(self.key)
        public = self.key.public_key()
        why = key_problem(method, public)
        if why is not None:
            raise ValueError(why)
        if method not in DEFAULT_POLICY.signature_methods:
            raise ValueError(f"docflow does not sign with {method.name}: verifiers refuse it")
        if self.digest_method not in DEFAULT_POLICY.digest_methods:
            raise ValueError(f"docflow does not sign with {self.digest_method.name}")
        if isinstance(self.key, rsa.RSAPrivateKey) and \
                self.key.key_size < DEFAULT_POLICY.min_rsa_bits:
            raise ValueError(f"an RSA key of {self.key.key_size} bits is below "
                             f"{DEFAULT_POLICY.min_rsa_bits}")
        if self.certificates and \
                _public_der(_certificate_key(self.certificates[0])) != _public_der(public):
            raise ValueError("the first certificate is not the signing key's certificate")
        if self.include_key_value and isinstance(self.key, ed25519.Ed25519PrivateKey):
            raise ValueError("XML-DSig has no KeyValue for Ed25519; use a certificate")
        object.__setattr__(self, "_method", method)
        object.__setattr__(self, "_key_info", self._write_key_info())

    def _write_key_info(self) -> str:
        parts = []
        if self.include_key_value:
            public = self.key.public_key()
            if isinstance(public, rsa.RSAPublicKey):
                numbers = public.public_numbers()
                parts.append(f"<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>{_b64_int(numbers.n)}"
                             f"</ds:Modulus><ds:Exponent>{_b64_int(numbers.e)}</ds:Exponent>"
                             "</ds:RSAKeyValue></ds:KeyValue>")
            elif isinstance(public, ec.EllipticCurvePublicKey):
                point = public.public_bytes(serialization.Encoding.X962,
                                            serialization.PublicFormat.UncompressedPoint)
                parts.append(f'<ds:KeyValue><dsig11:ECKeyValue xmlns:dsig11="{DS11_NS}">'
                             f'<dsig11:NamedCurve URI="urn:oid:{_CURVE_OIDS[public.curve.name]}"'
                             f"/><dsig11:PublicKey>{base64.b64encode(point).decode()}"
                             "</dsig11:PublicKey></dsig11:ECKeyValue></ds:KeyValue>")
        if self.certificates:
            certs = "".join(f"<ds:X509Certificate>{encode_certificate(c)}</ds:X509Certificate>"
                            for c in self.certificates)
            parts.append(f"<ds:X509Data>{certs}</ds:X509Data>")
        return f"<ds:KeyInfo>{''.join(parts)}</ds:KeyInfo>" if parts else ""

    @property
    def signature_method(self) -> SignatureMethod:
        """The method this signer uses."""
        return self._method

    def sign(self, document: bytes, references: Sequence[SignReference] = (WHOLE_DOCUMENT,),
             *, where: str | None = None) -> bytes:
        """Sign ``document`` with a Signature appended to its root element.

        Parameters
        ----------
        document
            The XML bytes, parsed with docflow's hardened parser.
        references
            What the signature covers; the whole document by default.
        where
            A file name for error locations.

        Returns
        -------
        bytes
            The signed document: the input bytes unchanged, with the Signature inserted
            before the root's end tag (re-serialized only if the root is an empty-element tag
            or a comment or processing instruction follows it). See :func:`_root_end_tag`
            for how that tag is found.

        Raises
        ------
        InputError
            The document cannot be parsed, or a ``#id`` names no element or several.
        """
        root = parse_xml(document, where=where)
        text = self._signature_text(root, references, root, where)[0]
        end = _root_end_tag(document, root)
        if end is not None:
            # Speed: splice into the original bytes instead of serializing the tree again.
            return document[:end] + text.encode() + document[end:]
        root.append(parse_xml(text.encode()))
        return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")

    def sign_tree(self, parent: etree._Element,
                  references: Sequence[SignReference] = (WHOLE_DOCUMENT,),
                  *, index: int | None = None) -> etree._Element:
        """Sign the document ``parent`` belongs to, appending the Signature to ``parent``.

        Parameters
        ----------
        parent
            The element that will hold the Signature (the layout decides where that is).
        references
            What the signature covers.
        index
            Insert at this child position instead of appending.

        Returns
        -------
        lxml.etree._Element
            The new ds:Signature element, now in the tree.
        """
        root = parent.getroottree().getroot()
        text, canonical, prefix = self._signature_text(root, references, parent, None)
        element = parse_xml(text.encode())
        if index is None:
            parent.append(element)
        else:
            parent.insert(index, element)
        # lxml re-homes the namespace declarations of a node it inserts; the prefix was chosen
        # so that nothing changes, and this check makes sure of it.
        signed_info = element[0]
        if canonicalize(signed_info, C14NMethod.EXC_C14N) != canonical:
            raise RuntimeError(f"SignedInfo changed when inserted (prefix {prefix!r})")
        return element

    def _signature_text(self, root: etree._Element, references: Sequence[SignReference],
                        parent: etree._Element, where: str | None) -> tuple[str, bytes, str | None]:
        """The Signature as text, the canonical SignedInfo, and the prefix used."""
        if not references:
            raise ValueError("a signature needs at least one Reference")
        ids = IdIndex(root, self.id_attributes)
        items = []
        for ref in references:
            if ref.uri == "":
                octets = canonicalize(root.getroottree(), C14NMethod.EXC_C14N,
                                      with_comments=False)
                transforms: tuple[str, ...] = (_ENVELOPED, _EXC)
            else:
                found = ids.lookup(ref.uri[1:])
                if len(found) != 1:
                    raise InputError("DF-SIG-006" if not found else "DF-SIG-007",
                                     f"{len(found)} elements have the ID {ref.uri[1:]!r}; a "
                                     "Reference needs exactly one", Location(file=where))
                target = found[0]
                octets = canonicalize(target, C14NMethod.EXC_C14N, with_comments=False)
                enveloping = any(a is target for a in (parent, *parent.iterancestors()))
                transforms = (_ENVELOPED, _EXC) if enveloping else (_EXC,)
            value = base64.b64encode(digest(self.digest_method, octets)).decode()
            chain = "".join(f'<ds:Transform Algorithm="{t}"></ds:Transform>'
                            for t in transforms)
            items.append(f"<ds:Reference URI={_attr(ref.uri)}><ds:Transforms>{chain}"
                         f'</ds:Transforms><ds:DigestMethod Algorithm="'
                         f'{self.digest_method.value}"></ds:DigestMethod>'
                         f"<ds:DigestValue>{value}</ds:DigestValue></ds:Reference>")
        # The exclusive canonical form of SignedInfo, written directly: xmlns:ds on the apex
        # (the only namespace any element uses), no other attributes but Algorithm and URI.
        body = (f'<ds:CanonicalizationMethod Algorithm="{_EXC}"></ds:CanonicalizationMethod>'
                f'<ds:SignatureMethod Algorithm="{self._method.value}"></ds:SignatureMethod>'
                + "".join(items) + "</ds:SignedInfo>")
        prefix = _prefix_for(parent)
        declaration = f' xmlns:ds="{DS_NS}"'
        if prefix != "ds":
            # The document already binds the XML-DSig namespace to another prefix (or as the
            # default); lxml would rename ours to it on insertion, so use it from the start.
            declaration = f' xmlns{":" + prefix if prefix else ""}="{DS_NS}"'
            body = body.replace("<ds:", f"<{prefix}:" if prefix else "<") \
                .replace("</ds:", f"</{prefix}:" if prefix else "</")
            key_info = self._key_info.replace("<ds:", f"<{prefix}:" if prefix else "<") \
                .replace("</ds:", f"</{prefix}:" if prefix else "</")
        else:
            key_info = self._key_info
        tag = f"{prefix}:" if prefix else ""
        canonical = f"<{tag}SignedInfo{declaration}>{body}".encode()
        value = base64.b64encode(sign_value(self._method, self.key, canonical)).decode()
        return (f"<{tag}Signature{declaration}><{tag}SignedInfo>{body}"
                f"<{tag}SignatureValue>{value}</{tag}SignatureValue>{key_info}"
                f"</{tag}Signature>", canonical, prefix)


def _root_end_tag(document: bytes, root: etree._Element) -> int | None:
    """The offset of the root's end tag in ``document`` (the parsed ``root``'s bytes), or
    ``None`` when it cannot be told by the scan below.

    The scan goes backward from the end of the input, in linear time: white space, then each
    comment and processing instruction that the parsed tree says follows the root, matched
    exactly against its known content (so a ``</name>`` inside one is never taken for the end
    tag), then white space again, and what is left must end with ``</name`` S? ``>``: the root's
    end tag, since nothing else stands after it. A ``</name>`` in a CDATA section or a comment
    inside the root comes before the real one and is never reached. (A regular expression that
    skipped trailing comments with nested quantifiers backtracked exponentially on white
    space.) When the bytes do not match the tree exactly (a line end normalized inside a
    trailing comment), the caller serializes the tree instead.

    Examples
    --------
    >>> doc = b"<r><![CDATA[</r>   x]]></r >\\n<!-- </r> --><?pi </r> ?>\\n"
    >>> _root_end_tag(doc, parse_xml(doc))
    23
    >>> _root_end_tag(b"<r/>", parse_xml(b"<r/>")) is None
    True
    """
    end = _before_space(document, len(document))
    for node in reversed(list(root.itersiblings())):
        if isinstance(node, etree._Comment):
            tail = b"<!--" + (node.text or "").encode() + b"-->"
        elif isinstance(node, etree._ProcessingInstruction):
            data = (node.text or "").encode() + b"?>"
            if not document.endswith(data, 0, end):
                return None
            end = _before_space(document, end - len(data))
            tail = b"<?" + str(node.target).encode()
        else:
            return None
        if not document.endswith(tail, 0, end):
            return None
        end = _before_space(document, end - len(tail))
    local = etree.QName(root).localname
    tag = b"</" + (local if root.prefix is None else f"{root.prefix}:{local}").encode()
    if not document.endswith(b">", 0, end):
        return None
    start = document.rfind(tag, 0, end)
    if start < 0 or document[start + len(tag):end - 1].strip(_XML_SPACE):
        return None
    return start


def _before_space(document: bytes, end: int) -> int:
    """The offset where the white space ending at ``end`` starts (``end`` if there is none).

    Strips a block at a time, so that a long run costs linear time in C and the document
    before it is never copied.
    """
    while end > 0:
        block = document[max(0, end - 4096):end]
        kept = len(block.rstrip(_XML_SPACE))
        end -= len(block) - kept
        if kept:
            break
    return end


def _prefix_for(parent: etree._Element) -> str | None:
    """``ds``, unless the XML-DSig namespace is already bound in scope at ``parent``."""
    for prefix, uri in parent.nsmap.items():
        if uri == DS_NS:
            return prefix
    return "ds"


def _attr(value: str) -> str:
    """An attribute value as C14N writes it (``&``, ``<``, ``"`` and whitespace escaped)."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;") \
        .replace("\t", "&#x9;").replace("\n", "&#xA;").replace("\r", "&#xD;")
    return f'"{escaped}"'

