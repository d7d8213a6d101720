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

Work goes to an :class:`~docflow.dist.executor.Executor` in chunks of one sender's documents
(:func:`docflow.sim.crypto_work.work_chunk`): by default a local process pool on every core
(``crypto.processes``; ``sample`` mode and small days only once a batch is large enough to
pay for starting workers), or a Dask cluster (``scheduler``: ``local:N`` or
``tcp://HOST:PORT``), whose workers need no file of the client's. The context (PKI, agencies,
trust) travels with each chunk; each worker builds its validator, signers and
path-validation cache once. Chunks finish in any order; this process puts them back in the
documents' order and stores them, so a run is the same bytes on every executor.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from cryptography.hazmat.primitives.serialization import Encoding

from docflow.archive.metadata import EnvelopeMeta, MessageKind
from docflow.archive.store import Archive, NewEnvelope
from docflow.atomic import write_atomic
from docflow.dist.executor import Executor, InProcess, LocalPool, open_executor
from docflow.dsig.algorithms import SignatureMethod
from docflow.errors import ConfigError, InputError, Location, WorkerError
from docflow.pki.keys import KeyAlgorithm
from docflow.pki.national import Agency, NationalPki
from docflow.pki.roles import Role
from docflow.processes import StartMethod
from docflow.progress import Progress
from docflow.sim.crypto import CryptoMode, DocumentRecords, Outcomes
from docflow.sim.crypto_work import ATTACHMENT_CAP, Item, Result, WorkContext, work, work_chunk
from docflow.sim.scenario import CryptoKind, Scenario
from docflow.sim.signing import CertState, SigningPlan
from docflow.topology import Topology
from docflow.traffic.calendar import VN_TZ

__all__ = ["ATTACHMENT_CAP", "EnvelopeCrypto"]

_POOL_THRESHOLD = 400
"""Below this many documents one process is faster than starting a pool (``processes = 0``:
an explicit number of processes, or a scheduler, always gets its workers)."""
_CHUNK = 64
"""Documents per task: a few seconds of work, so that a task's cost to ship is small beside
it and a day of a province still spreads over many workers."""

_KEYS = {"rsa-sha256": (KeyAlgorithm.RSA_2048, SignatureMethod.RSA_SHA256),
         "rsa-sha384": (KeyAlgorithm.RSA_2048, SignatureMethod.RSA_SHA384),
         "rsa-sha512": (KeyAlgorithm.RSA_2048, SignatureMethod.RSA_SHA512),
         "ecdsa-p256": (KeyAlgorithm.ECDSA_P256, None),
         "ed25519": (KeyAlgorithm.ED25519, None)}


