"""``sample:N`` and ``real`` crypto: documents made into edXML envelopes, signed and verified.

Each document handed to :class:`EnvelopeCrypto` becomes a schema-valid edXML message
(:func:`docflow.envelope.samples.sample_document`, with the run's sender, recipients, type,
priority and time), is signed as the plan says — the competent person over the attachments,
then the organ over the whole message (:mod:`docflow.profile.edxml`) — with certificates from
a national test PKI built from the run's seed (:mod:`docflow.pki.national`; agencies whose
certificates the scenario expires or revokes get exactly that), is altered in transit when the
plan says so (one character of an attachment), and is verified against the PKI's trust store
at its sending time as the envelope records it (the sender's trace header, to the second). What
the verifier finds becomes the document's outcome by the rule the audit uses too
(:func:`docflow.metrics.outcomes.outcome_of`, with the message's own errors as reasons), so that
``docflow audit`` of the run's archive reproduces the run's coverage exactly.

The document's own PDF is made too: laid out as Decree 30 prescribes
(:mod:`docflow.profile.nd30_document`, with the envelope's number, symbol, subject, date and
signer) and signed with PAdES by the same certificates, as the plan says — the signer, then
the organ (:mod:`docflow.profile.nd30_sign`; an organ signature without the signer's is made
out of order on purpose) — at the sending time. It replaces the envelope's first attachment,
so the envelope's signer signature covers it and a tampered attachment is a damaged PDF.

The envelopes go into ``DIR/archive.sqlite`` (:class:`docflow.archive.store.Archive`) and the
trust anchor and CRLs into ``DIR/trust/``, so that ``docflow audit`` of the run reproduces its
coverage. Attachments of materialised envelopes are capped at :data:`ATTACHMENT_CAP` bytes (the
queues use the full drawn size): signing cost does not depend on it beyond hashing, and 2,000
full-size scans would fill a gigabyte.

Work is done in a process pool — ``real`` mode on every core (``crypto.processes``), ``sample``
mode too when the sample is large enough to pay for starting workers. Each worker builds its
PKI, signers and path-validation cache once.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from docflow.archive.metadata import EnvelopeMeta, MessageKind
from docflow.archive.store import Archive, NewEnvelope
from docflow.atomic import write_atomic
from docflow.dsig import Signer
from docflow.dsig.algorithms import SignatureMethod
from docflow.dsig.policy import verify_policy
from docflow.envelope.builder import build
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.model import Attachment, Envelope
from docflow.envelope.samples import organization, sample_document
from docflow.errors import ConfigError, InputError, Location, WorkerError
from docflow.levels import Level
from docflow.metrics.outcomes import message_outcome, outcome_of
from docflow.pdf.document import layout_document
from docflow.pki.keys import KeyAlgorithm
from docflow.pki.national import Agency, NationalPki
from docflow.pki.policy import validation_policy
from docflow.pki.roles import Role
from docflow.processes import StartMethod, stop_pool, worker_pool
from docflow.profile.edxml import EDXML_NS, sign_message, verify_message
from docflow.profile.nd30_document import official_document
from docflow.profile.nd30_sign import sign_document
from docflow.profile.pdf_attachments import pdf_outcome_parts, verify_pdf_attachments
from docflow.progress import Progress
from docflow.sim.crypto import CryptoMode, DocumentRecords, Outcomes
from docflow.sim.scenario import CryptoKind, Scenario
from docflow.sim.signing import CertState, SigningPlan
from docflow.topology import Topology
from docflow.traffic.calendar import VN_TZ
from docflow.trust import Trust
from docflow.xmlsafe import parse_xml

__all__ = ["ATTACHMENT_CAP", "EnvelopeCrypto"]

ATTACHMENT_CAP = 4 * 1024
"""Bytes of attachment in a materialised envelope (see the module docstring)."""
_POOL_THRESHOLD = 400
"""Below this many documents one process is faster than starting a pool."""
_CHUNK = 64

_KEYS = {"rsa-sha256": (KeyAlgorithm.RSA_2048, SignatureMethod.RSA_SHA256),
         "rsa-sha384": (KeyAlgorithm.RSA_2048, SignatureMethod.RSA_SHA384),
         "rsa-sha512": (KeyAlgorithm.RSA_2048, SignatureMethod.RSA_SHA512),
         "ecdsa-p256": (KeyAlgorithm.ECDSA_P256, None),
         "ed25519": (KeyAlgorithm.ED25519, None)}


@dataclass(frozen=True)
class _Context:
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


@dataclass(frozen=True, slots=True)
class _Item:
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


_STATE: dict[str, Any] = {}
_Result = tuple[bytes, tuple[Any, ...], tuple[str, ...]]
"""One document: its bytes, (organ present, organ valid, signer present, signer valid,
reasons, receivers), and (sender, DocumentId, code, date, type)."""


def _init(context: _Context) -> None:
    _STATE.clear()
    _STATE["context"] = context
    trust = context.trust
    _STATE["validator"] = context.pki.validator(
        validation_policy(trust.policy, trust.revocation, trust.key_usage))
    _STATE["policy"] = verify_policy(trust.policy)
    _STATE["signers"] = {}


def _signer(code: str, role: Role) -> Signer:
    signers: dict[tuple[str, Role], Signer] = _STATE["signers"]
    found = signers.get((code, role))
    if found is None:
        context: _Context = _STATE["context"]
        key, cert, chain = context.pki.credentials_for(code, role)
        found = signers[(code, role)] = Signer(key, [cert, *chain], method=context.method)
    return found


def _tamper(data: bytes) -> bytes:
    """Change one character of the first attachment's content, as a faulty relay might."""
    from docflow.xmlsafe import parse_xml

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


