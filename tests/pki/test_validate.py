"""Path validation: every rule of docflow.pki.validate on real certificates and CRLs."""

from __future__ import annotations

import datetime as dt
import functools
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID
from hypothesis import given, settings
from hypothesis import strategies as st

from docflow.errors import Indication, verdict
from docflow.pki.builder import LEAF_KEY_USAGE, Issuer, ca_certificate
from docflow.pki.io import key_pem
from docflow.pki.roles import ORGAN_POLICY, Role, RoleMapping, RoleRule
from docflow.pki.store import TrustStore
from docflow.pki.validate import (
    LEGACY_POLICY,
    PathValidator,
    RevocationCheck,
    ValidationPolicy,
)
from docflow.profile.trusted import path_validator
from docflow.trust import Trust

from . import damaged
from .factory import T0, YEAR, Ca, key

DAY = dt.timedelta(days=1)
AT = T0 + 30 * DAY

ROOT = Ca.root("Test Root")
SUB = ROOT.sub_ca("Test Sub CA")
LEAF_KEY, LEAF = SUB.leaf("Người ký 1")


def store(*extra_crls: x509.CertificateRevocationList, crls: tuple[
          x509.CertificateRevocationList, ...] | None = None, intermediates: bool = True,
          roles: RoleMapping | None = None) -> TrustStore:
    """The factory PKI's store: root anchor, sub CA, both CRLs (or ``crls``)."""
    return TrustStore(anchors=(ROOT.cert,), intermediates=(SUB.cert,) if intermediates else (),
                      crls=(ROOT.crl(), SUB.crl()) if crls is None else crls,
                      roles=roles or RoleMapping()).with_crls(*extra_crls)


def codes(result: object) -> list[str]:
    return [p.code for p in result.problems]  # type: ignore[attr-defined]


def test_good_path_is_trusted_with_its_role() -> None:
    """A leaf of a sub-CA of an anchor, all valid, CRLs clean: trusted, role from its OID."""
    result = PathValidator(store()).check(LEAF, [SUB.cert], AT)
    assert result.trusted and result.problems == ()
    assert result.chain == (LEAF, SUB.cert, ROOT.cert)
    assert result.role == Role.SIGNER


def test_store_intermediates_complete_a_path_keyinfo_omits() -> None:
    """A document that carries only the leaf still validates through the store's sub-CA."""
    assert PathValidator(store()).check(LEAF, [], AT).trusted


def test_presented_intermediate_completes_a_path() -> None:
    """With only the anchor in the store, the KeyInfo's sub-CA builds the path."""
    result = PathValidator(store(intermediates=False)).check(LEAF, [SUB.cert], AT)
    assert result.trusted and result.chain[1] == SUB.cert


def test_presented_intermediates_are_not_anchors() -> None:
    """A leaf whose whole chain is presented, but whose root is not an anchor: no path."""
    other = Ca.root("Attacker Root")
    other_sub = other.sub_ca("Test Sub CA", "attacker-sub")
    _, forged = other_sub.leaf("Người ký 1", "forged")
    result = PathValidator(store()).check(forged, [other_sub.cert, other.cert], AT)
    assert not result.trusted and result.role is None
    assert codes(result) in (["DF-PKI-001"], ["DF-PKI-002"])


def test_foreign_anchor_is_untrusted() -> None:
    """A chain to another root, which the store does not trust, has no path (DF-PKI-001)."""
    foreign = Ca.root("Foreign Root")
    _, cert = foreign.sub_ca("Foreign Sub").leaf("x")
    result = PathValidator(store()).check(cert, [], AT)
    assert codes(result) == ["DF-PKI-001"] and not result.trusted
    assert verdict(result.problems) is Indication.INDETERMINATE


def test_wrong_issuer_signature_is_reported() -> None:
    """A certificate naming the sub-CA as issuer but signed by another key (DF-PKI-002)."""
    impostor = Ca(SUB.cert, Issuer.from_key(SUB.cert.subject, key("impostor")))
    _, cert = impostor.leaf("Người ký giả")
    result = PathValidator(store()).check(cert, [SUB.cert], AT)
    assert codes(result) == ["DF-PKI-002"] and not result.trusted


_, LATE = SUB.leaf("late", "late-leaf", not_before=T0 + 10 * DAY, not_after=T0 + YEAR)


@pytest.mark.parametrize(("at", "code"), [
    (T0 + YEAR + dt.timedelta(microseconds=1), "DF-PKI-003"),
    (T0 + 10 * DAY - dt.timedelta(microseconds=1), "DF-PKI-004"),
])
def test_leaf_outside_its_validity(at: dt.datetime, code: str) -> None:
    """One microsecond past notAfter is expired; one before notBefore is not yet valid."""
    crls = (ROOT.crl(next_update=T0 + 5 * YEAR), SUB.crl(next_update=T0 + 5 * YEAR))
    result = PathValidator(store(crls=crls)).check(LATE, [], at)
    assert codes(result) == [code] and not result.trusted
    assert result.problems[0].message.startswith("chain[0]: ")


