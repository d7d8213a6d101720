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


@cli.command("validate")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, allow_dash=True, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Text for people, JSON (schema in the README) for tools.")
@click.option("--no-schema", is_flag=True, help="Skip the XSD; the rules then report missing "
              "fields themselves.")
@click.option("--no-rules", is_flag=True, help="Skip the business rules.")
@click.option("--max-size", type=click.IntRange(min=1), default=None, metavar="BYTES",
              help="Refuse larger inputs (DF-IO-002) [default: 64 MiB].")
@click.option("--timings", is_flag=True, help="Add per-stage timings to the JSON report.")
def validate_command(paths: tuple[str, ...], fmt: str, no_schema: bool, no_rules: bool,
                     max_size: int | None, timings: bool) -> None:
    """Check edXML messages: FILE, a folder (its .xml/.edxml files) or - for stdin.

    Prints PASSED, FAILED or INDETERMINATE per file with every finding. Exit code: 0 all
    passed; 1 some failed or indeterminate (a file that cannot be read or parsed among others
    is one of these); 2 usage error, or no input could be read and parsed at all.
    """
    import dataclasses
    import json

    from docflow.validation import (
        REPORT_SCHEMA,
        ValidationConfig,
        ValidationSummary,
        validate_paths,
    )
    from docflow.validation.text import render_report, render_summary

    config = dataclasses.replace(ValidationConfig(), check_schema=not no_schema,
                                 check_rules=not no_rules)
    if max_size is not None:
        config = dataclasses.replace(config, limits=dataclasses.replace(config.limits,
                                                                        max_bytes=max_size))
    reports = []
    for report in validate_paths(paths, config):
        reports.append(report)
        if fmt == "text":
            click.echo(render_report(report))
    summary = ValidationSummary.of(reports)
    if fmt == "json":
        click.echo(json.dumps({"schema": REPORT_SCHEMA,
                               "reports": [r.to_dict(timings=timings) for r in reports],
                               "summary": summary.to_dict()}, ensure_ascii=False, indent=2))
    else:
        click.echo(render_summary(summary))
    if summary.total == 0:
        click.echo("error: no .xml or .edxml file found in the folders given", err=True)
    sys.exit(summary.exit_code)


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


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli.main(standalone_mode=True) or 0)
