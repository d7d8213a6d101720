"""Job 1: validate edXML messages — parse safely, check schema and rules, return a verdict.

``validate(source)`` gives one :class:`ValidationReport`; ``validate_paths(paths)`` walks files
and folders. Checks run in order over the parsed message (:mod:`docflow.validation.checks`), so
signature verification joins as one more check.
"""

from docflow.validation.config import ValidationConfig
from docflow.validation.engine import validate, validate_bytes, validate_paths
from docflow.validation.report import (
    REPORT_SCHEMA,
    SignatureResult,
    ValidationReport,
    ValidationSummary,
)

__all__ = ["REPORT_SCHEMA", "SignatureResult", "ValidationConfig", "ValidationReport",
           "ValidationSummary", "validate", "validate_bytes", "validate_paths"]