def test_validity_bounds_are_inclusive() -> None:
    """RFC 5280: a certificate is valid at exactly notBefore and at exactly notAfter."""
    crls = (ROOT.crl(this_update=T0, next_update=T0 + 5 * YEAR),
            SUB.crl(this_update=T0, next_update=T0 + 5 * YEAR))
    validator = PathValidator(store(crls=crls))
    assert validator.check(LEAF, [], LEAF.not_valid_before_utc).trusted
    assert validator.check(LEAF, [], LEAF.not_valid_after_utc).trusted


def test_expired_ca_is_reported_at_its_position() -> None:
    """A sub-CA that expired before the validation time fails the path at chain[1]."""
    old = ROOT.sub_ca("Old Sub", not_after=T0 + 10 * DAY)
    _, cert = old.leaf("x", "old-leaf")
    result = PathValidator(store(old.crl())).check(cert, [old.cert], AT)
    assert codes(result) == ["DF-PKI-003"]
    assert result.problems[0].message.startswith("chain[1]: ")


def test_revoked_leaf_is_revoked_only_from_its_revocation_date() -> None:
    """A serial listed with revocationDate T is good before T and revoked from T on."""
    revoked_at = T0 + 10 * DAY
    crls = (ROOT.crl(), SUB.crl([(LEAF, revoked_at)]))
    validator = PathValidator(store(crls=crls))
    before = validator.check(LEAF, [], revoked_at - dt.timedelta(microseconds=1))
    assert before.trusted
    at_date = validator.check(LEAF, [], revoked_at)
    assert codes(at_date) == ["DF-PKI-005"] and not at_date.trusted
    assert verdict(at_date.problems) is Indication.FAILED


def test_revoked_ca_is_reported() -> None:
    """A sub-CA revoked in the root's CRL makes every leaf under it untrusted (DF-PKI-006)."""
    crls = (ROOT.crl([(SUB.cert, T0 + DAY)]), SUB.crl())
    result = PathValidator(store(crls=crls)).check(LEAF, [], AT)
    assert codes(result) == ["DF-PKI-006"]
    assert result.problems[0].message.startswith("chain[1]: ")


def test_stale_crl_is_reported() -> None:
    """A CRL whose nextUpdate is before the validation time is stale (DF-PKI-015)."""
    crls = (ROOT.crl(), SUB.crl(next_update=T0 + 20 * DAY))
    result = PathValidator(store(crls=crls)).check(LEAF, [], AT)
    assert codes(result) == ["DF-PKI-015"] and not result.trusted


def test_stale_crl_still_proves_a_revocation() -> None:
    """A stale CRL cannot prove a certificate good, but it does prove one revoked."""
    crls = (ROOT.crl(), SUB.crl([(LEAF, T0 + DAY)], next_update=T0 + 20 * DAY))
    assert codes(PathValidator(store(crls=crls)).check(LEAF, [], AT)) == \
        ["DF-PKI-015", "DF-PKI-005"]


@pytest.mark.parametrize(("mode", "expected"), [
    (RevocationCheck.REQUIRE, ["DF-PKI-014"]),
    (RevocationCheck.IF_AVAILABLE, []),
    (RevocationCheck.OFF, []),
])
def test_missing_crl_depends_on_the_revocation_mode(mode: RevocationCheck,
                                                     expected: list[str]) -> None:
    """No CRL of the sub-CA: required → DF-PKI-014; if-available or off → not a finding."""
    policy = ValidationPolicy(revocation=mode)
    result = PathValidator(store(crls=(ROOT.crl(),)), policy).check(LEAF, [], AT)
    assert codes(result) == expected


def test_crl_issued_after_the_time_covers_it() -> None:
    """Validating a past time with a later CRL: listed before the time → revoked, else good."""
    later = {"this_update": AT + DAY, "next_update": AT + YEAR}
    good = (ROOT.crl(**later), SUB.crl(**later))
    assert PathValidator(store(crls=good)).check(LEAF, [], AT).trusted
    revoked = (ROOT.crl(**later), SUB.crl([(LEAF, AT - DAY)], **later))
    assert codes(PathValidator(store(crls=revoked)).check(LEAF, [], AT)) == ["DF-PKI-005"]


def test_crl_signed_by_another_key_is_not_used() -> None:
    """A CRL in the sub-CA's name but signed by another key is refused (DF-PKI-016)."""
    forger = Ca(SUB.cert, Issuer.from_key(SUB.cert.subject, key("crl-forger")))
    result = PathValidator(store(crls=(ROOT.crl(), forger.crl()))).check(LEAF, [], AT)
    assert codes(result) == ["DF-PKI-016"]


def test_forged_crl_does_not_hide_a_real_one() -> None:
    """A newer forged CRL is skipped and the genuine CRL in force still revokes."""
    forger = Ca(SUB.cert, Issuer.from_key(SUB.cert.subject, key("crl-forger")))
    crls = (ROOT.crl(), SUB.crl([(LEAF, T0 + DAY)]),
            forger.crl(this_update=T0 + 5 * DAY, number=2))
    assert codes(PathValidator(store(crls=crls)).check(LEAF, [], AT)) == ["DF-PKI-005"]


