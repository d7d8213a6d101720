"""``envelope new``: write an edXML message from options or a TOML file."""

from __future__ import annotations

import sys
from typing import Any

import click

from docflow.cli.progress import QUIET, chatter


@click.group("envelope")
def envelope_group() -> None:
    """Write edXML messages (QCVN 102:2016/BTTTT)."""


@envelope_group.command("new")
@click.option("--from", "sender", metavar="ORGAN", help="Sender organ code (000.00.00.H49).")
@click.option("--to", "receivers", multiple=True, metavar="ORGAN",
              help="Receiver organ code; repeat for several.")
@click.option("--type", "doc_type", default="Công văn", show_default=True, metavar="TYPE",
              help="Decree 30/2020 type: abbreviation (QĐ), name (Quyết định) or enum name.")
@click.option("--number", type=click.IntRange(min=1), default=1, show_default=True,
              help="Document number (CodeNumber).")
@click.option("--notation", default=None, help="CodeNotation [default: TYPE-UBND, UBND-VP "
              "for a Công văn].")
@click.option("--subject", default=None, help="Subject (trích yếu).")
@click.option("--signer", default="Người ký", show_default=True, help="Signer's full name.")
@click.option("--attach", "attachments", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=str),
              help="File to attach; repeat for several.")
@click.option("--date", type=click.DateTime(formats=["%Y/%m/%d", "%Y-%m-%d"]), default=None,
              help="Promulgation date, yyyy/MM/dd [default: today, Vietnam time].")
@click.option("--from-toml", "toml_file", type=click.Path(exists=True, dir_okay=False,
              path_type=str), default=None,
              help="Describe the message in a TOML file whose keys mirror the model "
                   "(the other options are then not allowed).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default="-",
              show_default=True, help="Where to write the message ('-' for standard output).")
@QUIET
def envelope_new_command(sender: str | None, receivers: tuple[str, ...], doc_type: str,
                         number: int, notation: str | None, subject: str | None, signer: str,
                         attachments: tuple[str, ...], date: Any, toml_file: str | None,
                         output: str, quiet: bool) -> None:
    """Write a well-formed, schema-valid edXML document message.

    From options (--from, --to, --subject at least) or from a TOML file (--from-toml). The
    message is checked against the XSD before it is written. Exit code: 0 written; 2 a missing
    or bad option or key, named in the message.
    """
    import datetime as dt

    from docflow.envelope.compose import (
        compose_document,
        document_type_of,
        new_envelope,
        read_toml_message,
    )
    from docflow.envelope.dates import VIETNAM

    ctx = click.get_current_context()
    if toml_file is not None:
        typed = click.core.ParameterSource.COMMANDLINE
        given = [f"--{p.name.replace('_', '-')}" for p in ctx.command.params
                 if p.name not in ("toml_file", "output", "quiet")
                 and ctx.get_parameter_source(p.name or "") is typed]
        if given:
            raise click.UsageError(f"--from-toml cannot be combined with {', '.join(given)}")
        message = read_toml_message(toml_file)
    else:
        for value, name in ((sender, "--from"), (receivers, "--to"), (subject, "--subject")):
            if not value:
                raise click.UsageError(f"{name} is required (or describe the message with "
                                       "--from-toml)")
        try:
            kind = document_type_of(doc_type)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--type") from None
        day = date.date() if date is not None else dt.datetime.now(VIETNAM).date()
        message = compose_document(sender=sender or "", receivers=receivers, doc_type=kind,
                                   number=number, subject=subject or "", date=day,
                                   attachments=attachments, notation=notation, signer=signer)
    data = new_envelope(message)
    if output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from docflow.atomic import write_atomic

    write_atomic(output, data)
    chatter(f"wrote {output} ({len(data):,} bytes)", quiet)
