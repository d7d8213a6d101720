"""The sender check of the edXML profile: a message's signatures are its sender's.

A valid, trusted certificate in the right role proves who signed, not for whom: agency B's
genuine organ certificate can sign a message whose ``From/OrganId`` says agency A, and every
signature would pass. The profile therefore binds each signature to the sender:

* the **organ**'s certificate must carry the sender's organ code (``From`` of the
  ``MessageHeader``, or of the ``Status`` of a status message). The sender is read from what
  the organ's ``URI=""`` Reference covered (:func:`signed_senders`). A mismatch is
  ``DF-SIG-024`` (FAILED); a certificate with no single organ code, or a signed message with
  no single ``From/OrganId``, cannot be matched and is ``DF-SIG-025`` (INDETERMINATE): the
  organ's signature vouches for the header, so a sender it cannot be tied to is not PASSED;
* the **signer** (the competent person) must be of the sender's agency too, as Decree 30/2020
  has the competent person of the issuing body sign. The sender is read from the organ's signed
  content when the organ's signature passed, else from the message (unsigned, but a check that
  can only refuse may read it). A mismatch is ``DF-SIG-024``; a certificate without an organ
  code is ``DF-SIG-025`` as a **warning**: the person's signature covers the attachments only,
  and the sender binding of a message is the organ's.

Where a certificate carries the organ code is the trust configuration's
:attr:`~docflow.pki.roles.RoleMapping.organ_code_attribute` (``organizationIdentifier``,
2.5.4.97, in docflow's PKI).

Examples
--------
>>> from lxml import etree
>>> root = etree.fromstring(
...     '<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader>'
...     '<MessageHeader><From><OrganId> 000.00.00.H49 </OrganId></From></MessageHeader>'
...     '</edXMLHeader></edXMLEnvelope></edXML>')
>>> senders(root)
('000.00.00.H49',)
"""

from __future__ import annotations

from cryptography import x509
from lxml import etree

from docflow.dsig import SignedReference, VerifyResult
from docflow.envelope.model import NS
from docflow.errors import Finding, Severity
from docflow.pki.roles import Role, RoleMapping
from docflow.xmlsafe import text_content

__all__ = ["binding_problem", "sender_findings", "senders", "signed_senders"]

_SENDER = [tuple(tag for local in step for tag in (f"{{{NS}}}{local}", local)) for step in (
    ("edXMLEnvelope",), ("edXMLHeader",), ("MessageHeader", "Status"), ("From",), ("OrganId",))]
"""The sender's place, step by step: ``From/OrganId`` of the header's ``MessageHeader`` (a
document message) or ``Status`` (a status message, which the receiver sends). Each step takes
the QCVN name and the same name in no namespace, because the parser reads both (a field
variant, ``DF-ENV-003``): a bare ``From`` before the signed one would otherwise be the sender
the reader sees while the check matched the certificate with the other one."""


def senders(root: etree._Element | None) -> tuple[str, ...]:
    """The distinct ``From/OrganId`` values at the profile's places under the edXML root.

    The path is followed child by child from the root, so nothing inside a Signature or any
    other element is ever read as the sender; the text is the element's whole string value
    (a comment splitting it does not cut it short). A message with both a ``MessageHeader``
    and a ``Status`` names the sender of each, so two that differ are several senders.

    >>> from lxml import etree
    >>> senders(etree.fromstring(
    ...     '<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope>'
    ...     '<edXMLHeader><Status><ResponseFor><OrganId>000.00.01.H49</OrganId></ResponseFor>'
    ...     '<From><OrganId>000.00.00.H49</OrganId></From></Status></edXMLHeader>'
    ...     '</edXMLEnvelope></edXML>'))
    ('000.00.00.H49',)
    """
    return () if root is None else _values(_places(root))


