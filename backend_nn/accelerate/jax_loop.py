"""JAX: the chunk of iterations between host syncs as one compiled program.

``jax.jit`` of a ``lax.scan`` over the recorded costs, with a ``lax.fori_loop``
of plain steps in between; the step is the generic, pure ``train_step``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from ..network import Network
from ..step import Runner, train_step


def jax_runner(parameters: dict, X: Any, Y: Any, *, net: Network, learning_rate: float, xp: Any) -> Runner:
    """runner(params, n_records, cost_every): one compiled program per chunk length."""
    import jax

    step = partial(train_step, net=net, learning_rate=learning_rate, xp=xp)

    @partial(jax.jit, static_argnums=(1, 2))
    def run(params, n_records, cost_every):
        def one_record(params, _):
            params, cost = step(params, X, Y, with_cost=True)
            params = jax.lax.fori_loop(0, cost_every - 1, lambda i, p: step(p, X, Y, with_cost=False)[0], params)
            return params, cost

        return jax.lax.scan(one_record, params, None, length=n_records)

    def runner(params, n_records, cost_every):
        return run(dict(params), n_records, cost_every)

    return runner
