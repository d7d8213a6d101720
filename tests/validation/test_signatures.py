"""``docflow validate`` verifies every signature against the trust store it is given.

The chain is real end to end: a national test PKI written by ``docflow pki init`` on the
``tiny`` preset, an envelope written by ``docflow envelope new``, signed by ``docflow sign`` as
the signer and then as the organ, and validated through the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from security.attack import without_organ_signature

from docflow.cli import cli

SENDER = "000.00.00.G22"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A PKI folder, an unsigned message and the same message signed by signer and organ."""
    base = tmp_path_factory.mktemp("signed")
    pki = base / "pki"
    assert _run("pki", "init", "--preset", "tiny", "--seed", "7", "--out", str(pki))[0] == 0
    (base / "a.txt").write_text("Nội dung thử nghiệm\n", encoding="utf-8")
    message = base / "msg.edxml"
    code, out = _run("envelope", "new", "--from", SENDER, "--to", "000.00.00.G04",
                     "--type", "QĐ", "--number", "12", "--subject", "Về việc thử nghiệm",
                     "--attach", str(base / "a.txt"), "-o", str(message))
    assert code == 0, out
    index = json.loads((pki / "index.json").read_text(encoding="utf-8"))["agencies"][SENDER]
    step = message
    for role in ("signer", "organ"):
        out_file = base / f"{role}.edxml"
        code, out = _run("sign", str(step), "--key", str(pki / index[role]["key"]),
                         "--cert", str(pki / index[role]["cert"]), "--role", role,
                         "-o", str(out_file))
        assert code == 0, out
        step = out_file
    return {"pki": pki, "unsigned": message, "signed": step}


def _report(*args: str) -> tuple[int, dict]:
    code, out = _run("validate", "--format", "json", *args)
    return code, json.loads(out)["reports"][0]


def test_trusted_signatures_pass_with_their_roles(signed: dict[str, Path]) -> None:
    """Both signatures verify to the PKI's root; each role comes from its certificate."""
    code, report = _report(str(signed["signed"]), "--trust", str(signed["pki"]))
    assert code == 0 and report["verdict"] == "PASSED"
    assert sorted(s["role"] for s in report["signatures"]) == ["organ", "signer"]
    assert all(s["verdict"] == "PASSED" for s in report["signatures"])


def test_without_trust_signatures_are_not_checked_and_it_says_so(
        signed: dict[str, Path], tmp_path: Path) -> None:
    """Without --trust, validate checks schema and rules only: the report says signatures were
    not checked (JSON ``signatures_checked`` false, and in the verdict line), so that a PASSED
    is never read as a signature check. A signature that is there but broken is not looked
    at either; given --trust, it fails."""
    code, report = _report(str(signed["signed"]))
    assert code == 0 and report["verdict"] == "PASSED"
    assert report["signatures_checked"] is False and report["signatures"] == []
    code, text = _run("validate", str(signed["signed"]))
    assert code == 0
    assert text.splitlines()[0].endswith("signatures not checked (no --trust)")
    code, report = _report(str(signed["signed"]), "--trust", str(signed["pki"]))
    assert code == 0 and report["signatures_checked"] is True
    code, text = _run("validate", str(signed["signed"]), "--trust", str(signed["pki"]))
    assert "not checked" not in text


def test_with_trust_but_no_anchor_that_fits_nothing_is_trusted(signed: dict[str, Path],
                                                               tmp_path: Path) -> None:
    """A valid signature under a trust store that does not lead to its root is
    INDETERMINATE, never PASSED."""
    other = tmp_path / "other"
    assert _run("pki", "init", "--preset", "tiny", "--seed", "8", "--out", str(other))[0] == 0
    code, report = _report(str(signed["signed"]), "--trust", str(other))
    assert code == 1 and report["verdict"] == "INDETERMINATE"
    codes = {f["code"] for s in report["signatures"] for f in s["findings"]}
    assert "DF-PKI-002" in codes  # same CA names, another seed: the CA's key does not verify


def test_tampered_subject_fails_the_organ_signature(signed: dict[str, Path],
                                                   tmp_path: Path) -> None:
    """Changing one signed character breaks the organ's digest: FAILED with DF-SIG-011."""
    data = signed["signed"].read_bytes()
    forged = tmp_path / "forged.edxml"
    forged.write_bytes(data.replace("thử nghiệm".encode(), "thử nghiệM".encode(), 1))
    code, report = _report(str(forged), "--trust", str(signed["pki"]))
    assert code == 1 and report["verdict"] == "FAILED"
    codes = {f["code"] for s in report["signatures"] for f in s["findings"]}
    assert "DF-SIG-011" in codes


def test_unsigned_message_fails_under_trust_unless_none_is_required(
        signed: dict[str, Path]) -> None:
    """Giving a trust store means checking signatures: an unsigned document message FAILS for
    the organ's signature missing (DF-SIG-028), with DF-SIG-022 an error. The draft workflow
    asks for no role (--require none) and gets a warning instead."""
    code, report = _report(str(signed["unsigned"]), "--trust", str(signed["pki"]))
    assert code == 1 and report["verdict"] == "FAILED"
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [
        ("DF-SIG-022", "error"), ("DF-SIG-028", "error")]
    code, report = _report(str(signed["unsigned"]), "--trust", str(signed["pki"]),
                           "--require", "none")
    assert code == 0 and report["verdict"] == "PASSED"
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [
        ("DF-SIG-022", "warning")]


