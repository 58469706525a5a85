"""Optional compiled paths, beside the generic eager loop.

Each one hands the *same* pure step (:func:`backend_nn.training.train_step`,
built from the one set of equations) to the backend's own compiler; none
writes the equations again. The parity tests compare each with the eager
path.

- JAX: the whole chunk of iterations between host syncs is one compiled
  program (``jax.jit`` of a ``lax.scan`` over recorded costs, with a
  ``lax.fori_loop`` of plain steps in between).
- PyTorch: ``torch.compile`` of the step.
- CuPy: the step (forward, cost, backward, in-place update) captured once
  into a CUDA graph and replayed, so a step is one launch instead of ~40.
  CuPy refuses to record cuBLAS calls in a capture ("calling cuBLAS API
  during stream capture is currently unsupported"), so inside the graph the
  namespace's ``matmul`` is a broadcast-multiply-and-sum (elementwise and
  reduction kernels, which capture fine). That costs n_l * n_{l-1} * m
  temporaries, so the graph path is for the small, launch-bound networks it
  exists for (up to :data:`GRAPH_MAX_ELEMENTS`); larger ones run eagerly,
  where cuBLAS is fast and launch overhead is a small share.

Backends without a compiler (NumPy, array-api-strict) have no compiled path:
:func:`compiled_runner` returns None and the eager loop runs.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

import array_api_compat

__all__ = ["compiled_runner", "GRAPH_MAX_ELEMENTS"]

#: Largest n_l * n_{l-1} * m for which the CuPy graph path is used.
GRAPH_MAX_ELEMENTS = 2**22

# A runner advances training by n_records records of cost_every steps each:
# runner(parameters, n_records, cost_every) -> (parameters, costs as a 1-d array on the device),
# costs[k] being the cost before the first step of record k.
Runner = Callable[[dict, int, int], tuple[dict, Any]]


def compiled_runner(parameters: dict, X: Any, Y: Any, *, g: Any, learning_rate: float, xp: Any) -> Runner | None:
    """A compiled runner for this backend, or None when the backend has no compiler."""
    from .training import train_step

    step = partial(train_step, g=g, learning_rate=learning_rate, xp=xp)
    if array_api_compat.is_jax_namespace(xp):
        return _jax_runner(step, X, Y)
    if array_api_compat.is_torch_namespace(xp):
        return _torch_runner(step, X, Y)
    if array_api_compat.is_cupy_namespace(xp):
        m = X.shape[1]
        largest = max(W.shape[0] * W.shape[1] * m for k, W in parameters.items() if k.startswith("W"))
        if largest > GRAPH_MAX_ELEMENTS:
            return None
        graph_step = partial(train_step, g=g, learning_rate=learning_rate, xp=_CaptureSafeNamespace(xp))
        return _CupyGraphRunner(graph_step, parameters, X, Y, xp=xp)
    return None


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


def _jax_runner(step: Callable, X: Any, Y: Any) -> Runner:
    import jax

    def record(params, _):
        params, cost = step(params, X, Y, with_cost=True)
        return params, cost

    @partial(jax.jit, static_argnums=(1, 2))
    def run(params, n_records, cost_every):
        def one_record(params, _):
            params, cost = record(params, None)
            params = jax.lax.fori_loop(0, cost_every - 1, lambda i, p: step(p, X, Y, with_cost=False)[0], params)
            return params, cost

        return jax.lax.scan(one_record, params, None, length=n_records)

    def runner(params, n_records, cost_every):
        return run(dict(params), n_records, cost_every)

    return runner


def _torch_runner(step: Callable, X: Any, Y: Any) -> Runner:
    import torch

    compiled_cost = torch.compile(partial(step, with_cost=True), dynamic=False)
    compiled_plain = torch.compile(partial(step, with_cost=False), dynamic=False)

    def runner(params, n_records, cost_every):
        costs = []
        params = dict(params)
        for _ in range(n_records):
            params, cost = compiled_cost(params, X, Y)
            costs.append(cost)
            for _ in range(cost_every - 1):
                params, _ = compiled_plain(params, X, Y)
        return params, torch.stack(costs)

    return runner


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
