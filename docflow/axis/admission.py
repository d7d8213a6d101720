"""What gets into the axis: one judgement per incoming message, before anything is stored.

This module is the axis's **only** coupling to docflow's validation and trust: everything the
service knows about what makes a message acceptable is :meth:`Admission.judge`, under the one
frozen :class:`~docflow.trust.Trust` that ``docflow validate``, ``verify`` and ``audit`` take
(:meth:`Admission.from_pki` builds it from the PKI folder, or :meth:`Admission.from_trust`
takes one).

A message is admitted when ``docflow validate`` would say PASSED with the PKI folder as trust
and the organ's signature required of a document message (``--require organ``): safely parsed
(no DTD, no entity, within the size and depth limits), valid against the edXML XSD and the
business rules, every signature valid and trusted, in its place, and bound to the sender.
INDETERMINATE is refused too: the axis forwards only what it could check.

Routing facts (who sent it, to whom, which document) are read after the judgement from the
one tree parsed from the bytes, the tree the signatures were verified on (the checks leave it
as they found it), so that only a message that passed is ever routed, and routed by what was
signed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docflow.envelope.model import Envelope, StatusMessage
from docflow.envelope.parser import parse_tree
from docflow.envelope.status import StatusCode
from docflow.errors import CATALOGUE, Finding, Indication, InputError, Location, Severity
from docflow.xmlsafe import XmlLimits, parse_xml

if TYPE_CHECKING:
    from lxml import etree

    from docflow.trust import Trust
    from docflow.validation.report import ValidationReport

__all__ = ["Admission", "Judgement", "Route"]


@dataclass(frozen=True, slots=True)
class Route:
    """Where an admitted message goes, as its (verified) content says."""

    kind: str
    """``document`` or ``status``."""
    sender: str
    """``From/OrganId``."""
    receivers: tuple[str, ...]
    """``To/OrganId`` of a document, in order and without repeats; empty for a status message
    (the axis routes it to the parties of the document it answers)."""
    document_id: str | None
    """The ``DocumentId`` of a document message."""
    response_for: str | None
    """The ``ResponseFor/DocumentId`` of a status message."""
    status_code: str | None
    """The ``StatusCode`` of a status message (two digits)."""


def _override(finding: dict[str, Any]) -> Severity | None:
    """The severity a finding's dict gives, kept only where it overrides the catalogue's."""
    severity = Severity(finding["severity"])
    return None if severity is CATALOGUE[str(finding["code"])].severity else severity


@dataclass(frozen=True, slots=True)
class Judgement:
    """The verdict on one incoming message and, when it passed, where it goes."""

    verdict: Indication
    findings: tuple[Finding, ...]
    """Every error-level finding, signatures' included, in the order they were found."""
    route: Route | None = None

    @property
    def passed(self) -> bool:
        return self.verdict is Indication.PASSED and self.route is not None

    @property
    def codes(self) -> tuple[str, ...]:
        """The distinct finding codes, sorted: what a refusal lists."""
        return tuple(sorted({f.code for f in self.findings}))

    def to_dict(self) -> dict[str, Any]:
        """The judgement as JSON-ready data (what a judge process sends the server)."""
        return {"verdict": self.verdict.value,
                "findings": [f.to_dict() for f in self.findings],
                "route": None if self.route is None else dataclasses.asdict(self.route)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Judgement:
        """The judgement :meth:`to_dict` gave (raises KeyError, TypeError or ValueError for
        anything else)."""
        findings = tuple(Finding(str(f["code"]), str(f["message"]),
                                 Location(**f["location"]), _override(f))
                         for f in data["findings"])
        route = data["route"]
        return cls(Indication(data["verdict"]), findings, None if route is None else Route(
            str(route["kind"]), str(route["sender"]), tuple(map(str, route["receivers"])),
            route["document_id"], route["response_for"], route["status_code"]))


@dataclass(frozen=True, slots=True)
class Admission:
    """The axis's judge of incoming messages; holds configuration only, so it is shared.

    Build it with :meth:`from_pki`.
    """

    config: object
    """The validation configuration (a :class:`docflow.validation.ValidationConfig` with the
    signature check); typed loosely so that nothing else in the axis depends on its shape."""
    limits: XmlLimits

    @classmethod
    def from_pki(cls, folder: str | Path, *, max_bytes: int,
                 revocation: str = "require") -> Admission:
        """The judge that trusts the PKI written by ``docflow pki init`` in ``folder``.

        Parameters
        ----------
        folder
            The PKI folder: its root is the trust anchor, its hub CAs and CRLs are loaded.
        max_bytes
            The largest message admitted (the parser's limit, the same as the socket's).
        revocation
            ``require`` (the default: a CRL in force for every CA), ``if-available`` or ``off``.

        Raises
        ------
        InputError
            ``DF-PKI-025`` when ``folder`` is not a PKI folder.
        """
        from docflow.trust import Trust

        return cls.from_trust(Trust.from_options([folder], revocation=revocation),
                              max_bytes=max_bytes)

    @classmethod
    def from_trust(cls, trust: Trust, *, max_bytes: int) -> Admission:
        """The judge that admits what ``docflow validate`` passes under ``trust`` with the
        organ's signature required of a document message (the validation default).

        Raises
        ------
        InputError
            A trust file that cannot be read (``DF-IO``, ``DF-PKI`` codes), now rather than
            at the first message.
        """
        from docflow.profile.trusted import trust_source
        from docflow.validation.config import ValidationConfig

        trust_source(trust)  # reads every trust file now: an error before the server listens
        limits = dataclasses.replace(XmlLimits(), max_bytes=max_bytes)
        return cls(ValidationConfig(limits=limits, trust=trust), limits)

    def judge(self, data: bytes, *, source: str = "<request>") -> Judgement:
        """Validate and verify ``data``; route it when it passed.

        Never raises for a bad message: every problem is a finding of the judgement.
        """
        from docflow.validation.config import ValidationConfig
        from docflow.validation.engine import validate_bytes, validate_parsed

        assert isinstance(self.config, ValidationConfig)
        try:
            root = parse_xml(data, limits=self.limits)
        except InputError:  # the validation says why, as a finding
            return self._judged(validate_bytes(data, source=source, config=self.config), None)
        # One parse: the route is read from the tree that was validated and verified.
        return self._judged(validate_parsed(data, root, source=source, config=self.config),
                            root)

    def _judged(self, report: ValidationReport, root: etree._Element | None) -> Judgement:
        findings = [f for f in report.findings if f.effective_severity is Severity.ERROR]
        findings += [f for s in report.signatures for f in s.findings
                     if f.effective_severity is Severity.ERROR and f not in findings]
        if report.verdict is not Indication.PASSED or root is None:
            return Judgement(report.verdict, tuple(findings))
        return Judgement(report.verdict, tuple(findings), _route(root))


def _route(root: etree._Element) -> Route:
    """Where a message that passed goes, as the envelope model reads its (verified) tree."""
    model = parse_tree(root).model
    if isinstance(model, StatusMessage):
        code = model.status_code
        return Route("status", model.sender.organ_id.strip(), (), None,
                     model.response_for.document_id.strip(),
                     code.value if isinstance(code, StatusCode) else str(code).strip())
    assert isinstance(model, Envelope)
    receivers = tuple(dict.fromkeys(r.organ_id.strip() for r in model.receivers))
    return Route("document", model.sender.organ_id.strip(), receivers,
                 model.document_id.strip(), None, None)
