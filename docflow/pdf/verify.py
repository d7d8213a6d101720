"""Verify every signature of a PDF, and what each incremental update changed.

For each signature field of the final revision that holds a signature:

1. the signature dictionary (``DF-PDF-071``): /Contents a non-empty hex string, /ByteRange four
   non-negative integers;
2. the ByteRange (``DF-PDF-072``/``073``): it starts at 0, its gap is exactly this signature's
   /Contents token, and it ends where the revision that adds the signature ends: so the signed
   bytes are a whole revision of the file, and nothing hides in the gap;
3. the CMS (:mod:`docflow.pdf.cms`): structure, algorithms, signed attributes, signature;
4. the timestamp, if any (:mod:`docflow.pdf.timestamp`), whose time then replaces the
   validation time;
5. the certificate path with revocation at that time, and the role and organ code the
   certificate carries (:class:`~docflow.pki.validate.PathValidator`, the one trust object).

Then every update after the first revision (:mod:`docflow.pdf.changes`): what the reader sees
must be what was signed. Each signature's verdict includes the updates after it.

The Decree 30/2020 rules (order of roles, required roles, the organ against the sender) are
the profile's: :mod:`docflow.profile.nd30`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from docflow.errors import Finding, Indication, InputError, Location, verdict
from docflow.pdf.changes import Update, check_updates
from docflow.pdf.cms import CmsCheck, check_cms
from docflow.pdf.fields import SignatureField, signature_fields, text
from docflow.pdf.syntax import (
    DEFAULT_LIMITS,
    Name,
    PdfArray,
    PdfDict,
    PdfDocument,
    PdfLimits,
    PdfString,
    Ref,
    parse_pdf,
)
from docflow.pdf.timestamp import check_timestamp
from docflow.pdf.trust import tsa_validator
from docflow.pki.roles import RoleMapping
from docflow.pki.validate import PathValidator
from docflow.x509names import readable_name

__all__ = ["PdfSignature", "PdfVerification", "is_pdf", "verify_document", "verify_pdf"]

_SUBFILTERS = {"ETSI.CAdES.detached": True, "adbe.pkcs7.detached": False}
"""SubFilters docflow checks → whether ESS signing-certificate-v2 is required."""


def is_pdf(data: bytes) -> bool:
    """Whether ``data`` starts like a PDF (how ``docflow verify`` chooses the checker)."""
    return data[:5] == b"%PDF-"


@dataclass(frozen=True, slots=True)
class PdfSignature:
    """The outcome of one PDF signature."""

    field: str
    """The signature field's fully qualified name."""
    indication: Indication
    findings: tuple[Finding, ...]
    certificate: x509.Certificate | None = None
    role: str | None = None
    """``signer`` or ``organ`` as the certificate's policy says (the verdict says whether the
    certificate is trusted)."""
    organ_code: str | None = None
    """The organ code the certificate carries, when it carries exactly one."""
    revision: int | None = None
    """The revision the signature covers (0 is the original file)."""
    signed_bytes: int = 0
    """Where its ByteRange ends."""
    covers_whole_file: bool = False
    subfilter: str | None = None
    claimed_time: dt.datetime | None = None
    """/M or the signing-time attribute: what the signer's computer said."""
    timestamp: dt.datetime | None = None
    """genTime of a valid, trusted signature timestamp."""

    @property
    def passed(self) -> bool:
        return self.indication is Indication.PASSED

    @property
    def rule(self) -> str | None:
        """No place in a PDF gives a role (a field's name is the document's own claim): the
        certificate alone does. Here for the audit's verdict protocol."""
        return None

    @property
    def sub_indications(self) -> tuple[str, ...]:
        """The codes of the error findings, for the audit's reasons."""
        return tuple(dict.fromkeys(f.code for f in self.findings
                                   if f.indication is not None))

    def to_dict(self) -> dict[str, object]:
        cert = self.certificate
        return {"field": self.field, "indication": self.indication.value, "role": self.role,
                "organ_code": self.organ_code,
                "signer": readable_name(cert.subject) if cert is not None else None,
                "revision": self.revision, "signed_bytes": self.signed_bytes,
                "covers_whole_file": self.covers_whole_file, "subfilter": self.subfilter,
                "claimed_time": self.claimed_time.isoformat() if self.claimed_time else None,
                "timestamp": self.timestamp.isoformat() if self.timestamp else None,
                "findings": [f.to_dict() for f in self.findings]}


