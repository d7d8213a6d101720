"""The README's quick start runs as written.

Every ``sh`` block of the README's "Quick start" section is run, one after the other, in one
shell in an empty temporary folder, with the project venv's ``bin`` on PATH as a user who
activated it would have; each command's exit code must be 0, or the code its trailing comment
announces (``# (exit 1: …)``). A quick start that needs a file the reader does not have, a
command that is not on PATH or an option that changed fails here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
EXPECTED = re.compile(r"#.*\(exit (\d+)")

pytestmark = pytest.mark.slow


def quickstart_commands(text: str) -> list[str]:
    """The commands of the quick start's ``sh`` blocks, continuation lines joined."""
    section = text.split("\n## Quick start", 1)[1].split("\n## ", 1)[0]
    commands: list[str] = []
    for block in re.findall(r"^```sh\n(.*?)^```", section, re.MULTILINE | re.DOTALL):
        pending = ""
        for line in block.splitlines():
            if pending:
                line = pending + " " + line.strip()
                pending = ""
            if line.rstrip().endswith("\\"):
                pending = line.rstrip()[:-1].rstrip()
                continue
            if line.strip() and not line.lstrip().startswith("#"):
                commands.append(line.strip())
        assert not pending, f"a block ends in a continuation: {pending}"
    return commands


def expected_code(command: str) -> int:
    """0, or the code a trailing ``# (exit N: why)`` announces."""
    m = EXPECTED.search(command)
    return int(m.group(1)) if m else 0


def test_quickstart_has_the_three_jobs() -> None:
    """The quick start runs the operator's, the auditor's and the integrator's commands."""
    commands = quickstart_commands(README.read_text(encoding="utf-8"))
    verbs = {c.split()[1] for c in commands if c.startswith("docflow ")}
    assert {"simulate", "audit", "pki", "envelope", "sign", "validate", "verify"} <= verbs


def test_quickstart_runs_as_written(tmp_path: Path) -> None:
    """Each command of the quick start exits with the code the README gives it."""
    commands = quickstart_commands(README.read_text(encoding="utf-8"))
    venv_bin = Path(sys.executable).parent
    assert (venv_bin / "docflow").exists(), f"docflow is not installed in {venv_bin}"
    script = []
    for i, command in enumerate(commands):
        script += [command, f'echo "{i} $?" >> "$QUICKSTART_CODES"']
    codes_file = tmp_path / "codes.txt"
    work = tmp_path / "empty"
    work.mkdir()
    env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
           "QUICKSTART_CODES": str(codes_file)}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env,
                          capture_output=True, text=True, timeout=600)
    codes = dict(line.split() for line in codes_file.read_text().splitlines())
    for i, command in enumerate(commands):
        assert int(codes[str(i)]) == expected_code(command), \
            f"{command!r} exited {codes[str(i)]}\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr
    summary = json.loads((work / "run" / "summary.json").read_text(encoding="utf-8"))
    audit = json.loads((work / "audit.json").read_text(encoding="utf-8"))
    assert audit["documents"] == summary["run"]["coverage_documents"] > 0
    assert "PASSED" in done.stdout and (work / "s2.edxml").exists()
