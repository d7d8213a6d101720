"""Writing a PKI folder, and reading it back as a trust store."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest

from docflow.errors import InputError
from docflow.pki.export import write_pki
from docflow.pki.index import read_index
from docflow.pki.io import read_certificates, read_private_key
from docflow.pki.national import Agency, NationalPki
from docflow.pki.roles import Role
from docflow.pki.store import TrustStore
from docflow.pki.validate import PathValidator

from .conftest import AGENCIES, AT, HUBS


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_written_folder_is_complete_and_validates(pki: NationalPki, tmp_path: Path) -> None:
    """Every agency has an organ and a signer certificate and key; the folder, read back as
    a trust store, validates them; the index says where everything is."""
    seen: list[int] = []
    summary = write_pki(pki, tmp_path, progress=seen.append, jobs=1)
    assert (summary.agencies, summary.certificates, summary.crls) == (5, 1 + 4 + 10, 5)
    assert sum(seen) == 5
    index = read_index(tmp_path)
    assert index.meta["seed"] == 7 and index.meta["encrypted_keys"] is False
    validator = PathValidator(TrustStore.from_pki_dir(tmp_path))
    for agency in AGENCIES:
        for role in Role:
            where = index.credential(agency.organ_code, role)
            (cert,) = read_certificates(tmp_path / where.cert)
            key = read_private_key(tmp_path / where.key)
            assert key.public_key() == cert.public_key()
            assert cert == pki.credentials_for(agency.organ_code, role).certificate
            result = validator.check(cert, [], AT)
            assert result.trusted and result.role == role
            assert stat.S_IMODE((tmp_path / where.key).stat().st_mode) == 0o600
    entry = json.loads((tmp_path / "index.json").read_text("utf-8"))["agencies"][
        "000.00.00.H49"]
    assert entry["name"] == "Ủy ban nhân dân tỉnh Nghệ An" and entry["hub"] == "lgsp-h49"


def test_output_does_not_depend_on_worker_count(tmp_path: Path) -> None:
    """One process or two, the same bytes (the unencrypted PKI is fully deterministic)."""
    many = [Agency(f"000.{i // 100:02d}.{i % 100:02d}.H38", f"Xã số {i}", "commune", "lgsp-h38")
            for i in range(300)]
    pki = NationalPki.build(many, seed=2, at=AT, hubs=HUBS)
    write_pki(pki, tmp_path / "one", jobs=1)
    write_pki(NationalPki.build(many, seed=2, at=AT, hubs=HUBS), tmp_path / "two", jobs=2)
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")


def test_passphrase_protects_every_key(pki: NationalPki, tmp_path: Path) -> None:
    small = NationalPki.build(AGENCIES[:1], seed=7, at=AT)
    write_pki(small, tmp_path, passphrase=b"mat khau", jobs=1)
    index = read_index(tmp_path)
    assert index.meta["encrypted_keys"] is True
    where = index.credential(AGENCIES[0].organ_code, Role.ORGAN)
    assert read_private_key(tmp_path / where.key, b"mat khau")
    with pytest.raises(InputError, match="DF-PKI-024"):
        read_private_key(tmp_path / where.key)
    with pytest.raises(InputError, match="DF-PKI-024"):
        read_private_key(tmp_path / where.key, b"wrong")
    assert read_private_key(tmp_path / index.root.key, b"mat khau")


def test_unsafe_identifiers_become_safe_file_names(tmp_path: Path) -> None:
    odd = [Agency("../x/y", "Tên lạ", "commune", "hub/1"),
           Agency("Hà Nội", "Tên", "commune", ".."), Agency("-rf", "Tên", "commune", "..")]
    write_pki(NationalPki.build(odd, seed=1, at=AT), tmp_path, jobs=1)
    files = _tree(tmp_path)
    assert all(".." not in name.split("/") for name in files)
    assert all(Path(tmp_path, name).resolve().is_relative_to(tmp_path.resolve())
               for name in files)
    assert len([n for n in files if n.endswith("organ.pem")]) == 3
    assert not any(part.startswith(("-", "..")) for n in files for part in n.split("/"))


def test_unwritable_folder(pki: NationalPki, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="DF-IO-004"):
        write_pki(NationalPki.build(AGENCIES[:1], seed=1, at=AT), blocker / "out", jobs=1)


def test_rsa_pki_folder(tmp_path: Path) -> None:
    """RSA-2048: keys come from the cache (filled once), certificates validate."""
    from docflow.pki.keys import KeyAlgorithm, RsaKeyCache

    cache = RsaKeyCache(tmp_path / "cache")
    pki = NationalPki.build(AGENCIES[:1], seed=1, at=AT, algorithm=KeyAlgorithm.RSA_2048,
                            rsa_cache=cache)
    write_pki(pki, tmp_path / "out", jobs=1)
    index = read_index(tmp_path / "out")
    where = index.credential(AGENCIES[0].organ_code, Role.SIGNER)
    (cert,) = read_certificates(tmp_path / "out" / where.cert)
    assert cert.public_key().key_size == 2048  # type: ignore[union-attr]
    assert PathValidator(TrustStore.from_pki_dir(tmp_path / "out")).check(
        cert, [], AT + dt.timedelta(days=1)).trusted
