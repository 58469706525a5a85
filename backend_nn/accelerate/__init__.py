"""Optional fast paths, beside the generic eager loop.

Most hand the *same* pure step (:func:`backend_nn.training.train_step`, built
from the one set of equations) to the backend's own compiler; the others attach
hooks to the activation that evaluate the hidden layer's lines another way
(``Activation.fused_forward``/``fused_backprop``). The parity tests compare each
with the eager path.

- ``jax_loop``: ``jax.jit`` of the whole chunk of iterations between host syncs.
- ``torch_compile``: ``torch.compile`` of the step.
- ``cupy_fused`` (+ ``shallow_step.cu``): for small shallow networks on CuPy, the
  whole chunk of steps in one fused CUDA kernel; the one place the equations are
  written a second time, in CUDA, and tested against the generic ones.
- ``cupy_graph``: the step captured into a CUDA graph and replayed, with cuBLAS
  called directly inside the capture (CuPy's own wrappers refuse to be captured).
- ``cupy_elementwise`` (+ ``hidden_lines.cu``): hooks running the hidden layer's
  forward line and its backward lines (dW2, dZ1, db1) as one kernel each; used
  by the graph, and eagerly where no graph can be captured.
- ``numpy_tiles``: hooks evaluating the same lines tile by tile, in cache (NumPy).

array-api-strict has no fast path: :func:`compiled_runner` returns None and the
eager loop runs; so it does where a path declines the network (too small to gain).

A runner advances training by n_records records of cost_every steps each:
``runner(parameters, n_records, cost_every) -> (parameters, costs)``, costs a
1-d array on the device, costs[k] the cost before the first step of record k.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

import array_api_compat

__all__ = ["compiled_runner", "hooked_runner", "Runner", "step_by_step"]

Runner = Callable[[dict, int, int], tuple[dict, Any]]


def step_by_step(step_with_cost: Callable, step: Callable, stack: Callable) -> Runner:
    """A runner from two one-step functions ``params -> (params, cost)``: per record, one
    step that computes the cost, then ``cost_every - 1`` that do not; costs stacked on the device."""

    def runner(params: dict, n_records: int, cost_every: int):
        costs = []
        for _ in range(n_records):
            params, cost = step_with_cost(params)
            costs.append(cost)
            for _ in range(cost_every - 1):
                params, _ = step(params)
        return params, stack(costs)

    return runner


def hooked_runner(parameters: dict, X: Any, Y: Any, *, g: Any, learning_rate: float, xp: Any) -> Runner:
    """The generic eager step, in place on parameter buffers of its own, with ``g`` carrying
    fused-line hooks (CuPy kernels, NumPy tiles)."""
    from ..training import train_step

    step = partial(train_step, X=X, Y=Y, g=g, learning_rate=learning_rate, xp=xp, inplace=True)
    steps = step_by_step(partial(step, with_cost=True), partial(step, with_cost=False), xp.stack)
    own = {k: v.copy() for k, v in parameters.items()}  # the caller's arrays are never written

    def runner(params: dict, n_records: int, cost_every: int):
        if params is not own:
            for k, v in params.items():
                own[k][...] = v
        return steps(own, n_records, cost_every)

    return runner


def compiled_runner(parameters: dict, X: Any, Y: Any, *, g: Any, learning_rate: float, xp: Any,
                    prefer: str | None = None) -> Runner | None:
    """The fast path for this backend and network, or None when there is none.

    On CuPy the fused kernel is used where it applies, else the CUDA graph, else
    the eager step with the fused backward line; ``prefer="fused"``, ``"graph"``
    or ``"elementwise"`` asks for one of them only (tests, benchmarks).
    """
    from ..training import train_step

    step = partial(train_step, g=g, learning_rate=learning_rate, xp=xp)
    if array_api_compat.is_jax_namespace(xp):
        from .jax_loop import jax_runner

        return jax_runner(step, X, Y)
    if array_api_compat.is_torch_namespace(xp):
        from .torch_compile import torch_runner

        return torch_runner(step, X, Y)
    if array_api_compat.is_numpy_namespace(xp):
        from .numpy_tiles import tiled_runner

        return tiled_runner(parameters, X, Y, g=g, learning_rate=learning_rate, xp=xp)
    if array_api_compat.is_cupy_namespace(xp):
        from .cupy_elementwise import elementwise_runner
        from .cupy_fused import fused_runner
        from .cupy_graph import graph_runner

        kinds = {"fused": fused_runner, "graph": graph_runner, "elementwise": elementwise_runner}
        order = [prefer] if prefer else ["fused", "graph", "elementwise"]
        for kind in order:
            runner = kinds[kind](parameters, X, Y, g=g, learning_rate=learning_rate, xp=xp)
            if runner is not None:
                return runner
    return None
