"""The worker side of ``sample:N`` and ``real`` crypto: make, sign, alter and verify documents.

:func:`work_chunk` is the task an :class:`~docflow.dist.executor.Executor` runs — in the
simulating process, a local pool worker or a Dask worker on another machine. It needs nothing
but its arguments: the :class:`WorkContext` (the run's seed, its national test PKI, the agencies
and the trust; sent with every chunk) and a chunk of :class:`Item`. Each worker
process builds the PKI's validator, its signers and their path-validation cache once per
context (:func:`_worker_for`), and keeps them for every later chunk of the run.

Everything a document becomes is drawn from the run's seed and the document's serial number,
never from the worker or the order of work, so a run is the same bytes on every executor.
See :mod:`docflow.sim.crypto_real` for what is made and why.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from lxml import etree

from docflow.dsig import Signer
from docflow.dsig.algorithms import SignatureMethod
from docflow.dsig.policy import verify_policy
from docflow.envelope.builder import build
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.model import Attachment, Envelope
from docflow.envelope.samples import organization, sample_document
from docflow.levels import Level
from docflow.metrics.outcomes import message_outcome, outcome_of
from docflow.pdf.document import layout_document
from docflow.pki.national import NationalPki
from docflow.pki.policy import validation_policy
from docflow.pki.roles import Role
from docflow.profile.edxml import EDXML_NS, sign_message, verify_message
from docflow.profile.nd30_document import official_document
from docflow.profile.nd30_sign import sign_document
from docflow.profile.pdf_attachments import pdf_outcome_parts, verify_pdf_attachments
from docflow.traffic.calendar import VN_TZ
from docflow.trust import Trust
from docflow.xmlsafe import parse_xml

__all__ = ["ATTACHMENT_CAP", "Item", "Result", "WorkContext", "work", "work_chunk"]

ATTACHMENT_CAP = 4 * 1024
"""Bytes of attachment in a materialised envelope (see :mod:`docflow.sim.crypto_real`)."""


@dataclass(frozen=True)
class WorkContext:
    """What a worker needs, picklable (the PKI travels without its caches)."""

    seed: int
    pki: NationalPki
    codes: tuple[str, ...]
    names: tuple[str, ...]
    levels: tuple[Level, ...]
    start: date
    doc_types: tuple[DocumentType, ...]
    method: SignatureMethod | None
    trust: Trust = field(default_factory=Trust)
    """How signatures are judged (algorithm policy, revocation, key usage), as ``docflow
    audit`` of the run judges them; the anchors are the run's own PKI, held in memory, and
    the time each document's sending time (the trust's time is not used)."""
    key: str = field(default_factory=lambda: secrets.token_hex(8))
    """Names this context on a worker, whose state is built once per key: a pool pickles the
    context with every chunk, so identity cannot tell a new run from the same one. Never part
    of a result."""


@dataclass(frozen=True, slots=True)
class Item:
    """One document to make: what the engine drew for it, as plain numbers."""

    serial: int
    sender: int
    receivers: tuple[int, ...]
    doc_type: int
    priority: int
    size_kb: int
    send_us: int
    organ: bool
    signer: bool
    tampered: bool


Result = tuple[bytes, tuple[Any, ...], tuple[str, ...]]
"""One document: its bytes, (organ present, organ valid, signer present, signer valid,
reasons, receivers), and (sender, DocumentId, code, date, type)."""


@dataclass(eq=False)
class _Worker:
    """One process's state for one context: the validator (and its path cache), the signers."""

    context: WorkContext
    validator: Any
    policy: Any
    signers: dict[tuple[str, Role], Signer] = field(default_factory=dict)

    def signer(self, code: str, role: Role) -> Signer:
        found = self.signers.get((code, role))
        if found is None:
            key, cert, chain = self.context.pki.credentials_for(code, role)
            found = self.signers[(code, role)] = Signer(key, [cert, *chain],
                                                        method=self.context.method)
        return found


_CURRENT: list[_Worker] = []
"""This process's state for the context it last worked for (one: a long-lived Dask worker
serving run after run keeps only the current run's PKI)."""


def _worker_for(context: WorkContext) -> _Worker:
    if _CURRENT and _CURRENT[0].context.key == context.key:
        return _CURRENT[0]
    trust = context.trust
    worker = _Worker(context, context.pki.validator(
        validation_policy(trust.policy, trust.revocation, trust.key_usage)),
        verify_policy(trust.policy))
    _CURRENT[:] = [worker]
    return worker


def work_chunk(context: WorkContext, index: int,
               items: Sequence[Item]) -> tuple[int, list[Result]]:
    """The task the executor runs: chunk ``index``'s results (chunks finish in any order)."""
    return index, work(context, items)


