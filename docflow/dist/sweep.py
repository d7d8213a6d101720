"""``docflow sweep``: one scenario over many seeds and varied assumptions, on any executor.

Every combination of the ``--vary`` values, times every seed, is one independent simulation:
exactly what ``docflow simulate`` gives for the scenario with those keys set and that seed
(each run records the SHA-256 of its ``summary.json`` bytes, so that can be checked). The
client reads the scenario once and sends its bytes with each task, so workers need no shared
file system; each sends back only its predictions (:mod:`docflow.dist.sweep_stats`).
``sweep.json`` holds every run and, per variant and overall, the mean and 5th–95th percentile
band of each prediction, and the tornado: which varied key moves each prediction most. It
depends on nothing but the inputs: the same bytes on one process, a local pool or a cluster.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from docflow.atomic import write_atomic
from docflow.dist.executor import Executor, InProcess, open_executor
from docflow.dist.sweep_model import Band, SweepRun, SweepScenario, SweepSummary, Variant
from docflow.dist.sweep_stats import Metrics, band, run_metrics, tornado
from docflow.errors import InputError, Location, UsageError
from docflow.progress import Progress
from docflow.sim.run import configure, run_engine
from docflow.sim.scenario_file import scenario_from_document
from docflow.sim.setup import prepare

__all__ = ["SWEEP_FILE", "SweepResult", "Variation", "parse_seeds", "run_point", "sweep"]

SWEEP_FILE = "sweep.json"
_MAX_RUNS = 100_000
_SEEDS = re.compile(r"([0-9]{1,18})(?:-([0-9]{1,18}))?")


@dataclass(frozen=True, slots=True)
class Variation:
    """One ``--vary KEY=V1,V2,...``: a dotted scenario key and the values it takes.

    Examples
    --------
    >>> Variation.parse("hubs.workers=1,2,4")
    Variation(key='hubs.workers', values=(1, 2, 4))
    >>> Variation.parse("crypto.mode=model").values
    ('model',)
    """

    key: str
    values: tuple[Any, ...]

    @classmethod
    def parse(cls, text: str) -> Variation:
        """Read ``KEY=V1,V2,...``; each value is read as TOML (``2``, ``0.5``, ``true``) or
        else taken as a string.

        Raises
        ------
        UsageError
            ``DF-DIST-004`` without ``=``, with an empty key or value, or a repeated value.
        """
        key, sep, rest = text.partition("=")
        key = key.strip()
        parts = [p.strip() for p in rest.split(",")]
        if not sep or not re.fullmatch(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*", key) or \
                not all(parts):
            raise UsageError("DF-DIST-004", f"{text!r} is not KEY=V1,V2,... (a dotted "
                             "scenario key such as hubs.workers)", Location(key="--vary"))
        values = tuple(_value(p) for p in parts)
        if len(set(map(repr, values))) != len(values):
            raise UsageError("DF-DIST-004", f"{text!r} repeats a value", Location(key="--vary"))
        return cls(key, values)


def _value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_seeds(text: str) -> tuple[int, ...]:
    """Seeds from ``N``, ``N-M`` (inclusive) or a comma-separated list of those.

    Examples
    --------
    >>> parse_seeds("1-3,7")
    (1, 2, 3, 7)

    Raises
    ------
    UsageError
        ``DF-DIST-004`` for anything else, a range that runs backwards, a repeated seed, or
        more than 100,000 seeds.
    """
    seeds: list[int] = []
    for part in text.split(","):
        m = _SEEDS.fullmatch(part.strip())
        if m is None or (m.group(2) is not None and int(m.group(2)) < int(m.group(1))):
            raise UsageError("DF-DIST-004", f"{text!r} is not N, N-M or a list of those",
                             Location(key="--seeds"))
        low = int(m.group(1))
        high = int(m.group(2)) if m.group(2) is not None else low
        if len(seeds) + high - low + 1 > _MAX_RUNS:
            raise UsageError("DF-DIST-004", f"more than {_MAX_RUNS} seeds",
                             Location(key="--seeds"))
        seeds.extend(range(low, high + 1))
    if len(set(seeds)) != len(seeds):
        raise UsageError("DF-DIST-004", f"{text!r} names a seed twice", Location(key="--seeds"))
    return tuple(seeds)


def _with(doc: dict[str, Any], overrides: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """A copy of the parsed TOML with each dotted key set (tables made as needed)."""
    out = copy.deepcopy(doc)
    for key, value in overrides:
        table = out
        *path, last = key.split(".")
        for part in path:
            nxt = table.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise UsageError("DF-DIST-004", f"{part!r} in {key!r} is not a table of the "
                                 "scenario", Location(key="--vary"))
            table = nxt
        table[last] = value
    return out


def _document(source: bytes, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(source.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        # The checked parser gives the error with its code and line.
        from docflow.sim.scenario_file import parse_scenario

        parse_scenario(source, file)
        raise


def run_point(source: bytes, file: str, overrides: tuple[tuple[str, Any], ...], seed: int,
              crypto: str | None, index: int) -> tuple[int, str, Metrics]:
    """The task the executor runs: one simulation, as ``docflow simulate`` would run it.

    Returns the run's index (results come back in completion order), the SHA-256 of its
    ``summary.json`` bytes, and its predictions.
    """
    scenario = scenario_from_document(_with(_document(source, file), overrides), file)
    # What docflow.simulate does with no output folder (the run folder is the only
    # difference, and its summary.json is these bytes). Sample and real crypto sign in this
    # worker: the sweep's runs are what spreads over the cores, and a pool or cluster worker
    # may not start processes of its own.
    chosen = configure(scenario, seed=seed, crypto=crypto)
    result = run_engine(chosen, prepare(chosen), None, executor=InProcess())
    digest = hashlib.sha256(result.to_json()).hexdigest()
    return index, digest, run_metrics(result.summary)


@dataclass(frozen=True, eq=False)
class SweepResult:
    """What a sweep wrote: ``sweep.json``'s model and the folder."""

    summary: SweepSummary
    out: Path

    def to_json(self) -> bytes:
        """The bytes of ``sweep.json``."""
        return self.summary.to_json()


