"""The verification policy (docflow/dsig/policy.py)."""

from __future__ import annotations

import dataclasses

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from docflow.dsig import (
    DEFAULT_POLICY,
    ENVELOPING,
    LEGACY,
    HmacKey,
    PinnedKeyChecker,
    ReferenceRule,
    SignatureLayout,
    SignatureMethod,
    SignatureRule,
    Signer,
    SignReference,
    verify_at,
)
from docflow.dsig.algorithms import DigestMethod

from . import forge
from .pkitools import NOW, self_signed


def test_default_refuses_legacy_and_legacy_admits_it() -> None:
    """SHA-1, DSA and HMAC are out by default and in under the named legacy policy."""
    legacy_only = {SignatureMethod.RSA_SHA1, SignatureMethod.DSA_SHA1,
                   SignatureMethod.HMAC_SHA256, SignatureMethod.ECDSA_SHA1}
    assert not legacy_only & DEFAULT_POLICY.signature_methods
    assert legacy_only <= LEGACY.signature_methods
    assert DigestMethod.SHA1 not in DEFAULT_POLICY.digest_methods
    assert DigestMethod.SHA1 in LEGACY.digest_methods
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_POLICY.min_rsa_bits = 1024  # type: ignore[misc]


@pytest.mark.parametrize("method,bits,passes", [
    (SignatureMethod.HMAC_SHA256, 128, True),
    (SignatureMethod.HMAC_SHA256, 120, False),   # below L/2
    (SignatureMethod.HMAC_SHA256, 80, False),    # xmlsec1's floor, below L/2 here
    (SignatureMethod.HMAC_SHA1, 80, True),
    (SignatureMethod.HMAC_SHA1, 72, False),      # below 80
    (SignatureMethod.HMAC_SHA1, 84, False),      # not whole bytes
    (SignatureMethod.HMAC_SHA512, 256, True),
])
def test_hmac_truncation_floor_holds_under_every_policy(method: SignatureMethod, bits: int,
                                                        passes: bool) -> None:
    """HMACOutputLength below max(80, L/2) is refused even under the legacy policy."""
    import base64
    import hmac

    from docflow.dsig.algorithms import DS_NS
    template = (f'<Signature xmlns="{DS_NS}"><SignedInfo>'
                '<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
                f'<SignatureMethod Algorithm="{method.value}"><HMACOutputLength>{bits}'
                '</HMACOutputLength></SignatureMethod><Reference URI="#o"><DigestMethod '
                'Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue>AA==</DigestValue>'
                "</Reference></SignedInfo><SignatureValue>AA==</SignatureValue>"
                '<Object Id="o">data</Object></Signature>')
    root = forge.tree(template.encode())
    forge.redigest(root, b'<Object xmlns="http://www.w3.org/2000/09/xmldsig#" Id="o">data'
                   b"</Object>")
    name = {160: "sha1", 256: "sha256", 512: "sha512"}[method.hash_bits]
    mac = hmac.new(b"secret", forge.signed_info_octets(root), name).digest()[:bits // 8]
    root.find(forge.ds("SignatureValue")).text = base64.b64encode(mac).decode()
    result = verify_at(forge.dump(root), NOW, trust=HmacKey(b"secret"), policy=LEGACY,
                       layout=ENVELOPING)
    assert result.passed is passes, result.findings
    if not passes:
        assert result.sub_indications == ("DF-SIG-004",)


def test_rsa_key_size_floor() -> None:
    """An RSA-1024 signature is refused by default (DF-SIG-005) and admitted by LEGACY."""
    weak = rsa.generate_private_key(65537, 1024)
    cert = self_signed(weak)
    strong_signer = Signer(ec.generate_private_key(ec.SECP256R1()))
    document = strong_signer.sign(b"<a/>")  # any signed document; re-signed below
    root = forge.tree(document)
    forge.resign(forge.signature(root), weak, SignatureMethod.RSA_SHA256)
    signed = forge.dump(root)
    trust = PinnedKeyChecker((cert,))
    assert verify_at(signed, NOW, trust=trust).sub_indications == ("DF-SIG-005",)
    assert verify_at(signed, NOW, trust=trust, policy=LEGACY).passed


def test_id_attribute_names_are_configurable(ec_key: ec.EllipticCurvePrivateKey) -> None:
    """A policy naming only ``ID`` does not resolve an ``Id`` attribute."""
    cert = self_signed(ec_key)
    signed = Signer(ec_key, [cert]).sign(b'<a><b Id="x">t</b></a>', [SignReference.element("x")])
    layout = SignatureLayout((SignatureRule("b", ("a",), (ReferenceRule.element("b"),)),))
    trust = PinnedKeyChecker((cert,))
    assert verify_at(signed, NOW, trust=trust, layout=layout).passed
    only_id = dataclasses.replace(DEFAULT_POLICY, id_attributes=("ID",))
    result = verify_at(signed, NOW, trust=trust, layout=layout, policy=only_id)
    assert result.sub_indications == ("DF-SIG-006",)
