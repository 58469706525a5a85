"""CuPy: one kernel for each of the hidden layer's lines, for any size.

- forward: Z1 = (W1 X) + b1, A1 = g(Z1): two passes over (n_h, m) arrays in the
  generic code, one kernel here. Where g' is written through A alone (tanh,
  sigmoid) Z1 is not kept: A1 is written over W1 X in place, so the line reads
  one (n_h, m) array and writes one.
- backward, with n_y = 1: dW2 = dZ2 A1^T, dZ1 = W2^T dZ2 * g'(Z1) and
  db1 = sum(dZ1, axis=1) are, per row i of A1, a dot product, an outer product
  times an elementwise derivative, and a row sum. One kernel does all three
  (``backprop_rows.cu``: a thread block per row), reading A1 once and writing
  dZ1 once; the generic code makes six passes (a GEMV, W2^T dZ2, A*A, 1 - ...,
  the product, the sum).

Passes count: at the large size one pass over a (1024, 60000) float32 array is
~170 µs of a ~5 ms step, beside GEMMs that cannot go faster. :func:`with_fused_backprop`
returns the activation with the kernels attached (``Activation.fused_forward``/
``fused_backprop``); the generic code calls them where present and runs its own
lines where the backward one returns None (n_y > 1, unusual layouts). Tested
against the generic lines.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

__all__ = ["with_fused_backprop", "elementwise_runner", "FusedBackprop"]

#: g(Z) in CUDA, with Z the pre-activation and s the leaky slope.
_FORWARD = {
    "tanh": "A = tanh(Z)",
    "sigmoid": "T e = exp(-fabs(Z)); T r = (T)1 / ((T)1 + e); A = Z >= 0 ? r : e * r",
    "relu": "A = Z > 0 ? Z : (T)0",
    "leaky_relu": "A = Z > 0 ? Z : s * Z",
    "linear": "A = Z",
}
#: Activations whose derivative the course writes through A alone: their Z is not kept.
_DERIVATIVE_FROM_A = {"tanh", "sigmoid"}
_ACT_CODES = {"tanh": 0, "sigmoid": 1, "relu": 2, "leaky_relu": 3, "linear": 4}
_BACKPROP_SOURCE = Path(__file__).with_name("backprop_rows.cu")
_THREADS = 256


class FusedBackprop(NamedTuple):
    """What the fused backward kernel returns for layer l (n_l = 1)."""

    dW: Any  # dZ A_prev^T: (1, n_{l-1}), not yet divided by m
    dZ_prev: Any  # W^T dZ * g'(Z_prev): (n_{l-1}, m)
    sum_dZ_prev: Any  # sum(dZ_prev, axis=1, keepdims=True): (n_{l-1}, 1), not yet divided by m


@lru_cache(maxsize=None)
def _forward_kernel(name: str, in_place: bool):
    import cupy

    if in_place:  # A holds W A_prev on entry
        return cupy.ElementwiseKernel("T b, T s", "T A", f"T Z = A + b; {_FORWARD[name]}", f"bnn_fw_inplace_{name}")
    return cupy.ElementwiseKernel("T P, T b, T s", "T Z, T A", f"Z = P + b; {_FORWARD[name]}", f"bnn_fw_{name}")


@lru_cache(maxsize=None)
def _backprop_kernel(ctype: str, name: str):
    import cupy

    header = f"typedef {ctype} T;\n#define ACT {_ACT_CODES[name]}\n"
    return cupy.RawKernel(header + _BACKPROP_SOURCE.read_text(), "backprop_rows")


def _c_layout(a: Any) -> bool:
    return a.flags.c_contiguous


def with_fused_backprop(g: Any) -> Any:
    """The activation ``g`` with the fused CuPy kernels for its forward and backward lines attached."""
    if g.name not in _FORWARD:
        return g
    slope = g.negative_slope or 0.0
    in_place = g.name in _DERIVATIVE_FROM_A

    def fused_forward(WA, b):
        s = np.dtype(WA.dtype).type(slope)
        if in_place:
            return None, _forward_kernel(g.name, True)(b, s, WA)
        return _forward_kernel(g.name, False)(WA, b, s)

    def fused_backprop(W, dZ, Z_prev, A_prev):
        import cupy

        if W.shape[0] != 1:  # a real matrix product: leave it to cuBLAS and the generic code
            return None
        Z_prev = A_prev if Z_prev is None else Z_prev  # the kernel reads Z only where g' needs it
        if not all(map(_c_layout, (W, dZ, Z_prev, A_prev))):
            return None
        n, m = A_prev.shape
        dt = A_prev.dtype
        ctype = {np.float64: "double", np.float32: "float"}[np.dtype(dt).type]
        dZ_prev = cupy.empty((n, m), dtype=dt)
        dW = cupy.empty((1, n), dtype=dt)
        sums = cupy.empty((n, 1), dtype=dt)
        _backprop_kernel(ctype, g.name)((n,), (_THREADS,), (
            W, dZ, Z_prev, A_prev, dZ_prev, dW, sums, np.int64(m), np.dtype(dt).type(slope)))
        return FusedBackprop(dW, dZ_prev, sums)

    return dataclasses.replace(g, fused_forward=fused_forward, fused_backprop=fused_backprop)


def elementwise_runner(parameters: dict, X: Any, Y: Any, *, g: Any, learning_rate: float, xp: Any):
    """The generic eager step, in place on buffers of its own, with the fused lines: for any size."""
    from ..training import train_step
    from . import step_by_step

    step = partial(train_step, X=X, Y=Y, g=with_fused_backprop(g), learning_rate=learning_rate, xp=xp, inplace=True)
    steps = step_by_step(partial(step, with_cost=True), partial(step, with_cost=False), xp.stack)
    own = {k: v.copy() for k, v in parameters.items()}  # the caller's arrays are never written

    def runner(params: dict, n_records: int, cost_every: int):
        if params is not own:
            for k, v in params.items():
                own[k][...] = v
        return steps(own, n_records, cost_every)

    return runner
