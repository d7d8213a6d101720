"""Verify XML signatures and return only what they cover.

:func:`verify` checks the one Signature a document must hold; :func:`verify_all` checks a
document that holds several (the edXML profile: the signer's and the organ's). Both return
immutable results that hold **what was signed** — the canonical bytes each Reference covered,
parsed again on demand — with the signing certificate, its role, the algorithm and an
indication (``PASSED``, ``FAILED``, ``INDETERMINATE``) with one finding per problem. Callers use
the result, never the input tree: the tree may hold content no signature covers (a comment
splitting a signed text, a forged element beside the signed one).

What is checked, in order, so that a forger can make the verifier do no more work than a
genuine message does: the layout (where each Signature stands, and how many stand in each
place), each Signature's syntax and the kind its References give it (:mod:`~docflow.dsig.shape`),
the number of Signatures of each kind, the algorithms against the
:class:`~docflow.dsig.policy.VerifyPolicy`, the References without their digests (each resolves
to exactly one element of the expected kind, in the numbers the kind allows, with allowed
transforms), the SignatureValue with the key the trust source allows, then the digests, and
last the trust source's judgement of the certificate (chain, validity at ``at``, revocation, key
usage, role). A Signature is reported under the rule its References fit, whatever else fails,
or under ``unknown`` when they fit none.

Examples
--------
>>> from datetime import UTC, datetime
>>> from cryptography.hazmat.primitives.asymmetric import ec
>>> from docflow.dsig import Signer, verify, EmbeddedKeyValue
>>> key = ec.generate_private_key(ec.SECP256R1())
>>> signed = Signer(key, include_key_value=True).sign(b"<order><total>100</total></order>")
>>> result = verify(signed, trust=EmbeddedKeyValue())
>>> result.indication.value, result.sub_indications
('INDETERMINATE', ('DF-SIG-016',))
>>> result.signed[0].element.findtext("total")
'100'
"""

from __future__ import annotations

import dataclasses
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from lxml import etree

from docflow.dsig.algorithms import (
    DS_NS,
    C14NMethod,
    DigestMethod,
    PublicKey,
    SignatureMethod,
    digest,
    key_family,
    key_problem,
    verify_value,
)
from docflow.dsig.c14n import C14NUnsupported, canonicalize
from docflow.dsig.keyinfo import public_key, read_key_info, signing_certificate
from docflow.dsig.layout import ENVELOPED, UNKNOWN_RULE, SignatureLayout
from docflow.dsig.policy import DEFAULT_POLICY, VerifyPolicy
from docflow.dsig.references import (
    IdIndex,
    ReferenceProblem,
    Resolution,
    TransformChain,
    inclusive_prefixes,
    parse_transforms,
    reference_octets,
)
from docflow.dsig.results import DocumentResult, SignedReference, VerifyResult
from docflow.dsig.shape import Shape, count_problems, crowded, place, read_shape
from docflow.dsig.structure import SignatureSyntax, SignatureSyntaxError
from docflow.dsig.trust import (
    ChainOutcome,
    ChainResult,
    EmbeddedKeyValue,
    HmacKey,
    PinnedKeyChecker,
    PinnedPublicKey,
    TrustSource,
    as_utc,
)
from docflow.errors import Finding, Indication, Location, Severity, verdict
from docflow.xmlsafe import element_path, parse_xml

__all__ = [
    "DocumentResult",
    "SignedReference",
    "VerifyResult",
    "verify",
    "verify_all",
    "verify_all_at",
    "verify_at",
]

_Problem = Callable[[str, str], None]
"""The local ``problem(code, message)`` callback that records a finding."""
_SIGNATURE = f"{{{DS_NS}}}Signature"
_C14N = {m.value: m for m in C14NMethod}
_DIGESTS = {m.value: m for m in DigestMethod}
_METHODS = {m.value: m for m in SignatureMethod}
Document = bytes | etree._Element | etree._ElementTree


def _root_of(document: Document, where: str | None) -> etree._Element:
    if isinstance(document, bytes | bytearray | memoryview):
        return parse_xml(bytes(document), where=where)
    if isinstance(document, etree._ElementTree):
        return document.getroot()
    return document.getroottree().getroot()


