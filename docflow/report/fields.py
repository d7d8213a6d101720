"""The reports' typed reads: :class:`docflow.fields.Fields`, kept importable here.

The reader moved down to :mod:`docflow.fields` so that the output models below the report
layer (the load output's, :mod:`docflow.axis.load_output`) read their JSON with the same
errors (``DF-REP-002`` and the dotted key) as the reports do.
"""

from docflow.fields import Fields

__all__ = ["Fields"]
