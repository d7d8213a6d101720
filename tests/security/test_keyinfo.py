"""KeyInfo swaps: whoever can edit a document can put any certificate or key in it.

The attacker forges the message (a new Subject) and signs it with a key of their own, then
dresses KeyInfo up: a self-signed look-alike of agency A's certificate, a certificate that
claims the hub CA as issuer, a fake hub CA, agency B's real certificates, a KeyValue beside a
certificate, certificates in an order meant to confuse the choice of the signing one. The
defence is that trust comes from path validation to the configured anchor and the role from
the validated certificate — never from what KeyInfo says about itself.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree

from docflow.dsig import EmbeddedKeyValue, SignReference
from docflow.errors import Indication
from docflow.pki import names
from docflow.pki.builder import Issuer, ca_certificate
from docflow.pki.roles import Role

from .attack import (
    attachments,
    ds,
    ec_key_value,
    edit,
    forge_organ,
    header,
    organ_signature,
    replace_key_info,
)
from .outcome import refused, verify
from .pki import (
    AGENCY_A,
    AGENCY_A_NAME,
    EXPIRES,
    ISSUED,
    POLICIES,
    Credential,
    SmallPki,
    ec_key,
)


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def test_attackers_self_signed_look_alike_certificate(both: bytes, pki: SmallPki,
                                                      organ_a: Credential) -> None:
    """Attacker's self-signed certificate with agency A's organ subject and the organ policy
    OID, signing a forged message. Defence: it leads to no trust anchor (DF-PKI-001/002), so
    neither its name nor its policy gives it anything."""
    key = ec_key()
    subject = organ_a.certificate.subject
    fake = pki.issue(subject, key, policies=(POLICIES[Role.ORGAN],),
                     issuer=Issuer.from_key(subject, key), chain=())
    refused(verify(forge_organ(both, key, der(fake.certificate)), pki),
            "DF-PKI-001", "DF-PKI-002")


def test_certificate_claiming_the_hub_ca_as_issuer(both: bytes, pki: SmallPki,
                                                   organ_a: Credential) -> None:
    """Attacker's certificate chained to nothing: it names the real hub CA as issuer (and
    carries the hub CA's certificate after it) but is signed with the attacker's key.
    Defence: each link is checked by signature, not by name (DF-PKI-002)."""
    key = ec_key()
    fake = pki.issue(organ_a.certificate.subject, key, policies=(POLICIES[Role.ORGAN],),
                     issuer=Issuer.from_key(pki.hub.subject, key))
    refused(verify(forge_organ(both, key, der(fake.certificate), der(pki.hub)), pki),
            "DF-PKI-002", "DF-PKI-001")


def test_fake_hub_ca_and_fake_root_in_x509data(both: bytes, pki: SmallPki,
                                               organ_a: Credential) -> None:
    """A whole fake hierarchy in X509Data: a root and a hub CA with the real names, the
    attacker's keys, and a leaf with agency A's organ name under them. Defence: a presented
    certificate is never an anchor (anchors are compared byte for byte), and the fake hub CA
    is not signed by the real root (DF-PKI-002/001)."""
    root_key, hub_key, key = ec_key(), ec_key(), ec_key()
    fake_root_issuer = Issuer.from_key(pki.root.subject, root_key)
    fake_root = ca_certificate(pki.root.subject, root_key.public_key(), fake_root_issuer, 1,
                               ISSUED, EXPIRES, path_length=1)
    fake_hub_issuer = Issuer.from_key(pki.hub.subject, hub_key)
    fake_hub = ca_certificate(pki.hub.subject, hub_key.public_key(), fake_root_issuer, 2,
                              ISSUED, EXPIRES, path_length=0)
    leaf = pki.issue(organ_a.certificate.subject, key, policies=(POLICIES[Role.ORGAN],),
                     issuer=fake_hub_issuer)
    forged = forge_organ(both, key, der(leaf.certificate), der(fake_hub), der(fake_root))
    refused(verify(forged, pki), "DF-PKI-002", "DF-PKI-001")


def test_person_certificate_of_another_agency_signs_as_organ(both: bytes, pki: SmallPki,
                                                             signer_b: Credential) -> None:
    """A valid certificate of another agency with a different role: agency B's person
    certificate (trusted, valid, not revoked) makes the whole-message signature of a forged
    message. Defence: the role comes from the certificate, and a person's certificate
    cannot stand in the organ's place (DF-SIG-021)."""
    forged = forge_organ(both, signer_b.key, der(signer_b.certificate), der(pki.hub))
    refused(verify(forged, pki), "DF-SIG-021")


def test_organ_certificate_of_another_agency_signs_as_signer(message: bytes, pki: SmallPki,
                                                             organ_b: Credential) -> None:
    """Agency B's organ certificate makes the signer's signature over the attachments (an
    organ cannot stand in for the competent person). Defence: DF-SIG-021."""
    def change(root: etree._Element) -> None:
        for number, attachment in enumerate(attachments(root), 1):
            attachment.set("Id", f"att-{number}")
        organ_b.signer().sign_tree(header(root), [SignReference.element("att-1"),
                                                  SignReference.element("att-2")])
    refused(verify(edit(message, change), pki), "DF-SIG-021")


