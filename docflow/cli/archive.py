"""``archive import`` and ``audit``: keep envelopes in an archive, then measure their signing."""

from __future__ import annotations

import sys
from typing import Any

import click

from docflow.cli.options import trust_policy_options
from docflow.cli.progress import QUIET, progress_line


@click.group("archive")
def archive_group() -> None:
    """Keep envelopes in an SQLite archive: import them, then audit them."""


@archive_group.command("import")
@click.argument("source", type=click.Path(exists=True, path_type=str))
@click.option("--db", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="The archive to write (created if missing).")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True,
              help="Entries per transaction.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@QUIET
def archive_import_command(source: str, db: str, batch_size: int, fmt: str,
                           quiet: bool) -> None:
    """Import the .edxml/.xml files of SOURCE (a folder, a zip or a tar) into an archive.

    Idempotent: envelopes are keyed by content hash, so importing again adds nothing, and an
    interrupted import resumes. Exit code: 0 every entry archived; 1 some entries rejected
    (each with its finding code); 2 the source or the archive cannot be used, or the source
    holds no entry at all.
    """
    import json

    from docflow.archive import ImportConfig, import_into

    with progress_line(quiet) as line:
        result = import_into(source, db, ImportConfig(batch_size=batch_size), line)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(f"added {result.added:,}, already archived {result.already:,}, rejected "
                   f"{result.rejected + result.rejected_before:,}")
        for finding in result.findings:
            click.echo(f"  {finding.code} {finding.location}: {finding.message}")
    sys.exit(result.exit_code)


@click.command("audit")
@click.argument("source", type=click.Path(exists=True, path_type=str))
@click.option("--trust", "anchors", multiple=True, type=click.Path(exists=True, path_type=str),
              help="Trust anchor certificate file(s), or a 'docflow pki init' folder; "
              "repeatable. Without one, a simulation run's archive is checked against the "
              "run's trust/ folder beside it; anything else gets a warning (DF-AUD-003), "
              "since no signature can then be valid.")
@trust_policy_options(at_help="Validation time [default: each signature at its signing "
                       "time]; no zone means UTC.")
@click.option("--target", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="List levels and agencies whose rate is below this share, worst first.")
@click.option("--min-documents", type=click.IntRange(min=1), default=20, show_default=True,
              help="Rank only agencies that sent at least this many documents below --target "
              "(levels are always ranked); the others are counted.")
@click.option("--full", is_flag=True,
              help="Table format: list every agency, not only the worst below --target.")
@click.option("--measure", type=click.Choice(["organ_present", "signer_present",
                                              "both_present", "organ_valid", "signer_valid",
                                              "both_valid"]),
              default="both_valid", show_default=True, help="The rate --target applies to.")
@click.option("--topology", default=None, metavar="PRESET|FILE",
              help="Name the agencies and place them in provinces with this topology (vn-2025, "
              "vn-2024, ... or a GraphML/JSON file) [default: a simulation run's own topology, "
              "else the index of a --trust PKI folder, else organ codes only].")
@click.option("--db", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Import a folder, zip or tar into this archive (kept, so a later audit "
              "reuses its results) instead of a temporary one.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes [default: all cores].")
@click.option("--scheduler", default=None, metavar="local:N|tcp://HOST:PORT",
              help="Verify on Dask: a local cluster of N workers, or a running scheduler "
              "[default: this machine's processes, --jobs].")
@click.option("--chunk-size", type=click.IntRange(min=1), default=128, show_default=True,
              help="Envelopes per worker task.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "html"]),
              default="table", show_default=True,
              help="JSON schema docflow.audit/1; html is a self-contained report page.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write the result to this file instead of standard output.")
@QUIET
def audit_command(source: str, anchors: tuple[str, ...], crls: tuple[str, ...], at: Any,
                  revocation: str, legacy: bool, roles: str | None, key_usage: str,
                  target: float | None, min_documents: int, full: bool, measure: str,
                  topology: str | None, db: str | None, jobs: int | None,
                  scheduler: str | None, chunk_size: int,
                  fmt: str, output: str | None, quiet: bool) -> None:
    """Verify every document of SOURCE and report signing rates.

    SOURCE is an archive database, or a folder, zip or tar of .edxml/.xml files. Rates per
    level, province, agency (by name, where a topology or PKI index names it), document type
    and month, with 95% Wilson intervals. Exit code: 0 done (and
    nothing below --target, no entry rejected); 1 some level or agency below --target, or
    some entries of the source rejected (as ``archive import`` exits); 2 unusable input, or a
    source with nothing to audit.
    """
    import json
    from pathlib import Path

    from docflow.audit import AuditConfig, audit
    from docflow.audit.render import render_csv, render_table
    from docflow.report import render_audit, write_page
    from docflow.trust import Trust

    config = AuditConfig(trust=Trust.from_options(anchors, crls, at=at, revocation=revocation,
                                                  legacy=legacy, roles=roles,
                                                  key_usage=key_usage),
                         jobs=jobs, scheduler=scheduler, chunk_size=chunk_size, target=target,
                         min_documents=min_documents, measure=measure, topology=topology,
                         db=Path(db) if db else None)
    def notify(notice: Any) -> None:
        click.echo(f"{notice.effective_severity.value}: {notice.code} {notice.location}: "
                   f"{notice.message}", err=True)

    with progress_line(quiet) as line:
        result = audit(source, config, line, notify)
    if fmt == "json":
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "csv":
        text = render_csv(result)
    elif fmt == "html":
        text = render_audit(result.to_dict())
    else:
        text = render_table(result, full=full)
    if output is None:
        click.echo(text, nl=False)
    else:
        click.echo(str(write_page(text, output)))
    sys.exit(result.exit_code)
