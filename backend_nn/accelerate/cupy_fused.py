"""CuPy: the small shallow network's whole training chunk as one fused CUDA kernel.

An optional fast path beside the generic code, for the launch-bound sizes where
~45 kernel launches per step (~0.7 ms from Python, ~60 µs as a CUDA graph) dwarf
the arithmetic. ``shallow_step.cu`` (beside this file) holds the kernel and the
equations it fuses; the parity tests compare it with the generic step, per
activation and dtype. It applies to L = 2, n_y = 1 and networks small enough that
one thread's gradient accumulators fit in registers (:data:`MAX_ACCUMULATORS`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ..network import Network
from ..step import Runner
from . import Declined
from ._cuda import cuda_source, slope

__all__ = ["fused_runner", "MAX_ACCUMULATORS", "MAX_M"]

#: n_h * n_x + 2 n_h + 2 gradient/cost accumulators per thread, at most.
MAX_ACCUMULATORS = 64
#: One thread block does the work: beyond this many examples, per dtype, the CUDA graph of the
#: generic step (all SMs busy) is faster. H100, n_x = 2, n_h = 4: float64 fused 45.9 µs vs graph
#: 74.0 at m = 1e4, 376 vs 143 at 1e5; float32 10.0 vs 74.0 at 1e4, 79.6 vs 145 at 1e5.
MAX_M = {"float64": 2**14, "float32": 2**17}


@lru_cache(maxsize=32)
def _kernel(device: int, dtype: str, n_x: int, n_h: int, activation: str):
    import cupy

    # the device is part of the key: a kernel compiled for one GPU is not handed to another
    return cupy.RawKernel(cuda_source("shallow_step.cu", dtype, activation, NX=n_x, NH=n_h), "shallow_train")


def fused_runner(parameters: dict, X: Any, Y: Any, *, net: Network, learning_rate: float, xp: Any,
                 mean_in_dZ: bool = False) -> Runner:
    """A runner for the fused kernel; what it takes is declared in accelerate.FAST_PATHS
    (two layers, one sigmoid unit, :data:`MAX_ACCUMULATORS`, :data:`MAX_M`). The kernel takes the
    1/m of weeks 3 and 4, in each dW and db; it declines ``mean_in_dZ`` (course 2's order)."""
    if mean_in_dZ:
        raise Declined("takes the mean in dW and db (weeks 3 and 4), not in dZ_L (course 2's init_utils, opt_utils)")
    return _FusedRunner(parameters, X, Y, g=net.hidden[0], learning_rate=learning_rate, xp=xp)


class _FusedRunner:
    def __init__(self, parameters: dict, X: Any, Y: Any, *, g: Any, learning_rate: float, xp: Any) -> None:
        import cupy

        self.xp = xp
        self.dtype = X.dtype
        self.np_dtype = np.dtype(X.dtype).type
        n_h, n_x = (int(s) for s in parameters["W1"].shape)
        self.kernel = _kernel(cupy.cuda.Device().id, str(np.dtype(X.dtype)), n_x, n_h, g.name)
        self.X = cupy.ascontiguousarray(X)
        self.Y = cupy.ascontiguousarray(Y)
        self.m = int(X.shape[1])
        self.lr = self.np_dtype(learning_rate)
        self.slope = slope(g, X.dtype)
        self.params = {k: cupy.ascontiguousarray(v).copy() for k, v in parameters.items()}
        limit = self.kernel.max_threads_per_block  # set by the kernel's register use
        self.threads = max(32, min(limit // 32 * 32, -(-self.m // 32) * 32))

    def __call__(self, current: dict, n_records: int, cost_every: int) -> tuple[dict, Any]:
        if current is not self.params:  # first call: load the starting point
            for k, v in current.items():
                self.params[k][...] = v
        costs = self.xp.empty((n_records,), dtype=self.dtype)
        p = self.params
        self.kernel((1,), (self.threads,), (
            self.X, self.Y, p["W1"], p["b1"], p["W2"], p["b2"], costs,
            np.int32(self.m), self.lr, np.int32(n_records), np.int32(cost_every), self.slope,
        ))
        return self.params, costs
