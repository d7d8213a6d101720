"""Every TOML file docflow reads goes through one reader: a cap, UTF-8, the line of a mistake.

Each reader of a TOML file (scenario, calibration targets, message description, role mapping)
is run on the same bad files and must refuse each with its own code and its file named, never
with a traceback.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from docflow.envelope.compose import read_toml_message
from docflow.errors import ConfigError, DocflowError, InputError
from docflow.pki.roles import read_role_mapping
from docflow.sim.calib_targets import read_targets
from docflow.sim.scenario_file import read_scenario
from docflow.tomlsafe import parse_toml, read_toml

#: Each reader, its code for a file that is not TOML, the name its messages give the file,
#: and its cap.
READERS: dict[str, tuple[Callable[[Path], object], str, str, int]] = {
    "scenario": (read_scenario, "DF-SCN-001", "the scenario", 4 << 20),
    "targets": (read_targets, "DF-SCN-001", "the targets file", 1 << 20),
    "message": (read_toml_message, "DF-ENV-021", "the message description", 1 << 20),
    "roles": (read_role_mapping, "DF-PKI-026", "the role mapping", 1 << 20),
}


def _refusal(reader: Callable[[Path], object], path: Path) -> DocflowError:
    with pytest.raises(DocflowError) as caught:
        reader(path)
    assert caught.value.location.file == str(path)
    return caught.value


@pytest.mark.parametrize("name", READERS)
@pytest.mark.parametrize(("content", "line", "problem"), [
    (b'seed = 1\nname = "\xff"\n', None, "is not UTF-8 (byte 17)"),
    (b"seed = 1\n\nseed = = 2\n", 3, "is not valid TOML: "),  # then tomllib's words
])
def test_not_utf8_toml_is_the_callers_code(tmp_path: Path, name: str, content: bytes,
                                           line: int | None, problem: str) -> None:
    """Bytes that are not UTF-8 are the caller's code with the offset of the first bad one;
    a TOML mistake, the caller's code with the line TOML stopped at."""
    reader, code, what, _ = READERS[name]
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    error = _refusal(reader, path)
    assert isinstance(error, ConfigError) and error.code == code
    assert error.location.line == line
    assert error.message.startswith(f"{what} {problem}")
    assert len(error.message) > len(f"{what} {problem}") or line is None


@pytest.mark.parametrize("name", READERS)
def test_empty_file_is_refused_as_empty(tmp_path: Path, name: str) -> None:
    """A file of white space is DF-IO-003, whatever reads it."""
    reader, _, what, _ = READERS[name]
    path = tmp_path / "empty.toml"
    path.write_text(" \n\t\n", "utf-8")
    error = _refusal(reader, path)
    assert isinstance(error, InputError)
    assert (error.code, error.message) == ("DF-IO-003", f"{what} is empty")


@pytest.mark.parametrize("name", READERS)
def test_file_above_the_cap_is_refused_from_its_size(tmp_path: Path, name: str) -> None:
    """A file one byte above the reader's cap is DF-IO-002 (a sparse file: nothing is read)."""
    reader, _, what, cap = READERS[name]
    path = tmp_path / "big.toml"
    with path.open("wb") as handle:
        handle.truncate(cap + 1)
    error = _refusal(reader, path)
    assert isinstance(error, InputError) and error.code == "DF-IO-002"
    assert error.message == f"{what} is larger than {cap >> 20} MB"


@pytest.mark.parametrize("name", READERS)
def test_unreadable_paths(tmp_path: Path, name: str) -> None:
    """A missing file, a folder and a pipe are DF-IO-001; the pipe is not waited on."""
    reader, _, what, _ = READERS[name]
    missing = _refusal(reader, tmp_path / "absent.toml")
    assert missing.code == "DF-IO-001" and missing.message.startswith(f"cannot read {what}: ")
    assert _refusal(reader, tmp_path).code == "DF-IO-001"
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    outcome: list[DocflowError] = []
    worker = threading.Thread(target=lambda: outcome.append(_refusal(reader, fifo)))
    worker.start()
    worker.join(timeout=30)
    if worker.is_alive():  # unblock the reader before failing, so the run does not hang
        with fifo.open("wb"):
            pass
        worker.join()
        pytest.fail("reading a pipe waited for a writer")
    assert outcome[0].code == "DF-IO-001"
    assert outcome[0].message == f"cannot read {what}: not a regular file"


def test_a_good_file_reads_as_tomllib_does(tmp_path: Path) -> None:
    """Within the cap, the reader gives exactly what TOML says, at the cap too."""
    text = 'seed = 3\n[period]\ndays = 2\nname = "Hà Nội"\n'
    path = tmp_path / "ok.toml"
    path.write_text(text, "utf-8")
    size = len(text.encode())
    expected = {"seed": 3, "period": {"days": 2, "name": "Hà Nội"}}
    assert read_toml(path, "DF-SCN-001", size) == expected
    assert parse_toml(text.encode(), "DF-SCN-001") == expected
    with pytest.raises(InputError, match="DF-IO-002"):
        read_toml(path, "DF-SCN-001", size - 1)


def test_cap_in_bytes_when_not_whole_megabytes(tmp_path: Path) -> None:
    """A cap that is not a whole number of MB is said in bytes."""
    path = tmp_path / "ok.toml"
    path.write_text("seed = 3\n", "utf-8")
    with pytest.raises(InputError) as caught:
        read_toml(path, "DF-SCN-001", 4, what="the scenario")
    assert caught.value.message == "the scenario is larger than 4 bytes"
