"""The ``docflow`` command line: argument parsing, progress bars, exit codes. No logic.

Every command calls one function of the library and prints what it returns. Errors are mapped
to messages and exit codes in one place, :class:`_DocflowGroup`, with the codes of
:class:`ExitCode` (documented in ``docs/cli.md``): a :class:`DocflowError` prints its code,
location and message and exits with the code its class carries (2 for unusable input or
usage); commands return 0 or 1 themselves for passed or failed checks.
"""

from __future__ import annotations

import enum
import sys
from typing import Any

import click

from docflow.errors import DocflowError

__all__ = ["ExitCode", "main"]


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


@click.group(cls=_DocflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
@click.version_option(package_name="docflow")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Simulate and check the exchange of signed edXML documents (QCVN 102:2016/BTTTT)."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


class _IsoDateTime(click.ParamType):
    """An ISO 8601 date or date-time (``2025-07-01``, ``2025-07-01T09:00:00+07:00``)."""

    name = "datetime"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        import datetime as dt

        if isinstance(value, dt.datetime):
            return value
        try:
            return dt.datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date or date-time, e.g. "
                      "2025-07-01T09:00:00+07:00 (no zone means UTC)", param, ctx)


_AT_NOW = "Validation time of the signatures [default: now]; no zone means UTC."


def _trust_policy_options(command: Any = None, *, at_help: str = _AT_NOW) -> Any:
    """The options that say how signatures are judged, shared by ``validate``, ``verify`` and
    ``audit``: CRLs, the validation time, the revocation and algorithm policy, the role
    mapping. ``@_trust_policy_options(at_help=...)`` words ``--at`` for a command whose
    default time is not now."""
    if command is None:
        return lambda decorated: _trust_policy_options(decorated, at_help=at_help)
    for option in reversed([
        click.option("--crl", "crls", multiple=True,
                     type=click.Path(exists=True, dir_okay=False, path_type=str),
                     help="CRL file(s) of the CAs (repeatable)."),
        click.option("--at", type=_IsoDateTime(), default=None, help=at_help),
        click.option("--revocation", type=click.Choice(["require", "if-available", "off"]),
                     default="require", show_default=True,
                     help="Whether a CRL in force is required for every CA."),
        click.option("--legacy", is_flag=True, help="Admit SHA-1, DSA and RSA-1024 in "
                     "signatures and certificates (the named legacy policy)."),
        click.option("--roles", type=click.Path(exists=True, dir_okay=False, path_type=str),
                     default=None, help="Role mapping (TOML) for certificates of other CAs: "
                     "which policy or name makes an organ or a signer certificate."),
        click.option("--key-usage", type=click.Choice(["require", "if-present"]),
                     default="require", show_default=True, help="Whether a signing "
                     "certificate must carry keyUsage; if-present checks it only where it is "
                     "(RFC 5280, xmlsec1), for CAs whose certificates carry none."),
    ]):
        command = option(command)
    return command


class _RoleSet(click.ParamType):
    """Signature roles, comma-separated (``organ``, ``organ,signer``), or ``none``."""

    name = "roles"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        from docflow.pki.roles import Role

        if isinstance(value, frozenset):
            return value
        words = [word.strip().lower() for word in str(value).split(",")]
        if words == ["none"]:
            return frozenset()
        roles = {role.value: role for role in Role}
        if not all(word in roles for word in words):
            self.fail(f"{value!r} is not a list of roles: give organ, signer, organ,signer "
                      "or none", param, ctx)
        return frozenset(roles[word] for word in words)


_REQUIRE = ("Roles whose signatures an edXML document message must hold: organ, signer, "
            "organ,signer or none [default: organ] (DF-SIG-028 for each one missing). Status "
            "messages and other XML need none.")


def _required_roles_option(command: Any = None, *, extra_help: str = "") -> Any:
    """``--require``, shared by ``validate`` and ``verify`` (not ``audit``, which counts each
    role's presence instead of failing a document that lacks one)."""
    if command is None:
        return lambda decorated: _required_roles_option(decorated, extra_help=extra_help)
    return click.option("--require", "required_roles", type=_RoleSet(), default=None,
                        metavar="ROLES", help=f"{_REQUIRE} {extra_help}".strip())(command)


@cli.command("validate")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, allow_dash=True, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True,
              help="Text for people, JSON (schema docflow.validation/1) for tools.")
@click.option("--no-schema", is_flag=True, help="Skip the XSD; the rules then report missing "
              "fields themselves.")
@click.option("--no-rules", is_flag=True, help="Skip the business rules.")
@click.option("--max-size", type=click.IntRange(min=1), default=None, metavar="BYTES",
              help="Refuse larger inputs (DF-IO-002) [default: 64 MiB].")
