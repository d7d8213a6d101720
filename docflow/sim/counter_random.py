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

__all__ = ["uniforms"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(z: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    with np.errstate(over="ignore"):
        z = z + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def uniforms(key: int, serial: npt.NDArray[np.integer], stream: int) -> npt.NDArray[np.float64]:
    """Uniforms in [0, 1), one per serial, for the given ``key`` and ``stream`` (0–15).

    >>> a = uniforms(7, np.arange(5), 0)
    >>> b = uniforms(7, np.array([3, 1]), 0)
    >>> bool(((a >= 0) & (a < 1)).all()), np.array_equal(a[[3, 1]], b)
    (True, True)
    >>> bool((uniforms(7, np.arange(5), 1) != a).all())
    True
    """
    base = _mix(np.array([key], np.uint64))[0]
    with np.errstate(over="ignore"):
        x = np.asarray(serial).astype(np.uint64) * np.uint64(16) + np.uint64(stream) + base
    z = _mix(_mix(x))
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))