def signed_senders(root: etree._Element, covered: SignedReference) -> tuple[str, ...]:
    """The senders as the organ's ``URI=""`` Reference ``covered`` them, ``root`` being the
    message that was verified.

    ``covered.canonical`` is the canonical form of ``root`` itself: the Reference is the whole
    document (the profile's organ rule), and the only transforms any policy admits remove
    ds:Signature elements, which the layout lets stand in the header only, never on the
    sender's path. So each ``OrganId`` that holds text alone reads the same in ``root`` as in
    what was signed, and is read there. Speed: parsing the canonical bytes again costs as
    much as parsing the message (about 15% of a verification of an 8 KB message).

    An ``OrganId`` holding anything but text (a comment, an element) is read from the
    canonical bytes instead, parsed again: there, what the transforms removed is gone by
    construction.

    Raises
    ------
    InputError
        The canonical bytes, needed for such an ``OrganId``, are past the parser's limits.
    """
    places = _places(root)
    if any(len(place) for place in places):
        return senders(covered.element)
    return _values(places)


def _places(root: etree._Element) -> list[etree._Element]:
    level = [root]
    for tags in _SENDER:
        # Speed: lxml matches the tags itself, making no Python object for other children.
        level = [child for element in level for child in element.iterchildren(*tags)]
    return level


def _values(places: list[etree._Element]) -> tuple[str, ...]:
    values = (text_content(element).strip() for element in places)
    return tuple(dict.fromkeys(v for v in values if v))


def sender_findings(result: VerifyResult, sender: tuple[str, ...], mapping: RoleMapping,
                    ) -> list[Finding]:
    """The findings of binding a passed signature of ``result.rule`` to the ``sender``.

    Parameters
    ----------
    result
        A signature that passed in the ``organ`` or ``signer`` place.
    sender
        The ``From/OrganId`` values (see :func:`senders`) the signature must match.
    mapping
        Where the certificate carries its organ code.

    Returns
    -------
    list of Finding
        Empty when the certificate's organ code is the one sender.
    """
    place = result.rule or ""
    problem = binding_problem(_codes(result.certificate, mapping), sender, place,
                              mapping.organ_code_attribute)
    if problem is None:
        return []
    code, message = problem
    warning = Severity.WARNING if place == Role.SIGNER.value and code == "DF-SIG-025" else None
    return [Finding(code, message, result.location, severity=warning)]


def binding_problem(codes: tuple[str, ...], sender: tuple[str, ...], place: str,
                    attribute: str) -> tuple[str, str] | None:
    """Why a certificate carrying the organ ``codes`` cannot sign in ``place`` for the
    ``sender``: ``("DF-SIG-024", message)`` for another agency, ``("DF-SIG-025", message)``
    when it cannot be told; ``None`` when the one code is the one sender.

    One rule for verifying (:func:`sender_findings`) and for signing
    (:func:`docflow.profile.edxml.sign_message`), so that docflow never makes a signature it
    would refuse, and refuses it with the same code.

    >>> binding_problem(("000.00.01.H49",), ("000.00.00.H49",), "organ", "2.5.4.97")[0]
    'DF-SIG-024'
    """
    if len(codes) != 1:
        what = "no organ code" if not codes else f"several organ codes ({', '.join(codes)})"
        return "DF-SIG-025", (f"the '{place}' certificate carries {what} in subject attribute "
                              f"{attribute}, so it cannot be matched with the sender")
    if len(sender) != 1:
        what = "no sender" if not sender else f"several senders ({', '.join(sender)})"
        return "DF-SIG-025", (f"the message names {what} in From/OrganId, so the '{place}' "
                              "certificate cannot be matched with it")
    if codes[0] != sender[0]:
        return "DF-SIG-024", (f"the '{place}' certificate is of agency {codes[0]}, but the "
                              f"message is from {sender[0]}")
    return None


def _codes(certificate: x509.Certificate | None, mapping: RoleMapping) -> tuple[str, ...]:
    return () if certificate is None else mapping.organ_codes(certificate)
