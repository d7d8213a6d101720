"""Interoperability with independent implementations: xmlsec1 (the CLI) and signxml.

Both directions, for every algorithm the other side implements (RSA PKCS#1 v1.5 and ECDSA;
neither implements Ed25519 in XML-DSig): what docflow signs, ``xmlsec1 --verify`` and signxml
verify; what ``xmlsec1 --sign`` (from a template) and signxml sign, docflow verifies, with its
own path validation to the test root.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from lxml import etree
from signxml import XMLSigner, XMLVerifier
from signxml import algorithms as sx
from signxml.verifier import SignatureConfiguration

from docflow.dsig import (
    ENVELOPED,
    ReferenceRule,
    SignatureLayout,
    SignatureMethod,
    SignatureRule,
    Signer,
    SignReference,
    verify_at,
)

from .pkitools import NOW, SamplePki

XMLSEC1 = shutil.which("xmlsec1")
needs_xmlsec1 = pytest.mark.skipif(XMLSEC1 is None, reason="the xmlsec1 CLI is not installed "
                                   "(Debian package xmlsec1; CI installs it)")

DOCUMENT = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<Doc xmlns="urn:example:doc" xmlns:x="urn:example:x">\n'
            b'  <Part Id="p1"><x:Title>C\xc3\xb4ng v\xc4\x83n s\xe1\xbb\x91 12</x:Title>'
            b"<Body>a &amp; b &lt; c</Body></Part>\n"
            b"  <Other>beside the part</Other>\n"
            b"</Doc>\n")
BY_ID = SignatureLayout((SignatureRule("part", ("{urn:example:doc}Doc",), (
    ReferenceRule.element("{urn:example:doc}Part", parent=("{urn:example:doc}Doc",)),)),))

METHODS = [
    ("rsa", SignatureMethod.RSA_SHA256),
    ("rsa", SignatureMethod.RSA_SHA384),
    ("rsa", SignatureMethod.RSA_SHA512),
    ("p256", SignatureMethod.ECDSA_SHA256),
    ("p384", SignatureMethod.ECDSA_SHA384),
    ("p521", SignatureMethod.ECDSA_SHA512),
    ("p256", SignatureMethod.ECDSA_SHA512),
]
CURVES = {"p256": ec.SECP256R1(), "p384": ec.SECP384R1(), "p521": ec.SECP521R1()}


def _key(kind: str, pki: SamplePki) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    return pki.organ_key if kind == "rsa" else ec.generate_private_key(CURVES[kind])


def _pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _xmlsec1(*args: str | Path) -> subprocess.CompletedProcess[str]:
    assert XMLSEC1 is not None
    return subprocess.run([XMLSEC1, *map(str, args)], capture_output=True, text=True,
                          timeout=60, check=False)


@pytest.mark.parametrize("whole", [True, False], ids=["uri-empty", "uri-id"])
@pytest.mark.parametrize("kind,method", METHODS, ids=[m.name for _, m in METHODS])
@needs_xmlsec1
def test_docflow_signs_xmlsec1_verifies(kind: str, method: SignatureMethod, whole: bool,
                                        pki: SamplePki, tmp_path: Path) -> None:
    """``xmlsec1 --verify`` accepts docflow's signature, chain to the root included."""
    key = _key(kind, pki)
    leaf = pki.organ if kind == "rsa" else pki.issue(key)
    refs = None if whole else [SignReference.element("p1")]
    signed = Signer(key, [leaf, pki.sub], method=method).sign(DOCUMENT, *([refs] if refs else []))
    (tmp_path / "signed.xml").write_bytes(signed)
    (tmp_path / "root.pem").write_bytes(_pem(pki.root))
    done = _xmlsec1("--verify", "--id-attr:Id", "Part", "--trusted-pem", tmp_path / "root.pem",
                    "--verification-gmt-time", NOW.strftime("%Y-%m-%d %H:%M:%S"),
                    tmp_path / "signed.xml")
    assert done.returncode == 0 and "OK" in done.stdout + done.stderr, done.stderr
    tampered = signed.replace(b"beside", b"Beside") if whole else signed.replace(b"b &lt;",
                                                                                   b"B &lt;")
    (tmp_path / "tampered.xml").write_bytes(tampered)
    assert _xmlsec1("--verify", "--id-attr:Id", "Part", "--trusted-pem", tmp_path / "root.pem",
                    tmp_path / "tampered.xml").returncode != 0


