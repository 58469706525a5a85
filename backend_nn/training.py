"""Training: the loops under every model.

:func:`fit` is what every model shares: the data onto the backend (:mod:`backend_nn.inputs`),
the network, initialization, and one of two loops. Full-batch gradient descent trains through
:func:`_train_loop`: a runner (the eager one, or the fast path
:func:`backend_nn.accelerate.choose_runner` picks) advances the steps on the device; the
recorded costs stay there as 0-d arrays and come to the host in one transfer every
``sync_every`` iterations (default 1000). That is when divergence is checked, the progress bar
moves and ``print_cost`` prints; the trained parameters are checked for NaN and inf once, at the
end (:class:`backend_nn.recording.Recorder`, which also says when a run did not learn). No step
forces a host sync. Other optimizers, mini-batches, L2 and dropout train through
:func:`_epoch_loop` (course 2), the same way per epoch. :func:`train_step` is one step, for a
loop of one's own.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, Sequence

import numpy as np

from . import chunked, step, streaming
from .accelerate import Choice, check_compile, choose_epochs, choose_runner, kept_program
from .activations import check_custom
from .backend import backend_name, device_of, full_precision, get_namespace, memory_of, to_backend
from .initialization import check_init, check_scale, initialize_parameters_deep
from .inputs import (data_device, encode_Y, examples_at_once, labels_namespace, layers_dims_for, n_outputs, place_data,
                     prepare_data)
from .network import Network, Parameters, ParametersLike, TrainingResult, network_of, parameters_of
from .optimizers import check_state, get_optimizer, update_count
from .outputs import encode_labels
from .propagation import check_inputs, refuse_swapped
from .recording import ConvergenceWarning, Recorder, RunData, TrainingDivergedError
from .validation import (byte_size, check_finite, check_flag, check_labels_shape, check_parameter_entries,
                         check_positive, check_shuffle_seed, dtype_name, in_course_order, model_pair_hint, shown)

__all__ = ["train_step", "TrainingDivergedError", "ConvergenceWarning"]


#: Which path each run takes (``logging.getLogger("backend_nn")`` at INFO; the CLI's --verbose shows it).
_log = logging.getLogger("backend_nn")

#: In mini-batch training the start (the cost the checks compare with: an epoch's mean comes after its updates) is
#: the cost before any update of the epoch's first this many examples (all of them where there are fewer; at least
#: one batch; at most a streamed window's bytes of the widest layer). One batch of 64 was a noisy estimate of the
#: whole data's start: the whole data's cost was 0.6x to 2.2x of it with course 2's x10 random initialization
#: (flower, moons, 20,000 Gaussian examples, 50 shuffles, measured); 1024 examples gave 0.78x to 1.18x.
START_EXAMPLES = 1024


def _train_loop(parameters: dict, X: Any, Y: Any, *, net: Network, xp: Any, learning_rate: float,
                num_iterations: int, cost_every: int, sync_every: int, print_cost: bool, print_every: int,
                print_format: str, progress: bool | None, compile: bool | str, prefer: str | None = None,
                print_last: bool = False, mean_in_dZ: bool = False) -> tuple[dict, np.ndarray, Choice]:
    """Train: a runner advances the steps on the device; recorded costs come home once per
    ``sync_every`` steps (the loop's only host sync). ``print_last``: with print_cost, the last
    iteration's cost is printed too (not recorded), as the course's week-4 models print it.
    ``mean_in_dZ``: the step's (:func:`backend_nn.step.gradients`)."""
    runner, choice = choose_runner(parameters, X, Y, net=net, learning_rate=learning_rate, xp=xp,
                                   compile=compile, prefer=prefer, mean_in_dZ=mean_in_dZ)
    _log.info("training %s on %s: %s", net, backend_name(xp), choice)
    rec = Recorder(total=num_iterations, every=cost_every, unit="iteration", print_cost=print_cost,
                    print_every=print_every, print_format=print_format, progress=progress,
                    desc=f"{backend_name(xp)}, {choice.path}", data=RunData(X, Y, net=net))
    try:
        per_sync = max(1, sync_every // cost_every)
        last_alone = print_last and print_cost  # the last step in a chunk of its own, for its cost
        full, rest = divmod(num_iterations - last_alone, cost_every)
        done = 0
        while done < full:
            n = min(per_sync, full - done)
            parameters, chunk = runner(parameters, n, cost_every)
            done += n
            rec.sync(chunk, done * cost_every)
        if rest:
            parameters, chunk = runner(parameters, 1, rest)
            rec.sync(chunk, full * cost_every + rest)
        if last_alone:
            parameters, chunk = runner(parameters, 1, 1)
            if (num_iterations - 1) % cost_every == 0:
                rec.sync(chunk, num_iterations)  # a cost the run records anyway
            else:
                rec.last(chunk, num_iterations)
        if chunked.is_dask(X):
            final = chunked.cost(parameters, X, Y, net=net, xp=xp)
        else:  # compiled on JAX, as the steps were: eager, each of its operations was a compilation
            final = kept_program(step.cost, net=net, xp=xp, compile=compile)(dict(parameters), X, Y)
        rec.finish(parameters, num_iterations, final,
                   f" for the returned parameters after iteration {rec.first + num_iterations}",
                   compile=compile)
    finally:
        costs = rec.close()
    return parameters, costs, choice


def fit(X: Any, Y: Any, hidden_sizes: Sequence[int], *, activation: Any, negative_slope: float, output: Any,
         num_iterations: int, learning_rate: float, backend: Any, device: Any, dtype: Any, seed: int, init: str,
         init_scale: float | None, cost_every: int, sync_every: int, print_cost: bool, print_every: int,
         print_format: str, progress: bool | None, compile: bool | str, n_y: int | None = None, n_x: int | None = None,
         optimizer: Any = "gd", batch_size: int | None = None, lambd: float = 0.0, keep_prob: float = 1.0,
         beta: float = 0.9, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8,
         shuffle_seed: int = 10, chunks: Any = None, shuffle: str = "course",
         stream: Any = "auto", print_last: bool = False, mean_in_dZ: bool = False, decay: Any = None,
         decay_rate: float = 1.0, resume: Any = None) -> TrainingResult[np.ndarray]:
    """What every model shares: data onto the backend, the network, initialization, the loop:
    the runners (full-batch gradient descent, where the fast paths are) or, with another
    optimizer, mini-batches, L2, dropout, a learning-rate ``decay`` or a run to ``resume``, the
    epoch loop (num_iterations counts epochs). ``hidden_sizes``: n_1 .. n_{L-1}; ``n_x`` (checked
    against X's rows) and ``n_y`` where the caller gives the whole layers_dims, else n_y from the
    labels. ``mean_in_dZ``: the gradients rounded as course 2's init_utils and opt_utils round them
    (:func:`backend_nn.propagation.backward_pass`). ``resume``: Parameters a run returned (their
    training state goes on)."""
    from .regularization import check_dropout_layers, check_keep_prob, check_lambd

    opt = get_optimizer(optimizer, beta=beta, beta1=beta1, beta2=beta2, epsilon=epsilon)
    lambd, keep_prob = check_lambd(lambd), check_keep_prob(keep_prob)
    compile = check_compile(compile)
    init_scale = check_scale(init_scale, "init_scale", init=check_init(init))
    if batch_size is not None:
        batch_size = check_positive("batch_size", batch_size, integer=True)
    num_iterations = check_positive("num_iterations", num_iterations, integer=True)
    learning_rate = check_positive("learning_rate", learning_rate, integer=False)
    cost_every = check_positive("cost_every", cost_every, integer=True)
    sync_every = check_positive("sync_every", sync_every, integer=True)
    print_cost, progress = check_flag("print_cost", print_cost), check_flag("progress", progress, none=True)
    xp, dt, Xb, Yb = prepare_data(X, Y, backend=backend, dtype=dtype, device=device, chunks=chunks, stream=stream,
                                   batch_size=batch_size)
    with full_precision(xp):  # float32 runs in float32 (JAX on GPUs: TF32 otherwise)
        chunked.check_shuffle(shuffle, Xb, batch_size)
        if n_x is not None:
            layers_dims_for([n_x, n_y or 1], Xb)  # layers_dims[0] against X's rows, before any work
        n_y = n_outputs(Yb, output, xp=labels_namespace(Yb, xp)) if n_y is None else n_y
        net = _run_network([int(Xb.shape[0]), *hidden_sizes, n_y], activation, output, negative_slope=negative_slope,
                           Xb=Xb, batch=batch_size, dtype=dt, xp=xp)
        check_dropout_layers(keep_prob, net.layer_dims)  # before any work
        Xb, Yf = place_data(Xb, encode_Y(Yb, n_y, net, dtype=dt, xp=xp, Xb=Xb))
        state, start = None, 0
        if resume is None:
            parameters = initialize_parameters_deep(
                net.layer_dims, seed=seed, init=init, scale=init_scale, dtype=dt, backend=xp, device=data_device(Xb)
            )
        else:
            parameters, state, start = _resume(resume, net, opt, xp=xp, dtype=dt, device=data_device(Xb))
        if (opt.name != "gd" or batch_size is not None or lambd or keep_prob != 1.0 or decay is not None
                or resume is not None):
            params, state, costs = _epoch_loop(
                parameters, Xb, Yf, net=net, xp=xp, optimizer=opt, learning_rate=learning_rate, batch_size=batch_size,
                num_epochs=num_iterations, lambd=lambd, keep_prob=keep_prob, shuffle_seed=shuffle_seed, decay=decay,
                decay_rate=decay_rate, cost_every=cost_every, sync_every=sync_every, print_cost=print_cost,
                print_every=print_every, print_format=print_format, progress=progress,
                unit="iteration" if batch_size is None else "epoch", compile=compile, state=state, start_epoch=start,
                shuffle=shuffle, mean_in_dZ=mean_in_dZ,
            )
            state_after = _training_state(opt, state, start + num_iterations)
            trained = Parameters(params, network=net, training_state=state_after)
            return TrainingResult(trained, costs)
        params, costs, _ = _train_loop(
            parameters, Xb, Yf, net=net, xp=xp, learning_rate=learning_rate, num_iterations=num_iterations,
            cost_every=cost_every, sync_every=sync_every, print_cost=print_cost, print_every=print_every,
            print_format=print_format, progress=progress, compile=compile, print_last=print_last, mean_in_dZ=mean_in_dZ,
        )
        return TrainingResult(Parameters(params, network=net), costs)


def train_step(parameters: ParametersLike, X: Any, Y: Any, *, learning_rate: float, net: Network | None = None,
               xp: Any = None, check: bool = True) -> tuple[Parameters, Any]:
    """One full-batch gradient-descent step, for a loop of your own: (new parameters, J before the step).

    Forward, cost, backward and update, the step every model here repeats::

        Z_l = W_l A_{l-1} + b_l,  A_l = g_l(Z_l);  J = cross-entropy(A_L, Y)
        dZ_L = A_L - Y;  dW_l = dZ_l A_{l-1}^T / m,  db_l = sum(dZ_l) / m,  dZ_{l-1} = W_l^T dZ_l * g'(Z_{l-1})
        W_l -= learning_rate dW_l,  b_l -= learning_rate db_l

    Parameters
    ----------
    parameters : Parameters, or a dict of W1 (n_1, n_x), b1 (n_1, 1), ..., WL, bL with ``net=``
    X : (n_x, m), an array of the parameters' backend, device and dtype
    Y : (n_L, m) labels: 0/1 for a sigmoid output; one-hot, or class labels (1, m) in 0..K-1,
        for softmax. With ``check=False``, exactly as the equations take it: 0/1 or one-hot (n_L, m)
        in X's dtype.
    learning_rate : > 0
    net : the network (default: the one the Parameters carry), e.g. ``Network.build([2, 5, 1], "relu")``
    xp : the namespace (default: the arrays')
    check : read Y's values (0/1, one-hot, labels in range): one read of the data, a host sync on a
        GPU. ``check=False`` skips that read; the shapes, dtypes and the network are checked always.
        X's values are not read at any step (a NaN or inf in X gives a NaN cost): check them once,
        before the loop, as the models do.

    Returns
    -------
    parameters : new Parameters that carry ``net`` (the caller's arrays are not written to)
    cost : J before the step, a 0-d array on the device

    The fast paths (:mod:`backend_nn.accelerate`) compile :func:`backend_nn.step.train_step`, this
    step without the checks.

    Examples
    --------
    The course's week-3 loop written out, three steps of it:

    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> net = bnn.Network.build([2, 4, 1], "tanh")
    >>> parameters = bnn.initialize_parameters(2, 4, 1)
    >>> for i in range(3):
    ...     parameters, cost = bnn.train_step(parameters, X, Y, learning_rate=1.2, net=net)
    ...     print(f"Cost before step {i}: {float(cost):.6f}")
    Cost before step 0: 0.693048
    Cost before step 1: 0.692981
    Cost before step 2: 0.692886
    """
    parameters = parameters_of(parameters)
    refuse_swapped(X, parameters)
    if net is None:
        if not isinstance(parameters, Parameters):
            check_parameter_entries(parameters)  # not a dict at all: says so, and what arrived
            raise TypeError("a plain dict of parameters does not say its network: pass net=, e.g. "
                            "net=Network.build(layer_dims, 'relu'), or the Parameters a model returned.")
        net = parameters.network
    elif not isinstance(net, Network):
        raise TypeError(f"net must be a Network (Network.build(layer_dims, activation), or Parameters.network); "
                        f"got {type(net).__name__} {shown(net)}.")
    elif isinstance(parameters, Parameters) and parameters.network != net:
        raise ValueError(f"net is {net}, but these parameters are {parameters.network}.")
    learning_rate = check_positive("learning_rate", learning_rate, integer=False)
    check = check_flag("check", check)  # any truthy value ("no") read Y's values, any falsy one (None) skipped them
    found, layer_dims = check_inputs(X, parameters, Y=Y)  # Y on X's backend and device too
    if list(layer_dims) != list(net.layer_dims):
        raise ValueError(f"the parameters have layer sizes {list(layer_dims)}, but net is {net}.")
    if xp is not None and get_namespace(xp) is not found:
        raise TypeError(f"xp is {backend_name(get_namespace(xp))}, but the arrays are {backend_name(found)}'s; "
                        "leave xp unset (the arrays' namespace is taken).")
    xp = found
    _check_activations(net, xp=xp, dtype=X.dtype, device=device_of(X))
    n_y, m = int(net.layer_dims[-1]), int(X.shape[1])
    if check:
        Yf = encode_labels(Y, n_y, net.output, dtype=X.dtype, xp=xp, m=m, name_out="A_L")
    else:
        check_labels_shape(Y, (n_y, m), name_out="A_L")
        if Y.dtype != X.dtype:
            raise TypeError(f"with check=False, Y must be in X's dtype ({X.dtype}), as the equations take it; got "
                            f"{Y.dtype}.")
        Yf = Y
    with full_precision(xp):  # on JAX one compiled program, kept (eager: 0.7 ms a flower step; jitted: 32 µs)
        new, cost = kept_program(step.train_step, net=net, xp=xp)(dict(parameters), X, Yf, learning_rate=learning_rate)
    return Parameters(new, network=net), cost


def _run_network(layer_dims: list[int], activation: Any, output: Any, *, negative_slope: float, Xb: Any,
                 batch: int | None, dtype: Any, xp: Any) -> Network:
    """A run's network, checked before any work: its largest step fits the backend's memory, and an
    activation of the user's is tried once (:func:`backend_nn.activations.check_custom`)."""
    net = Network.build(layer_dims, activation, output, negative_slope=negative_slope)
    _check_fits(net, examples_at_once(Xb, batch), dtype=dtype, xp=xp, device=data_device(Xb))
    _check_activations(net, xp=xp, dtype=dtype, device=data_device(Xb))
    return net


def _check_activations(net: Network, *, xp: Any, dtype: Any, device: Any) -> None:
    """Each distinct hidden activation of the user's tried once (:func:`backend_nn.activations.check_custom`)."""
    for g in set(net.hidden):
        check_custom(g, xp=xp, dtype=dtype, device=device)


def _check_fits(net: Network, m: int, *, dtype: Any, xp: Any, device: Any) -> None:
    """Refuse, before anything is allocated, a network whose training arrays cannot fit: the
    parameters, their gradients and the update's temporaries (3 P), and per example each layer's
    Z, A and dZ (3 m sum n_l), beside X; the parameters are drawn on the host in float64 first."""
    dims = net.layer_dims
    P = sum(n * n_prev + n for n_prev, n in zip(dims[:-1], dims[1:]))
    item = xp.finfo(dtype).bits // 8
    need = item * (3 * P + 3 * m * sum(dims[1:]))
    total, where = memory_of(xp, device)
    host_total, _ = memory_of(get_namespace("numpy"))
    for bytes_needed, limit, place in ((need, total, where), (8 * P, host_total, "this machine (the host draws them)")):
        if limit is not None and bytes_needed > limit:
            raise MemoryError(
                f"a network of layer sizes {list(dims)} on m = {m} examples needs about "
                f"{byte_size(bytes_needed)} ({dtype_name(dtype)}: {P:,} parameters, their gradients, and each "
                f"layer's activations), more than the {byte_size(limit)} of {place}. Choose smaller layers or "
                "fewer examples."
            )


def _training_state(opt: Any, state: dict, epochs: int) -> dict:
    """What a run can resume from: the optimizer's name and state, and the epochs done. The state in the
    course's order (v, s, t; dW1, db1, dW2, ...), which jax.jit returns sorted by key."""
    first = [k for k in ("v", "s", "t") if k in state]
    ordered = {k: state[k] for k in [*first, *(k for k in state if k not in first)]}
    if "t" in ordered:  # Adam's count of updates as the course keeps it, a Python int, whatever carried it
        ordered["t"] = update_count(ordered["t"])
    return {"optimizer": opt.name, "epochs": int(epochs),
            **{k: in_course_order(v, "d") if isinstance(v, dict) else v for k, v in ordered.items()}}


def _resume(parameters: Any, net: Network, opt: Any, *, xp: Any, dtype: Any, device: Any):
    """(params, optimizer state, epochs done) from Parameters a run returned or load_model read."""
    parameters = parameters_of(parameters)
    if not isinstance(parameters, Parameters):
        raise TypeError("parameters= resumes from the Parameters a model returned (or load_model read); "
                        f"got {type(parameters).__name__}{model_pair_hint(parameters)}.")
    if parameters.network != net:
        raise ValueError(f"parameters= describe the network {parameters.network}, not {net}.")
    network_of(parameters)  # and their arrays are that network's: keys, shapes, dtypes (a dict can be edited)
    params = to_backend(dict(parameters), xp, device=device, dtype=dtype, name="parameters")
    for k, P in params.items():  # NaN weights gave "training diverged ... Try a smaller learning_rate" at epoch 1
        check_finite(P, xp=xp, name=f"parameters['{k}']")
    ts = parameters.training_state
    if ts is None:
        return params, None, 0
    if ts.get("optimizer") != opt.name:
        raise ValueError(f"these parameters were trained with {shown(ts.get('optimizer'))}; resume them with that "
                         f"optimizer, not {opt.name!r}; or start {opt.name!r} afresh from their weights with a copy "
                         "that forgets the state: p = parameters.copy(); p.training_state = None.")
    state = {k: v for k, v in ts.items() if k not in ("optimizer", "epochs")}
    check_state(state, params, opt)
    state = to_backend(state, xp, device=device, dtype=dtype, name="parameters.training_state")
    if "t" in state:
        state["t"] = update_count(state["t"])
    return params, state, int(ts.get("epochs", 0))


def _epoch_loop(params: dict, Xb: Any, Yf: Any, *, net: Network, xp: Any, optimizer: Any, learning_rate: float,
                batch_size: int | None, num_epochs: int, lambd: float = 0.0, keep_prob: float = 1.0,
                shuffle_seed: int = 10, decay: Any = None, decay_rate: float = 1.0, cost_every: int = 100,
                sync_every: int = 100, print_cost: bool = False, print_every: int = 1000,
                print_format: str = "Cost after {unit} {i}: {cost:f}", progress: bool | None = None,
                unit: str = "epoch", state: dict | None = None, compile: bool | str = "auto", start_epoch: int = 0,
                shuffle: str = "course", mean_in_dZ: bool = False) -> tuple[dict, dict, np.ndarray]:
    """Epochs of any optimizer over mini-batches (course 2): each epoch shuffles with
    RandomState(shuffle_seed + 1 + epoch) and steps through the batches in order; the epoch's
    cost is the mean over its examples. ``batch_size=None`` is full batch (no shuffle).
    ``shuffle="chunks"`` (dask X): :func:`backend_nn.chunked.shuffled_chunks` instead, the batches
    cut within each chunk. ``mean_in_dZ``: the step's (:func:`backend_nn.step.gradients`). Returns
    (parameters, optimizer state, the costs recorded every ``cost_every`` epochs)."""
    from .batches import batch_slices, shuffled
    from .regularization import Dropout, check_keep_prob, check_lambd, dropout_masks

    lambd, keep_prob = check_lambd(lambd), check_keep_prob(keep_prob)
    cost_every = check_positive("cost_every", cost_every, integer=True)
    sync_every = check_positive("sync_every", sync_every, integer=True)
    if batch_size is not None:
        shuffle_seed = check_shuffle_seed(shuffle_seed, start_epoch, num_epochs)
    per_chunk = chunked.check_shuffle(shuffle, Xb, batch_size)
    m = int(Xb.shape[1])
    if per_chunk and batch_size is not None:  # (per_chunk is a mini-batch run's)
        slices = chunked.chunk_slices(Xb.chunks[1], batch_size)
    else:
        slices = batch_slices(m, m if batch_size is None else batch_size)
    W1 = params["W1"]  # the masks in the training dtype, where the parameters live
    dropouts = {} if keep_prob == 1.0 else {
        w: Dropout(keep_prob, dropout_masks(net.layer_dims, w, keep_prob, xp=xp, dtype=W1.dtype, device=device_of(W1)))
        for w in {sl.stop - sl.start for sl in slices}}
    state = optimizer.init(params) if state is None else state
    run_epoch, choice = choose_epochs(net=net, optimizer=optimizer, xp=xp, slices=slices, lambd=lambd,
                                      dropouts=dropouts, compile=compile, X=Xb, Y=Yf, per_chunk=per_chunk,
                                      parameters=params, state=state, mean_in_dZ=mean_in_dZ)
    if per_chunk:
        reorder = chunked.shuffled_chunks
    elif streaming.is_host_data(Xb):
        reorder = streaming.shuffled
    else:
        reorder = chunked.shuffled if chunked.is_dask(Xb) else partial(shuffled, xp=xp)
    size = "full batch" if batch_size is None or batch_size >= m else f"batches of {batch_size}"
    _log.info("training %s on %s, %s, %s: %s", net, backend_name(xp), optimizer.name, size, choice)
    rec = Recorder(total=num_epochs, every=cost_every, unit=unit, print_cost=print_cost, print_every=print_every,
                    print_format=print_format, progress=progress, first=start_epoch, lambd=lambd,
                    masks_move=bool(dropouts) and batch_size is not None, scatters=len(slices) > 1,
                    desc=f"{backend_name(xp)}, {choice.path}, {optimizer.name}, {size}",
                    dropout=bool(dropouts), data=RunData(Xb, Yf, net=net))
    # a resumed run goes on with the schedule: epoch e trains at decay(learning_rate, e - 1), as it would have
    lr = learning_rate if decay is None or start_epoch == 0 else decay(learning_rate, start_epoch - 1, decay_rate)
    pending: list[Any] = []
    lr_lines: list[str] = []
    try:
        for epoch in range(num_epochs):
            done_before = start_epoch + epoch  # a resumed run goes on with the stream and the schedule
            # mini-batches are shuffled each epoch, one batch too (the course's random_mini_batches permutes the
            # columns whatever their number: the sums then run in its order); full batch is not
            if batch_size is None:
                Xs, Ys = Xb, Yf
            else:
                Xs, Ys = _shuffle_or_say(reorder, Xb, Yf, shuffle_seed + 1 + done_before)
            # the epoch's mean cost comes after updates: the limit needs the one before
            if epoch == 0 and len(slices) > 1:
                rec.start_before(*_start_cost(params, Xs, Ys, slices, net=net, xp=xp, lambd=lambd, dropouts=dropouts,
                                             compile=compile))
            params, state, total = run_epoch(params, state, Xs, Ys, lr)
            if epoch % cost_every == 0:
                pending.append(total / m)
            if decay is not None:
                lr = decay(learning_rate, done_before, decay_rate)
                if print_cost and done_before % print_every == 0:
                    lr_lines.append(f"learning rate after epoch {done_before}: {lr:f}")
            rec.advance(epoch + 1)
            if (epoch + 1) % sync_every == 0 or epoch + 1 == num_epochs:
                if pending:
                    rec.sync(xp.stack(pending), epoch + 1)
                    pending.clear()
                for line in lr_lines:  # after the cost of the same epoch, as the course prints them
                    rec.say(line)
                lr_lines.clear()
        last = start_epoch + num_epochs - 1  # this run's epochs; the recorder reports them after start_epoch
        rec.finish(params, num_epochs, total / m, f" in the last {unit}, {last}" if num_epochs > 1 else "",
                   compile=compile)
    finally:
        costs = rec.close()
    return params, state, costs


def _start_cost(params: dict, Xs: Any, Ys: Any, slices: list[slice], *, net: Network, xp: Any, lambd: float,
                dropouts: dict, compile: bool | str = "auto") -> tuple[Any, str]:
    """A mini-batch run's start: (the cost of ``params`` on the first :data:`START_EXAMPLES` examples of an
    epoch's shuffled data, whatever holds them (the backend, dask, or the host for streaming), as a 0-d array
    on the backend; which examples, as a phrase). The cost the epoch's costs are means of: each batch's
    L2 term (``slices``: the epoch's batches), and with dropout, batch by batch with each batch's masks (a
    network with dropout costs more than one without: with course 2's x10 initialization and keep_prob 0.2,
    12x on the moons, which a start without the masks called a divergence)."""
    from .batches import permutation
    from .regularization import dropout_for, l2_cost

    batch = slices[0].stop - slices[0].start
    fits = streaming.WINDOW_BYTES // (max(net.layer_dims) * np.dtype(dtype_name(params["W1"].dtype)).itemsize)
    m = int(Xs.shape[1])
    sl = slice(0, min(m, max(batch, min(START_EXAMPLES, fits))))
    if streaming.is_host_data(Xs):
        cols = np.arange(sl.start, sl.stop) if Xs.seed is None else permutation(Xs.shape[1], Xs.seed)[sl]
        Xm, Ym, _ = streaming.GenericTransfer(Xs, Ys, sl.stop - sl.start).put(Xs.host, Ys, cols)
    elif chunked.is_dask(Xs):
        Xm, Ym = chunked.columns(Xs, Ys, sl.start, sl.stop, xp=xp)
    else:
        Xm, Ym = Xs[:, sl], Ys[:, sl]
    if dropouts:  # the epoch's first batches within those examples (the first fits), each with its masks
        parts = [b for b in slices if b.stop <= sl.stop]
        sl = slice(0, parts[-1].stop)
        total = 0.0
        for b in parts:
            w = b.stop - b.start
            total = total + step.cost(params, Xm[:, b], Ym[:, b], net=net, xp=xp, dropout=dropout_for(dropouts, w)) * w
        if lambd:  # each batch's L2 term, lambd / (2 w) * sum ||W_l||^2, weighted by its w: lambd / 2 * sum, for each
            total = total + len(parts) * l2_cost(params, lambd, 1, xp=xp)
        cost = total / sl.stop
    else:
        cost = kept_program(step.cost, net=net, xp=xp, compile=compile)(dict(params), Xm, Ym)
        cost = cost + l2_cost(params, lambd, batch, xp=xp) if lambd else cost
    on = f"on all {m} examples" if sl.stop == m else f"on the epoch's first {sl.stop} of {m} examples"
    return cost, on + (", with the run's dropout masks" if dropouts else "")


def _shuffle_or_say(reorder: Any, Xb: Any, Yf: Any, seed: int) -> tuple[Any, Any]:
    """The epoch's shuffled data; where the shuffled copy does not fit, a MemoryError that says how to
    train without one (CuPy's OutOfMemoryError is a MemoryError too)."""
    try:
        return reorder(Xb, Yf, seed)
    except MemoryError as exc:
        raise MemoryError(f"{exc}. Each epoch shuffles a copy of X on the backend, and it does not fit: "
                          "stream=True keeps X on the host (a NumPy array or np.load(path, mmap_mode='r')) and "
                          "streams the batches in, with the same results.") from exc
