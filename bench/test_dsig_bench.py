"""XML-DSig benchmarks: docflow against raw cryptography, signxml and python-xmlsec.

Run with ``pytest bench/test_dsig_bench.py --benchmark-enable --benchmark-only``.

Each group is one key type, one document size and one operation, so its rows are read side by
side as ratios: ``raw-cryptography`` is the floor (the private- or public-key operation on the
document bytes, hash included), ``docflow`` the full job, and signxml and python-xmlsec the
peers. Documents are real edXML messages from the envelope builder, of about 8 KB and 200 KB,
signed as the organ signs: ``URI=""`` with enveloped-signature and exclusive C14N.

Every library gets key objects loaded once (signxml re-parses a PEM given as bytes on each
call, which would cost more than the signature). docflow's verification runs with full path
validation — root, hub CA, CRLs, role — against a warm per-certificate cache, and also with a
pinned certificate; python-xmlsec and signxml verify with a pinned key or certificate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from lxml import etree

from docflow.dsig import PinnedKeyChecker, Signer, verify_at
from docflow.envelope.builder import build
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.samples import sample_document
from docflow.pki.builder import Issuer, ca_certificate, leaf_certificate
from docflow.pki.crl import build_crl
from docflow.pki.roles import ORGAN_POLICY
from docflow.pki.store import TrustStore
from docflow.pki.validate import PathValidator

xmlsec = pytest.importorskip("xmlsec")
signxml = pytest.importorskip("signxml")

SIZES = {"8KB": (2, 660), "200KB": (2, 75_000)}
"""(attachments, bytes each) giving an edXML message of about 8 KB and 200 KB."""
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
END = dt.datetime(2035, 1, 1, tzinfo=dt.UTC)


def _name(cn: str) -> x509.Name:
    return x509.Name.from_rfc4514_string(f"CN={cn},O=docflow bench,C=VN")


@dataclass
class Setup:
    """One key type: the key, its certificate chain, and each library's loaded objects."""

    kind: str
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    leaf: x509.Certificate
    sub: x509.Certificate
    validator: PathValidator
    signer: Signer
    xmlsec_key: Any
    xmlsec_public: Any


@pytest.fixture(scope="module", params=["rsa2048", "p256"])
def setup(request: pytest.FixtureRequest) -> Setup:
    root_key = ec.generate_private_key(ec.SECP384R1())
    root_issuer = Issuer.from_key(_name("Root"), root_key)
    root = ca_certificate(_name("Root"), root_key.public_key(), root_issuer, 1, START, END,
                          path_length=1)
    sub_key = ec.generate_private_key(ec.SECP256R1())
    sub = ca_certificate(_name("Hub"), sub_key.public_key(), root_issuer, 2, START, END,
                         path_length=0)
    sub_issuer = Issuer.from_key(_name("Hub"), sub_key)
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = (
        rsa.generate_private_key(65537, 2048) if request.param == "rsa2048"
        else ec.generate_private_key(ec.SECP256R1()))
    leaf = leaf_certificate(_name("000.00.00.H49"), key.public_key(), sub_issuer, 10, START,
                            END, policy=ORGAN_POLICY)
    store = TrustStore(anchors=(root,), crls=(build_crl(root_issuer, START, END, []),
                                              build_crl(sub_issuer, START, END, [])))
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    pem_cert = leaf.public_bytes(serialization.Encoding.PEM)
    xmlsec_key = xmlsec.Key.from_memory(pem_key, xmlsec.constants.KeyDataFormatPem)
    xmlsec_key.load_cert_from_memory(pem_cert, xmlsec.constants.KeyDataFormatPem)
    xmlsec_key.load_cert_from_memory(sub.public_bytes(serialization.Encoding.PEM),
                                     xmlsec.constants.KeyDataFormatPem)
    xmlsec_public = xmlsec.Key.from_memory(pem_cert, xmlsec.constants.KeyDataFormatCertPem)
    return Setup(request.param, key, leaf, sub, PathValidator(store), Signer(key, [leaf, sub]),
                 xmlsec_key, xmlsec_public)


@pytest.fixture(scope="module", params=list(SIZES))
def document(request: pytest.FixtureRequest) -> tuple[str, bytes]:
    count, size = SIZES[request.param]
    message = sample_document(np.random.default_rng(8), sender="000.00.00.H49",
                              receivers=["000.00.01.H49", "000.00.02.H49"],
                              doc_type=DocumentType.QUYET_DINH, attachments=count, size=size)
    return request.param, build(message)


def _group(benchmark: Any, setup: Setup, document: tuple[str, bytes], operation: str) -> None:
    benchmark.group = f"dsig-{operation}-{setup.kind}-{document[0]}"


def _raw_sign(setup: Setup, data: bytes) -> bytes:
    if isinstance(setup.key, rsa.RSAPrivateKey):
        return setup.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return setup.key.sign(data, ec.ECDSA(hashes.SHA256()))