def test_crl_of_a_ca_without_crl_sign_is_not_used() -> None:
    """A CA whose key usage lacks cRLSign may not sign CRLs: its CRL is refused."""
    usage = x509.KeyUsage(False, False, False, False, False, True, False, False, False)
    ca = ROOT.sub_ca("No CRL Sign", key_usage=usage)
    _, cert = ca.leaf("x", "no-crl-sign-leaf")
    result = PathValidator(store(ca.crl())).check(cert, [ca.cert], AT)
    assert codes(result) == ["DF-PKI-016"]


def test_delta_crl_is_not_used_as_a_complete_crl() -> None:
    """A CRL with a critical deltaCRLIndicator is partial: not used (DF-PKI-020)."""
    builder = x509.CertificateRevocationListBuilder().issuer_name(SUB.cert.subject) \
        .last_update(T0).next_update(T0 + YEAR) \
        .add_extension(x509.DeltaCRLIndicator(1), critical=True)
    delta = builder.sign(SUB.key, hashes.SHA256())
    result = PathValidator(store(crls=(ROOT.crl(), delta))).check(LEAF, [], AT)
    assert codes(result) == ["DF-PKI-020"]


def test_crl_with_an_unreadable_entry_is_not_used() -> None:
    """A CRL of the sub-CA whose entry cannot be read is not used (DF-PKI-020): reading the
    rest of it could miss the revocation of the very certificate being checked."""
    bad = damaged.crl_entry(SUB.crl([(LEAF, T0)]))
    result = PathValidator(store(crls=(ROOT.crl(), bad))).check(LEAF, [], AT)
    assert codes(result) == ["DF-PKI-020"] and not result.trusted


def test_unreadable_signing_certificate_is_a_finding() -> None:
    """A leaf whose subject cannot be read is DF-PKI-031, a result and never an exception
    (the signature verifier reads KeyInfo certificates in full before; other callers may
    not)."""
    result = PathValidator(store()).check(damaged.subject(LEAF), [SUB.cert], AT)
    assert codes(result) == ["DF-PKI-031"] and not result.trusted and result.role is None
    assert "subject name" in result.problems[0].message


def test_unreadable_presented_intermediate_is_no_candidate() -> None:
    """A presented CA certificate that cannot be read is left out of path building: with the
    sub-CA in the store the path is still found, without it there is none and DF-PKI-001
    says that one presented certificate was not considered."""
    bad = damaged.subject(SUB.cert)
    assert PathValidator(store()).check(LEAF, [bad], AT).trusted
    result = PathValidator(store(intermediates=False)).check(LEAF, [bad], AT)
    assert codes(result) == ["DF-PKI-001"]
    assert "1 presented certificates cannot be read" in result.problems[0].message


def test_newest_crl_decides() -> None:
    """Of two CRLs, the newest decides, even for a time before it was issued: a revocation
    dated T0+15d and published at T0+20d is seen at T0+17d."""
    crls = (ROOT.crl(), SUB.crl(), SUB.crl([(LEAF, T0 + 15 * DAY)],
                                           this_update=T0 + 20 * DAY, number=2))
    validator = PathValidator(store(crls=crls))
    assert validator.check(LEAF, [], T0 + 12 * DAY).trusted
    assert codes(validator.check(LEAF, [], T0 + 17 * DAY)) == ["DF-PKI-005"]
    assert codes(validator.check(LEAF, [], T0 + 25 * DAY)) == ["DF-PKI-005"]


@pytest.mark.parametrize(("usage", "policy", "expected"), [
    (x509.KeyUsage(False, False, True, False, False, False, False, False, False),
     ValidationPolicy(), ["DF-PKI-007"]),
    (None, ValidationPolicy(), ["DF-PKI-007"]),
    (None, ValidationPolicy(require_key_usage=False), []),
    (x509.KeyUsage(False, True, False, False, False, False, False, False, False),
     ValidationPolicy(), []),
])
def test_leaf_key_usage(usage: x509.KeyUsage | None, policy: ValidationPolicy,
                        expected: list[str]) -> None:
    """A signing key needs digitalSignature or nonRepudiation; no keyUsage at all is refused
    unless the policy allows it."""
    _, cert = SUB.leaf("ku", f"ku-{usage!r}", key_usage=usage)
    assert codes(PathValidator(store(), policy).check(cert, [], AT)) == expected


@pytest.mark.parametrize(("eku", "expected"), [
    ([ExtendedKeyUsageOID.SERVER_AUTH], ["DF-PKI-008"]),
    ([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION], []),
    (None, []),
])
def test_leaf_extended_key_usage(eku: list[x509.ObjectIdentifier] | None,
                                 expected: list[str]) -> None:
    """When present, extendedKeyUsage must include a document-signing purpose."""
    _, cert = SUB.leaf("eku", f"eku-{eku!r}", eku=eku)
    assert codes(PathValidator(store()).check(cert, [], AT)) == expected


def test_leaf_used_as_a_ca_is_refused() -> None:
    """A certificate signed by an end-entity key: its issuer is not a CA (DF-PKI-009)."""
    as_ca = Ca(LEAF, Issuer.from_key(LEAF.subject, LEAF_KEY))
    _, cert = as_ca.leaf("Issued by a leaf", "by-leaf")
    result = PathValidator(store()).check(cert, [LEAF], AT)
    assert "DF-PKI-009" in codes(result) and not result.trusted
    assert result.chain == (cert, LEAF, SUB.cert, ROOT.cert)


