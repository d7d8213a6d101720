"""docflow: simulate and check how Vietnam's government agencies exchange signed documents.

The public API is small on purpose: the jobs (``validate``, ``verify``, ``simulate``,
``audit``), their configuration and result types, the one :class:`Trust` they share, and
:class:`DocflowError`. Everything else is imported from its own module.

The jobs are imported on first use (PEP 562): the simulator pulls in numpy and compiled queue
kernels, which a ``docflow validate`` of one file should not wait for.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from docflow.errors import DocflowError
from docflow.trust import Trust

if TYPE_CHECKING:
    from docflow.audit import AuditConfig, AuditResult, audit
    from docflow.pdf.verify import PdfVerification
    from docflow.profile.edxml import MessageVerification
    from docflow.profile.verify import VerifyConfig, verify
    from docflow.runs import SimulationResult, simulate
    from docflow.sim.scenario import Scenario
    from docflow.validation import ValidationConfig, ValidationReport, validate

__all__ = ["AuditConfig", "AuditResult", "DocflowError", "MessageVerification",
           "PdfVerification", "Scenario", "SimulationResult", "Trust", "ValidationConfig",
           "ValidationReport", "VerifyConfig", "audit", "simulate", "validate", "verify"]
__version__ = "0.1.0"

_LAZY = {
    "AuditConfig": "docflow.audit", "AuditResult": "docflow.audit", "audit": "docflow.audit",
    "SimulationResult": "docflow.runs", "simulate": "docflow.runs",
    "Scenario": "docflow.sim.scenario",
    "ValidationConfig": "docflow.validation", "ValidationReport": "docflow.validation",
    "validate": "docflow.validation",
    "MessageVerification": "docflow.profile.edxml", "PdfVerification": "docflow.pdf.verify",
    "VerifyConfig": "docflow.profile.verify", "verify": "docflow.profile.verify",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'docflow' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


class _Package(types.ModuleType):
    """The package module, keeping its public functions bound to their names.

    Importing a subpackage binds it as an attribute of its parent, and ``docflow.audit`` is
    both a subpackage and the public ``audit`` function: without this, ``docflow.audit`` would
    turn into the module as soon as anything imported ``docflow.audit.engine``.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
