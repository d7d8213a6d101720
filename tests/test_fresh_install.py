"""A fresh install, run, replaced by an editable install, run again (issue 13).

numba's on-disk cache once wrote ``.nbi``/``.nbc`` files into ``site-packages/docflow``; ``pip
install -e`` left them behind, the leftover folders imported as empty namespace packages, and
``docflow simulate`` failed with ``No module named 'docflow.sim.run'``. This test does what a
new user does, in a throw-away venv, offline: it sees the project venv's packages through a
``.pth`` line (so nothing is downloaded) and installs this repository's source into itself with
pip, ``--no-deps --no-build-isolation --no-index``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from docflow.runs import COMPILING

REPO = Path(__file__).resolve().parents[1]

SCENARIO = """
name = "fresh"
seed = 3
[topology]
preset = "tiny"
[period]
days = 1
drain_days = 2
[crypto]
mode = "model"
"""


def _venv(tmp: Path) -> tuple[Path, dict[str, str]]:
    """A venv with no packages of its own that imports the project venv's, and its env."""
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; "
         "print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    (purelib / "project-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items()
           if k not in ("NUMBA_CACHE_DIR", "DOCFLOW_CACHE_DIR", "PYTHONPATH", "VIRTUAL_ENV")}
    env["XDG_CACHE_HOME"] = str(tmp / "cache")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return venv, env


def _pip(venv: Path, env: dict[str, str], *args: str) -> None:
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                           "--no-deps", "--no-build-isolation", "--no-index", *args],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _simulate(command: list[str], cwd: Path, env: dict[str, str], out: str
              ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*command, "simulate", "scenario.toml", "--out", out], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300)


def _compiled_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.suffix in (".nbi", ".nbc")]


@pytest.mark.slow
def test_install_run_reinstall_editable_run(tmp_path: Path) -> None:
    """``pip install .``, a run, ``pip install -e .``, two runs: every run exits 0; numba's
    cache is in ``$XDG_CACHE_HOME/docflow/numba`` and never in the installed package; the
    first run of each install says it compiles the engine, a cached run does not."""
    source = tmp_path / "src"
    shutil.copytree(REPO / "docflow", source / "docflow",
                    ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    for path in (REPO / "pyproject.toml", REPO / "README.md", *REPO.glob("LICENSE*")):
        shutil.copy(path, source / path.name)
    (tmp_path / "scenario.toml").write_text(SCENARIO)
    venv, env = _venv(tmp_path)
    cache = tmp_path / "cache" / "docflow" / "numba"

    _pip(venv, env, str(source))
    first = _simulate([str(venv / "bin" / "docflow")], tmp_path, env, "run1")
    assert first.returncode == 0, first.stderr
    assert COMPILING in first.stderr
    assert _compiled_files(cache), "numba cached nothing in the user's cache folder"
    assert not _compiled_files(venv), "numba wrote its cache into the installed package"

    _pip(venv, env, "-e", str(source))
    second = _simulate([str(venv / "bin" / "python"), "-m", "docflow"], tmp_path, env, "run2")
    assert second.returncode == 0, second.stderr
    assert (tmp_path / "run2" / "summary.json").is_file()
    third = _simulate([str(venv / "bin" / "docflow")], tmp_path, env, "run3")
    assert third.returncode == 0, third.stderr
    assert COMPILING not in third.stderr, "a cached run said it compiles"
    assert not _compiled_files(venv) and not _compiled_files(source)
