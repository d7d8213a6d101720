"""The auditor: verify every envelope of an archive and report signing coverage.

:func:`audit` takes an archive, a folder, a zip or a tar and returns an :class:`AuditResult`:
coverage by level, agency, document type and month, counted with the same
:mod:`docflow.metrics.coverage` code as the simulator, with 95% Wilson intervals and the agencies
and levels below a target.
"""

from docflow.audit.config import AuditConfig
from docflow.audit.engine import audit
from docflow.audit.result import AuditResult
from docflow.audit.signatures import SignatureChecker
from docflow.trust import Trust

__all__ = ["AuditConfig", "AuditResult", "SignatureChecker", "Trust", "audit"]
