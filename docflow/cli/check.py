"""``validate``, ``sign`` and ``verify``: check a message, sign a file, verify its signatures."""

from __future__ import annotations

import sys
from typing import Any

import click

from docflow.cli.options import (
    IsoDateTime,
    required_roles_option,
    trust_policy_options,
)


@click.command("validate")
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
@trust_policy_options
@required_roles_option(extra_help="With --require none, a message with no signature at all "
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
        click.echo(validation_document(reports, timings=timings).to_json().decode(), nl=False)
    else:
        click.echo(render_summary(summary))
    if summary.total == 0:
        click.echo("error: no .xml or .edxml file found in the folders given", err=True)
    sys.exit(summary.exit_code)


@click.command("sign")
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
@click.option("--at", type=IsoDateTime(), default=None,
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


@click.command("verify")
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
@trust_policy_options
@required_roles_option
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