def test_ca_certificate_as_signing_certificate_is_refused() -> None:
    """A CA certificate used to sign a document (DF-PKI-018; its key usage fails too)."""
    result = PathValidator(store()).check(SUB.cert, [], AT)
    assert codes(result)[:2] == ["DF-PKI-018", "DF-PKI-007"]


def test_ca_without_key_cert_sign_is_refused() -> None:
    """An issuing CA whose key usage lacks keyCertSign (DF-PKI-010)."""
    usage = x509.KeyUsage(True, False, False, False, False, False, True, False, False)
    ca = ROOT.sub_ca("No Cert Sign", key_usage=usage)
    _, cert = ca.leaf("x", "no-cert-sign-leaf")
    assert codes(PathValidator(store(ca.crl())).check(cert, [ca.cert], AT)) == ["DF-PKI-010"]


def test_path_length_constraint() -> None:
    """A CA with pathLenConstraint 0 may not have another CA below it (DF-PKI-011)."""
    below = SUB.sub_ca("Too Deep", path_length=None)
    _, cert = below.leaf("x", "too-deep-leaf")
    result = PathValidator(store(below.crl())).check(cert, [below.cert], AT)
    assert codes(result) == ["DF-PKI-011"]
    assert result.problems[0].message.startswith("chain[2]: ")


def test_unknown_critical_extension_is_refused() -> None:
    """RFC 5280 §4.2: a critical extension the validator does not process fails the path."""
    cert = SUB.leaf_with(
        "critical-ext",
        (x509.BasicConstraints(ca=False, path_length=None), True), (LEAF_KEY_USAGE, True),
        (x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00"),
         True))
    result = PathValidator(store(), ValidationPolicy()).check(cert, [], AT)
    assert "DF-PKI-017" in codes(result) and not result.trusted


class TestAlgorithms:
    """Certificates holding short RSA keys are refused by default (for signature hashes, see
    TestWeakCertificateSignatures)."""

    def test_short_rsa_key_refused_by_default_accepted_under_legacy(self) -> None:
        short = rsa.generate_private_key(65537, 1024)
        builder = x509.CertificateBuilder().subject_name(x509.Name.from_rfc4514_string(
            "CN=short")).issuer_name(SUB.cert.subject).public_key(short.public_key()) \
            .serial_number(77).not_valid_before(T0).not_valid_after(T0 + YEAR) \
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), True) \
            .add_extension(LEAF_KEY_USAGE, True) \
            .add_extension(x509.CertificatePolicies([x509.PolicyInformation(ORGAN_POLICY,
                                                                            None)]), False)
        leaf = builder.sign(SUB.key, hashes.SHA256())  # type: ignore[arg-type]
        result = PathValidator(store()).check(leaf, [], AT)
        assert codes(result) == ["DF-PKI-019"]
        assert PathValidator(store(), LEGACY_POLICY).check(leaf, [], AT).trusted


needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")


class OpenSslCa:
    """An RSA-2048 CA whose certificates the openssl CLI signs with any hash.

    cryptography refuses to sign a certificate with MD5 or SHA-1 (``CertificateBuilder.sign``
    raises ``UnsupportedAlgorithm`` for both, RSA included), so the certificates signed with
    them are made the way old CAs made them: by OpenSSL, from a CSR.
    """

    def __init__(self, folder: Path, ca: Ca, ca_key: rsa.RSAPrivateKey) -> None:
        self.folder, self.ca = folder, ca
        self._serials = iter(range(100, 10**6))
        (folder / "ca.pem").write_bytes(ca.cert.public_bytes(Encoding.PEM))
        (folder / "ca.key").write_bytes(key_pem(ca_key))
        (folder / "leaf.cnf").write_text(
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
            f"certificatePolicies={ORGAN_POLICY.dotted_string}\n")
        (folder / "ca.cnf").write_text(
            "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n")

    def sign(self, cn: str, subject_key: rsa.RSAPrivateKey, digest: str, *, ca: bool = False,
             signer: str = "ca") -> x509.Certificate:
        """A certificate for ``subject_key`` signed with ``digest`` (``md5``, ``sha1``…) by
        the files ``{signer}.pem``/``{signer}.key``; a CA certificate when ``ca``."""
        run = functools.partial(subprocess.run, check=True, capture_output=True, cwd=self.folder)
        serial = next(self._serials)
        (self.folder / f"{serial}.key").write_bytes(key_pem(subject_key))
        run(["openssl", "req", "-new", "-key", f"{serial}.key", "-subj", f"/CN={cn}",
             "-out", f"{serial}.csr"])
        run(["openssl", "x509", "-req", "-in", f"{serial}.csr", "-CA", f"{signer}.pem",
             "-CAkey", f"{signer}.key", f"-{digest}", "-set_serial", str(serial),
             "-days", "3650", "-extfile", "ca.cnf" if ca else "leaf.cnf",
             "-out", f"{serial}.pem"])
        return x509.load_pem_x509_certificate((self.folder / f"{serial}.pem").read_bytes())

    def store(self, *cas: Ca) -> TrustStore:
        """The CA as the anchor, with a CRL of it and of ``cas`` in force until 2045."""
        return TrustStore(anchors=(self.ca.cert,), crls=tuple(
            c.crl(next_update=T0 + 20 * YEAR) for c in (self.ca, *cas)))

    def sub_ca(self, label: str, key: rsa.RSAPrivateKey, digest: str
               ) -> tuple[x509.Certificate, x509.Certificate, TrustStore]:
        """A sub-CA certificate for ``key`` signed with ``digest``, a SHA-256-signed organ
        leaf below it, and the store that trusts this CA with both CRLs."""
        cert = self.sign(f"{label} sub CA", key, digest, ca=True)
        sub = Ca(cert, Issuer.from_key(cert.subject, key))
        _, leaf = sub.leaf("Người ký", f"leaf of {label} sub", policy=ORGAN_POLICY,
                           not_after=T0 + 20 * YEAR)
        return cert, leaf, self.store(sub)


