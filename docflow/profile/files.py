"""Thin I/O around the profile: read keys, certificates and trust stores, sign or verify files.

What ``docflow sign`` and ``docflow verify`` do, as library calls; the command line only parses
arguments and prints. Keys and certificates are read with :mod:`docflow.pki.io` (PEM or DER,
PKCS#8 keys, optionally encrypted), and trust comes from :class:`~docflow.pki.store.TrustStore`
and :class:`~docflow.pki.validate.PathValidator`: anchors, CRLs, a revocation mode and a named
legacy policy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from docflow.dsig import DEFAULT_POLICY, LEGACY, Signer
from docflow.errors import UsageError
from docflow.pdf.verify import PdfVerification, is_pdf
from docflow.pki import validate
from docflow.pki.io import read_certificates, read_private_key
from docflow.pki.roles import Role, read_role_mapping
from docflow.pki.store import TrustStore
from docflow.profile.edxml import (
    REQUIRED_ROLES,
    MessageVerification,
    sign_message,
    verify_message,
)
from docflow.profile.nd30 import verify_document_pdf
from docflow.xmlsafe import DEFAULT_LIMITS, read_bytes

__all__ = ["render_pdf_text", "render_text", "sign_file", "trust_validator", "verify_file"]


def sign_file(path: str, *, key: str, cert: str, chain: Sequence[str] = (),
              role: str | None = None, passphrase: bytes | None = None,
              tsa: str | None = None, at: datetime | None = None) -> bytes:
    """Sign the file ``path`` (``-`` for standard input) and return the signed bytes.

    The content decides how: a file starting ``%PDF-`` gets a PAdES signature in the Decree 30
    order (:func:`docflow.profile.nd30_sign.sign_document`), anything else XML-DSig.

    Parameters
    ----------
    path
        The document: an edXML message (signed in its profile place as ``role``) or any XML.
    key
        The private key file (PKCS#8 PEM or DER, or traditional PEM).
    cert
        The signing certificate; its public key must be the key's.
    chain
        Files of the CA certificates to carry in ``X509Data`` after it.
    role
        ``signer`` or ``organ`` for an edXML message or a PDF (for a PDF, the certificate's
        role when not given).
    passphrase
        For an encrypted key.
    tsa
        PDF only: the URL of an RFC 3161 timestamp authority, for PAdES B-T.
    at
        PDF only: the signing time (``/M``); now by default.
    """
    certificates = list(read_certificates(cert))
    if len(certificates) != 1:
        raise UsageError("DF-PKI-021", f"{cert} holds {len(certificates)} certificates; --cert "
                         "takes the signing certificate alone (CAs go in --chain)")
    for item in chain:
        certificates.extend(read_certificates(item))
    private = read_private_key(key, passphrase)
    name = None if path == "-" else path
    data = read_bytes(path, DEFAULT_LIMITS.max_bytes)
    if data.startswith(b"%PDF-"):
        from docflow.pki.roles import RoleMapping
        from docflow.pki.tsa import remote_timestamper
        from docflow.profile.nd30_sign import sign_document

        pdf_role = role or RoleMapping().decide(certificates[0]).role or Role.SIGNER
        return sign_document(data, private, certificates, pdf_role, at=at,
                             timestamp=remote_timestamper(tsa) if tsa else None, where=name)
    if tsa is not None:
        raise UsageError("DF-SIG-014", "--tsa applies to PDF signatures only")
    try:
        signer = Signer(private, certificates)
    except ValueError as exc:
        raise UsageError("DF-SIG-014", str(exc)) from None
    return sign_message(data, signer, role, where=name)


def trust_validator(trust: Sequence[str], crls: Sequence[str] = (), *,
                    revocation: str = "require", legacy: bool = False,
                    roles: str | None = None) -> validate.PathValidator:
    """A path validator over trust anchor files (or one ``docflow pki init`` folder) and CRLs.

    Parameters
    ----------
    trust
        Files of trust anchors (PEM may hold several), or a PKI folder with ``index.json``,
        whose root is the anchor and whose CRLs and hub CAs are loaded too.
    crls
        CRL files, in addition to a PKI folder's own.
    revocation
        ``require`` (a CRL in force for every CA, the default), ``if-available`` or ``off``.
    legacy
        Admit SHA-1 certificates, RSA-1024 and DSA, as the named legacy policy does.
    roles
        A TOML role mapping (:func:`docflow.pki.roles.read_role_mapping`) for certificates of
        other CAs: which policy OID or name pattern makes an organ or a signer certificate,
        and which subject attribute holds the organ code. docflow's own policy OIDs are
        recognised without one.
    """
    folders = [t for t in trust if Path(t).is_dir()]
    files = [t for t in trust if not Path(t).is_dir()]
    mapping = read_role_mapping(roles) if roles else None
    store = TrustStore.from_files(files, crls=crls, roles=mapping)
    for folder in folders:
        extra = TrustStore.from_pki_dir(folder)
        store = dataclasses.replace(store, anchors=store.anchors + extra.anchors,
                                    intermediates=store.intermediates + extra.intermediates,
                                    crls=store.crls + extra.crls)
    base = validate.LEGACY_POLICY if legacy else validate.DEFAULT_POLICY
    policy = dataclasses.replace(base, revocation=validate.RevocationCheck(revocation))
    return validate.PathValidator(store, policy)


def verify_file(path: str, validator: validate.PathValidator, *, at: datetime | None = None,
                legacy: bool = False, required_roles: frozenset[Role] = REQUIRED_ROLES
                ) -> MessageVerification | PdfVerification:
    """Verify every signature of the file ``path`` (``-`` for standard input).

    The content chooses the checker: a file that starts with ``%PDF-`` is a Decree 30
    document PDF (:func:`docflow.profile.nd30.verify_document_pdf`), anything else XML.
    ``required_roles`` are the roles a document must be signed by (the organ by default; see
    :func:`docflow.profile.edxml.verify_message`).
    """
    name = None if path == "-" else path
    data = read_bytes(path, DEFAULT_LIMITS.max_bytes)
    if is_pdf(data):
        return verify_document_pdf(data, validator, at=at, legacy=legacy,
                                   required_roles=required_roles, where=name)
    return verify_message(data, trust=validator, at=at,
                          policy=LEGACY if legacy else DEFAULT_POLICY, where=name,
                          required_roles=required_roles)


def render_text(result: MessageVerification | PdfVerification, name: str) -> str:
    """The verification as lines for people: the verdict, each signature, each finding."""
    if isinstance(result, PdfVerification):
        return render_pdf_text(result, name)
    profile = "edXML profile" if result.edxml else "XML-DSig"
    lines = [f"{name}: {result.indication.value} ({profile}, {len(result.signatures)} "
             f"signature{'s' if len(result.signatures) != 1 else ''})"]
    for signature in result.signatures:
        who = signature.certificate.subject.rfc4514_string() if signature.certificate else "-"
        role = signature.role or "unknown role"
        lines.append(f"  {signature.rule or '-'}: {signature.indication.value} — {who} "
                     f"({role})")
        for finding in signature.findings:
            lines.append(f"    {finding.code} {finding.location}: {finding.message}")
    for finding in result.findings:
        if not any(finding in s.findings for s in result.signatures):
            lines.append(f"  {finding.code} {finding.location}: {finding.message}")
    return "\n".join(lines)


def render_pdf_text(result: PdfVerification, name: str) -> str:
    """A PDF's verification for people: the verdict, each signature with its role, time and
    revision, what each update changed, and each finding."""
    count = len(result.signatures)
    lines = [f"{name}: {result.indication.value} (PDF, Decree 30 profile, {count} "
             f"signature{'s' if count != 1 else ''}, {result.revisions} revisions)"]
    shown: set[int] = set()
    for signature in result.signatures:
        who = signature.certificate.subject.rfc4514_string() if signature.certificate else "-"
        when = signature.timestamp or signature.claimed_time
        stamp = "timestamped" if signature.timestamp else "claimed"
        extent = "the whole file" if signature.covers_whole_file else \
            f"revision {signature.revision} (bytes 0-{signature.signed_bytes})"
        lines.append(f"  {signature.field}: {signature.indication.value} — "
                     f"{signature.role or 'unknown role'}, {who}")
        lines.append(f"    signs {extent}" + (f"; {stamp} {when.isoformat()}" if when else ""))
        for finding in signature.findings:
            shown.add(id(finding))
            lines.append(f"    {finding.code} {finding.location}: {finding.message}")
    for update in result.updates:
        lines.append(f"  revision {update.revision} ({'signed' if update.signed else 'unsigned'}"
                     f"): {'; '.join(update.changes) or 'no change'}")
    for finding in result.findings:
        if id(finding) not in shown and not any(finding == f for s in result.signatures
                                                for f in s.findings):
            lines.append(f"  {finding.code} {finding.location}: {finding.message}")
    return "\n".join(lines)
