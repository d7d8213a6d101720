"""``docflow sign`` and ``docflow verify`` through the command line (CliRunner)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dsig.pkitools import NOW, SamplePki, make_pki
from security.attack import without_organ_signature

from docflow.cli import cli
from docflow.envelope.builder import build
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.samples import sample_document

AT = NOW.isoformat()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A message, the test PKI's keys and certificates, and its CRLs, as files."""
    pki: SamplePki = make_pki(rsa.generate_private_key(65537, 2048))
    base = tmp_path_factory.mktemp("cli")
    pem = serialization.Encoding.PEM
    out = {
        "message": base / "msg.edxml",
        "root": base / "root.pem", "sub": base / "sub.pem",
        "organ": base / "organ.pem", "signer": base / "signer.pem",
        "organ_key": base / "organ.key", "signer_key": base / "signer.key",
        "crl": base / "crls.pem", "plain": base / "plain.xml",
    }
    out["message"].write_bytes(build(sample_document(
        np.random.default_rng(5), sender="000.00.00.H49", receivers=["000.00.01.H49"],
        doc_type=DocumentType.QUYET_DINH, attachments=1, size=200)))
    out["plain"].write_bytes(b"<invoice><total>5</total></invoice>")
    for name in ("root", "sub", "organ", "signer"):
        out[name].write_bytes(getattr(pki, name).public_bytes(pem))
    for name in ("organ", "signer"):
        out[f"{name}_key"].write_bytes(getattr(pki, f"{name}_key").private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    out["crl"].write_bytes(b"".join(c.public_bytes(pem) for c in pki.validator().store.crls))
    return out


def _sign(files: dict[str, Path], source: Path, role: str, target: Path) -> object:
    return CliRunner().invoke(cli, ["sign", str(source), "--key", str(files[f"{role}_key"]),
                                    "--cert", str(files[role]), "--chain", str(files["sub"]),
                                    "--role", role, "-o", str(target)])


def test_sign_twice_then_verify(files: dict[str, Path], tmp_path: Path) -> None:
    """signer then organ through the CLI; verify exits 0 and reports both roles."""
    first = _sign(files, files["message"], "signer", tmp_path / "a.edxml")
    assert first.exit_code == 0, first.output  # type: ignore[attr-defined]
    second = _sign(files, tmp_path / "a.edxml", "organ", tmp_path / "b.edxml")
    assert second.exit_code == 0, second.output  # type: ignore[attr-defined]
    result = CliRunner().invoke(cli, ["verify", str(tmp_path / "b.edxml"), "--trust",
                                      str(files["root"]), "--crl", str(files["crl"]),
                                      "--at", AT, "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["indication"] == "PASSED"
    assert [(s["place"], s["role"]) for s in report["signatures"]] == [("signer", "signer"),
                                                                      ("organ", "organ")]


def test_verify_fails_on_tampering_and_without_crls(files: dict[str, Path],
                                                    tmp_path: Path) -> None:
    """Exit 1 for a tampered message, and for a valid one when revocation cannot be checked."""
    _sign(files, files["message"], "organ", tmp_path / "o.edxml")
    signed = (tmp_path / "o.edxml").read_bytes()
    (tmp_path / "t.edxml").write_bytes(signed.replace(b"000.00.01.H49", b"000.00.02.H49", 1))
    tampered = CliRunner().invoke(cli, ["verify", str(tmp_path / "t.edxml"), "--trust",
                                        str(files["root"]), "--crl", str(files["crl"]),
                                        "--at", AT])
    assert tampered.exit_code == 1 and "DF-SIG-011" in tampered.output
    no_crl = CliRunner().invoke(cli, ["verify", str(tmp_path / "o.edxml"), "--trust",
                                      str(files["root"]), "--at", AT])
    assert no_crl.exit_code == 1 and "INDETERMINATE" in no_crl.output
    relaxed = CliRunner().invoke(cli, ["verify", str(tmp_path / "o.edxml"), "--trust",
                                       str(files["root"]), "--at", AT, "--revocation", "off"])
    assert relaxed.exit_code == 0, relaxed.output


def test_wrong_role_and_bad_input_exit_2(files: dict[str, Path], tmp_path: Path) -> None:
    """A person's certificate as organ, or a file that is not XML, is a usage/input error."""
    wrong = CliRunner().invoke(cli, ["sign", str(files["message"]), "--key",
                                     str(files["signer_key"]), "--cert", str(files["signer"]),
                                     "--role", "organ"])
    assert wrong.exit_code == 2 and "DF-SIG-021" in wrong.output
    (tmp_path / "bad.xml").write_bytes(b"<a><b></a>")
    bad = CliRunner().invoke(cli, ["verify", str(tmp_path / "bad.xml"), "--trust",
                                   str(files["root"])])
    assert bad.exit_code == 2 and "DF-XML" in bad.output
    assert "Traceback" not in bad.output


@pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="the xmlsec1 CLI is not installed")
def test_plain_xml_signed_by_the_cli_verifies_with_xmlsec1(files: dict[str, Path],
                                                          tmp_path: Path) -> None:
    """``docflow sign`` on plain XML writes a signature ``xmlsec1 --verify`` accepts."""
    signed = tmp_path / "plain.signed.xml"
    done = CliRunner().invoke(cli, ["sign", str(files["plain"]), "--key",
                                    str(files["organ_key"]), "--cert", str(files["organ"]),
                                    "--chain", str(files["sub"]), "-o", str(signed)])
    assert done.exit_code == 0, done.output
    check = subprocess.run(["xmlsec1", "--verify", "--trusted-pem", str(files["root"]),
                            "--verification-gmt-time", NOW.strftime("%Y-%m-%d %H:%M:%S"),
                            str(signed)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr


def _verify(files: dict[str, Path], path: Path, *extra: str) -> Any:
    return CliRunner().invoke(cli, ["verify", str(path), "--trust", str(files["root"]),
                                    "--crl", str(files["crl"]), "--at", AT, *extra])


def test_verify_requires_the_organ_by_default(files: dict[str, Path], tmp_path: Path) -> None:
    """Stripping through the CLI: signer then organ signed, the organ's Signature removed.
    verify exits 1 with DF-SIG-028 at the header by default; --require none (or signer) asks
    only for what is there and exits 0."""
    for source, role, target in ((files["message"], "signer", "s"), (tmp_path / "s.edxml",
                                                                     "organ", "b")):
        done: Any = _sign(files, source, role, tmp_path / f"{target}.edxml")
        assert done.exit_code == 0, done.output
    assert _verify(files, tmp_path / "b.edxml").exit_code == 0
    (tmp_path / "stripped.edxml").write_bytes(
        without_organ_signature((tmp_path / "b.edxml").read_bytes()))
    stripped = _verify(files, tmp_path / "stripped.edxml", "--format", "json")
    assert stripped.exit_code == 1, stripped.output
    report = json.loads(stripped.output)
    assert report["indication"] == "FAILED" and report["required_roles"] == ["organ"]
    assert [(f["code"], f["location"]["path"]) for f in report["findings"]] == [
        ("DF-SIG-028", "/edXML/edXMLEnvelope/edXMLHeader")]
    assert [(s["place"], s["indication"]) for s in report["signatures"]] == [
        ("signer", "PASSED")]
    text = _verify(files, tmp_path / "stripped.edxml")
    assert text.exit_code == 1 and "DF-SIG-028" in text.output
    assert "the organ's signature is required" in text.output
    for relaxed in ("none", "signer"):
        result = _verify(files, tmp_path / "stripped.edxml", "--require", relaxed)
        assert result.exit_code == 0, result.output


def test_verify_can_require_both_roles(files: dict[str, Path], tmp_path: Path) -> None:
    """--require organ,signer: a message the organ alone signed exits 1 (the signer's
    signature missing, DF-SIG-028); a bad list of roles is a usage error (exit 2)."""
    done: Any = _sign(files, files["message"], "organ", tmp_path / "o.edxml")
    assert done.exit_code == 0, done.output
    assert _verify(files, tmp_path / "o.edxml").exit_code == 0
    both = _verify(files, tmp_path / "o.edxml", "--require", "organ,signer")
    assert both.exit_code == 1 and "DF-SIG-028" in both.output
    assert "the signer's signature is required" in both.output
    bad = _verify(files, tmp_path / "o.edxml", "--require", "organ,clerk")
    assert bad.exit_code == 2 and "organ,signer or none" in bad.output
    assert "Traceback" not in bad.output
