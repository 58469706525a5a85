"""CuPy: the generic step captured once into a CUDA graph and replayed.

A step is then one graph launch instead of ~45 kernel launches from Python.
CuPy refuses to record cuBLAS calls in a capture ("calling cuBLAS API during
stream capture is currently unsupported"), so inside the graph the namespace's
``matmul`` is a broadcast-multiply-and-sum (elementwise and reduction kernels,
which capture fine). That costs n_l * n_{l-1} * m temporaries, so the graph
path is for the small, launch-bound networks it exists for (up to
:data:`GRAPH_MAX_ELEMENTS`).
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

#: Largest n_l * n_{l-1} * m for which the CuPy graph path is used.
GRAPH_MAX_ELEMENTS = 2**22


def graph_runner(parameters: dict, X: Any, Y: Any, *, g: Any, learning_rate: float, xp: Any):
    """A runner replaying the captured step, or None when the network is too large for it."""
    from ..training import train_step

    m = X.shape[1]
    largest = max(W.shape[0] * W.shape[1] * m for k, W in parameters.items() if k.startswith("W"))
    if largest > GRAPH_MAX_ELEMENTS:
        return None
    step = partial(train_step, g=g, learning_rate=learning_rate, xp=_CaptureSafeNamespace(xp))
    return _CupyGraphRunner(step, parameters, X, Y, xp=xp)


class _CaptureSafeNamespace:
    """``xp`` with a matmul that CuPy can record in a CUDA graph (no cuBLAS).

    matmul(a, b)[i, j] = sum_k a[i, k] b[k, j], as one broadcast product and one
    reduction over k. Everything else is ``xp`` itself.
    """

    def __init__(self, xp: Any) -> None:
        self._xp = xp

    def __getattr__(self, name: str) -> Any:
        return getattr(self._xp, name)

    def matmul(self, a: Any, b: Any) -> Any:
        return self._xp.sum(a[:, :, None] * b[None, :, :], axis=1)


class _CupyGraphRunner:
    """The in-place step captured into CUDA graphs (with and without the cost), replayed.

    The temporaries of the step come from a private memory pool that lives as
    long as the graphs, so their addresses, baked into the graphs, are never
    handed to anything else. One eager step under that pool before capturing
    compiles the kernels and fills the pool, so capture itself allocates
    nothing. Work runs on a private stream; the caller's stream waits on it
    through an event, never through a host sync.
    """

    def __init__(self, step: Callable, parameters: dict, X: Any, Y: Any, *, xp: Any) -> None:
        import cupy

        self.xp, self.dtype = xp, X.dtype
        self.params = {k: v.copy() for k, v in parameters.items()}  # the graphs own these buffers
        self.pool = cupy.cuda.MemoryPool()
        self.stream = cupy.cuda.Stream(non_blocking=True)
        self.graphs: dict[bool, Any] = {}
        self.costs: dict[bool, Any] = {}
        self.stream.wait_event(cupy.cuda.get_current_stream().record())
        with cupy.cuda.using_allocator(self.pool.malloc), self.stream:
            for with_cost in (True, False):
                scratch = {k: v.copy() for k, v in self.params.items()}
                step(scratch, X, Y, inplace=True, with_cost=with_cost)  # warm-up
                self.stream.synchronize()
                self.stream.begin_capture()
                _, self.costs[with_cost] = step(self.params, X, Y, inplace=True, with_cost=with_cost)
                self.graphs[with_cost] = self.stream.end_capture()
            self.stream.synchronize()

    def __call__(self, current: dict, n_records: int, cost_every: int) -> tuple[dict, Any]:
        import cupy

        caller = cupy.cuda.get_current_stream()
        self.stream.wait_event(caller.record())
        with self.stream:
            if current is not self.params:  # first call: load the starting point into the graphs' buffers
                for k, v in current.items():
                    self.params[k][...] = v
            costs = self.xp.empty((n_records,), dtype=self.dtype)
            for r in range(n_records):
                self.graphs[True].launch(self.stream)
                costs[r] = self.costs[True]
                for _ in range(cost_every - 1):
                    self.graphs[False].launch(self.stream)
        caller.wait_event(self.stream.record())
        return self.params, costs
