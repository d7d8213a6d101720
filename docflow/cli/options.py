"""Option types and option groups shared by several commands (how signatures are judged)."""

from __future__ import annotations

from typing import Any

import click


class IsoDateTime(click.ParamType):
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


def trust_policy_options(command: Any = None, *, at_help: str = _AT_NOW) -> Any:
    """The options that say how signatures are judged, shared by ``validate``, ``verify`` and
    ``audit``: CRLs, the validation time, the revocation and algorithm policy, the role
    mapping. ``@trust_policy_options(at_help=...)`` words ``--at`` for a command whose
    default time is not now."""
    if command is None:
        return lambda decorated: trust_policy_options(decorated, at_help=at_help)
    for option in reversed([
        click.option("--crl", "crls", multiple=True,
                     type=click.Path(exists=True, dir_okay=False, path_type=str),
                     help="CRL file(s) of the CAs (repeatable)."),
        click.option("--at", type=IsoDateTime(), default=None, help=at_help),
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


class RoleSet(click.ParamType):
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


def required_roles_option(command: Any = None, *, extra_help: str = "") -> Any:
    """``--require``, shared by ``validate`` and ``verify`` (not ``audit``, which counts each
    role's presence instead of failing a document that lacks one)."""
    if command is None:
        return lambda decorated: required_roles_option(decorated, extra_help=extra_help)
    return click.option("--require", "required_roles", type=RoleSet(), default=None,
                        metavar="ROLES", help=f"{_REQUIRE} {extra_help}".strip())(command)
