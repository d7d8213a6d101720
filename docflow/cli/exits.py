"""Exit codes, and the one place that turns an error into a message and an exit code.

A :class:`DocflowError` prints its code, location and message and exits with the code its class
carries (2 for unusable input or usage); anything unexpected is reported in one line, never as a
traceback; Ctrl-C and SIGTERM clean up and exit 130 and 143. The codes are documented in
``docs/cli.md``.
"""

from __future__ import annotations

import enum
from typing import Any

import click

from docflow.errors import DocflowError


class ExitCode(enum.IntEnum):
    """Every exit code of ``docflow``; scripts may rely on them."""

    OK = 0
    """Done: the checks passed, the run or the files were written."""
    FAILED = 1
    """The command ran and found a failure: a signature that fails, a rate below target."""
    UNUSABLE = 2
    """Unusable input or usage, named by a ``DF-`` code (:attr:`DocflowError.exit_code`)."""
    INTERNAL = 3
    """A bug in docflow: an unexpected exception, reported in one line (``--debug`` for the
    traceback). Nothing acknowledged is lost, but the output is incomplete."""
    INTERRUPTED = 130
    """Ctrl-C (SIGINT), by the shell's convention 128 + signal 2."""
    TERMINATED = 143
    """SIGTERM (or SIGHUP, the terminal closing), 128 + signal 15: cleaned up as for Ctrl-C."""


class _DocflowGroup(click.Group):
    """A click group that turns library errors into a message and an exit code, never a trace."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DocflowError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(ExitCode.INTERRUPTED)
        except _Terminated:
            click.echo("terminated", err=True)
            ctx.exit(ExitCode.TERMINATED)
        except MemoryError:
            click.echo("error: DF-IO-002: out of memory; the input is too large", err=True)
            ctx.exit(ExitCode.UNUSABLE)
        except Exception as exc:  # the last line of defence: report, never print a traceback
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc} "
                       "(run with --debug for the traceback)", err=True)
            ctx.exit(ExitCode.INTERNAL)


class _Terminated(BaseException):
    """``SIGTERM`` (or ``SIGHUP``) made an exception, so that outputs and scratch files are
    cleaned up on the way out (``finally`` blocks run) as for Ctrl-C, instead of the process
    just vanishing."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated
