"""docflow sign FILE.pdf and docflow pki tsa serve from the command line, with a real TSA
process on loopback."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from click.testing import CliRunner
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from docflow.cli import cli
from tests.pdf.making import issued_at, signing_time

ORGAN = "000.00.00.H01"
HUB = "lgsp-h01"


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pki")
    result = CliRunner().invoke(cli, ["pki", "init", "--preset", "tiny", "--seed", "5",
                                      "--out", str(folder), "--at",
                                      issued_at().isoformat(), "-q", "-j", "1"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def tsa_url(pki_dir: Path) -> Iterator[str]:
    """``docflow pki tsa serve`` as its own process on a free loopback port; stopped with
    SIGTERM afterwards, and it must exit 0."""
    process = subprocess.Popen(
        [sys.executable, "-c", "from docflow.cli import main; main()", "pki", "tsa", "serve",
         "--pki", str(pki_dir), "--port", "0"], stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line
        yield line.split()[-1]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def _credentials(pki_dir: Path, role: str) -> list[str]:
    stem = pki_dir / "agencies" / HUB / f"{ORGAN}.{role}"
    return ["--key", f"{stem}.key", "--cert", f"{stem}.pem", "--chain",
            str(pki_dir / "ca" / HUB / "ca.pem")]


def _document(folder: Path, *extra: str) -> Path:
    out = folder / "doc.pdf"
    result = CliRunner().invoke(cli, ["pdf", "new", "--from", ORGAN, "--number", "12",
                                      "--subject", "Về việc ban hành Quy chế", "--date",
                                      "2025-07-01", "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out


def _sign(pki_dir: Path, source: Path, role: str, out: Path, *extra: str) -> object:
    return CliRunner().invoke(cli, ["sign", str(source), *_credentials(pki_dir, role),
                                    "--role", role, "-o", str(out), *extra])


def _statuses(pki_dir: Path, data: bytes) -> list[object]:
    def load(path: Path) -> bytes:
        raw = path.read_bytes()
        return pem.unarmor(raw)[2] if pem.detect(raw) else raw

    index = json.loads((pki_dir / "index.json").read_text())
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(load(pki_dir / index["root"]["cert"]))],
        crls=[asn1_crl.CertificateList.load(load(pki_dir / e["crl"]))
              for e in [index["root"], index["cas"][HUB]]],
        allow_fetching=False, moment=signing_time(60))
    return [validate_pdf_signature(s, context)
            for s in PdfFileReader(io.BytesIO(data)).embedded_signatures]


def test_sign_signer_then_organ_with_a_live_tsa(pki_dir: Path, tsa_url: str,
                                                tmp_path: Path) -> None:
    """The Decree's two signatures from the command line, each timestamped by the TSA
    process over HTTP: pyHanko finds both signatures and both timestamps valid and trusted."""
    doc = _document(tmp_path)
    first, second = tmp_path / "signed1.pdf", tmp_path / "signed2.pdf"
    at = signing_time().isoformat()
    result = _sign(pki_dir, doc, "signer", first, "--tsa", tsa_url, "--at", at)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    result = _sign(pki_dir, first, "organ", second, "--tsa", tsa_url, "--at", at)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    verified = CliRunner().invoke(cli, ["verify", str(second), "--trust", str(pki_dir)])
    assert verified.exit_code == 0, verified.output
    assert verified.output.startswith(f"{second}: PASSED")
    statuses = _statuses(pki_dir, second.read_bytes())
    assert len(statuses) == 2
    for status in statuses:
        assert status.bottom_line, status.pretty_print_details()  # type: ignore[attr-defined]
        stamp = status.timestamp_validity  # type: ignore[attr-defined]
        assert stamp is not None and stamp.valid and stamp.trusted


def test_sign_is_deterministic_with_a_pinned_time(pki_dir: Path, tmp_path: Path) -> None:
    doc = _document(tmp_path)
    at = signing_time().isoformat()
    for name in ("a.pdf", "b.pdf"):
        result = _sign(pki_dir, doc, "signer", tmp_path / name, "--at", at)
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_sign_refuses_the_organ_first_with_a_code_and_writes_nothing(pki_dir: Path,
                                                                     tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    result = _sign(pki_dir, _document(tmp_path), "organ", out)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "DF-PDF-007" in result.output  # type: ignore[attr-defined]
    assert "Traceback" not in result.output and not out.exists()  # type: ignore[attr-defined]


def test_sign_with_an_unreachable_tsa_is_a_coded_error(pki_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    result = _sign(pki_dir, _document(tmp_path), "signer", out, "--tsa", "http://127.0.0.1:9")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "DF-PDF-013" in result.output and not out.exists()  # type: ignore[attr-defined]


def test_sign_a_broken_pdf_is_a_coded_error(pki_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj\n<</Type /Catalog>>\nendobj\n")
    result = _sign(pki_dir, broken, "signer", tmp_path / "out.pdf")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "DF-PDF-053" in result.output  # type: ignore[attr-defined]  # no startxref


def test_tsa_serve_without_a_tsa_in_the_pki_is_a_coded_error(pki_dir: Path,
                                                             tmp_path: Path) -> None:
    index = json.loads((pki_dir / "index.json").read_text())
    del index["tsa"]
    old = tmp_path / "old-pki"
    old.mkdir()
    (old / "index.json").write_text(json.dumps(index))
    result = CliRunner().invoke(cli, ["pki", "tsa", "serve", "--pki", str(old)])
    assert result.exit_code == 2 and "DF-PDF-015" in result.output


def test_sign_without_role_takes_the_certificates_role(pki_dir: Path, tmp_path: Path) -> None:
    doc, out = _document(tmp_path), tmp_path / "out.pdf"
    result = CliRunner().invoke(cli, ["sign", str(doc), *_credentials(pki_dir, "signer"),
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    from tests.pdf.making import signatures

    assert [name for name, _ in signatures(out.read_bytes())] == ["ND30-signer"]
