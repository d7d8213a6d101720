"""The JSON outputs' identities: one schema id per layout, the docflow version, the rounding.

Every JSON document docflow writes for tools — ``summary.json``, the audit's JSON, the
validation JSON — starts with the same two fields, ``schema`` (which layout, and which version
of it) and ``docflow_version`` (which docflow wrote it), so that a reader can refuse what it does
not know instead of misreading it. Each layout has a JSON Schema (draft 2020-12) shipped in the
package, ``docflow/schemas/<name>.schema.json``, whose ``$id`` is the same id; the tests validate
real outputs against them.

Rates (shares and their 95% intervals) are rounded to :data:`RATE_DIGITS` decimals in every
output, so the same counts give the same bytes and a reader never sees float noise.
"""

from __future__ import annotations

import enum
import json
import math
from importlib import resources
from typing import Any

from docflow import __version__

__all__ = ["RATE_DIGITS", "OutputSchema", "header", "rate"]

RATE_DIGITS = 6
"""Decimals of every rate and interval bound: a millionth, far below any interval's width."""


class OutputSchema(enum.StrEnum):
    """The layouts docflow writes; the value is the ``schema`` field and the schema's ``$id``.

    The number after the slash is bumped when a field changes meaning or goes away; adding a
    field does not bump it.
    """

    SIMULATION = "docflow.simulation/1"
    """``summary.json``, written by ``docflow simulate``."""
    AUDIT = "docflow.audit/1"
    """``docflow audit --format json``."""
    VALIDATION = "docflow.validation/1"
    """``docflow validate --format json``."""
    SWEEP = "docflow.sweep/1"
    """``sweep.json``, written by ``docflow sweep``."""
    LOAD = "docflow.load/1"
    """``summary.json`` of ``docflow load``: a live axis measured (its model is
    :class:`docflow.axis.load_output.LoadSummary`)."""

    @property
    def file(self) -> str:
        """The schema's file name in ``docflow/schemas/``, e.g. ``simulation.schema.json``."""
        return f"{self.value.split('.')[1].split('/')[0]}.schema.json"

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of this layout, as shipped in the package.

        >>> OutputSchema.AUDIT.json_schema()["$id"]
        'docflow.audit/1'
        """
        data = resources.files("docflow").joinpath("schemas", self.file).read_bytes()
        schema: dict[str, Any] = json.loads(data)
        return schema


def header(schema: OutputSchema) -> dict[str, str]:
    """The first two fields of an output: its layout and the docflow that wrote it.

    >>> header(OutputSchema.VALIDATION)["schema"]
    'docflow.validation/1'
    """
    return {"schema": schema.value, "docflow_version": __version__}


def rate(x: float | None) -> float | None:
    """A rate rounded to :data:`RATE_DIGITS` decimals (``None`` and non-finite give ``None``).

    >>> rate(2 / 3)
    0.666667
    """
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), RATE_DIGITS)