def verify(document: Document, *, trust: TrustSource, policy: VerifyPolicy = DEFAULT_POLICY,
           layout: SignatureLayout = ENVELOPED, where: str | None = None) -> VerifyResult:
    """Verify the one Signature of ``document`` now; see :func:`verify_at`."""
    return verify_at(document, datetime.now(UTC), trust=trust, policy=policy, layout=layout,
                     where=where)


def verify_at(document: Document, at: datetime, *, trust: TrustSource,
              policy: VerifyPolicy = DEFAULT_POLICY, layout: SignatureLayout = ENVELOPED,
              where: str | None = None) -> VerifyResult:
    """Verify the one Signature ``layout`` allows in ``document``, at time ``at``.

    Parameters
    ----------
    document
        The XML as bytes (parsed with docflow's hardened parser), or a parsed tree, which is
        left untouched.
    at
        The validation time for certificates (a naive datetime is taken as UTC).
    trust
        Where trust in the key comes from (:mod:`docflow.dsig.trust`).
    policy
        The algorithms and limits accepted.
    layout
        Where the Signature stands and what it must reference; it must describe exactly one
        Signature (use :func:`verify_all` for more).
    where
        A file name for finding locations.

    Returns
    -------
    VerifyResult
        Always a result: a document that fails verification is a finding, not an exception.

    Raises
    ------
    InputError
        ``document`` is bytes that the hardened parser refuses.
    ValueError
        ``layout`` allows more than one Signature.
    """
    if not layout.single:
        raise ValueError("the layout allows several Signatures; use verify_all()")
    outcome = verify_all_at(document, at, trust=trust, policy=policy, layout=layout, where=where)
    if len(outcome.signatures) == 1:
        return outcome.signatures[0]
    return VerifyResult(outcome.indication, outcome.findings,
                        location=Location(file=where))


def verify_all(document: Document, *, trust: TrustSource, layout: SignatureLayout,
               policy: VerifyPolicy = DEFAULT_POLICY,
               where: str | None = None) -> DocumentResult:
    """Verify every Signature of ``document`` now; see :func:`verify_all_at`."""
    return verify_all_at(document, datetime.now(UTC), trust=trust, layout=layout, policy=policy,
                         where=where)


def verify_all_at(document: Document, at: datetime, *, trust: TrustSource,
                  layout: SignatureLayout, policy: VerifyPolicy = DEFAULT_POLICY,
                  where: str | None = None, owned: bool = False) -> DocumentResult:
    """Verify every ds:Signature of ``document`` against ``layout``, at time ``at``.

    Every ds:Signature anywhere in the document must stand where a rule of ``layout`` allows
    one, and each rule's count must hold; otherwise the document is FAILED with ``DF-SIG-009``
    and so is every signature in it. The counts are checked before any signature is verified
    (:mod:`docflow.dsig.shape`): a place holding more Signatures than its rules allow in all
    refuses the document with no signature result at all, and a kind with one Signature too
    many refuses it with each Signature reported unverified. Parameters are those of
    :func:`verify_at`, and:

    owned
        The caller hands a parsed tree over and will not read it again, as nothing reads a
        tree parsed here from bytes: the last Signature may then be taken out of the tree
        instead of being cut out of the canonical bytes (the fast path; see
        :func:`~docflow.dsig.references.reference_octets`).
    """
    root = _root_of(document, where)
    at = as_utc(at)
    ids = IdIndex(root, policy.id_attributes)
    placed, problems = place(list(root.iter(_SIGNATURE)), layout, where)
    too_many = crowded(placed, layout, where)
    if too_many:  # refused before a single Signature is read
        problems += too_many
        return DocumentResult(verdict(problems), (), tuple(problems))
    shapes = [read_shape(one, root, ids) for one in placed]
    locations = [_location(shape.placed.element, where) for shape in shapes]
    too_many, too_few = count_problems(shapes, layout, where)
    if too_many:  # refused before a single Signature is verified
        problems += too_many
        unverified = [VerifyResult(verdict(problems), tuple(problems), rule=shape.rule,
                                   location=location)
                      for shape, location in zip(shapes, locations, strict=True)]
        return DocumentResult(verdict(problems), tuple(unverified), tuple(problems))
    # Speed: a tree parsed here from bytes is private, so the last Signature may take itself
    # out of it for good instead of being cut out of the canonical bytes: nothing reads the
    # tree after it.
    private = owned or isinstance(document, bytes | bytearray | memoryview)
    results = [_verify_signature(shape, root, trust, policy, at, location,
                                 private and number == len(shapes))
               for number, (shape, location) in enumerate(zip(shapes, locations, strict=True),
                                                          1)]
    problems += too_few
    if problems:
        results = [_with_findings(r, problems) for r in results]
    worst = verdict([*problems, *(f for r in results for f in r.findings)])
    return DocumentResult(worst, tuple(results), tuple(problems))


