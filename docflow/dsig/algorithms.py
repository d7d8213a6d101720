"""The algorithm identifiers of XML-DSig, and one table from each to its implementation.

Every algorithm is an :class:`~enum.Enum` member whose value is the URI on the wire, so the
code never compares strings. :data:`SIGNATURE_ALGORITHMS` and :data:`DIGEST_ALGORITHMS` are the
only places where a URI meets cryptography; adding an algorithm means adding a member and a row.

Which algorithms a verifier *accepts* is not decided here but by
:class:`~docflow.dsig.policy.VerifyPolicy`: this module implements SHA-1, DSA and HMAC because
old documents use them, and the default policy refuses them.

ECDSA and DSA signature values are the raw ``r || s`` of XML-DSig 1.1 (fixed-length halves),
not DER. Some Java signers wrote P-521 values of 130 bytes (two 65-byte halves) instead of 132;
docflow, like xmlsec, accepts such a value by left-padding each half, and reports it with the
warning ``DF-SIG-019``. That costs nothing in security: the integers ``r`` and ``s`` are what
the curve arithmetic checks, and a shorter encoding of them cannot make a forgery verify.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

__all__ = [
    "DS11_NS",
    "DS_NS",
    "C14NMethod",
    "DigestMethod",
    "PrivateKey",
    "PublicKey",
    "SignatureMethod",
    "TransformMethod",
    "default_signature_method",
    "digest",
    "key_family",
    "key_problem",
    "sign_value",
    "verify_value",
]

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
"""The XML-DSig namespace, also the prefix of the 2000 algorithm URIs."""
DS11_NS = "http://www.w3.org/2009/xmldsig11#"
"""The XML-DSig 1.1 namespace (``ECKeyValue``, ``dsa-sha256``)."""
_MORE = "http://www.w3.org/2001/04/xmldsig-more#"
_ENC = "http://www.w3.org/2001/04/xmlenc#"

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | \
    dsa.DSAPublicKey
"""The public key types a signature can be checked with."""
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
"""The private key types docflow signs with (DSA and HMAC are verify-only, legacy)."""


class DigestMethod(enum.Enum):
    """``DigestMethod/@Algorithm``."""

    SHA1 = DS_NS + "sha1"
    SHA224 = _MORE + "sha224"
    SHA256 = _ENC + "sha256"
    SHA384 = _MORE + "sha384"
    SHA512 = _ENC + "sha512"

    @property
    def hashlib_name(self) -> str:
        """The name :func:`hashlib.new` knows the hash by."""
        return _HASHLIB[self]


_HASHLIB = {DigestMethod.SHA1: "sha1", DigestMethod.SHA224: "sha224",
            DigestMethod.SHA256: "sha256", DigestMethod.SHA384: "sha384",
            DigestMethod.SHA512: "sha512"}

#: Direct constructors, a little faster than ``hashlib.new(name)`` on the hot path.
DIGEST_ALGORITHMS: dict[DigestMethod, Callable[[bytes], hashlib._Hash]] = {
    DigestMethod.SHA1: hashlib.sha1, DigestMethod.SHA224: hashlib.sha224,
    DigestMethod.SHA256: hashlib.sha256, DigestMethod.SHA384: hashlib.sha384,
    DigestMethod.SHA512: hashlib.sha512,
}


def digest(method: DigestMethod, data: bytes) -> bytes:
    """Hash ``data`` with ``method``.

    >>> digest(DigestMethod.SHA256, b"").hex()[:16]
    'e3b0c44298fc1c14'
    """
    return DIGEST_ALGORITHMS[method](data).digest()


class C14NMethod(enum.Enum):
    """Canonicalization URIs (``CanonicalizationMethod`` and canonicalizing ``Transform``)."""

    C14N10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    C14N10_COMMENTS = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
    C14N11 = "http://www.w3.org/2006/12/xml-c14n11"
    C14N11_COMMENTS = "http://www.w3.org/2006/12/xml-c14n11#WithComments"
    EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
    EXC_C14N_COMMENTS = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"

    @property
    def exclusive(self) -> bool:
        """Exclusive C14N: renders only the namespaces an element visibly uses."""
        return self in (C14NMethod.EXC_C14N, C14NMethod.EXC_C14N_COMMENTS)

    @property
    def with_comments(self) -> bool:
        """Keeps comments (which same-document references remove before this step anyway)."""
        return self.value.endswith("#WithComments")

    @property
    def version11(self) -> bool:
        """C14N 1.1: differs from 1.0 only in the xml: attributes an apex element inherits."""
        return self in (C14NMethod.C14N11, C14NMethod.C14N11_COMMENTS)


class TransformMethod(enum.Enum):
    """The non-canonicalizing ``Transform`` URIs docflow knows."""

    ENVELOPED = DS_NS + "enveloped-signature"
    XPATH = "http://www.w3.org/TR/1999/REC-xpath-19991116"
    """Accepted only as the trivial filter ``not(ancestor-or-self::ds:Signature)``, and only
    when the policy admits it (the legacy one): any other expression is refused."""
    BASE64 = DS_NS + "base64"
    """Known so that it is refused with a clear message, never applied."""
    XSLT = "http://www.w3.org/TR/1999/REC-xslt-19991116"
    """Known so that it is refused with a clear message, never applied."""
    XPATH_FILTER2 = "http://www.w3.org/2002/06/xmldsig-filter2"
    """Known so that it is refused with a clear message, never applied."""


class SignatureMethod(enum.Enum):
    """``SignatureMethod/@Algorithm``."""

    RSA_SHA1 = DS_NS + "rsa-sha1"
    RSA_SHA256 = _MORE + "rsa-sha256"
    RSA_SHA384 = _MORE + "rsa-sha384"
    RSA_SHA512 = _MORE + "rsa-sha512"
    ECDSA_SHA1 = _MORE + "ecdsa-sha1"
    ECDSA_SHA256 = _MORE + "ecdsa-sha256"
    ECDSA_SHA384 = _MORE + "ecdsa-sha384"
    ECDSA_SHA512 = _MORE + "ecdsa-sha512"
    ED25519 = "http://www.w3.org/2021/04/xmldsig-more#eddsa-ed25519"
    """RFC 9231 §2.3.7: PureEdDSA over the canonical SignedInfo, 64-byte value."""
    DSA_SHA1 = DS_NS + "dsa-sha1"
    DSA_SHA256 = DS11_NS + "dsa-sha256"
    HMAC_SHA1 = DS_NS + "hmac-sha1"
    HMAC_SHA256 = _MORE + "hmac-sha256"
    HMAC_SHA384 = _MORE + "hmac-sha384"
    HMAC_SHA512 = _MORE + "hmac-sha512"

    @property
    def family(self) -> Family:
        """``rsa``, ``ecdsa``, ``eddsa``, ``dsa`` or ``hmac``."""
        return SIGNATURE_ALGORITHMS[self].family

    @property
    def hash_bits(self) -> int:
        """Output length of the hash, which bounds HMAC truncation."""
        return SIGNATURE_ALGORITHMS[self].hash_bits


Family = Literal["rsa", "ecdsa", "eddsa", "dsa", "hmac"]


@dataclass(frozen=True, slots=True)
class SignatureAlgorithm:
    """How one :class:`SignatureMethod` is computed."""

    family: Family
    hash: hashes.HashAlgorithm | None
    """The cryptography hash object; ``None`` for Ed25519, which hashes internally."""
    hashlib_name: str
    hash_bits: int


def _alg(family: Family, hash_: hashes.HashAlgorithm | None, name: str,
         bits: int) -> SignatureAlgorithm:
    return SignatureAlgorithm(family, hash_, name, bits)


_SHA1, _SHA256, _SHA384, _SHA512 = hashes.SHA1(), hashes.SHA256(), hashes.SHA384(), hashes.SHA512()

#: The one table from each signature method to its implementation.
SIGNATURE_ALGORITHMS: dict[SignatureMethod, SignatureAlgorithm] = {
    SignatureMethod.RSA_SHA1: _alg("rsa", _SHA1, "sha1", 160),
    SignatureMethod.RSA_SHA256: _alg("rsa", _SHA256, "sha256", 256),
    SignatureMethod.RSA_SHA384: _alg("rsa", _SHA384, "sha384", 384),
    SignatureMethod.RSA_SHA512: _alg("rsa", _SHA512, "sha512", 512),
    SignatureMethod.ECDSA_SHA1: _alg("ecdsa", _SHA1, "sha1", 160),
    SignatureMethod.ECDSA_SHA256: _alg("ecdsa", _SHA256, "sha256", 256),
    SignatureMethod.ECDSA_SHA384: _alg("ecdsa", _SHA384, "sha384", 384),
    SignatureMethod.ECDSA_SHA512: _alg("ecdsa", _SHA512, "sha512", 512),
    SignatureMethod.ED25519: _alg("eddsa", None, "sha512", 512),
    SignatureMethod.DSA_SHA1: _alg("dsa", _SHA1, "sha1", 160),
    SignatureMethod.DSA_SHA256: _alg("dsa", _SHA256, "sha256", 256),
    SignatureMethod.HMAC_SHA1: _alg("hmac", _SHA1, "sha1", 160),
    SignatureMethod.HMAC_SHA256: _alg("hmac", _SHA256, "sha256", 256),
    SignatureMethod.HMAC_SHA384: _alg("hmac", _SHA384, "sha384", 384),
    SignatureMethod.HMAC_SHA512: _alg("hmac", _SHA512, "sha512", 512),
}

#: Curves docflow accepts for ECDSA, with the byte length of each half of ``r || s``.
EC_CURVES: dict[str, int] = {"secp256r1": 32, "secp384r1": 48, "secp521r1": 66}

_PKCS1 = padding.PKCS1v15()


def default_signature_method(key: PrivateKey | PublicKey) -> SignatureMethod:
    """The method docflow signs with for ``key``: SHA-256 for RSA, the curve's hash for ECDSA.

    >>> from cryptography.hazmat.primitives.asymmetric import ec
    >>> default_signature_method(ec.generate_private_key(ec.SECP384R1()))
    <SignatureMethod.ECDSA_SHA384: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384'>
    """
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return SignatureMethod.RSA_SHA256
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        by_curve = {"secp256r1": SignatureMethod.ECDSA_SHA256,
                    "secp384r1": SignatureMethod.ECDSA_SHA384,
                    "secp521r1": SignatureMethod.ECDSA_SHA512}
        if key.curve.name in by_curve:
            return by_curve[key.curve.name]
        raise ValueError(f"curve {key.curve.name} is not one docflow signs with "
                         "(P-256, P-384, P-521)")
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return SignatureMethod.ED25519
    raise ValueError(f"docflow does not sign with a {type(key).__name__}")


def key_problem(method: SignatureMethod, key: PublicKey | bytes) -> str | None:
    """Why ``key`` cannot check a ``method`` signature, or ``None`` when it fits.

    An HMAC method needs a secret (bytes) and every other method a public key of its own
    family: this is what stops an attacker from switching the method to HMAC and using the
    signer's public key as the secret.

    >>> key_problem(SignatureMethod.HMAC_SHA256, b"secret") is None
    True
    >>> key_problem(SignatureMethod.RSA_SHA256, b"secret")
    'rsa-sha256 needs an RSA public key, not a shared secret'
    """
    family = SIGNATURE_ALGORITHMS[method].family
    kind = key_family(key)
    if kind == family and (kind != "ecdsa" or key.curve.name in EC_CURVES):  # type: ignore
        return None
    name = method.value.rsplit("#", 1)[-1]
    if kind == "ecdsa" and family == "ecdsa":
        return f"curve {key.curve.name} is not P-256, P-384 or P-521"  # type: ignore
    if kind == "hmac":
        return f"{name} needs {_FAMILY_KEY[family]}, not a shared secret"
    if family == "hmac":
        return f"{name} needs a shared secret, not a {type(key).__name__}"
    return f"{name} needs {_FAMILY_KEY[family]}, not a {type(key).__name__}"


_KEY_FAMILIES: dict[type, Family | None] = {bytes: "hmac"}


def key_family(key: object) -> Family | None:
    """``rsa``, ``ecdsa``, ``eddsa``, ``dsa`` or ``hmac`` (bytes): the family ``key`` belongs to.

    Speed: cryptography's key classes are ABCs, and ``isinstance`` against an ABC costs as
    much as a small verification step; the answer is cached per concrete type.

    >>> key_family(b"secret"), key_family("not a key")
    ('hmac', None)
    """
    kind = type(key)
    if kind not in _KEY_FAMILIES:
        family: Family | None = None
        for candidate, abc in (("rsa", rsa.RSAPublicKey), ("ecdsa", ec.EllipticCurvePublicKey),
                               ("eddsa", ed25519.Ed25519PublicKey), ("dsa", dsa.DSAPublicKey)):
            if isinstance(key, abc):
                family = candidate  # type: ignore[assignment]
        _KEY_FAMILIES[kind] = family
    return _KEY_FAMILIES[kind]


_FAMILY_KEY = {"rsa": "an RSA public key", "ecdsa": "an EC public key",
               "eddsa": "an Ed25519 public key", "dsa": "a DSA public key",
               "hmac": "a shared secret"}


def sign_value(method: SignatureMethod, key: PrivateKey, data: bytes) -> bytes:
    """Sign ``data`` (the canonical SignedInfo) and return the SignatureValue bytes."""
    alg = SIGNATURE_ALGORITHMS[method]
    if alg.family == "rsa" and isinstance(key, rsa.RSAPrivateKey):
        assert alg.hash is not None
        return key.sign(data, _PKCS1, alg.hash)
    if alg.family == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
        assert alg.hash is not None
        size = EC_CURVES[key.curve.name]
        # RFC 6979: the nonce is derived from the key and the message, so the same document
        # signed twice (on any machine) is the same bytes, and no weak RNG can leak the key.
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(alg.hash,
                                                            deterministic_signing=True)))
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    if alg.family == "eddsa" and isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    raise ValueError(f"{method.name} cannot sign with a {type(key).__name__}")


@dataclass(frozen=True, slots=True)
class ValueCheck:
    """The outcome of checking a SignatureValue."""

    valid: bool
    padded: bool = False
    """The ECDSA value was short and left-padded (``DF-SIG-019``)."""
    problem: str | None = None


def _split_rs(value: bytes, half: int) -> tuple[int, int, bool] | None:
    if len(value) == 2 * half:
        return int.from_bytes(value[:half], "big"), int.from_bytes(value[half:], "big"), False
    if len(value) % 2 == 0 and 0 < len(value) < 2 * half:
        cut = len(value) // 2
        return int.from_bytes(value[:cut], "big"), int.from_bytes(value[cut:], "big"), True
    return None


def verify_value(method: SignatureMethod, key: PublicKey | bytes, value: bytes, data: bytes,
                 hmac_output_bits: int | None = None) -> ValueCheck:
    """Check SignatureValue ``value`` over ``data``; the key must already fit the method.

    Parameters
    ----------
    method
        The signature method.
    key
        A public key of the method's family, or the HMAC secret.
    value
        The decoded SignatureValue.
    data
        The canonical SignedInfo.
    hmac_output_bits
        ``HMACOutputLength``, already checked against the truncation floor.
    """
    alg = SIGNATURE_ALGORITHMS[method]
    kind = key_family(key)
    try:
        if alg.family == "rsa" and kind == "rsa":
            assert alg.hash is not None
            cast(rsa.RSAPublicKey, key).verify(value, data, _PKCS1, alg.hash)
            return ValueCheck(True)
        if alg.family == "ecdsa" and kind == "ecdsa":
            assert alg.hash is not None
            ec_key = cast(ec.EllipticCurvePublicKey, key)
            split = _split_rs(value, EC_CURVES[ec_key.curve.name])
            if split is None:
                return ValueCheck(False, problem=f"the ECDSA value is {len(value)} bytes, not "
                                  f"{2 * EC_CURVES[ec_key.curve.name]}")
            r, s, padded = split
            ec_key.verify(encode_dss_signature(r, s), data, ec.ECDSA(alg.hash))
            return ValueCheck(True, padded)
        if alg.family == "eddsa" and kind == "eddsa":
            cast(ed25519.Ed25519PublicKey, key).verify(value, data)
            return ValueCheck(True)
        if alg.family == "dsa" and kind == "dsa":
            assert alg.hash is not None
            dsa_key = cast(dsa.DSAPublicKey, key)
            half = (dsa_key.parameters().parameter_numbers().q.bit_length() + 7) // 8
            if len(value) != 2 * half:
                return ValueCheck(False, problem=f"the DSA value is {len(value)} bytes, not "
                                  f"{2 * half}")
            r, s = int.from_bytes(value[:half], "big"), int.from_bytes(value[half:], "big")
            dsa_key.verify(encode_dss_signature(r, s), data, alg.hash)
            return ValueCheck(True)
        if alg.family == "hmac" and kind == "hmac":
            mac = hmac.new(cast(bytes, key), data, alg.hashlib_name).digest()
            if hmac_output_bits is not None:
                mac = mac[:hmac_output_bits // 8]
            return ValueCheck(hmac.compare_digest(mac, value))
    except InvalidSignature:
        return ValueCheck(False)
    except ValueError as exc:  # r or s out of range, and similar malformed values
        return ValueCheck(False, problem=str(exc))
    return ValueCheck(False, problem=f"{method.name} cannot use a {type(key).__name__}")
