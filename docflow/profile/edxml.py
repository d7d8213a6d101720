"""docflow's signature profile of edXML: who signs what, where the Signatures stand.

Decree 30/2020 signs an official document twice, and the profile follows its order:

1. the **signer** (the competent person) signs the content: one Reference per
   ``AttachmentEncoded/Attachment``, by its ``Id``, covering every attachment;
2. the clerk numbers the document; then the **organ** signs the whole message: ``URI=""``
   with enveloped-signature and exclusive C14N, which covers the number, the header and the
   signer's Signature.

Both Signatures stand in ``edXML/edXMLEnvelope/edXMLHeader``; a ds:Signature anywhere else is a
wrapping attempt. The role of each signature comes from its certificate (docflow's PKI marks
it with a policy OID; other CAs are mapped by the trust configuration) and must match the
place it stands in: a person's certificate on the organ's Signature is refused
(``DF-SIG-021``), and an unknown role is reported, not guessed (``DF-PKI-012`` from docflow's
path validator, ``DF-SIG-023`` from a pinned key or HMAC secret configured without a role).

Beyond the layout, the profile holds three rules of its own:

* a signature is its **sender's** (:mod:`docflow.profile.sender`): the organ's certificate
  carries the organ code of the signed ``From/OrganId`` (``DF-SIG-024``, or ``DF-SIG-025``
  when it cannot be told), and the signer's is of the same agency;
* a profile Signature holds **nothing its signature does not cover**: no ``ds:Object`` and no
  element outside the XML-DSig namespaces (``DF-SIG-026``). docflow never writes either, and
  the organ's enveloped transform leaves its own Signature out of its digest, so anything
  riding there (a forged MessageHeader for a reader that searches the tree) is refused rather
  than carried inside a passing Signature;
* a signature that does not pass exposes nothing as signed;
* a signed **document** message holds a Signature of every **required role**
  (:data:`REQUIRED_ROLES`, the organ by default; ``DF-SIG-028``). The organ's signature covers
  the signer's, but nothing covers the organ's: an attacker who removes it leaves a message whose
  signer signature still holds, so without this rule stripping the organ would pass.

Examples
--------
>>> EDXML_LAYOUT.rules[0].name, EDXML_LAYOUT.rules[1].name
('signer', 'organ')
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from docflow.dsig import (
    DEFAULT_POLICY,
    ENVELOPED,
    ENVELOPING,
    ReferenceRule,
    SignatureLayout,
    SignatureRule,
    Signer,
    SignReference,
    TrustSource,
    VerifyPolicy,
    VerifyResult,
    verify_all_at,
)
from docflow.dsig.algorithms import DS11_NS, DS_NS
from docflow.envelope.kind import MessageKind, kind_finding, read_kind
from docflow.envelope.schema import schema_findings
from docflow.errors import Finding, Indication, InputError, Location, UsageError, verdict
from docflow.pki.roles import Role, RoleMapping
from docflow.pki.validate import PathValidator
from docflow.profile.choice import EDXML_ROOT, Profile, edxml_claim
from docflow.profile.sender import binding_problem, sender_findings, senders, signed_senders
from docflow.x509names import readable_name
from docflow.xmlsafe import element_path, parse_xml

__all__ = [
    "EDXML_LAYOUT",
    "EDXML_NS",
    "REQUIRED_ROLES",
    "MessageVerification",
    "sign_message",
    "verify_message",
]

EDXML_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"


def _q(local: str) -> str:
    return f"{{{EDXML_NS}}}{local}"


HEADER = (_q("edXML"), _q("edXMLEnvelope"), _q("edXMLHeader"))
"""Where both Signatures stand."""
ATTACHMENTS = (_q("edXML"), _q("AttachmentEncoded"))
"""Where the attachments the signer signs stand."""
_SIGNATURE = f"{{{DS_NS}}}Signature"
_OBJECT = f"{{{DS_NS}}}Object"
_SIGNATURE_NAMESPACES = tuple(f"{{{ns}}}" for ns in (
    DS_NS, DS11_NS, "http://www.w3.org/2001/10/xml-exc-c14n#"))
"""Tag prefixes of the elements a profile Signature may hold: XML-DSig, XML-DSig 1.1 (EC key
values) and exclusive C14N's InclusiveNamespaces."""

