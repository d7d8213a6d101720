"""Instruction counts of the verifier's fast path, which the machine's load does not change.

Usage::

    OPENBLAS_NUM_THREADS=1 PYTHONHASHSEED=0 valgrind --tool=callgrind \\
        --callgrind-out-file=/dev/null python bench/callgrind_verify.py CASE N

Run it with ``N`` = 5 and 45 and divide the difference of callgrind's ``Collected`` counts by 40:
the set-up (a national test PKI derived from a seed, an envelope from a seeded generator)
costs the same in both runs and cancels out. One OpenBLAS thread, because numpy's idle
threads otherwise spin for a varying number of instructions (±50,000 per verification).
Cases, each an 8 KB edXML message and path validation with a warm cache:

* ``plain`` — :func:`~docflow.dsig.verify_at`, one organ Signature over the whole message
  (plain XML-DSig layout), the message given as bytes;
* ``message`` — :func:`~docflow.profile.edxml.verify_message`, the edXML profile, signed by
  the signer (two attachments) and then the organ.
"""

from __future__ import annotations

import datetime as dt
import sys

import numpy as np

from docflow.dsig import Signer, verify_at
from docflow.envelope.builder import build
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.samples import sample_document
from docflow.pki.national import Agency, Hub, NationalPki
from docflow.pki.roles import Role
from docflow.pki.validate import PathValidator
from docflow.profile.edxml import sign_message, verify_message

AT = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
NOW = AT + dt.timedelta(days=30)
SENDER = "000.00.00.H49"


def main(case: str, count: int) -> None:
    """Set up, then verify the ``case`` message ``count`` times."""
    national = NationalPki.build(
        [Agency(SENDER, "Ủy ban nhân dân tỉnh Nghệ An", "province", "lgsp-h49"),
         Agency("000.00.01.H49", "Sở Tài chính tỉnh Nghệ An", "province", "lgsp-h49")],
        seed=3, at=AT, hubs=[Hub("lgsp-h49", "LGSP Nghệ An")])
    validator = PathValidator(national.trust_store())
    message = build(sample_document(np.random.default_rng(8), sender=SENDER,
                                    receivers=["000.00.01.H49"],
                                    doc_type=DocumentType.QUYET_DINH, attachments=2, size=660))
    signers = {role: Signer(key, [cert, *chain]) for role in (Role.SIGNER, Role.ORGAN)
               for key, cert, chain in [national.credentials_for(SENDER, role)]}
    if case == "plain":
        signed = signers[Role.ORGAN].sign(message)
        assert verify_at(signed, NOW, trust=validator).passed
        for _ in range(count):
            verify_at(signed, NOW, trust=validator)
    elif case == "message":
        signed = sign_message(sign_message(message, signers[Role.SIGNER], Role.SIGNER),
                              signers[Role.ORGAN], Role.ORGAN)
        assert verify_message(signed, trust=validator, at=NOW).passed
        for _ in range(count):
            verify_message(signed, trust=validator, at=NOW)
    else:
        raise SystemExit(f"unknown case {case!r}: plain or message")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
