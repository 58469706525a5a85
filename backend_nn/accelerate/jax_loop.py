"""JAX: the chunk of iterations between host syncs as one compiled program; an epoch of
mini-batches as one too.

- full batch: ``jax.jit`` of a loop over the recorded costs, with a ``lax.fori_loop`` of plain
  steps in between (on the CPU both lengths are arguments: one compilation for every chunk of a
  run); the step is the generic, pure ``train_step``;
- mini-batches: ``jax.jit`` of a ``lax.scan`` over the epoch's complete batches (the shuffled
  columns reshaped to (batches, n_x, size)) carrying the parameters, the optimizer state and
  the epoch's cost, the step the generic, pure ``optimizer_step``; a last, smaller batch is
  one more compiled step of its own shape (compiled once, not per epoch). The learning rate
  is an argument, so a decay does not recompile.

- the computations at a run's edges (prediction's forward pass, a run's first and last costs, its end's check
  of the parameters) and the public ``train_step``: ``jax.jit`` of each, kept (:func:`kept_jit`).

The programs take the data as arguments and are kept between runs (:data:`PROGRAMS_KEPT`), so the next
run of the same network and sizes (a cross-validation's folds, a model fitted again) compiles nothing;
not where a user's activation is in the network, which may read a global the next run changes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any

import numpy as np

from ..activations import is_named
from ..network import Network
from ..optimizers import Adam, GradientDescent, Momentum
from ..outputs import OUTPUTS
from ..regularization import dropout_for
from ..step import EpochRunner, Runner, optimizer_step, train_step


def jax_runner(parameters: dict, X: Any, Y: Any, *, net: Network, learning_rate: float, xp: Any,
               mean_in_dZ: bool = False, lengths_as_arguments: bool | None = None) -> Runner:
    """runner(params, n_records, cost_every): the chunk of steps between host syncs as one compiled program.

    A run's chunks differ (the last ones shorter, and the week-4 models' last step alone, for its cost).
    On the CPU their lengths are arguments of one program that serves them all, its costs in a buffer as
    long as the longest chunk yet (the first, in the training loop), cut to the chunk's records; as
    constants, each length was a compilation of its own, 4 in a run of L_layer_model with print_cost.
    Elsewhere they stay constants, a program per distinct chunk: XLA's GPU while loop reads a condition
    whose trip count it cannot know in advance back to the host at every iteration, a host sync per step.
    ``lengths_as_arguments`` chooses either way (tests); None: by the platform of X's devices.

    X, Y and the learning rate are arguments of the program, which is kept for the next run of the same
    network and layout (:func:`_full_batch_program`): a run of the same sizes compiles nothing again (but for
    a user's activation: :func:`_reusable`)."""
    import jax

    step = partial(train_step, net=net, learning_rate=learning_rate, xp=xp, mean_in_dZ=mean_in_dZ)
    jax.eval_shape(partial(step, with_cost=True), dict(parameters), X, Y)  # traces here, or fails where it is built
    if lengths_as_arguments is None:
        lengths_as_arguments = all(d.platform == "cpu" for d in X.devices())
    make = _full_batch_program if _reusable(net) else _full_batch_program.__wrapped__
    program = make(net, xp, mean_in_dZ, lengths_as_arguments)
    lr = jax.device_put(np.asarray(learning_rate, dtype=X.dtype))  # moved: no program compiled for it

    if not lengths_as_arguments:
        def runner(params, n_records, cost_every):
            return program(dict(params), X, Y, lr, n_records, cost_every)

        return runner

    capacity = 0

    def runner_any_length(params, n_records, cost_every):
        nonlocal capacity
        capacity = max(capacity, n_records)
        params, costs = program(dict(params), X, Y, lr, n_records, cost_every, capacity)
        return params, costs[:n_records]

    return runner_any_length


#: Compiled programs kept between runs, as many as this of each kind (least recently used first out).
PROGRAMS_KEPT = 16


def _reusable(net: Network, optimizer: Any = None) -> bool:
    """Whether a program of ``net`` (and ``optimizer``) may serve later runs: where its equations are the
    library's own (activations, output layer, optimizer), which read nothing but their arguments. A user's
    activation may read a global that the next run changes (a slope tried in a loop), which a kept program,
    traced once, would not see: it gets a program of its own in every run, as before."""
    return (all(is_named(g) for g in net.hidden) and any(net.output is layer for layer in OUTPUTS.values())
            and (optimizer is None or type(optimizer) in (GradientDescent, Momentum, Adam)))


@lru_cache(maxsize=PROGRAMS_KEPT)
def _full_batch_program(net: Network, xp: Any, mean_in_dZ: bool, lengths_as_arguments: bool) -> Callable:
    """The jitted chunk of :func:`jax_runner` for one network and layout, the same function for every run that
    asks (JAX keeps its compilations per function and argument shapes: a program made anew in each run was
    compiled anew, 0.26 s of a 0.31 s flower run of 1000 steps on this CPU). The data and the learning rate
    are its arguments: a run at another rate compiles nothing either."""
    import jax
    import jax.numpy as jnp

    def one_record(params, X, Y, lr, cost_every):
        """The step that records the cost, then cost_every - 1 that do not."""
        step = partial(train_step, X=X, Y=Y, net=net, learning_rate=lr, xp=xp, mean_in_dZ=mean_in_dZ)
        params, cost = step(params, with_cost=True)
        params = jax.lax.fori_loop(0, cost_every - 1, lambda _, p: step(p, with_cost=False)[0], params)
        return params, cost

    if not lengths_as_arguments:
        @partial(jax.jit, static_argnums=(4, 5))
        def run_chunk(params, X, Y, lr, n_records, cost_every):
            return jax.lax.scan(lambda p, _: one_record(p, X, Y, lr, cost_every), params, None, length=n_records)

        return run_chunk

    @partial(jax.jit, static_argnums=(6,))
    def run(params, X, Y, lr, n_records, cost_every, capacity):
        def record(i, carry):
            params, costs = carry
            params, cost = one_record(params, X, Y, lr, cost_every)
            return params, costs.at[i].set(cost)

        return jax.lax.fori_loop(0, n_records, record, (params, jnp.zeros((capacity,), dtype=X.dtype)))

    return run


def jax_epochs(*, net: Network, optimizer: Any, xp: Any, slices: list, lambd: float = 0.0,
               dropouts: dict | None = None, check: tuple | None = None, mean_in_dZ: bool = False) -> EpochRunner:
    """epoch(params, state, Xs, Ys, lr) as one compiled scan over the complete batches (+ the tail's step).

    ``check``: (parameters, state, X, Y) of the run, to trace the epoch with here (``jax.eval_shape``:
    no compiling, no data read), so that a step jax.jit cannot trace (a user's activation that
    branches on an array's value, say) fails where the path is chosen, not in the first epoch. The
    programs are kept for the next run of the same network, optimizer and batches (but with dropout,
    whose masks are the run's own, or a user's activation: :func:`_reusable`)."""
    import jax

    size = slices[0].stop - slices[0].start
    n_full = sum(1 for sl in slices if sl.stop - sl.start == size)
    tail = slices[-1].stop - slices[-1].start if n_full < len(slices) else 0
    key = (net, optimizer, xp, float(lambd), mean_in_dZ, size, n_full, tail)
    if dropouts or not _reusable(net, optimizer):
        full_batches, last_batch = _epoch_programs(*key, dropouts=dropouts)
    else:
        full_batches, last_batch = _kept_epoch_programs(*key)

    if check is not None:
        params, state, X, Y = check
        state, lr = _arrays(state, X.dtype), jax.ShapeDtypeStruct((), X.dtype)
        params, state, total = jax.eval_shape(full_batches, dict(params), state, X, Y, lr)
        if tail:
            jax.eval_shape(last_batch, params, state, X, Y, lr, total)

    returned = None  # the state the last epoch returned, which the next takes as it is

    def epoch(params, state, Xs, Ys, lr):
        nonlocal returned
        params = dict(params)
        if state is not returned:
            state = _arrays(state, Xs.dtype, like=params["W1"])
        params, state, total = full_batches(params, state, Xs, Ys, lr)
        if tail:
            params, state, total = last_batch(params, state, Xs, Ys, lr, total)
        returned = state
        return params, state, total

    return epoch


def _epoch_programs(net: Network, optimizer: Any, xp: Any, lambd: float, mean_in_dZ: bool, size: int, n_full: int,
                    tail: int, dropouts: dict | None = None) -> tuple[Callable, Callable]:
    """(full_batches, last_batch): the jitted scan over an epoch's ``n_full`` complete batches of ``size``, and the
    step of its last, ``tail`` columns wide, which adds its cost times its width to the scan's total. Each takes
    the epoch's whole Xs, Ys and the learning rate as it comes (a Python float) and slices and casts inside: the
    cast, the tail's slices and the sum were eager operations of every epoch (the flower's Adam epoch, batches of
    64, 0.68-0.73 ms on a 2-core CPU; 0.3 without them). The tail's step stays a program of its own: inside the
    scan's program XLA compiles it otherwise, and its results differed from a streamed run's in the last bit."""
    import jax
    import jax.numpy as jnp

    step = partial(optimizer_step, net=net, optimizer=optimizer, xp=xp, lambd=lambd, mean_in_dZ=mean_in_dZ)

    @jax.jit
    def full_batches(params, state, Xs, Ys, lr):
        def batched(A):  # (n, n_full * size) -> (n_full, n, size)
            return jnp.transpose(jnp.reshape(A[:, : n_full * size], (A.shape[0], n_full, size)), (1, 0, 2))

        lr = jnp.asarray(lr, dtype=Xs.dtype)

        def body(carry, batch):
            params, state, total = carry
            params, state, cost = step(params, state, batch[0], batch[1], learning_rate=lr,
                                       dropout=dropout_for(dropouts, size))
            return (params, state, total + cost * size), None

        zero = jnp.zeros((), dtype=Xs.dtype)
        (params, state, total), _ = jax.lax.scan(body, (params, state, zero), (batched(Xs), batched(Ys)))
        return params, state, total

    @jax.jit
    def last_batch(params, state, Xs, Ys, lr, total):
        params, state, cost = step(params, state, Xs[:, n_full * size:], Ys[:, n_full * size:],
                                   learning_rate=jnp.asarray(lr, dtype=Xs.dtype), dropout=dropout_for(dropouts, tail))
        return params, state, total + cost * tail

    return full_batches, last_batch


#: :func:`_epoch_programs` without dropout, kept between runs (JAX compiles a function made anew anew: 0.64 s
#: of each 0.86 s run of 2 Adam epochs at the mid size, (784, 128, 10) on 10,000 examples, on this CPU).
_kept_epoch_programs = lru_cache(maxsize=PROGRAMS_KEPT)(_epoch_programs)


def _arrays(state: dict, dtype: Any, like: Any = None) -> dict:
    """The optimizer state as the compiled epoch takes it: its step count t a 0-d array (a Python int would be a
    constant of the compiled program, and recompile it every step), and every array placed as ``like`` (W1) is:
    on its device where it is committed there, else left as it is. The epoch's later calls take the state the
    first one returned, placed as the parameters are: a state placed otherwise in the first call alone compiled
    the epoch twice (a t made here, 0.7 s more for the flower on a CPU; zeros from a compiled program, which come
    uncommitted)."""
    import jax

    if "t" in state and not hasattr(state["t"], "shape"):
        state = {**state, "t": jax.device_put(np.asarray(float(state["t"]), dtype=dtype))}  # moved: no program
    if getattr(like, "committed", False) and len(like.devices()) == 1 \
            and not all(a.committed for a in jax.tree_util.tree_leaves(state)):
        state = jax.device_put(state, like.sharding)
    return state


@lru_cache(maxsize=PROGRAMS_KEPT)
def kept_jit(function: Callable, net: Network | None, xp: Any) -> Callable:
    """``jax.jit`` of ``function`` with ``net`` (where not None) and ``xp`` bound, the same program for every call
    that asks (JAX keeps its compilations per function and argument shapes): one compilation per shape where
    eager JAX compiles each operation anew for every new shape (:func:`backend_nn.accelerate.kept_program`)."""
    import jax

    from . import bound

    return jax.jit(bound(function, net=net, xp=xp))


def clear_programs() -> None:
    """Drop the programs kept between runs (:data:`PROGRAMS_KEPT` of each kind), and JAX's compilations of
    them with them: the next run compiles anew."""
    _full_batch_program.cache_clear()
    _kept_epoch_programs.cache_clear()
    kept_jit.cache_clear()