def test_key_value_disagreeing_with_the_certificate(both: bytes, pki: SmallPki,
                                                    organ_a: Credential) -> None:
    """KeyValue next to X509Data that disagree: the forgery is signed with the attacker's key,
    KeyInfo holds the attacker's KeyValue *and* agency A's real organ certificate, for a
    verifier that checks with one and reports the other. Defence: with path validation the
    certificate's key is the one used, and it does not verify (DF-SIG-012/014); in the
    crypto-only mode the KeyValue's key is used, the result stays INDETERMINATE and does not
    name agency A's certificate."""
    key = ec_key()
    forged = forge_organ(both, key, der(organ_a.certificate), der(pki.hub),
                         key_value=ec_key_value(key))
    refused(verify(forged, pki), "DF-SIG-012", "DF-SIG-014")
    crypto_only = verify(forged, pki, trust=EmbeddedKeyValue())
    assert crypto_only.indication is not Indication.PASSED
    organ = crypto_only.by_rule("organ")
    assert organ is not None
    assert organ.certificate != organ_a.certificate
    assert not organ.trusted and organ.role is None


def test_attackers_certificate_issued_by_name_of_the_victim(both: bytes, pki: SmallPki,
                                                            organ_a: Credential) -> None:
    """Multiple X509Certificate with the leaf not first: agency A's real organ certificate
    first, then the attacker's, which names agency A's organ as its issuer — so that a
    verifier taking "the one that issues no other" as the leaf picks the attacker's, and one
    taking the first reports agency A. Defence: the attacker's certificate is the signing
    one and its path fails on the signature check (DF-PKI-002)."""
    key = ec_key()
    fake = pki.issue(x509.Name.from_rfc4514_string("CN=Văn thư,O=attacker,C=VN"), key,
                     policies=(POLICIES[Role.ORGAN],),
                     issuer=Issuer.from_key(organ_a.certificate.subject, key))
    forged = forge_organ(both, key, der(organ_a.certificate), der(fake.certificate))
    result = verify(forged, pki)
    refused(result, "DF-PKI-002", "DF-PKI-009", "DF-PKI-001")
    organ = result.by_rule("organ")
    assert organ is not None and organ.certificate != organ_a.certificate


def test_two_candidate_signing_certificates(both: bytes, pki: SmallPki,
                                            organ_a: Credential) -> None:
    """Two unrelated leaves in X509Data, agency A's organ certificate and the attacker's
    self-signed one, the forgery signed by the attacker. Defence: the verifier refuses to
    guess which certificate signed (DF-SIG-018)."""
    key = ec_key()
    subject = x509.Name.from_rfc4514_string("CN=attacker,C=VN")
    fake = pki.issue(subject, key, issuer=Issuer.from_key(subject, key), chain=())
    forged = forge_organ(both, key, der(fake.certificate), der(organ_a.certificate),
                         der(pki.hub))
    refused(verify(forged, pki), "DF-SIG-018", "DF-SIG-012")


def test_organ_certificate_used_as_a_ca(both: bytes, pki: SmallPki,
                                        organ_b: Credential) -> None:
    """basicConstraints: agency B (the attacker, holding its own organ key) issues an "organ
    of agency A" certificate with its organ key and ships it with its own organ certificate
    and the hub CA, a path whose every signature verifies. Defence: an end-entity certificate
    cannot issue (DF-PKI-009)."""
    key = ec_key()
    issuer = Issuer.from_key(organ_b.certificate.subject, organ_b.key)
    forged_cert = pki.issue(names.organ_name(AGENCY_A, AGENCY_A_NAME), key,
                            policies=(POLICIES[Role.ORGAN],), issuer=issuer,
                            not_before=ISSUED + dt.timedelta(days=1))
    forged = forge_organ(both, key, der(forged_cert.certificate), der(organ_b.certificate),
                         der(pki.hub))
    refused(verify(forged, pki), "DF-PKI-009")


def test_key_info_removed(both: bytes, pki: SmallPki) -> None:
    """KeyInfo removed from a forged organ signature, for verifiers that then fall back to a
    configured or cached key of the sender. Defence: no key, no verification (DF-SIG-013)."""
    def change(root: etree._Element) -> None:
        signature = organ_signature(root)
        signature.remove(signature.find(ds("KeyInfo")))
    refused(verify(edit(both, change), pki), "DF-SIG-013")


def test_key_name_and_retrieval_method_are_not_followed(both: bytes, pki: SmallPki,
                                                        organ_a: Credential) -> None:
    """KeyInfo that points elsewhere: a KeyName with agency A's organ code and a
    RetrievalMethod to a URL and to a local file, no certificate. Defence: docflow never
    looks a key up by a name the document chooses, nor fetches one (DF-SIG-013)."""
    def change(root: etree._Element) -> None:
        signature = organ_signature(root)
        replace_key_info(signature)
        key_info = signature.find(ds("KeyInfo"))
        assert key_info is not None
        etree.SubElement(key_info, ds("KeyName")).text = AGENCY_A
        etree.SubElement(key_info, ds("RetrievalMethod"),
                         URI="http://attacker.example/organ.cer",
                         Type="http://www.w3.org/2000/09/xmldsig#rawX509Certificate")
        etree.SubElement(key_info, ds("RetrievalMethod"), URI="file:///etc/ssl/cert.pem")
    refused(verify(edit(both, change), pki), "DF-SIG-013")


def test_victims_signature_with_another_agencys_certificate(both: bytes, pki: SmallPki,
                                                            organ_b: Credential) -> None:
    """Certificate swap without re-signing: agency A's genuine organ signature given agency
    B's organ certificate, so that B appears to have signed A's message. Defence: the
    signature is checked with the certificate's key and fails (DF-SIG-012/014)."""
    def change(root: etree._Element) -> None:
        replace_key_info(organ_signature(root), der(organ_b.certificate), der(pki.hub))
    refused(verify(edit(both, change), pki), "DF-SIG-012", "DF-SIG-014")
