"""PyTorch: ``torch.compile`` of the generic, pure ``train_step``."""

from __future__ import annotations

from functools import partial
from typing import Any

from ..network import Network
from ..step import Runner, step_by_step, train_step


def torch_runner(parameters: dict, X: Any, Y: Any, *, net: Network, learning_rate: float, xp: Any) -> Runner:
    import torch

    step = partial(train_step, net=net, learning_rate=learning_rate, xp=xp)
    compiled_cost = torch.compile(partial(step, with_cost=True), dynamic=False)
    compiled_plain = torch.compile(partial(step, with_cost=False), dynamic=False)
    return step_by_step(lambda p: compiled_cost(p, X, Y), lambda p: compiled_plain(p, X, Y), torch.stack)
