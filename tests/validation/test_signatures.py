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


def test_without_a_trust_anchor_nothing_is_trusted(signed: dict[str, Path]) -> None:
    """A valid signature with no trust anchor given is INDETERMINATE, never PASSED."""
    code, report = _report(str(signed["signed"]))
    assert code == 1 and report["verdict"] == "INDETERMINATE"
    codes = {f["code"] for s in report["signatures"] for f in s["findings"]}
    assert "DF-PKI-001" in codes


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


def test_unsigned_message_passes_with_a_warning(signed: dict[str, Path]) -> None:
    """Whether a message should be signed is a coverage question: without --require, an
    unsigned draft gets a warning, not a failure (nor the organ's DF-SIG-028)."""
    code, report = _report(str(signed["unsigned"]), "--trust", str(signed["pki"]))
    assert code == 0 and report["verdict"] == "PASSED"
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [
        ("DF-SIG-022", "warning")]


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
