"""Damage a certificate's DER where a parser reads it last: the mutation fuzz's tools.

cryptography checks a certificate's outer structure when it loads it, but decodes the names, the
public key and the extensions only when they are first read. Damage inside those fields gives a
certificate that loads and breaks later, wherever the first reader happens to be. These helpers
find each field of a certificate in its DER and make damaged copies of it deterministically, from
a seeded generator, so that a failing variant can be rebuilt from its label alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

TBS_FIELDS = ("version", "serial", "signature", "issuer", "validity", "subject", "spki",
              "extensions")
"""The TBSCertificate's fields, in order (RFC 5280 §4.1); version and extensions are the
explicitly tagged ``[0]`` and ``[3]``."""
OUTER_FIELDS = ("signature_algorithm", "signature_value")
"""What follows the TBSCertificate: the CA's algorithm and its signature over the TBS bytes."""
KINDS = ("bit", "byte", "tag", "value")
"""How a field is damaged: one bit flipped, one byte replaced, the tag of one of its TLVs
replaced by another tag, one byte of a primitive value replaced by a byte that string and
number types refuse."""
_TAGS = (0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0C, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1C, 0x1E,
         0x30, 0x31, 0x3C, 0x80, 0xA0, 0xA3)
"""Tags put in place of a field's own: universal primitives, strings of other kinds (BMP,
Universal, Teletex), SET for SEQUENCE, context tags, and 0x3C (a constructed UTF8String)."""
_ODD_BYTES = (0x00, 0x80, 0xC0, 0xFF, 0xFE, 0x1F)
"""Bytes that are invalid in UTF-8 or PrintableString, or change a number's sign or length."""


@dataclass(frozen=True, slots=True)
class Tlv:
    """One DER tag-length-value: where it starts, its header length and its content length."""

    tag: int
    start: int
    header: int
    length: int

    @property
    def content(self) -> int:
        return self.start + self.header

    @property
    def end(self) -> int:
        return self.content + self.length

    @property
    def constructed(self) -> bool:
        return bool(self.tag & 0x20)


def read_tlv(der: bytes, start: int) -> Tlv:
    """The TLV at ``start`` (single-byte tags, definite lengths: all DER certificates use)."""
    first = der[start + 1]
    if first < 0x80:
        return Tlv(der[start], start, 2, first)
    count = first & 0x7F
    return Tlv(der[start], start, 2 + count,
               int.from_bytes(der[start + 2:start + 2 + count], "big"))


def children(der: bytes, parent: Tlv) -> list[Tlv]:
    """The TLVs directly inside ``parent``."""
    found, at = [], parent.content
    while at < parent.end:
        tlv = read_tlv(der, at)
        found.append(tlv)
        at = tlv.end
    return found


def nested(der: bytes, top: Tlv) -> Iterator[Tlv]:
    """``top`` and every TLV inside it, depth first (OCTET and BIT STRINGs are not opened)."""
    yield top
    if top.constructed:
        for child in children(der, top):
            yield from nested(der, child)


def certificate_fields(der: bytes) -> dict[str, Tlv]:
    """Each field of the certificate ``der`` by name (:data:`TBS_FIELDS`, :data:`OUTER_FIELDS`)
    and ``tbs``, the whole TBSCertificate."""
    tbs, algorithm, value = children(der, read_tlv(der, 0))
    inner = children(der, tbs)
    fields = dict(zip(TBS_FIELDS, inner if inner[0].tag == 0xA0 else [None, *inner],
                      strict=False))
    found = {name: tlv for name, tlv in fields.items() if tlv is not None}
    return {**found, "tbs": tbs, "signature_algorithm": algorithm, "signature_value": value}


