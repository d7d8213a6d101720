"""What the parts of a signature, and of an audit, cost on this machine, one at a time.

Usage::

    python bench/cost_parts.py xml      # the 8 KB RSA-2048 message of bench/test_dsig_bench.py
    python bench/cost_parts.py certs    # path validation of 500 organ certificates, cold and warm
    python bench/cost_parts.py corpus   # verify_message over different envelopes, and one

The speed targets compare docflow with a floor (raw cryptography, one envelope verified again
and again); these are the parts in between, each timed alone with ``timeit`` (best of seven
repeats) or, for the loops, in process time. ``xml`` is what any XML-DSig implementation pays
beside the key operation: lxml's parse and exclusive C14N of the message, the parse of it signed
and the C14N of its SignedInfo, SHA-256 of the message, and the RSA operations. ``certs`` is
what an audit pays once per distinct certificate. ``corpus`` tells different documents from
one: the same number of verifications over 4,000 envelopes of the audit benchmark's archive
(certificates warm) and over one of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import numpy as np
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from lxml import etree
from test_audit_bench import _trust, archive_folder, stored_bodies

from docflow.archive.store import StoredBody
from docflow.dsig import Signer
from docflow.dsig.algorithms import DS_NS
from docflow.dsig.keyinfo import read_key_info, signing_certificate
from docflow.envelope.builder import build
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.samples import sample_document
from docflow.pki.builder import Issuer, ca_certificate, leaf_certificate
from docflow.pki.roles import ORGAN_POLICY
from docflow.profile.edxml import verify_message
from docflow.xmlsafe import parse_xml

_KEY_INFO = "{http://www.w3.org/2000/09/xmldsig#}KeyInfo"


def _best(label: str, operation: Callable[[], object], number: int) -> None:
    """Print the best of seven repeats of ``number`` calls, per call."""
    seconds = min(timeit.repeat(operation, number=number, repeat=7)) / number
    print(f"{label:44s} {seconds * 1e6:9.1f} µs")


def _chain(key: rsa.RSAPrivateKey) -> list[x509.Certificate]:
    """An organ certificate for ``key`` and its hub CA, as the signature benchmarks' KeyInfo
    carries them."""
    def name(cn: str) -> x509.Name:
        return x509.Name.from_rfc4514_string(f"CN={cn},O=docflow bench,C=VN")

    start, end = dt.datetime(2025, 1, 1, tzinfo=dt.UTC), dt.datetime(2035, 1, 1, tzinfo=dt.UTC)
    hub_key = ec.generate_private_key(ec.SECP256R1())
    hub_issuer = Issuer.from_key(name("Hub"), hub_key)
    hub = ca_certificate(name("Hub"), hub_key.public_key(), hub_issuer, 2, start, end,
                         path_length=0)
    leaf = leaf_certificate(name("000.00.00.H49"), key.public_key(), hub_issuer, 10, start, end,
                            policy=ORGAN_POLICY)
    return [leaf, hub]


def xml() -> None:
    """The parts of signing and verifying the signature benchmarks' 8 KB message."""
    message = build(sample_document(np.random.default_rng(8), sender="000.00.00.H49",
                                    receivers=["000.00.01.H49", "000.00.02.H49"],
                                    doc_type=DocumentType.QUYET_DINH, attachments=2, size=660))
    root = parse_xml(message)
    canonical = etree.tostring(root.getroottree(), method="c14n", exclusive=True,
                               with_comments=False)
    key = rsa.generate_private_key(65537, 2048)
    value = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    public = key.public_key()
    signed = Signer(key, _chain(key)).sign(message)
    signed_root = parse_xml(signed)
    signed_info = signed_root.find(f".//{{{DS_NS}}}SignedInfo")
    assert signed_info is not None
    print(f"message {len(message):,} bytes, {sum(1 for _ in root.iter()):,} nodes; signed "
          f"as the organ signs, {len(signed):,} bytes")
    _best("parse (docflow's hardened parser)", lambda: parse_xml(message), 3000)
    _best("exclusive C14N of the parsed message",
          lambda: etree.tostring(root.getroottree(), method="c14n", exclusive=True,
                                 with_comments=False), 3000)
    _best("parse of the signed message", lambda: parse_xml(signed), 3000)
    _best("exclusive C14N of its SignedInfo",
          lambda: etree.tostring(signed_info, method="c14n", exclusive=True), 3000)
    _best("SHA-256 of the canonical message", lambda: hashlib.sha256(canonical).digest(), 3000)
    _best("RSA-2048 sign of the message (raw)",
          lambda: key.sign(message, padding.PKCS1v15(), hashes.SHA256()), 300)
    _best("RSA-2048 verify of the message (raw)",
          lambda: public.verify(value, message, padding.PKCS1v15(), hashes.SHA256()), 3000)


def certs() -> None:
    """Path validation of 500 distinct organ certificates: cold (a new validator, CA parts
    warmed on one certificate first), then warm."""
    chains = []
    for body in stored_bodies(archive_folder() / "archive.sqlite", 5000)[::10]:
        assert isinstance(body.data, bytes)
        found = signing_certificate(read_key_info(parse_xml(body.data).find(
            f".//{_KEY_INFO}")).certificates)
        assert found is not None and body.signed_at is not None
        chains.append((*found, body.signed_at))
    trust = _trust(archive_folder())
    cold = []
    for _ in range(3):
        validator = trust.validator()
        validator.check(*chains[0])
        start = time.process_time()
        for leaf, others, at in chains[1:]:
            assert validator.check(leaf, others, at).trusted
        cold.append((time.process_time() - start) / (len(chains) - 1))
    start = time.process_time()
    for leaf, others, at in chains[1:]:
        validator.check(leaf, others, at)
    warm = (time.process_time() - start) / (len(chains) - 1)
    print(f"{len(chains) - 1} certificates: cold {min(cold) * 1e6:.0f} µs (best of 3 passes), "
          f"warm {warm * 1e6:.1f} µs per check")


def corpus() -> None:
    """verify_message over 4,000 different envelopes (a cold pass, then two warm ones) and
    4,000 times over one, in process time per envelope."""
    bodies = stored_bodies(archive_folder() / "archive.sqlite", 4000)
    validator = _trust(archive_folder()).validator()

    def per_envelope(batch: list[StoredBody]) -> float:
        start = time.process_time()
        for body in batch:
            assert isinstance(body.data, bytes)
            verify_message(body.data, trust=validator, at=body.signed_at)
        return (time.process_time() - start) / len(batch) * 1e6

    for label, batch in (("4,000 different envelopes, cold certificates", bodies),
                         ("4,000 different envelopes, warm", bodies),
                         ("one envelope 4,000 times", bodies[:1] * 4000),
                         ("4,000 different envelopes, warm", bodies)):
        print(f"{label:44s} {per_envelope(batch):9.1f} µs")


if __name__ == "__main__":
    cases = {"xml": xml, "certs": certs, "corpus": corpus}
    if len(sys.argv) != 2 or sys.argv[1] not in cases:
        raise SystemExit(f"usage: python bench/cost_parts.py {'|'.join(cases)}")
    cases[sys.argv[1]]()
