"""Scratch buffers: views of the size asked for, reused, and grown when a window needs more."""

from __future__ import annotations

import numpy as np

from docflow.sim.workspace import Workspace


def test_views_reuse_one_buffer_until_it_must_grow() -> None:
    """A name gives views of one buffer while it is large enough, and a larger buffer (with
    room to spare) when it is not; different names never share memory."""
    w = Workspace()
    a = w.array("x", 1000, np.int64)
    b = w.array("x", (10, 50), np.int64)
    assert b.shape == (10, 50) and b.flags.c_contiguous and np.shares_memory(a, b)
    c = w.array("y", 1000, np.int8)
    assert not np.shares_memory(a, c)
    held = w.nbytes
    d = w.array("x", 2000, np.int64)
    assert not np.shares_memory(a, d) and w.nbytes > held
    assert np.shares_memory(w.array("x", 2400, np.int64), d)  # the 25% spare room


def test_views_have_the_dtype_and_alignment_of_a_fresh_array() -> None:
    """Views of a byte buffer are usable as int64 and float arrays (aligned, writable)."""
    w = Workspace()
    for dtype in (np.int64, np.float64, np.int8, np.uint64):
        v = w.array("z", 333, dtype)
        v[:] = 7
        assert v.dtype == dtype and v.flags.aligned and v.flags.writeable
        assert v.sum() == 7 * 333
