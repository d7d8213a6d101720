"""How the attack tests verify, and what a secure outcome is.

A forgery is answered securely in one of two ways: the verifier refuses it (not PASSED, with a
finding that says why, and nothing exposed as signed by a signature that did not pass), or it
passes only because the change touched nothing signed, and then every byte the result presents
as signed is the original signed content.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import pickle
import resource
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

from docflow.dsig import DEFAULT_POLICY, ENVELOPED, TrustSource, VerifyPolicy, verify_all_at
from docflow.errors import Indication
from docflow.pki.roles import Role
from docflow.profile.choice import Profile
from docflow.profile.edxml import (
    EDXML_LAYOUT,
    REQUIRED_ROLES,
    MessageVerification,
    verify_message,
)

from .pki import NOW, SmallPki

T = TypeVar("T")

PLAIN = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
         b'<Payment xmlns="urn:example:payment">\n'
         b'  <Order Id="o1"><Payee>C\xc3\xb4ng ty A</Payee><Amount>100</Amount></Order>\n'
         b"  <Memo>outside the order</Memo>\n"
         b"</Payment>")
"""A plain XML document, for the plain XML-DSig layout outside edXML."""


SIGNER_ONLY = frozenset({Role.SIGNER})
"""The roles required of a message the person signed and the organ has not yet: verified so,
an attack on the person's signature is refused for the attack alone, never merely because the
organ (required by default) has not signed."""

PROFILE_CODES = frozenset({"DF-SIG-021", "DF-SIG-023", "DF-SIG-024", "DF-SIG-025",
                           "DF-SIG-026"})
"""Codes of the edXML profile's own rules (role, sender, Signature content), which the plain
layout route through :func:`docflow.dsig.verify_all_at` does not apply."""


def verify(document: bytes, pki: SmallPki, *, trust: TrustSource | None = None,
           at: datetime = NOW, policy: VerifyPolicy = DEFAULT_POLICY,
           required_roles: frozenset[Role] = REQUIRED_ROLES,
           profile: Profile = Profile.EDXML) -> MessageVerification:
    """Verify as an integrator does: the edXML profile, docflow's path validator, CRLs, the
    organ's signature required of a document message unless ``required_roles`` says otherwise.

    The same bytes are also verified through :func:`docflow.dsig.verify_all_at` with the
    profile's layout, which takes another route through the verifier (a tree it parsed itself
    and may consume); both routes must agree on every signature, or the test fails.
    """
    trust = trust or pki.validator()
    result = verify_message(document, trust=trust, at=at, policy=policy,
                            required_roles=required_roles, profile=profile)
    if not {f.code for f in result.findings} & {"DF-TRU-001", "DF-TRU-002"}:
        _agrees_from_bytes(document, result, trust, at, policy)  # else nothing was verified
    return result


def _agrees_from_bytes(document: bytes, result: MessageVerification, trust: TrustSource,
                       at: datetime, policy: VerifyPolicy) -> None:
    layout = EDXML_LAYOUT if result.edxml else ENVELOPED
    direct = verify_all_at(document, at, trust=trust, layout=layout, policy=policy)
    assert [r.rule for r in direct.signatures] == [r.rule for r in result.signatures]
    for mine, theirs in zip(direct.signatures, result.signatures, strict=True):
        if PROFILE_CODES & set(theirs.sub_indications):  # the profile's own rules
            assert theirs.signed == ()
            continue
        assert mine.indication is theirs.indication, (mine.findings, theirs.findings)
        assert [s.canonical for s in mine.signed] == [s.canonical for s in theirs.signed]


def codes(result: MessageVerification) -> set[str]:
    """Every finding code of the message and of each of its signatures."""
    return {f.code for f in result.findings} | {f.code for s in result.signatures
                                                 for f in s.findings}


def refused(result: MessageVerification, *expected: str) -> None:
    """The forgery is refused: not PASSED, one of ``expected`` among the findings, and no
    signature that did not pass exposes anything as signed."""
    assert result.indication is not Indication.PASSED, result.to_dict()
    if expected:
        assert codes(result) & set(expected), result.to_dict()
    for signature in result.signatures:
        if not signature.passed:
            assert signature.signed == (), signature


def exposed(result: MessageVerification) -> list[tuple[str, str, bytes]]:
    """What the signatures of ``result`` present as signed: (place, URI, canonical bytes),
    sorted, so that moving a Signature within its place does not change the list."""
    return sorted((r.rule or "", s.uri, s.canonical) for r in result.signatures
                  for s in r.signed)


def exposes_only(result: MessageVerification, original: MessageVerification,
                 forged: Iterable[bytes] = ()) -> None:
    """What ``result`` presents as signed is exactly what ``original`` (the untouched
    document's result) did, and none of the ``forged`` bytes appear in it."""
    assert exposed(result) == exposed(original)
    for text in forged:
        assert all(text not in octets for _, _, octets in exposed(result)), text


WALL_FACTOR = 30
"""How much longer than its CPU bound a child may take by the wall clock, on a loaded machine."""


def within(seconds: float, work: Callable[[], T]) -> tuple[bool, T | None]:
    """Run ``work`` in a forked child; ``(True, its result)`` if it finished within
    ``seconds`` of CPU time, else ``(False, None)`` after stopping the child.

    Bounds the cost of a test of resource exhaustion: an unbounded verifier fails the test
    instead of hanging the suite. The bound is the child's own CPU time (``RLIMIT_CPU``), not
    the wall clock, so a machine loaded by other work does not fail a bounded verifier; the
    wall clock only catches a child that blocks without computing.
    """
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)

    def child() -> None:
        cpu = math.ceil(seconds)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        try:
            writer.send_bytes(pickle.dumps(work()))
        finally:
            writer.close()
            os._exit(0)

    process = context.Process(target=child, daemon=True)
    process.start()
    writer.close()
    try:
        if not reader.poll(WALL_FACTOR * seconds):
            return False, None
        try:  # a child stopped by its CPU limit closes the pipe with nothing in it
            return True, pickle.loads(reader.recv_bytes())
        except EOFError:
            return False, None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        reader.close()
