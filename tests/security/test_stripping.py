"""Signature stripping against the edXML profile: Signatures removed from a signed message.

Every test starts from a message agency A validly signed (the person over the attachments, then
the organ over the whole message) and removes Signatures the way an attacker in transit can,
with no key at all. What the organ signed covers the person's Signature, but nothing covers the
organ's, so its removal leaves a message whose remaining signature holds: the profile requires
the organ's signature of a document message (DF-SIG-028) to refuse it.
"""

from __future__ import annotations

from lxml import etree

from docflow.errors import Indication
from docflow.pki.roles import Role
from docflow.profile.edxml import MessageVerification

from .attack import edit, organ_signature, signer_signature
from .outcome import SIGNER_ONLY, codes, exposes_only, refused, verify
from .pki import SmallPki


def _remove(signature: etree._Element) -> None:
    parent = signature.getparent()
    assert parent is not None
    parent.remove(signature)


def test_organ_signature_removed(both: bytes, pki: SmallPki,
                                 person_verified: MessageVerification) -> None:
    """Stripping the organ's Signature: the person's still verifies, and the header is now
    signed by no one. Defence: the organ is required of a document message, so the message
    FAILS (DF-SIG-028) while the person's signature is reported as it is, presenting only the
    attachments it signed."""
    result = verify(edit(both, lambda root: _remove(organ_signature(root))), pki)
    refused(result, "DF-SIG-028")
    assert result.indication is Indication.FAILED
    assert codes(result) == {"DF-SIG-028"}
    exposes_only(result, person_verified)


def test_organ_signature_removed_passes_only_when_not_required(
        both: bytes, pki: SmallPki, person_verified: MessageVerification) -> None:
    """The same stripped message with only the signer required (``--require signer``) or
    nothing (``--require none``) passes: that is the caller's explicit choice, and what it
    presents as signed is still only the attachments."""
    stripped = edit(both, lambda root: _remove(organ_signature(root)))
    for required in (SIGNER_ONLY, frozenset()):
        result = verify(stripped, pki, required_roles=required)
        assert result.passed, result.to_dict()
        exposes_only(result, person_verified)


def test_signer_signature_removed(both: bytes, pki: SmallPki) -> None:
    """Stripping the person's Signature from under the organ's: the organ's enveloped
    signature covered it, so the organ's digest no longer matches (DF-SIG-011) and nothing is
    PASSED, whichever roles are required; requiring the signer also names it missing."""
    stripped = edit(both, lambda root: _remove(signer_signature(root)))
    result = verify(stripped, pki)
    refused(result, "DF-SIG-011")
    organ = result.by_rule("organ")
    assert organ is not None and "DF-SIG-011" in organ.sub_indications
    for required in (frozenset(), frozenset({Role.ORGAN, Role.SIGNER})):
        again = verify(stripped, pki, required_roles=required)
        refused(again, "DF-SIG-011")
        assert ("DF-SIG-028" in codes(again)) is (Role.SIGNER in required)


def test_every_signature_removed(both: bytes, pki: SmallPki) -> None:
    """Stripping both Signatures leaves an unsigned message: nothing to verify (DF-SIG-022)
    and the organ's signature missing (DF-SIG-028); nothing exposed as signed."""
    def change(root: etree._Element) -> None:
        _remove(organ_signature(root))
        _remove(signer_signature(root))
    result = verify(edit(both, change), pki)
    refused(result, "DF-SIG-022")
    assert codes(result) == {"DF-SIG-022", "DF-SIG-028"}
    assert result.signatures == ()