def crl_fields(der: bytes) -> dict[str, Tlv]:
    """Each field of the TBSCertList of the CRL ``der`` by name (RFC 5280 §5.1): ``issuer``,
    ``this_update``, ``next_update``, ``revoked`` (the list of entries), ``extensions``."""
    tbs = children(der, read_tlv(der, 0))[0]
    inner = [t for t in children(der, tbs) if t.tag != 0x02]  # without the version
    names = ("signature", "issuer", "this_update", "next_update", "revoked", "extensions")
    return dict(zip(names, inner, strict=False))


def values(der: bytes, field: Tlv) -> list[Tlv]:
    """The primitive TLVs inside ``field`` (OIDs, strings, numbers, times), in order."""
    return [t for t in nested(der, field) if not t.constructed]


def with_tag(der: bytes, tlv: Tlv, tag: int) -> bytes:
    """A copy of ``der`` with the tag of ``tlv`` replaced by ``tag``."""
    return der[:tlv.start] + bytes([tag]) + der[tlv.start + 1:]


def with_byte(der: bytes, at: int, value: int) -> bytes:
    """A copy of ``der`` with the byte at ``at`` replaced by ``value``."""
    return der[:at] + bytes([value]) + der[at + 1:]


def damage(der: bytes, field: Tlv, kind: str, rng: np.random.Generator) -> bytes:
    """A copy of ``der`` damaged inside ``field`` as ``kind`` says (see :data:`KINDS`); the
    result always differs from ``der``."""
    out = bytearray(der)
    if kind == "bit":
        at = int(rng.integers(field.start, field.end))
        out[at] ^= 1 << int(rng.integers(8))
    elif kind == "byte":
        at = int(rng.integers(field.start, field.end))
        out[at] = (out[at] + int(rng.integers(1, 256))) % 256
    elif kind == "tag":
        tlvs = list(nested(der, field))
        tlv = tlvs[int(rng.integers(len(tlvs)))]
        choices = [t for t in _TAGS if t != tlv.tag]
        out[tlv.start] = choices[int(rng.integers(len(choices)))]
    elif kind == "value":
        primitives = [t for t in nested(der, field) if not t.constructed and t.length]
        tlv = primitives[int(rng.integers(len(primitives)))]
        at = int(rng.integers(tlv.content, tlv.end))
        choices = [b for b in _ODD_BYTES if b != out[at]]
        out[at] = choices[int(rng.integers(len(choices)))]
    else:
        raise ValueError(f"unknown kind of damage {kind!r}")
    return bytes(out)


def variants(der: bytes, fields: tuple[str, ...], per_field: int, seed: int
             ) -> list[tuple[str, bytes]]:
    """``per_field`` distinct damaged copies of ``der`` for each of ``fields``, the kinds in
    turn, labelled ``field/kind/number``; the same arguments give the same list."""
    rng = np.random.default_rng(seed)
    located = certificate_fields(der)
    out: list[tuple[str, bytes]] = []
    seen = {der}
    for name in fields:
        made, tries = 0, 0
        while made < per_field and tries < 20 * per_field:
            kind = KINDS[tries % len(KINDS)]
            tries += 1
            copy = damage(der, located[name], kind, rng)
            if copy not in seen:
                seen.add(copy)
                out.append((f"{name}/{kind}/{made}", copy))
                made += 1
    return out


def with_extension_twice(der: bytes) -> bytes:
    """A copy of the certificate ``der`` with its first extension repeated (every length on
    the way up fixed); not signed again, so its CA's signature no longer verifies."""
    fields = certificate_fields(der)
    outer = fields["extensions"]  # [3] { SEQUENCE OF Extension }
    [sequence] = children(der, outer)
    first = children(der, sequence)[0]
    extra = der[first.start:first.end]
    body = der[sequence.content:sequence.end] + extra
    tbs = fields["tbs"]
    new_extensions = _wrap(0xA3, _wrap(0x30, body))
    new_tbs = _wrap(0x30, der[tbs.content:outer.start] + new_extensions)
    algorithm, value = fields["signature_algorithm"], fields["signature_value"]
    return _wrap(0x30, new_tbs + der[algorithm.start:value.end])


def _wrap(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw + content