SIGNER_RULE = SignatureRule(Role.SIGNER.value, HEADER, (
    ReferenceRule.element(_q("Attachment"), parent=ATTACHMENTS, min_count=1, max_count=None,
                          all_of_kind=True),), min_count=0, max_count=1)
"""The signer's Signature: every attachment, by Id, and nothing else."""
ORGAN_RULE = SignatureRule(Role.ORGAN.value, HEADER, (ReferenceRule.document(),),
                           min_count=0, max_count=1)
"""The organ's Signature: the whole message."""
EDXML_LAYOUT = SignatureLayout((SIGNER_RULE, ORGAN_RULE))
"""At most one of each, so that the layout alone reads any message; which roles a message
*must* have is :data:`REQUIRED_ROLES`, a policy of the verification."""

# Which roles must sign is a knob of the profile's verification (``verify_message``), not of
# the trust: ``VerifyPolicy`` is dsig's and knows XML-DSig, not edXML roles; the ``Trust`` says
# what signatures are checked against, and the audit, which shares it, counts each role's
# presence itself and must go on counting a document that lacks one rather than failing it.
# ``VerifyConfig`` and ``ValidationConfig`` carry the required roles (validate's
# SignatureCheck passes them through).
REQUIRED_ROLES: frozenset[Role] = frozenset({Role.ORGAN})
"""The roles that must have signed an edXML document message, by default: the organ. Decree
30/2020 makes the organ's digital signature what makes an electronic document official, and
the organ's signature is the only one nothing else covers, so its removal in transit is
otherwise invisible. The signer is not required by default: a Công văn may carry no attachment
for a person to sign. Status messages (acknowledgements, not official documents) and plain XML
never require a role."""