@dataclass(frozen=True, slots=True)
class PdfVerification:
    """The verdict on one PDF: each signature, each update, and every finding."""

    signatures: tuple[PdfSignature, ...]
    findings: tuple[Finding, ...]
    """Every finding: those of the signatures, of the updates and of the document."""
    updates: tuple[Update, ...] = ()
    revisions: int = 0
    size: int = 0
    indication: Indication = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "indication", verdict(self.findings))

    @property
    def passed(self) -> bool:
        return self.indication is Indication.PASSED

    def to_dict(self) -> dict[str, object]:
        return {"indication": self.indication.value, "kind": "pdf",
                "revisions": self.revisions, "size": self.size,
                "signatures": [s.to_dict() for s in self.signatures],
                "updates": [u.to_dict() for u in self.updates],
                "findings": [f.to_dict() for f in self.findings]}


def verify_pdf(data: bytes, validator: PathValidator, *, at: dt.datetime | None = None,
               legacy: bool = False, where: str | None = None,
               limits: PdfLimits = DEFAULT_LIMITS, describe: bool = True) -> PdfVerification:
    """Verify every signature of the PDF ``data`` and every update after the first revision.

    Parameters
    ----------
    data
        The whole file.
    validator
        The trust: anchors, CRLs, revocation mode and role mapping.
    at
        The validation time when a signature has no valid timestamp [default: now].
    legacy
        Admit SHA-1 and RSA-1024 in the CMS.
    where
        The file name, for locations.
    limits
        The reader's limits.
    describe
        Describe the updates that are not judged (those up to the first signature); off
        for the audit, which shows none of it. The verdict is the same either way.

    Returns
    -------
    PdfVerification
        A PDF the reader refuses is FAILED (or INDETERMINATE for an encrypted one) with the
        reader's finding, never an exception.
    """
    try:
        document = parse_pdf(data, limits=limits, where=where)
    except InputError as exc:
        return PdfVerification((), (exc.as_finding(),), size=len(data))
    return verify_document(document, validator, at=at, legacy=legacy, describe=describe)


def verify_document(document: PdfDocument, validator: PathValidator, *,
                    at: dt.datetime | None = None, legacy: bool = False,
                    describe: bool = True) -> PdfVerification:
    """:func:`verify_pdf` of a PDF already parsed, so that a caller that reads more of the
    document (the Decree 30 profile reads /Info) parses it once; ``where`` is the
    document's name."""
    at = at or dt.datetime.now(dt.UTC)
    try:
        return _verify(document, validator, at, legacy, document.name, describe)
    except InputError as exc:
        return PdfVerification((), (exc.as_finding(),), size=len(document.data))


def _verify(document: PdfDocument, validator: PathValidator, at: dt.datetime, legacy: bool,
            where: str | None, describe: bool) -> PdfVerification:
    fields = [f for f in signature_fields(document) if f.value is not None]
    results: list[PdfSignature] = []
    signed: dict[int, list[str]] = {}
    seen: dict[object, str] = {}
    digests: dict[tuple[str, int, int, int], bytes] = {}
    for sig_field in fields:
        result = _one(document, sig_field, validator, at, legacy, where, seen, digests)
        results.append(result)
        if result.revision is not None:
            signed.setdefault(result.revision, []).append(sig_field.name)
    document_findings, updates = check_updates(document, signed, where,
                                               describe_signed=describe)
    if not results:
        document_findings.append(Finding("DF-PDF-070", "the PDF has no filled signature "
                                         "field", Location(file=where)))
    last = len(document.revisions) - 1
    if results and last not in signed and not any(u.findings for u in updates):
        unsigned = len(document.data) - document.revisions[max(signed, default=0)].end
        document_findings.append(Finding("DF-PDF-090", f"the last {unsigned} bytes are "
                                         "signed by no signature", Location(file=where)))
    finals = []
    for result in results:
        later = [f for u in updates if result.revision is not None
                 and u.revision > result.revision for f in u.findings]
        own = (*result.findings, *later, *document_findings)
        finals.append(_replace(result, own))
    everything = [*document_findings]
    for result in finals:
        everything += [f for f in result.findings if f not in everything]
    for update in updates:
        everything += [f for f in update.findings if f not in everything]
    ordered = tuple(sorted(finals, key=lambda s: (s.revision if s.revision is not None
                                                  else 1 << 30, s.field)))
    return PdfVerification(ordered, tuple(everything), tuple(updates),
                           len(document.revisions), len(document.data))