@pytest.fixture(scope="module")
def openssl_ca(tmp_path_factory: pytest.TempPathFactory) -> OpenSslCa:
    ca_key = rsa.generate_private_key(65537, 2048)
    issuer = Issuer.from_key(x509.Name.from_rfc4514_string("CN=Legacy RSA CA"), ca_key)
    ca = Ca(ca_certificate(issuer.name, ca_key.public_key(), issuer, 4242, T0,
                           T0 + 20 * YEAR, path_length=1), issuer)
    return OpenSslCa(tmp_path_factory.mktemp("openssl-ca"), ca, ca_key)


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, 2048)


def _after(cert: x509.Certificate) -> dt.datetime:
    return cert.not_valid_before_utc + DAY


@needs_openssl
class TestWeakCertificateSignatures:
    """A certificate signed with a hash the policy refuses is DF-PKI-019 naming the algorithm,
    decided before (and instead of) checking its signature; never DF-PKI-002."""

    @pytest.mark.parametrize(("digest", "name"), [("md5", "MD5 (md5WithRSAEncryption)"),
                                                  ("sha1", "SHA1 (sha1WithRSAEncryption)")])
    def test_weakly_signed_leaf_is_refused_for_its_algorithm(
            self, openssl_ca: OpenSslCa, rsa_key: rsa.RSAPrivateKey, digest: str,
            name: str) -> None:
        """A leaf whose signature uses MD5 or SHA-1 fails with DF-PKI-019 at chain[0], the
        message naming the hash and the algorithm; the path is still built to the anchor."""
        leaf = openssl_ca.sign(f"{digest} leaf", rsa_key, digest)
        result = PathValidator(openssl_ca.store()).check(leaf, [], _after(leaf))
        assert codes(result) == ["DF-PKI-019"] and not result.trusted
        assert result.chain == (leaf, openssl_ca.ca.cert)
        message = result.problems[0].message
        assert message.startswith("chain[0]: ") and f"signed with {name}" in message

    @pytest.mark.parametrize(("digest", "name"), [("md5", "MD5 (md5WithRSAEncryption)"),
                                                  ("sha1", "SHA1 (sha1WithRSAEncryption)")])
    def test_weakly_signed_ca_is_refused_for_its_algorithm(
            self, openssl_ca: OpenSslCa, rsa_key: rsa.RSAPrivateKey, digest: str,
            name: str) -> None:
        """A sub-CA certificate signed with MD5 or SHA-1 fails the path with DF-PKI-019 at its
        own place (chain[1]), while its SHA-256-signed leaf raises nothing."""
        cert, leaf, store = openssl_ca.sub_ca(digest, rsa_key, digest)
        result = PathValidator(store).check(leaf, [cert], _after(cert))
        assert codes(result) == ["DF-PKI-019"] and not result.trusted
        assert result.chain == (leaf, cert, openssl_ca.ca.cert)
        message = result.problems[0].message
        assert message.startswith("chain[1]: ") and f"signed with {name}" in message

    def test_md5_is_refused_even_under_legacy(self, openssl_ca: OpenSslCa,
                                              rsa_key: rsa.RSAPrivateKey) -> None:
        """The legacy policy admits SHA-1, never MD5: an MD5-signed leaf or CA is DF-PKI-019
        under it too."""
        leaf = openssl_ca.sign("md5 leaf", rsa_key, "md5")
        validator = PathValidator(openssl_ca.store(), LEGACY_POLICY)
        assert codes(validator.check(leaf, [], _after(leaf))) == ["DF-PKI-019"]
        cert, below, store = openssl_ca.sub_ca("md5 legacy", rsa_key, "md5")
        result = PathValidator(store, LEGACY_POLICY).check(below, [cert], _after(cert))
        assert codes(result) == ["DF-PKI-019"] and "MD5" in result.problems[0].message

    def test_sha1_passes_under_legacy(self, openssl_ca: OpenSslCa,
                                      rsa_key: rsa.RSAPrivateKey) -> None:
        """Under the legacy policy a SHA-1-signed leaf and a SHA-1-signed CA are trusted, as
        the README says; without it they are refused (the tests above)."""
        leaf = openssl_ca.sign("sha1 leaf", rsa_key, "sha1")
        assert PathValidator(openssl_ca.store(), LEGACY_POLICY).check(leaf, [], _after(leaf)) \
            .trusted
        cert, below, store = openssl_ca.sub_ca("sha1 legacy", rsa_key, "sha1")
        result = PathValidator(store, LEGACY_POLICY).check(below, [cert], _after(cert))
        assert result.trusted and result.problems == ()

    def test_legacy_flag_reaches_the_validator(self, openssl_ca: OpenSslCa,
                                               rsa_key: rsa.RSAPrivateKey) -> None:
        """``--legacy`` (the legacy policy of the one Trust that verify, validate and audit build)
        admits a SHA-1-signed leaf; without it the leaf is DF-PKI-019."""
        leaf = openssl_ca.sign("sha1 leaf cli", rsa_key, "sha1")
        folder = openssl_ca.folder
        (folder / "crl.pem").write_bytes(
            openssl_ca.ca.crl(next_update=T0 + 20 * YEAR).public_bytes(Encoding.PEM))
        files = ([str(folder / "ca.pem")], [str(folder / "crl.pem")])
        legacy = path_validator(Trust.from_options(*files, legacy=True))
        assert legacy.check(leaf, [], _after(leaf)).trusted
        assert codes(path_validator(Trust.from_options(*files)).check(leaf, [], _after(leaf))) \
            == ["DF-PKI-019"]

    def test_legacy_still_checks_a_sha1_signature(self, openssl_ca: OpenSslCa,
                                                  rsa_key: rsa.RSAPrivateKey) -> None:
        """Admitting SHA-1 does not skip its signature: a SHA-1 leaf signed by another key in
        the CA's name is DF-PKI-002 under the legacy policy, and DF-PKI-019 (the algorithm,
        checked first) under the default one."""
        folder = openssl_ca.folder
        impostor_key = rsa.generate_private_key(65537, 2048)
        impostor = Issuer.from_key(openssl_ca.ca.cert.subject, impostor_key)
        (folder / "impostor.pem").write_bytes(ca_certificate(
            impostor.name, impostor_key.public_key(), impostor, 4243, T0, T0 + 20 * YEAR,
            path_length=0).public_bytes(Encoding.PEM))
        (folder / "impostor.key").write_bytes(key_pem(impostor_key))
        forged = openssl_ca.sign("forged sha1 leaf", rsa_key, "sha1", signer="impostor")
        assert forged.issuer == openssl_ca.ca.cert.subject
        at = _after(forged)
        legacy = PathValidator(openssl_ca.store(), LEGACY_POLICY).check(forged, [], at)
        assert codes(legacy) == ["DF-PKI-002"] and not legacy.trusted
        assert codes(PathValidator(openssl_ca.store()).check(forged, [], at)) == ["DF-PKI-019"]


