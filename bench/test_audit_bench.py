"""Audit throughput: 20,000 RSA-2048-signed 8 KB envelopes from 2,000 agencies.

The messages are 8.1 KB before signing, as in the signature benchmarks, and about 12 KB once
the organ's Signature and its certificate chain are added.

Run with ``pytest bench/test_audit_bench.py --benchmark-enable --benchmark-only``.

Three rows, read side by side as ratios (the machine is shared; absolute rates drift):

* ``single-verify``: :func:`docflow.profile.edxml.verify_message` on one envelope, the
  signature benchmarks' operation, with a warm certificate cache — the floor per envelope;
* ``single-check``: the audit's seam on one envelope (parse, profile verification, outcome);
* ``corpus_verify_without_archive``: ``verify_message`` on each of the 20,000 envelopes held in
  memory, in one process — the verification itself, with a cold certificate cache;
* ``audit-1-core`` and ``audit-N-cores``: :func:`docflow.audit` of the whole archive with one
  process and with one worker per core, every envelope verified (stored results are deleted
  before each round), reading, storing and counting included.

Each whole-archive row also records the CPU seconds of each round (this process and its
workers) in ``extra_info`` (``--benchmark-json``): on a shared machine, wall time cannot show
scaling while other processes hold the cores, but CPU time still shows what the pipeline
costs beside the verification.

Targets (issue 5): N cores ≥ 1.8× one core when N = 2, and ≥ 90% of N × the single-verify rate.

The archive is generated once — RSA keys for the 2,000 organ certificates (through the PKI's
key cache), 20,000 envelopes signed by the organ (``URI=""``, exclusive C14N, RSA-SHA256) — and
cached in ``$DOCFLOW_CACHE_DIR/bench/`` (default ``~/.cache/docflow/bench/``), so later runs
start at once.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import shutil
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from docflow.archive.metadata import read_metadata
from docflow.archive.store import Archive, NewEnvelope, StoredBody
from docflow.audit import AuditConfig, SignatureChecker, Trust, audit
from docflow.dsig import Signer
from docflow.envelope.builder import build
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.samples import sample_document
from docflow.pki.keys import KeyAlgorithm, RsaKeyCache, default_cache_dir
from docflow.pki.national import Agency, NationalPki
from docflow.pki.roles import Role
from docflow.profile.edxml import sign_message, verify_message

DOCUMENTS = 20_000
AGENCIES = 2_000
SEED = 2025
ISSUED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
ATTACHMENT_BYTES = 2_600
"""Attachment size that makes the message 8.1 KB before signing, the document size of the
signature benchmarks; signed, with the certificate chain in KeyInfo, it is about 12 KB."""
CORES = os.cpu_count() or 1
TYPES = list(DocumentType)


def _agencies() -> list[Agency]:
    """2,000 agencies: departments and communes of 34 provinces, each on its province's hub."""
    out = []
    for i in range(AGENCIES):
        province = f"H{10 + i % 34:02d}"
        unit = i // 34 + 1
        code = f"000.00.{unit:02d}.{province}" if unit < 100 else \
            f"000.{unit - 99:02d}.01.{province}"
        out.append(Agency(code, f"Cơ quan {code}", "province", f"lgsp-{province.lower()}"))
    return out


def _pki() -> NationalPki:
    return NationalPki.build(_agencies(), seed=SEED, at=ISSUED, algorithm=KeyAlgorithm.RSA_2048)


@dataclass(frozen=True)
class _Job:
    start: int
    stop: int


_WORKER: dict[str, Any] = {}


def _sign_range(job: _Job) -> list[bytes]:
    if "pki" not in _WORKER:
        _WORKER["pki"] = _pki()
        _WORKER["signers"] = {}
    pki: NationalPki = _WORKER["pki"]
    signers: dict[str, Signer] = _WORKER["signers"]
    agencies = pki.agencies
    out = []
    for i in range(job.start, job.stop):
        sender = agencies[i % AGENCIES].organ_code
        receiver = agencies[(i * 7 + 1) % AGENCIES].organ_code
        rng = np.random.default_rng([SEED, i])
        when = dt.datetime(2025, 1 + i % 12, 1 + i % 28, 9, 0,
                           tzinfo=dt.timezone(dt.timedelta(hours=7)))
        envelope = sample_document(rng, sender=sender, receivers=[receiver],
                                   doc_type=TYPES[i % len(TYPES)], attachments=1,
                                   size=ATTACHMENT_BYTES, when=when, number=i % 9999 + 1)
        signer = signers.get(sender)
        if signer is None:
            key, cert, chain = pki.credentials_for(sender, Role.ORGAN)
            signer = signers[sender] = Signer(key, [cert, *chain])
        out.append(sign_message(build(envelope), signer, Role.ORGAN))
    return out


def _generate(folder: Path) -> None:
    pki = _pki()
    labels = ["root", *(f"ca/{h.hub_id}" for h in pki.hubs),
              *(f"organ/{a.organ_code}" for a in pki.agencies)]
    RsaKeyCache(default_cache_dir()).fill(SEED, labels)
    step = 250
    jobs = [_Job(s, min(s + step, DOCUMENTS)) for s in range(0, DOCUMENTS, step)]
    with ProcessPoolExecutor(CORES) as pool, Archive(folder / "archive.sqlite") as archive:
        for signed in pool.map(_sign_range, jobs):
            archive.add_many([NewEnvelope(d, read_metadata(d)) for d in signed])
    trust = folder / "trust"
    trust.mkdir()
    (trust / "root.pem").write_bytes(pki.root.public_bytes(Encoding.PEM))
    (trust / "crls.pem").write_bytes(b"".join(c.public_bytes(Encoding.PEM)
                                              for c in pki.trust_store().crls))


