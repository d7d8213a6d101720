"""Signature coverage: per-document outcomes counted by a key, with 95% Wilson intervals.

The simulator (from drawn or real outcomes) and the audit (from the signatures in an archive)
count coverage with this one module, so that an audit of a simulated archive reproduces the
simulation's per-level figures exactly: both feed the same per-document outcomes into the same
counter and read the same rates back.

What is counted
---------------
Each document has two signature *roles* (Decree 30/2020's order of signing): the **signer**, the
competent person who signs the content, and the **organ**, the agency that signs the whole
message after numbering it. For each role a document is

* **present** when a signature of that role is in the document (whether or not it verifies;
  a legacy QCVN ``Signature`` counts as present for the organ role);
* **valid** when it is present *and* verified valid under the policy and trust store in force
  (digests, signature value, certificate path to a trust anchor at the signing time, key usage,
  revocation). Valid therefore implies present; an outcome that claims valid but not present is
  refused with ``ValueError``. A legacy signature is never valid.

``both_present`` counts documents where both roles are present, ``both_valid`` documents where
both roles are present and valid. Every rate is over **all documents of the group** (not over the
signed ones), so ``organ_valid / documents`` answers "what share of documents carries a valid
organ signature".

``reasons`` counts, per finding code, the *documents* whose invalid signature(s) gave that code:
a code is counted at most once per document even when both roles fail with it, so the reasons of a
group never exceed its number of documents per code (they may add up to more than the number of
invalid documents, since one document can fail for several reasons).

Counting is vectorised (:meth:`CoverageTable.add_arrays` uses ``numpy.bincount`` over whole
arrays), tables merge with ``+`` so partial results from worker processes add up, and
:meth:`CoverageTable.to_dict` gives a stable, sorted, JSON-ready dict that
:meth:`CoverageTable.from_dict` reads back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from docflow.metrics.intervals import wilson
from docflow.outputs import rate

__all__ = ["COUNT_FIELDS", "RATE_FIELDS", "CoverageCounts", "CoverageTable", "DocumentOutcome"]

#: The integer counters of a group, in the order they are written.
COUNT_FIELDS: tuple[str, ...] = ("documents", "organ_present", "signer_present", "both_present",
                                 "organ_valid", "signer_valid", "both_valid")

#: The counters that have a rate (each over ``documents``).
RATE_FIELDS: tuple[str, ...] = COUNT_FIELDS[1:]


@dataclass(frozen=True, slots=True)
class DocumentOutcome:
    """What the signatures of one document came to; the unit both engines count.

    Examples
    --------
    >>> DocumentOutcome(organ_present=True, organ_valid=True).organ_valid
    True
    >>> DocumentOutcome(organ_valid=True)
    Traceback (most recent call last):
    ValueError: organ signature cannot be valid without being present
    """

    organ_present: bool = False
    organ_valid: bool = False
    signer_present: bool = False
    signer_valid: bool = False
    reasons: tuple[str, ...] = ()
    """Finding codes that made a present signature invalid (empty when all present are valid)."""
    organ_source: str = field(default="", repr=False, compare=False)
    """Where the organ's signatures are: ``xml`` (the envelope), ``pdf`` (a PDF attachment),
    ``both``, or ``""`` when absent. Said by the audit; not part of equality, so the
    simulator's outcomes (which know only XML) still compare with the audit's."""
    signer_source: str = field(default="", repr=False, compare=False)
    """As :attr:`organ_source`, for the person's signatures."""

    def __post_init__(self) -> None:
        if self.organ_valid and not self.organ_present:
            raise ValueError("organ signature cannot be valid without being present")
        if self.signer_valid and not self.signer_present:
            raise ValueError("signer signature cannot be valid without being present")


