"""``axis serve|send|inbox|get|status`` and ``load``: the live axis sandbox, and load on it."""

from __future__ import annotations

import sys
from typing import Any

import click

from docflow.cli.progress import QUIET, chatter, progress_line


@click.group("axis")
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
@click.option("--judges", type=click.IntRange(min=1), default=None, metavar="N",
              help="Judge processes per server process [default: one per core].")
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
                       judges: int | None, max_size: int | None, revocation: str,
                       body_timeout: float, passphrase_file: str | None) -> None:
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
                         judges=judges, revocation=revocation, body_seconds=body_timeout,
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
@QUIET
def axis_get_command(ids: tuple[int, ...], url: str, pki: str, organ: str,
                     output: str, passphrase_file: str | None, quiet: bool) -> None:
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
            chatter(f"wrote {target} ({len(data):,} bytes)", quiet)


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


@click.command("load")
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
              help="Workers of the model's queueing stage.")
@click.option("--model-transit-ms", type=click.FloatRange(min=0), default=0.0,
              show_default=True, metavar="MS", help="Each message's time outside the queue "
              "(TLS, HTTP, commit), added to the model's latency.")
@_PASS
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder for summary.json and report.html; must be empty or missing unless "
              "--force.")
@click.option("--force", is_flag=True, help="Replace the load run in a non-empty --out folder: "
              "its summary.json and report.html are removed first; other files are left alone.")
@QUIET
def load_command(scenario: str | None, url: str, pki: str, rate_scale: float, duration: float,
                 max_documents: int, max_kb: int, drain: float, no_status: bool,
                 model_service_ms: float | None, model_workers: int,
                 model_transit_ms: float, passphrase_file: str | None, out: str,
                 force: bool, quiet: bool) -> None:
    """Play a scenario's traffic against a live axis and measure it.

    Many agencies at once, each with its own TLS client certificate: documents really signed,
    sent open-loop at the scenario's times (compressed by --rate-scale), fetched and answered
    by their receivers. Writes OUT/summary.json (docflow.load/1) and OUT/report.html. Exit
    code: 0 done; 1 some document refused or lost; 2 unusable input, an unreachable axis, or a
    non-empty --out without --force (DF-RUN-001).
    """
    from pathlib import Path

    from docflow.axis.load import LoadConfig
    from docflow.loadrun import load

    config = LoadConfig(url, Path(pki), rate_scale=rate_scale, duration_s=duration,
                        max_documents=max_documents, max_kb=max_kb, drain_s=drain,
                        statuses=not no_status, passphrase=_passphrase(passphrase_file),
                        model_service_ms=model_service_ms, model_workers=model_workers,
                        model_transit_ms=model_transit_ms)
    with progress_line(quiet) as line:
        run = load(scenario, config, out, force=force, progress=line)
    summary = run.summary
    measured, totals = summary.load, summary.totals
    ack = measured.ack_latency_s
    click.echo(f"{totals.documents_sent:,} documents acknowledged of {measured.attempted:,} "
               f"sent ({measured.acknowledged_per_s} per s); {totals.delivered:,} of "
               f"{totals.deliveries:,} deliveries fetched; acknowledgement p50/p95/p99 "
               f"{ack.p50}/{ack.p95}/{ack.p99} s; refused {dict(measured.refused) or 'none'}")
    model = summary.model
    if model is not None:
        click.echo(f"model ({model.workers} worker(s), {model.service_ms} ms a message, "
                   f"{model.transit_ms} ms transit, utilisation {model.utilisation}): throughput "
                   f"{model.throughput_per_s.predicted} predicted / "
                   f"{model.throughput_per_s.measured} measured per s; acknowledgement "
                   "p50/p95/p99 " + " vs ".join(
                       f"{q.p50}/{q.p95}/{q.p99} s {side}" for side, q in (
                           ("predicted", model.ack_latency_s.predicted),
                           ("measured", model.ack_latency_s.measured))))
    chatter(f"wrote {run.out}/summary.json and {run.report}", quiet)
    sys.exit(1 if measured.refused or totals.lost else 0)
