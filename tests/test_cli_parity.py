"""The library and the command line give the same verdict and codes on the same file.

Every envelope fixture (``fixtures/envelopes/**``) goes through ``docflow.validate`` and
``docflow validate`` (without and with a trust store) and through ``docflow.verify`` and
``docflow verify``; every row of the XML-DSig conformance corpus
(``tests/data/vectors/xmldsig/MANIFEST.tsv``) through ``docflow.verify`` and ``docflow verify
--profile xmldsig`` with the row's trust given as options. Both sides are built from one set of
options per case, so a difference can only come from the assembly.

The corpus run also counts, through the command line alone, the rows on which docflow agrees
with xmlsec1 (the row's ``expected`` column): a ``valid`` row agrees when docflow PASSES it,
or, for a key the document carries itself (no trust anchor, as xmlsec1 was run), says the
signature is intact with only "no trust established" (``DF-SIG-016``) against it; an
``invalid`` row agrees when docflow does not pass it. The rows where docflow disagrees are
exactly the deliberate ones of ``tests/dsig/test_vectors.py``'s ``STRICTER`` table.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from dsig.pkitools import VECTORS
from dsig.test_vectors import (
    ROWS,
    STRICTER,
    _certificate,
    _needs_legacy,
    _pinned_time,
    _row_id,
    _signing_certificate,
)

import docflow
from docflow import Trust, ValidationConfig, VerifyConfig
from docflow.cli import cli
from docflow.errors import DocflowError
from docflow.profile.choice import Profile
from docflow.validation import ValidationSummary

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "envelopes"
ENVELOPES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".xml", ".edxml"))
AGREEMENT = 32
"""Rows of the 40 on which ``docflow verify`` agrees with xmlsec1 (docs/signatures.md)."""


def _codes(result: Any) -> list[str]:
    """Every finding code of a verification or a validation report, in order."""
    return [f.code for f in result.findings] + \
        [f.code for s in result.signatures for f in s.findings]


def _json_codes(report: dict[str, Any]) -> list[str]:
    return [f["code"] for f in report["findings"]] + \
        [f["code"] for s in report["signatures"] for f in s["findings"]]


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def _error_code(output: str) -> str:
    found = re.search(r"error: (DF-[A-Z]+-\d{3})", output)
    assert found is not None, output
    return found.group(1)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``docflow pki init`` folder for the ``tiny`` preset (its root, hub CAs and CRLs)."""
    folder = tmp_path_factory.mktemp("parity") / "pki"
    code, out = _cli("pki", "init", "--preset", "tiny", "--seed", "3", "--out", str(folder),
                     "-q")
    assert code == 0, out
    return folder


def test_there_are_fixtures_and_rows() -> None:
    """The corpora the parity tests run are there (a glob that finds nothing proves nothing)."""
    assert len(ENVELOPES) >= 100 and len(ROWS) == 40


@pytest.mark.parametrize("with_trust", [False, True], ids=["no-trust", "trust"])
def test_validate_api_and_cli_agree_on_every_fixture(pki: Path, with_trust: bool) -> None:
    """``docflow.validate`` and ``docflow validate`` give every fixture the same verdict,
    findings and signature check, with and without a trust store."""
    options = ["--trust", str(pki)] if with_trust else []
    config = ValidationConfig(trust=Trust.from_options([pki]) if with_trust else None)
    for path in ENVELOPES:
        code, out = _cli("validate", str(path), "--format", "json", *options)
        cli_report = json.loads(out)["reports"][0]
        api = docflow.validate(path, config)
        assert (cli_report["verdict"], _json_codes(cli_report)) == \
            (api.verdict.value, _codes(api)), path
        assert cli_report["signatures_checked"] is api.signatures_checked
        assert api.signatures_checked is (with_trust and api.kind is not None), path
        assert code == ValidationSummary.of([api]).exit_code, path


def test_verify_api_and_cli_agree_on_every_fixture(pki: Path) -> None:
    """``docflow.verify`` and ``docflow verify`` give every fixture the same indication and
    codes, or refuse it with the same error code (exit 2)."""
    config = VerifyConfig(trust=Trust.from_options([pki]))
    for path in ENVELOPES:
        code, out = _cli("verify", str(path), "--trust", str(pki), "--format", "json")
        try:
            api = docflow.verify(path, config)
        except DocflowError as exc:
            assert code == 2 and _error_code(out) == exc.code, path
            continue
        report = json.loads(out)
        assert (report["indication"], _json_codes(report)) == \
            (api.indication.value, _codes(api)), path
        assert code == (0 if api.passed else 1)


def _row_options(row: dict[str, str]) -> dict[str, Any]:
    """The trust options of a corpus row, as ``Trust.from_options`` takes them."""
    options: dict[str, Any] = {"at": _pinned_time(row), "legacy": _needs_legacy(row)}
    document = (VECTORS / row["file"]).read_bytes()
    if row["trust"] == "embedded-keyvalue":
        return options  # the document's own key: no --trust, no --key
    anchor = VECTORS / row["trust"]
    if row["key_info"] == "hmac" or row["key_info"] == "none" or \
            _certificate(row["trust"]) == _signing_certificate(document):
        return {**options, "key": anchor}  # a secret, or a certificate pinned as it is
    # A CA: the corpus CAs publish no CRLs, and their certificates carry no keyUsage (nor a
    # role, which plain XML-DSig does not ask for).
    return {**options, "anchors": [anchor], "revocation": "off", "key_usage": "if-present"}


