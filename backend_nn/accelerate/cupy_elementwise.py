"""CuPy: one kernel for each of the hidden layer's lines, for any size (``hidden_lines.cu``).

- forward: Z1 = (W1 X) + b1, A1 = g(Z1): two passes over (n_h, m) arrays in the
  generic code, one kernel here. Where g' is written through A alone (tanh,
  sigmoid) Z1 is not kept: A1 is written over W1 X in place, so the line reads
  one (n_h, m) array and writes one.
- backward, with n_y = 1: dW2 = dZ2 A1^T, dZ1 = W2^T dZ2 * g'(Z1) and
  db1 = sum(dZ1, axis=1) are, per row i of A1, a dot product, an outer product
  times an elementwise derivative, and a row sum. One kernel does all three
  (a thread block per row), reading A1 once and writing dZ1 once; the generic
  code makes six passes (a GEMV, W2^T dZ2, A*A, 1 - ..., the product, the sum).

Passes count: at the large size one pass over a (1024, 60000) float32 array is
~85 µs of a ~5 ms step, beside GEMMs that cannot go faster. :func:`with_fused_backprop`
returns the activation with the kernels attached (``Activation.fused_forward``/
``fused_backprop``); the generic code calls them where present and runs its own
lines where the backward one returns None (n_y > 1, unusual layouts). Tested
against the generic lines.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Any

import numpy as np

from ..activations import DERIVATIVE_FROM_A, FusedBackprop
from ._cuda import ACT_CODES, cuda_source

__all__ = ["with_fused_backprop", "elementwise_runner"]

_THREADS = 256
_UNROLL = 4  # elements each thread has in flight per pass (UNROLL in hidden_lines.cu)


@lru_cache(maxsize=None)
def _kernels(dtype: str, name: str) -> tuple[Any, Any]:
    """(forward_rows, backprop_rows) compiled for one dtype and activation."""
    import cupy

    module = cupy.RawModule(code=cuda_source("hidden_lines.cu", dtype, name, UNROLL=_UNROLL))
    return module.get_function("forward_rows"), module.get_function("backprop_rows")


@lru_cache(maxsize=None)
def _multiprocessors(device: int) -> int:
    import cupy

    return int(cupy.cuda.Device(device).attributes["MultiProcessorCount"])


def _column_blocks(n: int, m: int) -> int:
    """Column blocks per row for the backward kernel: enough blocks in all to fill every SM
    about four times over (one per row leaves an H100 idle at n_h = 4, m = 10^6)."""
    import cupy

    wanted = -(-4 * _multiprocessors(cupy.cuda.Device().id) // n)
    return max(1, min(wanted, -(-m // (_THREADS * _UNROLL))))


def _c_layout(a: Any) -> bool:
    return a.flags.c_contiguous


def with_fused_backprop(g: Any) -> Any:
    """The activation ``g`` with the fused CuPy kernels for its forward and backward lines attached."""
    if g.name not in ACT_CODES:
        return g
    import cupy  # once here, not in every step's call

    slope = g.negative_slope or 0.0
    keep_Z = g.name not in DERIVATIVE_FROM_A

    def fused_forward(WA, b):
        if not (_c_layout(WA) and _c_layout(b)):
            WA, b = cupy.ascontiguousarray(WA), cupy.ascontiguousarray(b)
        n, m = WA.shape
        if n > 65535:  # more rows than a grid has: the generic line
            Z = WA + b
            return Z, g(Z, xp=cupy)
        A = cupy.empty_like(WA) if keep_Z else WA  # Z is written over W A_prev, or A is
        blocks_x = min(-(-m // (_THREADS * _UNROLL)), 2**16)
        _kernels(str(WA.dtype), g.name)[0]((blocks_x, n), (_THREADS,), (
            WA, b, WA, A, np.int64(m), np.int32(keep_Z), np.dtype(WA.dtype).type(slope)))
        return (WA if keep_Z else None), A

    def fused_backprop(W, dZ, Z_prev, A_prev):
        if W.shape[0] != 1:  # a real matrix product: leave it to cuBLAS and the generic code
            return None
        Z_prev = A_prev if Z_prev is None else Z_prev  # the kernel reads Z only where g' needs it
        if not all(map(_c_layout, (W, dZ, Z_prev, A_prev))):
            return None
        n, m = A_prev.shape
        if n > 65535:  # more rows than a grid has
            return None
        dt = A_prev.dtype
        dZ_prev = cupy.empty((n, m), dtype=dt)
        blocks_x = _column_blocks(n, m)
        partial = cupy.empty((2, blocks_x, n), dtype=dt)  # partial sums of dW and db, per column block
        _kernels(str(dt), g.name)[1]((blocks_x, n), (_THREADS,), (
            W, dZ, Z_prev, A_prev, dZ_prev, partial[0], partial[1], np.int64(m), np.dtype(dt).type(slope)))
        sums = partial[:, 0] if blocks_x == 1 else cupy.sum(partial, axis=1)  # (2, n)
        return FusedBackprop(sums[0][None, :], dZ_prev, sums[1][:, None])

    return dataclasses.replace(g, fused_forward=fused_forward, fused_backprop=fused_backprop)


def elementwise_runner(parameters: dict, X: Any, Y: Any, *, g: Any, learning_rate: float, xp: Any):
    """The generic eager step, in place on buffers of its own, with the fused lines: for any size."""
    from . import hooked_runner

    return hooked_runner(parameters, X, Y, g=with_fused_backprop(g), learning_rate=learning_rate, xp=xp)
