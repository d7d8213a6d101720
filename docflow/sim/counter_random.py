"""Counter-based random numbers: a uniform for (key, serial, stream), the same in any order.

The receiver's answers to a delivery (reject or not, how long each step takes) are drawn from the
delivery's serial number rather than from the run's generator, so they do not depend on the order
in which the engine happens to meet deliveries: the windowed engine and the event-by-event
oracle of the tests give every delivery the same answers. The mixer is SplitMix64 (Steele, Lea
and Flood, 2014), whose output passes BigCrush; it is a few integer operations per number, on
whole arrays.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from docflow.jit import njit

__all__ = ["key_base", "uniform", "uniforms"]


@njit(cache=True, inline="always")
def _mix(z: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def key_base(key: int) -> np.uint64:
    """The mixed key that :func:`uniform` takes (mixing it once per run, not per number)."""
    return np.uint64(_mix(np.uint64(key % (1 << 64))))


@njit(cache=True, inline="always")
def uniform(base: np.uint64, serial: int, stream: int) -> float:  # pragma: no cover
    """One uniform in [0, 1) for (key, serial, stream); ``base`` from :func:`key_base`."""
    x = np.uint64(serial) * np.uint64(16) + np.uint64(stream) + base
    z = _mix(_mix(x))
    return np.float64(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _uniforms(base: np.uint64, serial: npt.NDArray[np.int64],
              stream: int) -> npt.NDArray[np.float64]:  # pragma: no cover - compiled
    out = np.empty(len(serial), np.float64)
    for i in range(len(serial)):
        out[i] = uniform(base, serial[i], stream)
    return out


def uniforms(key: int, serial: npt.NDArray[np.integer], stream: int) -> npt.NDArray[np.float64]:
    """Uniforms in [0, 1), one per serial, for the given ``key`` and ``stream`` (0–15).

    >>> a = uniforms(7, np.arange(5), 0)
    >>> b = uniforms(7, np.array([3, 1]), 0)
    >>> bool(((a >= 0) & (a < 1)).all()), np.array_equal(a[[3, 1]], b)
    (True, True)
    >>> bool((uniforms(7, np.arange(5), 1) != a).all())
    True
    """
    return _uniforms(key_base(key), np.asarray(serial, np.int64), stream)
