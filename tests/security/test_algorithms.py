"""Algorithm confusion: make the verifier check a signature with something weaker than the
signer used, or accept a value no key made.

The attacker controls SignatureMethod, DigestMethod and SignatureValue of a forgery; the
victim's public key and certificate are public. Known attacks: HMAC keyed with the public key
(a "signature" anyone can compute), HMAC truncated to a few bits (CVE-2009-0217), a downgrade to
SHA-1 or DSA, ECDSA values that some libraries accept whatever the message ((0, 0), r or s out
of range, other encodings), and RSA signatures whose padding holds another DigestInfo.
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from lxml import etree

from docflow.dsig import DEFAULT_POLICY, LEGACY, HmacKey
from docflow.pki.roles import Role

from .attack import (
    DS_NS,
    RSA_SHA1,
    SHA1,
    ds,
    dump,
    edit,
    forge_organ,
    header,
    mac,
    organ_signature,
    references,
    replace_key_info,
    resign,
    set_digest,
    set_method,
    set_value,
    signed_info_octets,
    signer_signature,
    tree,
    without,
)
from .outcome import SIGNER_ONLY, refused, verify
from .pki import AGENCY_A, AGENCY_A_NAME, Credential, SmallPki

P256_ORDER = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)
DSA_SHA256 = "http://www.w3.org/2009/xmldsig11#dsa-sha256"


def _forge_subject(root: etree._Element) -> None:
    subject = header(root).find(
        "{http://www.mic.gov.vn/TBT/QCVN_102_2016}MessageHeader/"
        "{http://www.mic.gov.vn/TBT/QCVN_102_2016}Subject")
    assert subject is not None
    subject.text = "Về việc thu hồi toàn bộ kinh phí đã cấp"


def _redigest_organ(root: etree._Element) -> etree._Element:
    signature = organ_signature(root)
    [reference] = references(signature)
    set_digest(reference, without(root, signature))
    return signature


def _public_secrets(credential: Credential) -> dict[str, bytes]:
    key = credential.certificate.public_key()
    return {
        "spki-der": key.public_bytes(serialization.Encoding.DER,
                                     serialization.PublicFormat.SubjectPublicKeyInfo),
        "spki-pem": key.public_bytes(serialization.Encoding.PEM,
                                     serialization.PublicFormat.SubjectPublicKeyInfo),
        "certificate-der": credential.certificate.public_bytes(serialization.Encoding.DER),
        "certificate-pem": credential.certificate.public_bytes(serialization.Encoding.PEM),
    }


@pytest.mark.parametrize("form", ["spki-der", "spki-pem", "certificate-der",
                                  "certificate-pem"])
@pytest.mark.parametrize("legacy", [False, True], ids=["default", "legacy"])
def test_hmac_keyed_with_the_public_key(both: bytes, pki: SmallPki, organ_a: Credential,
                                        form: str, legacy: bool) -> None:
    """HMAC with the public key as secret: the forgery's SignatureMethod switched to
    hmac-sha256 and MACed with agency A's public key (in every encoding a library might feed
    to HMAC), KeyInfo kept. Defence: HMAC is refused by the default policy (DF-SIG-003), and
    under any policy a certificate's key is never an HMAC secret (DF-SIG-014)."""
    secret = _public_secrets(organ_a)[form]

    def change(root: etree._Element) -> None:
        _forge_subject(root)
        mac(_redigest_organ(root), secret)
    refused(verify(edit(both, change), pki, policy=LEGACY if legacy else DEFAULT_POLICY),
            "DF-SIG-003", "DF-SIG-014")


def test_hmac_refused_by_default_even_with_the_secret(both: bytes, pki: SmallPki) -> None:
    """HMAC under the default policy, with the verifier actually holding the shared secret:
    whoever holds it can sign, so agencies do not use it. Defence: DF-SIG-003."""
    secret = b"shared between two agencies"

    def change(root: etree._Element) -> None:
        _forge_subject(root)
        mac(_redigest_organ(root), secret)
    refused(verify(edit(both, change), pki, trust=HmacKey(secret, role="organ")), "DF-SIG-003")


def test_hmac_output_length_truncated_to_one_byte(both: bytes, pki: SmallPki) -> None:
    """HMACOutputLength truncation (CVE-2009-0217): an attacker who does not know the secret
    sets HMACOutputLength to 8 bits and tries all 256 one-byte values; one of them is the
    right MAC. Defence: a length below max(80, L/2) bits is refused before any comparison
    (DF-SIG-004), so none of the 256 passes (under the legacy policy, with the secret)."""
    trust = HmacKey(b"the secret the attacker does not know", role="organ")

    def change(root: etree._Element) -> None:
        _forge_subject(root)
        mac(_redigest_organ(root), b"a guess", length=8)
    forged = tree(edit(both, change))
    for guess in range(256):
        set_value(organ_signature(forged), bytes([guess]))
        refused(verify(dump(forged), pki, trust=trust, policy=LEGACY), "DF-SIG-004")


