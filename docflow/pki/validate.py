"""Certification path validation: from a signing certificate to a trust anchor, at a given time.

:class:`PathValidator` builds every path from the leaf through the presented intermediates and
the store's CA certificates to an anchor (depth-first, anchors first, each link checked by its
signature) and checks the first path that passes, or reports the problems of the first one
found, as findings with stable codes. Building is bounded, since the presented certificates
come from an unauthenticated document: at most ``max_presented`` of them are candidates, a
subject and key appear once per path (RFC 4158 §5.2 loop detection: copies of one CA cannot
chain to each other), a signature check is done once per certificate and issuer key, and
every link tried counts against ``max_path_work`` (``DF-PKI-030`` when it runs out). The
checks:

* **signatures**: each certificate verifies with the next one's key; the algorithms are allowed
  by the policy (no SHA-1, DSA or RSA under 2048 bits unless :data:`LEGACY_POLICY`; MD5
  never). A certificate signed with a hash the policy refuses (or an algorithm cryptography
  does not know) is ``DF-PKI-019`` naming the algorithm, decided before its signature is
  checked: the signature is not verified at all, so the finding is never a misleading
  ``DF-PKI-002`` ("does not verify") for a signature that may well verify;
* **time**: every certificate, the anchor included, is valid at ``at`` (RFC 5280 §4.1.2.5:
  both ends inclusive);
* **constraints**: issuers are CAs (basicConstraints ``cA``) with ``keyCertSign``, and the path
  respects each pathLenConstraint; no certificate has a critical extension docflow does not
  process (name and policy constraints included: refusing them is what RFC 5280 asks of a
  validator that does not implement them);
* **the leaf**: not a CA, key usage with ``digitalSignature`` or ``nonRepudiation``, and an
  extendedKeyUsage, when present, that allows document signing;
* **revocation**: for every certificate under the anchor, the issuer's newest CRL signed by
  the issuer's key decides. Issued at or before ``at``, it must still be in force
  (``at <= nextUpdate``, else stale); issued after ``at``, it covers ``at`` anyway, since it
  lists every revocation up to its thisUpdate (ETSI EN 319 102-1's freshness rule: revocation
  data newer than the time of interest is what validating a past signing time needs). A serial
  listed with ``revocationDate <= at`` is revoked; one revoked after ``at`` is not (OpenSSL
  treats any listed serial as revoked: the one rule where the two differ);
* **role**: the leaf's role under the store's role mapping (docflow's policy OIDs, then rules).

Every certificate is read in full before it is used (:mod:`docflow.x509safe`): the certificate
library decodes names, keys and extensions only when they are first read, and a damaged field
must be a finding, not an exception in the middle of path building. A signing certificate that
cannot be read is ``DF-PKI-031``; a presented intermediate that cannot be read is no candidate
(the message of ``DF-PKI-001`` counts it). The store's own certificates and CRLs were read when
the store was built.

RFC 5280's policy tree (§6.1.3) is not computed: the role is read from the policies the leaf
asserts, and the CAs are trusted to issue only what their policies allow.

Results are cached per (leaf, presented intermediates). One certificate signs many documents,
so the second and later validations are a dict look-up. A cached result is reused only at times
where it is *exactly* the result a fresh validation would give: every comparison of ``at`` with
a date during validation narrows a window ``[lo, hi)`` around ``at``, and the result is stored
with that window. A revocation, an expiry or a newer CRL inside the window is impossible by
construction, so no time bucket can mask one.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding, rsa
from cryptography.x509.oid import ExtensionOID

from docflow.errors import Finding, Severity
from docflow.pki.crl import CrlInfo
from docflow.pki.policy import (
    DEFAULT_POLICY,
    LEGACY_POLICY,
    RevocationCheck,
    ValidationPolicy,
)
from docflow.pki.store import TrustStore
from docflow.x509names import readable_name
from docflow.x509safe import certificate_problem

__all__ = [
    "DEFAULT_POLICY",
    "LEGACY_POLICY",
    "ChainResult",
    "PathValidator",
    "RevocationCheck",
    "ValidationPolicy",
]

_UTC = dt.UTC
_TICK = dt.timedelta(microseconds=1)
_MIN = dt.datetime.min.replace(tzinfo=_UTC)
_MAX = dt.datetime.max.replace(tzinfo=_UTC)

_HANDLED_CRITICAL = frozenset({
    ExtensionOID.BASIC_CONSTRAINTS,
    ExtensionOID.KEY_USAGE,
    ExtensionOID.EXTENDED_KEY_USAGE,
    ExtensionOID.CERTIFICATE_POLICIES,
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
})
"""Critical extensions the validator processes (or, for subjectAltName, that carry no
constraint): any other critical extension fails the path, as RFC 5280 §4.2 requires."""

@dataclass(frozen=True, slots=True)
class ChainResult:
    """The outcome of validating one signing certificate at one time.

    ``trusted`` speaks of the path only; the role's findings (``DF-PKI-012``/``-013``) are in
    ``problems`` but do not make the certificate untrusted, so a caller can tell "this is a
    valid certificate of unknown role" from "this certificate cannot be trusted".
    """

    trusted: bool
    """A path to an anchor exists and every check of it passed."""
    chain: tuple[x509.Certificate, ...]
    """The path checked, leaf first and anchor last (as far as it got when there is none)."""
    role: str | None
    """The leaf's :class:`~docflow.pki.roles.Role`, or ``None`` when unknown or ambiguous, or
    when no path reaches an anchor (a role claimed by an untrusted certificate means
    nothing)."""
    problems: tuple[Finding, ...] = ()
    """Every finding, in path order (leaf first), then the role's. Each message starts with
    the certificate's place in :attr:`chain` (``chain[0]:`` is the signing certificate);
    findings carry no location, so that a signature verifier can give them its own."""


class _Window:
    """Records every comparison of ``at`` with a date, narrowing ``[lo, hi)`` around it."""

    __slots__ = ("at", "hi", "lo")

    def __init__(self, at: dt.datetime) -> None:
        self.at, self.lo, self.hi = at, _MIN, _MAX

    def before(self, when: dt.datetime) -> bool:
        """``at < when``, remembering the half-line on which the answer stays the same."""
        if self.at < when:
            self.hi = min(self.hi, when)
            return True
        self.lo = max(self.lo, when)
        return False

    def not_after(self, when: dt.datetime) -> bool:
        """``at <= when`` (datetimes have microsecond resolution)."""
        return self.before(when + _TICK)


@dataclass
class _Stats:
    hits: int = 0
    misses: int = 0


_CacheKey = tuple[x509.Certificate, tuple[x509.Certificate, ...]]
_Entry = tuple[dt.datetime, dt.datetime, ChainResult]
_Identity = tuple[x509.Name, bytes]
"""A certificate's subject and public key (DER SubjectPublicKeyInfo): what makes two
certificates the same CA for path building."""


class _Build:
    """The state of one path-building run: the work spent, whether it ran out, and the public
    keys met, by ``id`` (hashing a certificate costs microseconds, and every certificate of
    the run stays alive until it ends)."""

    __slots__ = ("exhausted", "keys", "work")

    def __init__(self) -> None:
        self.work = 0
        self.exhausted = False
        self.keys: dict[int, bytes] = {}


@dataclass(eq=False)
class PathValidator:
    """Validates signing certificates against a :class:`TrustStore`; share one per store.

    It satisfies ``docflow.dsig.trust.CertificateChecker`` by its :meth:`check` method. The
    store and the policy are its configuration; its caches (results, signature checks of
    certificates and CRLs) only make repeated work free and never change an answer.

    Examples
    --------
    >>> validator = PathValidator(TrustStore(anchors=()))
    >>> validator.cache_info()
    {'hits': 0, 'misses': 0, 'entries': 0}
    """

    store: TrustStore
    policy: ValidationPolicy = DEFAULT_POLICY
    cache_size: int = 100_000
    """Leaf/intermediates combinations kept; a national PKI has ~21,000 leaves."""
    _results: dict[_CacheKey, list[_Entry]] = field(default_factory=dict, init=False,
                                                    repr=False)
    _signed: dict[tuple[x509.Certificate, _Identity], bool] = field(
        default_factory=dict, init=False, repr=False)
    _crl_ok: dict[tuple[int, x509.Certificate], bool] = field(default_factory=dict, init=False,
                                                             repr=False)
    _keys: dict[x509.Certificate, bytes] = field(default_factory=dict, init=False, repr=False)
    _readable: dict[x509.Certificate, bool] = field(default_factory=dict, init=False,
                                                    repr=False)
    _stats: _Stats = field(default_factory=_Stats, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def check(self, leaf: x509.Certificate, intermediates: Sequence[x509.Certificate],
              at: dt.datetime) -> ChainResult:
        """Validate ``leaf`` at ``at``, with ``intermediates`` as candidate CA certificates.

        Parameters
        ----------
        leaf
            The signing certificate.
        intermediates
            Candidate CA certificates, typically from the document's KeyInfo; they help build
            the path but are never trusted by themselves.
        at
            The validation time (the signing time, or now); a naive datetime is taken as UTC.

        Returns
        -------
        ChainResult
            The same object for every call the cache answers.
        """
        if at.tzinfo is None:
            at = at.replace(tzinfo=_UTC)
        key = (leaf, tuple(intermediates))
        entries = self._results.get(key)
        if entries is not None:
            for lo, hi, cached in entries:
                if lo <= at < hi:
                    self._stats.hits += 1
                    return cached
        self._stats.misses += 1
        window = _Window(at)
        result = self._validate(leaf, key[1], window)
        with self._lock:
            entries = self._results.get(key)
            if entries is None:
                if len(self._results) >= self.cache_size:
                    # Evict the oldest entry (dicts keep insertion order): cheap and enough for
                    # a working set that is mostly one pass over the agencies.
                    del self._results[next(iter(self._results))]
                entries = self._results[key] = []
            entries.append((window.lo, window.hi, result))
            if len(entries) > 8:
                del entries[0]
        return result

    def cache_info(self) -> dict[str, int]:
        """Hits, misses and cached leaf combinations, for benchmarks and tuning."""
        return {"hits": self._stats.hits, "misses": self._stats.misses,
                "entries": len(self._results)}

    def clear_cache(self) -> None:
        """Forget cached results (answers do not change; only speed does)."""
        with self._lock:
            self._results.clear()
            self._signed.clear()
            self._crl_ok.clear()
            self._keys.clear()
            self._readable.clear()

    # --- path building ---------------------------------------------------------------------

    def _validate(self, leaf: x509.Certificate, intermediates: tuple[x509.Certificate, ...],
                  window: _Window) -> ChainResult:
        problem = certificate_problem(leaf)
        if problem is not None:
            return ChainResult(False, (leaf,), None, (_finding(
                "DF-PKI-031", f"the certificate cannot be read: {problem}", 0),))
        # Only the first max_presented certificates of the document are candidates.
        taken = intermediates[:self.policy.max_presented]
        presented: dict[x509.Name, list[x509.Certificate]] = {}
        unreadable = 0
        for cert in taken:
            if not self._is_readable(cert):
                unreadable += 1
            elif cert != leaf and cert not in presented.get(cert.subject, ()):
                presented.setdefault(cert.subject, []).append(cert)
        first: tuple[tuple[x509.Certificate, ...], list[Finding]] | None = None
        deepest: list[x509.Certificate] = [leaf]
        bad_signature: list[x509.Certificate] = []
        build = _Build()
        for count, path in enumerate(self._paths(leaf, presented, deepest, bad_signature,
                                                 build)):
            problems = self._check_path(path, window)
            if not any(p.effective_severity is Severity.ERROR for p in problems):
                return self._finish(path, problems, trusted=True)
            if first is None:
                first = (path, problems)
            if count + 1 >= self.policy.max_paths:
                break
        if build.exhausted:
            stopped = _finding("DF-PKI-030", f"path building from {_who(leaf)} stopped after "
                               f"{build.work} links tried, the policy's budget, without a "
                               f"valid path ({len(taken)} certificates presented)", 0)
            if first is not None:
                return self._finish(first[0], [*first[1], stopped], trusted=False)
            return ChainResult(False, tuple(deepest), None, (stopped,))
        if first is not None:
            return self._finish(first[0], first[1], trusted=False)
        chain = tuple(deepest)
        last = chain[-1]
        ignored = len(intermediates) - len(taken)
        note = "" if not ignored else (f"; {ignored} presented certificates past the first "
                                       f"{len(taken)} were not considered")
        if unreadable:
            note += f"; {unreadable} presented certificates cannot be read and were not " \
                    "considered"
        if bad_signature:
            finding = _finding("DF-PKI-002", f"the signature of {_who(last)} does not verify "
                                             f"with the key of {_who(bad_signature[0])}{note}",
                               len(chain) - 1)
        else:
            finding = _finding("DF-PKI-001", f"no trust anchor or known CA issued "
                                             f"{_who(last)} (issuer "
                                             f"{readable_name(last.issuer)}){note}",
                               len(chain) - 1)
        return ChainResult(False, chain, None, (finding,))

    def _finish(self, path: tuple[x509.Certificate, ...], problems: list[Finding],
                trusted: bool) -> ChainResult:
        decision = self.store.roles.decide(path[0])
        if decision.role is None:
            if decision.ambiguous:
                roles = ", ".join(decision.candidates)
                problems.append(_finding("DF-PKI-013", f"{_who(path[0])} matches several "
                                                       f"roles: {roles}", 0))
            else:
                problems.append(_finding("DF-PKI-012", f"{_who(path[0])} has no docflow "
                                                       "policy OID and matches no role rule",
                                         0))
        return ChainResult(trusted, path, decision.role, tuple(problems))

    def _issuers(self, cert: x509.Certificate,
                 presented: dict[x509.Name, list[x509.Certificate]]
                 ) -> Iterator[x509.Certificate]:
        store_side = self.store.issuers_of_name(cert.issuer)
        yield from store_side
        for candidate in presented.get(cert.issuer, ()):
            if candidate not in store_side:
                yield candidate

    def _paths(self, leaf: x509.Certificate,
               presented: dict[x509.Name, list[x509.Certificate]],
               deepest: list[x509.Certificate], bad_signature: list[x509.Certificate],
               build: _Build) -> Iterator[tuple[x509.Certificate, ...]]:
        """Every path from ``leaf`` to an anchor, depth-first, anchors first at each step,
        until ``build``'s work budget runs out (``build.exhausted``)."""
        if self.store.is_anchor(leaf):
            yield (leaf,)
        stack: list[tuple[x509.Certificate, ...]] = [(leaf,)]
        while stack:
            path = stack.pop()
            if len(path) > len(deepest):
                deepest[:] = path
            if len(path) >= self.policy.max_path_length:
                continue
            extensions: list[tuple[x509.Certificate, ...]] = []
            # Every candidate's subject is path[-1]'s issuer name: the certificates of the
            # path with that subject are the only ones a candidate can repeat.
            name = path[-1].issuer
            same_name = [c for c in path if hash(c.subject) == hash(name) and c.subject == name]
            # The algorithm is checked before the signature: one the policy refuses is never
            # verified, and the link is taken by name only. A path through it can never pass
            # (_check_algorithms reports DF-PKI-019 for it), and its finding names the
            # algorithm instead of calling the signature bad.
            refused = self._refused_signature(path[-1]) is not None
            for issuer in self._issuers(path[-1], presented):
                if same_name and self._on_path(issuer, same_name, build):
                    # One subject and key once per path: n copies of a CA that "issue" each
                    # other would otherwise give n! orderings. Copies as siblings are still
                    # tried (a CA renewed with the same key), each against the budget.
                    continue
                if build.work >= self.policy.max_path_work:
                    build.exhausted = True
                    return
                build.work += 1
                identity = (issuer.subject, self._key(issuer, build))
                if not refused and not self._is_signed_by(path[-1], issuer, identity):
                    if len(path) >= len(deepest) and not bad_signature:
                        bad_signature.append(issuer)
                    continue
                longer = (*path, issuer)
                if self.store.is_anchor(issuer):
                    yield longer
                else:
                    extensions.append(longer)
            stack.extend(reversed(extensions))  # explore in candidate order

    def _is_readable(self, cert: x509.Certificate) -> bool:
        """Whether every field of ``cert`` decodes; remembered, as CAs recur in documents."""
        known = self._readable.get(cert)
        if known is None:
            if len(self._readable) >= 4 * self.cache_size:
                self._readable.clear()
            known = self._readable[cert] = certificate_problem(cert) is None
        return known

    def _key(self, cert: x509.Certificate, build: _Build) -> bytes:
        """``cert``'s DER public key, remembered for the run and, for CAs that recur, beyond."""
        found = build.keys.get(id(cert))
        if found is None:
            found = self._keys.get(cert)
            if found is None:
                # Speed: serializing a public key costs ~30 µs.
                if len(self._keys) >= 4 * self.cache_size:
                    self._keys.clear()
                found = self._keys[cert] = _public_key_der(cert)
            build.keys[id(cert)] = found
        return found

    def _on_path(self, cert: x509.Certificate, same_name: list[x509.Certificate],
                 build: _Build) -> bool:
        """Whether ``cert``'s key is that of one of ``same_name``, the certificates of the path
        with ``cert``'s subject (a plain chain has none, and never serializes a key)."""
        key = self._key(cert, build)
        return any(self._key(other, build) == key for other in same_name)

    def _is_signed_by(self, cert: x509.Certificate, issuer: x509.Certificate,
                      identity: _Identity) -> bool:
        # Keyed by the issuer's subject and key, not the certificate: copies of one CA are
        # one signature check.
        key = (cert, identity)
        known = self._signed.get(key)
        if known is None:
            try:
                cert.verify_directly_issued_by(issuer)
                known = True
            except ValueError:
                # cryptography's own check knows only current algorithms (no SHA-1): verify by
                # hand. Only algorithms the policy admits get here (_refused_signature).
                known = cert.issuer == issuer.subject and _verify_by_hand(cert, issuer)
            except (InvalidSignature, TypeError, UnsupportedAlgorithm):
                known = False
            if len(self._signed) >= 4 * self.cache_size:
                self._signed.clear()  # bound the memory of a long audit; answers do not change
            self._signed[key] = known
        return known

    # --- checks of one path ----------------------------------------------------------------

    def _check_path(self, path: tuple[x509.Certificate, ...], window: _Window
                    ) -> list[Finding]:
        problems: list[Finding] = []
        last = len(path) - 1
        for i, cert in enumerate(path):
            self._check_time(cert, i, window, problems)
            self._check_algorithms(cert, i, i == last, problems)
            try:
                extensions = cert.extensions
            except ValueError as exc:
                problems.append(_finding("DF-PKI-017", f"the extensions of {_who(cert)} cannot "
                                                       f"be parsed: {exc}", i))
                continue
            for ext in extensions:
                if ext.critical and ext.oid not in _HANDLED_CRITICAL:
                    problems.append(_finding("DF-PKI-017", f"{_who(cert)} has a critical "
                                             f"{_ext_name(ext.oid)} extension", i))
            if i == 0:
                self._check_leaf(cert, extensions, problems)
            else:
                self._check_ca(path, i, extensions, problems)
            if i < last and self.policy.revocation is not RevocationCheck.OFF:
                self._check_revocation(cert, path[i + 1], i, window, problems)
        return problems

    @staticmethod
    def _check_time(cert: x509.Certificate, i: int, window: _Window,
                    problems: list[Finding]) -> None:
        if window.before(cert.not_valid_before_utc):
            problems.append(_finding("DF-PKI-004", f"{_who(cert)} is valid only from "
                                     f"{cert.not_valid_before_utc.isoformat()}", i))
        elif not window.not_after(cert.not_valid_after_utc):
            problems.append(_finding("DF-PKI-003", f"{_who(cert)} expired on "
                                     f"{cert.not_valid_after_utc.isoformat()}", i))

    def _check_algorithms(self, cert: x509.Certificate, i: int, is_anchor: bool,
                          problems: list[Finding]) -> None:
        policy = self.policy
        # An anchor is trusted as configured, whatever signed it.
        refused = None if is_anchor else self._refused_signature(cert)
        if refused is not None:
            problems.append(_finding("DF-PKI-019", f"{_who(cert)} is signed with {refused}, "
                                     "which the policy does not allow; its signature was not "
                                     "checked", i))
        try:
            key = cert.public_key()
        except (ValueError, UnsupportedAlgorithm):
            problems.append(_finding("DF-PKI-019", f"{_who(cert)} has an unsupported public "
                                     "key", i))
            return
        if isinstance(key, rsa.RSAPublicKey) and key.key_size < policy.min_rsa_bits:
            problems.append(_finding("DF-PKI-019", f"{_who(cert)} has a {key.key_size}-bit RSA "
                                     f"key (minimum {policy.min_rsa_bits})", i))
        elif isinstance(key, dsa.DSAPublicKey) and not policy.allow_dsa:
            problems.append(_finding("DF-PKI-019", f"{_who(cert)} has a DSA key", i))

    def _refused_signature(self, cert: x509.Certificate) -> str | None:
        """The name of ``cert``'s signature algorithm when the policy refuses it (its hash is
        not in :attr:`~ValidationPolicy.signature_hashes`, or cryptography does not know the
        algorithm), else ``None``. Ed25519 and Ed448, which have no separate hash, pass.

        The name gives the hash and the algorithm's OID name, e.g. ``MD5
        (md5WithRSAEncryption)``, so that the reader knows what was refused.
        """
        oid = cert.signature_algorithm_oid
        try:
            digest = cert.signature_hash_algorithm
        except UnsupportedAlgorithm:
            return f"an unsupported algorithm ({_ext_name(oid)})"
        if digest is None or digest.name in self.policy.signature_hashes:
            return None
        return f"{digest.name.upper()} ({_ext_name(oid)})"

    def _check_leaf(self, cert: x509.Certificate, extensions: x509.Extensions,
                    problems: list[Finding]) -> None:
        bc = _ext(extensions, ExtensionOID.BASIC_CONSTRAINTS)
        if isinstance(bc, x509.BasicConstraints) and bc.ca:
            problems.append(_finding("DF-PKI-018", f"{_who(cert)} is a CA certificate, not a "
                                                   "signing certificate", 0))
        ku = _ext(extensions, ExtensionOID.KEY_USAGE)
        if isinstance(ku, x509.KeyUsage):
            if not (ku.digital_signature or ku.content_commitment):
                problems.append(_finding("DF-PKI-007", f"the key usage of {_who(cert)} allows "
                                         "neither digitalSignature nor nonRepudiation", 0))
        elif self.policy.require_key_usage:
            problems.append(_finding("DF-PKI-007", f"{_who(cert)} has no keyUsage extension",
                                     0))
        eku = _ext(extensions, ExtensionOID.EXTENDED_KEY_USAGE)
        if isinstance(eku, x509.ExtendedKeyUsage) and \
                not any(oid in self.policy.document_ekus for oid in eku):
            listed = ", ".join(_ext_name(oid) for oid in eku)
            problems.append(_finding("DF-PKI-008", f"the extended key usage of {_who(cert)} "
                                     f"({listed}) does not allow document signing", 0))

    @staticmethod
    def _check_ca(path: tuple[x509.Certificate, ...], i: int, extensions: x509.Extensions,
                  problems: list[Finding]) -> None:
        cert = path[i]
        bc = _ext(extensions, ExtensionOID.BASIC_CONSTRAINTS)
        if not (isinstance(bc, x509.BasicConstraints) and bc.ca):
            problems.append(_finding("DF-PKI-009", f"{_who(cert)} issued {_who(path[i - 1])} "
                                                   "but is not a CA", i))
            return
        ku = _ext(extensions, ExtensionOID.KEY_USAGE)
        if isinstance(ku, x509.KeyUsage) and not ku.key_cert_sign:
            problems.append(_finding("DF-PKI-010", f"the key usage of {_who(cert)} does not "
                                                   "allow keyCertSign", i))
        if bc.path_length is not None:
            # RFC 5280 §4.2.1.9: self-issued intermediates do not count.
            below = sum(1 for c in path[1:i] if c.subject != c.issuer)
            if below > bc.path_length:
                problems.append(_finding("DF-PKI-011", f"{_who(cert)} allows "
                                         f"{bc.path_length} CA(s) below it, the path has "
                                         f"{below}", i))

    def _check_revocation(self, cert: x509.Certificate, issuer: x509.Certificate, i: int,
                          window: _Window, problems: list[Finding]) -> None:
        bad: CrlInfo | None = None
        unsupported: CrlInfo | None = None
        for info in self.store.crls_of(cert.issuer):  # newest thisUpdate first
            if info.unsupported is not None:
                unsupported = unsupported or info
                continue
            if not self._crl_signed_by(info, issuer):
                bad = bad or info
                continue
            # The newest usable CRL decides; one issued after the time covers it, one issued
            # at or before it must still be in force.
            if not window.before(info.this_update) and info.next_update is not None and \
                    not window.not_after(info.next_update):
                problems.append(_finding("DF-PKI-015", f"the CRL of {_who(issuer)} in force "
                                         f"was due for update on "
                                         f"{info.next_update.isoformat()}", i))
            revoked_at = info.revoked.get(cert.serial_number)
            if revoked_at is not None and not window.before(revoked_at):
                code = "DF-PKI-005" if i == 0 else "DF-PKI-006"
                problems.append(_finding(code, f"{_who(cert)} was revoked on "
                                         f"{revoked_at.isoformat()}", i))
            return
        if bad is not None:
            problems.append(_finding("DF-PKI-016", f"the CRL of {_who(issuer)} dated "
                                     f"{bad.this_update.isoformat()} is not signed by its "
                                     "key, or the CA may not sign CRLs", i))
        elif unsupported is not None:
            problems.append(_finding("DF-PKI-020", f"the CRL of {_who(issuer)} has a "
                                     f"{unsupported.unsupported}", i))
        elif self.policy.revocation is RevocationCheck.REQUIRE:
            problems.append(_finding("DF-PKI-014", f"the trust store has no CRL of "
                                     f"{_who(issuer)}", i))

    def _crl_signed_by(self, info: CrlInfo, issuer: x509.Certificate) -> bool:
        key = (id(info), issuer)  # CrlInfo objects live as long as the store
        known = self._crl_ok.get(key)
        if known is None:
            known = False
            try:
                ku = issuer.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
                may_sign = not isinstance(ku, x509.KeyUsage) or ku.crl_sign
            except x509.ExtensionNotFound:
                may_sign = True
            except ValueError:
                may_sign = False
            if may_sign:
                try:
                    known = info.crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
                except (TypeError, ValueError, UnsupportedAlgorithm):
                    known = False
            self._crl_ok[key] = known
        return known


