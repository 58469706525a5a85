"""CuPy: one fused elementwise kernel for each of the hidden layer's lines.

- forward: Z1 = (W1 X) + b1, A1 = g(Z1): two passes over (n_h, m) arrays in the
  generic code, one kernel with two outputs here.
- backward: dZ1 = W2^T dZ2 * g'(Z1) is, with n_y = 1, an outer product times an
  elementwise derivative: four passes in the generic code (W2^T dZ2; A*A; 1 - ...;
  the product), one here (read A1 or Z1, write dZ1).

CuPy's elementwise kernels run at about half the memory bandwidth PyTorch's reach
on an H100 (benchmarks/results/gpu-profile-large.log), so passes count.
:func:`with_fused_backprop` returns the activation with the kernels attached
(``Activation.fused_forward``/``fused_backprop``); the generic code calls them
where present and falls back where the backward one returns None (n_y > 1).
Tested against the generic form.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache, partial
from typing import Any

import numpy as np

__all__ = ["with_fused_backprop", "elementwise_runner"]


_FORWARD = {
    "tanh": "A = tanh(Z)",
    "sigmoid": "T e = exp(-fabs(Z)); T r = (T)1 / ((T)1 + e); A = Z >= 0 ? r : e * r",
    "relu": "A = Z > 0 ? Z : (T)0",
    "leaky_relu": "A = Z > 0 ? Z : s * Z",
    "linear": "A = Z",
}


@lru_cache(maxsize=None)
def _forward_kernels():
    import cupy

    return {name: cupy.ElementwiseKernel("T P, T b, T s", "T Z, T A", f"Z = P + b; {body}", f"bnn_fw_{name}")
            for name, body in _FORWARD.items()}


@lru_cache(maxsize=None)
def _kernels():
    import cupy

    return {
        "tanh": cupy.ElementwiseKernel("T w, T d, T Z, T A, T s", "T dZ", "dZ = w * d * (1 - A * A)", "bnn_bp_tanh"),
        "sigmoid": cupy.ElementwiseKernel("T w, T d, T Z, T A, T s", "T dZ", "dZ = w * d * A * (1 - A)", "bnn_bp_sigmoid"),
        "relu": cupy.ElementwiseKernel("T w, T d, T Z, T A, T s", "T dZ", "dZ = Z >= 0 ? w * d : (T)0", "bnn_bp_relu"),
        "leaky_relu": cupy.ElementwiseKernel("T w, T d, T Z, T A, T s", "T dZ", "dZ = Z >= 0 ? w * d : s * w * d",
                                             "bnn_bp_leaky_relu"),
        "linear": cupy.ElementwiseKernel("T w, T d, T Z, T A, T s", "T dZ", "dZ = w * d", "bnn_bp_linear"),
    }


def with_fused_backprop(g: Any) -> Any:
    """The activation ``g`` with a fused CuPy kernel for dZ = W^T dZ_next * g'(Z) attached."""
    kernels = _kernels()
    if g.name not in kernels:
        return g
    kernel, forward_kernel = kernels[g.name], _forward_kernels()[g.name]
    slope = g.negative_slope or 0.0

    def fused_forward(WA, b):
        return forward_kernel(WA, b, np.dtype(WA.dtype).type(slope))

    def fused(WT, dZ_next, Z, A):
        if WT.shape[1] != 1:  # a real matrix product: leave it to cuBLAS and the generic code
            return None
        return kernel(WT, dZ_next, Z, A, np.dtype(Z.dtype).type(slope))

    return dataclasses.replace(g, fused_forward=fused_forward, fused_backprop=fused)


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
