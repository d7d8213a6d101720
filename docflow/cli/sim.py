"""``simulate``, ``sweep``, ``report`` and ``calibrate``: the simulator's runs and their pages."""

from __future__ import annotations

import click

from docflow.cli.progress import QUIET, chatter, progress_line


@click.command("report")
@click.argument("run_dir", metavar="DIR", type=click.Path(exists=True, path_type=str))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Where to write the page [default: DIR/report.html].")
def report_command(run_dir: str, output: str | None) -> None:
    """Render the summary.json of the simulation or load run in DIR as a self-contained HTML
    report.

    The page has its styles and charts inline and loads nothing, so it opens offline and can be
    mailed. Exit code: 0 written; 2 no readable summary.json in DIR.
    """
    from docflow.report.run import write_run_report

    click.echo(str(write_run_report(run_dir, output)))


@click.command("calibrate")
@click.argument("targets", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--out", "-o", "out", required=True,
              type=click.Path(file_okay=False, path_type=str),
              help="Folder for calibration.json and calibration.md.")
@QUIET
def calibrate_command(targets: str, out: str, quiet: bool) -> None:
    """Fit the traffic model's rates and direction mix to the published figures of TARGETS.

    Least squares over the targets (each weighted by its stated uncertainty), with each
    parameter's standard deviation from the Jacobian; then every province held out in turn and
    predicted from its topology alone, and each ambiguous figure refitted under its other
    readings. Writes OUT/calibration.json and OUT/calibration.md and prints the latter.
    Exit code: 0 written; 2 unusable targets or scenario.
    """
    from docflow.sim.calib_run import calibrate, render_markdown

    with progress_line(quiet) as line:
        result = calibrate(targets, out, progress=line)
    click.echo(render_markdown(result), nl=False)


@click.command("simulate")
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
@click.option("--quiet", "-q", is_flag=True,
              help="Print no progress, no summary table and no 'wrote' line (errors and "
              "warnings still go to standard error); the run is the same.")
def simulate_command(scenario: str | None, out: str, force: bool, seed: int | None,
                     crypto: str | None, scheduler: str | None, quiet: bool) -> None:
    """Run a load scenario (TOML) and write DIR/summary.json and DIR/report.html.

    Without SCENARIO, runs the built-in default: one week of vn-2025 with 2,000 documents really
    signed and verified. Exit code: 0 done; 2 a bad scenario or option, named in the message,
    or a non-empty --out without --force (DF-RUN-001).
    """
    from docflow.runs import simulate
    from docflow.sim.text import render_summary

    with progress_line(quiet) as line:
        result = simulate(scenario, out, seed=seed, crypto=crypto, force=force,
                          scheduler=scheduler, progress=line, notice=None if line is None
                          else lambda text: line.note(f"{text}…"))
    if not quiet:
        click.echo(render_summary(result.summary))
        click.echo(f"wrote {result.out}/summary.json, {result.report}"
                   + (f" and {result.archive}" if result.archive else ""), err=True)


@click.command("sweep")
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
@QUIET
def sweep_command(scenario: str | None, seeds: str, vary: tuple[str, ...], crypto: str | None,
                  scheduler: str | None, jobs: int | None, out: str, quiet: bool) -> None:
    """Run SCENARIO over seeds and varied keys; write OUT/sweep.json and OUT/sweep.html.

    Each run is what 'docflow simulate' gives with that seed and those keys. Exit code: 0
    done; 2 a bad option, scenario or scheduler, named in the message.
    """
    from docflow.dist.sweep import Variation, parse_seeds, sweep
    from docflow.report.sweep import write_sweep_report

    with progress_line(quiet) as line:
        result = sweep(scenario, out, seeds=parse_seeds(seeds),
                       vary=[Variation.parse(v) for v in vary], crypto=crypto,
                       scheduler=scheduler, jobs=jobs, progress=line)
    page = write_sweep_report(out)
    chatter(f"wrote {result.out / 'sweep.json'} and {page} "
            f"({len(result.summary.runs)} runs)", quiet)
