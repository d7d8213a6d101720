"""Who signs what, and what goes wrong with it: the plan that every crypto mode carries out.

The plan is drawn the same way whatever the crypto mode, so a ``model`` run and a ``sample`` run
of one scenario and seed move exactly the same documents: per document, whether the organ and the
signer sign (the level's adoption rates; never for an agency listed in ``never_sign``) and
whether it is altered in transit; per agency, once per run, whether its certificates are valid,
expired or revoked. The crypto mode then decides what the verifier finds
(:mod:`docflow.sim.crypto`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from docflow.sim.scenario import FaultSpec, Scenario, SigningSpec
from docflow.topology.arrays import LEVEL_ORDER, TopologyArrays

__all__ = ["CertState", "SignedDocuments", "SigningPlan"]

_CERT_STREAM = 0x5167
"""Second word of the certificate-state generator's seed (any constant other runs don't use)."""


class CertState(enum.IntEnum):
    """State of an agency's certificates during the run."""

    VALID = 0
    EXPIRED = 1
    REVOKED = 2


@dataclass(frozen=True, slots=True)
class SignedDocuments:
    """What the plan decided for a batch of documents (arrays, one element per document)."""

    sender: npt.NDArray[np.int32]
    organ_signs: npt.NDArray[np.bool_]
    signer_signs: npt.NDArray[np.bool_]
    tampered: npt.NDArray[np.bool_]
    cert: npt.NDArray[np.int8]
    """:class:`CertState` of the sender's certificates."""

    def take(self, index: npt.NDArray[np.intp]) -> SignedDocuments:
        return SignedDocuments(self.sender[index], self.organ_signs[index],
                               self.signer_signs[index], self.tampered[index], self.cert[index])


class SigningPlan:
    """Draws :class:`SignedDocuments`; built once per run (certificate states are per agency).

    Examples
    --------
    >>> from docflow.topology import build_preset
    >>> arrays = build_preset("tiny").arrays()
    >>> plan = SigningPlan(SigningSpec(), FaultSpec(never_sign=(arrays.codes[0],)), arrays,
    ...                    np.random.default_rng(0))
    >>> docs = plan.draw(np.zeros(100, np.int32), np.random.default_rng(1))
    >>> bool(docs.organ_signs.any() or docs.signer_signs.any())
    False
    """

    @classmethod
    def for_scenario(cls, scenario: Scenario, arrays: TopologyArrays) -> SigningPlan:
        """The plan of a run: certificate states from a generator of their own, derived from
        the seed, so that the crypto mode can issue the same bad certificates before the run."""
        return cls(scenario.signing, scenario.faults, arrays,
                   np.random.default_rng([scenario.seed, _CERT_STREAM]))

    def __init__(self, signing: SigningSpec, faults: FaultSpec, arrays: TopologyArrays,
                 rng: np.random.Generator) -> None:
        self.organ_rate = np.array([signing.adoption(lv).organ for lv in LEVEL_ORDER])
        self.signer_rate = np.array([signing.adoption(lv).signer for lv in LEVEL_ORDER])
        self.tamper_rate = faults.tamper_rate
        self.level = arrays.level
        never = np.zeros(arrays.n_agencies, bool)
        index = {code: i for i, code in enumerate(arrays.codes)}
        for code in faults.never_sign:
            never[index[code]] = True
        self.never = never
        u = rng.random(arrays.n_agencies)
        cert = np.zeros(arrays.n_agencies, np.int8)
        cert[u < faults.expired_cert_share] = CertState.EXPIRED
        revoked = (u >= faults.expired_cert_share) & \
            (u < faults.expired_cert_share + faults.revoked_cert_share)
        cert[revoked] = CertState.REVOKED
        self.cert = cert

    def draw(self, sender: npt.NDArray[np.int32], rng: np.random.Generator) -> SignedDocuments:
        """The plan for documents sent by ``sender`` (three uniforms per document)."""
        n = len(sender)
        u = rng.random((3, n))
        level = self.level[sender]
        signs = ~self.never[sender]
        return SignedDocuments(
            sender=sender,
            organ_signs=(u[0] < self.organ_rate[level]) & signs,
            signer_signs=(u[1] < self.signer_rate[level]) & signs,
            tampered=u[2] < self.tamper_rate,
            cert=self.cert[sender])
