"""Progress of a long job, phase by phase: the one callback every job reports through.

A job (a simulation, an archive import, an audit, a sweep, a load run, a calibration) calls
``progress(phase, done, total)`` as it moves. ``phase`` names what it does, in words a user
reads (``"simulating 7 days + drain"``, ``"signing"``, ``"importing"``, ``"verifying"``);
``done`` counts the units of that phase finished so far; ``total`` is the number planned, or
``None`` when it is not known in advance (the entries of a folder before it is read). A new
phase begins when the name changes; a phase may lower its total once it knows better (a
simulation whose queues drain before the planned drain days end).

One shape for every job, so that the command line draws them all with one renderer
(:mod:`docflow.cli.progress`) and a Python caller logs them with one function.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Progress", "counted"]

Progress = Callable[[str, int, "int | None"], None]
"""Called with (phase, units done in that phase, units planned or ``None``)."""


def counted(progress: Progress | None, phase: str,
            total: int | None = None) -> Callable[[int], None] | None:
    """A callback that takes increments (``n`` more done) and reports running totals.

    For loops that know how much they just did, not how much is done: the import's batches,
    the PKI's chunks of agencies. ``None`` in, ``None`` out, so that a job without a progress
    callback does no work for one.

    Examples
    --------
    >>> seen = []
    >>> step = counted(lambda *a: seen.append(a), "importing")
    >>> step(3); step(2)
    >>> seen
    [('importing', 3, None), ('importing', 5, None)]
    """
    if progress is None:
        return None
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        progress(phase, done, total)

    return step
