"""The parts of a PDF signature's CMS read straight from its DER, for the audit's speed.

A full decode of a SignedData with a general ASN.1 library builds an object per value and
costs several times the signature check itself. The CMS that signers write for PAdES has one
shape: ContentInfo > SignedData (detached id-data, certificates, one SignerInfo whose signed
attributes are content type, message digest, signing time and ESS signing-certificate-v2).
:func:`read_signed_data` reads that shape by offsets, strictly: definite, minimal DER lengths,
every tag where the shape puts it, nothing left over. Anything else — a BER length, a
certificate choice other than a certificate, CRLs inside, another signed attribute, unsigned
attributes (a timestamp), a key identifier as sid, RSASSA-PSS — is *not read here*: the
function returns ``None`` and :func:`docflow.pdf.cms.check_cms` decodes the whole CMS as
before. It never guesses; it only declines.

What it returns is syntax only; every check on it is :mod:`docflow.pdf.cms`'s.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["EssCertId", "SignedParts", "read_signed_data"]

_SIGNED_DATA = bytes.fromhex("2a864886f70d010702")  # 1.2.840.113549.1.7.2
_DATA = bytes.fromhex("2a864886f70d010701")  # 1.2.840.113549.1.7.1
_ATTRIBUTES = {
    bytes.fromhex("2a864886f70d010903"): "content_type",  # 1.2.840.113549.1.9.3
    bytes.fromhex("2a864886f70d010904"): "message_digest",  # 1.2.840.113549.1.9.4
    bytes.fromhex("2a864886f70d010905"): "signing_time",  # 1.2.840.113549.1.9.5
    bytes.fromhex("2a864886f70d010910022f"): "signing_certificate_v2",  # …9.16.2.47
    bytes.fromhex("2a864886f70d010934"): "cms_algorithm_protection",  # …9.52
}
"""The signed attributes read here, by the contents of their OID; any other declines.
CMS algorithm protection (RFC 6211, which pyHanko adds) is signed, and read by neither
path beyond its being a SEQUENCE."""
DIGEST_NAMES = {
    bytes.fromhex("2b0e03021a"): "sha1",  # 1.3.14.3.2.26
    bytes.fromhex("608648016503040201"): "sha256",  # 2.16.840.1.101.3.4.2.1
    bytes.fromhex("608648016503040202"): "sha384",
    bytes.fromhex("608648016503040203"): "sha512",
}
"""Digest OIDs by name, as asn1crypto names them."""
SIGNATURE_KINDS = {
    bytes.fromhex("2a864886f70d010101"): "rsassa_pkcs1v15",  # rsaEncryption
    bytes.fromhex("2a864886f70d010105"): "rsassa_pkcs1v15",  # sha1WithRSAEncryption
    bytes.fromhex("2a864886f70d01010b"): "rsassa_pkcs1v15",  # sha256WithRSAEncryption
    bytes.fromhex("2a864886f70d01010c"): "rsassa_pkcs1v15",  # sha384WithRSAEncryption
    bytes.fromhex("2a864886f70d01010d"): "rsassa_pkcs1v15",  # sha512WithRSAEncryption
    bytes.fromhex("2a8648ce3d0401"): "ecdsa",  # ecdsa-with-SHA1
    bytes.fromhex("2a8648ce3d040302"): "ecdsa",  # ecdsa-with-SHA256
    bytes.fromhex("2a8648ce3d040303"): "ecdsa",  # ecdsa-with-SHA384
    bytes.fromhex("2a8648ce3d040304"): "ecdsa",  # ecdsa-with-SHA512
    bytes.fromhex("2b6570"): "ed25519",  # 1.3.101.112
}
"""Signature algorithm OIDs → the kind asn1crypto's ``signature_algo`` gives them."""

_SEQUENCE, _SET, _OID, _INTEGER, _OCTETS, _NULL = 0x30, 0x31, 0x06, 0x02, 0x04, 0x05
_UTC_TIME, _GENERALIZED_TIME = 0x17, 0x18


class _Declined(Exception):
    """The CMS is not in the one shape read here."""


@dataclass(frozen=True, slots=True)
class EssCertId:
    """The first ESSCertIDv2 of a signing-certificate-v2 attribute."""

    hash_name: str
    """The digest's name; sha256 when the DEFAULT is left out."""
    cert_hash: bytes
    issuer_names: tuple[bytes, ...] | None
    """The DER of each directoryName of issuerSerial; ``None`` without issuerSerial."""
    serial: int | None


@dataclass(frozen=True, slots=True)
class SignedParts:
    """What the one SignerInfo of a SignedData says, each value as received."""

    certificates: tuple[bytes, ...]
    """The DER of each certificate the CMS carries, in order."""
    issuer: bytes
    """The sid's issuer Name, DER as received."""
    serial: int
    digest_name: str | None
    """The SignerInfo's digest algorithm, ``None`` when it is not one of :data:`DIGEST_NAMES`
    (the policy then refuses it)."""
    signed_attrs: bytes
    """The signed attributes as a SET OF, the bytes the signature covers."""
    attributes: dict[str, tuple[tuple[int, int, int], ...]]
    """Each attribute's values: ``(tag, start, end)`` of each value's contents."""
    signing_time: dt.datetime | None
    ess: tuple[EssCertId, ...]
    """The first ESSCertIDv2 of each signing-certificate-v2 attribute value."""
    signature_kind: str
    signature: bytes
    data: bytes
    """The DER of the CMS, which the offsets of :attr:`attributes` index."""

    def value(self, name: str) -> bytes:
        """The contents of attribute ``name``'s single value."""
        _, start, end = self.attributes[name][0]
        return self.data[start:end]