@pytest.mark.parametrize("whole", [True, False], ids=["uri-empty", "uri-id"])
@pytest.mark.parametrize("kind,method", METHODS, ids=[m.name for _, m in METHODS])
def test_docflow_signs_signxml_verifies(kind: str, method: SignatureMethod, whole: bool,
                                        pki: SamplePki) -> None:
    """signxml accepts docflow's signature and returns the content docflow says it covers."""
    key = _key(kind, pki)
    leaf = pki.organ if kind == "rsa" else pki.issue(key)
    refs = [SignReference("")] if whole else [SignReference.element("p1")]
    signed = Signer(key, [leaf, pki.sub], method=method).sign(DOCUMENT, refs)
    result = XMLVerifier().verify(signed, x509_cert=leaf, id_attribute="Id")
    ours = verify_at(signed, NOW, trust=pki.validator(), layout=ENVELOPED if whole else BY_ID)
    assert ours.passed, ours.findings
    assert result.signed_data == ours.signed[0].canonical  # type: ignore[union-attr]


TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<Doc xmlns="urn:example:doc" xmlns:x="urn:example:x">
  <Part Id="p1"><x:Title>Công văn số 12</x:Title><Body>a &amp; b &lt; c</Body></Part>
  <Other>beside the part</Other>
  <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
    <ds:SignedInfo>
      <ds:CanonicalizationMethod Algorithm="{c14n}"/>
      <ds:SignatureMethod Algorithm="{method}"/>
      <ds:Reference URI="{uri}">
        <ds:Transforms>{enveloped}
          <ds:Transform Algorithm="{c14n}"/>
        </ds:Transforms>
        <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
        <ds:DigestValue/>
      </ds:Reference>
    </ds:SignedInfo>
    <ds:SignatureValue/>
    <ds:KeyInfo><ds:X509Data/></ds:KeyInfo>
  </ds:Signature>
</Doc>
"""
C14N_URIS = ["http://www.w3.org/2001/10/xml-exc-c14n#",
             "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
             "http://www.w3.org/2006/12/xml-c14n11"]


@pytest.mark.parametrize("c14n", C14N_URIS, ids=["exc-c14n", "c14n10", "c14n11"])
@pytest.mark.parametrize("whole", [True, False], ids=["uri-empty", "uri-id"])
@pytest.mark.parametrize("kind,method", METHODS[:1] + METHODS[3:5],
                         ids=[m.name for _, m in METHODS[:1] + METHODS[3:5]])
@needs_xmlsec1
def test_xmlsec1_signs_docflow_verifies(kind: str, method: SignatureMethod, whole: bool,
                                        c14n: str, pki: SamplePki, tmp_path: Path) -> None:
    """docflow verifies what ``xmlsec1 --sign`` makes from a template, and trusts its chain."""
    key = _key(kind, pki)
    leaf = pki.organ if kind == "rsa" else pki.issue(key)
    enveloped = '\n          <ds:Transform ' \
        'Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
    template = TEMPLATE.format(c14n=c14n, method=method.value, uri="" if whole else "#p1",
                               enveloped=enveloped if whole else "")
    (tmp_path / "doc.tmpl").write_text(template, encoding="utf-8")
    (tmp_path / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (tmp_path / "leaf.pem").write_bytes(_pem(leaf))
    (tmp_path / "sub.pem").write_bytes(_pem(pki.sub))
    done = _xmlsec1("--sign", "--id-attr:Id", "Part", "--privkey-pem",
                    f"{tmp_path / 'key.pem'},{tmp_path / 'leaf.pem'},{tmp_path / 'sub.pem'}",
                    "--output", tmp_path / "signed.xml", tmp_path / "doc.tmpl")
    assert done.returncode == 0, done.stderr
    signed = (tmp_path / "signed.xml").read_bytes()
    result = verify_at(signed, NOW, trust=pki.validator(), layout=ENVELOPED if whole else BY_ID)
    assert result.passed, result.findings
    assert result.signature_method is method and result.certificate == leaf
    tampered = signed.replace(b"a &amp; b", b"a &amp; B")
    assert not verify_at(tampered, NOW, trust=pki.validator(),
                         layout=ENVELOPED if whole else BY_ID).passed


SIGNXML_METHODS = {
    SignatureMethod.RSA_SHA256: sx.SignatureMethod.RSA_SHA256,
    SignatureMethod.RSA_SHA384: sx.SignatureMethod.RSA_SHA384,
    SignatureMethod.RSA_SHA512: sx.SignatureMethod.RSA_SHA512,
    SignatureMethod.ECDSA_SHA256: sx.SignatureMethod.ECDSA_SHA256,
    SignatureMethod.ECDSA_SHA384: sx.SignatureMethod.ECDSA_SHA384,
    SignatureMethod.ECDSA_SHA512: sx.SignatureMethod.ECDSA_SHA512,
}


@pytest.mark.parametrize("c14n", [sx.CanonicalizationMethod.CANONICAL_XML_1_1,
                                  sx.CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
                                  sx.CanonicalizationMethod.CANONICAL_XML_1_0],
                         ids=["c14n11", "exc-c14n", "c14n10"])
@pytest.mark.parametrize("whole", [True, False], ids=["uri-empty", "uri-id"])
@pytest.mark.parametrize("kind,method", METHODS, ids=[m.name for _, m in METHODS])
def test_signxml_signs_docflow_verifies(kind: str, method: SignatureMethod, whole: bool,
                                        c14n: sx.CanonicalizationMethod,
                                        pki: SamplePki) -> None:
    """docflow verifies signxml's enveloped signatures, and trusts their chain."""
    key = _key(kind, pki)
    leaf = pki.organ if kind == "rsa" else pki.issue(key)
    signer = XMLSigner(signature_algorithm=SIGNXML_METHODS[method],
                       digest_algorithm=sx.DigestAlgorithm.SHA256, c14n_algorithm=c14n)
    root = etree.fromstring(DOCUMENT)
    signed_root = signer.sign(root, key=key, cert=[leaf, pki.sub],
                              reference_uri=None if whole else "#p1", id_attribute="Id")
    signed = etree.tostring(signed_root)
    result = verify_at(signed, NOW, trust=pki.validator(), layout=ENVELOPED if whole else BY_ID)
    assert result.passed, result.findings
    assert result.role == "organ"
    check = XMLVerifier().verify(signed, x509_cert=leaf, id_attribute="Id",
                                 expect_config=SignatureConfiguration())
    assert check.signed_data == result.signed[0].canonical  # type: ignore[union-attr]


