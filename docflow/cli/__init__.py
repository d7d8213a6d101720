"""The ``docflow`` command line: argument parsing, progress, exit codes. No logic.

Every command calls one function of the library and prints what it returns. Errors are mapped
to messages and exit codes in one place, :class:`_DocflowGroup` (in :mod:`docflow.cli.exits`),
with the codes of :class:`ExitCode` (documented in ``docs/cli.md``): a :class:`DocflowError`
prints its code, location and message and exits with the code its class carries (2 for
unusable input or usage); commands return 0 or 1 themselves for passed or failed checks.

One module per group of commands; this one holds the root group and the entry point, and adds
every command to the group, so that ``docflow --help`` lists them all.
"""

from __future__ import annotations

import sys

import click

from docflow.cli.archive import archive_group, audit_command
from docflow.cli.axis import axis_group, load_command
from docflow.cli.check import sign_command, validate_command, verify_command
from docflow.cli.envelope import envelope_group
from docflow.cli.exits import ExitCode, _DocflowGroup, _terminate
from docflow.cli.pdf import pdf_group
from docflow.cli.pki import pki_group
from docflow.cli.sim import calibrate_command, report_command, simulate_command, sweep_command
from docflow.cli.topology import topology_group

__all__ = ["ExitCode", "cli", "main"]


@click.group(cls=_DocflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
@click.version_option(package_name="docflow")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Simulate and check the exchange of signed edXML documents (QCVN 102:2016/BTTTT)."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


for _command in (validate_command, envelope_group, archive_group, audit_command,
                 topology_group, report_command, calibrate_command, simulate_command,
                 sweep_command, pki_group, pdf_group, sign_command, verify_command, axis_group,
                 load_command):
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)  # the terminal closed: clean up as for SIGTERM
    sys.exit(cli.main(standalone_mode=True) or 0)