@click.option("--timings", is_flag=True, help="Add per-stage timings to the JSON report.")
@click.option("--trust", multiple=True, type=click.Path(exists=True, path_type=str),
              help="Trust anchor certificate file(s), or a 'docflow pki init' folder: "
              "signatures are then verified, and a document message must hold the organ's. "
              "Without one, signatures are not checked, and the verdict says so.")
@_trust_policy_options
@_required_roles_option(extra_help="With --require none, a message with no signature at all "
                        "is only warned about (DF-SIG-022), as a draft not yet signed.")
@click.option("--no-signatures", is_flag=True, help="Skip signature verification.")
def validate_command(paths: tuple[str, ...], fmt: str, no_schema: bool, no_rules: bool,
                     max_size: int | None, timings: bool, trust: tuple[str, ...],
                     crls: tuple[str, ...], at: Any, revocation: str, legacy: bool,
                     roles: str | None, key_usage: str, required_roles: Any,
                     no_signatures: bool) -> None:
    """Check edXML messages: FILE, a folder (its .xml/.edxml files) or - for stdin.

    Prints PASSED, FAILED or INDETERMINATE per file with every finding. Exit code: 0 all
    passed; 1 some failed or indeterminate (a file that cannot be read or parsed among others
    is one of these); 2 usage error, or no input could be read and parsed at all.
    """
    import dataclasses
    import json

    from docflow.profile.edxml import REQUIRED_ROLES
    from docflow.trust import Trust
    from docflow.validation import (
        ValidationConfig,
        ValidationSummary,
        validate_paths,
    )
    from docflow.validation.report import validation_document
    from docflow.validation.text import render_report, render_summary
    from docflow.xmlsafe import DEFAULT_LIMITS

    if not trust and (crls or at or legacy or roles or required_roles is not None):
        raise click.UsageError("--crl, --at, --legacy, --roles and --require say how "
                               "signatures are checked, and need --trust")
    limits = DEFAULT_LIMITS if max_size is None else \
        dataclasses.replace(DEFAULT_LIMITS, max_bytes=max_size)
    config = ValidationConfig(
        limits=limits,
        check_schema=not no_schema, check_rules=not no_rules,
        trust=Trust.from_options(trust, crls, at=at, revocation=revocation, legacy=legacy,
                                 roles=roles, key_usage=key_usage) if trust else None,
        required_roles=REQUIRED_ROLES if required_roles is None else required_roles,
        check_signatures=not no_signatures)
    reports = []
    for report in validate_paths(paths, config):
        reports.append(report)
        if fmt == "text":
            click.echo(render_report(report))
    summary = ValidationSummary.of(reports)
    if fmt == "json":
        click.echo(json.dumps(validation_document(reports, timings=timings),
                              ensure_ascii=False, indent=2))
    else:
        click.echo(render_summary(summary))
    if summary.total == 0:
        click.echo("error: no .xml or .edxml file found in the folders given", err=True)
    sys.exit(summary.exit_code)


# --- envelope -------------------------------------------------------------------------------
@cli.group("envelope")
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
def envelope_new_command(sender: str | None, receivers: tuple[str, ...], doc_type: str,
                         number: int, notation: str | None, subject: str | None, signer: str,
                         attachments: tuple[str, ...], date: Any, toml_file: str | None,
                         output: str) -> None:
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
                 if p.name not in ("toml_file", "output")
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
    click.echo(f"wrote {output} ({len(data):,} bytes)", err=True)