class EnvelopeCrypto(CryptoMode):
    """``sample:N`` and ``real`` mode; see the module docstring."""

    def __init__(self, context: WorkContext, kind: CryptoKind, sample: int, processes: int,
                 archive_path: Path | None, origin: str, scheduler: str | None = None,
                 executor: Executor | None = None) -> None:
        self.context = context
        self.mode = f"sample:{sample}" if kind is CryptoKind.SAMPLE else kind.value
        self.samples = sample if kind is CryptoKind.SAMPLE else None
        self.explicit = processes > 0 or scheduler is not None or executor is not None
        """The caller named its workers: use them for every batch, however small."""
        self.processes = processes or os.cpu_count() or 1
        self.scheduler = scheduler
        self.archive_path = archive_path
        self.origin = origin
        self._executor = executor
        self._owned = executor is None
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
               plan: SigningPlan, scheduler: str | None = None,
               executor: Executor | None = None) -> EnvelopeCrypto:
        """The mode for ``scenario``: a PKI over ``topology`` with the plan's bad certificates.

        ``scheduler`` (``local:N``, ``tcp://HOST:PORT``) runs the work on Dask, ``executor``
        on one the caller owns; neither: the local pool of ``crypto.processes``.
        """
        algorithm = scenario.signing.algorithm
        if algorithm not in _KEYS:
            raise ConfigError("DF-SCN-008", f"crypto mode {scenario.crypto.mode} cannot sign "
                              f"with {algorithm!r}; allowed: {', '.join(_KEYS)}",
                              Location(file=scenario.source, key="signing.algorithm"))
        key_algorithm, method = _KEYS[algorithm]
        if key_algorithm is KeyAlgorithm.RSA_2048 and scheduler is not None and \
                scheduler.startswith("tcp://"):
            # RSA keys are generated at random once and cached on each machine's disk
            # (docflow.pki.keys.RsaKeyCache); a worker on another machine would sign with keys
            # of its own that the run's certificates do not hold. EC and Ed25519 keys are
            # derived from the seed, the same everywhere.
            raise ConfigError("DF-SCN-008", f"{algorithm} keys are cached on this machine "
                              "only and cannot sign on a cluster; use ecdsa-p256 or ed25519 "
                              "there, or --scheduler local:N",
                              Location(file=scenario.source, key="signing.algorithm"))
        at = datetime(scenario.period.start.year, scenario.period.start.month,
                      scenario.period.start.day, tzinfo=VN_TZ).astimezone(UTC)
        agencies = [Agency(a.code, a.name, a.level.value, a.hub) for a in topology.agencies]
        expired = [(topology.agencies[i].code, role) for i in
                   np.flatnonzero(plan.cert == CertState.EXPIRED) for role in Role]
        revoked = {(topology.agencies[i].code, role): at for i in
                   np.flatnonzero(plan.cert == CertState.REVOKED) for role in Role}
        pki = NationalPki.build(agencies, seed=scenario.seed, at=at, algorithm=key_algorithm,
                                expired=expired, revoked=revoked)
        context = WorkContext(
            seed=scenario.seed, pki=pki, codes=tuple(a.code for a in topology.agencies),
            names=tuple(a.name for a in topology.agencies),
            levels=tuple(a.level for a in topology.agencies), start=scenario.period.start,
            doc_types=tuple(t for t, _ in scenario.traffic.documents.types), method=method)
        return cls(context, scenario.crypto.kind, scenario.crypto.sample,
                   scenario.crypto.processes, archive_path, f"sim:{scenario.name}",
                   scheduler, executor)

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
        items = [Item(int(documents.serial[i]), int(documents.plan.sender[i]),
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

    def _run(self, items: list[Item], progress: Progress | None = None) -> list[Result]:
        if progress is not None:  # the phase starts now, not when its first chunk is done
            progress("signing", 0, len(items))
        executor = self._executor_for(len(items))
        if isinstance(executor, InProcess):
            if progress is None:
                return work(self.context, items)
            done: list[Result] = []
            for k in range(0, len(items), _CHUNK):  # each item on its own: chunks change nothing
                done += work(self.context, items[k:k + _CHUNK])
                progress("signing", len(done), len(items))
            return done
        # Chunks of one sender's documents where possible, so that a worker issues and
        # validates an agency's certificates once, not every worker.
        by_sender = sorted(range(len(items)), key=lambda i: (items[i].sender, i))
        chunks = [[items[i] for i in by_sender[k:k + _CHUNK]]
                  for k in range(0, len(items), _CHUNK)]
        results: list[Result | None] = [None] * len(items)
        # The context travels with each chunk (28 KB for a province, 380 KB for vn-2025,
        # beside about a second of work), not through Executor.share: Dask's memory manager
        # keeps one copy of scattered data, and a run must survive the worker holding it.
        # Each worker still builds its state once per run (WorkContext.key).
        tasks = ((self.context, k, chunk) for k, chunk in enumerate(chunks))
        try:
            # At most a few chunks per worker in flight (the executor's window); each comes
            # back with its index and goes to its documents' places.
            done_count = 0
            for k, part in executor.map_unordered(work_chunk, tasks):
                for j, found in enumerate(part):
                    results[by_sender[k * _CHUNK + j]] = found
                done_count += len(part)
                if progress is not None:
                    progress("signing", done_count, len(items))
        except WorkerError as exc:
            where = Location(file=str(self.archive_path or self.origin))
            if self.scheduler is None:
                raise WorkerError("DF-SCN-010", "a worker process died (killed, or out of "
                                  "memory); the run is abandoned", where) from None
            raise WorkerError(exc.code, f"{exc.message}; the run is abandoned and its partial "
                              "archive removed: run it again", where) from None
        return [r for r in results if r is not None]

    def _executor_for(self, batch: int) -> Executor:
        """Where a batch of ``batch`` documents runs: the executor once started, else this
        process for a small batch (or one process), else a new local pool or Dask client."""
        if self._executor is not None:
            return self._executor
        if self.scheduler is None and (self.processes <= 1 or
                                       (batch < _POOL_THRESHOLD and not self.explicit)):
            return InProcess()
        if self.scheduler is not None:
            self._executor = open_executor(self.scheduler)
        else:
            # forkserver, not fork: the engine's status thread may be running, and a process
            # forked beside a thread can inherit a lock that thread holds.
            self._executor = LocalPool(self.processes, method=StartMethod.FORKSERVER)
        return self._executor

    def _store(self, results: list[Result]) -> None:
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
        if self._executor is not None and self._owned:
            # A local pool that broke or was interrupted stops its workers at once; Dask's
            # client lets go of its tasks, and a local:N cluster goes with it.
            self._executor.close()
        self._executor = None
        if self._archive is not None:
            self._archive.close()
            self._archive = None
            if aborted and self.archive_path is not None:
                # A run's archive is all of the run or nothing: a partial one would audit to
                # figures the run never reported, and a rerun starts it afresh anyway.
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{self.archive_path}{suffix}").unlink(missing_ok=True)