def _location(element: etree._Element, where: str | None) -> Location:
    return Location(file=where, line=element.sourceline, path=element_path(element))


def _with_findings(result: VerifyResult, extra: Sequence[Finding]) -> VerifyResult:
    findings = (*result.findings, *extra)
    return dataclasses.replace(result, indication=verdict(findings), findings=findings,
                               signed=())


@dataclass(slots=True)
class _Key:
    """The key a signature is checked with, and where it came from."""

    key: PublicKey | bytes
    leaf: x509.Certificate | None = None
    others: tuple[x509.Certificate, ...] = ()
    try_pinned: bool = False
    """The document names no certificate: try each pinned certificate's key."""


def _verify_signature(shape: Shape, root: etree._Element, trust: TrustSource,
                      policy: VerifyPolicy, at: datetime, location: Location,
                      private: bool) -> VerifyResult:
    """Verify one Signature, read and classified beforehand (:func:`read_shape`).

    The order bounds the work a forger can cause: everything cheap first (syntax, algorithms,
    the key, the References' kinds and counts), then the SignatureValue — one public-key
    operation over SignedInfo — and only when both hold, the digests, whose canonicalizations
    are the expensive part and are then bounded by what the layout allows.

    ``private`` says the tree is the verifier's own and nothing will read it after this
    Signature's last Reference: that Reference may then take Signatures out for good instead of
    working around them (the fast path of a document given as bytes with one Signature).
    """
    findings: list[Finding] = []

    def finish(method: SignatureMethod | None = None) -> VerifyResult:
        return VerifyResult(verdict(findings), tuple(findings), signature_method=method,
                            rule=shape.rule, location=location)

    def problem(code: str, message: str) -> None:
        findings.append(Finding(code, message, location))

    syntax = shape.syntax
    if syntax is None:
        assert shape.error is not None
        problem(shape.error.code, str(shape.error))
        return finish()
    # 1. Algorithms, before any work.
    c14n = _C14N.get(syntax.c14n_uri)
    method = _METHODS.get(syntax.method_uri)
    if c14n is None:
        problem("DF-SIG-002", f"canonicalization {syntax.c14n_uri[:100]!r} is unknown")
    elif c14n not in policy.c14n_methods:
        problem("DF-SIG-003", f"canonicalization {c14n.value} is not allowed")
    if method is None:
        problem("DF-SIG-002", f"signature method {syntax.method_uri[:100]!r} is unknown")
    elif method not in policy.signature_methods:
        problem("DF-SIG-003", f"signature method {method.value} is not allowed by the policy")
    elif syntax.hmac_output_length is not None:
        _check_hmac_length(method, syntax.hmac_output_length, problem)
    if len(syntax.references) > policy.max_references:
        problem("DF-SIG-020", f"{len(syntax.references)} References, above the limit of "
                f"{policy.max_references}")
    if findings or method is None or c14n is None:
        return finish(method)
    # 2. The key, as the trust source allows it to be found.
    key = _find_key(syntax, method, trust, policy, problem)
    # 3. The canonical SignedInfo, before any Reference is processed (see ``private``).
    try:
        prefixes = inclusive_prefixes(syntax.c14n_method) if c14n.exclusive else ()
        signed_info = canonicalize(syntax.signed_info, c14n, inclusive_prefixes=prefixes)
    except C14NUnsupported as exc:
        problem("DF-SIG-002", str(exc))
        return finish(method)
    # 4. References without their digests: algorithms, transforms, resolution, and the shape
    #    the layout gives the Signature's kind (how many of each, what they point at).
    plans = _plan_references(syntax, shape, policy, problem)
    for message in shape.problems:
        problem("DF-SIG-008", message)
    if key is None:
        return finish(method)
    # 5. The SignatureValue, even when the shape is wrong (a genuine signature moved is told
    #    from a forged one), but before any digest: until it holds, the DigestValues are
    #    anyone's, and checking them would do a forger's work.
    checked = _check_value(syntax, method, key, signed_info, trust, problem)
    if checked is None or plans is None or shape.problems or shape.rule == UNKNOWN_RULE:
        return finish(method)
    key = checked
    # 6. The digests: each Reference canonicalized once, as many as the layout allows.
    signed = _digest_references(syntax, shape, plans, problem, private)
    if any(f.effective_severity is Severity.ERROR for f in findings):
        return finish(method)
    # 7. Trust in the key, last: the cheapest answer to a forgery is a failed signature.
    chain = _judge(key, trust, at, location, findings)
    indication = verdict(findings)
    crypto_only = isinstance(trust, EmbeddedKeyValue) and set(
        f.code for f in findings if f.effective_severity is Severity.ERROR) == {"DF-SIG-016"}
    return VerifyResult(
        indication, tuple(findings),
        signed=signed if indication is Indication.PASSED or crypto_only else (),
        certificate=key.leaf, chain=chain.chain, role=chain.role, signature_method=method,
        rule=shape.rule, location=location, trusted=chain.trusted)