def work(context: WorkContext, items: Sequence[Item]) -> list[Result]:
    """Make, sign, alter and verify ``items``; the bytes, the outcome and the header fields."""
    worker = _worker_for(context)
    midnight = datetime(context.start.year, context.start.month, context.start.day,
                        tzinfo=VN_TZ)
    return [_one(worker, item, midnight) for item in items]


def _one(worker: _Worker, item: Item, midnight: datetime) -> Result:
    context = worker.context
    rng = np.random.default_rng([context.seed, item.serial])
    when = midnight + timedelta(microseconds=item.send_us)
    code = context.codes[item.sender]
    envelope = sample_document(
        rng, sender=organization(code, context.names[item.sender]),
        receivers=[organization(context.codes[r], context.names[r]) for r in item.receivers],
        doc_type=context.doc_types[item.doc_type], attachments=1,
        size=min(item.size_kb * 1024, ATTACHMENT_CAP), when=when,
        number=item.serial % 9999 + 1)
    envelope = dataclasses.replace(envelope, other_info=dataclasses.replace(
        envelope.other_info, priority=str(item.priority)))
    envelope = _with_document_pdf(context, envelope, item, context.names[item.sender], when)
    data = build(envelope)
    if item.signer:
        data = sign_message(data, worker.signer(code, Role.SIGNER), Role.SIGNER)
    if item.organ:
        data = sign_message(data, worker.signer(code, Role.ORGAN), Role.ORGAN)
    if item.tampered:
        data = _tamper(data)
    # As the audit does (docflow.audit.signatures.SignatureChecker.check): at the sender's
    # trace time (whole seconds), the PDF attachments' signatures beside the XML-DSig ones,
    # the errors of the message as a whole among the reasons.
    at = when.replace(microsecond=0).astimezone(UTC)
    root = parse_xml(data)
    pdf, pdf_reasons = pdf_outcome_parts(verify_pdf_attachments(
        root, worker.validator, at=at, required_roles=(), describe=False))
    if item.signer or item.organ:
        outcome = message_outcome(verify_message(
            root, trust=worker.validator, at=at, policy=worker.policy, owned=True),
            pdf=pdf, pdf_reasons=pdf_reasons)
    else:
        outcome = outcome_of((), extra_reasons=pdf_reasons, pdf=pdf)
    header = (code, envelope.document_id, str(envelope.code),
              envelope.promulgation_info.promulgation_date,
              context.doc_types[item.doc_type].value)
    return (data, (outcome.organ_present, outcome.organ_valid, outcome.signer_present,
                   outcome.signer_valid, outcome.reasons, item.receivers), header)


def _tamper(data: bytes) -> bytes:
    """Change one character of the first attachment's content, as a faulty relay might."""
    root = parse_xml(data)
    longest = None
    for element in root.iter(f"{{{EDXML_NS}}}Attachment"):
        for node in element.iter():
            if node.text and (longest is None or len(node.text) > len(longest.text or "")):
                longest = node
        break
    if longest is None or not longest.text:
        return data
    text = longest.text
    i = len(text) // 2
    longest.text = text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1:]
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def _with_document_pdf(context: WorkContext, envelope: Envelope, item: Item, organ_name: str,
                       when: datetime) -> Envelope:
    """``envelope`` whose first attachment is its document's PDF, signed as ``item`` says."""
    code = context.codes[item.sender]
    doc = official_document(
        organ=code, doc_type=context.doc_types[item.doc_type],
        number=int(envelope.code.code_number), notation=envelope.code.code_notation,
        subject=envelope.subject or "", date=when.date(),
        signer=envelope.signer_info.full_name if envelope.signer_info else "",
        body=(envelope.content or "",), recipients=envelope.to_places or ())
    data = layout_document(dataclasses.replace(doc, organ=organ_name))
    for role, wanted in ((Role.SIGNER, item.signer), (Role.ORGAN, item.organ)):
        if wanted:
            key, cert, chain = context.pki.credentials_for(code, role)
            data = sign_document(data, key, [cert, *chain], role, at=when,
                                 enforce_order=False)
    first = envelope.references[0]
    name = f"{envelope.code.code_number}_{envelope.code.code_notation}.pdf"
    reference = dataclasses.replace(first, content_type="application/pdf",
                                    attachment_name=name)
    attachment = Attachment.from_bytes(data, content_id=first.content_id, attachment_name=name,
                                       content_type="application/pdf",
                                       description=first.description, id="att-1")
    return dataclasses.replace(
        envelope, references=(reference, *envelope.references[1:]),
        attachments=(attachment, *envelope.attachments[1:]))