def _with_document_pdf(envelope: Envelope, item: _Item, organ_name: str,
                       when: datetime) -> Envelope:
    """``envelope`` whose first attachment is its document's PDF, signed as ``item`` says."""
    context: _Context = _STATE["context"]
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


def _work(items: Sequence[_Item]) -> list[_Result]:
    """Make, sign, alter and verify ``items``; the bytes, the outcome and the header fields."""
    context: _Context = _STATE["context"]
    validator = _STATE["validator"]
    midnight = datetime(context.start.year, context.start.month, context.start.day,
                        tzinfo=VN_TZ)
    out: list[_Result] = []
    for item in items:
        rng = np.random.default_rng([context.seed, item.serial])
        when = midnight + timedelta(microseconds=item.send_us)
        code = context.codes[item.sender]
        envelope = sample_document(
            rng, sender=organization(code, context.names[item.sender]),
            receivers=[organization(context.codes[r], context.names[r])
                       for r in item.receivers],
            doc_type=context.doc_types[item.doc_type], attachments=1,
            size=min(item.size_kb * 1024, ATTACHMENT_CAP), when=when,
            number=item.serial % 9999 + 1)
        envelope = dataclasses.replace(envelope, other_info=dataclasses.replace(
            envelope.other_info, priority=str(item.priority)))
        envelope = _with_document_pdf(envelope, item, context.names[item.sender], when)
        data = build(envelope)
        if item.signer:
            data = sign_message(data, _signer(code, Role.SIGNER), Role.SIGNER)
        if item.organ:
            data = sign_message(data, _signer(code, Role.ORGAN), Role.ORGAN)
        if item.tampered:
            data = _tamper(data)
        # As the audit does (docflow.audit.signatures.SignatureChecker.check): at the
        # sender's trace time (whole seconds), the PDF attachments' signatures beside the
        # XML-DSig ones, the errors of the message as a whole among the reasons.
        at = when.replace(microsecond=0).astimezone(UTC)
        root = parse_xml(data)
        pdf, pdf_reasons = pdf_outcome_parts(verify_pdf_attachments(
            root, validator, at=at, required_roles=(), describe=False))
        if item.signer or item.organ:
            outcome = message_outcome(verify_message(
                root, trust=validator, at=at, policy=_STATE["policy"], owned=True),
                pdf=pdf, pdf_reasons=pdf_reasons)
        else:
            outcome = outcome_of((), extra_reasons=pdf_reasons, pdf=pdf)
        header = (code, envelope.document_id, str(envelope.code),
                  envelope.promulgation_info.promulgation_date,
                  context.doc_types[item.doc_type].value)
        out.append((data, (outcome.organ_present, outcome.organ_valid,
                           outcome.signer_present, outcome.signer_valid, outcome.reasons,
                           item.receivers), header))
    return out


