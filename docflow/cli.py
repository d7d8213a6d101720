"""The ``docflow`` command line: argument parsing, progress bars, exit codes. No logic.

Every command calls one function of the library and prints what it returns. Errors are mapped
to messages and exit codes in one place, :class:`_DocflowGroup`: a :class:`DocflowError` prints
its code, location and message and exits with the code its class carries (2 for unusable input
or usage); commands return 0 or 1 themselves for passed or failed checks.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from docflow.errors import DocflowError

__all__ = ["main"]


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
            ctx.exit(130)
        except MemoryError:
            click.echo("error: DF-IO-002: out of memory; the input is too large", err=True)
            ctx.exit(2)
        except Exception as exc:  # the last line of defence: report, never print a traceback
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc} "
                       "(run with --debug for the traceback)", err=True)
            ctx.exit(3)


@click.group(cls=_DocflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
@click.version_option(package_name="docflow")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Simulate and check the exchange of signed edXML documents (QCVN 102:2016/BTTTT)."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli.main(standalone_mode=True) or 0)