class TestRoles:
    """The role comes from docflow's policy OIDs or the mapping; unknown is reported."""

    foreign = Ca.root("Government CA", "gov-root")
    foreign_sub = foreign.sub_ca("Government Sub CA", "gov-sub")

    def _store(self, roles: RoleMapping) -> TrustStore:
        return TrustStore(anchors=(self.foreign.cert,), intermediates=(self.foreign_sub.cert,),
                          crls=(self.foreign.crl(), self.foreign_sub.crl()), roles=roles)

    def test_role_from_docflow_policy(self) -> None:
        _, organ = SUB.leaf("organ", "organ-leaf", policy=ORGAN_POLICY)
        assert PathValidator(store()).check(organ, [], AT).role == Role.ORGAN

    def test_role_from_a_policy_rule(self) -> None:
        _, cert = self.foreign_sub.leaf("Bộ Tài chính", "gov-organ",
                                        policy=x509.ObjectIdentifier("1.2.704.1.2"))
        mapping = RoleMapping((RoleRule(Role.ORGAN, policy="1.2.704.1.2"),))
        result = PathValidator(self._store(mapping)).check(cert, [], AT)
        assert result.trusted and result.role == Role.ORGAN and result.problems == ()

    def test_role_from_an_issuer_and_subject_pattern(self) -> None:
        _, cert = self.foreign_sub.leaf("Nguyễn Văn A", "gov-person", policy=None)
        mapping = RoleMapping((RoleRule(Role.SIGNER, issuer=".*CN=Government Sub CA.*",
                                        subject="CN=Nguyễn Văn .*"),))
        assert PathValidator(self._store(mapping)).check(cert, [], AT).role == Role.SIGNER

    def test_unknown_role_is_reported_not_guessed(self) -> None:
        """No OID, no rule: the path is trusted but the role is unknown (DF-PKI-012)."""
        _, cert = self.foreign_sub.leaf("Không rõ", "gov-unknown", policy=None)
        result = PathValidator(self._store(RoleMapping())).check(cert, [], AT)
        assert result.trusted and result.role is None and codes(result) == ["DF-PKI-012"]
        assert verdict(result.problems) is Indication.INDETERMINATE

    def test_conflicting_rules_are_ambiguous(self) -> None:
        _, cert = self.foreign_sub.leaf("Hai vai", "gov-both",
                                        policy=x509.ObjectIdentifier("1.2.704.1.2"))
        mapping = RoleMapping((RoleRule(Role.ORGAN, policy="1.2.704.1.2"),
                               RoleRule(Role.SIGNER, subject=".*Hai vai.*")))
        result = PathValidator(self._store(mapping)).check(cert, [], AT)
        assert result.role is None and codes(result) == ["DF-PKI-013"]

    def test_docflow_policies_can_be_turned_off(self) -> None:
        """A deployment that trusts only a foreign CA can ignore docflow's arc."""
        _, cert = self.foreign_sub.leaf("Claims organ", "gov-claim", policy=ORGAN_POLICY)
        mapping = RoleMapping(docflow_policies=False)
        result = PathValidator(self._store(mapping)).check(cert, [], AT)
        assert result.role is None and codes(result) == ["DF-PKI-012"]


