"""An audit given no trust anchor: a run's own trust files beside its archive, else a warning.

The run folder here has the simulator's layout (``archive.sqlite``, ``trust/root.pem``,
``trust/crls.pem``); ``test_loop.py`` audits a folder the simulator itself wrote.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from audit.signed import national_pki, signed_document, write_trust
from docflow.archive.importer import import_source
from docflow.archive.store import Archive
from docflow.audit import AuditConfig, audit
from docflow.audit.run_trust import TrustSource
from docflow.cli import cli

SENDERS = ("000.00.00.G22", "000.00.00.H49")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run folder: four documents signed by both roles in archive.sqlite, trust/ beside."""
    run = tmp_path_factory.mktemp("run")
    pki = national_pki()
    src = run / "src"
    src.mkdir()
    for serial in range(4):
        (src / f"{serial}.edxml").write_bytes(
            signed_document(pki, SENDERS[serial % 2], serial + 1))
    with Archive(run / "archive.sqlite") as archive:
        import_source(src, archive)
    write_trust(pki, run / "trust")
    return run


def _audit_json(*args: str) -> tuple[dict[str, Any], str]:
    result = CliRunner().invoke(cli, ["audit", *args, "-j", "1", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def test_a_runs_archive_is_checked_against_the_runs_trust(run_dir: Path) -> None:
    """No --trust, SOURCE a run's archive.sqlite with trust/ beside it: the run's anchor and
    CRLs are used, stderr and the JSON say so (DF-AUD-004), and the signatures are valid."""
    data, stderr = _audit_json(str(run_dir / "archive.sqlite"))
    assert "DF-AUD-004" in stderr and str(run_dir / "trust") in stderr
    assert data["context"]["trust_source"] == "run"
    assert data["context"]["anchors"] == [str(run_dir / "trust" / "root.pem")]
    assert [n["code"] for n in data["notices"]] == ["DF-AUD-004"]
    assert data["total"]["both_valid"] == 4


def test_a_given_anchor_wins_and_needs_no_notice(run_dir: Path) -> None:
    """--trust given: it is what is used, and nothing is said about the run's folder."""
    anchor = run_dir / "trust" / "root.pem"
    data, stderr = _audit_json(str(run_dir / "archive.sqlite"), "--trust", str(anchor),
                               "--revocation", "off")
    assert data["context"]["trust_source"] == "given"
    assert data["notices"] == [] and "DF-AUD" not in stderr
    assert data["total"]["both_valid"] == 4


def test_without_any_trust_anchor_the_audit_warns(run_dir: Path, tmp_path: Path) -> None:
    """The same archive away from its run folder: DF-AUD-003 on stderr, in the JSON and in
    the table; presence is still counted and nothing is valid."""
    alone = tmp_path / "archive.sqlite"
    shutil.copy(run_dir / "archive.sqlite", alone)
    data, stderr = _audit_json(str(alone))
    assert "warning: DF-AUD-003" in stderr
    assert data["context"]["trust_source"] == "none"
    assert [n["code"] for n in data["notices"]] == ["DF-AUD-003"]
    total = data["total"]
    assert (total["organ_present"], total["organ_valid"]) == (4, 0)
    table = CliRunner().invoke(cli, ["audit", str(alone), "-j", "1"])
    assert table.exit_code == 0, table.output
    assert "warning: DF-AUD-003" in table.stdout and "(none)" in table.stdout


def test_a_folder_of_files_gets_the_warning_too(run_dir: Path) -> None:
    """A folder is never a run's archive: no anchor means DF-AUD-003, whatever sits beside."""
    data, stderr = _audit_json(str(run_dir / "src"))
    assert "DF-AUD-003" in stderr
    assert data["context"]["trust_source"] == "none"


def test_the_library_can_refuse_the_runs_trust(run_dir: Path, tmp_path: Path) -> None:
    """run_trust=False audits a run's archive against nothing, with the warning."""
    copy = tmp_path / "run" / "archive.sqlite"
    shutil.copytree(run_dir, copy.parent)
    notices: list[str] = []
    result = audit(copy, AuditConfig(jobs=1, run_trust=False),
                   notify=lambda n: notices.append(n.code))
    assert notices == ["DF-AUD-003"] and result.trust_source is TrustSource.NONE
    assert result.total.organ_valid == 0
    assert audit(copy, AuditConfig(jobs=1)).total.organ_valid == 4
