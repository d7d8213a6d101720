"""docflow/atomic.py: an output is the old file or the new one, never a torn one; and every
output of the package goes through it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from docflow.atomic import is_temporary, write_atomic
from docflow.errors import InputError

PACKAGE = Path(__file__).resolve().parents[1] / "docflow"


def test_a_failed_write_leaves_the_old_file_whole(tmp_path: Path) -> None:
    """A write that fails half-way (the file-size limit stands in for a full disk) is
    DF-IO-004 naming the file; the complete old file is still there, and no temporary file."""
    target = tmp_path / "summary.json"
    target.write_bytes(b'{"complete": true}\n')
    code = ("import resource, signal, sys\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
            "from docflow.atomic import write_atomic\n"
            "from docflow.errors import DocflowError\n"
            "try:\n"
            f"    write_atomic({str(target)!r}, b'x' * 100_000)\n"
            "except DocflowError as exc:\n"
            "    print(exc.code, exc.location.file)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["DF-IO-004", str(target)]
    assert target.read_bytes() == b'{"complete": true}\n'
    assert sorted(os.listdir(tmp_path)) == ["summary.json"]


def test_a_killed_writer_leaves_old_or_new_never_torn(tmp_path: Path) -> None:
    """A writer killed with SIGKILL while rewriting a 4 MB file over and over: what is there
    afterwards is one of the complete versions it wrote."""
    target = tmp_path / "report.html"
    code = ("import sys\nfrom docflow.atomic import write_atomic\n"
            "i = 0\nwhile True:\n"
            f"    write_atomic({str(target)!r}, bytes([65 + i % 26]) * 4_000_000, sync=False)\n"
            "    i += 1\n    print(i, flush=True)\n")
    writer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    for _ in range(3):
        writer.stdout.readline()
    writer.kill()
    writer.wait()
    data = target.read_bytes()
    assert len(data) == 4_000_000 and data == data[:1] * len(data)


def test_write_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    """A key is written 0600 from the start; a second write replaces the content."""
    key = tmp_path / "ca.key"
    write_atomic(key, b"one", mode=0o600)
    write_atomic(key, b"two", mode=0o600)
    assert key.read_bytes() == b"two" and key.stat().st_mode & 0o777 == 0o600


def test_a_link_is_written_through_and_a_pipe_is_not_replaced(tmp_path: Path) -> None:
    """Writing to a symbolic link writes the file it names (the link stays); writing to a
    FIFO (as to /dev/stdout) writes into it instead of renaming a file over it."""
    real = tmp_path / "real.json"
    real.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, b"through the pipe")
    reader.join(10)
    assert got == [b"through the pipe"] and fifo.is_fifo()


def test_a_missing_folder_is_df_io_004(tmp_path: Path) -> None:
    """No such folder: DF-IO-004 with the file, not an OSError."""
    with pytest.raises(InputError) as caught:
        write_atomic(tmp_path / "nope" / "summary.json", b"{}")
    assert caught.value.code == "DF-IO-004"
    assert caught.value.location.file == str(tmp_path / "nope" / "summary.json")


def test_temporary_names_are_recognised() -> None:
    """What claim() may clear as a leftover of a killed write, and nothing else."""
    assert is_temporary(".summary.json.0a1b2c3d4e5f.tmp")
    assert not is_temporary("notes.tmp") and not is_temporary(".incomplete")


_WRITE = re.compile(r"\.write_(text|bytes)\(|\bopen\([^)]*['\"][wax]b?['\"]|os\.O_WRONLY")


def test_every_output_goes_through_write_atomic() -> None:
    """No module of the package writes a file in place: atomic.py and runfolder.py (its
    marker, created exclusively) are the only writers."""
    writers = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                     if _WRITE.search(path.read_text(encoding="utf-8")))
    assert writers == ["atomic.py", "runfolder.py"]
