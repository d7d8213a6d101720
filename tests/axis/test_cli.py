"""The axis commands as an integrator types them, against a live server (CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from docflow.cli import cli
from docflow.pki.national import NationalPki
from tests.security.attack import without_organ_signature

from .live import H49, SNV, Server, signed_document


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_send_inbox_get_status_as_written_in_the_manual(
        server: Server, pki_dir: Path, pki: NationalPki, tmp_path: Path) -> None:
    """docs/axis.md's walk-through: send as H49, list and fetch as SNV, accept, see it."""
    good = tmp_path / "cv-1.edxml"
    good.write_bytes(signed_document(pki, H49, [SNV], 4001))
    common = ["--url", server.url, "--pki", str(pki_dir)]
    sent = _run("axis", "send", str(good), *common, "--as", H49)
    assert sent.exit_code == 0, sent.output
    assert sent.output.startswith(f"{good}: accepted id ")
    message_id = sent.output.split("accepted id ")[1].split()[0]

    inbox = _run("axis", "inbox", *common, "--as", SNV, "--format", "json")
    assert inbox.exit_code == 0
    assert [m["id"] for m in json.loads(inbox.output)] == [int(message_id)]
    text = _run("axis", "inbox", *common, "--as", SNV).output
    assert message_id in text and H49 in text

    fetched = tmp_path / "fetched.edxml"
    got = _run("axis", "get", message_id, *common, "--as", SNV, "-o", str(fetched))
    assert got.exit_code == 0 and fetched.read_bytes() == good.read_bytes()
    assert got.stderr.startswith(f"wrote {fetched} (")
    again = tmp_path / "again.edxml"
    quiet = _run("axis", "get", message_id, *common, "--as", SNV, "-o", str(again), "-q")
    assert quiet.exit_code == 0 and quiet.stderr == "" and again.read_bytes() == good.read_bytes()

    status = _run("axis", "status", message_id, "--code", "03", *common, "--as", SNV)
    assert status.exit_code == 0 and "accepted id" in status.output
    mine = json.loads(_run("axis", "inbox", "--sent", *common, "--as", H49,
                           "--format", "json").output)
    assert mine[0]["receivers"] == [{"organ_id": SNV, "waiting": False, "status_code": "03"}]


def test_send_exits_1_when_any_file_is_refused(server: Server, pki_dir: Path,
                                               pki: NationalPki, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.edxml", tmp_path / "bad.edxml"
    good.write_bytes(signed_document(pki, H49, [SNV], 4002))
    bad.write_bytes(without_organ_signature(signed_document(pki, H49, [SNV], 4003)))
    result = _run("axis", "send", str(good), str(bad), "--url", server.url, "--pki",
                  str(pki_dir), "--as", H49)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "accepted id" in lines[0] and lines[1].startswith(f"{bad}: refused ")
    assert "DF-SIG-028" in lines[1]


@pytest.mark.parametrize("args, code", [
    (["--url", "https://127.0.0.1:1"], "DF-AXS-010"),
    (["--as", "000.00.99.H99"], "DF-AXS-014"),
])
def test_client_errors_are_codes_not_tracebacks(server: Server, pki_dir: Path,
                                                args: list[str], code: str) -> None:
    base = {"--url": server.url, "--as": H49}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = CliRunner().invoke(cli, ["axis", "inbox", "--pki", str(pki_dir),
                                      *[x for kv in base.items() for x in kv]])
    assert result.exit_code == 2 and code in result.output
    assert "Traceback" not in result.output


def test_serve_refuses_an_unusable_pki_folder_or_store(tmp_path: Path, pki_dir: Path) -> None:
    not_pki = tmp_path / "empty"
    not_pki.mkdir()
    result = _run("axis", "serve", "--pki", str(not_pki))
    assert result.exit_code == 2 and "DF-PKI-025" in result.output
    result = _run("axis", "serve", "--pki", str(pki_dir), "--db", "mysql://x/y")
    assert result.exit_code == 2 and "DF-AXS-013" in result.output
    result = _run("axis", "serve", "--pki", str(pki_dir), "--db",
                  str(tmp_path / "no" / "such" / "folder.sqlite"))
    assert result.exit_code == 2 and "DF-AXS-012" in result.output


def test_a_pki_with_encrypted_keys_serves_with_its_passphrase(tmp_path: Path) -> None:
    """pki init --passphrase-file encrypts every key, the TLS keys too: serve and the client
    take the same file; without it, serve refuses with a code before listening."""
    from docflow.pki.export import write_pki
    from docflow.pki.national import NationalPki

    from .live import AGENCIES, ISSUED

    folder = tmp_path / "pki"
    pki = NationalPki.build(AGENCIES, seed=12, at=ISSUED)
    write_pki(pki, folder, passphrase=b"mat khau", jobs=1)
    secret = tmp_path / "pass.txt"
    secret.write_text("mat khau\n", "utf-8")
    refused = _run("axis", "serve", "--pki", str(folder), "--db", str(tmp_path / "a.sqlite"))
    assert refused.exit_code == 2 and "DF-AXS-014" in refused.output
    server = Server(folder, str(tmp_path / "axis.sqlite"),
                    extra=("--passphrase-file", str(secret))).start()
    try:
        document = tmp_path / "cv.edxml"
        document.write_bytes(signed_document(pki, H49, [SNV], 4100))
        sent = _run("axis", "send", str(document), "--url", server.url, "--pki", str(folder),
                    "--as", H49, "--passphrase-file", str(secret))
        assert sent.exit_code == 0 and "accepted id" in sent.output
        unlocked = CliRunner().invoke(cli, ["axis", "inbox", "--url", server.url, "--pki",
                                            str(folder), "--as", SNV])
        assert unlocked.exit_code == 2 and "DF-AXS-014" in unlocked.output
    finally:
        server.stop()