@dataclass(slots=True)
class CoverageCounts:
    """The counters of one group; add two with ``+``."""

    documents: int = 0
    organ_present: int = 0
    signer_present: int = 0
    both_present: int = 0
    organ_valid: int = 0
    signer_valid: int = 0
    both_valid: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def __add__(self, other: CoverageCounts) -> CoverageCounts:
        reasons = dict(self.reasons)
        for code, n in other.reasons.items():
            reasons[code] = reasons.get(code, 0) + n
        out = CoverageCounts(reasons=reasons)
        for name in COUNT_FIELDS:
            setattr(out, name, getattr(self, name) + getattr(other, name))
        return out

    def rate(self, name: str) -> float | None:
        """The share of documents counted by ``name``; ``None`` for an empty group."""
        if name not in RATE_FIELDS:
            raise KeyError(f"{name!r} has no rate; one of {', '.join(RATE_FIELDS)}")
        return getattr(self, name) / self.documents if self.documents else None

    def interval(self, name: str) -> tuple[float, float]:
        """The 95% Wilson interval of :meth:`rate` (``(0, 1)`` for an empty group)."""
        self.rate(name)  # checks the name
        return wilson(getattr(self, name), self.documents)

    def to_dict(self) -> dict[str, Any]:
        """Counters, reasons sorted by code, and ``rates`` with their intervals.

        >>> c = CoverageCounts(documents=4, organ_present=4, organ_valid=3,
        ...                    reasons={"DF-SIG-001": 1})
        >>> d = c.to_dict()
        >>> d["organ_valid"], d["rates"]["organ_valid"]["rate"], d["reasons"]
        (3, 0.75, {'DF-SIG-001': 1})
        """
        out: dict[str, Any] = {f: getattr(self, f) for f in COUNT_FIELDS}
        out["reasons"] = {code: self.reasons[code] for code in sorted(self.reasons)}
        rates: dict[str, dict[str, float | None]] = {}
        for name in RATE_FIELDS:
            low, high = self.interval(name)
            rates[name] = {"rate": rate(self.rate(name)), "low": rate(low), "high": rate(high)}
        out["rates"] = rates
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CoverageCounts:
        """Read the counters written by :meth:`to_dict` (rates are derived, so ignored)."""
        counts = cls(reasons={str(k): int(v) for k, v in data.get("reasons", {}).items()})
        for name in COUNT_FIELDS:
            setattr(counts, name, int(data[name]))
        counts.check()
        return counts

    def check(self) -> None:
        """Raise ``ValueError`` if the counters contradict each other (e.g. valid > present)."""
        for role in ("organ", "signer", "both"):
            valid, present = getattr(self, f"{role}_valid"), getattr(self, f"{role}_present")
            if not 0 <= valid <= present <= self.documents:
                raise ValueError(f"{role}: need 0 <= valid ({valid}) <= present ({present}) "
                                 f"<= documents ({self.documents})")
        if self.both_present > min(self.organ_present, self.signer_present) or \
                self.both_valid > min(self.organ_valid, self.signer_valid):
            raise ValueError("both_* cannot exceed either role's count")
        for code, n in self.reasons.items():
            if not 0 < n <= self.documents:
                raise ValueError(f"reason {code}: {n} documents out of {self.documents}")


def _as_bool(values: npt.ArrayLike, n: int, name: str) -> npt.NDArray[np.bool_]:
    array = np.asarray(values, dtype=bool)
    if array.shape != (n,):
        raise ValueError(f"{name} has shape {array.shape}, expected ({n},)")
    return array


