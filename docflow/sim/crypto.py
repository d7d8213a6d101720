"""The crypto seam: turn planned documents into what a verifier finds about their signatures.

A :class:`CryptoMode` receives :class:`DocumentRecords` — the documents chosen for it (every
document in ``model`` and ``real`` mode, a uniform sample of N in ``sample`` mode) with their
signing plan — and returns per-document :class:`Outcomes`: organ and signer signature present
and valid, and the finding code that made a present signature invalid. Those outcomes are counted
by :mod:`docflow.metrics.coverage`, the same code the audit uses.

:class:`ModelCrypto` derives outcomes from the plan without making any XML: a signature the
plan makes is present; it is valid unless the document was altered in transit (``DF-SIG-011``,
a digest that no longer matches) or the sender's certificate had expired (``DF-PKI-003``) or was
revoked (``DF-PKI-005``). When several apply, the first in that order is the reason, which is
the order a verifier checks in (digests before certificates).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from docflow.progress import Progress
from docflow.sim.signing import CertState, SignedDocuments

__all__ = ["REASON_EXPIRED", "REASON_REVOKED", "REASON_TAMPERED", "CryptoMode",
           "DocumentRecords", "ModelCrypto", "Outcomes"]

REASON_TAMPERED = "DF-SIG-011"
REASON_EXPIRED = "DF-PKI-003"
REASON_REVOKED = "DF-PKI-005"

B = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class DocumentRecords:
    """Documents handed to a crypto mode: enough to build each one as a real envelope.

    Per document: ``serial`` (unique in the run, stable for a seed), ``day``, ``send_us``,
    ``doc_type`` (index into the scenario's type shares), ``priority``, ``size_kb`` and the
    signing ``plan``; recipients are ``receiver[first[i]:first[i + 1]]``.
    """

    serial: npt.NDArray[np.int64]
    send_us: npt.NDArray[np.int64]
    doc_type: npt.NDArray[np.int8]
    priority: npt.NDArray[np.int8]
    size_kb: npt.NDArray[np.int32]
    plan: SignedDocuments
    first: npt.NDArray[np.int64]
    receiver: npt.NDArray[np.int32]

    def __len__(self) -> int:
        return len(self.serial)

    def take(self, index: npt.NDArray[np.intp]) -> DocumentRecords:
        """The documents at ``index``, with their recipients."""
        counts = np.diff(self.first)[index]
        first = np.zeros(len(index) + 1, np.int64)
        np.cumsum(counts, out=first[1:])
        rows = np.concatenate([np.arange(self.first[i], self.first[i + 1]) for i in index]) \
            if len(index) else np.zeros(0, np.int64)
        return DocumentRecords(self.serial[index], self.send_us[index], self.doc_type[index],
                               self.priority[index], self.size_kb[index],
                               self.plan.take(index), first, self.receiver[rows])

    @classmethod
    def concat(cls, parts: list[DocumentRecords]) -> DocumentRecords:
        parts = [p for p in parts if len(p)]
        if not parts:
            return _EMPTY
        first = [parts[0].first]
        for p in parts[1:]:
            first.append(p.first[1:] + first[-1][-1])
        def cat(objs: list[Any], name: str) -> Any:
            return np.concatenate([getattr(o, name) for o in objs])

        plans = [p.plan for p in parts]
        plan = SignedDocuments(cat(plans, "sender"), cat(plans, "organ_signs"),
                               cat(plans, "signer_signs"), cat(plans, "tampered"),
                               cat(plans, "cert"))
        return cls(cat(parts, "serial"), cat(parts, "send_us"), cat(parts, "doc_type"),
                   cat(parts, "priority"), cat(parts, "size_kb"), plan, np.concatenate(first),
                   cat(parts, "receiver"))


_EMPTY = DocumentRecords(
    np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int8), np.zeros(0, np.int8),
    np.zeros(0, np.int32),
    SignedDocuments(np.zeros(0, np.int32), np.zeros(0, bool), np.zeros(0, bool),
                    np.zeros(0, bool), np.zeros(0, np.int8)),
    np.zeros(1, np.int64), np.zeros(0, np.int32))


@dataclass(frozen=True, slots=True)
class Outcomes:
    """What verification found, one element per document."""

    organ_present: B
    organ_valid: B
    signer_present: B
    signer_valid: B
    reason: npt.NDArray[np.str_] | list[tuple[str, ...]]
    """Per document, the finding code that made a present signature invalid (``""`` if none),
    or the tuple of all such codes (what real verification reports)."""


class CryptoMode(abc.ABC):
    """Decides signature outcomes for the documents a run hands it."""

    mode: str
    """The mode as a scenario writes it (``model``, ``sample:N``, ``real``)."""
    samples: int | None
    """Documents to sample over the whole run, or ``None`` to be handed every document."""

    @abc.abstractmethod
    def outcomes(self, documents: DocumentRecords,
                 progress: Progress | None = None) -> Outcomes:
        """Outcomes of ``documents``, in their order; a mode that does real work for them
        reports it to ``progress`` (``"signing"``, ``"archiving"``)."""

    def close(self, aborted: bool = False) -> None:  # noqa: B027 - optional hook
        """Release what the mode holds (worker processes, the archive).

        ``aborted`` (an error or Ctrl-C ended the run) stops workers at once rather than
        letting them finish tasks whose results nobody will read.
        """


class ModelCrypto(CryptoMode):
    """Outcomes drawn from the plan, no XML (see the module docstring).

    >>> plan = SignedDocuments(np.zeros(3, np.int32), np.array([1, 1, 0], bool),
    ...                        np.array([1, 0, 0], bool), np.array([0, 1, 0], bool),
    ...                        np.zeros(3, np.int8))
    >>> recs = DocumentRecords(np.arange(3), np.zeros(3, np.int64), np.zeros(3, np.int8),
    ...                        np.zeros(3, np.int8), np.ones(3, np.int32), plan,
    ...                        np.arange(4), np.zeros(3, np.int32))
    >>> out = ModelCrypto().outcomes(recs)
    >>> out.organ_valid.tolist(), out.reason.tolist()
    ([True, False, False], ['', 'DF-SIG-011', ''])
    """

    mode = "model"
    samples = None

    def outcomes(self, documents: DocumentRecords,
                 progress: Progress | None = None) -> Outcomes:
        return model_outcomes(documents.plan)  # instant: nothing worth a progress line


def model_outcomes(plan: SignedDocuments) -> Outcomes:
    """Outcomes implied by a signing plan (used by the model and as the expected result)."""
    ok = ~plan.tampered & (plan.cert == CertState.VALID)
    organ_valid = plan.organ_signs & ok
    signer_valid = plan.signer_signs & ok
    present = plan.organ_signs | plan.signer_signs
    reason = np.full(len(ok), "", dtype="<U10")
    reason[present & (plan.cert == CertState.REVOKED)] = REASON_REVOKED
    reason[present & (plan.cert == CertState.EXPIRED)] = REASON_EXPIRED
    reason[present & plan.tampered] = REASON_TAMPERED
    return Outcomes(plan.organ_signs.copy(), organ_valid, plan.signer_signs.copy(), signer_valid,
                    reason)
