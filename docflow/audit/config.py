"""Configuration of an audit: what to trust, when, how many processes, and the target."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from docflow.archive.importer import ImportConfig
from docflow.levels import Level
from docflow.metrics.coverage import RATE_FIELDS
from docflow.trust import Trust

__all__ = ["AuditConfig"]


@dataclass(frozen=True, slots=True)
class AuditConfig:
    """How to audit an archive; make variants with :func:`dataclasses.replace`.

    Examples
    --------
    >>> AuditConfig(target=0.98).measure
    'both_valid'
    >>> AuditConfig(trust=Trust(at=datetime(2025, 7, 1))).at.isoformat()
    '2025-07-01T00:00:00+00:00'
    >>> AuditConfig(measure="signed")
    Traceback (most recent call last):
    ValueError: measure 'signed' is not one of organ_present, signer_present, both_present, \
organ_valid, signer_valid, both_valid
    """

    trust: Trust = field(default_factory=Trust)
    """Trust anchors, CRLs, validation time, policy and role mapping: the one
    :class:`~docflow.trust.Trust` of ``validate`` and ``verify``. With no anchor nothing can
    be valid: the audit then uses a simulation run's own trust files (``run_trust``) or warns
    (``DF-AUD-003``), never reports a silent 0%. Its time ``None`` (the default) checks each
    signature at its signing time, the question an audit of past documents asks, and the only
    choice that makes results reusable from one audit to the next (a "now" would change every
    run)."""
    run_trust: bool = True
    """With no anchor in ``trust``, audit a simulation run's ``archive.sqlite`` against the
    ``trust/`` folder the run wrote beside it (``DF-AUD-004``;
    :mod:`docflow.audit.run_trust`): that is the store the run verified against, and the only
    one under which its coverage can be reproduced. ``False`` audits it against nothing."""
    jobs: int | None = None
    """Worker processes; ``None`` uses every core, ``1`` verifies in this process."""
    scheduler: str | None = None
    """``None`` verifies on this machine (``jobs``); ``local:N`` on a Dask ``LocalCluster`` of
    N one-thread workers, ``tcp://HOST:PORT`` on a running Dask cluster (``--scheduler``).
    The result is the same, byte for byte, wherever it runs."""
    chunk_size: int = 128
    """Envelopes per task: enough to make the traffic (compressed bodies out, a few booleans
    back) and the scheduler's per-task cost negligible beside ~1 ms of verification each,
    few enough that the progress bar moves, the last tasks balance, and a lost Dask worker
    costs little to redo."""
    chunk_bytes: int = 16 * 1024 * 1024
    """Raw envelope bytes per task, whichever of the two bounds comes first: a worker holds a
    task's bodies at once, so envelopes of 60 MB go one or two to a task instead of 128
    (several gigabytes). 16 MiB is 16 times what 128 ordinary envelopes hold."""
    target: float | None = None
    """List agencies and levels whose ``measure`` rate is below this share (``--target``)."""
    min_documents: int = 20
    """Agencies that sent fewer documents are not ranked below the target (levels always are):
    with 20 documents, all unsigned, the 95% interval of the rate ends at 0.16, so the agency is
    surely short of any sensible target; with 2 it ends at 0.66 and says little, and a list of
    the worst agencies should not fill up with those. They are counted as ``unranked``."""
    measure: str = "both_valid"
    """The rate compared with the target. ``both_valid`` by default: Decree 30/2020 makes an
    electronic document complete only with both the signer's and the organ's signature."""
    db: Path | None = None
    """Where to import a folder or zip before auditing it; ``None`` uses a temporary file,
    removed afterwards (pass a path to keep results for the next audit)."""
    import_config: ImportConfig = field(default_factory=ImportConfig)
    """Limits and batch size of that import."""
    levels: Mapping[str, Level] | None = None
    """Organ code → level for senders whose level the archive does not record."""
    topology: str | None = None
    """A topology preset name or file that names the agencies and places them in provinces
    (``--topology``). ``None`` uses a simulation run's own topology, or else a PKI index among
    the trust anchors (:mod:`docflow.audit.directory`); with neither, agencies are known by
    organ code only and no province is counted."""

    @property
    def at(self) -> datetime | None:
        """The trust's validation time (aware, UTC when given naive); ``None``: signing time."""
        return self.trust.at

    def __post_init__(self) -> None:
        if self.measure not in RATE_FIELDS:
            raise ValueError(f"measure {self.measure!r} is not one of {', '.join(RATE_FIELDS)}")
        if self.target is not None and not 0.0 < self.target <= 1.0:
            raise ValueError(f"target {self.target} must lie in (0, 1]")
        if self.jobs is not None and self.jobs < 1:
            raise ValueError("jobs must be at least 1")
        if self.min_documents < 1:
            raise ValueError("min_documents must be at least 1")
        if self.chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        if self.chunk_bytes < 1:
            raise ValueError("chunk_bytes must be at least 1")
