"""``docflow.verify``: every signature of one document, against one :class:`~docflow.trust.Trust`.

What ``docflow verify`` does, as one library call: read the document (a file, ``-`` for
standard input, or bytes) within the hardened parser's limits, build the trust source of the
trust value (once per value and process, :mod:`docflow.profile.trusted`), and check it in the
profile asked for — by default docflow's own: a PDF (``%PDF-``) in Decree 30's
(:func:`docflow.profile.nd30.verify_document_pdf`), anything else in the edXML profile
(:mod:`docflow.profile.choice`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from docflow.errors import UsageError
from docflow.pdf.verify import PdfVerification, is_pdf
from docflow.pki.roles import Role
from docflow.pki.validate import PathValidator
from docflow.profile.choice import Profile
from docflow.profile.edxml import REQUIRED_ROLES, MessageVerification, verify_message
from docflow.profile.nd30 import verify_document_pdf
from docflow.profile.trusted import signature_policy, trust_source
from docflow.trust import Trust
from docflow.xmlsafe import DEFAULT_LIMITS, XmlLimits, parse_xml, read_bytes

__all__ = ["VerifyConfig", "verify"]


@dataclass(frozen=True, slots=True)
class VerifyConfig:
    """How ``docflow.verify`` checks a document; make variants with
    :func:`dataclasses.replace`.

    Examples
    --------
    >>> VerifyConfig().profile, sorted(VerifyConfig().required_roles)
    (<Profile.EDXML: 'edxml'>, [<Role.ORGAN: 'organ'>])
    """

    trust: Trust = field(default_factory=Trust)
    """Anchors (or a key), CRLs, time, role mapping, algorithm policy. The default trusts
    nothing, so no signature can pass."""
    profile: Profile = Profile.EDXML
    """The edXML profile unless plain XML-DSig is asked for: a document that reads as edXML is
    never checked without its roles and sender."""
    required_roles: frozenset[Role] = REQUIRED_ROLES
    """The roles a document message must be signed by: the organ, whose signature nothing
    else covers (``frozenset()`` for a draft workflow)."""
    limits: XmlLimits = DEFAULT_LIMITS
    """The hardened parser's size and depth limits."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "profile", Profile(self.profile))
        object.__setattr__(self, "required_roles", frozenset(self.required_roles))


def verify(source: bytes | str | os.PathLike[str], config: VerifyConfig | None = None
           ) -> MessageVerification | PdfVerification:
    """Verify every signature of one document.

    Parameters
    ----------
    source
        The document (``bytes``), a path to a file, or ``"-"`` for standard input.
    config
        Trust, profile and required roles; :class:`VerifyConfig` defaults otherwise.

    Returns
    -------
    MessageVerification or PdfVerification
        PASSED only when every signature is valid, trusted and in its place, with the roles
        and sender the profile asks for. A PDF (checked in the default profile only) gives a
        :class:`~docflow.pdf.verify.PdfVerification`.

    Raises
    ------
    InputError
        The document cannot be read or parsed safely, or a trust file cannot be read.
    UsageError
        ``DF-TRU-004``: the trust cannot serve this profile (a key for the edXML profile, an
        HMAC secret outside the legacy policy).

    Examples
    --------
    >>> verify(b"<invoice/>").findings[0].code
    'DF-TRU-002'
    """
    config = config or VerifyConfig()
    trust = config.trust
    plain = config.profile is Profile.XMLDSIG
    source_ = trust_source(trust, plain=plain)
    if isinstance(source, bytes):
        data, where = source, None
    else:
        name = os.fspath(source)
        data, where = read_bytes(name, config.limits.max_bytes), None if name == "-" else name
    if not plain and is_pdf(data):
        if not isinstance(source_, PathValidator):  # pragma: no cover - edXML gives one
            raise UsageError("DF-TRU-004", "a PDF is checked against trust anchors")
        return verify_document_pdf(data, source_, at=trust.at, legacy=trust.legacy,
                                   required_roles=config.required_roles, where=where)
    root = parse_xml(data, limits=config.limits, where=where)
    # The tree is this call's own: handed over, as verify_message owns a tree it parses.
    return verify_message(root, trust=source_, at=trust.at, policy=signature_policy(trust),
                          where=where, required_roles=config.required_roles, owned=True,
                          profile=config.profile)
