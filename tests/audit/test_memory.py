"""Import and audit hold a batch's bytes, not a batch's count: large envelopes go a few at a
time, so peak memory does not grow with how many of them a source holds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from docflow.envelope.builder import build
from docflow.envelope.samples import sample_document

DOCFLOW = [sys.executable, "-c", "from docflow.cli import main; main()"]

ATTACHMENT = 2 * 1024 * 1024
"""Bytes of each envelope's attachment before base64 (about 2.8 MB of XML each)."""

COUNT = 24
"""Large envelopes in the big source: about 67 MB, four batches' worth."""

BOUND = 40.0
"""MiB of growth allowed from one envelope to :data:`COUNT`: the 16 MiB a batch or task
holds, the compressed copies beside it, and slack for the allocator. Holding every envelope,
as batches bounded by count did, takes 60 MiB (import) and 110 MiB (audit) more."""


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Folders of one and of :data:`COUNT` large envelopes."""
    base = tmp_path_factory.mktemp("big")
    one, six = base / "one", base / "many"
    one.mkdir()
    six.mkdir()
    for i in range(COUNT):
        envelope = sample_document(np.random.default_rng([5, i]), sender="000.00.00.H49",
                                   receivers=["000.00.00.G22"], size=ATTACHMENT, number=i + 1)
        data = build(envelope)
        (six / f"{i}.edxml").write_bytes(data)
        if i == 0:
            (one / f"{i}.edxml").write_bytes(data)
    return one, six


PEAK_SCRIPT = """
import atexit, sys
from pathlib import Path
out = Path(sys.argv.pop(1))
def peak():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            out.write_text(line.split()[1])
atexit.register(peak)
from docflow.cli import main
main()
"""


def _peak_mib(tmp: Path, *args: str) -> float:
    """Run ``docflow ARGS`` as a child; its peak resident memory in MiB.

    Read from the child's own ``VmHWM`` as it exits: ``getrusage`` would report at least the
    RSS of this test process, which a forked child inherits as its high-water mark.
    """
    out = tmp / "peak.txt"
    result = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, str(out), *args],
                            capture_output=True, check=False)
    assert result.returncode == 0, result.stderr
    return int(out.read_text()) / 1024


def test_import_memory_does_not_grow_with_the_number_of_large_envelopes(
        big: tuple[Path, Path], tmp_path: Path) -> None:
    """24 envelopes of 2.8 MB, one default batch by count (500 entries), take less than
    :data:`BOUND` more than one does: batches are bounded by bytes too."""
    one, six = big
    base = _peak_mib(tmp_path, "archive", "import", str(one), "--db", str(tmp_path / "1.sqlite"),
                     "-q")
    peak = _peak_mib(tmp_path, "archive", "import", str(six), "--db", str(tmp_path / "6.sqlite"),
                     "-q")
    assert peak - base < BOUND, (base, peak)


def test_audit_memory_does_not_grow_with_the_number_of_large_envelopes(
        big: tuple[Path, Path], tmp_path: Path) -> None:
    """An audit task holds about 16 MiB of bodies, not 128 envelopes: 24 large ones take
    less than :data:`BOUND` more than one (before: all were read at once)."""
    one, six = big
    dbs = []
    for folder in (one, six):
        db = tmp_path / f"{folder.name}.sqlite"
        subprocess.run([*DOCFLOW, "archive", "import", str(folder), "--db", str(db), "-q"],
                       check=True, capture_output=True)
        dbs.append(db)
    base = _peak_mib(tmp_path, "audit", str(dbs[0]), "-j", "1")
    peak = _peak_mib(tmp_path, "audit", str(dbs[1]), "-j", "1")
    assert peak - base < BOUND, (base, peak)
