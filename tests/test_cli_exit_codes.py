"""``python -m docflow`` runs the command line, and every exit code is mapped in one place
(``cli._DocflowGroup``, with the values of ``cli.ExitCode``) and documented in docs/cli.md."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from docflow import __version__
from docflow.cli import ExitCode, _DocflowGroup
from docflow.errors import InputError, Location

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_python_m_docflow_is_the_command() -> None:
    """``python -m docflow --version`` prints the version; a bad command exits 2."""
    done = subprocess.run([sys.executable, "-m", "docflow", "--version"], capture_output=True,
                          text=True)
    assert done.returncode == 0 and __version__ in done.stdout
    done = subprocess.run([sys.executable, "-m", "docflow", "no-such-command"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "No such command" in done.stderr


def _group() -> click.Group:
    """A group of the real class, with commands that fail in each way a command can."""

    @click.group(cls=_DocflowGroup)
    def group() -> None:
        pass

    @group.command("bug")
    def bug() -> None:
        raise ZeroDivisionError("division by zero")

    @group.command("ctrl-c")
    def ctrl_c() -> None:
        raise KeyboardInterrupt

    @group.command("bad-input")
    def bad_input() -> None:
        raise InputError("DF-IO-003", "the input is empty", Location(file="a.edxml"))

    return group


def test_each_failure_has_its_code_and_one_line() -> None:
    """An internal error: 3 and one line naming it; Ctrl-C: 130 and ``interrupted``; a
    DocflowError: 2 with its code and location. Never a traceback."""
    runner = CliRunner()
    for command, code, line in (
            ("bug", ExitCode.INTERNAL, "internal error: ZeroDivisionError: division by zero "
                                       "(run with --debug for the traceback)"),
            ("ctrl-c", ExitCode.INTERRUPTED, "interrupted"),
            ("bad-input", ExitCode.UNUSABLE, "error: DF-IO-003 a.edxml: the input is empty")):
        result = runner.invoke(_group(), [command])
        assert result.exit_code == code
        assert result.stderr.strip() == line and "Traceback" not in result.output


def test_docs_list_every_exit_code() -> None:
    """docs/cli.md's table of exit codes has a row for every ExitCode, and no other."""
    text = DOCS.read_text(encoding="utf-8").split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = {int(n) for n in re.findall(r"^\|\s*`?(\d+)`?\s*\|", text, re.MULTILINE)}
    assert rows == {int(code) for code in ExitCode}
