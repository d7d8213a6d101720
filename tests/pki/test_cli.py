"""``docflow pki init`` through click's CliRunner, on the tiny preset."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from docflow.cli import cli
from docflow.pki.index import read_index
from docflow.pki.io import read_certificates, read_private_key
from docflow.pki.roles import Role
from docflow.pki.store import TrustStore
from docflow.pki.validate import PathValidator

AT = "2025-07-01T00:00:00+07:00"


def _init(*args: str) -> object:
    return CliRunner().invoke(cli, ["pki", "init", "--preset", "tiny", "--seed", "5", "-q",
                                    "--at", AT, *args], catch_exceptions=False)


def test_init_writes_a_pki_that_validates(tmp_path: Path) -> None:
    """Every agency of the preset gets both certificates; the folder is a trust store."""
    result = CliRunner().invoke(cli, ["pki", "init", "--preset", "tiny", "--seed", "5", "--at",
                                      AT, "--out", str(tmp_path / "pki")])
    assert result.exit_code == 0, result.output
    assert "46 certificates (20 agencies" in result.stderr  # the 'wrote' line, not --quiet
    index = read_index(tmp_path / "pki")
    assert len(index.agencies) == 20 and index.meta["topology"] == "tiny"
    assert index.meta["issued_at"] == "2025-07-01T00:00:00+07:00"
    validator = PathValidator(TrustStore.from_pki_dir(tmp_path / "pki"))
    at = dt.datetime(2025, 8, 1, tzinfo=dt.UTC)
    for code in index.agencies:
        for role in Role:
            (cert,) = read_certificates(tmp_path / "pki" / index.credential(code, role).cert)
            result_ = validator.check(cert, [], at)
            assert result_.trusted and result_.role == role


def test_same_seed_and_time_give_the_same_files(tmp_path: Path) -> None:
    _init("--out", str(tmp_path / "a"))
    _init("--out", str(tmp_path / "b"), "--jobs", "1")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.pem"))
    assert files and all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
                         for f in files)


def test_passphrase_file(tmp_path: Path) -> None:
    (tmp_path / "pass.txt").write_text("mật khẩu\n", "utf-8")
    result = _init("--out", str(tmp_path / "pki"), "--passphrase-file",
                   str(tmp_path / "pass.txt"), "--algorithm", "ed25519")
    assert result.exit_code == 0  # type: ignore[attr-defined]
    index = read_index(tmp_path / "pki")
    where = index.credential("000.00.00.G22", Role.ORGAN)
    assert read_private_key(tmp_path / "pki" / where.key, "mật khẩu".encode())


def test_unusable_inputs_exit_2(tmp_path: Path) -> None:
    """An unknown preset or an empty passphrase file: an error with a code, exit 2."""
    result = CliRunner().invoke(cli, ["pki", "init", "--preset", "atlantis", "--seed", "1",
                                      "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "DF-TOP" in result.output
    (tmp_path / "empty").write_text("")
    result = _init("--out", str(tmp_path / "y"), "--passphrase-file", str(tmp_path / "empty"))
    assert result.exit_code == 2 and "DF-IO-003" in result.output  # type: ignore[attr-defined]
    result = CliRunner().invoke(cli, ["pki", "init", "--preset", "tiny", "--seed", "1",
                                      "--out", str(tmp_path / "z"), "--algorithm", "dsa"])
    assert result.exit_code == 2


def test_init_over_an_existing_pki_is_refused_unless_forced(tmp_path: Path) -> None:
    """A second ``pki init`` into a PKI folder: DF-RUN-001, exit 2, every private key as it was.
    With --force, the new seed's keys replace them and nothing of the old PKI stays."""
    out = tmp_path / "pki"
    assert _init("--out", str(out)).exit_code == 0  # type: ignore[attr-defined]
    keys = {p: p.read_bytes() for p in out.rglob("*.key")}
    result = CliRunner().invoke(cli, ["pki", "init", "--preset", "tiny", "--seed", "6", "-q",
                                      "--at", AT, "--out", str(out)])
    assert result.exit_code == 2 and "DF-RUN-001" in result.output
    assert {p: p.read_bytes() for p in out.rglob("*.key")} == keys
    (out / "agencies" / "stale.organ.key").write_text("a key of no index")
    result = CliRunner().invoke(cli, ["pki", "init", "--preset", "tiny", "--seed", "6", "-q",
                                      "--at", AT, "--out", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert set(out.rglob("*.key")) == set(keys) and not (out / ".incomplete").exists()
    assert all(p.read_bytes() != keys[p] for p in keys)
    assert read_index(out).meta["seed"] == 6


def test_a_killed_pki_init_is_refused_as_trust(tmp_path: Path) -> None:
    """``pki init`` killed (SIGKILL) while it writes: the folder carries the marker, and a
    trust store read from it is DF-RUN-002, not a half-written trust store."""
    out = tmp_path / "pki"
    run = subprocess.Popen([sys.executable, "-m", "docflow", "pki", "init", "--preset",
                            "vn-2025", "--seed", "1", "--at", AT, "--jobs", "1", "-q",
                            "--out", str(out)], start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while not (out / "agencies").exists():
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "pki init never started writing agencies"
        time.sleep(0.01)
    os.killpg(run.pid, signal.SIGKILL)
    run.communicate()
    assert (out / ".incomplete").is_file() and not (out / "index.json").exists()
    result = CliRunner().invoke(cli, ["verify", "--trust", str(out), str(out / ".incomplete")])
    assert result.exit_code == 2 and "DF-RUN-002" in result.output