def _check_hmac_length(method: SignatureMethod, bits: int, problem: _Problem) -> None:
    if method.family != "hmac":
        problem("DF-SIG-001", "HMACOutputLength is given for a method that is not an HMAC")
    elif bits < max(80, method.hash_bits // 2) or bits % 8 or bits > method.hash_bits:
        problem("DF-SIG-004", f"HMACOutputLength is {bits} bits; at least "
                f"{max(80, method.hash_bits // 2)} whole bytes up to {method.hash_bits} are "
                "required")


def _find_key(syntax: SignatureSyntax, method: SignatureMethod, trust: TrustSource,
              policy: VerifyPolicy, problem: _Problem) -> _Key | None:
    if isinstance(trust, HmacKey):
        found = _Key(trust.secret)
    elif isinstance(trust, PinnedPublicKey):
        # The document's KeyInfo says nothing here: the pinned keys are tried in _check_value.
        found = _Key(next((k for k in trust.keys if key_problem(method, k) is None),
                          trust.keys[0]), try_pinned=True)
    else:
        try:
            content = read_key_info(syntax.key_info)
            split = signing_certificate(content.certificates)
            if isinstance(trust, EmbeddedKeyValue) and content.key_values:
                found = _Key(content.key_values[0])
            elif split is not None:
                leaf, others = split
                found = _Key(public_key(leaf), leaf, others)
            elif content.certificates:
                problem("DF-SIG-018", f"{len(content.certificates)} certificates in X509Data "
                        "and none stands out as the signing one")
                return None
            elif isinstance(trust, PinnedKeyChecker) and trust.certificates:
                # No certificate in the document: the pinned ones are tried in _check_value.
                found = _Key(public_key(trust.certificates[0]), trust.certificates[0],
                             try_pinned=True)
            else:
                problem("DF-SIG-013", "KeyInfo holds no certificate" +
                        (" or KeyValue" if isinstance(trust, EmbeddedKeyValue) else "") +
                        " and no key is configured")
                return None
        except SignatureSyntaxError as exc:  # a certificate or key that cannot be used
            problem(exc.code, str(exc))
            return None
    why = key_problem(method, found.key)
    if why is not None:
        problem("DF-SIG-014", why)
        return None
    family = key_family(found.key)
    if family in ("rsa", "dsa"):
        floor = policy.min_rsa_bits if family == "rsa" else policy.min_dsa_bits
        size = found.key.key_size  # type: ignore[union-attr]
        if size < floor:
            problem("DF-SIG-005", f"the {size}-bit key is below the policy's {floor} bits")
            return None
    return found


def _reference_label(number: int, uri: str | None) -> str:
    return f"Reference {number} (URI={uri[:80] if uri is not None else None!r})"


def _plan_references(syntax: SignatureSyntax, shape: Shape, policy: VerifyPolicy,
                     problem: _Problem
                     ) -> list[tuple[DigestMethod, TransformChain, Resolution]] | None:
    """Each Reference's digest method, transform chain and target, checked without digesting;
    ``None`` when one of them cannot be followed (each such Reference is one finding)."""
    plans = []
    for number, (ref, resolution) in enumerate(zip(syntax.references, shape.resolutions,
                                                   strict=True), 1):
        digest_method = _DIGESTS.get(ref.digest_uri)
        try:
            if digest_method is None:
                raise ReferenceProblem("DF-SIG-002", f"digest {ref.digest_uri[:100]!r} is "
                                       "unknown")
            if digest_method not in policy.digest_methods:
                raise ReferenceProblem("DF-SIG-003", f"digest {digest_method.value} is not "
                                       "allowed by the policy")
            chain = parse_transforms(ref.transforms, policy)
        except ReferenceProblem as exc:
            resolution = exc
        if isinstance(resolution, ReferenceProblem):
            problem(resolution.code, f"{_reference_label(number, ref.uri)}: "
                    f"{resolution.message}")
            continue
        assert digest_method is not None
        plans.append((digest_method, chain, resolution))
    return plans if len(plans) == len(syntax.references) else None


def _digest_references(syntax: SignatureSyntax, shape: Shape,
                       plans: list[tuple[DigestMethod, TransformChain, Resolution]],
                       problem: _Problem, private: bool) -> tuple[SignedReference, ...]:
    """What each Reference covers, when every digest matches; ``()`` otherwise."""
    signed: list[SignedReference] = []
    intact = True
    for number, (ref, (digest_method, chain, resolution)) in enumerate(
            zip(syntax.references, plans, strict=True), 1):
        try:
            octets = reference_octets(resolution, syntax.element, chain,
                                      private and number == len(plans))
        except C14NUnsupported as exc:
            problem("DF-SIG-002", f"{_reference_label(number, ref.uri)}: {exc}")
            intact = False
            continue
        if hmac.compare_digest(digest(digest_method, octets), ref.digest_value):
            signed.append(SignedReference(ref.uri or "", octets, digest_method))
        else:
            problem("DF-SIG-011", f"{_reference_label(number, ref.uri)}: the digest does not "
                    "match the content")
            intact = False
    return tuple(signed) if intact else ()


def _check_value(syntax: SignatureSyntax, method: SignatureMethod, key: _Key,
                 signed_info: bytes, trust: TrustSource, problem: _Problem) -> _Key | None:
    candidates = [key]
    if key.try_pinned and isinstance(trust, PinnedPublicKey):
        candidates = [_Key(pinned) for pinned in trust.keys]
    elif key.try_pinned and isinstance(trust, PinnedKeyChecker):
        candidates = []
        for pinned in trust.certificates:
            try:
                candidates.append(_Key(public_key(pinned), pinned))
            except SignatureSyntaxError:  # a pinned key of another algorithm cannot match
                continue
    last = None
    for candidate in candidates:
        if key.try_pinned and key_problem(method, candidate.key) is not None:
            continue
        outcome = verify_value(method, candidate.key, syntax.value, signed_info,
                               syntax.hmac_output_length)
        if outcome.valid:
            if outcome.padded:
                problem("DF-SIG-019", "the ECDSA SignatureValue has short halves; left-padded")
            return candidate
        last = outcome.problem
    problem("DF-SIG-012", "the SignatureValue does not verify" + (f" ({last})" if last else ""))
    return None


def _judge(key: _Key, trust: TrustSource, at: datetime, location: Location,
           findings: list[Finding]) -> ChainOutcome:
    if isinstance(trust, HmacKey | PinnedPublicKey):
        return ChainResult(True, role=trust.role)
    if isinstance(trust, EmbeddedKeyValue):
        findings.append(Finding("DF-SIG-016", "the key comes from the document itself; the "
                                "signature is intact but nothing says who made it", location))
        return ChainResult(False, (key.leaf,) if key.leaf is not None else ())
    assert key.leaf is not None
    result = trust.check(key.leaf, key.others, at)
    for found in result.problems:
        findings.append(found if found.location != Location()
                        else dataclasses.replace(found, location=location))
    if not result.trusted and not any(f.effective_severity is Severity.ERROR
                                      for f in result.problems):
        findings.append(Finding("DF-SIG-015", "the trust source does not trust the signing "
                                "certificate", location))
    return result
