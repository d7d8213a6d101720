"""Decree 30/2020's profile of a document PDF: who signs, in which order, for which sender.

Appendix I of the Decree: the competent person (``signer``) signs first; the clerk numbers the
document and the organ signs last, so nothing but further signatures (and validation data)
may follow the organ's. An appendix in its own file carries the organ's signature only. On the
PDF that means, over the signatures :func:`docflow.pdf.verify.verify_pdf` found, in revision
order:

* no person's signature after an organ's, and no second organ signature (``DF-PDF-082``,
  on every signature of the file): the updates after the organ's are already limited to
  signature additions and DSS by the update check, but a further signature's visible
  appearance could still be drawn over the sealed page;
* no person's signature at all on an appendix, whose /Info (in any revision) says
  ``/ND30Kind /Appendix`` (``DF-PDF-082``);
* every signature of one agency: outside an envelope, the agencies of the signatures agree
  with one another (``DF-PDF-083``);
* every required role (the organ by default) has a signature (``DF-PDF-089``);
* inside an envelope, every signature's certificate carries the organ code of the message's
  sender (``DF-PDF-083``, or ``DF-PDF-084`` when the certificate carries none or several).

Roles come from the certificates (docflow's policy OIDs or the trust's role mapping), never
from what the PDF says about itself (field names, /Reason, the appearance's text).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection

from docflow.errors import Finding, InputError, Location, verdict
from docflow.pdf.syntax import Name, PdfDict, PdfDocument, parse_pdf
from docflow.pdf.verify import PdfSignature, PdfVerification, verify_document
from docflow.pki.roles import Role
from docflow.pki.validate import PathValidator

__all__ = ["PDF_REQUIRED_ROLES", "check_nd30", "is_appendix", "verify_document_pdf"]

PDF_REQUIRED_ROLES: frozenset[Role] = frozenset({Role.ORGAN})
"""The organ's signature makes a document official (and is the only one an appendix has)."""


def check_nd30(result: PdfVerification, *, required_roles: Collection[Role] = PDF_REQUIRED_ROLES,
               sender: str | None = None, where: str | None = None,
               appendix: bool = False) -> PdfVerification:
    """``result`` with the Decree's findings added to the signatures and the document.

    Parameters
    ----------
    result
        What :func:`~docflow.pdf.verify.verify_pdf` found.
    required_roles
        Roles that must have a signature.
    sender
        The message's From/OrganId, when the PDF is an attachment of one.
    where
        The file name, for locations.
    appendix
        The PDF is an appendix in its own file (:func:`is_appendix`): the organ's signature
        only, no person's.
    """
    if not result.signatures and not any(f.code == "DF-PDF-070" for f in result.findings):
        return result  # unreadable: the reader's finding says it all
    extra: dict[int, list[Finding]] = {}
    document: list[Finding] = []
    organ_seen: str | None = None
    for index, signature in enumerate(result.signatures):
        here = Location(file=where, path=f"signature field {signature.field!r}")
        found = extra.setdefault(index, [])
        if signature.role == Role.ORGAN:
            if organ_seen is not None:
                # A second seal after the organ's is an appearance drawn over the signed
                # page by a revision neither earlier signature covers: every one fails.
                document.append(Finding("DF-PDF-082", f"a second organ signature "
                                        f"({signature.field!r}) follows the organ's "
                                        f"({organ_seen!r}); Decree 30 has the organ sign once, "
                                        "last", here))
            organ_seen = signature.field
        elif signature.role == Role.SIGNER and appendix:
            document.append(Finding("DF-PDF-082", f"the person signs ({signature.field!r}) "
                                    "an appendix, which carries the organ's signature only",
                                    here))
        elif signature.role == Role.SIGNER and organ_seen is not None:
            # Like a second seal: the person's visible appearance is drawn on the sealed
            # page by a revision the organ's signature does not cover, so the seal fails too.
            document.append(Finding("DF-PDF-082", f"the person signs ({signature.field!r}) "
                                    f"after the organ ({organ_seen!r}); Decree 30 has the "
                                    "organ sign last", here))
        if sender is not None and signature.certificate is not None:
            if signature.organ_code is None:
                found.append(Finding("DF-PDF-084", "the certificate carries no single organ "
                                     "code to match with the sender", here))
            elif signature.organ_code != sender:
                found.append(Finding("DF-PDF-083", f"the certificate is of agency "
                                     f"{signature.organ_code}, the message's sender is "
                                     f"{sender}", here))
    agencies = sorted({s.organ_code for s in result.signatures
                       if s.certificate is not None and s.organ_code is not None})
    if sender is None and len(agencies) > 1:
        document.append(Finding("DF-PDF-083", f"the signatures are of agencies "
                                f"{', '.join(agencies)}; a document is issued by one organ",
                                Location(file=where)))
    present = {s.role for s in result.signatures}
    for role in sorted(required_roles) if result.signatures else ():
        if role.value not in present:
            document.append(Finding("DF-PDF-089", f"no {role.value} signature in the PDF",
                                    Location(file=where)))
    signatures = tuple(_with(s, extra.get(i, []) + document)
                       for i, s in enumerate(result.signatures))
    findings = list(result.findings)
    for more in [*document, *(f for fs in extra.values() for f in fs)]:
        if more not in findings:
            findings.append(more)
    return dataclasses.replace(result, signatures=signatures, findings=tuple(findings))


def _with(signature: PdfSignature, extra: list[Finding]) -> PdfSignature:
    if not extra:
        return signature
    findings = (*signature.findings, *extra)
    return dataclasses.replace(signature, findings=findings, indication=verdict(findings))


def verify_document_pdf(data: bytes, validator: PathValidator, *,
                        at: dt.datetime | None = None, legacy: bool = False,
                        required_roles: Collection[Role] = PDF_REQUIRED_ROLES,
                        sender: str | None = None, where: str | None = None,
                        describe: bool = True) -> PdfVerification:
    """Verify a Decree 30 document PDF: :func:`~docflow.pdf.verify.verify_pdf`, then
    :func:`check_nd30`. What ``docflow verify FILE.pdf`` and ``docflow validate`` (for each
    PDF attachment, with the message's sender) call."""
    try:
        document = parse_pdf(data, where=where)
    except InputError as exc:  # what verify_pdf answers for a PDF the reader refuses
        return PdfVerification((), (exc.as_finding(),), size=len(data))
    # Speed: one parse serves the signatures and /Info, and the objects both read.
    result = verify_document(document, validator, at=at, legacy=legacy, describe=describe)
    return check_nd30(result, required_roles=required_roles, sender=sender, where=where,
                      appendix=is_appendix(document))


def is_appendix(data: bytes | PdfDocument, where: str | None = None) -> bool:
    """Whether the document information of any revision says ``/ND30Kind /Appendix`` (what
    ``docflow pdf new --appendix`` writes). Any revision, not only the last: a later unsigned
    update may rewrite /Info, and must not turn an appendix back into a main document."""
    try:
        document = data if isinstance(data, PdfDocument) else parse_pdf(data, where=where)
        for k in range(len(document.revisions)):
            info = document.get_ref(document.trailer(k).get(Name("Info")), k)
            if isinstance(info, PdfDict) and info.get(Name("ND30Kind")) == "Appendix":
                return True
    except InputError:
        return False  # unreadable: verify_pdf's finding says so
    return False
