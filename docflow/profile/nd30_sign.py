"""Sign a document's PDF in the order and places of Decree 30/2020 (Appendix I, §II).

The competent person (``signer``) signs a main document first, with the blue image of their
signature between their title and name; the organ signs second, as an incremental update, with
its red seal over the left third of that image, its name and the signing time (ISO 8601 at
+07:00). An appendix carries the organ's signature only, top right, text without an image.

Before anything is written the request is checked, each with its own code:

* the role asked for is the certificate's role, from its policy (``DF-PDF-006``; unknown:
  ``DF-PDF-011``) — a document never decides who signed it;
* the order: no organ signature on a main document before the signer's (``DF-PDF-007``), no
  second signature of a role and nothing after the organ's (``DF-PDF-008``), on an appendix
  the organ only (``DF-PDF-010``);
* the organ certificate's organ code is the document's issuing organ, when the document
  records it (``DF-PDF-009``).

The roles of the existing signatures come from their certificates too. This is no
verification — :mod:`docflow.pdf` verifiers do that — only the refusal to make a document
that could not pass it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs7

from docflow.errors import InputError, Location, UsageError
from docflow.pdf import syntax
from docflow.pdf.appearance import appendix_appearance, seal_appearance, signer_appearance
from docflow.pdf.fields import signature_fields, text
from docflow.pdf.sign import Placement, page_refs, sign_pdf
from docflow.pki.keys import PrivateKey
from docflow.pki.roles import Role, RoleMapping

__all__ = ["iso_time", "sign_document"]

_VIETNAM = dt.timezone(dt.timedelta(hours=7))
_FIELD = {Role.SIGNER: "ND30-signer", Role.ORGAN: "ND30-organ"}


def iso_time(at: dt.datetime) -> str:
    """The signing time as the Decree prints it: ISO 8601, seconds, Vietnam's +07:00.

    >>> iso_time(dt.datetime(2025, 7, 1, 2, 30, tzinfo=dt.UTC))
    '2025-07-01T09:30:00+07:00'
    """
    return at.astimezone(_VIETNAM).replace(microsecond=0).isoformat()


def _rect(value: Any) -> tuple[int, tuple[float, float, float, float]] | None:
    if not isinstance(value, syntax.PdfArray) or len(value) != 5:
        return None
    numbers = [v for v in value if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if len(numbers) != 5:
        return None
    return int(numbers[0]), (float(numbers[1]), float(numbers[2]), float(numbers[3]),
                             float(numbers[4]))


def _one_der(data: bytes) -> bytes:
    """The first DER value in ``data`` (the placeholder's zero padding left out)."""
    if len(data) < 2 or data[0] != 0x30:
        raise ValueError("not a DER SEQUENCE")
    if data[1] < 0x80:
        end = 2 + data[1]
    else:
        size = data[1] & 0x7F
        end = 2 + size + int.from_bytes(data[2:2 + size], "big")
    if end > len(data):
        raise ValueError("the DER runs past /Contents")
    return data[:end]


def _existing_roles(pdf: syntax.PdfDocument, mapping: RoleMapping,
                    where: str | None) -> list[tuple[str, Role | None]]:
    """The role of each signature already in ``pdf``, from the certificate that made it."""
    out: list[tuple[str, Role | None]] = []
    for field in signature_fields(pdf):
        name = field.name
        sig = pdf.get_ref(field.value)
        if not isinstance(sig, syntax.PdfDict):
            continue  # an empty field: no signature yet
        contents = sig.get(syntax.Name("Contents"))
        try:
            # Not rstrip(b"\0"): the DER may itself end in a zero byte; its own length says
            # where it ends. Only the sid is parsed by asn1crypto, the certificates by
            # cryptography (asn1crypto's lazy certificates cost ~5 ms a signature here).
            if not isinstance(contents, syntax.PdfString):
                raise ValueError("no /Contents string")
            der = _one_der(contents.value)
            signed = cms.ContentInfo.load(der, strict=True)["content"]
            sid = signed["signer_infos"][0]["sid"].chosen
            serial, issuer = sid["serial_number"].native, sid["issuer"].dump()
            carried = pkcs7.load_der_pkcs7_certificates(der)
            cert = next(c for c in carried
                        if c.serial_number == serial and c.issuer.public_bytes() == issuer)
        except Exception:  # any malformed CMS: the order cannot be known
            raise InputError("DF-PDF-016", f"the signature in field {name!r} cannot be read",
                             Location(file=where)) from None
        out.append((name, mapping.decide(cert).role))
    return out


def sign_document(data: bytes, key: PrivateKey, certificates: Sequence[x509.Certificate],
                  role: Role | str, *, at: dt.datetime | None = None,
                  timestamp: Callable[[bytes], bytes] | None = None,
                  roles: RoleMapping | None = None, where: str | None = None,
                  enforce_order: bool = True) -> bytes:
    """Sign the document PDF ``data`` as ``role``, in the Decree's order and place.

    Parameters
    ----------
    data
        The PDF (laid out by :func:`docflow.profile.nd30_document.new_document`, or any PDF: without
        docflow's placement record the signer signs bottom right of the last page, the organ
        beside it).
    key, certificates
        The private key, its certificate and the CA certificates to carry.
    role
        ``signer`` or ``organ``; must be the certificate's role.
    at
        The signing time; now by default. Pin it to get the same bytes.
    timestamp
        A callable returning an RFC 3161 token for the signature value (PAdES B-T):
        :meth:`docflow.pki.tsa.TimestampAuthority.token_for` or
        :func:`docflow.pki.tsa.remote_timestamper`.
    roles
        How certificates map to roles; docflow's policy OIDs by default.
    enforce_order
        Refuse signatures out of the Decree's order (the default). The simulator turns it
        off to make the deviations its scenario asks for (an organ signature without the
        signer's), which verification then reports; the role still comes from the
        certificate.

    Raises
    ------
    UsageError
        ``DF-PDF-006``, ``-007``, ``-008``, ``-009``, ``-010``, ``-011`` as the module says;
        ``DF-PDF-012`` for a key that does not match.
    InputError
        The reader's ``DF-PDF-05x``/``06x`` for a malformed PDF, ``DF-PDF-004`` for one
        whose pages cannot be updated, ``-016`` for an unreadable existing signature.
    """
    role = Role(role)
    mapping = roles or RoleMapping()
    at = at or dt.datetime.now(dt.UTC)
    if not certificates:
        raise UsageError("DF-PDF-012", "no signing certificate")
    leaf = certificates[0]
    decision = mapping.decide(leaf)
    if decision.role is None:
        raise UsageError("DF-PDF-011", f"the role of {leaf.subject.rfc4514_string()} cannot "
                         "be decided from its certificate policies"
                         + (f" (rules give {', '.join(r.value for r in decision.candidates)})"
                            if decision.candidates else ""))
    if decision.role is not role:
        raise UsageError("DF-PDF-006", f"the certificate's role is {decision.role.value}; "
                         f"it cannot sign as {role.value}")
    pdf = syntax.parse_pdf(data, where=where)
    found = pdf.get_ref(pdf.trailer().get(syntax.Name("Info")))
    info = found if isinstance(found, syntax.PdfDict) else syntax.PdfDict()
    appendix = info.get(syntax.Name("ND30Kind")) == "Appendix"
    existing = [r for _, r in _existing_roles(pdf, mapping, where)]
    location = Location(file=where)
    if enforce_order:
        _check_order(role, appendix, existing, location)
    organ_id = text(info.get(syntax.Name("ND30OrganId")))
    if role is Role.ORGAN and organ_id:
        codes = mapping.organ_codes(leaf)
        if codes != (organ_id,):
            raise UsageError("DF-PDF-009", f"the organ certificate is for "
                             f"{', '.join(codes) or 'no organ code'}, the document is "
                             f"issued by {organ_id}", location)
    placement = _placement(pdf, info, role, appendix, leaf, at, where)
    return sign_pdf(data, key, certificates, field_name=_FIELD[role], placement=placement,
                    at=at, timestamp=timestamp, pdf=pdf, where=where)


def _check_order(role: Role, appendix: bool, existing: Sequence[Role | None],
                 location: Location) -> None:
    """Refuse a signature out of the Decree's order (see the module docstring)."""
    if appendix and role is Role.SIGNER:
        raise UsageError("DF-PDF-010", "an appendix carries the organ's signature only",
                         location)
    if Role.ORGAN in existing:
        raise UsageError("DF-PDF-008", "the organ has already signed this document; nothing "
                         "may be signed after the organ's signature", location)
    if role in existing:
        raise UsageError("DF-PDF-008", f"the document already has a {role.value} signature",
                         location)
    if role is Role.ORGAN and not appendix and Role.SIGNER not in existing:
        raise UsageError("DF-PDF-007", "the signer (the competent person) signs a document "
                         "before the organ does", location)


def _common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def _organization(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
    return str(names[0].value) if names else _common_name(cert)


def _placement(pdf: syntax.PdfDocument, info: syntax.PdfDict, role: Role, appendix: bool,
               cert: x509.Certificate, at: dt.datetime, where: str | None) -> Placement:
    when = iso_time(at)
    last = len(page_refs(pdf, where)) - 1
    recorded = _rect(info.get(syntax.Name("ND30Signer" if role is Role.SIGNER
                                          else "ND30Organ")))
    if role is Role.SIGNER:
        page, rect = recorded or (last, (380.0, 120.0, 530.0, 184.0))
        return Placement(page, rect, signer_appearance(rect[2] - rect[0], rect[3] - rect[1],
                                                       _common_name(cert)))
    if appendix:
        page, rect = recorded or (0, (383.0, 798.0, 553.0, 830.0))
        code = text(info.get(syntax.Name("ND30Code")))
        return Placement(page, rect, appendix_appearance(
            rect[2] - rect[0], rect[3] - rect[1], _organization(cert), code, when))
    page, rect = recorded or (last, (346.0, 110.0, 430.0, 218.0))
    return Placement(page, rect, seal_appearance(rect[2] - rect[0], rect[3] - rect[1],
                                                 _organization(cert), when))
