"""Read ``KeyInfo``: the certificates of ``X509Data`` and the keys of ``KeyValue``.

Nothing read here is trusted. The certificates are handed to the caller's trust source
(:mod:`docflow.dsig.trust`), and a ``KeyValue`` is used only in the explicit crypto-only mode.
``KeyName``, ``RetrievalMethod`` and the other children are ignored: docflow never fetches or
looks up a key by a name the document chooses.

The signing certificate is the one that issues no other certificate of the set. When several
qualify (two unrelated certificates), the verifier refuses to guess (``DF-SIG-018``).

Every certificate is read in full as it is decoded (:mod:`docflow.x509safe`): names, public
key and extensions are decoded lazily by the certificate library, and a damaged one would
otherwise raise wherever it is first read. One that cannot be read is ``DF-SIG-027``, and no
certificate handed on from here can fail to read later.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from lxml import etree

from docflow.dsig.algorithms import DS11_NS, DS_NS, PublicKey
from docflow.dsig.structure import SignatureSyntaxError, children, decode_base64
from docflow.x509safe import UnreadableX509, load_certificate
from docflow.xmlsafe import text_content

__all__ = ["KeyInfoContent", "UnreadableCertificate", "UnusableKey", "encode_certificate",
           "public_key", "read_key_info", "signing_certificate"]

_X509_DATA = f"{{{DS_NS}}}X509Data"
_X509_CERTIFICATE = f"{{{DS_NS}}}X509Certificate"
_KEY_VALUE = f"{{{DS_NS}}}KeyValue"
_RSA_KEY_VALUE = f"{{{DS_NS}}}RSAKeyValue"
_DSA_KEY_VALUE = f"{{{DS_NS}}}DSAKeyValue"
_EC_KEY_VALUE = f"{{{DS11_NS}}}ECKeyValue"
_NAMED_CURVES: dict[str, ec.EllipticCurve] = {
    "urn:oid:1.2.840.10045.3.1.7": ec.SECP256R1(),
    "urn:oid:1.3.132.0.34": ec.SECP384R1(),
    "urn:oid:1.3.132.0.35": ec.SECP521R1(),
}


class UnreadableCertificate(SignatureSyntaxError):
    """A certificate that is not DER X.509, or a field of which cannot be decoded."""

    code = "DF-SIG-027"


class UnusableKey(SignatureSyntaxError):
    """A certificate's public key of an algorithm docflow does not implement."""

    code = "DF-SIG-002"


@dataclass(frozen=True, slots=True)
class KeyInfoContent:
    """What a ``KeyInfo`` holds, unverified."""

    certificates: tuple[x509.Certificate, ...] = ()
    """Every ``X509Certificate``, in document order, without repeats."""
    key_values: tuple[PublicKey, ...] = ()
    """Every ``KeyValue`` key (RSA, DSA, dsig11 EC named curve)."""


# Speed: one certificate signs many documents; decoding base64 and parsing DER again for each
# costs as much as the RSA verification itself. Keyed by the exact text, so it is pure.
@functools.lru_cache(maxsize=4096)
def _certificate(text: str) -> x509.Certificate:
    der = decode_base64(text, "X509Certificate")
    try:
        return load_certificate(der)
    except UnreadableX509 as exc:
        raise UnreadableCertificate(f"an X509Certificate cannot be read: {exc}") from None


def read_key_info(key_info: etree._Element | None) -> KeyInfoContent:
    """Read the certificates and key values of ``key_info`` (``None``: an empty result).

    Raises
    ------
    SignatureSyntaxError
        A key value that does not decode; :class:`UnreadableCertificate` for a certificate
        that does not, in whole or in any field.
    """
    if key_info is None:
        return KeyInfoContent()
    certificates: list[x509.Certificate] = []
    keys: list[PublicKey] = []
    for child in children(key_info):
        if child.tag == _X509_DATA:
            for item in children(child):
                if item.tag == _X509_CERTIFICATE:
                    cert = _certificate(text_content(item))
                    if cert not in certificates:
                        certificates.append(cert)
        elif child.tag == _KEY_VALUE:
            keys.extend(_key_value(value) for value in children(child))
    return KeyInfoContent(tuple(certificates), tuple(keys))



