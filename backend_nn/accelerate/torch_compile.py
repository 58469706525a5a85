"""PyTorch: ``torch.compile`` of the generic, pure ``train_step``."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable


def torch_runner(step: Callable, X: Any, Y: Any) -> Callable:
    import torch

    from . import step_by_step

    compiled_cost = torch.compile(partial(step, with_cost=True), dynamic=False)
    compiled_plain = torch.compile(partial(step, with_cost=False), dynamic=False)
    return step_by_step(lambda p: compiled_cost(p, X, Y), lambda p: compiled_plain(p, X, Y), torch.stack)