@dataclass(frozen=True)
class MessageVerification:
    """The outcome of verifying every signature of one message (edXML or plain XML)."""

    indication: Indication
    signatures: tuple[VerifyResult, ...]
    """One result per Signature, in document order; each carries its rule (where it stands:
    ``signer``/``organ``, or ``enveloped`` for plain XML) and its certificate's role."""
    findings: tuple[Finding, ...] = ()
    """Problems of the message as a whole (no signature, a Signature out of place)."""
    edxml: bool = True
    """Whether the edXML profile applied (``False``: plain XML-DSig, one enveloped Signature)."""
    required_roles: frozenset[Role] = frozenset()
    """The roles this message had to be signed by (empty for a status message or plain XML,
    whatever was asked)."""

    @property
    def passed(self) -> bool:
        """Every signature is valid and trusted, in its place, and there is at least one."""
        return self.indication is Indication.PASSED

    def by_rule(self, name: str) -> VerifyResult | None:
        """The result of the Signature standing in the place ``name`` (``signer``/``organ``)."""
        return next((r for r in self.signatures if r.rule == name), None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: the indication, each signature and every finding."""
        return {
            "indication": self.indication.value,
            "profile": "edxml" if self.edxml else "xmldsig",
            "required_roles": [r.value for r in Role if r in self.required_roles],
            "signatures": [_signature_dict(r) for r in self.signatures],
            "findings": [f.to_dict() for f in self.findings],
        }


def _signature_dict(result: VerifyResult) -> dict[str, Any]:
    cert = result.certificate
    return {
        "place": result.rule,
        "role": result.role,
        "indication": result.indication.value,
        "sub_indications": list(result.sub_indications),
        "signature_method": result.signature_method.value if result.signature_method else None,
        "certificate": None if cert is None else {
            "subject": readable_name(cert.subject), "issuer": readable_name(cert.issuer),
            "serial": format(cert.serial_number, "x")},
        "signed": [s.uri for s in result.signed],
        "findings": [f.to_dict() for f in result.findings],
    }


def _is_edxml(root: etree._Element) -> bool:
    return root.tag == EDXML_ROOT


def _not_edxml(root: etree._Element, where: str | None) -> MessageVerification:
    """The edXML profile's verdict on a document whose root is not the QCVN ``edXML``.

    Nothing is verified: the profile cannot place a Signature in it, and a plain XML-DSig
    check would give a message docflow reads as edXML a meaning no organ vouched for.
    """
    tag = root.tag if isinstance(root.tag, str) else ""
    location = Location(file=where, line=root.sourceline,
                        path="/" + tag.rpartition("}")[2])
    claim = edxml_claim(root)
    if claim is not None:
        finding = Finding("DF-TRU-001", f"the document reads as an edXML message ({claim}) but "
                          f"its root is {tag!r}, not {EDXML_ROOT!r}: the edXML profile cannot "
                          "check it, and it is checked as plain XML-DSig only when asked for "
                          "(--profile xmldsig)", location)
    else:
        finding = Finding("DF-TRU-002", f"the root element is {tag!r}: this is not an edXML "
                          "message; give --profile xmldsig to check it as plain XML-DSig",
                          location)
    return MessageVerification(verdict([finding]), (), (finding,), True, frozenset())


def verify_message(document: bytes | etree._Element, *, trust: TrustSource,
                   at: datetime | None = None, policy: VerifyPolicy = DEFAULT_POLICY,
                   where: str | None = None,
                   required_roles: frozenset[Role] = REQUIRED_ROLES,
                   owned: bool = False, profile: Profile = Profile.EDXML
                   ) -> MessageVerification:
    """Verify every signature of ``document``: the edXML profile, or plain XML-DSig.

    Parameters
    ----------
    document
        The message bytes (or its parsed root).
    trust
        The trust source, normally docflow's ``PathValidator`` over the trust store.
    at
        The validation time; ``None`` is now.
    policy
        The algorithms accepted.
    where
        A file name for finding locations.
    required_roles
        The roles an edXML document message must hold a Signature of (:data:`REQUIRED_ROLES`,
        the organ, by default; ``frozenset()`` requires none). Each one without a Signature
        in its place is ``DF-SIG-028`` (FAILED), in an unsigned document message too (beside
        ``DF-SIG-022``). Not applied to status messages and plain XML, nor when Signatures are
        there but none could be given a place (``DF-SIG-009`` says why).
    owned
        ``document`` is a tree the caller hands over and will not read again (see
        :func:`~docflow.dsig.verify_all_at`): the verification may take the organ's Signature
        out of it, which spares a canonicalization of the Signature and the search for it in
        the canonical bytes. Bytes are always parsed into a tree of the verification's own.
    profile
        The edXML profile (the default) checks only a message whose root is the QCVN
        ``edXML`` element: any other document fails (``DF-TRU-001`` when it reads as edXML,
        ``DF-TRU-002`` otherwise; :mod:`docflow.profile.choice`). ``Profile.XMLDSIG`` checks
        one enveloped (or, for a ``ds:Signature`` root, enveloping) Signature, and says that
        no edXML meaning was checked (``DF-TRU-003``).

    Returns
    -------
    MessageVerification
        PASSED only when there is at least one signature and every one passed in its place
        with a certificate of the matching role; in the edXML profile, also of the sender's
        agency, with nothing in its Signature that the signature does not cover, and for a
        document message a Signature of every required role.

    Raises
    ------
    InputError
        The bytes cannot be parsed safely.
    """
    if isinstance(document, bytes):
        root, owned = parse_xml(document, where=where), True
    else:
        root = document
    at = at or datetime.now(UTC)
    edxml = Profile(profile) is Profile.EDXML
    if edxml and not _is_edxml(root):
        return _not_edxml(root, where)
    layout = EDXML_LAYOUT if edxml else ENVELOPING if root.tag == _SIGNATURE else ENVELOPED
    # Read before verification, which may take a Signature out of an owned tree; what is read
    # after it (the header, the sender's path) holds no Signature.
    uncovered = _uncovered_content(root, where) if edxml else {}
    kind = _kind_findings(root, where) if edxml else (None, [])
    required = required_roles if edxml and kind[0] is not MessageKind.STATUS else frozenset()
    outcome = verify_all_at(root, at, trust=trust, layout=layout, policy=policy, where=where,
                            owned=owned)
    results = list(outcome.signatures)
    if edxml:
        results = _profile_rules(root, results, uncovered, _role_mapping(trust))
    findings = [*kind[1], *outcome.findings]
    if not results and not findings:
        findings.append(Finding("DF-SIG-022", "the message holds no XML-DSig signature",
                                Location(file=where)))
    if required and (results or not outcome.findings):
        findings.extend(_missing_roles(root, results, required, where))
    if not edxml:
        findings.append(Finding("DF-TRU-003", "checked as plain XML-DSig: no edXML meaning "
                                "(roles, the sender's agency, the organ's signature required) "
                                "was checked", Location(file=where)))
    every = [*findings, *(f for r in results for f in r.findings)]
    return MessageVerification(verdict(every), tuple(results), tuple(findings), edxml,
                               required)


def _kind_findings(root: etree._Element, where: str | None
                   ) -> tuple[MessageKind | None, list[Finding]]:
    """The message's kind, and why it cannot pass as that kind.

    A kind that cannot be told is ``DF-ENV-080``. A status message needs no role's signature,
    so nothing but its structure stands between a stripped document dressed as a status and a
    PASSED: it must be a valid status message by the status XSD (``DF-ENV-081``), which has no
    body and no attachments for a leftover signer's signature to cover. A document message
    needs no such check here: the organ's signature it requires covers the whole of it.
    Read before verification, which may take a Signature out of an owned tree.
    """
    reading = read_kind(root)
    unknown = kind_finding(reading, where)
    if unknown is not None:
        return None, [unknown]
    if reading.kind is MessageKind.STATUS:
        errors = [f for f in schema_findings(root, where=where, kind=MessageKind.STATUS)
                  if f.indication is not None]
        if errors:
            first = errors[0]
            return reading.kind, [Finding(
                "DF-ENV-081", f"the message reads as a status message, which no role has to "
                f"sign, but the status schema refuses it ({first.code}: {first.message})",
                first.location)]
    return reading.kind, []


def _missing_roles(root: etree._Element, results: list[VerifyResult],
                   required: frozenset[Role], where: str | None) -> list[Finding]:
    """``DF-SIG-028`` for each required role with no Signature in its place.

    A role counts as present by its place (the rule its References fit), whatever becomes of
    its signature: a broken or misattributed one fails on its own, and this rule says only
    that one is missing. Located at the header, where the Signature should stand.
    """
    places = {r.rule for r in results}
    missing = [role for role in Role if role in required and role.value not in places]
    if not missing:
        return []
    header = root.find(f"{_q('edXMLEnvelope')}/{_q('edXMLHeader')}")
    location = Location(file=where) if header is None else Location(
        file=where, line=header.sourceline, path=element_path(header))
    return [Finding("DF-SIG-028", f"the {role.value}'s signature is required but the message "
                    "holds none (a Signature removed in transit?)", location)
            for role in missing]


def _profile_rules(root: etree._Element, results: list[VerifyResult],
                   uncovered: dict[str, list[Finding]], mapping: RoleMapping
                   ) -> list[VerifyResult]:
    """The edXML profile's own rules over the layout's results: role, content (``uncovered``,
    read by :func:`_uncovered_content` before verification), sender.

    The organ's result is judged before the signer's, whose sender check reads what the
    organ's signature covered.
    """
    judged = [_with(r, [*_role_findings(r), *uncovered.get(r.location.path or "", ())])
              for r in results]
    organ = next((r for r in judged if r.rule == Role.ORGAN.value and r.passed), None)
    organ_sender = None
    if organ is not None and organ.signed:
        try:
            organ_sender = signed_senders(root, organ.signed[0])
        except InputError:  # canonical bytes past the parser's limits: no sender to be read
            organ_sender = ()
    final = []
    for result in judged:
        if result.passed and result.rule == Role.ORGAN.value:
            result = _with(result, sender_findings(result, organ_sender or (), mapping))
        elif result.passed and result.rule == Role.SIGNER.value:
            sender = organ_sender if organ_sender is not None else senders(root)
            result = _with(result, sender_findings(result, sender, mapping))
        final.append(result)
    return final


def _role_findings(result: VerifyResult) -> list[Finding]:
    """The certificate's role must be the place's; an unknown role never passes."""
    if result.role is not None and result.role != result.rule:
        return [Finding("DF-SIG-021", f"a certificate of role '{result.role}' made the "
                        f"'{result.rule}' signature", result.location)]
    if result.role is None and result.passed:
        # The path validator reports an unknown role itself (DF-PKI-012/-013, never PASSED);
        # a pinned key or HMAC secret configured without a role would pass here unnoticed.
        return [Finding("DF-SIG-023", f"the trust source gives the '{result.rule}' signature "
                        "no role; give the pinned key or secret its role", result.location)]
    return []


def _uncovered_content(root: etree._Element, where: str | None
                       ) -> dict[str, list[Finding]]:
    """``DF-SIG-026`` findings per profile Signature (by element path) holding a ds:Object
    or an element of a foreign namespace.

    Speed: a hostile header may hold thousands of Signatures, each with a ds:Object; their
    paths are numbered in one pass here rather than asked of :func:`element_path`, which
    would count each one's siblings again.
    """
    found: dict[str, list[Finding]] = {}
    header = root.find(f"{_q('edXMLEnvelope')}/{_q('edXMLHeader')}")
    if header is None:
        return found
    signatures = header.findall(_SIGNATURE)
    base = ""  # the header's path, worked out only for a finding (speed: most have none)
    for number, signature in enumerate(signatures, start=1):
        for element in signature.iter():
            tag = element.tag
            if not isinstance(tag, str):
                continue  # comments and processing instructions are not content
            if tag == _OBJECT:
                what = "a ds:Object"
            elif not tag.startswith(_SIGNATURE_NAMESPACES):
                what = f"the foreign element {etree.QName(element).localname!r}"
            else:
                continue
            base = base or f"{element_path(header)}/Signature"
            path = f"{base}[{number}]" if len(signatures) > 1 else base
            found[path] = [Finding(
                "DF-SIG-026", f"the Signature holds {what}, which its signature does not "
                "cover; the edXML profile allows none", Location(
                    file=where, line=element.sourceline,
                    path=path + element_path(element, below=signature)))]
            break  # one finding says enough, and what it holds is not looked at
    return found


def _with(result: VerifyResult, extra: list[Finding]) -> VerifyResult:
    """``result`` with ``extra`` findings; a result that no longer passes exposes nothing."""
    if not extra:
        return result
    findings = (*result.findings, *extra)
    indication = verdict(findings)
    return dataclasses.replace(result, indication=indication, findings=findings,
                               signed=result.signed if indication is Indication.PASSED else ())


def _role_mapping(trust: TrustSource) -> RoleMapping:
    """Where the trust configuration says certificates carry the organ code."""
    return trust.store.roles if isinstance(trust, PathValidator) else RoleMapping()


def sign_message(document: bytes, signer: Signer, role: Role | str | None = None, *,
                 where: str | None = None) -> bytes:
    """Sign ``document`` as ``role`` in the edXML profile, or as plain XML-DSig.

    Parameters
    ----------
    document
        The message bytes. An edXML message gets its Signature in ``edXMLHeader``; any other
        XML an enveloped ``URI=""`` Signature at the end of its root (``role`` is then
        ignored).
    signer
        The configured signer (key and certificate chain).
    role
        ``signer`` signs every attachment (giving an ``Id`` to those that have none), and must
        come first; ``organ`` signs the whole message.
    where
        A file name for error locations.

    Returns
    -------
    bytes
        The signed message.

    Raises
    ------
    UsageError
        No role for an edXML message; the role does not match the certificate's; the
        certificate's organ code is not the message's sender (``DF-SIG-024``, or
        ``DF-SIG-025`` when the message names no single sender), as verification would find;
        the organ has already signed; there is nothing for the signer to sign; a role signs
        twice.
    InputError
        The document cannot be parsed, or has no ``edXMLHeader``.
    """
    root = parse_xml(document, where=where)
    if not _is_edxml(root):
        return signer.sign(document, where=where)
    if role is None:
        raise UsageError("DF-SIG-021", "an edXML message is signed as 'signer' or 'organ'; "
                         "give the role", Location(file=where))
    chosen = Role.parse(str(role))
    _check_certificate_role(signer, chosen, where)
    _check_sender(signer, chosen, root, where)
    header = root.find(f"{_q('edXMLEnvelope')}/{_q('edXMLHeader')}")
    if header is None:
        raise InputError("DF-SIG-009", "the message has no edXMLEnvelope/edXMLHeader to hold "
                         "a Signature", Location(file=where))
    present = _present_places(header)
    if chosen.value in present:
        raise UsageError("DF-SIG-009", f"the message already has a '{chosen.value}' signature",
                         Location(file=where))
    if chosen is Role.SIGNER:
        if Role.ORGAN.value in present:
            raise UsageError("DF-SIG-009", "the organ has already signed; the signer signs "
                             "first, or the organ's signature would break",
                             Location(file=where))
        references = [SignReference.element(i) for i in _attachment_ids(root, where)]
        signer.sign_tree(header, references)
    else:
        signer.sign_tree(header)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def _check_certificate_role(signer: Signer, role: Role, where: str | None) -> None:
    if not signer.certificates:
        return
    decided = RoleMapping().decide(signer.certificates[0]).role
    if decided is not None and decided is not role:
        raise UsageError("DF-SIG-021", f"the certificate is a '{decided.value}' certificate, "
                         f"not a '{role.value}' one", Location(file=where))


def _check_sender(signer: Signer, role: Role, root: etree._Element, where: str | None) -> None:
    """Refuse to sign for another agency than the message's sender, with the code verify
    would give the signature (``DF-SIG-024``; ``DF-SIG-025`` when the message names no single
    sender). A certificate that carries no organ code (another CA's, whose code a role mapping
    places elsewhere) is left to verify, which knows the mapping."""
    if not signer.certificates:
        return
    mapping = RoleMapping()
    codes = mapping.organ_codes(signer.certificates[0])
    if not codes:
        return
    problem = binding_problem(codes, senders(root), role.value, mapping.organ_code_attribute)
    if problem is not None:
        code, message = problem
        raise UsageError(code, f"{message}: docflow does not sign a message its "
                         "verification would refuse", Location(file=where))


def _present_places(header: etree._Element) -> set[str]:
    places = set()
    for signature in header.findall(_SIGNATURE):
        uris = signature.xpath("./ds:SignedInfo/ds:Reference/@URI", namespaces={"ds": DS_NS})
        places.add(Role.ORGAN.value if "" in uris else Role.SIGNER.value)
    return places


def _attachment_ids(root: etree._Element, where: str | None) -> list[str]:
    attachments = root.findall(f"{_q('AttachmentEncoded')}/{_q('Attachment')}")
    if not attachments:
        raise UsageError("DF-SIG-008", "the message has no attachment for the signer to sign",
                         Location(file=where))
    taken = {str(value) for value in root.xpath("//@Id")}
    ids = []
    for number, attachment in enumerate(attachments, 1):
        value = attachment.get("Id")
        if value is None:
            value = f"att-{number}"
            while value in taken:
                value += "x"
            attachment.set("Id", value)
            taken.add(value)
        ids.append(value)
    return ids
