"""The trust travels to workers as bytes: of a pki init folder only the index, certificates
and CRLs (never a private key), and a worker rebuilds from them the verdict the client's own
files give."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
import zstandard
from click.testing import CliRunner

from docflow.archive.store import StoredBlob, content_hash
from docflow.audit.batch import check_blobs, verify_batch
from docflow.audit.signatures import SignatureChecker
from docflow.audit.trust_bundle import pack_trust
from docflow.cli import cli
from docflow.trust import Trust


def _run(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output


def test_a_pki_folder_travels_without_keys_and_verifies_alike(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A message signed by signer and organ of a tiny PKI: checked with the bundle rebuilt in
    a temporary folder, it gets the outcome the folder itself gives (both roles valid), and no
    byte of any private key is in the bundle; a tampered copy fails alike."""
    monkeypatch.chdir(tmp_path)
    _run("pki", "init", "--preset", "tiny", "--seed", "1", "--out", "pki")
    (tmp_path / "note.txt").write_text("Nội dung")
    _run("envelope", "new", "--from", "000.00.00.G22", "--to", "000.00.00.G04", "--type", "QĐ",
         "--number", "12", "--subject", "Thử", "--attach", "note.txt", "-o", "msg.edxml")
    a = "pki/agencies/hub-g22/000.00.00.G22"
    _run("sign", "msg.edxml", "--key", f"{a}.signer.key", "--cert", f"{a}.signer.pem",
         "--role", "signer", "-o", "s1.edxml")
    _run("sign", "s1.edxml", "--key", f"{a}.organ.key", "--cert", f"{a}.organ.pem",
         "--role", "organ", "-o", "s2.edxml")
    trust = Trust(anchors=(tmp_path / "pki",))
    bundle = pack_trust(trust)
    names = [name for name, _ in bundle.files]
    assert "anchor-0/index.json" in names and not any(n.endswith(".key") for n in names)
    assert not any(b"PRIVATE KEY" in data for _, data in bundle.files)
    keys = [p.read_bytes() for p in (tmp_path / "pki").rglob("*.key")]
    assert keys and not any(k in data for k in keys for _, data in bundle.files)
    signed = (tmp_path / "s2.edxml").read_bytes()
    tampered = signed.replace("Thử".encode(), b"Thu")  # the subject, organ-signed
    assert tampered != signed
    packed = [zstandard.ZstdCompressor().compress(d) for d in (signed, tampered, b"<broken")]
    blobs = [StoredBlob(i, "zstd", blob, content_hash(d), crc=zlib.crc32(blob))
             for i, (d, blob) in enumerate(zip((signed, tampered, b"<broken"), packed,
                                               strict=True))]
    expected = check_blobs(SignatureChecker(trust), None, blobs)
    assert expected[0] == (0, True, True, True, True, (), "xml", "xml")
    assert expected[1][1] is True and expected[1][2] is False  # organ present, not valid
    assert verify_batch(bundle, None, blobs) == expected
