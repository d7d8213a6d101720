"""The CMS SignedData in a PDF signature's /Contents (RFC 5652, ETSI EN 319 142-1 §6.3).

:func:`check_cms` answers one question: does this CMS sign these bytes, and with which
certificate? It checks the structure (DER SignedData, detached, exactly one SignerInfo, only
zero padding after it), the algorithms against the policy, the signed attributes (content type,
message digest of the ByteRange bytes, ESS signing-certificate-v2 naming the signing
certificate, so a certificate cannot be swapped), and the signature value. asn1crypto parses;
cryptography verifies. Every problem is a finding, never an exception.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asn1crypto import cms, core, tsp  # tsp registers ESS signing-certificate(-v2) and TSTInfo
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from docflow.errors import Finding, Location
from docflow.pdf.cms_der import SignedParts, read_signed_data

__all__ = ["CmsCheck", "as_set", "check_cms", "check_cms_full", "der_length", "signing_certificate",
           "verify_signer_info"]

DIGESTS: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
"""Digests the default policy admits; SHA-1 only under the legacy policy."""
LEGACY_DIGESTS: dict[str, Callable[[], hashes.HashAlgorithm]] = {**DIGESTS,
                                                                  "sha1": hashes.SHA1}
MIN_RSA_BITS = 2048
LEGACY_MIN_RSA_BITS = 1024
_REGISTERED = tsp.SigningCertificateV2
"""Importing :mod:`asn1crypto.tsp` registers the ESS attributes and TSTInfo with the CMS
parser; without it signing-certificate-v2 reads as an unknown OID."""
_SINGLE = ("content_type", "message_digest", "signing_certificate_v2", "signing_certificate",
           "signing_time")
"""Signed attributes that may have one value only."""
_ID_DATA = bytes.fromhex("2a864886f70d010701")
"""The contents of the OID id-data (1.2.840.113549.1.7.1)."""
_ASN1_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError)


@dataclass(frozen=True, slots=True)
class CmsCheck:
    """What the CMS check found; ``certificate`` is set once the signer is identified."""

    findings: tuple[Finding, ...]
    certificate: x509.Certificate | None = None
    others: tuple[x509.Certificate, ...] = ()
    """The other certificates the CMS carries: candidates for the path, never trusted."""
    digest: str | None = None
    signing_time: dt.datetime | None = None
    """The signing-time attribute, if any: a claim of the signer, not a proof."""
    signature: bytes = b""
    """The signature value, which a timestamp token's imprint must hash."""
    timestamp_token: cms.ContentInfo | None = None

    @property
    def intact(self) -> bool:
        """Whether the CMS signs the bytes (ignoring trust)."""
        return not self.findings and self.certificate is not None