class EnvelopeCrypto(CryptoMode):
    """``sample:N`` and ``real`` mode; see the module docstring."""

    def __init__(self, context: _Context, kind: CryptoKind, sample: int, processes: int,
                 archive_path: Path | None, origin: str) -> None:
        self.context = context
        self.mode = f"sample:{sample}" if kind is CryptoKind.SAMPLE else kind.value
        self.samples = sample if kind is CryptoKind.SAMPLE else None
        self.processes = processes or os.cpu_count() or 1
        self.archive_path = archive_path
        self.origin = origin
        self._pool: ProcessPoolExecutor | None = None
        self._archive: Archive | None = None
        if archive_path is not None:
            try:
                if archive_path.exists():
                    archive_path.unlink()
                self._archive = Archive(archive_path)
            except OSError as exc:
                raise InputError("DF-IO-004", f"cannot create the archive: "
                                 f"{exc.strerror or exc}",
                                 Location(file=str(archive_path))) from None
            self._write_trust(archive_path.parent / "trust")

    @classmethod
    def create(cls, scenario: Scenario, topology: Topology, archive_path: Path | None,
               plan: SigningPlan) -> EnvelopeCrypto:
        """The mode for ``scenario``: a PKI over ``topology`` with the plan's bad certificates."""
        algorithm = scenario.signing.algorithm
        if algorithm not in _KEYS:
            raise ConfigError("DF-SCN-008", f"crypto mode {scenario.crypto.mode} cannot sign "
                              f"with {algorithm!r}; allowed: {', '.join(_KEYS)}",
                              Location(file=scenario.source, key="signing.algorithm"))
        key_algorithm, method = _KEYS[algorithm]
        at = datetime(scenario.period.start.year, scenario.period.start.month,
                      scenario.period.start.day, tzinfo=VN_TZ).astimezone(UTC)
        agencies = [Agency(a.code, a.name, a.level.value, a.hub) for a in topology.agencies]
        expired = [(topology.agencies[i].code, role) for i in
                   np.flatnonzero(plan.cert == CertState.EXPIRED) for role in Role]
        revoked = {(topology.agencies[i].code, role): at for i in
                   np.flatnonzero(plan.cert == CertState.REVOKED) for role in Role}
        pki = NationalPki.build(agencies, seed=scenario.seed, at=at, algorithm=key_algorithm,
                                expired=expired, revoked=revoked)
        context = _Context(
            seed=scenario.seed, pki=pki, codes=tuple(a.code for a in topology.agencies),
            names=tuple(a.name for a in topology.agencies),
            levels=tuple(a.level for a in topology.agencies), start=scenario.period.start,
            doc_types=tuple(t for t, _ in scenario.traffic.documents.types), method=method)
        return cls(context, scenario.crypto.kind, scenario.crypto.sample,
                   scenario.crypto.processes, archive_path, f"sim:{scenario.name}")

    def _write_trust(self, folder: Path) -> None:
        """The trust anchor and every CRL, for ``docflow audit --trust ... --crl ...``."""
        pki = self.context.pki
        store = pki.trust_store()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError("DF-IO-004", f"cannot write the trust files: "
                             f"{exc.strerror or exc}", Location(file=str(folder))) from None
        write_atomic(folder / "root.pem", pki.root.public_bytes(Encoding.PEM))
        write_atomic(folder / "crls.pem", b"".join(c.public_bytes(Encoding.PEM)
                                                   for c in store.crls))

    def outcomes(self, documents: DocumentRecords,
                 progress: Progress | None = None) -> Outcomes:
        items = [_Item(int(documents.serial[i]), int(documents.plan.sender[i]),
                       tuple(int(r) for r in
                             documents.receiver[documents.first[i]:documents.first[i + 1]]),
                       int(documents.doc_type[i]), int(documents.priority[i]),
                       int(documents.size_kb[i]), int(documents.send_us[i]),
                       bool(documents.plan.organ_signs[i]), bool(documents.plan.signer_signs[i]),
                       bool(documents.plan.tampered[i])) for i in range(len(documents))]
        results = self._run(items, progress)
        n = len(results)
        flags = np.array([r[1][:4] for r in results], bool).reshape(n, 4)
        reasons = [r[1][4] for r in results]
        if self._archive is not None:
            if progress is not None:
                progress("archiving", 0, n)
            self._store(results)
            if progress is not None:
                progress("archiving", n, n)
        return Outcomes(flags[:, 0], flags[:, 1], flags[:, 2], flags[:, 3], reasons)

    def _run(self, items: list[_Item], progress: Progress | None = None) -> list[_Result]:
        if progress is not None:  # the phase starts now, not when its first chunk is done
            progress("signing", 0, len(items))
        if len(items) < _POOL_THRESHOLD or self.processes <= 1:
            if _STATE.get("context") is not self.context:
                _init(self.context)
            if progress is None:
                return _work(items)
            done: list[_Result] = []
            for k in range(0, len(items), _CHUNK):  # each item on its own: chunks change nothing
                done += _work(items[k:k + _CHUNK])
                progress("signing", len(done), len(items))
            return done
        if self._pool is None:
            # forkserver, not fork: the engine's status thread may be running, and a process
            # forked beside a thread can inherit a lock that thread holds.
            self._pool = worker_pool(self.processes, method=StartMethod.FORKSERVER,
                                     initializer=_init, initargs=(self.context,))
        # Chunks of one sender's documents where possible, so that a worker issues and
        # validates an agency's certificates once, not every worker.
        by_sender = sorted(range(len(items)), key=lambda i: (items[i].sender, i))
        chunks = [[items[i] for i in by_sender[k:k + _CHUNK]]
                  for k in range(0, len(items), _CHUNK)]
        results: list[_Result | None] = [None] * len(items)
        position = 0
        try:
            for part in self._pool.map(_work, chunks):
                for found in part:
                    results[by_sender[position]] = found
                    position += 1
                if progress is not None:
                    progress("signing", position, len(items))
        except (BrokenProcessPool, BrokenPipeError):  # the pool's pipe, to a dead worker
            raise WorkerError("DF-SCN-010", "a worker process died (killed, or out of memory); "
                              "the run is abandoned", Location(file=str(self.archive_path or
                                                                        self.origin))) from None
        return [r for r in results if r is not None]

    def _store(self, results: list[_Result]) -> None:
        assert self._archive is not None
        index = {code: i for i, code in enumerate(self.context.codes)}
        levels = self.context.levels
        envelopes = []
        codes = self.context.codes
        for data, found, (sender, document_id, code, date_text, doc_type) in results:
            receivers = found[5]
            envelopes.append(NewEnvelope(data, EnvelopeMeta(
                MessageKind.DOCUMENT, sender=sender, sender_level=levels[index[sender]],
                receivers=tuple(codes[r] for r in receivers),
                receiver_levels=tuple(levels[r] for r in receivers),
                document_id=document_id, doc_type=doc_type, code=code,
                promulgation_date=date_text), origin=self.origin))
        self._archive.add_many(envelopes)

    def close(self, aborted: bool = False) -> None:
        if self._pool is not None:
            if aborted:
                stop_pool(self._pool)
            else:
                self._pool.shutdown()
            self._pool = None
        if self._archive is not None:
            self._archive.close()
            self._archive = None
            if aborted and self.archive_path is not None:
                # A run's archive is all of the run or nothing: a partial one would audit to
                # figures the run never reported, and a rerun starts it afresh anyway.
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{self.archive_path}{suffix}").unlink(missing_ok=True)

