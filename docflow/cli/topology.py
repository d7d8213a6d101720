"""``topology show`` and ``topology export``: inspect and convert topologies."""

from __future__ import annotations

import click

from docflow.cli.progress import QUIET, chatter


@click.group("topology")
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
@QUIET
def topology_export_command(topology: str, output: str, quiet: bool) -> None:
    """Write a topology (a preset or a file) as GraphML or JSON, by the output's suffix."""
    from docflow.topology.files import load_topology, save_topology

    topo = load_topology(topology)
    save_topology(topo, output)
    chatter(f"wrote {output}: {len(topo.agencies):,} agencies, {len(topo.hubs):,} hubs", quiet)
