"""One forgery, judged by every route a user has: the library and the command line, each
with ``verify`` and with ``validate --trust``.

The property every forgery must have: either every route refuses it, or what docflow's parser
reads from it (sender, recipients, subject, number, attachments… the whole model) is what was
signed. The library and the command line must also agree with each other, route by route.
The assembly of ``validate`` with a trust store is written here once, so that the switch to
one ``Trust`` value is one edit.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization

from docflow.cli import cli
from docflow.envelope.parser import parse_envelope
from docflow.errors import DocflowError
from docflow.pki.roles import Role, RoleMapping
from docflow.profile.edxml import REQUIRED_ROLES, MessageVerification
from docflow.trust import Trust
from docflow.validation import ValidationConfig, ValidationReport, validate

from .outcome import verify
from .pki import NOW, SmallPki

_TRUSTS: dict[int, Trust] = {}


def trust_options(pki: SmallPki, folder: Path) -> list[str]:
    """The ``--trust``, ``--crl`` and ``--at`` options of the small PKI, written to ``folder``;
    the same files make the library's :class:`~docflow.trust.Trust` (:func:`trust_of`)."""
    pem = serialization.Encoding.PEM
    (folder / "root.pem").write_bytes(pki.root.public_bytes(pem))
    (folder / "crls.pem").write_bytes(b"".join(c.public_bytes(pem)
                                               for c in pki.validator().store.crls))
    _TRUSTS[id(pki)] = Trust.from_options([folder / "root.pem"], [folder / "crls.pem"], at=NOW)
    return ["--trust", str(folder / "root.pem"), "--crl", str(folder / "crls.pem"), "--at",
            NOW.isoformat()]


def trust_of(pki: SmallPki) -> Trust:
    """The one Trust of ``pki`` (its files written once, to a temporary folder)."""
    if id(pki) not in _TRUSTS:
        trust_options(pki, Path(tempfile.mkdtemp(prefix="docflow-security-")))
    return _TRUSTS[id(pki)]


def validate_trusted(document: bytes, pki: SmallPki) -> ValidationReport:
    """``docflow validate --trust`` through the library."""
    return validate(document, ValidationConfig(trust=trust_of(pki)))


def reading(document: bytes) -> object:
    """What docflow's parser reads from ``document``: its model, or ``None`` if the parser
    cannot read it as an edXML message at all."""
    try:
        return parse_envelope(document).model
    except DocflowError:
        return None


@dataclass(frozen=True)
class Judgement:
    """The verdicts of every route on one document."""

    verified: MessageVerification
    validated: ValidationReport
    cli_verify: int | None
    cli_validate: int | None

    @property
    def passed_any(self) -> bool:
        return self.verified.passed or self.validated.passed


def judge(document: bytes, pki: SmallPki, options: list[str] | None = None, *,
          required_roles: frozenset[Role] = REQUIRED_ROLES) -> Judgement:
    """Run ``document`` through ``verify`` and ``validate --trust``, in the library and, when
    ``options`` (from :func:`trust_options`) are given, on the command line too; the library
    and the command line must agree on each."""
    verified = verify(document, pki, required_roles=required_roles)
    validated = validate_trusted(document, pki)
    cli_verify = cli_validate = None
    if options is not None:
        runner = CliRunner()
        require = [] if required_roles == REQUIRED_ROLES else \
            ["--require", ",".join(sorted(r.value for r in required_roles)) or "none"]
        checked = runner.invoke(cli, ["verify", "-", *options, *require, "--format", "json"],
                                input=document)
        cli_verify = checked.exit_code
        assert cli_verify in (0, 1), checked.output
        assert (cli_verify == 0) is verified.passed, (checked.output, verified.to_dict())
        assert json.loads(checked.stdout)["indication"] == verified.indication.value
        validated_cli = runner.invoke(cli, ["validate", "-", *options, "--format", "json"],
                                      input=document)
        cli_validate = validated_cli.exit_code
        assert cli_validate in (0, 1, 2), validated_cli.output
        report = json.loads(validated_cli.stdout)["reports"][0]
        assert report["verdict"] == validated.verdict.value, (report, validated.to_dict())
    return Judgement(verified, validated, cli_verify, cli_validate)


def secure(document: bytes, signed: bytes, pki: SmallPki, options: list[str] | None = None,
           *, required_roles: frozenset[Role] = REQUIRED_ROLES) -> Judgement:
    """Assert the property: refused by every route, or read exactly as ``signed`` (the
    untouched, validly signed message) reads."""
    judgement = judge(document, pki, options, required_roles=required_roles)
    if judgement.passed_any:
        assert reading(document) == reading(signed), (
            "a route passed a message that reads otherwise than what was signed",
            judgement.verified.to_dict(), judgement.validated.to_dict())
    sender_as_read(document, judgement.verified)
    return judgement


def sender_as_read(document: bytes, verified: MessageVerification) -> None:
    """A passed organ signature is of the agency the parser reads as the sender."""
    organ = verified.by_rule("organ")
    model = reading(document)
    if not verified.passed or organ is None or organ.certificate is None or model is None:
        return
    sender = getattr(model, "sender", None)
    assert sender is not None
    assert RoleMapping().organ_codes(organ.certificate) == (sender.organ_id.strip(),), (
        "verify passed an organ signature of another agency than the sender the parser reads",
        verified.to_dict())


def refused_everywhere(judgement: Judgement) -> None:
    """No route passed."""
    assert not judgement.verified.passed, judgement.verified.to_dict()
    assert not judgement.validated.passed, judgement.validated.to_dict()
    assert judgement.cli_verify in (None, 1)
    assert judgement.cli_validate in (None, 1, 2)
