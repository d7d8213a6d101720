"""One ``Trust`` value: built from options or in Python, one named policy for signatures and
certificates, a fingerprint over the files, usable in worker processes."""

from __future__ import annotations

import datetime as dt
import functools
import pickle
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from dsig.pkitools import NOW, VECTORS

from docflow import Trust, VerifyConfig, verify
from docflow.dsig import DEFAULT_POLICY, LEGACY, PinnedKeyChecker, Signer
from docflow.dsig.policy import verify_policy
from docflow.errors import InputError, UsageError
from docflow.pki import policy as pki_policy
from docflow.pki.roles import SIGNER_POLICY
from docflow.profile.choice import Profile
from docflow.profile.trusted import path_validator, signature_policy, trust_source
from docflow.trust import AlgorithmPolicy, KeyUsageRule, RevocationMode


def test_from_options_is_the_python_value() -> None:
    """The CLI's options and a Trust built in Python are the same value (equal and hashable),
    so the library and the command line share one cached trust source."""
    at = dt.datetime(2026, 1, 2, 3, 4)
    options = Trust.from_options(["ca.pem", "pki"], ["crl.pem"], at=at, revocation="off",
                                 legacy=True, roles="roles.toml", key_usage="if-present")
    direct = Trust(anchors=(Path("ca.pem"), Path("pki")), crls=(Path("crl.pem"),),
                   revocation=RevocationMode.OFF, at=at.replace(tzinfo=dt.UTC),
                   roles=Path("roles.toml"), policy=AlgorithmPolicy.LEGACY,
                   key_usage=KeyUsageRule.IF_PRESENT)
    assert options == direct and hash(options) == hash(direct)
    assert options.at is not None and options.at.tzinfo is dt.UTC
    assert pickle.loads(pickle.dumps(options)) == options  # to the audit's workers


def test_one_name_decides_signatures_and_certificates() -> None:
    """AlgorithmPolicy names both sides at once: the XML-DSig policy and the certificate
    policy of one trust move together, and the stricter certificate rules hold under both."""
    assert verify_policy(AlgorithmPolicy.DEFAULT) is DEFAULT_POLICY
    assert verify_policy(AlgorithmPolicy.LEGACY) is LEGACY
    legacy = pki_policy.validation_policy(AlgorithmPolicy.LEGACY)
    default = pki_policy.validation_policy(AlgorithmPolicy.DEFAULT)
    assert "sha1" in legacy.signature_hashes and "sha1" not in default.signature_hashes
    assert "md5" not in legacy.signature_hashes
    assert legacy.require_key_usage and default.require_key_usage
    relaxed = pki_policy.validation_policy(AlgorithmPolicy.DEFAULT, RevocationMode.OFF,
                                           KeyUsageRule.IF_PRESENT)
    assert not relaxed.require_key_usage and relaxed.revocation is RevocationMode.OFF
    trust = Trust(policy=AlgorithmPolicy.LEGACY, revocation=RevocationMode.IF_AVAILABLE)
    assert signature_policy(trust) is LEGACY
    assert path_validator(trust).policy == pki_policy.validation_policy(
        AlgorithmPolicy.LEGACY, RevocationMode.IF_AVAILABLE)


def _sha1_chain(tmp_path: Path) -> tuple[Path, rsa.RSAPrivateKey, x509.Certificate]:
    """A root (the anchor) and a signer certificate it signed with SHA-1, made by the openssl
    CLI as old CAs made them (cryptography refuses to sign with SHA-1)."""
    run = functools.partial(subprocess.run, check=True, capture_output=True, cwd=tmp_path)
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
         "-subj", "/CN=Old root", "-days", "3650", "-sha256", "-out", "ca.pem",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    key = rsa.generate_private_key(65537, 2048)
    (tmp_path / "leaf.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (tmp_path / "leaf.cnf").write_text(
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        f"certificatePolicies={SIGNER_POLICY.dotted_string}\n")
    run(["openssl", "req", "-new", "-key", "leaf.key", "-subj", "/CN=Old signer",
         "-out", "leaf.csr"])
    run(["openssl", "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
         "-sha1", "-set_serial", "7", "-days", "3650", "-extfile", "leaf.cnf",
         "-out", "leaf.pem"])
    leaf = x509.load_pem_x509_certificate((tmp_path / "leaf.pem").read_bytes())
    return tmp_path / "ca.pem", key, leaf


def test_the_one_legacy_name_admits_sha1_in_certificates_and_signatures(
        tmp_path: Path) -> None:
    """--legacy is one switch for both sides: a SHA-1-signed certificate (DF-PKI-019) and an
    rsa-sha1 XML-DSig signature (DF-SIG-003) are refused by default, and admitted under the
    legacy name, with nothing else to set."""
    anchor, key, leaf = _sha1_chain(tmp_path)
    signed = tmp_path / "signed.xml"
    signed.write_bytes(Signer(key, [leaf]).sign(b"<invoice><total>5</total></invoice>"))
    at = leaf.not_valid_before_utc + dt.timedelta(days=1)
    options: dict[str, Any] = {"anchors": [anchor], "at": at, "revocation": "off"}
    plain = Profile.XMLDSIG
    default = verify(signed, VerifyConfig(trust=Trust.from_options(**options), profile=plain))
    assert "DF-PKI-019" in {f.code for s in default.signatures for f in s.findings}
    legacy = verify(signed, VerifyConfig(trust=Trust.from_options(**options, legacy=True),
                                         profile=plain))
    assert legacy.passed, legacy.to_dict()
    sha1 = VECTORS / "signxml/xml-crypto/signature_with_inclusivenamespaces.xml"
    pinned = {"key": VECTORS / "keys/signxml/xml-crypto-signature_with_inclusivenamespaces.pem",
              "at": NOW}
    default = verify(sha1, VerifyConfig(trust=Trust.from_options(**pinned), profile=plain))
    assert "DF-SIG-003" in {f.code for s in default.signatures for f in s.findings}
    legacy = verify(sha1, VerifyConfig(trust=Trust.from_options(**pinned, legacy=True),
                                       profile=plain))
    assert legacy.passed, legacy.to_dict()