@pytest.mark.parametrize("uri", ["http://www.w3.org/2000/09/xmldsig#dsa-sha1",
                                 "http://www.w3.org/2009/xmldsig11#dsa-sha256"],
                         ids=["dsa-sha1", "dsa-sha256"])
@needs_xmlsec1
def test_xmlsec1_dsa_verifies_only_under_legacy(uri: str, tmp_path: Path) -> None:
    """DSA signatures from xmlsec1 verify under the legacy policy and are refused by default."""
    from cryptography.hazmat.primitives.asymmetric import dsa

    from docflow.dsig import DEFAULT_POLICY, LEGACY, PinnedKeyChecker

    from .pkitools import self_signed

    key = dsa.generate_private_key(1024)  # 2048-bit DSA parameters take seconds to generate
    cert = self_signed(key, "legacy DSA signer")  # type: ignore[arg-type]
    template = TEMPLATE.format(c14n=C14N_URIS[0], method=uri, uri="", enveloped='\n          '
                               '<ds:Transform Algorithm="http://www.w3.org/2000/09/'
                               'xmldsig#enveloped-signature"/>')
    (tmp_path / "doc.tmpl").write_text(template, encoding="utf-8")
    (tmp_path / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (tmp_path / "cert.pem").write_bytes(_pem(cert))
    done = _xmlsec1("--sign", "--privkey-pem", f"{tmp_path / 'key.pem'},{tmp_path / 'cert.pem'}",
                    "--output", tmp_path / "signed.xml", tmp_path / "doc.tmpl")
    if done.returncode != 0 and "dsa-sha256" in uri:
        pytest.skip(f"this xmlsec1 cannot sign dsa-sha256: {done.stderr.strip()[-120:]}")
    assert done.returncode == 0, done.stderr
    signed = (tmp_path / "signed.xml").read_bytes()
    trust = PinnedKeyChecker((cert,))
    assert verify_at(signed, NOW, trust=trust, policy=LEGACY).passed
    assert verify_at(signed, NOW, trust=trust, policy=DEFAULT_POLICY).sub_indications == \
        ("DF-SIG-003",)