def test_stripped_and_rewritten_message_fails_under_trust(signed: dict[str, Path],
                                                          tmp_path: Path) -> None:
    """Hole 3 of issue 12: every Signature removed, the Subject and an attachment changed.
    ``validate --trust`` printed PASSED with a DF-SIG-022 warning; it FAILS now, through the
    CLI and the library alike, for the organ's signature missing."""
    from lxml import etree

    from docflow import Trust, ValidationConfig, validate
    from docflow.profile.edxml import EDXML_NS
    from docflow.xmlsafe import parse_xml

    root = parse_xml(signed["signed"].read_bytes())
    for signature in list(root.iter("{http://www.w3.org/2000/09/xmldsig#}Signature")):
        signature.getparent().remove(signature)
    subject = next(root.iter(f"{{{EDXML_NS}}}Subject"))
    subject.text = "Về việc chuyển tiền gấp"
    attachment = next(root.iter(f"{{{EDXML_NS}}}Attachment"))
    content = attachment.find(f"{{{EDXML_NS}}}ContentTransferEncoded")
    assert content is not None
    content.text = "U8OgaSBraG/huqNuIGvhu7MgbeG7m2k="
    forged = tmp_path / "forged.edxml"
    forged.write_bytes(etree.tostring(root.getroottree(), xml_declaration=True,
                                      encoding="UTF-8"))
    code, report = _report(str(forged), "--trust", str(signed["pki"]))
    assert code == 1 and report["verdict"] == "FAILED", report
    assert ("DF-SIG-028", "error") in [(f["code"], f["severity"]) for f in report["findings"]]
    library = validate(forged, ValidationConfig(trust=Trust.from_options([signed["pki"]])))
    assert library.verdict.value == "FAILED"
    assert [f.code for f in library.findings] == [f["code"] for f in report["findings"]]


def test_signature_check_can_be_skipped(signed: dict[str, Path]) -> None:
    """--no-signatures leaves only schema and rules, so an unsigned message has no finding."""
    code, report = _report(str(signed["unsigned"]), "--no-signatures")
    assert code == 0 and report["findings"] == [] and report["signatures"] == []


def test_revoked_or_expired_is_judged_at_the_time_given(signed: dict[str, Path]) -> None:
    """Far in the future every certificate has expired: the signatures are not PASSED."""
    code, report = _report(str(signed["signed"]), "--trust", str(signed["pki"]),
                           "--at", "2199-01-01T00:00:00+07:00")
    assert code == 1 and report["verdict"] != "PASSED"
    codes = {f["code"] for s in report["signatures"] for f in s["findings"]}
    assert codes & {"DF-PKI-003", "DF-PKI-015"}


def test_a_stripped_organ_signature_fails(signed: dict[str, Path], tmp_path: Path) -> None:
    """The organ is required of a signed document message: with its Signature removed, the
    signer's still passes but the message FAILS with DF-SIG-028 (an error); --require none
    asks for no role and passes it."""
    stripped = tmp_path / "stripped.edxml"
    stripped.write_bytes(without_organ_signature(signed["signed"].read_bytes()))
    code, report = _report(str(stripped), "--trust", str(signed["pki"]))
    assert code == 1 and report["verdict"] == "FAILED"
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [
        ("DF-SIG-028", "error")]
    assert [(s["role"], s["verdict"]) for s in report["signatures"]] == [("signer", "PASSED")]
    code, report = _report(str(stripped), "--trust", str(signed["pki"]), "--require", "none")
    assert code == 0 and report["verdict"] == "PASSED", report


def test_required_roles_given_explicitly_fail_an_unsigned_message(
        signed: dict[str, Path]) -> None:
    """With --require given, an unsigned document message is not a draft to warn about: it
    FAILS for the organ's signature missing, and DF-SIG-022 is an error; --require none keeps
    the warning."""
    code, report = _report(str(signed["unsigned"]), "--trust", str(signed["pki"]),
                           "--require", "organ")
    assert code == 1 and report["verdict"] == "FAILED"
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [
        ("DF-SIG-022", "error"), ("DF-SIG-028", "error")]
    code, report = _report(str(signed["unsigned"]), "--trust", str(signed["pki"]),
                           "--require", "none")
    assert code == 0 and [(f["code"], f["severity"]) for f in report["findings"]] == [
        ("DF-SIG-022", "warning")]


def test_both_roles_can_be_required(signed: dict[str, Path]) -> None:
    """--require organ,signer passes the message both signed."""
    code, report = _report(str(signed["signed"]), "--trust", str(signed["pki"]),
                           "--require", "organ,signer")
    assert code == 0 and report["verdict"] == "PASSED", report


def test_signature_options_without_trust_are_a_usage_error(signed: dict[str, Path]) -> None:
    """--crl, --at, --legacy, --roles or --require without --trust would be silently ignored
    (signatures are not checked without a trust): a usage error, exit 2, instead."""
    for extra in (["--require", "none"], ["--legacy"], ["--at", "2026-01-01"]):
        code, out = _run("validate", str(signed["signed"]), *extra)
        assert code == 2 and "need --trust" in out, (extra, out)
