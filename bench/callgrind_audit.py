"""Instruction counts per envelope of the audit and of the verification it is measured against.

Wall time on a shared machine moves with the neighbours' load, and the CPU time of a round
with it (their caches are ours). Instructions do not: this script gives the audit benchmark's
three operations, per envelope, as counts that any run on any load reproduces.

Usage::

    OPENBLAS_NUM_THREADS=1 PYTHONHASHSEED=0 valgrind --tool=callgrind \\
        --callgrind-out-file=/dev/null python bench/callgrind_audit.py CASE N

Run it with ``N`` = 500 and 2500 and divide the difference of callgrind's ``Collected``
counts by 2000: imports, trust loading and the set-up cancel out. The envelopes are the first
``N`` of the audit benchmark's archive (``bench/test_audit_bench.py``, generated there on first
use) in the audit's order (by sender, so ten envelopes per organ certificate, as in the whole
archive). Cases:

* ``single`` — :func:`~docflow.profile.edxml.verify_message` on one envelope ``N`` times
  (warm certificate cache): the benchmark's single-verify row;
* ``corpus`` — ``verify_message`` on each of the ``N`` envelopes, read from the archive first
  (reading included), one cold certificate cache;
* ``audit`` — :func:`docflow.audit` of an archive holding those ``N`` envelopes, one process:
  reading, verifying, storing every result and counting coverage.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from test_audit_bench import _trust, archive_folder, stored_bodies

from docflow.audit import AuditConfig, audit
from docflow.profile.edxml import verify_message


def _subset(source: Path, count: int, target: Path) -> None:
    """A copy of the archive ``source`` holding only its first ``count`` envelopes by sender."""
    shutil.copy(source, target)
    with sqlite3.connect(target) as con:
        con.execute("DELETE FROM verifications")
        con.execute("CREATE TEMP TABLE keep AS SELECT id FROM envelopes ORDER BY sender, id "
                    "LIMIT ?", (count,))
        for table, column in (("bodies", "envelope_id"), ("receivers", "envelope_id"),
                              ("envelopes", "id")):
            con.execute(f"DELETE FROM {table} WHERE {column} NOT IN (SELECT id FROM keep)")


def main(case: str, count: int) -> None:
    """Set up, then run ``case`` over ``count`` envelopes."""
    folder = archive_folder()
    trust = _trust(folder)
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "archive.sqlite"
        _subset(folder / "archive.sqlite", count, db)
        if case == "audit":
            result = audit(db, AuditConfig(trust=trust, jobs=1))
            assert result.verified_now == count and result.total.organ_valid == count
            return
        bodies = stored_bodies(db, None if case == "corpus" else 1)
        validator = trust.validator()
        if case == "corpus":
            for body in bodies:
                assert isinstance(body.data, bytes)
                verify_message(body.data, trust=validator, at=body.signed_at)
        elif case == "single":
            body = bodies[0]
            assert isinstance(body.data, bytes)
            for _ in range(count):
                verify_message(body.data, trust=validator, at=body.signed_at)
        else:
            raise SystemExit(f"unknown case {case!r}: single, corpus or audit")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