def _replace(result: PdfSignature, findings: tuple[Finding, ...]) -> PdfSignature:
    return PdfSignature(result.field, verdict(findings), findings, result.certificate,
                        result.role, result.organ_code, result.revision, result.signed_bytes,
                        result.covers_whole_file, result.subfilter, result.claimed_time,
                        result.timestamp)


def _one(document: PdfDocument, sig_field: SignatureField, validator: PathValidator,
         at: dt.datetime, legacy: bool, where: str | None, seen: dict[object, str],
         digests: dict[tuple[str, int, int, int], bytes]) -> PdfSignature:
    location = Location(file=where, path=f"signature field {sig_field.name!r}")

    def failed(code: str, message: str, offset: int | None = None, **extra: object
               ) -> PdfSignature:
        found = (Finding(code, message, Location(file=where, path=location.path,
                                                 offset=offset)),)
        return PdfSignature(sig_field.name, verdict(found), found, **extra)  # type: ignore[arg-type]

    ref = sig_field.value
    if not isinstance(ref, Ref):
        return failed("DF-PDF-071", "/V is not a reference to a signature dictionary")
    if ref in seen:
        return failed("DF-PDF-088", f"the signature is also the value of field "
                                    f"{seen[ref]!r}")
    seen[ref] = sig_field.name
    sig = document.get(ref.num, -1, ref.gen)
    entry = document.view().get(ref.num)
    if not isinstance(sig, PdfDict) or entry is None:
        return failed("DF-PDF-071", "/V does not name a signature dictionary")
    revision = entry[1]
    offset = entry[0][1] if entry[0][0] == 1 else None
    kind = sig.get(Name("Type"), Name("Sig"))
    subfilter = sig.get(Name("SubFilter"))
    if kind != "Sig" or not isinstance(subfilter, Name) or str(subfilter) not in _SUBFILTERS:
        return failed("DF-PDF-074", f"/Type {kind!r} with /SubFilter {subfilter!r} is not a "
                                    "signature docflow checks", offset)
    contents = sig.get(Name("Contents"))
    byte_range = sig.get(Name("ByteRange"))
    if not isinstance(contents, PdfString) or not contents.hex or not contents.value.strip(
            b"\x00"):
        return failed("DF-PDF-071", "/Contents is missing, null, empty or not a hex string",
                      offset)
    if (not isinstance(byte_range, PdfArray) or len(byte_range) != 4
            or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                       for v in byte_range)):
        return failed("DF-PDF-071", "/ByteRange is not four non-negative integers", offset)
    a, b, c, d = (v for v in byte_range if isinstance(v, int))
    if a != 0 or b != contents.start or c != contents.end:
        return failed("DF-PDF-072", f"the ByteRange leaves bytes {a + b}-{c} unsigned, but "
                                    f"this signature's /Contents is bytes "
                                    f"{contents.start}-{contents.end}", offset)
    end = c + d
    revisions = document.revisions
    if end != revisions[revision].end:
        ends = [r.index for r in revisions if r.end == end]
        said = f"the end of revision {ends[0]}" if ends else "the end of no revision"
        return failed("DF-PDF-073", f"the ByteRange ends at byte {end} ({said}), but the "
                                    f"signature is in revision {revision}, which ends at "
                                    f"byte {revisions[revision].end}", offset)
    data = document.data

    def signed_hash(algorithm: hashes.HashAlgorithm) -> bytes:
        key = (algorithm.name, b, c, d)
        if key not in digests:
            h = hashlib.new(algorithm.name)
            view = memoryview(data)
            h.update(view[:b])
            h.update(view[c:end])
            digests[key] = h.digest()
        return digests[key]

    cms = check_cms(contents.value, signed_hash, legacy=legacy,
                    require_ess=_SUBFILTERS[str(subfilter)], where=location)
    claimed = _claimed_time(sig, cms)
    common = {"revision": revision, "signed_bytes": end,
              "covers_whole_file": end == len(data), "subfilter": str(subfilter),
              "claimed_time": claimed}
    if cms.certificate is None:
        return PdfSignature(sig_field.name, verdict(cms.findings), cms.findings,
                            **common)  # type: ignore[arg-type]
    return _trust(sig_field, cms, validator, at, legacy, location, common)