@pytest.mark.parametrize("bits", [0, 64, 120, 129, 257])
def test_hmac_output_length_out_of_bounds(both: bytes, pki: SmallPki, bits: int) -> None:
    """HMACOutputLength of 0, below half the hash, not whole bytes, or above the hash size,
    each with the correct (truncated) MAC of the secret. Defence: DF-SIG-004 (or DF-SIG-001
    when the value is then empty)."""
    secret = b"shared between two agencies"

    def change(root: etree._Element) -> None:
        signature = _redigest_organ(root)
        mac(signature, secret, length=bits if bits <= 256 else 256)
        if bits > 256:
            signature.find(f"{ds('SignedInfo')}/{ds('SignatureMethod')}/"  # type: ignore
                           f"{ds('HMACOutputLength')}").text = str(bits)
    refused(verify(edit(both, change), pki, trust=HmacKey(secret, role="organ"),
                   policy=LEGACY), "DF-SIG-004", "DF-SIG-001")


def test_downgrade_to_rsa_sha1(both: bytes, pki: SmallPki, organ_a: Credential) -> None:
    """SHA-1 downgrade of the SignatureMethod: a SignedInfo signed by agency A's key with
    rsa-sha1 (the method of old field messages, and the one chosen-prefix collisions break).
    Defence: the default policy refuses SHA-1 (DF-SIG-003), and the refusal is reported in
    the organ's place (the References' kind decides it, before the algorithm is looked at), so
    coverage counts a refused organ signature, not a second signer's."""
    def change(root: etree._Element) -> None:
        resign(organ_signature(root), organ_a.key, RSA_SHA1)
    result = verify(edit(both, change), pki)
    refused(result, "DF-SIG-003")
    assert [r.rule for r in result.signatures] == ["signer", "organ"]
    organ = result.by_rule("organ")
    assert organ is not None and organ.sub_indications == ("DF-SIG-003",)


def test_downgrade_of_the_reference_digest_to_sha1(both: bytes, pki: SmallPki,
                                                   organ_a: Credential) -> None:
    """SHA-1 downgrade of a DigestMethod: the organ's Reference digested with SHA-1 and
    SignedInfo re-signed by agency A's key. Defence: DF-SIG-003 under the default policy."""
    def change(root: etree._Element) -> None:
        signature = organ_signature(root)
        [reference] = references(signature)
        reference.find(ds("DigestMethod")).set("Algorithm", SHA1)  # type: ignore[union-attr]
        set_digest(reference, without(root, signature), "sha1")
        resign(signature, organ_a.key)
    refused(verify(edit(both, change), pki), "DF-SIG-003")


def test_downgrade_to_dsa(both: bytes, pki: SmallPki) -> None:
    """DSA downgrade: the forgery signed with a DSA key that the hub CA certified for agency
    A's organ (as an old CA might have). Defence: the default policy refuses DSA methods
    (DF-SIG-003) and the path validator DSA keys."""
    key = dsa.generate_private_key(2048)
    cert = pki.agency(AGENCY_A, AGENCY_A_NAME, Role.ORGAN, key)  # type: ignore[arg-type]

    def change(root: etree._Element) -> None:
        _forge_subject(root)
        signature = _redigest_organ(root)
        set_method(signature, DSA_SHA256)
        r, s = decode_dss_signature(key.sign(signed_info_octets(signature), hashes.SHA256()))
        set_value(signature, r.to_bytes(32, "big") + s.to_bytes(32, "big"))
        replace_key_info(signature, cert.certificate.public_bytes(serialization.Encoding.DER))
    refused(verify(edit(both, change), pki), "DF-SIG-003")


def _person_value(document: bytes) -> bytes:
    element = signer_signature(tree(document)).find(ds("SignatureValue"))
    assert element is not None
    return base64.b64decode(element.text or "")


@pytest.mark.parametrize("shape", ["zero-zero", "zero-s", "r-zero", "r-is-n", "s-is-n",
                                   "both-n", "all-ones"])
def test_ecdsa_values_out_of_range(signed_by_person: bytes, pki: SmallPki,
                                   shape: str) -> None:
    """ECDSA (r, s) = (0, 0) ("psychic signatures", CVE-2022-21449), a zero half, r or s equal
    to the group order n (out of range, or congruent to 0), and all-ones bytes, put in the
    person's SignatureValue over an unchanged message. Defence: such values never verify
    (DF-SIG-012)."""
    value = _person_value(signed_by_person)
    r, s = int.from_bytes(value[:32], "big"), int.from_bytes(value[32:], "big")
    n = P256_ORDER
    pairs = {"zero-zero": (0, 0), "zero-s": (0, s), "r-zero": (r, 0), "r-is-n": (n, s),
             "s-is-n": (r, n), "both-n": (n, n), "all-ones": (2**256 - 1, 2**256 - 1)}
    forged_r, forged_s = pairs[shape]

    def change(root: etree._Element) -> None:
        set_value(signer_signature(root), forged_r.to_bytes(32, "big") +
                  forged_s.to_bytes(32, "big"))
    refused(verify(edit(signed_by_person, change), pki, required_roles=SIGNER_ONLY), "DF-SIG-012")