class TestCache:
    """A cached result is reused only where a fresh validation would give the same answer."""

    def test_repeated_validation_returns_the_cached_result(self) -> None:
        validator = PathValidator(store())
        first = validator.check(LEAF, [SUB.cert], AT)
        assert validator.check(LEAF, [SUB.cert], AT + DAY) is first
        assert validator.cache_info() == {"hits": 1, "misses": 1, "entries": 1}

    def test_a_later_revocation_is_not_masked(self) -> None:
        """Good at T0+5d (cached), revoked at T0+10d: the later check sees the revocation."""
        crls = (ROOT.crl(), SUB.crl([(LEAF, T0 + 10 * DAY)]))
        validator = PathValidator(store(crls=crls))
        assert validator.check(LEAF, [], T0 + 5 * DAY).trusted
        assert validator.check(LEAF, [], T0 + 9 * DAY).trusted  # same window: a cache hit
        assert codes(validator.check(LEAF, [], T0 + 10 * DAY)) == ["DF-PKI-005"]
        assert validator.check(LEAF, [], T0 + 6 * DAY).trusted
        assert validator.cache_info()["hits"] == 2

    def test_expiry_inside_a_day_is_not_masked(self) -> None:
        validator = PathValidator(store(crls=(
            ROOT.crl(next_update=T0 + 5 * YEAR), SUB.crl(next_update=T0 + 5 * YEAR))))
        end = LEAF.not_valid_after_utc
        assert validator.check(LEAF, [], end - dt.timedelta(hours=1)).trusted
        assert codes(validator.check(LEAF, [], end + dt.timedelta(seconds=1))) == \
            ["DF-PKI-003"]

    def test_different_intermediates_are_cached_apart(self) -> None:
        validator = PathValidator(store(intermediates=False))
        assert validator.check(LEAF, [SUB.cert], AT).trusted
        assert codes(validator.check(LEAF, [], AT)) == ["DF-PKI-001"]

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.integers(min_value=-400, max_value=4 * 365), min_size=1, max_size=12))
    def test_cache_agrees_with_fresh_validation(self, days: list[int]) -> None:
        """For any sequence of times, a shared validator answers as a fresh one would."""
        crls = (ROOT.crl(), SUB.crl(), SUB.crl([(LEAF, T0 + 100 * DAY)],
                                               this_update=T0 + 90 * DAY,
                                               next_update=T0 + 400 * DAY, number=2))
        trust = store(crls=crls)
        shared = PathValidator(trust)
        for d in days:
            at = T0 + d * DAY
            cached, fresh = shared.check(LEAF, [SUB.cert], at), \
                PathValidator(trust).check(LEAF, [SUB.cert], at)
            assert (cached.trusted, codes(cached)) == (fresh.trusted, codes(fresh))


def test_cross_signed_loop_terminates() -> None:
    """Two CAs that certify each other, with no anchor: path building ends, no path."""
    a_key, b_key = key("loop-a"), key("loop-b")
    a = Ca(ROOT.cert, Issuer.from_key(x509.Name.from_rfc4514_string("CN=Loop A"), a_key))
    b = Ca(ROOT.cert, Issuer.from_key(x509.Name.from_rfc4514_string("CN=Loop B"), b_key))
    a_by_b = ca_certificate(a.issuer.name, a_key.public_key(), b.issuer, 5, T0, T0 + YEAR,
                            path_length=None)
    b_by_a = ca_certificate(b.issuer.name, b_key.public_key(), a.issuer, 6, T0, T0 + YEAR,
                            path_length=None)
    _, cert = a.leaf("loop leaf", "loop-leaf")
    result = PathValidator(store()).check(cert, [a_by_b, b_by_a], AT)
    assert codes(result) == ["DF-PKI-001"] and len(result.chain) == 3


def test_naive_time_is_utc() -> None:
    validator = PathValidator(store())
    assert validator.check(LEAF, [], AT.replace(tzinfo=None)) is validator.check(LEAF, [], AT)


def test_validation_time_in_another_zone() -> None:
    """An aware time in Vietnam's zone (UTC+7) is the same instant as in UTC."""
    hanoi = dt.timezone(dt.timedelta(hours=7))
    end = LEAF.not_valid_after_utc
    validator = PathValidator(store(crls=(
        ROOT.crl(next_update=T0 + 5 * YEAR), SUB.crl(next_update=T0 + 5 * YEAR))))
    assert validator.check(LEAF, [], end.astimezone(hanoi)).trusted
    assert not validator.check(LEAF, [], (end + DAY).astimezone(hanoi)).trusted


