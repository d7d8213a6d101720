"""What an audit trusts when it is given no trust anchor, and the notice that says so.

An audit with no trust anchor can verify no certificate path, so it can only report that no
signature is valid — never the question its user asked. Two cases are told apart:

* SOURCE is a simulation run's ``archive.sqlite`` and the run's ``trust/`` folder sits beside
  it: ``docflow simulate`` in ``sample``/``real`` mode writes the trust store it verified
  against there (``root.pem``, the anchor, and ``crls.pem``, every CA's CRL), precisely so
  that the run can be audited. The audit uses it, with the rest of the given configuration
  (revocation mode, policy, role mapping, extra CRLs), and says so (``DF-AUD-004``, info). A
  ``docflow pki init`` folder (with ``index.json``) in that place is used as ``--trust`` uses it.
* Anything else: the audit runs (presence of signatures is still worth counting) but warns
  (``DF-AUD-003``) that no signature can be valid, and the result carries the warning.

An anchor given explicitly always wins, and :attr:`AuditConfig.run_trust
<docflow.audit.config.AuditConfig.run_trust>` turns the first case off.
"""

from __future__ import annotations

import enum
from pathlib import Path

from docflow.errors import Finding, Location
from docflow.trust import Trust

__all__ = ["RUN_ARCHIVE", "RUN_TRUST", "TrustSource", "resolve_trust"]

RUN_ARCHIVE = "archive.sqlite"
"""The name a simulation run gives its archive."""
RUN_TRUST = "trust"
"""The folder beside it where the run writes its trust anchor and CRLs."""


class TrustSource(enum.StrEnum):
    """Where an audit's trust anchors came from; the value is in the JSON report."""

    GIVEN = "given"
    """``--trust`` (``Trust.anchors``)."""
    RUN = "run"
    """The ``trust/`` folder a simulation run wrote beside its archive (``DF-AUD-004``)."""
    NONE = "none"
    """Nowhere: no signature can be valid (``DF-AUD-003``)."""


def _run_anchors(source: Path) -> tuple[tuple[Path, ...], tuple[Path, ...]] | None:
    """The anchors and CRLs of the run folder ``source`` sits in, if it is a run's archive."""
    if source.name != RUN_ARCHIVE or not source.is_file():
        return None
    folder = source.parent / RUN_TRUST
    if (folder / "index.json").is_file():
        return (folder,), ()
    root, crls = folder / "root.pem", folder / "crls.pem"
    if not root.is_file():
        return None
    return (root,), (crls,) if crls.is_file() else ()


def resolve_trust(source: Path, trust: Trust, *, run_trust: bool = True
                  ) -> tuple[Trust, TrustSource, Finding | None]:
    """The trust configuration to audit ``source`` with, where its anchors come from, and the
    notice to show (``None`` when anchors were given).

    Parameters
    ----------
    source
        What is audited: an archive, a folder, a zip or a tar.
    trust
        The configuration given; used as it is when it names an anchor.
    run_trust
        Look for a simulation run's ``trust/`` folder beside ``source`` when no anchor is given.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _, where, notice = resolve_trust(folder, Trust())
    >>> where, notice.code
    (<TrustSource.NONE: 'none'>, 'DF-AUD-003')
    >>> resolve_trust(folder, Trust(anchors=(folder / "ca.pem",)))[1:]
    (<TrustSource.GIVEN: 'given'>, None)
    """
    if trust.anchors:
        return trust, TrustSource.GIVEN, None
    found = _run_anchors(source) if run_trust else None
    if found is not None:
        anchors, crls = found
        folder = source.parent / RUN_TRUST
        notice = Finding("DF-AUD-004", f"no trust anchor given: using the trust anchor and CRLs "
                         f"the simulation run wrote beside its archive, in {folder}",
                         Location(file=str(folder)))
        return (trust.replace(anchors=anchors, crls=trust.crls + crls),
                TrustSource.RUN, notice)
    notice = Finding("DF-AUD-003", "no trust anchor given (--trust): no signature can be "
                     "valid, so every valid rate is 0; only the presence of signatures is "
                     "measured", Location(file=str(source)))
    return trust, TrustSource.NONE, notice