def _tlv(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """``(tag, start, stop)`` of the DER value at ``pos``: its contents are
    ``data[start:stop]``, and it must end by ``end``. Single-byte tags, definite minimal
    lengths only."""
    if pos + 2 > end:
        raise _Declined
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise _Declined  # a multi-byte tag: no value of this shape has one
    first = data[pos + 1]
    if first < 0x80:
        start = pos + 2
        stop = start + first
    else:
        count = first & 0x7F
        if not 1 <= count <= 3 or pos + 2 + count > end:
            raise _Declined  # indefinite (BER), or longer than any CMS in a PDF
        length = int.from_bytes(data[pos + 2:pos + 2 + count], "big")
        if length < 0x80 or length >> (8 * (count - 1)) == 0:
            raise _Declined  # not the minimal encoding DER requires
        start = pos + 2 + count
        stop = start + length
    if stop > end:
        raise _Declined
    return tag, start, stop


def _expect(data: bytes, pos: int, end: int, tag: int) -> tuple[int, int]:
    found, start, stop = _tlv(data, pos, end)
    if found != tag:
        raise _Declined
    return start, stop


def _items(data: bytes, start: int, stop: int) -> list[tuple[int, int, int, int]]:
    """``(tag, first byte, contents start, contents stop)`` of each value in
    ``data[start:stop]``, which they must fill exactly."""
    out = []
    pos = start
    while pos < stop:
        tag, begin, end = _tlv(data, pos, stop)
        out.append((tag, pos, begin, end))
        pos = end
    return out


def _algorithm(data: bytes, start: int, stop: int) -> bytes:
    """The OID contents of an AlgorithmIdentifier whose parameters are absent or NULL."""
    parts = _items(data, start, stop)
    if not parts or parts[0][0] != _OID or len(parts) > 2:
        raise _Declined
    if len(parts) == 2 and (parts[1][0] != _NULL or parts[1][2] != parts[1][3]):
        raise _Declined
    return data[parts[0][2]:parts[0][3]]


def _integer(data: bytes, start: int, stop: int) -> int:
    if start == stop:
        raise _Declined
    return int.from_bytes(data[start:stop], "big", signed=True)


def read_signed_data(der: bytes) -> SignedParts | None:
    """The parts of the CMS ``der`` (exactly one DER ContentInfo), or ``None`` when it is not
    in the shape read here: the caller then decodes it in full.

    Examples
    --------
    >>> read_signed_data(bytes.fromhex("3000")) is None
    True
    """
    try:
        return _read(der)
    except _Declined:
        return None


def _read(der: bytes) -> SignedParts:
    end = len(der)
    start, stop = _expect(der, 0, end, _SEQUENCE)
    if stop != end:
        raise _Declined
    info = _items(der, start, stop)
    if len(info) != 2 or info[0][0] != _OID or der[info[0][2]:info[0][3]] != _SIGNED_DATA:
        raise _Declined
    if info[1][0] != 0xA0:
        raise _Declined
    start, stop = _expect(der, info[1][2], info[1][3], _SEQUENCE)
    if stop != info[1][3]:
        raise _Declined
    fields = _items(der, start, stop)
    tags = [f[0] for f in fields]
    if tags not in ([_INTEGER, _SET, _SEQUENCE, 0xA0, _SET], [_INTEGER, _SET, _SEQUENCE, _SET]):
        raise _Declined  # CRLs, or a field missing or out of place
    _integer(der, fields[0][2], fields[0][3])
    encap = _items(der, fields[2][2], fields[2][3])
    if len(encap) != 1 or encap[0][0] != _OID or der[encap[0][2]:encap[0][3]] != _DATA:
        raise _Declined  # not detached id-data
    certificates = []
    if len(fields) == 5:
        for tag, first, _, stop in _items(der, fields[3][2], fields[3][3]):
            if tag != _SEQUENCE:
                raise _Declined  # another CertificateChoices than a certificate
            certificates.append(der[first:stop])
    signers = _items(der, fields[-1][2], fields[-1][3])
    if len(signers) != 1 or signers[0][0] != _SEQUENCE:
        raise _Declined
    return _signer(der, signers[0][2], signers[0][3], tuple(certificates))


def _signer(der: bytes, start: int, stop: int, certificates: tuple[bytes, ...]) -> SignedParts:
    parts = _items(der, start, stop)
    if [p[0] for p in parts] != [_INTEGER, _SEQUENCE, _SEQUENCE, 0xA0, _SEQUENCE, _OCTETS]:
        raise _Declined  # a key identifier as sid, no signed or some unsigned attributes
    _integer(der, parts[0][2], parts[0][3])
    sid = _items(der, parts[1][2], parts[1][3])
    if [p[0] for p in sid] != [_SEQUENCE, _INTEGER]:
        raise _Declined
    issuer = der[sid[0][1]:sid[0][3]]
    serial = _integer(der, sid[1][2], sid[1][3])
    digest_name = DIGEST_NAMES.get(_algorithm(der, parts[2][2], parts[2][3]))
    attrs_first, attrs_start, attrs_stop = parts[3][1], parts[3][2], parts[3][3]
    signed_attrs = b"\x31" + der[attrs_first + 1:attrs_stop]
    attributes: dict[str, list[tuple[int, int, int]]] = {}
    for tag, _, a_start, a_stop in _items(der, attrs_start, attrs_stop):
        if tag != _SEQUENCE:
            raise _Declined
        pair = _items(der, a_start, a_stop)
        if len(pair) != 2 or pair[0][0] != _OID or pair[1][0] != _SET:
            raise _Declined
        name = _ATTRIBUTES.get(der[pair[0][2]:pair[0][3]])
        if name is None:
            raise _Declined  # an attribute read only by the full decode
        attributes.setdefault(name, []).extend(
            (t, s, e) for t, _, s, e in _items(der, pair[1][2], pair[1][3]))
    kind = SIGNATURE_KINDS.get(_algorithm(der, parts[4][2], parts[4][3]))
    if kind is None:
        raise _Declined
    signing_time = None
    times = attributes.get("signing_time", [])
    if len(times) == 1:
        signing_time = _time(der, *times[0])
    for name, tag in (("content_type", _OID), ("message_digest", _OCTETS),
                      ("signing_certificate_v2", _SEQUENCE),
                      ("cms_algorithm_protection", _SEQUENCE)):
        if any(t != tag for t, _, _ in attributes.get(name, [])):
            raise _Declined
    ess = tuple(_ess(der, s, e) for _, s, e in attributes.get("signing_certificate_v2", []))
    return SignedParts(certificates, issuer, serial, digest_name, signed_attrs,
                       {k: tuple(v) for k, v in attributes.items()}, signing_time, ess, kind,
                       der[parts[5][2]:parts[5][3]], der)


def _time(der: bytes, tag: int, start: int, stop: int) -> dt.datetime:
    """A DER UTCTime (``YYMMDDHHMMSSZ``) or GeneralizedTime (``YYYYMMDDHHMMSSZ``)."""
    text = der[start:stop]
    if not text.endswith(b"Z") or not text[:-1].isdigit():
        raise _Declined
    if tag == _UTC_TIME and len(text) == 13:
        year = int(text[:2])
        year += 2000 if year < 50 else 1900
        rest = text[2:12]
    elif tag == _GENERALIZED_TIME and len(text) == 15:
        year = int(text[:4])
        rest = text[4:14]
    else:
        raise _Declined
    try:
        return dt.datetime(year, int(rest[0:2]), int(rest[2:4]), int(rest[4:6]),
                           int(rest[6:8]), int(rest[8:10]), tzinfo=dt.UTC)
    except ValueError:
        raise _Declined from None


def _ess(der: bytes, start: int, stop: int) -> EssCertId:
    """The first ESSCertIDv2 of a SigningCertificateV2 ``SEQUENCE { certs, policies? }``."""
    top = _items(der, start, stop)
    if not 1 <= len(top) <= 2 or any(t != _SEQUENCE for t, _, _, _ in top):
        raise _Declined
    certs = _items(der, top[0][2], top[0][3])
    if not certs or any(t != _SEQUENCE for t, _, _, _ in certs):
        raise _Declined
    parts = _items(der, certs[0][2], certs[0][3])
    hash_name = "sha256"  # DEFAULT
    if parts and parts[0][0] == _SEQUENCE:
        found = DIGEST_NAMES.get(_algorithm(der, parts[0][2], parts[0][3]))
        if found is None:
            raise _Declined
        hash_name = found
        parts = parts[1:]
    if not parts or parts[0][0] != _OCTETS or len(parts) > 2:
        raise _Declined
    cert_hash = der[parts[0][2]:parts[0][3]]
    if len(parts) == 1:
        return EssCertId(hash_name, cert_hash, None, None)
    if parts[1][0] != _SEQUENCE:
        raise _Declined
    serial_parts = _items(der, parts[1][2], parts[1][3])
    if [t for t, _, _, _ in serial_parts] != [_SEQUENCE, _INTEGER]:
        raise _Declined
    names = []
    for tag, _, n_start, n_stop in _items(der, serial_parts[0][2], serial_parts[0][3]):
        if tag != 0xA4:
            raise _Declined  # another GeneralName than a directoryName
        inner, _, inner_stop = _tlv(der, n_start, n_stop)
        if inner != _SEQUENCE or inner_stop != n_stop:
            raise _Declined
        names.append(der[n_start:n_stop])
    return EssCertId(hash_name, cert_hash, tuple(names),
                     _integer(der, serial_parts[1][2], serial_parts[1][3]))