# --- archive and audit ----------------------------------------------------------------------
@cli.group("archive")
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
@click.option("--quiet", "-q", is_flag=True, help="No progress line.")
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

    bar: Any = None

    def progress(count: int) -> None:
        nonlocal bar
        if bar is None:  # the number of entries is not known before the source is read
            bar = click.progressbar((_ for _ in ()), label="importing", file=sys.stderr,
                                    show_pos=True, show_percent=False)
            bar.__enter__()
        bar.update(count)

    try:
        result = import_into(source, db, ImportConfig(batch_size=batch_size),
                             None if quiet else progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(f"added {result.added:,}, already archived {result.already:,}, rejected "
                   f"{result.rejected + result.rejected_before:,}")
        for finding in result.findings:
            click.echo(f"  {finding.code} {finding.location}: {finding.message}")
    sys.exit(result.exit_code)


@cli.command("audit")
@click.argument("source", type=click.Path(exists=True, path_type=str))
@click.option("--trust", "anchors", multiple=True, type=click.Path(exists=True, path_type=str),
              help="Trust anchor certificate file(s), or a 'docflow pki init' folder; "
              "repeatable. Without one, a simulation run's archive is checked against the "
              "run's trust/ folder beside it; anything else gets a warning (DF-AUD-003), "
              "since no signature can then be valid.")
@_trust_policy_options(at_help="Validation time [default: each signature at its signing "
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
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def audit_command(source: str, anchors: tuple[str, ...], crls: tuple[str, ...], at: Any,
                  revocation: str, legacy: bool, roles: str | None, key_usage: str,
                  target: float | None, min_documents: int, full: bool, measure: str,
                  db: str | None, jobs: int | None, scheduler: str | None, chunk_size: int,
                  fmt: str, output: str | None, quiet: bool) -> None:
    """Verify every document of SOURCE and report signing rates.

    SOURCE is an archive database, or a folder, zip or tar of .edxml/.xml files. Rates per
    level, agency, document type and month, with 95% Wilson intervals. Exit code: 0 done (and
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
                         min_documents=min_documents, measure=measure,
                         db=Path(db) if db else None)
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="verifying", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    def notify(notice: Any) -> None:
        click.echo(f"{notice.effective_severity.value}: {notice.code} {notice.location}: "
                   f"{notice.message}", err=True)

    try:
        result = audit(source, config, None if quiet else progress, notify)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
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


@cli.group("topology")
def topology_group() -> None:
    """Inspect and export topologies: presets (vn-2025, vn-2024, ...) or GraphML/JSON files."""


@topology_group.command("show")
@click.argument("topology", metavar="PRESET|FILE")
@click.option("--hubs", "per_hub", is_flag=True, help="Also count the agencies on each hub.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def topology_show_command(topology: str, per_hub: bool, fmt: str) -> None:
    """Print the agencies of a topology per level, per kind and per hub kind."""
    import json

    from docflow.topology.files import load_topology
    from docflow.topology.summary import render_text, summarize

    summary = summarize(load_topology(topology), per_hub=per_hub)
    if fmt == "json":
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(summary))


@topology_group.command("export")
@click.argument("topology", metavar="PRESET|FILE")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="File to write: .graphml or .json.")
def topology_export_command(topology: str, output: str) -> None:
    """Write a topology (a preset or a file) as GraphML or JSON, by the output's suffix."""
    from docflow.topology.files import load_topology, save_topology

    topo = load_topology(topology)
    save_topology(topo, output)
    click.echo(f"wrote {output}: {len(topo.agencies):,} agencies, {len(topo.hubs):,} hubs",
               err=True)


@cli.command("report")
@click.argument("run_dir", metavar="DIR", type=click.Path(exists=True, path_type=str))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Where to write the page [default: DIR/report.html].")
def report_command(run_dir: str, output: str | None) -> None:
    """Render the summary.json of the simulation run in DIR as a self-contained HTML report.

    The page has its styles and charts inline and loads nothing, so it opens offline and can be
    mailed. Exit code: 0 written; 2 no readable summary.json in DIR.
    """
    from docflow.report import write_simulation_report

    click.echo(str(write_simulation_report(run_dir, output)))


@cli.command("calibrate")
@click.argument("targets", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--out", "-o", "out", required=True,
              type=click.Path(file_okay=False, path_type=str),
              help="Folder for calibration.json and calibration.md.")
def calibrate_command(targets: str, out: str) -> None:
    """Fit the traffic model's rates and direction mix to the published figures of TARGETS.

    Least squares over the targets (each weighted by its stated uncertainty), with each
    parameter's standard deviation from the Jacobian; then every province held out in turn and
    predicted from its topology alone, and each ambiguous figure refitted under its other
    readings. Writes OUT/calibration.json and OUT/calibration.md and prints the latter.
    Exit code: 0 written; 2 unusable targets or scenario.
    """
    from docflow.sim.calib_run import calibrate, render_markdown

    click.echo(render_markdown(calibrate(targets, out)), nl=False)


@cli.command("simulate")
@click.argument("scenario", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--out", "-o", "out", required=True,
              type=click.Path(file_okay=False, path_type=str),
              help="Folder for summary.json and report.html (and archive.sqlite with trust/ "
              "in sample/real mode); must be empty or missing unless --force.")
@click.option("--force", is_flag=True, help="Replace the run in a non-empty --out folder: its "
              "run files are removed first; other files are left alone.")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Override the scenario's seed.")
@click.option("--crypto", default=None, metavar="MODE",
              help="Override the crypto mode: model, sample:N or real.")
@click.option("--scheduler", default=None, metavar="local:N|tcp://HOST:PORT",
              help="Sign and verify (sample, real crypto) on Dask [default: this machine's "
              "processes].")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary table.")
def simulate_command(scenario: str | None, out: str, force: bool, seed: int | None,
                     crypto: str | None, scheduler: str | None, quiet: bool) -> None:
    """Run a load scenario (TOML) and write DIR/summary.json and DIR/report.html.

    Without SCENARIO, runs the built-in default: one week of vn-2025 with 2,000 documents really
    signed and verified. Exit code: 0 done; 2 a bad scenario or option, named in the message,
    or a non-empty --out without --force (DF-RUN-001).
    """
    from docflow.runs import simulate
    from docflow.sim.text import render_summary

    bar: Any = None
    label = "simulated days"

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr,
                                    show_pos=True)
            bar.__enter__()
        bar.label = label
        bar.update(done - bar.pos)

    def notice(text: str) -> None:
        if bar is None:
            click.echo(f"{text}…", err=True)
        else:  # on the progress line itself, until the next simulated day
            bar.label = f"{label} ({text})"
            bar.render_progress()

    try:
        result = simulate(scenario, out, seed=seed, crypto=crypto, force=force,
                          scheduler=scheduler, progress=None if quiet else progress,
                          notice=None if quiet else notice)
        if bar is not None:
            bar.update(bar.length - bar.pos)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if not quiet:
        click.echo(render_summary(result.summary))
        click.echo(f"wrote {result.out}/summary.json, {result.report}"
                   + (f" and {result.archive}" if result.archive else ""), err=True)


@cli.command("sweep")
@click.argument("scenario", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--seeds", required=True, metavar="N-M",
              help="Seeds of every combination: N, N-M or a list of those (1-100).")
@click.option("--vary", multiple=True, metavar="KEY=V1,V2,...",
              help="A scenario key and its values (hubs.workers=1,2,4); repeatable: every "
              "combination runs.")
@click.option("--crypto", default=None, metavar="MODE",
              help="Override every run's crypto mode: model, sample:N or real.")
@click.option("--scheduler", default=None, metavar="local:N|tcp://HOST:PORT",
              help="Run on Dask [default: this machine's processes, --jobs].")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes without --scheduler [default: all cores].")
@click.option("--out", "-o", "out", required=True,
              type=click.Path(file_okay=False, path_type=str),
              help="Folder for sweep.json and sweep.html.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def sweep_command(scenario: str | None, seeds: str, vary: tuple[str, ...], crypto: str | None,
                  scheduler: str | None, jobs: int | None, out: str, quiet: bool) -> None:
    """Run SCENARIO over seeds and varied keys; write OUT/sweep.json and OUT/sweep.html.

    Each run is what 'docflow simulate' gives with that seed and those keys. Exit code: 0
    done; 2 a bad option, scenario or scheduler, named in the message.
    """
    from docflow.dist.sweep import Variation, parse_seeds, sweep
    from docflow.report.sweep import write_sweep_report

    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="runs", file=sys.stderr,
                                    show_pos=True, show_eta=True)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        result = sweep(scenario, out, seeds=parse_seeds(seeds),
                       vary=[Variation.parse(v) for v in vary], crypto=crypto,
                       scheduler=scheduler, jobs=jobs, progress=None if quiet else progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    page = write_sweep_report(out)
    click.echo(f"wrote {result.out / 'sweep.json'} and {page} "
               f"({len(result.data['runs'])} runs)", err=True)


# --- pki ------------------------------------------------------------------------------------
@cli.group("pki")
def pki_group() -> None:
    """The national test PKI: a root CA, a sub-CA per hub, organ and signer certificates."""


@pki_group.command("init")
@click.option("--preset", "topology", required=True, metavar="PRESET|FILE",
              help="The topology whose agencies get certificates (vn-2024, vn-2025, tiny, ... "
              "or a GraphML/JSON file).")
@click.option("--seed", type=click.IntRange(min=0), required=True,
              help="Every key, serial number and signature derives from it.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder to write (created if missing); must be empty unless --force.")
@click.option("--force", is_flag=True, help="Replace the PKI in a non-empty --out folder: its "
              "keys, certificates and index are removed first; other files are left alone.")
@click.option("--algorithm", type=click.Choice(["ecdsa-p256", "ed25519", "rsa-2048"]),
              default="ecdsa-p256", show_default=True,
              help="Key type; RSA keys are generated once and cached (see docs/pki.md).")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False, path_type=str),
              default=None, help="Encrypt every private key with the first line of this file.")
