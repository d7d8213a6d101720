"""One spelling per kind of option over the whole ``docflow`` command tree: ``-o/--out`` for a
folder a command writes, ``-o/--output`` for a file, ``-q/--quiet`` wherever there is progress
or chatter to silence."""

from __future__ import annotations

from collections.abc import Iterator

import click

from docflow.cli import cli

RESULT_ONLY = {
    "validate", "verify", "sign", "report", "topology show", "axis send", "axis inbox",
    "axis status",
    "axis serve", "pki tsa serve",  # their one line says where they listen: the result
}
"""Commands that print their result and nothing else (errors aside), so have no ``--quiet``.
A new command must either take ``--quiet`` or be listed here, with the reason."""


def _commands(group: click.Group = cli, path: str = "") -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        full = f"{path} {name}".strip()
        if isinstance(command, click.Group):
            yield from _commands(command, full)
        else:
            yield full, command


def _writes_to(option: click.Option) -> bool:
    """An option naming where a command writes: ``-o``, or a long name that starts ``--out``."""
    names = option.opts + option.secondary_opts
    return "-o" in names or any(n.startswith("--out") for n in names)


def test_the_tree_is_walked() -> None:
    """The walk reaches every command (so the rules below are checked over all of them)."""
    names = {name for name, _ in _commands()}
    assert {"simulate", "audit", "archive import", "axis get", "pki init", "pki tsa serve",
            "envelope new", "load", "calibrate", "sweep"} <= names
    assert len(names) >= 21


def test_every_output_option_is_out_for_a_folder_and_output_for_a_file() -> None:
    """A folder option is exactly ``-o/--out``, a file option exactly ``-o/--output``; no
    ``--outdir``, ``--output-dir`` or an option without ``-o``. Hidden aliases (a spelling kept
    for old scripts) are allowed beside the right one."""
    checked = 0
    for name, command in _commands():
        outputs = [p for p in command.params if isinstance(p, click.Option) and not p.hidden
                   and _writes_to(p)]
        assert len(outputs) <= 1, f"{name}: {[p.opts for p in outputs]}"
        for option in outputs:
            kind = option.type
            assert isinstance(kind, click.Path), f"{name}: {option.opts} is not a path"
            folder = not kind.file_okay
            want = {"-o", "--out"} if folder else {"-o", "--output"}
            assert set(option.opts) == want, \
                f"{name}: {option.opts} for a {'folder' if folder else 'file'}, want {want}"
            checked += 1
    assert checked >= 12


def test_every_command_with_progress_or_chatter_takes_quiet() -> None:
    """``-q/--quiet``, with the same flag, on every command but those that print only their
    result."""
    for name, command in _commands():
        quiet = [p for p in command.params if p.name == "quiet"]
        if name in RESULT_ONLY:
            assert not quiet, f"{name} is listed as printing only its result"
            continue
        assert quiet, f"{name} has no --quiet (or belongs in RESULT_ONLY, with a reason)"
        option = quiet[0]
        assert isinstance(option, click.Option) and option.is_flag
        assert set(option.opts) == {"-q", "--quiet"}, f"{name}: {option.opts}"
