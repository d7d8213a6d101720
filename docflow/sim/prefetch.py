"""Cache prefetch hints for compiled loops that touch arrays at scattered positions.

The lane passes read and write each message of a window at the position a sort gave it, which
is random in a batch of tens of megabytes: every access misses the caches (and, on a virtual
machine, the page tables as well). The out-of-order core overlaps only a few such misses while
the loop does other work; asking for a line some iterations ahead keeps many in flight.

A hint never changes a result: it only brings a cache line in early.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy.typing as npt
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["AHEAD", "prefetch", "prefetch_write"]

AHEAD = 16
"""How many iterations ahead a loop asks for its line: enough to cover a miss to memory at a
few nanoseconds per iteration, few enough that the lines are still cached when used."""

_I8P = ir.IntType(8).as_pointer()
_I32 = ir.IntType(32)
_PREFETCH = ir.FunctionType(ir.VoidType(), [_I8P, _I32, _I32, _I32])


def _codegen(write: int) -> Any:
    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        address = builder.bitcast(builder.gep(ary.data, [args[1]]), _I8P)
        fn = cgutils.get_or_insert_function(builder.module, _PREFETCH, "llvm.prefetch.p0i8")
        # (address, read 0 / write 1, locality 3: keep in every cache level, data cache 1)
        builder.call(fn, [address, ir.Constant(_I32, write), ir.Constant(_I32, 3),
                          ir.Constant(_I32, 1)])
        return context.get_dummy_value()

    return codegen


@intrinsic
def _prefetch(typingctx: Any, array: types.Type, index: types.Type) -> Any:
    if not isinstance(array, types.Array) or not isinstance(index, types.Integer):
        return None
    return types.void(array, index), _codegen(0)


@intrinsic
def _prefetch_write(typingctx: Any, array: types.Type, index: types.Type) -> Any:
    if not isinstance(array, types.Array) or not isinstance(index, types.Integer):
        return None
    return types.void(array, index), _codegen(1)


Hint = Callable[[npt.NDArray[Any], int], None]

prefetch = cast(Hint, _prefetch)
"""``prefetch(array, i)`` in compiled code: element ``i`` of ``array`` (counted in elements from
the start of its data, in C order) will be read soon."""

prefetch_write = cast(Hint, _prefetch_write)
"""``prefetch_write(array, i)``: element ``i`` of ``array`` will be written soon."""
