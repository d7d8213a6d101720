"""Thin I/O around the profile: sign a file, and say a verification in lines for people.

What ``docflow sign`` does, as a library call (``docflow verify`` is
:func:`docflow.profile.verify.verify`); the command line only parses arguments and prints. Keys
and certificates are read with :mod:`docflow.pki.io` (PEM or DER, PKCS#8 keys, optionally
encrypted).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from docflow.dsig import Signer
from docflow.errors import UsageError
from docflow.pdf.verify import PdfVerification
from docflow.pki.io import read_certificates, read_private_key
from docflow.profile.edxml import MessageVerification, sign_message
from docflow.x509names import readable_name
from docflow.xmlsafe import DEFAULT_LIMITS, read_bytes

__all__ = ["render_pdf_text", "render_text", "sign_file"]


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
        from docflow.pki.roles import Role, RoleMapping
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


def render_text(result: MessageVerification | PdfVerification, name: str) -> str:
    """The verification as lines for people: the verdict, each signature, each finding.

    The first line names the profile, and for plain XML-DSig says that no edXML meaning was
    checked.
    """
    if isinstance(result, PdfVerification):
        return render_pdf_text(result, name)
    profile = "edXML profile" if result.edxml else "plain XML-DSig, no edXML meaning checked"
    lines = [f"{name}: {result.indication.value} ({profile}, {len(result.signatures)} "
             f"signature{'s' if len(result.signatures) != 1 else ''})"]
    for signature in result.signatures:
        who = readable_name(signature.certificate.subject) if signature.certificate else "-"
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
        who = readable_name(signature.certificate.subject) if signature.certificate else "-"
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
