"""docflow: simulate and check how Vietnam's government agencies exchange signed documents.

The public API is small on purpose: the three jobs (``validate``, ``simulate``, ``audit``), their
configuration and result types, and :class:`DocflowError`. Everything else is imported from its
own module.
"""

from docflow.audit import AuditConfig, AuditResult, audit
from docflow.errors import DocflowError
from docflow.sim.run import SimulationResult, simulate
from docflow.sim.scenario import Scenario
from docflow.validation import ValidationConfig, ValidationReport, validate

__all__ = ["AuditConfig", "AuditResult", "DocflowError", "Scenario", "SimulationResult",
           "ValidationConfig", "ValidationReport", "audit", "simulate", "validate"]
__version__ = "0.1.0"
