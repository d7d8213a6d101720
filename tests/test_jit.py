"""docflow/jit.py: numba caches in the user's cache folder (or nowhere), never beside the source;
the compile notice is heard once, and only when numba compiles."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from docflow.jit import compile_notice, njit

KERNEL = """
from docflow.jit import njit

@njit(cache=True)
def triple(x):
    return 3 * x
"""

RUN = """
import sys
sys.path.insert(0, sys.argv[1])
from docflow.jit import cache_folder, compile_notice
import numba
heard = []
with compile_notice(lambda: heard.append(1)):
    import kernel
    assert kernel.triple(14) == 42
print(cache_folder(), numba.config.CACHE_DIR or None, "compiled" if heard else "cached")
"""


def _run(tmp_path: Path, **env: str) -> list[str]:
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "kernel.py").write_text(KERNEL)
    base = {k: v for k, v in os.environ.items()
            if k not in ("NUMBA_CACHE_DIR", "DOCFLOW_CACHE_DIR", "XDG_CACHE_HOME")}
    done = subprocess.run([sys.executable, "-c", RUN, str(tmp_path / "src")],
                          env={**base, **env}, capture_output=True, text=True, check=True)
    return done.stdout.split()


def _compiled(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.suffix in (".nbi", ".nbc")]


def test_the_cache_is_in_the_user_cache_folder(tmp_path: Path) -> None:
    """With XDG_CACHE_HOME set: $XDG_CACHE_HOME/docflow/numba, for docflow and numba alike;
    the first process compiles, the second loads; nothing is written beside the source."""
    folder = str((tmp_path / "xdg" / "docflow" / "numba").resolve())
    assert _run(tmp_path, XDG_CACHE_HOME=str(tmp_path / "xdg")) == [folder, folder,
                                                                      "compiled"]
    assert _run(tmp_path, XDG_CACHE_HOME=str(tmp_path / "xdg")) == [folder, folder, "cached"]
    assert _compiled(Path(folder)) and not _compiled(tmp_path / "src")


def test_numba_cache_dir_wins(tmp_path: Path) -> None:
    """NUMBA_CACHE_DIR, numba's own variable, is the override docflow honours first."""
    mine = str((tmp_path / "mine").resolve())
    assert _run(tmp_path, NUMBA_CACHE_DIR=mine, XDG_CACHE_HOME=str(tmp_path / "xdg"))[:2] == \
        [mine, mine]


def test_no_usable_folder_means_no_cache_not_the_package(tmp_path: Path) -> None:
    """A cache folder that cannot be created (its parent is a file): kernels compile on every
    run, and no cache file appears beside the source."""
    (tmp_path / "file").write_text("not a folder")
    out = _run(tmp_path, DOCFLOW_CACHE_DIR=str(tmp_path / "file" / "cache"))
    assert out == ["None", "None", "compiled"]
    assert _run(tmp_path, DOCFLOW_CACHE_DIR=str(tmp_path / "file" / "cache"))[2] == "compiled"
    assert not _compiled(tmp_path)


def test_the_notice_is_heard_once_and_only_for_a_compile() -> None:
    """Two compiles inside one block: one call. A call already compiled: none."""
    heard: list[int] = []

    @njit
    def add(a, b):  # type: ignore[no-untyped-def]
        return a + b

    with compile_notice(lambda: heard.append(1)):
        assert add(1, 2) == 3 and add(1.5, 2.0) == 3.5
    assert heard == [1]
    with compile_notice(lambda: heard.append(2)):
        assert add(3, 4) == 7
    assert heard == [1]
