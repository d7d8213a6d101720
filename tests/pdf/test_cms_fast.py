"""The CMS check read by DER offsets (docflow/pdf/cms_der.py) gives the full asn1crypto
decode's result on every CMS: the benign corpus signed by pyHanko and by docflow (ECDSA,
RSA, Ed25519; SHA-256/384/512; CAdES and PKCS#7 SubFilters; with a timestamp), and thousands
of copies with one byte changed. It is used only when it passes, so where it reads a CMS at
all it must pass exactly when the full decode passes, with the same certificate, digest,
signing time and signature value."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator

import pytest
from cryptography.hazmat.primitives import hashes

from docflow.errors import Location
from docflow.pdf.cms import CmsCheck, _check_parts, check_cms, check_cms_full, der_length
from docflow.pdf.cms_der import read_signed_data
from docflow.pdf.fields import signature_fields
from docflow.pdf.syntax import Name, PdfString, parse_pdf
from docflow.pki.keys import KeyAlgorithm
from docflow.pki.national import NationalPki
from docflow.pki.roles import Role
from docflow.profile.nd30_sign import sign_document
from tests.pdf import corpus, making
from tests.pdf.test_interop import benign_corpus

Signed = Callable[[hashes.HashAlgorithm], bytes]


def _signatures(data: bytes) -> Iterator[tuple[bytes, Signed, bool]]:
    """``(DER of the CMS, hash of its ByteRange, whether ESS is required)`` per signature."""
    document = parse_pdf(data)
    for found in signature_fields(document):
        sig = document.get_ref(found.value)
        contents = sig[Name("Contents")]  # type: ignore[index]
        assert isinstance(contents, PdfString)
        _, b, c, d = sig[Name("ByteRange")]  # type: ignore[index,misc]

        def signed(algorithm: hashes.HashAlgorithm, b: int = b, c: int = c, d: int = d
                   ) -> bytes:
            return hashlib.new(algorithm.name, data[:b] + data[c:c + d]).digest()

        size = der_length(contents.value)
        assert size is not None
        yield (contents.value[:size], signed,
               sig[Name("SubFilter")] == "ETSI.CAdES.detached")  # type: ignore[index]


def _docflow_signed(algorithm: KeyAlgorithm, timestamped: bool = False) -> bytes:
    """A Decree 30 document signed by docflow, person then organ."""
    pki = NationalPki.build(corpus.AGENCIES, seed=3, at=making.issued_at(),
                            algorithm=algorithm, hubs=corpus.HUBS)
    data = making.document()
    for minutes, role in enumerate((Role.SIGNER, Role.ORGAN)):
        key, cert, chain = pki.credentials_for(corpus.ORGAN_CODE, role)
        at = making.signing_time(minutes)
        data = sign_document(data, key, [cert, *chain], role, at=at,
                             timestamp=making.tsa().timestamper(at) if timestamped else None)
    return data


@pytest.fixture(scope="module")
def every_cms(pdf_pki: NationalPki) -> list[tuple[str, bytes, Signed, bool]]:
    files = dict(benign_corpus(pdf_pki))
    for algorithm in KeyAlgorithm:
        files[f"docflow {algorithm.value}"] = _docflow_signed(algorithm)
    files["docflow timestamped"] = _docflow_signed(KeyAlgorithm.ECDSA_P256, timestamped=True)
    return [(f"{name} #{k}", der, signed, ess) for name, data in files.items()
            for k, (der, signed, ess) in enumerate(_signatures(data))]


def _agree(der: bytes, signed: Signed, ess: bool) -> bool:
    """Assert that the audit's check equals the full decode's; whether the fast path read
    and passed it."""
    at = Location(path="test")
    full = check_cms_full(der, signed, require_ess=ess, where=at)
    assert _plain(check_cms(der, signed, require_ess=ess, where=at)) == _plain(full)
    parts = read_signed_data(der)
    fast = _check_parts(parts, signed, False, ess) if parts is not None else None
    if fast is not None:
        assert fast == full and full.intact
    return fast is not None


def _plain(check: CmsCheck) -> tuple[object, ...]:
    """The check's fields, a timestamp token as its DER (asn1crypto values compare by
    identity)."""
    token = check.timestamp_token
    return (check.findings, check.certificate, check.others, check.digest, check.signing_time,
            check.signature, token.dump() if token is not None else None)


def test_the_fast_path_reads_every_usual_cms(every_cms: list) -> None:  # type: ignore[type-arg]
    """Every signature of the benign corpus but the timestamped ones (unsigned attributes
    are the full decode's) is read and passed by the fast path, with the full path's
    result."""
    used = {name: _agree(der, signed, ess) for name, der, signed, ess in every_cms}
    assert {name for name in used if not used[name]} == {
        name for name in used if name.startswith("docflow timestamped")}, used
    assert len(used) >= 16


def test_one_changed_byte_never_makes_the_two_paths_differ(every_cms: list) -> None:  # type: ignore[type-arg]
    """Every byte of a CMS is a place an attacker may change: for the first signature of
    each file, a seeded draw of positions (most in the SignerInfo, which every check reads;
    the rest anywhere), each XORed with one of a few masks."""
    rng = random.Random(14)
    passed = 0
    for _, der, signed, ess in (case for case in every_cms if case[0].endswith("#0")):
        parts = read_signed_data(der)
        assert parts is not None or b"\x06\x0b\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x02\x0e" in der
        signer_info = der.find(parts.signed_attrs[1:]) - 250 if parts else len(der) // 2
        positions = set(rng.sample(range(signer_info, len(der)), 100))
        positions |= set(rng.sample(range(len(der)), 30))
        for position in sorted(positions):
            mask = rng.choice((0x01, 0x80, 0xFF, 0x20))
            changed = der[:position] + bytes([der[position] ^ mask]) + der[position + 1:]
            passed += _agree(changed, signed, ess)
    assert passed > 0  # some changes (a byte of another certificate) leave it passing


def test_a_signature_that_passes_fast_fails_when_its_parts_change(every_cms: list) -> None:  # type: ignore[type-arg]
    """The fast path itself refuses, on its own, what the full path refuses: another
    digest, another signature value, another ESS hash, no ESS where it is required."""
    _, der, signed, ess = every_cms[0]
    parts = read_signed_data(der)
    assert parts is not None and _check_parts(parts, signed, False, ess) is not None
    assert _check_parts(parts, lambda a: b"\x00" * 32, False, ess) is None
    flipped = bytearray(parts.signature)
    flipped[-5] ^= 1
    for variant in (
            type(parts)(**{**_fields(parts), "signature": bytes(flipped)}),
            type(parts)(**{**_fields(parts), "ess": ()}),
            type(parts)(**{**_fields(parts), "serial": parts.serial + 1})):
        assert _check_parts(variant, signed, False, True) is None
    ess_id = parts.ess[0]
    other = type(ess_id)(ess_id.hash_name, bytes(32), ess_id.issuer_names, ess_id.serial)
    assert _check_parts(type(parts)(**{**_fields(parts), "ess": (other,)}), signed, False,
                        ess) is None


def _fields(parts: object) -> dict[str, object]:
    return {name: getattr(parts, name) for name in parts.__slots__}  # type: ignore[attr-defined]


def test_a_signing_time_is_read_as_asn1crypto_reads_it(every_cms: list) -> None:  # type: ignore[type-arg]
    """pyHanko's PKCS#7 signatures carry signing-time: the fast path gives the same aware
    datetime as the full decode."""
    times = []
    for _, der, signed, ess in every_cms:
        full = check_cms_full(der, signed, require_ess=ess)
        if full.signing_time is not None:
            parts = read_signed_data(der)
            assert parts is not None
            fast = _check_parts(parts, signed, False, ess)
            assert fast is not None and fast.signing_time == full.signing_time
            times.append(fast.signing_time)
    assert times and all(t.tzinfo is not None for t in times)