def _trust(sig_field: SignatureField, cms: CmsCheck, validator: PathValidator,
           at: dt.datetime, legacy: bool, location: Location,
           common: dict[str, object]) -> PdfSignature:
    findings = list(cms.findings)
    stamped = None
    if cms.timestamp_token is not None and cms.intact:
        check = check_timestamp(cms.timestamp_token, cms.signature, tsa_validator(validator),
                                legacy=legacy, where=location)
        findings += check.findings
        stamped = check.time
    certificate = cms.certificate
    assert certificate is not None
    chain = validator.check(certificate, cms.others, stamped or at)
    findings += [Finding(f.code, f.message, location) for f in chain.problems]
    role, code = _role_of(validator.store.roles, certificate)
    return PdfSignature(sig_field.name, verdict(findings), tuple(findings), certificate,
                        role, code, timestamp=stamped, **common)  # type: ignore[arg-type]


_ROLES: dict[tuple[RoleMapping, x509.Certificate], tuple[str | None, str | None]] = {}
_KEEP_ROLES = 4096


def _role_of(mapping: RoleMapping, certificate: x509.Certificate
             ) -> tuple[str | None, str | None]:
    """The role and the single organ code ``certificate`` carries under ``mapping``.

    Speed: kept per certificate and mapping (both immutable), as the path check is: one
    organ certificate signs thousands of documents, and reading its policies and subject
    each time cost more than the path check's cache look-up."""
    key = (mapping, certificate)
    found = _ROLES.get(key)
    if found is None:
        decision = mapping.decide(certificate)
        codes = mapping.organ_codes(certificate)
        found = (decision.role.value if decision.role else None,
                 codes[0] if len(codes) == 1 else None)
        if len(_ROLES) >= _KEEP_ROLES:
            _ROLES.clear()
        _ROLES[key] = found
    return found


def _claimed_time(sig: PdfDict, cms: CmsCheck) -> dt.datetime | None:
    if cms.signing_time is not None:
        return cms.signing_time
    raw = text(sig.get(Name("M")))
    return _pdf_date(raw)


def _pdf_date(raw: str) -> dt.datetime | None:
    """A PDF date ``D:YYYYMMDDHHmmSS+HH'mm'`` (ISO 32000-2 §7.9.4), or ``None``."""
    if not raw.startswith("D:") or len(raw) < 16:
        return None
    digits = raw[2:16]
    try:
        if digits.isascii() and digits.isdigit():  # speed: strptime costs 20 times this
            when = dt.datetime(int(digits[:4]), int(digits[4:6]), int(digits[6:8]),
                               int(digits[8:10]), int(digits[10:12]), int(digits[12:14]))
        else:
            when = dt.datetime.strptime(digits, "%Y%m%d%H%M%S")
        zone = raw[16:].replace("'", "")
        if zone in ("", "Z"):
            return when.replace(tzinfo=dt.UTC)
        sign = 1 if zone[0] == "+" else -1
        offset = dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5] or 0))
        return when.replace(tzinfo=dt.timezone(sign * offset))
    except (ValueError, IndexError):
        return None