def _public_key_der(cert: x509.Certificate) -> bytes:
    """The DER SubjectPublicKeyInfo of ``cert``; for a key cryptography cannot load, the
    certificate's own fingerprint, so that it is never taken for another."""
    try:
        return cert.public_key().public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)
    except (ValueError, UnsupportedAlgorithm):
        return b"fingerprint:" + cert.fingerprint(hashes.SHA256())


def _verify_by_hand(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether ``issuer``'s key verifies ``cert``'s signature, whatever the hash."""
    try:
        key = issuer.public_key()
        digest = cert.signature_hash_algorithm
        params = cert.signature_algorithm_parameters
        if isinstance(key, rsa.RSAPublicKey) and digest is not None and \
                isinstance(params, padding.PKCS1v15 | padding.PSS):
            key.verify(cert.signature, cert.tbs_certificate_bytes, params, digest)
        elif isinstance(key, ec.EllipticCurvePublicKey) and isinstance(params, ec.ECDSA):
            key.verify(cert.signature, cert.tbs_certificate_bytes, params)
        elif isinstance(key, dsa.DSAPublicKey) and digest is not None:
            key.verify(cert.signature, cert.tbs_certificate_bytes, digest)
        else:
            return False
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


def _ext(extensions: x509.Extensions, oid: x509.ObjectIdentifier) -> x509.ExtensionType | None:
    try:
        return extensions.get_extension_for_oid(oid).value
    except x509.ExtensionNotFound:
        return None


def _ext_name(oid: x509.ObjectIdentifier) -> str:
    name = getattr(oid, "_name", None)
    return oid.dotted_string if not name or name == "Unknown OID" else name


def _who(cert: x509.Certificate) -> str:
    return f"'{readable_name(cert.subject)}' (serial {cert.serial_number:x})"


def _finding(code: str, message: str, index: int) -> Finding:
    # No location: the certificate's place is in the message (chain[0] is the signing
    # certificate), and the caller (the signature verifier) knows where the Signature stands.
    return Finding(code, f"chain[{index}]: {message}")

