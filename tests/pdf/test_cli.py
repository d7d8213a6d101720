"""``docflow verify FILE.pdf``: chosen by the %PDF- header, same verdict as the library, exit
codes 0/1, never a traceback for a broken PDF."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from docflow import Trust, VerifyConfig, verify
from docflow.cli import cli


def _run(path: Path, pki_dir: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["verify", str(path), "--trust", str(pki_dir), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.output


def test_verify_pdf_passes_and_agrees_with_the_library(both_pdf: bytes, pki_dir: Path,
                                                       tmp_path: Path) -> None:
    """Exit 0, each signature with its role, the updates listed; the JSON verdict and
    findings are the library's on the same file."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(both_pdf)
    code, out = _run(path, pki_dir)
    assert code == 0, out
    assert "PASSED (PDF, Decree 30 profile, 2 signatures, 3 revisions)" in out
    assert "NguoiKy: PASSED — signer" in out and "CoQuan: PASSED — organ" in out
    code, out = _run(path, pki_dir, "--format", "json")
    report = json.loads(out)
    library = verify(path, VerifyConfig(trust=Trust.from_options([pki_dir])))
    assert report["kind"] == "pdf" and report["indication"] == library.indication.value
    assert [s["role"] for s in report["signatures"]] == ["signer", "organ"]


def test_verify_tampered_and_broken_pdfs_exit_1(both_pdf: bytes, pki_dir: Path,
                                                tmp_path: Path) -> None:
    """A changed byte fails (DF-PDF-076); a truncated file is a reader finding with its byte
    offset, not a traceback."""
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(both_pdf.replace(b"1.000.000", b"9.000.000"))
    code, out = _run(tampered, pki_dir)
    assert code == 1 and "DF-PDF-076" in out
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(both_pdf[:len(both_pdf) // 2])
    code, out = _run(broken, pki_dir)
    assert code == 1 and "DF-PDF-05" in out and "byte " in out and "Traceback" not in out


def test_require_signer_only(both_pdf: bytes, pki_dir: Path, tmp_path: Path) -> None:
    """--require works for PDFs as for XML: none required still checks every signature."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(both_pdf)
    assert _run(path, pki_dir, "--require", "none")[0] == 0