def _read_source(scenario: str | os.PathLike[str] | None) -> tuple[bytes, str]:
    if scenario is None:
        data = resources.files("docflow.sim").joinpath("scenarios/default.toml").read_bytes()
        return data, "<built-in default>"
    try:
        return Path(scenario).read_bytes(), str(scenario)
    except OSError as exc:
        raise InputError("DF-IO-001", f"cannot read the scenario: {exc.strerror or exc}",
                         Location(file=str(scenario))) from None


def sweep(scenario: str | os.PathLike[str] | None, out: str | os.PathLike[str], *,
          seeds: Sequence[int], vary: Sequence[Variation] = (), crypto: str | None = None,
          scheduler: str | None = None, jobs: int | None = None,
          executor: Executor | None = None,
          progress: Progress | None = None) -> SweepResult:
    """Run ``scenario`` for every seed and every combination of ``vary``; write sweep.json.

    Parameters
    ----------
    scenario
        A TOML scenario file, or ``None`` for the built-in default week.
    out
        The folder for ``sweep.json`` (created if missing).
    seeds
        The seeds of every combination (:func:`parse_seeds`).
    vary
        Keys to vary; their values' product makes the variants.
    crypto
        Override the crypto mode of every run (``model`` for speed).
    scheduler, jobs
        Where runs go (:func:`docflow.dist.executor.open_executor`), unless ``executor``
        is given.
    progress
        Called with ``("runs", runs done, runs planned)`` after each run
        (:mod:`docflow.progress`).

    Returns
    -------
    SweepResult

    Raises
    ------
    UsageError
        ``DF-DIST-004`` for no seed, a key varied twice or too many runs, ``DF-DIST-001``
        for a bad scheduler.
    ConfigError
        A variant that is not a valid scenario (``DF-SCN`` codes naming the key), found
        before any run starts.
    InputError
        An unreadable scenario, an unwritable ``out`` (``DF-IO``), a cluster that failed
        (``DF-DIST-002``/``-003``).
    """
    if not seeds:
        raise UsageError("DF-DIST-004", "no seed to run", Location(key="--seeds"))
    keys = [v.key for v in vary]
    if len(set(keys)) != len(keys):
        raise UsageError("DF-DIST-004", "a key is varied twice", Location(key="--vary"))
    source, file = _read_source(scenario)
    doc = _document(source, file)
    variants = [tuple(zip(keys, combo, strict=True))
                for combo in itertools.product(*(v.values for v in vary))]
    if len(variants) * len(seeds) > _MAX_RUNS:
        raise UsageError("DF-DIST-004", f"{len(variants) * len(seeds)} runs is more than "
                         f"{_MAX_RUNS}", Location(key="--vary"))
    base = None
    for overrides in variants:  # every variant is checked before the first run
        base = scenario_from_document(_with(doc, overrides), file)
    assert base is not None
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError("DF-IO-004", f"cannot create the output folder: "
                         f"{exc.strerror or exc}", Location(file=str(folder))) from None
    points = [(v, overrides, seed) for v, overrides in enumerate(variants) for seed in seeds]
    tasks = ((source, file, overrides, seed, crypto, i)
             for i, (_, overrides, seed) in enumerate(points))
    results: dict[int, tuple[str, Metrics]] = {}
    owned = executor is None
    runner = executor or open_executor(scheduler, jobs, tasks=len(points))
    if progress is not None:  # the line shows before the first run ends
        progress("runs", 0, len(points))
    try:
        for index, digest, metrics in runner.map_unordered(run_point, tasks):
            results[index] = (digest, metrics)
            if progress is not None:
                progress("runs", len(results), len(points))
    finally:
        if owned:
            runner.close()
    summary = _assemble(base.name, file, crypto or base.crypto.mode, seeds, vary, variants,
                        points, results)
    result = SweepResult(summary, folder)
    write_atomic(folder / SWEEP_FILE, result.to_json())
    return result


def _assemble(name: str, file: str, crypto: str, seeds: Sequence[int],
              vary: Sequence[Variation], variants: Sequence[tuple[tuple[str, Any], ...]],
              points: Sequence[tuple[int, tuple[tuple[str, Any], ...], int]],
              results: Mapping[int, tuple[str, Metrics]]) -> SweepSummary:
    runs: list[SweepRun] = []
    for i, (v, overrides, seed) in enumerate(points):
        digest, metrics = results[i]
        runs.append(SweepRun(i, v, seed, dict(overrides), digest, metrics))
    names = sorted({n for r in runs for n in r.metrics})

    def bands(members: Sequence[SweepRun]) -> dict[str, Band]:
        return {n: band([r.metrics.get(n) for r in members]) for n in names}

    return SweepSummary(
        **SweepSummary.header(),
        scenario=SweepScenario(name, file, crypto),
        seeds=tuple(seeds),
        vary={v.key: tuple(v.values) for v in vary},
        predictions=tuple(names),
        variants=tuple(Variant(v, dict(overrides), bands([r for r in runs if r.variant == v]))
                       for v, overrides in enumerate(variants)),
        overall=bands(runs),
        tornado=tornado([(r.values, r.metrics) for r in runs], [v.key for v in vary]),
        runs=tuple(runs),
    )
