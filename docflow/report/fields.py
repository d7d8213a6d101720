"""Typed reads of a parsed JSON document: :class:`docflow.fields.Fields`, kept importable here.

The reader moved to the shared ground (:mod:`docflow.fields`) so that the output models below
the report layer (the audit's, :mod:`docflow.audit.output`) read with it too.
"""

from docflow.fields import Fields

__all__ = ["Fields"]
