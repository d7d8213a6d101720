"""``pdf new``: an official document as PDF, laid out as Decree 30/2020 prescribes."""

from __future__ import annotations

from typing import Any

import click

from docflow.cli.progress import QUIET, chatter


@click.group("pdf")
def pdf_group() -> None:
    """Official documents as PDF (Decree 30/2020 layout, Vietnamese font embedded)."""


@pdf_group.command("new")
@click.option("--from", "organ", required=True, metavar="ORGAN",
              help="The issuing organ's code (000.00.00.H49); its name and place follow.")
@click.option("--type", "doc_type", default="Quyết định", show_default=True, metavar="TYPE",
              help="A Decree 30 type, by name or abbreviation (QĐ, Công văn, TB, ...).")
@click.option("--number", type=click.IntRange(min=1), required=True, help="Document number.")
@click.option("--subject", required=True, help="Subject (trích yếu).")
@click.option("--body", "body_file", type=click.Path(exists=True, dir_okay=False, path_type=str),
              default=None, help="UTF-8 text of the body; paragraphs separated by blank lines.")
@click.option("--signer", default="Nguyễn Văn An", show_default=True,
              help="The signer's full name, printed under the signature.")
@click.option("--date", type=click.DateTime(formats=["%Y-%m-%d", "%Y/%m/%d"]), default=None,
              help="Date of the document [default: today in Vietnam].")
@click.option("--appendix", is_flag=True,
              help="Lay out an appendix of the document (the organ alone signs it).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="Where to write the PDF.")
@QUIET
def pdf_new_command(organ: str, doc_type: str, number: int, subject: str,
                    body_file: str | None, signer: str, date: Any, appendix: bool,
                    output: str, quiet: bool) -> None:
    """Write the PDF of an official document laid out as Decree 30/2020 prescribes.

    The same options (and --date) give the same bytes. Exit code: 0 written; 2 a bad option,
    an unreadable body or a character the font cannot draw.
    """
    import datetime as dt

    from docflow.envelope.dates import VIETNAM
    from docflow.profile.nd30_document import write_document

    day = date.date() if date is not None else dt.datetime.now(VIETNAM).date()
    size = write_document(output, organ=organ, doc_type=doc_type, number=number,
                          subject=subject, date=day, body_file=body_file, signer=signer,
                          appendix=appendix)
    chatter(f"wrote {output} ({size:,} bytes)", quiet)
