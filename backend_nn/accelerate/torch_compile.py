"""PyTorch: ``torch.compile`` of the generic, pure ``train_step``."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable


def torch_runner(step: Callable, X: Any, Y: Any) -> Callable:
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
