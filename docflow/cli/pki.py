"""``pki init`` and ``pki tsa serve``: the national test PKI and its timestamp authority."""

from __future__ import annotations

from typing import Any

import click

from docflow.cli.options import IsoDateTime
from docflow.cli.progress import QUIET, chatter, progress_line
from docflow.progress import counted


@click.group("pki")
def pki_group() -> None:
    """The national test PKI: a root CA, a sub-CA per hub, organ and signer certificates."""


@pki_group.command("init")
@click.option("--preset", "topology", required=True, metavar="PRESET|FILE",
              help="The topology whose agencies get certificates (vn-2024, vn-2025, tiny, ... "
              "or a GraphML/JSON file).")
@click.option("--seed", type=click.IntRange(min=0), required=True,
              help="Every key, serial number and signature derives from it.")
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder to write (created if missing); must be empty unless --force.")
@click.option("--force", is_flag=True, help="Replace the PKI in a non-empty --out folder: its "
              "keys, certificates and index are removed first; other files are left alone.")
@click.option("--algorithm", type=click.Choice(["ecdsa-p256", "ed25519", "rsa-2048"]),
              default="ecdsa-p256", show_default=True,
              help="Key type; RSA keys are generated once and cached (see docs/pki.md).")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False, path_type=str),
              default=None, help="Encrypt every private key with the first line of this file.")
@click.option("--at", type=IsoDateTime(), default=None,
              help="Issue time of every certificate and CRL [default: today 00:00 UTC]; pin it "
              "to get the same bytes on another day.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes [default: all cores].")
@QUIET
def pki_init_command(topology: str, seed: int, out: str, force: bool, algorithm: str,
                     passphrase_file: str | None, at: Any, jobs: int | None,
                     quiet: bool) -> None:
    """Write the test PKI of a topology to OUT: PEM certificates, PKCS#8 keys, CRLs, index.json.

    Every agency gets an organ certificate and a person (signer) certificate from its hub's
    sub-CA. Exit code: 0 written; 2 unusable topology, passphrase file or output folder, or a
    non-empty OUT without --force (DF-RUN-001).
    """
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
    with progress_line(quiet) as line:
        summary = write_pki(pki, out, passphrase=passphrase, jobs=jobs,
                            progress=counted(line, "issuing certificates", len(topo.agencies)),
                            extra={"topology": topo.name}, force=force)
    chatter(f"wrote {summary.certificates:,} certificates ({summary.agencies:,} agencies × "
            f"organ + signer, {summary.crls:,} CAs), {summary.crls:,} CRLs and "
            f"{summary.tls_certificates:,} TLS certificates for the axis to {out} in "
            f"{summary.seconds:.1f} s", quiet)


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
