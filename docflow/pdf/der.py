"""The few DER encodings a CMS signature needs (ITU-T X.690), written directly.

Building a SignedData with a general ASN.1 library re-encodes every certificate it carries,
field by field: ~50 ms a signature here, more than everything else a signature costs. The
certificates are already DER, so the CMS is assembled from bytes: a tag, a length and the
contents, nested. Each function returns the complete encoding of one value.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["explicit", "implicit", "integer", "null", "octet_string", "oid", "sequence",
           "set_of", "tlv"]


def tlv(tag: int, contents: bytes) -> bytes:
    """Tag, definite length, contents.

    >>> tlv(0x04, b"ab").hex()
    '04026162'
    >>> len(tlv(0x04, b"x" * 300)[:4].hex())
    8
    """
    n = len(contents)
    if n < 0x80:
        return bytes((tag, n)) + contents
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(size))) + size + contents


def sequence(*items: bytes) -> bytes:
    return tlv(0x30, b"".join(items))


def set_of(items: Iterable[bytes]) -> bytes:
    """A SET OF, its members in the order of their encodings (X.690 §11.6)."""
    return tlv(0x31, b"".join(sorted(items)))


def explicit(number: int, encoding: bytes) -> bytes:
    """``[number] EXPLICIT``: a constructed context tag around a whole encoding."""
    return tlv(0xA0 | number, encoding)


def implicit(number: int, encoding: bytes, constructed: bool = True) -> bytes:
    """``[number] IMPLICIT``: the encoding with its tag replaced (short lengths kept)."""
    tag = (0xA0 if constructed else 0x80) | number
    return bytes((tag,)) + encoding[1:]


def integer(value: int) -> bytes:
    """A non-negative INTEGER, with the leading zero byte DER needs for a high first bit.

    >>> integer(128).hex(), integer(0).hex()
    ('02020080', '020100')
    """
    return tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def octet_string(value: bytes) -> bytes:
    return tlv(0x04, value)


def null() -> bytes:
    return b"\x05\x00"


def oid(dotted: str) -> bytes:
    """An OBJECT IDENTIFIER.

    >>> oid("1.2.840.113549.1.7.2").hex()
    '06092a864886f70d010702'
    """
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray([arcs[0] * 40 + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body += bytes(reversed(chunk))
    return tlv(0x06, bytes(body))