@click.option("--at", type=_IsoDateTime(), default=None,
              help="Issue time of every certificate and CRL [default: today 00:00 UTC]; pin it "
              "to get the same bytes on another day.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes [default: all cores].")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def pki_init_command(topology: str, seed: int, out: str, force: bool, algorithm: str,
                     passphrase_file: str | None, at: Any, jobs: int | None,
                     quiet: bool) -> None:
    """Write the test PKI of a topology to OUT: PEM certificates, PKCS#8 keys, CRLs, index.json.

    Every agency gets an organ certificate and a person (signer) certificate from its hub's
    sub-CA. Exit code: 0 written; 2 unusable topology, passphrase file or output folder, or a
    non-empty OUT without --force (DF-RUN-001).
    """
    import contextlib
    import datetime as dt

    from docflow.pki.export import write_pki
    from docflow.pki.io import read_passphrase
    from docflow.pki.keys import KeyAlgorithm
    from docflow.pki.national import Agency, Hub, NationalPki
    from docflow.topology.files import load_topology

    if at is None:
        at = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    elif at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    topo = load_topology(topology)
    pki = NationalPki.build(
        [Agency(a.code, a.name, a.level.value, a.hub) for a in topo.agencies], seed=seed, at=at,
        algorithm=KeyAlgorithm(algorithm), hubs=[Hub(h.id, h.name) for h in topo.hubs])
    passphrase = read_passphrase(passphrase_file) if passphrase_file else None
    bar: Any = contextlib.nullcontext() if quiet else click.progressbar(
        length=len(topo.agencies), label="issuing certificates", file=sys.stderr)
    with bar:
        summary = write_pki(pki, out, passphrase=passphrase, jobs=jobs,
                            progress=None if quiet else bar.update,
                            extra={"topology": topo.name}, force=force)
    click.echo(f"wrote {summary.certificates:,} certificates ({summary.agencies:,} agencies × "
               f"organ + signer, {summary.crls:,} CAs), {summary.crls:,} CRLs and "
               f"{summary.tls_certificates:,} TLS certificates for the axis to {out} in "
               f"{summary.seconds:.1f} s", err=True)


