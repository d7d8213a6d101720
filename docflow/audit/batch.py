"""The audit's unit of work: a batch of stored envelopes in, one result row per envelope out.

It runs wherever the executor puts it — in the auditing process, in a local pool worker or on
a Dask worker on another machine — and needs nothing but its arguments: the envelopes come as
stored (compressed) bytes read by the client, and the trust as a
:class:`~docflow.audit.trust_bundle.TrustBundle`. Each process builds its checker once per
bundle and keeps it, with its certificate cache, for every later batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import zstandard

from docflow.archive.store import StoredBlob, StoredResult, decode_blob
from docflow.audit.signatures import SignatureChecker
from docflow.audit.trust_bundle import TrustBundle, checker_for
from docflow.errors import InputError
from docflow.metrics.coverage import DocumentOutcome

__all__ = ["Row", "as_results", "check_blobs", "verify_batch"]

Row = tuple[int, bool, bool, bool, bool, tuple[str, ...], str, str]
"""(envelope id, organ present, organ valid, signer present, signer valid, reasons, organ
source, signer source): plain values, cheap to send back from a worker."""


def check_blobs(checker: SignatureChecker, at: datetime | None,
                blobs: Sequence[StoredBlob]) -> list[Row]:
    """Decode and check each envelope; a damaged body or a crash counts, never raises."""
    decompressor = zstandard.ZstdDecompressor()
    rows: list[Row] = []
    for blob in blobs:
        try:
            # Speed: no SHA-256 recomputation (see Archive.read_bodies); the codec checks its
            # frame, and the signature check covers the content.
            data = decode_blob(blob, check_hash=False, decompressor=decompressor)
        except InputError as exc:
            outcome = DocumentOutcome(reasons=(exc.code,))
        else:
            try:
                # The signing time recorded at import saves a search of every tree.
                outcome = checker.check(data, at or blob.signed_at)
            except Exception:  # one bad envelope must not end a national audit
                outcome = DocumentOutcome(reasons=("DF-AUD-002",))
        rows.append((blob.envelope_id, outcome.organ_present, outcome.organ_valid,
                     outcome.signer_present, outcome.signer_valid, outcome.reasons,
                     outcome.organ_source, outcome.signer_source))
    return rows


def verify_batch(bundle: TrustBundle, at: datetime | None,
                 blobs: Sequence[StoredBlob]) -> list[Row]:
    """The task the executor runs: :func:`check_blobs` with this process's checker."""
    return check_blobs(checker_for(bundle), at, blobs)


def as_results(rows: Sequence[Row]) -> list[StoredResult]:
    """Rows as the archive stores them."""
    return [StoredResult(envelope_id, DocumentOutcome(op, ov, sp, sv, reasons, o_src, s_src))
            for envelope_id, op, ov, sp, sv, reasons, o_src, s_src in rows]
