"""Verification results become one document outcome by one rule, shared by both engines."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from audit.signed import SENT, national_pki, signed_document, write_trust

from docflow.metrics.outcomes import message_outcome, outcome_of
from docflow.profile.edxml import EDXML_NS, verify_message
from docflow.profile.trusted import path_validator
from docflow.trust import Trust
from docflow.xmlsafe import parse_xml


@dataclass(frozen=True)
class Verdict:
    role: str | None
    passed: bool
    sub_indications: tuple[str, ...] = ()
    rule: str | None = None


def test_each_role_is_present_and_valid_on_its_own() -> None:
    """Organ and signer are counted separately; valid needs the signature to pass."""
    out = outcome_of([Verdict("organ", True), Verdict("signer", False, ("DF-SIG-011",))])
    assert (out.organ_present, out.organ_valid, out.signer_present, out.signer_valid) == \
        (True, True, True, False)
    assert out.reasons == ("DF-SIG-011",)


def test_one_bad_signature_makes_its_role_invalid() -> None:
    """Two signatures of one role: the role is valid only if both passed."""
    out = outcome_of([Verdict("organ", True), Verdict("organ", False, ("DF-SIG-009",))])
    assert (out.organ_present, out.organ_valid) == (True, False)


def test_without_a_certificate_role_the_place_gives_presence_only() -> None:
    """No role from the certificate: present by the profile rule, never valid; else nowhere."""
    placed = outcome_of([Verdict(None, False, ("DF-PKI-001",), rule="signer")])
    assert (placed.signer_present, placed.signer_valid, placed.organ_present) == \
        (True, False, False)
    nowhere = outcome_of([Verdict(None, False, ("DF-PKI-012",), rule="enveloped")])
    assert (nowhere.organ_present, nowhere.signer_present) == (False, False)
    assert nowhere.reasons == ("DF-PKI-012",)


def test_legacy_signatures_are_present_never_valid() -> None:
    """A legacy QCVN signature is an organ signature present and invalid, even beside none."""
    out = outcome_of([], legacy=True)
    assert (out.organ_present, out.organ_valid, out.reasons) == (True, False, ("DF-ENV-070",))
    with_good = outcome_of([Verdict("organ", True)], legacy=True)
    assert with_good.organ_valid and with_good.reasons == ("DF-ENV-070",)


def test_reasons_keep_order_without_repeats() -> None:
    """Codes of all failing signatures, in document order, each once, then document codes."""
    out = outcome_of([Verdict("signer", False, ("DF-PKI-003", "DF-PKI-005")),
                      Verdict("organ", False, ("DF-PKI-003",))], extra_reasons=("DF-SIG-009",))
    assert out.reasons == ("DF-PKI-003", "DF-PKI-005", "DF-SIG-009")
    assert outcome_of([]).reasons == ()


def test_errors_of_the_whole_message_are_reasons(tmp_path: Path) -> None:
    """A message's own errors (here a second organ Signature) are reasons after the signatures';
    the same message intact has none, and both roles valid."""
    pki = national_pki()
    anchor, crls = write_trust(pki, tmp_path)
    trust = path_validator(Trust.from_options([anchor], [crls]))
    data = signed_document(pki, "000.00.12.H49", 1)
    intact = message_outcome(verify_message(data, trust=trust, at=SENT))
    assert (intact.organ_valid, intact.signer_valid, intact.reasons) == (True, True, ())
    root = parse_xml(data)
    header = root.find(f"{{{EDXML_NS}}}edXMLEnvelope/{{{EDXML_NS}}}edXMLHeader")
    assert header is not None
    organ = header.findall("{http://www.w3.org/2000/09/xmldsig#}Signature")[-1]
    header.append(copy.deepcopy(organ))
    verification = verify_message(root, trust=trust, at=SENT)
    whole = [f.code for f in verification.findings]
    assert whole, "the duplicated organ Signature is a problem of the message as a whole"
    out = message_outcome(verification, legacy=True)
    assert out.reasons[0] == "DF-ENV-070"
    assert set(whole) <= set(out.reasons)
    assert not out.organ_valid and not out.signer_valid
