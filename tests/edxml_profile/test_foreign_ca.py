"""Certificates of another CA get their roles from a role mapping given to the CLI.

docflow's own PKI marks roles with its policy OIDs; an integrator's real certificates carry
their CA's policies and keep the organ code where their CA puts it. ``--roles FILE`` says both,
and without it such a signature is never PASSED: an unknown role is reported, not guessed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from docflow.cli import cli
from docflow.dsig import Signer
from docflow.envelope.builder import build
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.samples import sample_document
from docflow.profile.edxml import sign_message

SENDER = "000.00.00.G22"
ORGAN_POLICY, SIGNER_POLICY = "1.3.6.1.4.1.55555.1.1", "1.3.6.1.4.1.55555.1.2"
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def _name(common: str, unit: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                  x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CA khác"),
                  x509.NameAttribute(NameOID.COMMON_NAME, common)]
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    return x509.Name(attributes)


def _certificate(subject: x509.Name, key: ec.EllipticCurvePrivateKey, issuer: x509.Name,
                 issuer_key: ec.EllipticCurvePrivateKey, *, ca: bool,
                 policy: str | None = None) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(START).not_valid_after(START + dt.timedelta(days=3650))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(
                   digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                   data_encipherment=False, key_agreement=False, key_cert_sign=ca,
                   crl_sign=ca, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   issuer_key.public_key()), critical=False))
    if policy:
        builder = builder.add_extension(x509.CertificatePolicies(
            [x509.PolicyInformation(x509.ObjectIdentifier(policy), None)]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A foreign root, an organ and a person certificate (organ code in OU), a signed message."""
    base = tmp_path_factory.mktemp("foreign")
    root_key, organ_key, person_key = (ec.generate_private_key(ec.SECP256R1())
                                       for _ in range(3))
    root_name = _name("Root CA khác")
    root = _certificate(root_name, root_key, root_name, root_key, ca=True)
    organ = _certificate(_name("Văn phòng Chính phủ", SENDER), organ_key, root_name, root_key,
                         ca=False, policy=ORGAN_POLICY)
    person = _certificate(_name("Nguyễn Văn A", SENDER), person_key, root_name, root_key,
                          ca=False, policy=SIGNER_POLICY)
    message = build(sample_document(np.random.default_rng(5), sender=SENDER,
                                    receivers=["000.00.00.G04"],
                                    doc_type=DocumentType.QUYET_DINH, attachments=1, size=200))
    signed = sign_message(sign_message(message, Signer(person_key, [person]), "signer"),
                          Signer(organ_key, [organ]), "organ")
    out = {"root": base / "root.pem", "signed": base / "signed.edxml",
           "roles": base / "roles.toml"}
    out["root"].write_bytes(root.public_bytes(serialization.Encoding.PEM))
    out["signed"].write_bytes(signed)
    out["roles"].write_text(
        'organ_code_attribute = "2.5.4.11"\n'
        f'[[roles]]\nrole = "organ"\npolicy = "{ORGAN_POLICY}"\n'
        f'[[roles]]\nrole = "signer"\npolicy = "{SIGNER_POLICY}"\n', encoding="utf-8")
    return out


def _verify(files: dict[str, Path], *extra: str) -> int:
    result = CliRunner().invoke(cli, ["verify", str(files["signed"]), "--trust",
                                      str(files["root"]), "--revocation", "off",
                                      "--at", "2025-06-01T00:00:00+07:00", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code


def test_role_mapping_makes_foreign_certificates_pass(files: dict[str, Path]) -> None:
    """With the mapping, both roles and the sender's organ code are known: exit 0."""
    assert _verify(files, "--roles", str(files["roles"])) == 0


def test_without_a_mapping_an_unknown_role_never_passes(files: dict[str, Path]) -> None:
    """Without it the chain is trusted but the roles are unknown: exit 1, not a guess."""
    assert _verify(files) == 1


def test_validate_takes_the_same_mapping(files: dict[str, Path]) -> None:
    """``docflow validate`` accepts --roles too, and its signatures then pass."""
    result = CliRunner().invoke(cli, ["validate", str(files["signed"]), "--trust",
                                      str(files["root"]), "--revocation", "off",
                                      "--at", "2025-06-01T00:00:00+07:00",
                                      "--roles", str(files["roles"])])
    assert result.exit_code == 0, result.output