@pki_group.group("tsa")
def pki_tsa_group() -> None:
    """The PKI's RFC 3161 timestamp authority (for PAdES B-T signatures)."""


@pki_tsa_group.command("serve")
@click.option("--pki", "pki_dir", required=True,
              type=click.Path(exists=True, file_okay=False, path_type=str),
              help="A 'docflow pki init' folder; its tsa/ certificate and key are used.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=click.IntRange(0, 65535), default=3161, show_default=True,
              help="Port to bind (0: any free port, printed).")
def pki_tsa_serve_command(pki_dir: str, host: str, port: int) -> None:
    """Answer RFC 3161 timestamp requests over HTTP until interrupted.

    Prints 'listening on http://HOST:PORT' on stderr once bound. Exit code: 0 stopped;
    2 a PKI folder without a TSA, or an address that cannot be bound.
    """
    from docflow.pki.tsa_server import serve_pki

    serve_pki(pki_dir, host, port,
              ready=lambda url: click.echo(f"listening on {url}", err=True))


# --- PDF documents --------------------------------------------------------------------------
@cli.group("pdf")
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
def pdf_new_command(organ: str, doc_type: str, number: int, subject: str,
                    body_file: str | None, signer: str, date: Any, appendix: bool,
                    output: str) -> None:
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
    click.echo(f"wrote {output} ({size:,} bytes)", err=True)


# --- signatures -------------------------------------------------------------------------
@cli.command("sign")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True,
                                        path_type=str))
@click.option("--key", required=True, type=click.Path(exists=True, dir_okay=False,
                                                      path_type=str),
              help="Private key (PKCS#8 PEM or DER).")
@click.option("--cert", required=True, type=click.Path(exists=True, dir_okay=False,
                                                       path_type=str),
              help="The signing certificate.")
@click.option("--chain", multiple=True, type=click.Path(exists=True, dir_okay=False,
                                                        path_type=str),
              help="CA certificates to carry after it (repeatable; a PEM may hold several).")
@click.option("--role", type=click.Choice(["signer", "organ"]), default=None,
              help="edXML: 'signer' signs the attachments (first), 'organ' the whole message. "
              "PDF: the person signs first, the organ second [default: the certificate's "
              "role]. Ignored for other XML, which gets one enveloped signature.")
@click.option("--tsa", default=None, metavar="URL",
              help="PDF: an RFC 3161 timestamp authority (PAdES B-T), e.g. the one of "
              "'docflow pki tsa serve'.")
@click.option("--at", type=_IsoDateTime(), default=None,
              help="PDF: the signing time [default: now]; pin it to get the same bytes.")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False, path_type=str),
              default=None, help="The key's passphrase, on the first line of this file.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default="-",
              show_default=True, help="Where to write the signed document.")
def sign_command(file: str, key: str, cert: str, chain: tuple[str, ...], role: str | None,
                 tsa: str | None, at: Any, passphrase_file: str | None, output: str) -> None:
    """Sign FILE (- for stdin): a PDF with PAdES, an edXML message or any XML with XML-DSig.

    The file's content decides (a PDF starts with %PDF-). A PDF is signed in the order of
    Decree 30/2020: the signer (person) first with a visible signature, the organ second
    with its seal; an appendix by the organ alone. Exit code: 0 signed; 2 unusable input,
    key or certificate, or a role that does not fit (the certificate's role, or the order).
    """
    import datetime as dt

    from docflow.pki.io import read_passphrase
    from docflow.profile.files import sign_file

    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    passphrase = read_passphrase(passphrase_file) if passphrase_file else None
    signed = sign_file(file, key=key, cert=cert, chain=chain, role=role, passphrase=passphrase,
                       tsa=tsa, at=at)
    if output == "-":
        sys.stdout.buffer.write(signed)
    else:
        from docflow.atomic import write_atomic

        write_atomic(output, signed)


@cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True,
                                        path_type=str))
@click.option("--trust", multiple=True, type=click.Path(exists=True, path_type=str),
              help="Trust anchor certificate file(s), or a 'docflow pki init' folder "
              "(required for the edXML profile).")
@click.option("--profile", type=click.Choice(["edxml", "xmldsig"]), default="edxml",
              show_default=True, help="edxml: docflow's edXML profile (roles, sender, the "
              "organ's signature required); any other document fails. xmldsig: one enveloped "
              "or enveloping XML-DSig signature, with no edXML meaning checked.")
@click.option("--key", type=click.Path(exists=True, dir_okay=False, path_type=str),
              default=None, help="With --profile xmldsig, instead of --trust: a key known out "
              "of band, a certificate or public key (PEM or DER), or with --legacy an HMAC "
              "secret. With neither, the document's own key checks the cryptography only "
              "(INDETERMINATE, DF-SIG-016).")
@_trust_policy_options
@_required_roles_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def verify_command(file: str, trust: tuple[str, ...], profile: str, key: str | None,
                   crls: tuple[str, ...], at: Any, revocation: str, legacy: bool,
                   roles: str | None, key_usage: str, required_roles: Any, fmt: str) -> None:
    """Verify every signature of FILE (- for stdin) against the trust anchors.

    By default FILE must be an edXML message, checked in docflow's profile (the signer's
    signature over the attachments, the organ's over the message, each role from its
    certificate, the organ's of the sender's agency and required on a document message unless
    --require says otherwise). --profile xmldsig checks plain XML-DSig instead. Exit code: 0
    every signature valid and trusted; 1 any failed or indeterminate, a required role
    missing, or none; 2 unusable input, options or trust files.
    """
    import json

    from docflow.profile.choice import Profile
    from docflow.profile.edxml import REQUIRED_ROLES
    from docflow.profile.files import render_text
    from docflow.profile.verify import VerifyConfig, verify
    from docflow.trust import Trust

    chosen = Profile(profile)
    if not trust and key is None and chosen is Profile.EDXML:
        raise click.UsageError("the edXML profile needs --trust (trust anchors or a "
                               "'docflow pki init' folder)")
    config = VerifyConfig(
        trust=Trust.from_options(trust, crls, at=at, revocation=revocation, legacy=legacy,
                                 roles=roles, key=key, key_usage=key_usage),
        profile=chosen,
        required_roles=REQUIRED_ROLES if required_roles is None else required_roles)
    result = verify(file, config)
    if fmt == "json":
        click.echo(json.dumps({"file": file, **result.to_dict()}, ensure_ascii=False,
                              indent=2))
    else:
        click.echo(render_text(result, file))
    sys.exit(0 if result.passed else 1)


# --- the axis sandbox ----------------------------------------------------------------------
@cli.group("axis")
def axis_group() -> None:
    """The live axis sandbox: serve it, and send, list, fetch and answer as an agency."""


_PKI = click.option("--pki", required=True, type=click.Path(exists=True, file_okay=False,
                                                            path_type=str),
                    help="The 'docflow pki init' folder (trust, directory, TLS certificates).")
_URL = click.option("--url", default="https://127.0.0.1:8443", show_default=True,
                    help="The axis server.")
_AS = click.option("--as", "organ", required=True, metavar="CODE",
                   help="The agency to act as (its TLS client certificate is used).")
_PASS = click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False,
                                                          path_type=str), default=None,
                     help="Decrypts the PKI folder's keys (pki init --passphrase-file).")


def _passphrase(path: str | None) -> bytes | None:
    from docflow.pki.io import read_passphrase

    return read_passphrase(path) if path else None


@axis_group.command("serve")
@_PKI
@click.option("--db", default="axis.sqlite", show_default=True, metavar="URL",
              help="Store: an SQLite file, or postgresql://user@host:port/db to share one "
              "store between server processes.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8443, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Server processes.")
@click.option("--max-size", type=click.IntRange(min=1024), default=None, metavar="BYTES",
              help="Largest message accepted (DF-AXS-001) [default: 32 MiB].")
@click.option("--revocation", type=click.Choice(["require", "if-available", "off"]),
              default="require", show_default=True,
              help="Whether a CRL in force is required for every CA.")
@click.option("--body-timeout", type=click.FloatRange(min=0.1), default=30.0,
              show_default=True, metavar="SECONDS",
              help="Time a request body may take to arrive whole (DF-AXS-016).")