def test_a_directly_trusted_leaf() -> None:
    """A leaf that is itself an anchor (pinned) forms a path of one; no CRL applies."""
    result = PathValidator(TrustStore(anchors=(LEAF,))).check(LEAF, [], AT)
    assert result.trusted and result.chain == (LEAF,) and result.role == Role.SIGNER


def test_a_small_cache_evicts_and_still_answers() -> None:
    """With room for one entry, alternating leaves evict each other; answers stay right."""
    _, other = SUB.leaf("Người ký 2", "evict-other", policy=ORGAN_POLICY)
    validator = PathValidator(store(), cache_size=1)
    for _ in range(3):
        assert validator.check(LEAF, [], AT).role == Role.SIGNER
        assert validator.check(other, [], AT).role == Role.ORGAN
    assert validator.cache_info() == {"hits": 0, "misses": 6, "entries": 1}


# --- bounds on path building: the presented certificates come from an unauthenticated document


def _copies(ca: Ca, count: int, *, not_before: dt.datetime = T0,
            not_after: dt.datetime = T0 + YEAR) -> list[x509.Certificate]:
    """``count`` certificates of ``ca``'s subject and key, each issued by ``ca`` itself: copies
    of one CA that all "issue" one another."""
    return [ca_certificate(ca.issuer.name, ca.key.public_key(), ca.issuer, 9000 + i, not_before,
                           not_after, path_length=8) for i in range(count)]


def test_copies_of_one_ca_are_one_node_of_a_path() -> None:
    """Loop detection by subject and key (RFC 4158): 16 copies of a CA that issue one another
    give 16 one-link paths, not 16! orderings; the work is linear, well inside a budget just
    above the number of copies, and the answer is no path (DF-PKI-001)."""
    loop = Ca.root("Loop CA", "loop-copies")
    _, leaf = loop.leaf("loop leaf", "loop-copies-leaf")
    policy = ValidationPolicy(max_path_work=17)
    result = PathValidator(store(), policy).check(leaf, _copies(loop, 16), AT)
    assert codes(result) == ["DF-PKI-001"] and not result.trusted
    assert len(result.chain) == 2


def test_work_budget_ends_path_building_with_a_finding() -> None:
    """Every link tried counts against ``max_path_work``: a good chain needs two (leaf → sub-CA
    → root), and with a budget of one it is not trusted but reported (DF-PKI-030,
    INDETERMINATE), never PASSED and never a long search."""
    exact = ValidationPolicy(max_path_work=2)
    assert PathValidator(store(intermediates=False), exact).check(LEAF, [SUB.cert], AT).trusted
    short = ValidationPolicy(max_path_work=1)
    result = PathValidator(store(intermediates=False), short).check(LEAF, [SUB.cert], AT)
    assert codes(result) == ["DF-PKI-030"] and not result.trusted and result.role is None
    assert verdict(result.problems) is Indication.INDETERMINATE


def test_cross_certified_mesh_runs_out_of_budget() -> None:
    """Four CAs with distinct keys, each certifying every other (12 certificates, no anchor),
    have dozens of orderings: path building stops at the budget with DF-PKI-030 rather than
    enumerate them, and the default budget still answers."""
    mesh = [Ca.root(f"Mesh {i}", f"mesh-{i}") for i in range(4)]
    cross = [ca_certificate(b.issuer.name, b.key.public_key(), a.issuer, 9100 + 4 * i + j, T0,
                            T0 + YEAR, path_length=8)
             for i, a in enumerate(mesh) for j, b in enumerate(mesh) if a is not b]
    _, leaf = mesh[0].leaf("mesh leaf", "mesh-leaf")
    small = PathValidator(store(), ValidationPolicy(max_path_work=8)).check(leaf, cross, AT)
    assert codes(small) == ["DF-PKI-030"] and not small.trusted
    default = PathValidator(store()).check(leaf, cross, AT)
    assert not default.trusted and codes(default) in (["DF-PKI-001"], ["DF-PKI-030"])


def test_presented_certificates_past_the_cap_are_ignored() -> None:
    """Only the first ``max_presented`` certificates of KeyInfo are candidates: the sub-CA
    presented after 16 others does not build the path, and the finding says so."""
    junk = _copies(Ca.root("Junk CA", "junk"), 16)
    validator = PathValidator(store(intermediates=False))
    late = validator.check(LEAF, [*junk, SUB.cert], AT)
    assert codes(late) == ["DF-PKI-001"] and "past the first 16" in late.problems[0].message
    assert validator.check(LEAF, [SUB.cert, *junk], AT).trusted


def test_a_renewed_copy_of_a_ca_is_still_tried() -> None:
    """Copies of one CA side by side are all candidates (a CA renewed with the same key): the
    expired copy presented first fails, the renewed one builds a trusted path."""
    expired = ca_certificate(SUB.cert.subject, SUB.key.public_key(), ROOT.issuer, 9200,
                             T0 - 3 * YEAR, T0 - YEAR, path_length=0)
    result = PathValidator(store(intermediates=False)).check(LEAF, [expired, SUB.cert], AT)
    assert result.trusted and result.chain[1] == SUB.cert