def der_length(data: bytes) -> int | None:
    """The length of the DER SEQUENCE at the start of ``data``, or ``None``."""
    if len(data) < 2 or data[0] != 0x30:
        return None
    first = data[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(data) < 2 + count:
        return None
    return 2 + count + int.from_bytes(data[2:2 + count], "big")


def check_cms(contents: bytes, signed: Callable[[hashes.HashAlgorithm], bytes], *,
              legacy: bool = False, require_ess: bool = True,
              where: Location | None = None) -> CmsCheck:
    """Check the CMS ``contents`` against the signed bytes.

    Parameters
    ----------
    contents
        The decoded /Contents, zero padding included.
    signed
        Hashes the signed byte ranges with the algorithm given (so the file is hashed once,
        with the CMS's own digest).
    legacy
        Admit SHA-1 and RSA-1024.
    require_ess
        Require ESS signing-certificate-v2 (ETSI.CAdES.detached); for adbe.pkcs7.detached it is
        checked when present.
    where
        The location findings carry.
    """
    size = der_length(contents)
    if size is not None and size <= len(contents) and not contents[size:].strip(b"\x00"):
        # Speed: the CMS read by DER offsets, taken only when every check passes on it.
        parts = read_signed_data(contents[:size])
        if parts is not None:
            fast = _check_parts(parts, signed, legacy, require_ess)
            if fast is not None:
                return fast
    return check_cms_full(contents, signed, legacy=legacy, require_ess=require_ess,
                          where=where)


def check_cms_full(contents: bytes, signed: Callable[[hashes.HashAlgorithm], bytes], *,
                   legacy: bool = False, require_ess: bool = True,
                   where: Location | None = None) -> CmsCheck:
    """:func:`check_cms` on a full asn1crypto decode: any CMS, and each finding's message.
    The parameters are :func:`check_cms`'s."""
    where = where or Location()

    def finding(code: str, message: str) -> CmsCheck:
        return CmsCheck((Finding(code, message, where),))

    size = der_length(contents)
    if size is None or size > len(contents):
        return finding("DF-PDF-075", "/Contents does not hold a DER SEQUENCE")
    if contents[size:].strip(b"\x00"):
        return finding("DF-PDF-075", f"{len(contents) - size} bytes after the CMS are not "
                                     "zero padding")
    try:
        info = cms.ContentInfo.load(contents[:size], strict=True)
        if info["content_type"].native != "signed_data":
            return finding("DF-PDF-075", "the CMS is not SignedData")
        data = info["content"]
        encap = data["encap_content_info"]
        if encap["content_type"].native != "data" or encap["content"].native is not None:
            return finding("DF-PDF-075", "the CMS is not detached id-data: it carries its "
                                         "own content")
        signer_infos = data["signer_infos"]
        if len(signer_infos) != 1:
            return finding("DF-PDF-075", f"the CMS has {len(signer_infos)} SignerInfos, not "
                                         "one")
        certificates = [c.chosen for c in data["certificates"] or ()
                        if c.name == "certificate"]  # read as DER by cryptography below
        return _check_signer(signer_infos[0], certificates, signed, legacy, require_ess,
                             where)
    except _ASN1_ERRORS as exc:
        return finding("DF-PDF-075", f"the CMS cannot be parsed: {exc}")


def _check_signer(signer: cms.SignerInfo, certificates: list, signed: Callable[
        [hashes.HashAlgorithm], bytes], legacy: bool, require_ess: bool,
        where: Location) -> CmsCheck:
    def finding(code: str, message: str, cert: x509.Certificate | None = None,
                others: tuple[x509.Certificate, ...] = ()) -> CmsCheck:
        return CmsCheck((Finding(code, message, where),), cert, others)

    chosen, others = signing_certificate(signer["sid"], certificates)
    if chosen is None:
        return finding("DF-PDF-078", "no readable certificate in the CMS matches its "
                                     "SignerInfo's sid", None, others)
    certificate = chosen[0]
    digests = LEGACY_DIGESTS if legacy else DIGESTS
    digest_name = signer["digest_algorithm"]["algorithm"].native
    if digest_name not in digests:
        return finding("DF-PDF-080", f"digest {digest_name} is not allowed by the policy",
                       certificate, others)
    digest = digests[digest_name]()
    attrs = signer["signed_attrs"]
    # Speed and fidelity: the DER as received, taken before any child is parsed; once they
    # are, asn1crypto re-encodes the whole set on dump().
    signed_set = as_set(attrs)
    if not attrs:
        return finding("DF-PDF-079", "the SignerInfo has no signed attributes",
                       certificate, others)
    values: dict[str, list] = {}
    for attr in attrs:
        values.setdefault(attr["type"].native, []).extend(attr["values"])
    for name in ("content_type", "message_digest", "signing_certificate_v2",
                 "signing_certificate", "signing_time"):
        if len(values.get(name, ())) > 1:
            return finding("DF-PDF-079", f"the signed attribute {name} is repeated",
                           certificate, others)
    if [v.native for v in values.get("content_type", ())] != ["data"]:
        return finding("DF-PDF-079", "the content-type attribute is missing or not id-data",
                       certificate, others)
    if not values.get("message_digest"):
        return finding("DF-PDF-079", "the message-digest attribute is missing",
                       certificate, others)
    if values["message_digest"][0].native != signed(digest):
        return finding("DF-PDF-076", "the message digest is not the hash of the signed byte "
                                     "ranges", certificate, others)
    ess = _ess_problem(values, chosen, require_ess)
    if ess:
        return finding("DF-PDF-079", ess, certificate, others)
    signature = signer["signature"].native
    problem = verify_signer_info(signer, certificate, digest, signed_set, legacy)
    if problem is not None:
        code, message = problem
        return finding(code, message, certificate, others)
    times = values.get("signing_time")
    token = None
    for attr in signer["unsigned_attrs"] or ():
        if attr["type"].native == "signature_time_stamp_token":
            token = attr["values"][0]
    return CmsCheck((), certificate, others, digest_name,
                    times[0].native if times else None, signature, token)


def _check_parts(parts: SignedParts, signed: Callable[[hashes.HashAlgorithm], bytes],
                 legacy: bool, require_ess: bool) -> CmsCheck | None:
    """:func:`_check_signer`'s checks on the parts :func:`~docflow.pdf.cms_der.read_signed_data`
    read: the result when every one passes, else ``None`` (the full decode then gives the
    finding, with its message). Each check is the full path's, in the same terms; a test
    holds the two to the same result on every CMS of the corpus."""
    chosen = None
    others = []
    for der in parts.certificates:
        loaded = _load(der)
        if loaded is None:
            continue
        if chosen is None and loaded[0].serial_number == parts.serial \
                and loaded[1] == parts.issuer:
            chosen = (*loaded, der)
        else:
            others.append(loaded[0])
    digests = LEGACY_DIGESTS if legacy else DIGESTS
    attributes = parts.attributes
    if (chosen is None or parts.digest_name not in digests
            or any(len(attributes.get(name, ())) > 1 for name in _SINGLE)
            or len(attributes.get("content_type", ())) != 1
            or parts.value("content_type") != _ID_DATA
            or len(attributes.get("message_digest", ())) != 1):
        return None
    digest = digests[parts.digest_name]()
    if parts.value("message_digest") != signed(digest):
        return None
    certificate, issuer, cert_der = chosen
    if parts.ess:
        first = parts.ess[0]
        if hashlib.new(first.hash_name, cert_der).digest() != first.cert_hash:
            return None
        if first.issuer_names is not None and (first.serial != certificate.serial_number
                                               or first.issuer_names != (issuer,)):
            return None
    elif require_ess:
        return None
    if _verify(parts.signature_kind, parts.signature, certificate, digest,
               parts.signed_attrs, legacy, None) is not None:
        return None
    return CmsCheck((), certificate, tuple(others), parts.digest_name, parts.signing_time,
                    parts.signature, None)


def signing_certificate(sid: cms.SignerIdentifier, certificates: list
                         ) -> tuple[tuple[x509.Certificate, bytes] | None,
                                    tuple[x509.Certificate, ...]]:
    """The certificate ``sid`` names (with its DER), and the others.

    Speed: certificates are read by cryptography from their DER as received (asn1crypto's
    ``dump()`` of an untouched value is the input bytes); asn1crypto's Name comparison, which
    normalises every attribute, would cost more than the whole signature check.
    """
    if sid.name == "issuer_and_serial_number":
        issuer = sid.chosen["issuer"].dump()
        serial = sid.chosen["serial_number"].native
        key_id = None
    else:
        issuer, serial, key_id = b"", None, sid.chosen.native
    chosen = None
    others = []
    for item in certificates:
        der = item.dump()
        loaded = _load(der)
        if loaded is None:
            continue
        cert = loaded[0]
        if chosen is None and _names(cert, issuer, serial, key_id):
            chosen = (cert, der)
        else:
            others.append(cert)
    return chosen, tuple(others)


_CERTIFICATES: dict[bytes, tuple[x509.Certificate, bytes] | None] = {}
_KEEP = 4096
"""Certificates parsed, with their issuer's DER, by the certificate's DER: one organ
certificate signs thousands of documents."""


def _load(der: bytes) -> tuple[x509.Certificate, bytes] | None:
    """The certificate ``der`` and its issuer Name's DER; ``None`` if it cannot be read."""
    loaded = _CERTIFICATES.get(der, False)
    if loaded is False:
        try:
            cert = x509.load_der_x509_certificate(der)
            loaded = (cert, cert.issuer.public_bytes())
        except ValueError:
            loaded = None
        if len(_CERTIFICATES) >= _KEEP:
            _CERTIFICATES.clear()
        _CERTIFICATES[der] = loaded
    return loaded  # type: ignore[return-value]


def _names(cert: x509.Certificate, issuer: bytes, serial: int | None,
           key_id: bytes | None) -> bool:
    if key_id is not None:
        try:
            ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        except (x509.ExtensionNotFound, ValueError):
            return False
        return ski.value.digest == key_id
    return cert.serial_number == serial and cert.issuer.public_bytes() == issuer


def _ess_problem(values: dict[str, list], chosen: tuple[x509.Certificate, bytes],
                 require: bool) -> str | None:
    v2 = values.get("signing_certificate_v2")
    v1 = values.get("signing_certificate")
    if not v2 and not v1:
        return "the ESS signing-certificate-v2 attribute is missing" if require else None
    if v1 and not v2:
        if require:
            return "ESS signing-certificate (v1, SHA-1) instead of signing-certificate-v2"
        ids, name = v1[0]["certs"], "sha1"
    else:
        assert v2 is not None
        ids, name = v2[0]["certs"], None
    if not len(ids):
        return "the ESS signing certificate attribute lists no certificate"
    first = ids[0]
    algorithm = name or first["hash_algorithm"]["algorithm"].native
    if algorithm not in ("sha1", "sha256", "sha384", "sha512"):
        return f"the ESS certificate hash uses {algorithm}"
    cert, der = chosen
    if hashlib.new(algorithm, der).digest() != first["cert_hash"].native:
        return "the ESS signing certificate attribute names another certificate than the " \
               "one that signed"
    serial = first["issuer_serial"]
    if not isinstance(serial, core.Void):  # present (speed: .native would decode it all)
        names = [n.chosen.untag().dump() for n in serial["issuer"]
                 if n.name == "directory_name"]
        if (serial["serial_number"].native != cert.serial_number
                or names != [cert.issuer.public_bytes()]):
            return "the ESS issuerSerial names another certificate than the one that signed"
    return None


def as_set(attrs: Any) -> bytes:
    """The signed attributes as the signature covers them: their DER as received, with the
    [0] IMPLICIT tag replaced by SET OF (RFC 5652 §5.4). The received bytes, not a
    re-encoding: what the signer signed is what was sent."""
    raw = attrs.dump()
    return b"\x31" + raw[1:]


def verify_signer_info(signer: cms.SignerInfo, certificate: x509.Certificate,
                       digest: hashes.HashAlgorithm, message: bytes, legacy: bool
                       ) -> tuple[str, str] | None:
    """Verify the SignerInfo's signature over ``message`` (its DER signed attributes as a
    SET); ``None`` when it verifies, else ``(code, message)``."""
    algorithm = signer["signature_algorithm"]
    signature = signer["signature"].native
    try:
        kind = algorithm.signature_algo
    except _ASN1_ERRORS:
        return "DF-PDF-080", f"signature algorithm {algorithm['algorithm'].dotted} is unknown"
    return _verify(kind, signature, certificate, digest, message, legacy, algorithm)


def _verify(kind: str, signature: bytes, certificate: x509.Certificate,
            digest: hashes.HashAlgorithm, message: bytes, legacy: bool,
            algorithm: Any) -> tuple[str, str] | None:
    """Verify ``signature`` over ``message`` by the signature kind asn1crypto names
    (``algorithm``, for RSASSA-PSS's parameters, only on the full path)."""
    try:
        key = certificate.public_key()
    except ValueError as exc:
        return "DF-PDF-078", f"the signing certificate's key cannot be read: {exc}"
    try:
        if kind == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPublicKey):
            if key.key_size < (LEGACY_MIN_RSA_BITS if legacy else MIN_RSA_BITS):
                return "DF-PDF-080", f"the RSA key has {key.key_size} bits"
            key.verify(signature, message, padding.PKCS1v15(), digest)
        elif kind == "rsassa_pss" and isinstance(key, rsa.RSAPublicKey) and algorithm:
            params = algorithm["parameters"]
            pss_hash = DIGESTS.get(params["hash_algorithm"]["algorithm"].native)
            if pss_hash is None:
                return "DF-PDF-080", "the RSASSA-PSS hash is not allowed by the policy"
            key.verify(signature, message, padding.PSS(padding.MGF1(pss_hash()),
                                                       params["salt_length"].native),
                       pss_hash())
        elif kind == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, message, ec.ECDSA(digest))
        elif kind == "ed25519" and isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, message)
        else:
            return "DF-PDF-080", f"signature algorithm {kind} does not fit the " \
                                 f"certificate's {type(key).__name__.lstrip('_')} key or " \
                                 "is not allowed"
    except InvalidSignature:
        return "DF-PDF-077", "the CMS signature does not verify with the signing " \
                             "certificate's key"
    except _ASN1_ERRORS as exc:
        return "DF-PDF-075", f"the signature algorithm's parameters cannot be read: {exc}"
    return None