def archive_folder() -> Path:
    """The cached archive folder (``archive.sqlite`` and ``trust/``), generated on first use."""
    folder = default_cache_dir() / "bench" / f"audit-{DOCUMENTS}-{AGENCIES}-rsa2048-v2"
    if not (folder / "archive.sqlite").exists():
        partial = folder.with_name(folder.name + f".{os.getpid()}.tmp")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        _generate(partial)
        os.replace(partial, folder)
    return folder


@pytest.fixture(scope="module")
def bench_archive() -> Path:
    """The benchmark's archive (:func:`archive_folder`)."""
    return archive_folder()


def _trust(folder: Path) -> Trust:
    return Trust.from_options(anchors=(folder / "trust" / "root.pem",),
                       crls=(folder / "trust" / "crls.pem",))


def stored_bodies(db: Path, count: int | None = None) -> list[StoredBody]:
    """The first ``count`` (by default all) unverified envelopes of the archive ``db``, in the
    audit's order, read and decompressed; hashes are not checked (the archive is the
    benchmark's own)."""
    with Archive(db) as archive:
        ids = archive.unverified(archive.context(policy="bench", trust_fingerprint="-",
                                                 at="-"))
        return archive.read_bodies(ids[:count], check_hash=False)


def _forget_results(db: Path) -> None:
    with sqlite3.connect(db) as con:
        con.execute("DELETE FROM verifications")


def _one_envelope(folder: Path) -> bytes:
    with Archive(folder / "archive.sqlite") as archive:
        data, _ = next(archive.envelopes())
    return data


def test_archive_is_what_the_benchmark_says(bench_archive: Path) -> None:
    """20,000 signed envelopes (8 KB messages, about 12 KB signed) from 2,000 senders."""
    with sqlite3.connect(bench_archive / "archive.sqlite") as con:
        count, senders, size = con.execute(
            "SELECT count(*), count(DISTINCT sender), avg(raw_size) FROM envelopes").fetchone()
    assert (count, senders) == (DOCUMENTS, AGENCIES)
    assert 11_000 < size < 13_500


def test_single_verify(benchmark: Any, bench_archive: Path) -> None:
    """The signature benchmarks' operation: verify_message on one envelope, warm cache."""
    benchmark.group = "audit-per-envelope"
    data = _one_envelope(bench_archive)
    validator = _trust(bench_archive).validator()
    at = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    assert verify_message(data, trust=validator, at=at).passed
    benchmark(verify_message, data, trust=validator, at=at)


def test_single_check(benchmark: Any, bench_archive: Path) -> None:
    """The audit's seam on one envelope: parse, verify by the profile, outcome."""
    benchmark.group = "audit-per-envelope"
    data = _one_envelope(bench_archive)
    checker = SignatureChecker(_trust(bench_archive))
    outcome = checker.check(data)
    assert outcome.organ_valid and not outcome.signer_present
    benchmark(checker.check, data)


def test_corpus_verify_without_archive(benchmark: Any, bench_archive: Path) -> None:
    """verify_message on each of the 20,000 envelopes held in memory, one process, no archive,
    no pool, nothing stored: the verification an audit cannot avoid, to set beside it."""
    benchmark.group = "audit-20000-envelopes"
    bodies = stored_bodies(bench_archive / "archive.sqlite")
    trust = _trust(bench_archive)
    cpu_seconds: list[float] = []

    def run() -> None:
        validator = trust.validator()  # a cold certificate cache, as an audit starts with
        before = _cpu()
        for body in bodies:
            assert isinstance(body.data, bytes)
            verify_message(body.data, trust=validator, at=body.signed_at)
        cpu_seconds.append(round(_cpu() - before, 2))

    benchmark.pedantic(run, rounds=3, iterations=1)
    benchmark.extra_info["cpu_seconds"] = cpu_seconds


@pytest.mark.parametrize("jobs", [1, CORES], ids=["1-core", f"{CORES}-cores"])
def test_audit_throughput(benchmark: Any, bench_archive: Path, jobs: int) -> None:
    """docflow.audit of the whole archive, every envelope verified, results stored."""
    benchmark.group = "audit-20000-envelopes"
    db = bench_archive / "archive.sqlite"
    config = AuditConfig(trust=_trust(bench_archive), jobs=jobs)

    cpu_seconds: list[float] = []

    def run() -> None:
        before = _cpu()
        result = audit(db, config)
        cpu_seconds.append(round(_cpu() - before, 2))
        assert result.verified_now == DOCUMENTS
        assert result.total.organ_valid == DOCUMENTS

    benchmark.extra_info["documents"] = DOCUMENTS
    benchmark.pedantic(run, setup=lambda: _forget_results(db), rounds=3, iterations=1)
    # CPU seconds of this process and its workers per round: on a shared machine wall time
    # cannot show scaling when other processes hold the cores, but CPU time shows what the
    # pipeline costs beside verification.
    benchmark.extra_info["cpu_seconds"] = cpu_seconds


def _cpu() -> float:
    """User and system CPU seconds of this process and of its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), \
        resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
