"""The typed model of ``sweep.json`` (``docflow.sweep/1``), shared by its writer and readers.

:func:`docflow.dist.sweep.sweep` builds a :class:`SweepSummary` (the bands and the tornado
come from :mod:`docflow.dist.sweep_stats` as :class:`Band` and :class:`TornadoBar`) and writes
its :meth:`~docflow.jsonmodel.JsonModel.to_json`; ``sweep.html``
(:mod:`docflow.report.sweep`) reads the file back with
:meth:`~docflow.jsonmodel.JsonModel.from_json`. The JSON Schema is
``docflow/schemas/sweep.schema.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from docflow.jsonmodel import JsonModel, key
from docflow.outputs import OutputSchema

__all__ = ["Band", "SweepRun", "SweepScenario", "SweepSummary", "TornadoBar", "TornadoEnd",
           "Variant"]


@dataclass(frozen=True, slots=True)
class Band:
    """One prediction over a set of runs: how many had a value, their mean, 5th and 95th
    percentile (linear interpolation), min and max, rounded to 6 decimals; ``None`` when
    no run had a value."""

    n: int
    mean: float | None
    p5: float | None
    p95: float | None
    low: float | None = field(metadata=key("min"))
    """The smallest value (``min`` in the file)."""
    high: float | None = field(metadata=key("max"))
    """The largest value (``max`` in the file)."""


@dataclass(frozen=True, slots=True)
class TornadoEnd:
    """One end of a tornado bar: a value of the varied key, and the prediction's mean at it."""

    value: Any
    """The key's value, as TOML gives it (a number, a string, a boolean)."""
    mean: float


@dataclass(frozen=True, slots=True)
class TornadoBar:
    """How far one varied key moves one prediction's mean: from its lowest to its highest."""

    key: str
    low: TornadoEnd
    high: TornadoEnd
    swing: float


@dataclass(frozen=True, slots=True)
class SweepScenario:
    name: str
    source: str
    """The scenario file as given, or ``<built-in default>``."""
    crypto: str
    """The crypto mode of every run."""


@dataclass(frozen=True, slots=True)
class Variant:
    """One combination of the varied keys' values, and its bands over the seeds."""

    variant: int
    values: dict[str, Any]
    bands: dict[str, Band]


@dataclass(frozen=True, slots=True)
class SweepRun:
    """One simulation of the sweep: which variant and seed, and what it predicted."""

    index: int
    variant: int
    seed: int
    values: dict[str, Any]
    summary_sha256: str
    """SHA-256 of the run's summary.json bytes, as ``docflow simulate`` writes them."""
    metrics: dict[str, float | None]


@dataclass(frozen=True, slots=True)
class SweepSummary(JsonModel):
    """``sweep.json``: every run's predictions, bands per variant and overall, the tornado.

    Examples
    --------
    >>> b = Band(2, 1.5, 1.05, 1.95, 1.0, 2.0)
    >>> SweepScenario("s", "<built-in default>", "model") is not None, b.low
    (True, 1.0)
    """

    SCHEMA: ClassVar[OutputSchema] = OutputSchema.SWEEP

    schema: str
    docflow_version: str
    scenario: SweepScenario
    seeds: tuple[int, ...]
    vary: dict[str, tuple[Any, ...]]
    """Dotted scenario key → the values it took."""
    predictions: tuple[str, ...]
    """Every prediction name, sorted."""
    variants: tuple[Variant, ...]
    overall: dict[str, Band]
    tornado: dict[str, tuple[TornadoBar, ...]]
    """Prediction name → varied keys, largest swing first."""
    runs: tuple[SweepRun, ...]