def _integer(parent: etree._Element, local: str, ns: str = DS_NS) -> int:
    found = parent.find(f"{{{ns}}}{local}")
    if found is None:
        raise SignatureSyntaxError(f"{etree.QName(parent).localname} has no {local}")
    return int.from_bytes(decode_base64(text_content(found), local), "big")


def _key_value(element: etree._Element) -> PublicKey:
    try:
        if element.tag == _RSA_KEY_VALUE:
            return rsa.RSAPublicNumbers(_integer(element, "Exponent"),
                                        _integer(element, "Modulus")).public_key()
        if element.tag == _DSA_KEY_VALUE:
            params = dsa.DSAParameterNumbers(_integer(element, "P"), _integer(element, "Q"),
                                             _integer(element, "G"))
            return dsa.DSAPublicNumbers(_integer(element, "Y"), params).public_key()
        if element.tag == _EC_KEY_VALUE:
            curve_el = element.find(f"{{{DS11_NS}}}NamedCurve")
            point_el = element.find(f"{{{DS11_NS}}}PublicKey")
            if curve_el is None or point_el is None:
                raise SignatureSyntaxError("ECKeyValue needs NamedCurve and PublicKey (explicit "
                                           "curve parameters are not supported)")
            curve = _NAMED_CURVES.get(curve_el.get("URI", ""))
            if curve is None:
                raise SignatureSyntaxError(f"ECKeyValue curve {curve_el.get('URI')!r} is not "
                                           "P-256, P-384 or P-521")
            return ec.EllipticCurvePublicKey.from_encoded_point(
                curve, decode_base64(text_content(point_el), "PublicKey"))
    except ValueError as exc:
        if isinstance(exc, SignatureSyntaxError):
            raise
        raise SignatureSyntaxError(f"{etree.QName(element).localname} is not a valid key: "
                                   f"{exc}") from None
    raise SignatureSyntaxError(f"KeyValue holds {etree.QName(element).localname}, which docflow "
                               "does not read")


# Speed: the same chain arrives with every document a signer signs; comparing names is slow.
@functools.lru_cache(maxsize=1024)
def signing_certificate(certificates: tuple[x509.Certificate, ...]
                        ) -> tuple[x509.Certificate, tuple[x509.Certificate, ...]] | None:
    """Split ``certificates`` into the signing certificate and the others, or ``None``.

    The signing certificate is the only one that issues no other certificate of the set (by
    name: the trust source checks the signatures). ``None`` when there is no certificate or
    more than one candidate.
    """
    leaves = [c for c in certificates
              if not any(o is not c and o.issuer == c.subject for o in certificates)]
    if len(leaves) != 1:
        return None
    leaf = leaves[0]
    return leaf, tuple(c for c in certificates if c is not leaf)


# Speed: Certificate.public_key() decodes the key again on every call.
@functools.lru_cache(maxsize=4096)
def public_key(cert: x509.Certificate) -> PublicKey:
    """The public key of ``cert``, decoded once per certificate.

    Raises
    ------
    UnusableKey
        A key of an algorithm docflow does not implement (``DF-SIG-002``).
    UnreadableCertificate
        A key that cannot be decoded, in a certificate the caller gave (a pinned one: those
        of KeyInfo were read in full already).
    """
    try:
        return cert.public_key()  # type: ignore[return-value]
    except UnsupportedAlgorithm as exc:
        raise UnusableKey(f"the certificate's public key is of an algorithm docflow does not "
                          f"implement ({exc})") from None
    except Exception as exc:  # any decoding failure (see docflow.x509safe)
        raise UnreadableCertificate(f"a certificate's public key cannot be read ({exc})"
                                    ) from None


def encode_certificate(cert: x509.Certificate) -> str:
    """Base64 DER of ``cert``, in lines of 64 characters as X509Certificate text."""
    der = cert.public_bytes(serialization.Encoding.DER)
    text = base64.b64encode(der).decode("ascii")
    return "\n".join(text[i:i + 64] for i in range(0, len(text), 64))