@_PASS
def axis_serve_command(pki: str, db: str, host: str, port: int, workers: int,
                       max_size: int | None, revocation: str, body_timeout: float,
                       passphrase_file: str | None) -> None:
    """Serve the axis API over mutual TLS until interrupted.

    Every message is validated and its signatures verified against the PKI before it is
    acknowledged; acknowledged messages are committed first. Exit code: 0 stopped; 2 unusable
    PKI folder or store.
    """
    import dataclasses
    from pathlib import Path

    from docflow.axis.config import ServeConfig
    from docflow.axis.server import serve

    config = ServeConfig(Path(pki), db=db, host=host, port=port, workers=workers,
                         revocation=revocation, body_seconds=body_timeout,
                         passphrase_file=Path(passphrase_file) if passphrase_file else None)
    if max_size is not None:
        config = dataclasses.replace(config, max_bytes=max_size)
    serve(config, announce=lambda line: click.echo(line, err=True))


@axis_group.command("send")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=str))
@_URL
@_PKI
@_AS
@_PASS
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def axis_send_command(files: tuple[str, ...], url: str, pki: str, organ: str,
                      passphrase_file: str | None, fmt: str) -> None:
    """Send edXML messages (documents or status messages) as agency CODE.

    One line per file: accepted with its id, or refused with the finding codes. Exit code: 0
    all accepted; 1 some refused; 2 the axis cannot be reached or a file cannot be read.
    """
    import json

    from docflow.axis.client import Client
    from docflow.xmlsafe import read_bytes

    results = []
    with Client(url, pki, organ, passphrase=_passphrase(passphrase_file)) as axis:
        for name in files:
            result = axis.send(read_bytes(name, 64 * 1024 * 1024))
            results.append((name, result))
            if fmt == "text":
                click.echo(result.line(name))
    if fmt == "json":
        click.echo(json.dumps([{"file": n, **r.to_dict()} for n, r in results],
                              ensure_ascii=False, indent=2))
    sys.exit(0 if all(r.accepted for _, r in results) else 1)


def _listing_text(rows: list[dict[str, Any]]) -> str:
    import datetime as dt

    lines = []
    for row in rows:
        when = dt.datetime.fromtimestamp(row["received_at"], dt.UTC).isoformat(
            timespec="seconds")
        what = row["document_id"] if row["kind"] == "document" else \
            f"status {row['status_code']} for {row['response_for']}"
        lines.append(f"{row['id']:>8}  {when}  {row['from']:<16} {what}")
    return "\n".join(lines) if lines else "(nothing)"


@axis_group.command("inbox")
@_URL
@_PKI
@_AS
@_PASS
@click.option("--sent", "sent_list", is_flag=True, help="List what CODE sent instead.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def axis_inbox_command(url: str, pki: str, organ: str, passphrase_file: str | None,
                       sent_list: bool, fmt: str) -> None:
    """List what waits for agency CODE (or, with --sent, what it sent and each status)."""
    import json

    from docflow.axis.client import Client

    with Client(url, pki, organ, passphrase=_passphrase(passphrase_file)) as axis:
        rows = axis.sent() if sent_list else axis.inbox()
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        click.echo(_listing_text(rows))


@axis_group.command("get")
@click.argument("ids", nargs=-1, required=True, type=click.IntRange(min=1))
@_URL
@_PKI
@_AS
@click.option("-o", "--output", type=click.Path(path_type=str), default="-", show_default=True,
              help="File to write (one id), or a folder for several ('-': standard output).")
@_PASS
def axis_get_command(ids: tuple[int, ...], url: str, pki: str, organ: str,
                     output: str, passphrase_file: str | None) -> None:
    """Fetch messages by id, byte for byte as the axis acknowledged them."""
    from pathlib import Path

    from docflow.axis.client import Client

    with Client(url, pki, organ, passphrase=_passphrase(passphrase_file)) as axis:
        for message_id in ids:
            data = axis.get(message_id)
            if output == "-":
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
                continue
            target = Path(output)
            if len(ids) > 1 or target.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                target = target / f"{message_id}.edxml"
            from docflow.atomic import write_atomic

            write_atomic(target, data)
            click.echo(f"wrote {target} ({len(data):,} bytes)", err=True)


@axis_group.command("status")
@click.argument("ids", nargs=-1, required=True, type=click.IntRange(min=1))
@_URL
@_PKI
@_AS
@click.option("--code", required=True,
              type=click.Choice(["01", "02", "03", "04", "05", "06", "13", "15", "16"]),
              help="The status: 01 arrived, 02 rejected, 03 accepted, 04 assigned, "
              "05 processing, 06 done, 13 recalled, 15/16 change accepted/rejected.")
@click.option("--description", default=None, help="Description [default: the code's "
              "Vietnamese wording].")