class CoverageTable:
    """Coverage counters grouped by a string key (a level, an organ code, a type, a month).

    Keys are strings so that the table serialises the same way in every process and run. Add one
    document with :meth:`add`, whole arrays with :meth:`add_arrays`, and partial tables with
    ``+``.

    Examples
    --------
    >>> t = CoverageTable()
    >>> t.add("province", DocumentOutcome(organ_present=True, organ_valid=True))
    >>> t.add("province", DocumentOutcome(organ_present=True, reasons=("DF-SIG-001",)))
    >>> t.add("commune", DocumentOutcome())
    >>> t["province"].organ_valid, t["province"].reasons, t.total().documents
    (1, {'DF-SIG-001': 1}, 3)
    """

    __slots__ = ("_groups",)

    def __init__(self, groups: Mapping[str, CoverageCounts] | None = None) -> None:
        self._groups: dict[str, CoverageCounts] = {}
        for key, counts in (groups or {}).items():
            self._groups[str(key)] = counts + CoverageCounts()  # a copy

    # -- reading -----------------------------------------------------------------------------
    def __getitem__(self, key: str) -> CoverageCounts:
        return self._groups[key]

    def __contains__(self, key: object) -> bool:
        return key in self._groups

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._groups))

    def __len__(self) -> int:
        return len(self._groups)

    def items(self) -> Iterator[tuple[str, CoverageCounts]]:
        """Groups in key order."""
        for key in sorted(self._groups):
            yield key, self._groups[key]

    def total(self) -> CoverageCounts:
        """All groups added together."""
        out = CoverageCounts()
        for _, counts in self.items():
            out = out + counts
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CoverageTable):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"CoverageTable({len(self)} groups, {self.total().documents} documents)"

    # -- counting ----------------------------------------------------------------------------
    def _group(self, key: str) -> CoverageCounts:
        counts = self._groups.get(key)
        if counts is None:
            counts = self._groups[key] = CoverageCounts()
        return counts

    def add(self, key: str, outcome: DocumentOutcome) -> None:
        """Count one document under ``key``."""
        c = self._group(str(key))
        c.documents += 1
        c.organ_present += outcome.organ_present
        c.signer_present += outcome.signer_present
        c.both_present += outcome.organ_present and outcome.signer_present
        c.organ_valid += outcome.organ_valid
        c.signer_valid += outcome.signer_valid
        c.both_valid += outcome.organ_valid and outcome.signer_valid
        for code in set(outcome.reasons):
            c.reasons[code] = c.reasons.get(code, 0) + 1

    def add_arrays(self, keys: npt.ArrayLike, *, organ_present: npt.ArrayLike,
                   organ_valid: npt.ArrayLike, signer_present: npt.ArrayLike,
                   signer_valid: npt.ArrayLike,
                   reasons: Sequence[str | Sequence[str]] | npt.NDArray[Any] | None = None,
                   labels: Sequence[str] | None = None) -> None:
        """Count many documents at once, one array element per document.

        Parameters
        ----------
        keys
            The group of each document: strings, or integer indices into ``labels``.
        organ_present, organ_valid, signer_present, signer_valid
            Boolean arrays of the same length; valid must imply present.
        reasons
            Per document, the finding codes that made a signature invalid: a string array
            (``""`` for none; counted without a Python loop) or a sequence whose items are a code,
            ``""`` or a sequence of codes.
        labels
            When given, ``keys`` are integer indices into it. This is the fast path for the
            simulator, whose levels are small integers: no sort of strings is needed.

        Examples
        --------
        >>> t = CoverageTable()
        >>> t.add_arrays([0, 0, 1], labels=["central", "commune"],
        ...              organ_present=[1, 1, 0], organ_valid=[1, 0, 0],
        ...              signer_present=[1, 0, 0], signer_valid=[1, 0, 0],
        ...              reasons=["", "DF-SIG-001", ""])
        >>> t["central"].both_valid, t["central"].reasons, t["commune"].documents
        (1, {'DF-SIG-001': 1}, 1)
        """
        key_array = np.asarray(keys)
        if key_array.ndim != 1:
            raise ValueError(f"keys must be one-dimensional, not of shape {key_array.shape}")
        n = key_array.shape[0]
        op = _as_bool(organ_present, n, "organ_present")
        ov = _as_bool(organ_valid, n, "organ_valid")
        sp = _as_bool(signer_present, n, "signer_present")
        sv = _as_bool(signer_valid, n, "signer_valid")
        if np.any(ov & ~op) or np.any(sv & ~sp):
            raise ValueError("a signature cannot be valid without being present")
        if reasons is not None and len(reasons) != n:
            raise ValueError(f"reasons has {len(reasons)} items, expected {n}")
        if labels is not None:
            names = [str(label) for label in labels]
            index = key_array.astype(np.intp, copy=False)
            if n and (index.min() < 0 or index.max() >= len(names)):
                raise ValueError("a key index lies outside labels")
        else:
            uniq, index = np.unique(key_array, return_inverse=True)
            names = [str(u) for u in uniq.tolist()]
        m = len(names)
        # One bincount per counter: integer counts, no float weights, no Python loop.
        columns = {
            "documents": np.bincount(index, minlength=m),
            "organ_present": np.bincount(index[op], minlength=m),
            "signer_present": np.bincount(index[sp], minlength=m),
            "both_present": np.bincount(index[op & sp], minlength=m),
            "organ_valid": np.bincount(index[ov], minlength=m),
            "signer_valid": np.bincount(index[sv], minlength=m),
            "both_valid": np.bincount(index[ov & sv], minlength=m),
        }
        for j in np.flatnonzero(columns["documents"]):
            c = self._group(names[j])
            for name, column in columns.items():
                setattr(c, name, getattr(c, name) + int(column[j]))
        if reasons is not None:
            self._add_reasons(index, names, reasons, n)

    def _add_reasons(self, index: npt.NDArray[np.intp], names: list[str],
                     reasons: Sequence[str | Sequence[str]] | npt.NDArray[Any], n: int) -> None:
        if isinstance(reasons, np.ndarray) and reasons.dtype.kind in "UO" and reasons.ndim == 1:
            codes = reasons.astype(str)
            has = codes != ""
            if not has.any():
                return
            # Count (group, code) pairs with one unique over a combined integer key.
            code_uniq, code_index = np.unique(codes[has], return_inverse=True)
            pair = index[has].astype(np.int64) * len(code_uniq) + code_index
            pairs, counts = np.unique(pair, return_counts=True)
            for p, k in zip(pairs.tolist(), counts.tolist(), strict=True):
                g, ci = divmod(p, len(code_uniq))
                r = self._group(names[g]).reasons
                code = str(code_uniq[ci])
                r[code] = r.get(code, 0) + k
            return
        for i, item in enumerate(reasons):
            if not item:
                continue
            item_codes: Iterable[str] = {item} if isinstance(item, str) else set(item)
            r = self._group(names[int(index[i])]).reasons
            for code in item_codes:
                if code:
                    r[code] = r.get(code, 0) + 1

    # -- combining and serialising -----------------------------------------------------------
    def __add__(self, other: CoverageTable) -> CoverageTable:
        out = CoverageTable(self._groups)
        out += other
        return out

    def __iadd__(self, other: CoverageTable) -> CoverageTable:
        for key, counts in other._groups.items():
            self._groups[key] = self._group(key) + counts
        return self

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """``{key: counts.to_dict()}`` with keys sorted: the same bytes for the same counts.

        >>> t = CoverageTable()
        >>> t.add("b", DocumentOutcome()); t.add("a", DocumentOutcome())
        >>> list(t.to_dict())
        ['a', 'b']
        """
        return {key: counts.to_dict() for key, counts in self.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, Any]]) -> CoverageTable:
        """Read back what :meth:`to_dict` wrote; contradictory counters raise ``ValueError``."""
        return cls({str(key): CoverageCounts.from_dict(value) for key, value in data.items()})