def _cli_args(options: dict[str, Any]) -> list[str]:
    args = ["--at", options["at"].isoformat()]
    if options["legacy"]:
        args.append("--legacy")
    for anchor in options.get("anchors", ()):
        args += ["--trust", str(anchor)]
    for name in ("key", "revocation", "key_usage"):
        if name in options:
            args += [f"--{name.replace('_', '-')}", str(options[name])]
    return args


def _agrees(row: dict[str, str], report: dict[str, Any]) -> bool:
    errors = {f["code"] for f in report["findings"] if f["severity"] == "error"} | {
        f["code"] for s in report["signatures"] for f in s["findings"]
        if f["severity"] == "error"}
    intact = report["indication"] == "PASSED" or (
        report["indication"] == "INDETERMINATE" and errors == {"DF-SIG-016"})
    return intact if row["expected"] == "valid" else report["indication"] != "PASSED"


def _verify_row(row: dict[str, str]) -> tuple[int, dict[str, Any]]:
    options = _row_options(row)
    path = VECTORS / row["file"]
    code, out = _cli("verify", str(path), "--profile", "xmldsig", "--format", "json",
                     *_cli_args(options))
    assert code in (0, 1), out
    report = json.loads(out)
    api = docflow.verify(path, VerifyConfig(trust=Trust.from_options(**options),
                                            profile=Profile.XMLDSIG))
    assert (report["indication"], _json_codes(report)) == (api.indication.value, _codes(api))
    assert code == (0 if api.passed else 1)
    return code, report


@pytest.mark.parametrize("row", ROWS, ids=[_row_id(r) for r in ROWS])
def test_verify_api_and_cli_agree_on_every_vector(row: dict[str, str]) -> None:
    """Each corpus row is checkable through the CLI, and gives what the library gives; the
    verdict says no edXML meaning was checked."""
    _, report = _verify_row(row)
    assert report["profile"] == "xmldsig"
    assert "DF-TRU-003" in {f["code"] for f in report["findings"]}


def test_cli_agreement_with_xmlsec1() -> None:
    """Through the CLI alone, docflow agrees with xmlsec1 on 32 of the 40 rows; the 8 others
    are the deliberate STRICTER rows (CA certificates as signers, MD5, a short HMAC)."""
    disagree = set()
    for row in ROWS:
        _, report = _verify_row(row)
        if not _agrees(row, report):
            disagree.add((row["file"], row["expected"]))
    assert len(ROWS) - len(disagree) == AGREEMENT
    assert disagree == set(STRICTER)


@pytest.mark.parametrize("curve", ["p256_sha256", "p384_sha384", "p521_sha512"])
def test_a_bare_public_key_checks_the_xmldsig11_files(curve: str, tmp_path: Path) -> None:
    """``--key`` with a bare public key (DER), as xmlsec1 ``--pubkey-der`` checks the XML-DSig
    1.1 interop files: PASSED, trusted by the pin; another key fails the signature
    (DF-SIG-012); the tampered copy fails its digest (DF-SIG-011)."""
    name = f"xmlsec/xmldsig11-interop-2012/signature-enveloping-{curve}.xml"
    key = VECTORS / f"keys/xmldsig11-interop-2012/{curve.split('_')[0]}-key.der"
    code, out = _cli("verify", str(VECTORS / name), "--profile", "xmldsig", "--key", str(key))
    assert code == 0 and "PASSED (plain XML-DSig, no edXML meaning checked" in out, out
    other = VECTORS / "keys/xmldsig11-interop-2012/p256-key.der"
    if curve != "p256_sha256":
        code, out = _cli("verify", str(VECTORS / name), "--profile", "xmldsig", "--key",
                         str(other))
        assert code == 1 and "DF-SIG-012" in out, out
    else:
        tampered = VECTORS / "derived/tampered-content-signature-enveloping-p256_sha256.xml"
        code, out = _cli("verify", str(tampered), "--profile", "xmldsig", "--key", str(key))
        assert code == 1 and "DF-SIG-011" in out, out


def test_key_options_are_checked(tmp_path: Path) -> None:
    """An HMAC secret is used only under the legacy policy, a key only for plain XML-DSig, and
    not together with anchors: each is a usage error (DF-TRU-004, exit 2), never a verdict."""
    hmac_row = "xmlsec/aleksey-xmldsig-01/enveloping-sha256-hmac-sha256.xml"
    secret = VECTORS / "keys/xmlsec/hmackey.bin"
    code, out = _cli("verify", str(VECTORS / hmac_row), "--profile", "xmldsig", "--key",
                     str(secret))
    assert code == 2 and "DF-TRU-004" in out and "--legacy" in out, out
    code, out = _cli("verify", str(VECTORS / hmac_row), "--key", str(secret), "--legacy")
    assert code == 2 and "DF-TRU-004" in out, out
    code, out = _cli("verify", str(VECTORS / hmac_row), "--profile", "xmldsig", "--legacy",
                     "--key", str(secret), "--trust", str(VECTORS / "keys/xmlsec/cacert.pem"))
    assert code == 2 and "DF-TRU-004" in out, out
    code, out = _cli("verify", str(VECTORS / hmac_row), "--profile", "xmldsig", "--legacy",
                     "--key", str(secret), "--at", "2026-11-21")
    assert code == 0, out
    code, out = _cli("verify", str(VECTORS / hmac_row))
    assert code == 2 and "needs --trust" in out
