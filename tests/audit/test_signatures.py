"""The signature seam: what each kind of envelope counts as, and the trust fingerprint."""

from __future__ import annotations

from pathlib import Path

import pytest
from archive.factory import make_document

from audit.signed import SENT, national_pki, signed_document, write_trust
from docflow.audit.signatures import SignatureChecker
from docflow.errors import InputError
from docflow.trust import Trust


def test_a_document_without_signatures_counts_nothing() -> None:
    """No signature: no role present, nothing valid, no reason."""
    outcome = SignatureChecker(Trust.from_options()).check(make_document(1))
    assert (outcome.organ_present, outcome.signer_present, outcome.reasons) == (False, False, ())


def test_a_document_the_organ_did_not_sign_counts_its_signer(tmp_path: Path) -> None:
    """Verification fails a document message without the organ's signature (DF-SIG-028), but
    the audit counts roles: the organ absent, the signer present and valid, and no reason, since
    no signature that is there is invalid."""
    pki = national_pki()
    anchor, crls = write_trust(pki, tmp_path)
    checker = SignatureChecker(Trust.from_options(anchors=(anchor,), crls=(crls,)))
    outcome = checker.check(signed_document(pki, "000.00.12.H49", 1, organ=False), at=SENT)
    assert (outcome.organ_present, outcome.organ_valid, outcome.signer_present,
            outcome.signer_valid, outcome.reasons) == (False, False, True, True, ())
    both = checker.check(signed_document(pki, "000.00.12.H49", 2), at=SENT)
    assert (both.organ_valid, both.signer_valid, both.reasons) == (True, True, ())


def test_a_legacy_signature_is_present_and_never_valid() -> None:
    """A QCVN-namespace Signature counts as a present organ signature, invalid (DF-ENV-070)."""
    outcome = SignatureChecker(Trust.from_options()).check(make_document(1, legacy_signature=True))
    assert (outcome.organ_present, outcome.organ_valid) == (True, False)
    assert outcome.reasons == ("DF-ENV-070",)


def test_hostile_bytes_count_as_unsigned_with_the_parser_code() -> None:
    """A DTD or broken XML is a document with no signature and the parser's code as reason."""
    checker = SignatureChecker(Trust.from_options())
    assert checker.check(b'<!DOCTYPE a [<!ENTITY e "e">]><a>&e;</a>').reasons == ("DF-XML-002",)
    assert checker.check(b"<a><b></a>").reasons == ("DF-XML-001",)


def test_the_trust_fingerprint_depends_on_content_not_order_or_names(tmp_path: Path) -> None:
    """Same files in another order or under other names: same fingerprint; one byte: another."""
    a, b, c = tmp_path / "a.pem", tmp_path / "b.pem", tmp_path / "c.pem"
    a.write_bytes(b"anchor one")
    b.write_bytes(b"anchor two")
    c.write_bytes(b"anchor one")
    one = Trust.from_options(anchors=(a, b)).fingerprint()
    assert Trust.from_options(anchors=(b, a)).fingerprint() == one
    assert Trust.from_options(anchors=(c, b)).fingerprint() == one
    assert Trust.from_options(anchors=(a, b), crls=(c,)).fingerprint() != one
    assert Trust.from_options(anchors=(a, b), legacy=True).fingerprint() != one
    assert Trust.from_options(anchors=(a, b), revocation="off").fingerprint() != one
    folder = tmp_path / "pki"
    folder.mkdir()
    (folder / "root.pem").write_bytes(b"anchor one")
    in_folder = Trust.from_options(anchors=(folder,)).fingerprint()
    (folder / "crl.pem").write_bytes(b"a CRL")
    assert Trust.from_options(anchors=(folder,)).fingerprint() != in_folder
    b.write_bytes(b"anchor two!")
    assert Trust.from_options(anchors=(a, b)).fingerprint() != one
    with pytest.raises(InputError) as err:
        Trust.from_options(anchors=(tmp_path / "missing.pem",)).fingerprint()
    assert err.value.code == "DF-IO-001"