@_PASS
def axis_status_command(ids: tuple[int, ...], url: str, pki: str, organ: str, code: str,
                        description: str | None, passphrase_file: str | None) -> None:
    """Answer documents with an edXML status message, sent through the axis.

    Exit code: 0 all accepted; 1 some refused; 2 the axis cannot be reached.
    """
    from docflow.axis.client import Client
    from docflow.envelope.status import StatusCode

    results = []
    with Client(url, pki, organ, passphrase=_passphrase(passphrase_file)) as axis:
        for message_id in ids:
            result = axis.status(message_id, StatusCode(code), description)
            results.append(result)
            click.echo(result.line(f"status {code} for {message_id}"))
    sys.exit(0 if all(r.accepted for r in results) else 1)


@cli.command("load")
@click.argument("scenario", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--url", default="https://127.0.0.1:8443", show_default=True,
              help="The axis server.")
@click.option("--pki", required=True, type=click.Path(exists=True, file_okay=False,
                                                      path_type=str),
              help="The 'docflow pki init' folder of the scenario's topology (the agencies' "
              "signing keys and TLS client certificates).")
@click.option("--rate-scale", type=click.FloatRange(min=0, min_open=True), default=600.0,
              show_default=True, help="Scenario working seconds played per real second.")
@click.option("--duration", type=click.FloatRange(min=0, min_open=True), default=60.0,
              show_default=True, metavar="SECONDS", help="Real seconds of sending.")
@click.option("--max-documents", type=click.IntRange(min=1), default=2000, show_default=True,
              help="At most this many documents.")
@click.option("--max-kb", type=click.IntRange(min=1), default=256, show_default=True,
              help="Cut each attachment to this size.")
@click.option("--drain", type=click.FloatRange(min=0), default=20.0, show_default=True,
              metavar="SECONDS", help="How long receivers go on after the last send.")
@click.option("--no-status", is_flag=True, help="Receivers fetch but do not answer.")
@click.option("--model-service-ms", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="MS", help="The service's measured cost per message: the simulator's "
              "FIFO stage then predicts the run beside the measurement.")
@click.option("--model-workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="The service's workers, for that prediction.")
@_PASS
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder for summary.json and report.html.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
def load_command(scenario: str | None, url: str, pki: str, rate_scale: float, duration: float,
                 max_documents: int, max_kb: int, drain: float, no_status: bool,
                 model_service_ms: float | None, model_workers: int,
                 passphrase_file: str | None, out: str, quiet: bool) -> None:
    """Play a scenario's traffic against a live axis and measure it.

    Many agencies at once, each with its own TLS client certificate: documents really signed,
    sent open-loop at the scenario's times (compressed by --rate-scale), fetched and answered
    by their receivers. Writes OUT/summary.json (the simulator's shape, measured) and
    OUT/report.html. Exit code: 0 done; 1 some document refused or lost; 2 unusable input or
    an unreachable axis.
    """
    from pathlib import Path

    from docflow.axis.load import LoadConfig, load
    from docflow.report import write_simulation_report

    config = LoadConfig(url, Path(pki), rate_scale=rate_scale, duration_s=duration,
                        max_documents=max_documents, max_kb=max_kb, drain_s=drain,
                        statuses=not no_status, passphrase=_passphrase(passphrase_file),
                        model_service_ms=model_service_ms, model_workers=model_workers)
    bar: Any = None

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=stage, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        summary = load(scenario, config, out, progress=None if quiet else progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    report = write_simulation_report(out)
    measured = summary["load"]
    click.echo(f"{summary['totals']['documents_sent']:,} documents acknowledged of "
               f"{measured['attempted']:,} sent ({measured['acknowledged_per_s']} per s); "
               f"{summary['totals']['delivered']:,} of {summary['totals']['deliveries']:,} "
               f"deliveries fetched; acknowledgement p50/p95/p99 "
               f"{measured['ack_latency_s']['p50']}/{measured['ack_latency_s']['p95']}/"
               f"{measured['ack_latency_s']['p99']} s; refused {measured['refused'] or 'none'}")
    model = measured.get("model")
    if model is not None:
        rate, ack = model["throughput_per_s"], model["ack_latency_s"]
        click.echo(f"model ({model['workers']} worker(s), {model['service_ms']} ms a message, "
                   f"utilisation {model['utilisation']}): throughput {rate['predicted']} "
                   f"predicted / {rate['measured']} measured per s; acknowledgement p50/p95/p99 "
                   + " vs ".join("/".join(str(ack[side][q]) for q in ("p50", "p95", "p99"))
                                 + f" s {side}" for side in ("predicted", "measured")))
    click.echo(f"wrote {out}/summary.json and {report}", err=True)
    sys.exit(1 if measured["refused"] or summary["totals"]["lost"] else 0)
class _Terminated(BaseException):
    """``SIGTERM`` (or ``SIGHUP``) made an exception, so that outputs and scratch files are
    cleaned up on the way out (``finally`` blocks run) as for Ctrl-C, instead of the process
    just vanishing."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated


def main() -> None:
    """Console-script entry point."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)  # the terminal closed: clean up as for SIGTERM
    sys.exit(cli.main(standalone_mode=True) or 0)
