"""One training step, pure, and the generic runner built on it.

The step is forward propagation, the cost (only at the iterations where it is
recorded), backward propagation and the update, from the equation modules.
It sits below both the training loop (:mod:`backend_nn.training`) and the fast
paths (:mod:`backend_nn.accelerate`), which hand the same step to their
compilers or run it with their own :class:`~backend_nn.propagation.Lines`.

A *runner* advances training by ``n_records`` records of ``cost_every`` steps:
``runner(parameters, n_records, cost_every) -> (parameters, costs)``, costs a
1-d array on the device, ``costs[k]`` the cost before the first step of record k.
The eager runner is the generic one; every fast path is a runner too.

The steps here check nothing: they are the hot path. ``backend_nn.train_step`` (in
:mod:`backend_nn.training`) is the same step with its inputs checked, for a loop of your own.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

from array_api_compat import is_writeable_array

from .backend import count_true
from .network import Network
from .propagation import GENERIC_LINES, Lines, backward_pass, forward_pass
from .regularization import add_l2_gradients, dropout_for, l2_cost
from .update import descend

__all__ = ["cost", "forward", "nonfinite_counts", "gradients", "train_step", "optimizer_step", "Runner", "EpochRunner",
           "step_by_step", "eager_runner", "eager_epochs"]

Runner = Callable[[dict, int, int], tuple[dict, Any]]
#: ``epoch(parameters, state, Xs, Ys, learning_rate) -> (parameters, state, total)``: one pass over the
#: shuffled data's mini-batches in order; total = sum over batches of (batch cost x batch width), on the device.
EpochRunner = Callable[[dict, dict, Any, Any, float], tuple[dict, dict, Any]]


def cost(parameters: dict, X: Any, Y: Any, *, net: Network, xp: Any, dropout: Any = None) -> Any:
    """J of ``parameters`` on X (n_x, m), Y float (n_L, m): the forward pass and the output's cost from
    the logits, no step (a run's last parameters, whose cost no step computed); with ``dropout`` (a
    :class:`~backend_nn.regularization.Dropout` of X's width), the cost the step would take. A 0-d array."""
    _, caches = forward_pass(X, parameters, net=net, xp=xp, dropout=dropout)
    return net.output.cost_from_logits(caches[-1][1], Y, xp=xp)


def forward(parameters: dict, X: Any, *, net: Network, xp: Any) -> Any:
    """A_L (n_L, m) of X (n_x, m): the forward pass alone (prediction)."""
    return forward_pass(X, parameters, net=net, xp=xp)[0]


def predicted(parameters: dict, X: Any, *, net: Network, xp: Any) -> Any:
    """The output layer's predictions for X (n_x, m) (its rule on A_L: A_L > 0.5, or the argmax labels), (n_y, m) or
    (1, m): prediction's program, the rule with the forward pass (on JAX each new m compiled the rule apart)."""
    return net.output.predict(forward(parameters, X, net=net, xp=xp), xp=xp)


def nonfinite_counts(parameters: dict, *, xp: Any) -> Any:
    """How many NaN or inf entries each array of ``parameters`` holds, in their order: a 1-D array of the default
    integer, on the device (a run's end is checked with it, one host sync)."""
    return xp.stack([count_true(~xp.isfinite(P), xp) for P in parameters.values()])


def gradients(parameters: dict, X: Any, Y: Any, *, net: Network, xp: Any, lines: Lines = GENERIC_LINES,
              lambd: float = 0.0, dropout: Any = None, with_cost: bool = True,
              mean_in_dZ: bool = False) -> tuple[Any, dict]:
    """(cost, grads) of one batch: forward, the cost (where asked), backward, and the L2 terms
    when lambd > 0 (J + lambd / (2 m) sum ||W_l||^2, dW_l + lambd / m W_l); ``dropout`` (a
    :class:`~backend_nn.regularization.Dropout` of this batch's shape) on the hidden layers;
    ``mean_in_dZ``: the 1/m taken in dZ_L, as course 2's init_utils and opt_utils take it
    (:func:`~backend_nn.propagation.backward_pass`).

    X : (n_x, m); Y : float (n_L, m) (one-hot for softmax); cost : 0-d array or None.
    """
    AL, caches = forward_pass(X, parameters, net=net, xp=xp, lines=lines, dropout=dropout)
    cost = net.output.cost_from_logits(caches[-1][1], Y, xp=xp) if with_cost else None
    grads = backward_pass(AL, Y, caches, net=net, xp=xp, lines=lines, dropout=dropout, mean_in_dZ=mean_in_dZ)
    if lambd:
        m = X.shape[1]
        cost = None if cost is None else cost + l2_cost(parameters, lambd, m, xp=xp)
        grads = add_l2_gradients(grads, parameters, lambd, m)
    return cost, grads


def train_step(parameters: dict, X: Any, Y: Any, *, net: Network, learning_rate: float, xp: Any,
               lines: Lines = GENERIC_LINES, inplace: bool = False, with_cost: bool = True,
               mean_in_dZ: bool = False) -> tuple[dict, Any]:
    """One full-batch gradient-descent step; returns (parameters, cost before the step).

    X : (n_x, m); Y : float (n_L, m) (one-hot for softmax); cost : 0-d array, or None when
    ``with_cost`` is False. Pure when ``inplace`` is False, so backend compilers (jax.jit,
    torch.compile, CUDA graph capture) can take it as it is.
    """
    cost, grads = gradients(parameters, X, Y, net=net, xp=xp, lines=lines, with_cost=with_cost, mean_in_dZ=mean_in_dZ)
    return descend(parameters, grads, learning_rate=learning_rate, inplace=inplace), cost


def optimizer_step(parameters: dict, state: dict, X: Any, Y: Any, *, net: Network, optimizer: Any,
                   learning_rate: float, xp: Any, lambd: float = 0.0, dropout: Any = None,
                   lines: Lines = GENERIC_LINES, inplace: bool = False, mean_in_dZ: bool = False
                   ) -> tuple[dict, dict, Any]:
    """One step of any optimizer on one (mini-)batch: (parameters, state, cost before the step).
    Pure (the optimizer makes new arrays) unless ``inplace``: then it writes into the parameter and
    state arrays, which must be the caller's own buffers, and returns them."""
    cost, grads = gradients(parameters, X, Y, net=net, xp=xp, lines=lines, lambd=lambd, dropout=dropout,
                            mean_in_dZ=mean_in_dZ)
    parameters, state = optimizer.update(parameters, grads, state, learning_rate=learning_rate, inplace=inplace, xp=xp)
    return parameters, state, cost


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


def eager_runner(parameters: dict, X: Any, Y: Any, *, net: Network, learning_rate: float, xp: Any,
                 lines: Lines = GENERIC_LINES, mean_in_dZ: bool = False) -> Runner:
    """The generic step, eagerly. Where the namespace's arrays are writeable it updates in place,
    on parameter buffers of its own (the caller's arrays are never written); JAX's are not, and
    each step makes new ones."""
    inplace = is_writeable_array(parameters["W1"])
    kw = dict(X=X, Y=Y, net=net, learning_rate=learning_rate, xp=xp, lines=lines, inplace=inplace,
              mean_in_dZ=mean_in_dZ)
    # one partial each, not a partial of a partial: at the flower's size a step is ~30 us of calls
    steps = step_by_step(partial(train_step, **kw, with_cost=True), partial(train_step, **kw, with_cost=False),
                         xp.stack)
    if not inplace:
        return steps
    own = _copied(parameters, xp)

    def runner(params: dict, n_records: int, cost_every: int):
        if params is not own:
            _assign(own, params)
        return steps(own, n_records, cost_every)

    return runner


def eager_epochs(*, net: Network, optimizer: Any, xp: Any, slices: list, lambd: float = 0.0,
                 dropouts: dict | None = None, mean_in_dZ: bool = False,
                 lines: Lines = GENERIC_LINES) -> EpochRunner:
    """The generic epoch: :func:`optimizer_step` on each batch's columns in turn (``lines``: the generic
    ones, or a fast path's). Where the namespace's arrays are writeable the optimizer updates in place,
    on parameter and state buffers of the epochs' own (copied from the first ones handed in; the caller's
    arrays are never written), and hands them back: fewer temporaries a batch, the same bits. JAX's
    arrays are not writeable: each batch makes new ones."""
    dropouts = dropouts or {}
    own: dict = {}

    def epoch(params, state, Xs, Ys, learning_rate):
        inplace = is_writeable_array(next(iter(params.values())))
        if inplace and (params is not own.get("P") or state is not own.get("S")):
            own["P"], own["S"] = _copied(params, xp), _copied(state, xp)
            params, state = own["P"], own["S"]
        total = None
        for sl in slices:
            w = sl.stop - sl.start
            Xm, Ym = (Xs, Ys) if len(slices) == 1 else (Xs[:, sl], Ys[:, sl])
            params, state, cost = optimizer_step(params, state, Xm, Ym, net=net, optimizer=optimizer,
                                                 learning_rate=learning_rate, xp=xp, lambd=lambd,
                                                 dropout=dropout_for(dropouts, w), inplace=inplace,
                                                 mean_in_dZ=mean_in_dZ, lines=lines)
            part = cost * w  # the course sums the losses over the epoch, then divides by m
            total = part if total is None else total + part
        return params, state, total

    return epoch


def _copied(tree: dict, xp: Any) -> dict:
    """A copy of a dict of arrays (nested dicts too; Python numbers such as Adam's t as they are)."""
    return {k: _copied(v, xp) if isinstance(v, dict) else xp.asarray(v, copy=True) if hasattr(v, "shape") else v
            for k, v in tree.items()}


def _assign(static: dict, new: dict) -> None:
    """Write ``new`` into the buffers of ``static``, key by key (nested dicts too)."""
    for k, v in new.items():
        if isinstance(v, dict):
            _assign(static[k], v)
        else:
            static[k][...] = v