@pytest.mark.parametrize("shape", ["der", "truncated", "extended", "swapped"])
def test_ecdsa_value_of_another_length_or_encoding(signed_by_person: bytes, pki: SmallPki,
                                                   shape: str) -> None:
    """ECDSA SignatureValue of wrong length or encoding: the person's genuine (r, s) written
    as DER (as JCA and OpenSSL produce it), each half cut by one byte (62 bytes, which a
    lenient reader pads back to other integers), each half left-padded to 33 bytes, and the
    halves swapped. Defence: only raw r || s of the curve's size verifies (DF-SIG-012)."""
    value = _person_value(signed_by_person)
    r, s = value[:32], value[32:]
    forged = {"der": encode_dss_signature(int.from_bytes(r, "big"), int.from_bytes(s, "big")),
              "truncated": r[1:] + s[1:], "extended": b"\0" + r + b"\0" + s,
              "swapped": s + r}[shape]

    def change(root: etree._Element) -> None:
        set_value(signer_signature(root), forged)
    refused(verify(edit(signed_by_person, change), pki, required_roles=SIGNER_ONLY), "DF-SIG-012")


def _raw_rsa(key: rsa.RSAPrivateKey, encoded: bytes) -> bytes:
    """RSA signature of an arbitrary EMSA-PKCS1-v1_5 block (what a buggy signer emits)."""
    numbers = key.private_numbers()
    n, d = numbers.public_numbers.n, numbers.d
    size = (n.bit_length() + 7) // 8
    block = b"\x00\x01" + b"\xff" * (size - 3 - len(encoded)) + b"\x00" + encoded
    return pow(int.from_bytes(block, "big"), d, n).to_bytes(size, "big")


SHA1_PREFIX = bytes.fromhex("3021300906052b0e03021a05000414")
SHA512_PREFIX = bytes.fromhex("3051300d060960864801650304020305000440")


@pytest.mark.parametrize("shape", ["sha1-digestinfo", "sha512-digestinfo", "bare-sha256",
                                   "sha256-of-nothing"])
def test_rsa_signature_with_the_wrong_digest_info(both: bytes, pki: SmallPki,
                                                  organ_a: Credential, shape: str) -> None:
    """RSA with a wrong DigestInfo: agency A's key signs the SignedInfo, but the PKCS#1 block
    holds a SHA-1 or SHA-512 DigestInfo, or a bare SHA-256 hash without DigestInfo, or the
    hash of something else, while SignatureMethod says rsa-sha256. Defence: the whole block
    is compared with the one rsa-sha256 requires (DF-SIG-012)."""
    def change(root: etree._Element) -> None:
        signature = organ_signature(root)
        data = signed_info_octets(signature)
        encoded = {"sha1-digestinfo": SHA1_PREFIX + hashlib.sha1(data).digest(),
                   "sha512-digestinfo": SHA512_PREFIX + hashlib.sha512(data).digest(),
                   "bare-sha256": hashlib.sha256(data).digest(),
                   "sha256-of-nothing": bytes.fromhex("3031300d060960864801650304020105000420")
                   + hashlib.sha256(b"").digest()}[shape]
        set_value(signature, _raw_rsa(organ_a.key, encoded))  # type: ignore[arg-type]
    refused(verify(edit(both, change), pki), "DF-SIG-012")


def test_weak_rsa_key_certified_for_the_organ(both: bytes, pki: SmallPki) -> None:
    """A factorable key: the forgery signed with an RSA-1024 key that the hub CA certified
    for agency A's organ (an attacker who factors it signs as the organ). Defence: keys under
    2048 bits are refused by the signature policy (DF-SIG-005) and by path validation."""
    key = rsa.generate_private_key(65537, 1024)
    cert = pki.agency(AGENCY_A, AGENCY_A_NAME, Role.ORGAN, key)
    forged = forge_organ(both, key, cert.certificate.public_bytes(serialization.Encoding.DER),
                         pki.hub.public_bytes(serialization.Encoding.DER))
    refused(verify(forged, pki), "DF-SIG-005", "DF-PKI-019")


def test_hmac_output_length_on_an_rsa_method(both: bytes, pki: SmallPki,
                                                           organ_a: Credential) -> None:
    """HMACOutputLength on an RSA method: an RSA signature whose SignatureMethod carries an
    HMACOutputLength child (which a verifier applying it generically would use to truncate
    the comparison). Defence: HMACOutputLength on a non-HMAC method is malformed
    (DF-SIG-001)."""
    def change(root: etree._Element) -> None:
        signature = organ_signature(root)
        method = signature.find(f"{{{DS_NS}}}SignedInfo/{{{DS_NS}}}SignatureMethod")
        assert method is not None
        etree.SubElement(method, ds("HMACOutputLength")).text = "8"
        resign(signature, organ_a.key)
    refused(verify(edit(both, change), pki), "DF-SIG-001")

