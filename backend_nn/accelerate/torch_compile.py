"""PyTorch: ``torch.compile`` of the generic, pure steps: ``train_step`` (full batch) and
``optimizer_step`` (a mini-batch with its optimizer state; one compiled graph per batch width,
so the last, smaller batch compiles once, not every epoch).

The steps see the namespace through :class:`_TraceableNamespace`: array-api-compat's torch
``maximum(0.0, Z)`` (relu's, the course's ``np.maximum(0, Z)``) asks ``torch.result_type`` of the
Python scalar, which torch.compile cannot put in a graph; it broke each step into pieces, some of
them left eager. The same values, with the scalar made a 0-d tensor of the other operand's dtype.
"""

from __future__ import annotations

import types
from functools import partial
from typing import Any

from ..network import Network
from ..regularization import dropout_for
from ..step import EpochRunner, Runner, optimizer_step, step_by_step, train_step
from . import NamespaceOverlay


class _TraceableNamespace(NamespaceOverlay):
    """``xp`` (array-api-compat's torch), with ``maximum`` and ``minimum`` given a Python scalar beside a
    floating tensor as a 0-d tensor of that tensor's dtype and device (the dtype array-api-compat gives
    it too, through the ``torch.result_type`` that torch.compile cannot trace)."""

    @staticmethod
    def _tensors(a: Any, b: Any) -> tuple[Any, Any]:
        import torch

        if isinstance(a, (int, float)) and isinstance(b, torch.Tensor) and b.is_floating_point():
            a = torch.asarray(a, dtype=b.dtype, device=b.device)
        elif isinstance(b, (int, float)) and isinstance(a, torch.Tensor) and a.is_floating_point():
            b = torch.asarray(b, dtype=a.dtype, device=a.device)
        return a, b  # anything else (an integer tensor and a float, say) is array-api-compat's to promote

    def maximum(self, a: Any, b: Any) -> Any:
        return self._xp.maximum(*self._tensors(a, b))

    def minimum(self, a: Any, b: Any) -> Any:
        return self._xp.minimum(*self._tensors(a, b))


def compile_own(fn: Any, **options: Any) -> Any:
    """``torch.compile(fn, **options)`` with a cache of compiled graphs of its own.

    torch.compile keeps its graphs per code object (its docstring says so): every ``partial`` handed to it
    runs through one wrapper's code, and every closure made by one ``def`` shares that ``def``'s code. So
    every model's steps in a process shared one cache, and Dynamo's ``recompile_limit`` (8) and
    ``accumulated_recompile_limit`` counted them all: about the fifth model ran its steps eager while the
    path report said torch.compile. Here ``fn`` is called from a code object of its own, so its graphs and
    their count live and go with the returned function; one model's compiling never uses up another's.
    (PyTorch's ``isolate_recompiles=True`` still counts every region against the accumulated limit.)"""
    import torch

    def run(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    own = types.FunctionType(run.__code__.replace(), run.__globals__, run.__name__, None, run.__closure__)
    return torch.compile(own, **options)


def _compile(step: Any) -> Any:
    """A step compiled for its shapes (the last, smaller batch is a step of its own)."""
    return compile_own(step, dynamic=False)


def torch_runner(parameters: dict, X: Any, Y: Any, *, net: Network, learning_rate: float, xp: Any,
                 mean_in_dZ: bool = False) -> Runner:
    import torch

    step = partial(train_step, net=net, learning_rate=learning_rate, xp=_TraceableNamespace(xp), mean_in_dZ=mean_in_dZ)
    compiled_cost = _compile(partial(step, with_cost=True))
    compiled_plain = _compile(partial(step, with_cost=False))
    return step_by_step(lambda p: compiled_cost(p, X, Y), lambda p: compiled_plain(p, X, Y), torch.stack)


def torch_epochs(*, net: Network, optimizer: Any, xp: Any, slices: list, lambd: float = 0.0,
                 dropouts: dict | None = None, mean_in_dZ: bool = False) -> EpochRunner:
    """epoch(params, state, Xs, Ys, lr): the compiled optimizer step on each batch in turn."""
    import torch

    dropouts = dropouts or {}
    compiled = {}  # one compiled step per batch width

    def step_for(w):
        if w not in compiled:
            step = partial(optimizer_step, net=net, optimizer=optimizer, xp=_TraceableNamespace(xp), lambd=lambd,
                           dropout=dropout_for(dropouts, w), mean_in_dZ=mean_in_dZ)
            compiled[w] = _compile(step)
        return compiled[w]

    def epoch(params, state, Xs, Ys, lr):
        if "t" in state and not isinstance(state["t"], torch.Tensor):  # a Python int would be a constant
            state = {**state, "t": torch.tensor(float(state["t"]), dtype=torch.float64, device=Xs.device)}
        lr_t = torch.tensor(lr, dtype=Xs.dtype, device=Xs.device)
        total = None
        for sl in slices:
            w = sl.stop - sl.start
            params, state, cost = step_for(w)(params, state, Xs[:, sl], Ys[:, sl], learning_rate=lr_t)
            part = cost * w
            total = part if total is None else total + part
        return params, state, total

    return epoch
