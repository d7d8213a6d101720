"""docflow never signs for another agency: ``sign`` checks the certificate against the sender.

A clerk (or a script) holding agency B's organ key could once run ``docflow sign --role organ``
on a message whose From/OrganId is agency A, and docflow would make the signature that its own
``verify`` then refuses (DF-SIG-024). Signing now applies the same sender rule, with the same
code, in the library (``sign_message``) and on the command line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from lxml import etree

from docflow.cli import cli
from docflow.errors import UsageError
from docflow.profile.edxml import sign_message

from .attack import ed, edit, header, sign_as
from .outcome import codes, verify
from .pki import AGENCY_B, Credential, SmallPki


@pytest.mark.parametrize("role", ["organ", "signer"])
def test_the_library_refuses_another_agencys_certificate(
        message: bytes, signed_by_person: bytes, pki: SmallPki, organ_b: Credential,
        signer_b: Credential, role: str) -> None:
    """Agency B's organ (or person) certificate on agency A's message: ``sign_message``
    raises DF-SIG-024, the code verify gives the signature an attacker's software makes."""
    document, credential = (signed_by_person, organ_b) if role == "organ" else \
        (message, signer_b)
    with pytest.raises(UsageError) as refused:
        sign_message(document, credential.signer(), role)
    assert refused.value.code == "DF-SIG-024"
    assert "000.00.01.H49" in refused.value.message
    forged = sign_as(document, credential.signer(), role)
    assert "DF-SIG-024" in codes(verify(forged, pki, required_roles=frozenset()))


def test_a_message_without_one_sender_is_not_signed(signed_by_person: bytes,
                                                    organ_a: Credential) -> None:
    """A message naming two senders (two From) cannot be matched with the organ's
    certificate: DF-SIG-025, as verify would say."""
    def second_from(root: etree._Element) -> None:
        sender = header(root).find(f"{ed('MessageHeader')}/{ed('From')}")
        assert sender is not None
        twin = etree.Element(ed("From"))
        etree.SubElement(twin, ed("OrganId")).text = "000.00.07.H49"
        sender.addnext(twin)
    with pytest.raises(UsageError) as refused:
        sign_message(edit(signed_by_person, second_from), organ_a.signer(), "organ")
    assert refused.value.code == "DF-SIG-025"


def _write(credential: Credential, folder: Path) -> tuple[str, str]:
    key = folder / "key.pem"
    key.write_bytes(credential.key.private_bytes(serialization.Encoding.PEM,
                                                 serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
    cert = folder / "cert.pem"
    cert.write_bytes(credential.certificate.public_bytes(serialization.Encoding.PEM))
    return str(key), str(cert)


def test_the_command_line_refuses_another_agencys_organ(signed_by_person: bytes,
                                                        organ_a: Credential,
                                                        organ_b: Credential,
                                                        tmp_path: Path) -> None:
    """``docflow sign --role organ`` with agency B's organ key on A's message exits 2 with
    DF-SIG-024 and writes nothing; A's own organ signs it."""
    message = tmp_path / "m.edxml"
    message.write_bytes(signed_by_person)
    runner = CliRunner()
    for credential, expected in ((organ_b, 2), (organ_a, 0)):
        folder = tmp_path / credential.certificate.serial_number.__str__()
        folder.mkdir()
        key, cert = _write(credential, folder)
        out = folder / "signed.edxml"
        result = runner.invoke(cli, ["sign", str(message), "--key", key, "--cert", cert,
                                     "--role", "organ", "-o", str(out)])
        assert result.exit_code == expected, result.output
        if expected:
            assert "DF-SIG-024" in result.output and not out.exists()
        else:
            assert out.exists()


@pytest.mark.parametrize("spelling", ["From", "OrganId"])
def test_a_sender_in_no_namespace_is_a_sender_too(message: bytes, pki: SmallPki,
                                                  organ_a: Credential, options: list[str],
                                                  spelling: str) -> None:
    """Agency A's organ signs a message holding, before its own From/OrganId, a second one in
    no namespace naming agency B. The parser reads elements without a namespace (a field
    variant, DF-ENV-003) and takes the first: the reader sees a message from B. The sender
    check once read the QCVN names alone and matched A, so verify passed it. Both are senders
    now: signing refuses (DF-SIG-025), and verify, by the library and the command line, does
    not pass what an attacker's software signs anyway."""
    from .judge import judge, reading, sender_as_read

    def change(root: etree._Element) -> None:
        sender = header(root).find(f"{ed('MessageHeader')}/{ed('From')}")
        assert sender is not None
        if spelling == "From":
            bare = etree.Element("From")
            etree.SubElement(bare, "OrganId").text = AGENCY_B
            sender.addprevious(bare)
        else:
            organ_id = sender.find(ed("OrganId"))
            assert organ_id is not None
            bare = etree.Element("OrganId")
            bare.text = AGENCY_B
            organ_id.addprevious(bare)
    spoof = edit(message, change)
    assert reading(spoof).sender.organ_id == AGENCY_B  # type: ignore[union-attr]
    with pytest.raises(UsageError) as refused:
        sign_message(spoof, organ_a.signer(), "organ")
    assert refused.value.code == "DF-SIG-025"
    judgement = judge(sign_as(spoof, organ_a.signer(), "organ"), pki, options)
    assert not judgement.verified.passed and judgement.cli_verify == 1
    assert "DF-SIG-025" in codes(judgement.verified)
    sender_as_read(spoof, judgement.verified)