def test_fingerprint_is_order_free_and_covers_every_file(tmp_path: Path) -> None:
    """The fingerprint tags stored audit results: the same files in any order give one; a
    byte changed, another policy, revocation or key usage rule, another one."""
    a, b, c = (tmp_path / n for n in ("a.pem", "b.pem", "c.pem"))
    a.write_bytes(b"A")
    b.write_bytes(b"B")
    c.write_bytes(b"A")
    one = Trust(anchors=(a, b)).fingerprint()
    assert Trust(anchors=(b, a)).fingerprint() == one == Trust(anchors=(c, b)).fingerprint()
    for other in (Trust(anchors=(a, b), crls=(c,)), Trust(anchors=(a, b), policy="legacy"),
                  Trust(anchors=(a, b), revocation="off"),
                  Trust(anchors=(a, b), key_usage="if-present")):
        assert other.fingerprint() != one
    with pytest.raises(InputError) as caught:
        Trust.load([tmp_path / "missing.pem"])
    assert caught.value.code == "DF-IO-001"


def test_contradictory_trust_is_a_usage_error(tmp_path: Path) -> None:
    """Anchors and a key together, an unknown mode, a key for the edXML profile, and an HMAC
    secret outside the legacy policy are DF-TRU-004 (exit 2), not a verdict."""
    secret = tmp_path / "secret.bin"
    secret.write_bytes(b"secret")
    for make in (lambda: Trust.from_options(["ca.pem"], key=secret),
                 lambda: Trust.from_options(revocation="sometimes"),
                 lambda: Trust.from_options(key_usage="never"),
                 lambda: trust_source(Trust(key=secret)),
                 lambda: trust_source(Trust(key=secret), plain=True)):
        with pytest.raises(UsageError) as caught:
            make()
        assert caught.value.code == "DF-TRU-004" and caught.value.exit_code == 2
    legacy = trust_source(Trust(key=secret, policy="legacy"), plain=True)  # type: ignore[arg-type]
    assert type(legacy).__name__ == "HmacKey"


def test_a_key_file_is_read_for_what_it_is(tmp_path: Path) -> None:
    """--key: a certificate is pinned as it is; a bare public key (PEM or DER) is pinned as a
    key, under either policy; neither is ever taken for an HMAC secret."""
    source = trust_source(Trust(key=VECTORS / "keys/xmlsec/same-subj-cert1.pem"), plain=True)
    assert isinstance(source, PinnedKeyChecker)
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    for encoding, suffix in ((serialization.Encoding.PEM, "pem"),
                             (serialization.Encoding.DER, "der")):
        path = tmp_path / f"key.{suffix}"
        path.write_bytes(public.public_bytes(
            encoding, serialization.PublicFormat.SubjectPublicKeyInfo))
        for policy in AlgorithmPolicy:
            key = trust_source(Trust(key=path, policy=policy), plain=True)
            assert type(key).__name__ == "PinnedPublicKey", (suffix, policy)


def test_plain_xmldsig_checks_the_path_but_asks_no_role() -> None:
    """Under anchors, plain XML-DSig checks the certificate path in full but not its role
    (edXML meaning): the path validator's DF-PKI-012 for a certificate of another CA is
    dropped, every other finding kept; the edXML profile's source still reports it."""
    row = VECTORS / "signxml/aleksey-xmldsig-01-enveloped/enveloped-sha256-rsa-sha256-test-1.xml"
    trust = Trust.from_options([VECTORS / "keys/signxml/cacert.pem"], revocation="off",
                               key_usage="if-present", at=dt.datetime(2026, 11, 21))
    plain = trust_source(trust, plain=True)
    assert type(plain).__name__ == "PathOnly"
    passed = verify(row, VerifyConfig(trust=trust, profile=Profile.XMLDSIG))
    assert passed.passed and passed.signatures[0].role is None
    edxml_source = trust_source(trust)
    leaf = passed.signatures[0].certificate
    assert leaf is not None
    assert trust.at is not None and not isinstance(edxml_source, type(plain))
    found = edxml_source.check(leaf, [], trust.at)  # type: ignore[union-attr]
    assert "DF-PKI-012" in {p.code for p in found.problems}
    strict = verify(row, VerifyConfig(trust=trust.replace(key_usage=KeyUsageRule.REQUIRE),
                                      profile=Profile.XMLDSIG))
    assert not strict.passed  # the path's own rules still hold: no keyUsage, no pass
