"""Trust sources (docflow/dsig/trust.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from pki import damaged

from docflow.dsig import CertificateChecker, PinnedKeyChecker, Signer, verify_at
from docflow.pki.validate import PathValidator

from .pkitools import END, NOW, START, SamplePki, name, self_signed


def test_pinned_certificate_is_compared_byte_for_byte(ec_key: ec.EllipticCurvePrivateKey
                                                      ) -> None:
    """A certificate with the pinned one's subject but another key is not trusted."""
    cert = self_signed(ec_key, "partner")
    impostor = self_signed(ec.generate_private_key(ec.SECP256R1()), "partner")
    assert cert.subject == impostor.subject
    checker = PinnedKeyChecker((cert,), role="organ")
    assert checker.check(cert, (), NOW).trusted
    assert checker.check(cert, (), NOW).role == "organ"
    outcome = checker.check(impostor, (), NOW)
    assert not outcome.trusted and [p.code for p in outcome.problems] == ["DF-SIG-015"]


def test_pinned_certificate_must_be_valid_and_for_signing(ec_key: ec.EllipticCurvePrivateKey
                                                          ) -> None:
    """A pin does not lift the certificate's own dates and key usage."""
    cert = self_signed(ec_key)
    checker = PinnedKeyChecker((cert,))
    assert [p.code for p in checker.check(cert, (), END + dt.timedelta(days=1)).problems] == \
        ["DF-PKI-003"]
    assert [p.code for p in checker.check(cert, (), START - dt.timedelta(days=1)).problems] == \
        ["DF-PKI-004"]
    assert PinnedKeyChecker((cert,), check_validity=False).check(
        cert, (), END + dt.timedelta(days=1)).trusted
    encipher = x509.KeyUsage(False, False, True, False, False, False, False, False, False)
    no_signing = self_signed(ec_key, key_usage=encipher)
    assert [p.code for p in PinnedKeyChecker((no_signing,)).check(no_signing, (), NOW)
            .problems] == ["DF-PKI-007"]


def test_document_without_key_info_uses_the_pinned_keys(ec_key: ec.EllipticCurvePrivateKey
                                                        ) -> None:
    """With no KeyInfo the pinned certificates' keys are tried, the matching one wins."""
    other = self_signed(ec.generate_private_key(ec.SECP256R1()), "old key")
    cert = self_signed(ec_key, "new key")
    signed = Signer(ec_key).sign(b"<receipt>42</receipt>")
    assert b"KeyInfo" not in signed
    result = verify_at(signed, NOW, trust=PinnedKeyChecker((other, cert), role="signer"))
    assert result.passed and result.certificate == cert and result.role == "signer"
    wrong = verify_at(signed, NOW, trust=PinnedKeyChecker((other,)))
    assert wrong.sub_indications == ("DF-SIG-012",)


def test_pinned_certificates_must_be_readable(ec_key: ec.EllipticCurvePrivateKey) -> None:
    """A pinned certificate whose subject cannot be read is refused when the checker is made,
    not when a document is verified."""
    bad = damaged.subject(self_signed(ec_key, "damaged"))
    with pytest.raises(ValueError, match="pinned certificate 2 cannot be read: the subject"):
        PinnedKeyChecker((self_signed(ec_key, "fine"), bad))


def test_pinned_key_of_an_unknown_algorithm(ec_key: ec.EllipticCurvePrivateKey) -> None:
    """A pinned certificate with a key of an algorithm docflow does not implement is no
    candidate for a document without KeyInfo (the next one is tried), and alone it is
    DF-SIG-002, a result rather than an exception."""
    unknown = damaged.unknown_key_algorithm(self_signed(ec_key, "unknown"))
    other = self_signed(ec.generate_private_key(ec.SECP256R1()), "other key")
    cert = self_signed(ec_key, "key")
    signed = Signer(ec_key).sign(b"<receipt>42</receipt>")
    assert verify_at(signed, NOW, trust=PinnedKeyChecker((other, unknown, cert))).trusted
    alone = verify_at(signed, NOW, trust=PinnedKeyChecker((unknown,)))
    assert alone.sub_indications == ("DF-SIG-002",)


def test_path_validator_is_a_certificate_checker(pki: SamplePki) -> None:
    """docflow's PKI path validator satisfies the protocol the verifier calls."""
    validator = pki.validator()
    assert isinstance(validator, PathValidator)
    assert isinstance(validator, CertificateChecker)
    outcome = validator.check(pki.signer, (pki.sub,), NOW)
    assert outcome.trusted and outcome.role == "signer" and outcome.chain[-1] == pki.root
    assert name("Root CA") == pki.root.subject
