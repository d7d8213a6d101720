"""Scratch arrays that the compiled passes reuse from window to window.

Every window sorts and serves millions of messages through arrays that live for one rank of
one window. Allocated afresh each time, they cost more than the work done in them: the C
allocator hands large blocks back to the system when they are freed, and the next window's
blocks arrive as new pages that the kernel must map and zero one fault at a time (arrays made
inside compiled code do not even get huge pages). A :class:`Workspace` keeps one buffer per
purpose, allocated by numpy and grown when a window needs more, and hands out views of it.

A view is valid until the same name is asked for again; one workspace belongs to one thread
(the engine keeps one for the document lanes and one for the status lanes).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Workspace"]

_GROWTH = 1.25
"""A buffer that is too small is replaced by one this much larger than the size asked for, so
that a window a little larger than the last does not reallocate."""


class Workspace:
    """Named scratch buffers; :meth:`array` returns an uninitialised view of the shape asked.

    >>> w = Workspace()
    >>> a = w.array("time", 10, np.int64)
    >>> b = w.array("time", (3, 2), np.int64)  # the same memory, reshaped
    >>> a.shape, b.shape, np.shares_memory(a, b)
    ((10,), (3, 2), True)
    """

    def __init__(self) -> None:
        self._buffers: dict[str, npt.NDArray[Any]] = {}

    def array(self, name: str, shape: int | tuple[int, ...],
              dtype: type[np.generic] | np.dtype[Any]) -> npt.NDArray[Any]:
        """A C-contiguous array of ``shape`` and ``dtype`` backed by the buffer ``name``."""
        dims = (shape,) if isinstance(shape, int) else shape
        dt = np.dtype(dtype)
        size = int(np.prod(dims, dtype=np.int64)) * dt.itemsize
        buffer = self._buffers.get(name)
        if buffer is None or len(buffer) < size:
            buffer = np.empty(max(int(size * _GROWTH), 64), np.uint8)  # malloc: 16-byte aligned
            self._buffers[name] = buffer
        return buffer[:size].view(dt).reshape(dims)

    @property
    def nbytes(self) -> int:
        """Bytes held by all buffers."""
        return sum(b.nbytes for b in self._buffers.values())