def _xmlsec_template(setup: Setup, data: bytes) -> bytes:
    root = etree.fromstring(data)
    method = xmlsec.constants.TransformRsaSha256 if setup.kind == "rsa2048" \
        else xmlsec.constants.TransformEcdsaSha256
    signature = xmlsec.template.create(root, xmlsec.constants.TransformExclC14N, method,
                                       ns="ds")
    root.append(signature)
    ref = xmlsec.template.add_reference(signature, xmlsec.constants.TransformSha256, uri="")
    xmlsec.template.add_transform(ref, xmlsec.constants.TransformEnveloped)
    xmlsec.template.add_transform(ref, xmlsec.constants.TransformExclC14N)
    key_info = xmlsec.template.ensure_key_info(signature)
    xmlsec.template.add_x509_data(key_info)
    return etree.tostring(root)


# --- signing -----------------------------------------------------------------------------------

def test_sign_raw_cryptography(benchmark: Any, setup: Setup, document: tuple[str, bytes]
                               ) -> None:
    """The floor: one private-key signature over the document bytes."""
    _group(benchmark, setup, document, "sign")
    benchmark(_raw_sign, setup, document[1])


def test_sign_docflow(benchmark: Any, setup: Setup, document: tuple[str, bytes]) -> None:
    """docflow: parse, canonicalize, digest, sign SignedInfo, splice the Signature in."""
    _group(benchmark, setup, document, "sign")
    signed = benchmark(setup.signer.sign, document[1])
    assert verify_at(signed, NOW, trust=setup.validator).passed


def test_sign_signxml(benchmark: Any, setup: Setup, document: tuple[str, bytes]) -> None:
    """signxml with the key and certificates as objects, exclusive C14N, bytes out."""
    _group(benchmark, setup, document, "sign")
    method = signxml.SignatureMethod.RSA_SHA256 if setup.kind == "rsa2048" \
        else signxml.SignatureMethod.ECDSA_SHA256
    signer = signxml.XMLSigner(
        signature_algorithm=method,
        c14n_algorithm=signxml.CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)

    def sign() -> bytes:  # signxml takes a tree for enveloped signatures: parse, sign, write
        return etree.tostring(signer.sign(etree.fromstring(document[1]), key=setup.key,
                                          cert=[setup.leaf, setup.sub]))
    signed = benchmark(sign)
    assert verify_at(signed, NOW, trust=setup.validator).passed


def test_sign_python_xmlsec(benchmark: Any, setup: Setup, document: tuple[str, bytes]) -> None:
    """python-xmlsec from a prepared template (parse, sign, serialize), key loaded once."""
    _group(benchmark, setup, document, "sign")
    template = _xmlsec_template(setup, document[1])

    def sign() -> bytes:
        root = etree.fromstring(template)
        context = xmlsec.SignatureContext()
        context.key = setup.xmlsec_key
        context.sign(xmlsec.tree.find_node(root, xmlsec.constants.NodeSignature))
        return etree.tostring(root)
    signed = benchmark(sign)
    assert verify_at(signed, NOW, trust=setup.validator).passed


# --- verifying ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def signed(setup: Setup, document: tuple[str, bytes]) -> bytes:
    return setup.signer.sign(document[1])


def test_verify_raw_cryptography(benchmark: Any, setup: Setup, document: tuple[str, bytes]
                                 ) -> None:
    """The floor: one public-key verification over the document bytes."""
    _group(benchmark, setup, document, "verify")
    value = _raw_sign(setup, document[1])
    public = setup.key.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        benchmark(public.verify, value, document[1], padding.PKCS1v15(), hashes.SHA256())
    else:
        benchmark(public.verify, value, document[1], ec.ECDSA(hashes.SHA256()))


def test_verify_docflow_path_validation(benchmark: Any, setup: Setup,
                                        document: tuple[str, bytes], signed: bytes) -> None:
    """docflow: full verification with path validation to the root (CRLs, role), cache warm."""
    _group(benchmark, setup, document, "verify")
    assert verify_at(signed, NOW, trust=setup.validator).passed  # warms the path cache
    result = benchmark(verify_at, signed, NOW, trust=setup.validator)
    assert result.passed and result.role == "organ"


def test_verify_docflow_pinned(benchmark: Any, setup: Setup, document: tuple[str, bytes],
                               signed: bytes) -> None:
    """docflow with the signing certificate pinned instead of a path to validate."""
    _group(benchmark, setup, document, "verify")
    pinned = PinnedKeyChecker((setup.leaf,))
    assert benchmark(verify_at, signed, NOW, trust=pinned).passed


def test_verify_signxml(benchmark: Any, setup: Setup, document: tuple[str, bytes],
                        signed: bytes) -> None:
    """signxml with the signing certificate given as an object (pinned)."""
    _group(benchmark, setup, document, "verify")
    verifier = signxml.XMLVerifier()
    benchmark(verifier.verify, signed, x509_cert=setup.leaf)


def test_verify_python_xmlsec_pinned(benchmark: Any, setup: Setup,
                                     document: tuple[str, bytes], signed: bytes) -> None:
    """python-xmlsec with the public key pinned (loaded once): parse, then verify."""
    _group(benchmark, setup, document, "verify")

    def check() -> None:
        root = etree.fromstring(signed)
        context = xmlsec.SignatureContext()
        context.key = setup.xmlsec_public
        context.verify(xmlsec.tree.find_node(root, xmlsec.constants.NodeSignature))
    benchmark(check)
