"""The models: gradient-descent training.

- ``nn_model``: the course's week-3 model (one hidden layer of n_h tanh units, or
  several hidden layers), its argument order and defaults;
- ``two_layer_model`` / ``L_layer_model``: the course's week-4 models, theirs;
- ``model``: course 2's models (optimizers, mini-batches; week 1's initialization and
  regularization models). Prediction is :mod:`backend_nn.prediction`.

All train through one loop, :func:`_train_loop`: a runner (the eager one, or the
fast path :func:`backend_nn.accelerate.choose_runner` picks) advances the steps on
the device; the recorded costs stay there as 0-d arrays and come to the host in one
transfer every ``sync_every`` iterations (default 1000). That is when divergence is
checked, the progress bar moves (the epoch loop also counts each epoch on it, without a sync) and
``print_cost`` prints; the trained parameters are checked for NaN and inf once, at the end. No
step forces a host sync.
"""

from __future__ import annotations

import inspect
import logging
import math
import sys
import warnings
from functools import partial
from typing import Any, Sequence

import numpy as np

from . import chunked, step, streaming
from .accelerate import Choice, check_compile, choose_epochs, choose_runner
from .activations import Activation, check_custom
from .backend import (array_namespace, backend_name, check_plain_array, count_true, device_of, get_namespace,
                      memory_of, namespace_of, to_backend, to_numpy)
from .initialization import check_scale, initialize_parameters_deep, resolve_dtype
from .network import Network, Parameters, TrainingResult
from .optimizers import (check_decay_rate, check_state, get_optimizer, schedule_lr_decay, update_count,
                         update_lr)
from .outputs import SOFTMAX, encode_labels, output_for
from .propagation import check_inputs
from .validation import (check_finite, check_flag, check_in_range, check_labels_shape, check_layer_dims, check_positive,
                         check_X_kind, check_X_Y, did_you_mean, dtype_name, host_labels, in_course_order, model_pair_hint,
                         user_stacklevel)

__all__ = ["nn_model", "two_layer_model", "L_layer_model", "model", "train_step", "TrainingDivergedError",
           "ConvergenceWarning"]


#: Which path each run takes (``logging.getLogger("backend_nn")`` at INFO; the CLI's --verbose shows it).
_log = logging.getLogger("backend_nn")

#: A cost above this many times its start (or above this many, where it started below 1), recorded or the run's last,
#: is divergence: gradient descent that works does not climb so far (with tanh or sigmoid units the
#: stable cost stays finite as the weights blow up, so waiting for a NaN would report a success).
DIVERGED_FACTOR = 10.0


def _limit(start: float) -> float:
    """The cost above which a run that started at ``start`` has diverged."""
    return DIVERGED_FACTOR * max(start, 1.0)


class ConvergenceWarning(UserWarning):
    """A run that finished with a higher cost than it started with: it did not learn (most often a
    learning rate too large for the cost to fall, though not so large that it explodes)."""


class TrainingDivergedError(FloatingPointError):
    """Training diverged: a NaN or infinite cost, one above :data:`DIVERGED_FACTOR` times its start
    (recorded, or the run's last), or NaN or inf weights at the end; ``iteration`` says where it was
    first seen."""

    def __init__(self, message: str, iteration: int) -> None:
        super().__init__(message)
        self.iteration = iteration


def _backend_for(X: Any, backend: Any) -> Any:
    """The namespace: the chosen backend, or X's own when ``backend`` is None."""
    if backend is not None or isinstance(X, (np.ndarray, list, tuple)):
        return get_namespace(backend)
    return namespace_of(X=X)


def _prepare_X(X: Any, *, xp: Any, dtype: Any, device: Any) -> Any:
    """X on the backend, once, checked (2-D, finite) and cast to the training dtype.

    Integer and boolean X are cast to ``dtype`` explicitly (like scikit-learn). The
    caller's arrays are never written to.
    """
    check_plain_array(X, "X")
    Xb = to_backend(X, xp, device=device, name="X")
    check_X_kind(Xb, xp=xp)
    if not xp.isdtype(Xb.dtype, "real floating"):
        Xb = xp.astype(Xb, dtype)
    check_finite(Xb, xp=xp)
    if Xb.dtype == dtype:
        return Xb
    if xp.finfo(dtype).bits < xp.finfo(Xb.dtype).bits:
        check_in_range(float(xp.max(xp.abs(Xb))), dtype)
    return xp.astype(Xb, dtype)


def _prepare_Y(Y: Any, Xb: Any, *, xp: Any) -> Any:
    """Y on X's backend and device, shape-checked against X (not yet encoded)."""
    check_plain_array(Y, "Y")
    Yb = to_backend(Y, xp, device=device_of(Xb), name="Y")
    namespace_of(X=Xb, Y=Yb)
    check_X_Y(Xb, Yb, xp=xp)
    return Yb


def _n_outputs(Y: Any, output: Any, *, xp: Any) -> int:
    """n_L from the labels: K rows of a (K, m) Y; for a (1, m) Y, 1 where it is 0/1 (binary) and
    no softmax is asked for, else the labels' K = max + 1 (labels 0..K-1)."""
    n = int(Y.shape[0])
    if n > 1:
        return n
    if output is not None and output_for(2, output) is not SOFTMAX:
        return 1
    if xp.isdtype(Y.dtype, "bool"):
        return 2 if output is not None else 1
    values = chunked.label_values(Y) if chunked.is_dask(Y) else np.unique(to_numpy(Y))
    finite = values[np.isfinite(values)]
    if output is None and np.all(np.isin(values, (0, 1))):
        return 1
    K = finite.size
    if not (finite.size == values.size and K >= 2 and np.array_equal(finite, np.arange(K))):
        shown = "[" + ", ".join(map(str, finite[:10].tolist())) + (", ...]" if K > 10 else "]")
        raise ValueError(
            f"Y must hold 0/1 labels (binary) or class labels 0..K-1 with every class present; it holds "
            f"{shown}{' and NaN or inf' if finite.size < values.size else ''}. "
            "Number the classes 0..K-1 (np.unique(Y, return_inverse=True)[1] does it); to keep classes that are "
            "absent from Y, give their number, L_layer_model(X, Y, [n_x, ..., K]), or a one-hot Y (K, m)."
            + (" Fractional values are targets of a sigmoid output only where it is asked for: output='sigmoid'."
               if output is None and np.any(finite != np.round(finite)) else "")
        )
    return K


def _progress_bar(total: int, enabled: bool | None, desc: str):
    """tqdm's bar on stderr: by default when stderr is a terminal and the run is long."""
    asked = enabled is True
    if enabled is None:
        enabled = sys.stderr.isatty() and total >= 2000
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is a dependency; an install without it runs without the bar
        if asked:
            warnings.warn("progress=True needs tqdm, which is not installed (pip install tqdm); the run goes on "
                          "without the bar.", UserWarning, stacklevel=user_stacklevel())
        return None
    return tqdm(total=total, desc=desc, unit="it", dynamic_ncols=True, leave=True,
                file=sys.stderr)


class _Recorder:
    """The costs a loop records, brought home in one transfer per sync: the divergence check, the
    print_cost lines and the progress bar, for any loop (``unit``: "iteration" or "epoch").

    The k-th recorded cost is that of this run's unit ``k * every``; ``first`` is the number of units
    done before this run (a resumed one), which every printed or reported unit counts from, so that a
    resumed run goes on with the numbers where the first one stopped."""

    def __init__(self, *, total: int, every: int, unit: str, print_cost: bool, print_every: int,
                 print_format: str, progress: bool | None, desc: str, first: int = 0, lambd: float = 0.0) -> None:
        self.every, self.unit, self.first = every, unit, first
        # what a diverged or rising run is told to try: the step, and the L2 term where it has one
        # (learning_rate * lambd / m above 2 makes the weight decay itself overshoot)
        self.advice = "Try a smaller learning_rate" + (" or lambd." if lambd else ".")
        self.print_cost, self.print_every, self.print_format = print_cost, print_every, print_format
        self.bar = _progress_bar(total, progress, desc)
        self.say = print if self.bar is None else (lambda text: self.bar.write(text, file=sys.stdout))
        self.costs: list[float] = []
        self.finished = False  # set by finish(): the run ended with finite parameters
        self.end: tuple[float, str] | None = None  # set by finish(): (the run's last cost, where it was taken)
        # NumPy's floating-point warnings (overflow in matmul, ...) are held for the run: they come
        # before a TrainingDivergedError that says more, and point into the library; a run that
        # ends well reports them once, at the user's line. The user's "raise" or "ignore" stays.
        self.float_errors: dict[str, int] = {}
        modes = {k: ("call" if v == "warn" else v) for k, v in np.geterr().items()}
        self._errstate = np.errstate(**modes, call=self._float_error)
        self._errstate.__enter__()

    def _float_error(self, kind: str, flag: int) -> None:
        self.float_errors[kind] = self.float_errors.get(kind, 0) + 1

    def _at(self, k: int) -> int:
        """The unit of the k-th recorded cost, counted from the start of the first run."""
        return self.first + k * self.every

    def sync(self, chunk: Any, done: int) -> None:
        """Record a 1-d device array of costs (the loop's only host sync); ``done`` units so far."""
        new = to_numpy(chunk).astype(np.float64).reshape(-1)
        recorded, every, unit = self.costs, self.every, self.unit
        start = recorded[0] if recorded else (float(new[0]) if new.size else 0.0)
        ceiling = _limit(start)
        bad = np.flatnonzero(~np.isfinite(new) | (new > ceiling))
        if bad.size:
            k = len(recorded) + int(bad[0])
            it = self._at(k)
            finite = bool(np.isfinite(new[bad[0]]))
            what = f"rose from {start:.6g} at {unit} {self._at(0)} to" if finite else "is"
            limit = f" (the limit is {ceiling:g})" if finite else ""
            window = ""
            if k and every > 1:
                window = (f"; it was {([*recorded, *new.tolist()])[k - 1]:.6g} at {unit} {it - every}, so the run "
                          f"diverged between {unit}s {it - every + 1} and {it} (costs are recorded every {every} "
                          f"{unit}s)")
            seen = [*recorded, *new[: bad[0]].tolist()]
            advice = self.advice
            if seen and min(seen) < 0:  # a cross-entropy of targets in [0, 1] is never negative
                advice = (f"The cost fell below 0 first (to {min(seen):.6g}): Y's targets outside [0, 1] give the "
                          "cross-entropy no lower bound; for classification, give 0/1 labels.")
            raise TrainingDivergedError(
                f"training diverged: the cost {what} {new[bad[0]]:.6g} at {unit} {it}{limit}{window}. {advice}",
                iteration=it,
            )
        for k, c in enumerate(new, start=len(recorded)):
            if self.print_cost and self._at(k) % self.print_every < every:
                self.say(self.print_format.format(unit=self.unit, i=self._at(k), cost=c))
        recorded.extend(new.tolist())
        if self.bar is not None:
            self.bar.set_postfix_str(f"cost {recorded[-1]:.6f} ({unit} {self._at(len(recorded) - 1)})", refresh=False)
            self.bar.update(done - self.bar.n)

    def last(self, chunk: Any, done: int) -> None:
        """The cost of the last of ``done`` steps, printed but not recorded (the course's week-4 models
        print it after the every-100 lines; their costs list keeps the every-100 ones)."""
        cost = float(to_numpy(chunk).astype(np.float64).reshape(-1)[0])
        if not math.isfinite(cost):
            raise TrainingDivergedError(f"training diverged: the cost is {cost} at {self.unit} "
                                        f"{self.first + done - 1}. {self.advice}",
                                        iteration=self.first + done - 1)
        if self.print_cost:
            self.say(self.print_format.format(unit=self.unit, i=self.first + done - 1, cost=cost))
        self.advance(done)

    def finish(self, parameters: dict, done: int, last_cost: Any = None, last_is: str = "") -> None:
        """The end of a run, checked once (one more host sync or two): the steps after the last recorded
        cost can diverge too, and their parameters are what the run returns. They must hold no NaN or
        inf; ``last_cost`` (a 0-d device array: the returned parameters' cost, or the last epoch's,
        ``last_is`` says which, as a phrase after the number) must stay finite and under the divergence
        limit, and is the run's end in the check that the cost fell (:meth:`close`)."""
        arrays = list(parameters.values())
        xp = array_namespace(*arrays)
        bad = to_numpy(xp.stack([count_true(~xp.isfinite(P), xp) for P in arrays]))
        if bad.any():
            where = ", ".join(f"{k}: {int(n)} of {math.prod(P.shape)}" for (k, P), n in zip(parameters.items(), bad)
                              if n)
            last = (f"; the last recorded cost, {self.costs[-1]:.6g} at {self.unit} "
                    f"{self._at(len(self.costs) - 1)}, was finite, so it diverged after that") if self.costs else ""
            raise TrainingDivergedError(
                f"training diverged: after {self.unit} {self.first + done} the parameters hold NaN or inf values "
                f"({where}){last}. {self.advice}",
                iteration=self.first + done,
            )
        if last_cost is not None and self.costs:
            cost, start = float(to_numpy(last_cost)), self.costs[0]
            ceiling = _limit(start)
            if not math.isfinite(cost) or cost > ceiling:
                k = len(self.costs) - 1
                last = (f"; the last recorded cost, {self.costs[k]:.6g} at {self.unit} {self._at(k)}, was under "
                        "it, so it diverged after that") if k else ""
                raise TrainingDivergedError(
                    f"training diverged: the cost rose from {start:.6g} at {self.unit} {self._at(0)} to {cost:.6g}"
                    f"{last_is} (the limit is {ceiling:g}){last}. {self.advice}",
                    iteration=self.first + done,
                )
            self.end = (cost, last_is)
        self.finished = True

    def advance(self, done: int) -> None:
        """Move the bar to ``done`` units without bringing a cost home (long epochs show progress)."""
        if self.bar is not None and done > self.bar.n:
            self.bar.update(done - self.bar.n)

    def close(self) -> np.ndarray:
        """The recorded costs. The bar is closed first, so that a warning about a finished run is a
        line of its own: NumPy's floating-point errors met on the way, and a cost that ended above
        its start (the run did not learn)."""
        self._errstate.__exit__(None, None, None)
        if self.bar is not None:
            self.bar.close()
        costs = self.costs
        if self.finished and self.float_errors:
            seen = ", ".join(f"{kind} ({n}x)" for kind, n in self.float_errors.items())
            warnings.warn(f"NumPy met floating-point errors in the training's arithmetic: {seen}; the costs and "
                          "parameters the run returns are finite, but a smaller learning_rate may be safer.",
                          RuntimeWarning, stacklevel=user_stacklevel())
        ends = []  # the run's last cost (where finish() had one), then its last recorded one
        if self.finished and self.end is not None:
            ends.append(self.end)
        if self.finished and len(costs) > 1:
            ends.append((costs[-1], f" at {self.unit} {self._at(len(costs) - 1)}"))
        rose = [(c, where) for c, where in ends if c > costs[0] * (1 + 1e-6)]  # not a rounding of a flat run
        if rose:
            warnings.warn(f"the cost rose over the run, from {costs[0]:.6g} at {self.unit} {self._at(0)} to "
                          f"{rose[0][0]:.6g}{rose[0][1]}: the run did not learn, and its parameters are those of "
                          f"the last {self.unit}. {self.advice}", ConvergenceWarning,
                          stacklevel=user_stacklevel())
        return np.asarray(costs, dtype=np.float64)


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
    rec = _Recorder(total=num_iterations, every=cost_every, unit="iteration", print_cost=print_cost,
                    print_every=print_every, print_format=print_format, progress=progress,
                    desc=f"{backend_name(xp)}, {choice.path}")
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
        final = (chunked.cost if chunked.is_dask(X) else step.cost)(parameters, X, Y, net=net, xp=xp)
        rec.finish(parameters, num_iterations, final,
                   f" for the returned parameters after iteration {rec.first + num_iterations}")
    finally:
        costs = rec.close()
    return parameters, costs, choice


def _prepare_data(X: Any, Y: Any, *, backend: Any, dtype: Any, device: Any, chunks: Any = None,
                  stream: Any = False, batch_size: int | None = None):
    """(xp, dtype, X, Y): the data checked and on their backend (Y not yet encoded). A dask X, or
    backend="dask", keeps the data in dask arrays chunked over the examples; xp is then the
    library of their chunks, which the parameters use (:mod:`backend_nn.chunked`). Host data that
    are to be streamed (:func:`backend_nn.streaming.wanted`) stay on the host, X as a
    :class:`~backend_nn.streaming.HostData`, Y a NumPy array."""
    Y = host_labels(Y)
    if chunked.is_dask(X) or chunked.is_dask(Y) or backend == "dask":
        if backend not in (None, "dask"):
            raise ValueError(f"X is a dask array; leave backend= unset (the chunks' library is used) or give "
                             f"backend='dask', not {backend!r}.")
        if streaming.check_stream(stream) is True:
            raise ValueError("stream=True streams host data; dask data are read chunk by chunk already (leave "
                             "stream unset).")
        xp, Xb, Yb = chunked.prepare_X_Y(X, Y, dtype=dtype, chunks=chunks)
        return xp, Xb.dtype, Xb, Yb
    if chunks is not None:
        raise ValueError("chunks= is for dask arrays: give backend='dask' (or a dask X) with it.")
    xp = _backend_for(X, backend)
    dt = resolve_dtype(dtype, xp)
    if streaming.wanted(stream, X, Y, xp, dtype=dt, device=device, batch_size=batch_size):
        Xh, Yh = streaming.prepare(X, Y, xp=xp, dtype=dt, device=device)
        return xp, dt, Xh, Yh
    Xb = _prepare_X(X, xp=xp, dtype=dt, device=device)
    return xp, dt, Xb, _prepare_Y(Y, Xb, xp=xp)


def _encode(Y: Any, n_y: int, net: Network, *, dtype: Any, xp: Any, Xb: Any = None) -> Any:
    if chunked.is_dask(Y):
        return chunked.encode(Y, n_y, net.output, dtype=dtype, xp=xp)
    if streaming.is_host_data(Xb):  # streamed: the labels stay on the host, gathered with X's windows
        return np.ascontiguousarray(encode_labels(Y, n_y, net.output, dtype=Xb.host_dtype, xp=_data_xp(Xb, xp)))
    return encode_labels(Y, n_y, net.output, dtype=dtype, xp=xp)


def _data_xp(Xb: Any, xp: Any) -> Any:
    """The namespace the data are in: the backend's, or the host's for streamed data."""
    return streaming.host_namespace() if streaming.is_host_data(Xb) else xp


def _place(Xb: Any, Yf: Any) -> tuple[Any, Any]:
    """Dask data kept in the workers' memory where they fit (else read from their source per step)."""
    return chunked.place(Xb, Yf) if chunked.is_dask(Xb) else (Xb, Yf)


def _device(Xb: Any) -> Any:
    """Where the parameters go: X's device (a dask X's chunks: the library's default; streamed
    host data: the device they are streamed to)."""
    if streaming.is_host_data(Xb):
        return Xb.device
    return None if chunked.is_dask(Xb) else device_of(Xb)


def _examples_at_once(Xb: Any, batch: int | None = None) -> int:
    """The most examples one step holds: X's (or a dask chunk's) columns, at most one batch."""
    m = max(Xb.chunks[1]) if chunked.is_dask(Xb) else int(Xb.shape[1])
    return m if batch is None else min(m, batch)


def _fit(X: Any, Y: Any, hidden_sizes: Sequence[int], *, activation: Any, negative_slope: float, output: Any,
         num_iterations: int, learning_rate: float, backend: Any, device: Any, dtype: Any, seed: int, init: str,
         init_scale: float, cost_every: int, sync_every: int, print_cost: bool, print_every: int,
         print_format: str, progress: bool | None, compile: bool | str, n_y: int | None = None, n_x: int | None = None,
         optimizer: Any = "gd", batch_size: int | None = None, lambd: float = 0.0, keep_prob: float = 1.0,
         beta: float = 0.9, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8,
         shuffle_seed: int = 10, chunks: Any = None, shuffle: str = "course",
         stream: Any = "auto", print_last: bool = False, mean_in_dZ: bool = False) -> tuple[Parameters, np.ndarray]:
    """What every model shares: data onto the backend, the network, initialization, the loop:
    the runners (full-batch gradient descent, where the fast paths are) or, with another
    optimizer, mini-batches, L2 or dropout, the epoch loop (num_iterations counts epochs).
    ``mean_in_dZ``: the gradients rounded as course 2's init_utils and opt_utils round them
    (:func:`backend_nn.propagation.backward_pass`)."""
    from .regularization import check_keep_prob, check_lambd

    opt = get_optimizer(optimizer, beta=beta, beta1=beta1, beta2=beta2, epsilon=epsilon)
    lambd, keep_prob = check_lambd(lambd), check_keep_prob(keep_prob)
    compile = check_compile(compile)
    init_scale = check_scale(init_scale, "init_scale")
    if batch_size is not None:
        batch_size = check_positive("batch_size", batch_size, integer=True)
    num_iterations = check_positive("num_iterations", num_iterations, integer=True)
    learning_rate = check_positive("learning_rate", learning_rate, integer=False)
    cost_every = check_positive("cost_every", cost_every, integer=True)
    sync_every = check_positive("sync_every", sync_every, integer=True)
    print_cost, progress = check_flag("print_cost", print_cost), check_flag("progress", progress, none=True)
    xp, dt, Xb, Yb = _prepare_data(X, Y, backend=backend, dtype=dtype, device=device, chunks=chunks, stream=stream,
                                   batch_size=batch_size)
    chunked.check_shuffle(shuffle, Xb)
    if n_x is not None:
        _layers_dims([n_x, n_y or 1], Xb)  # layers_dims[0] against X's rows, before any work
    n_y = _n_outputs(Yb, output, xp=_data_xp(Xb, xp)) if n_y is None else n_y
    net = _run_network([int(Xb.shape[0]), *hidden_sizes, n_y], activation, output, negative_slope=negative_slope,
                       Xb=Xb, batch=batch_size, dtype=dt, xp=xp)
    Xb, Yf = _place(Xb, _encode(Yb, n_y, net, dtype=dt, xp=xp, Xb=Xb))
    parameters = initialize_parameters_deep(
        net.layer_dims, seed=seed, init=init, scale=init_scale, dtype=dt, backend=xp, device=_device(Xb)
    )
    if opt.name != "gd" or batch_size is not None or lambd or keep_prob != 1.0:
        params, state, costs = _epoch_loop(
            parameters, Xb, Yf, net=net, xp=xp, optimizer=opt, learning_rate=learning_rate, batch_size=batch_size,
            num_epochs=num_iterations, lambd=lambd, keep_prob=keep_prob, shuffle_seed=shuffle_seed,
            cost_every=cost_every, sync_every=sync_every, print_cost=print_cost, print_every=print_every,
            print_format=print_format, progress=progress, unit="iteration" if batch_size is None else "epoch",
            compile=compile, shuffle=shuffle, mean_in_dZ=mean_in_dZ,
        )
        return TrainingResult(Parameters(params, network=net, training_state=_training_state(opt, state, num_iterations)),
                              costs)
    params, costs, _ = _train_loop(
        parameters, Xb, Yf, net=net, xp=xp, learning_rate=learning_rate, num_iterations=num_iterations,
        cost_every=cost_every, sync_every=sync_every, print_cost=print_cost, print_every=print_every,
        print_format=print_format, progress=progress, compile=compile, print_last=print_last, mean_in_dZ=mean_in_dZ,
    )
    return TrainingResult(Parameters(params, network=net), costs)


def train_step(parameters: dict, X: Any, Y: Any, *, learning_rate: float, net: Network | None = None,
               xp: Any = None, check: bool = True) -> tuple[dict, Any]:
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

    Returns
    -------
    parameters : new Parameters that carry ``net`` (the caller's arrays are not written to)
    cost : J before the step, a 0-d array on the device

    The fast paths (:mod:`backend_nn.accelerate`) compile :func:`backend_nn.step.train_step`, this
    step without the checks.
    """
    if net is None:
        if not isinstance(parameters, Parameters):
            raise TypeError("a plain dict of parameters does not say its network: pass net=, e.g. "
                            "net=Network.build(layer_dims, 'relu'), or the Parameters a model returned.")
        net = parameters.network
    elif not isinstance(net, Network):
        raise TypeError(f"net must be a Network (Network.build(layer_dims, activation), or Parameters.network); "
                        f"got {type(net).__name__} {net!r}.")
    elif isinstance(parameters, Parameters) and parameters.network != net:
        raise ValueError(f"net is {net}, but these parameters are {parameters.network}.")
    learning_rate = check_positive("learning_rate", learning_rate, integer=False)
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
    new, cost = step.train_step(dict(parameters), X, Yf, net=net, learning_rate=learning_rate, xp=xp)
    return Parameters(new, network=net), cost


def _run_network(layer_dims: list[int], activation: Any, output: Any, *, negative_slope: float, Xb: Any,
                 batch: int | None, dtype: Any, xp: Any) -> Network:
    """A run's network, checked before any work: its largest step fits the backend's memory, and an
    activation of the user's is tried once (:func:`backend_nn.activations.check_custom`)."""
    net = Network.build(layer_dims, activation, output, negative_slope=negative_slope)
    _check_fits(net, _examples_at_once(Xb, batch), dtype=dtype, xp=xp, device=_device(Xb))
    _check_activations(net, xp=xp, dtype=dtype, device=_device(Xb))
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
                f"a network of layer sizes {list(dims)} on m = {m} examples needs about {bytes_needed / 2**30:,.1f} GiB "
                f"({dtype_name(dtype)}: {P:,} parameters, their gradients, and each layer's activations), more than "
                f"the {limit / 2**30:,.1f} GiB of {place}. Choose smaller layers or fewer examples."
            )


def _hidden_sizes(n_h: Any, name: str = "n_h") -> list[int]:
    """n_h: one hidden layer's size, or a sequence of sizes, one per hidden layer (``name``: what the
    caller called it, for the errors)."""
    one = isinstance(n_h, (int, np.integer)) or not hasattr(n_h, "__iter__")
    sizes = [n_h] if one else list(n_h)
    if not sizes:
        raise ValueError(f"{name} must be a positive integer or a non-empty list of hidden-layer sizes; got [].")
    return [check_positive(name if one else f"{name}[{i}]", n, integer=True) for i, n in enumerate(sizes)]


def nn_model(
    X: Any,
    Y: Any,
    n_h: int | Sequence[int],
    num_iterations: int = 10000,
    print_cost: bool = False,
    *,
    learning_rate: float = 1.2,
    activation: str | Activation | Sequence[str] = "tanh",
    negative_slope: float = 0.01,
    output: str | None = None,
    backend: Any = None,
    device: Any = None,
    dtype: Any = "float64",
    seed: int = 2,
    init: str = "random",
    init_scale: float = 0.01,
    cost_every: int = 100,
    sync_every: int = 1000,
    progress: bool | None = None,
    compile: bool | str = "auto",
    optimizer: str = "gd",
    batch_size: int | None = None,
    lambd: float = 0.0,
    keep_prob: float = 1.0,
    chunks: int | None = None,
    shuffle: str = "course",
    stream: bool | str = "auto",
) -> tuple[Parameters, np.ndarray]:
    """Train the course's week-3 network by full-batch gradient descent (or a deeper one).

    Parameters
    ----------
    X : array (n_x, m)
        Training inputs, examples as columns (NumPy data or an array of the backend).
    Y : array (1, m) or (K, m)
        Labels: 0/1 (bool or numbers) for a binary sigmoid output; class labels 0..K-1
        (1, m) or one-hot (K, m) for a softmax output over K classes.
    n_h : int or sequence of int
        Size of the hidden layer, or the sizes of several hidden layers ([32, 16]).
    num_iterations : int
        Gradient-descent steps (course: 10000).
    print_cost : bool
        Print "Cost after iteration i: J" every 1000 iterations, as the course does.
    learning_rate : float, keyword-only
        Step size (course: 1.2).
    activation : str or list of str
        Hidden activation: "tanh" (course), "relu", "sigmoid", "leaky_relu", "linear";
        one name for all hidden layers or one per hidden layer.
    negative_slope : float
        Slope of leaky ReLU below 0 (course: 0.01).
    output : "sigmoid" or "softmax", optional
        Default: sigmoid where Y is (1, m) of 0/1, softmax for class labels or one-hot Y.
    backend : str or namespace, optional
        "numpy", "cupy", "auto", "array_api_strict", "torch", "jax" or a
        namespace. Default: the library of X (NumPy for host data; for a dask array, the
        library of its chunks, trained chunk by chunk on dask's scheduler). "dask" moves host
        data into a dask array of ``chunks`` examples per chunk (:mod:`backend_nn.chunked`).
    device : optional
        Device of the backend (e.g. a CuPy device id); default: X's device.
    dtype : "float64" (default) or "float32"
        Integer or boolean X is cast to this dtype.
    seed, init, init_scale :
        Initialization (:mod:`backend_nn.initialization`): ``RandomState(seed)``, W = randn *
        init_scale (course: seed 2, 0.01); "zeros", "xavier", "he".
    cost_every : int
        Record the cost every ``cost_every`` iterations (1 records every step).
    sync_every : int
        Bring recorded costs to the host (check for divergence, update the
        progress bar, print) every ``sync_every`` iterations.
    progress : bool, optional
        Show a progress bar (tqdm) on stderr; default: when stderr is a terminal and the
        run is long (num_iterations >= 2000).
    compile : "auto" (default), True or False
        The backend's fast path (:data:`backend_nn.accelerate.FAST_PATHS`), each tested
        against the generic step: jax.jit of the whole chunk between syncs; on CuPy the
        fused whole-chunk kernel (small binary shallow networks), else a CUDA graph of the
        step with the hidden lines as kernels; on NumPy the hidden lines tile by tile in
        cache (from n_l * m = 2**16); torch.compile of the step. "auto" takes each of them
        where it supports the network, except torch.compile (its compile time is more than
        it saves on a short run), and goes on without a path that fails to build, with a
        :class:`~backend_nn.accelerate.FastPathWarning`. True takes torch.compile too and
        raises such failures; False is the eager step. The progress bar and the
        ``backend_nn`` logger (INFO) say which path runs.
    optimizer, batch_size, lambd, keep_prob :
        Course 2: "gd" (default), "momentum" or "adam" (the course's betas and epsilon);
        mini-batches of ``batch_size`` shuffled each epoch as :func:`model` does; L2 (lambd)
        and inverted dropout (keep_prob). With any of them the epoch loop runs (its fast paths
        are chosen by :func:`backend_nn.accelerate.choose_epochs`) and ``num_iterations`` counts
        epochs; with ``batch_size`` the printed lines say "Cost after epoch i", J averaged over
        the epoch as :func:`model`'s.
    chunks : int, optional
        With backend="dask": examples per chunk (default: dask's "auto", about 128 MiB a chunk);
        a dask X is rechunked over its columns to it.
    shuffle : "course" (default) or "chunks"
        How mini-batch epochs shuffle. "course": the course's permutation of all m examples. "chunks"
        (dask X only): each epoch visits the chunks in a shuffled order, each chunk's columns shuffled
        within it, and cuts the batches within each chunk (each chunk's last batch may be smaller);
        drawn from RandomState(epoch's seed) on the host, so the same on every backend, but not the
        course's stream (:func:`backend_nn.chunked.shuffled_chunks`). Faster: no batch gathers columns
        from every chunk, and data read from Zarr are read once an epoch.
    stream : "auto" (default), True or False
        With mini-batches (``batch_size``), host data (a NumPy array, or a memory-mapped .npy from
        ``np.load(path, mmap_mode="r")``) may stay on the host and be streamed to the backend window
        by window, the next window copied while the current one trains (:mod:`backend_nn.streaming`):
        the same batches in the same order as in memory, so the same results. "auto" streams where
        the data and an epoch's shuffled copy would not fit the backend's free memory; True always
        streams host data; False never does. A memory map is best stored example by example (an
        (m, n_x) file, passed as its ``.T``): each example is then read as one piece.

    Returns
    -------
    parameters : Parameters
        W1 (n_1, n_x), b1 (n_1, 1), ..., WL (n_y, n_{L-1}), bL (n_y, 1) on the backend;
        a dict whose ``.network`` says the layer sizes, activations and output.
    costs : numpy.ndarray (ceil(num_iterations / cost_every),)
        costs[k] is the cost at iteration k * cost_every, before that step's update.

    Raises
    ------
    TrainingDivergedError
        When a recorded cost is NaN or infinite, or has risen above 10 times its start (try a
        smaller learning rate); it names the iteration and the window the run diverged in. Also
        for the steps after the last recorded cost: when the trained parameters hold NaN or inf,
        or their cost (one forward pass at the end) is above that limit.

    Warns
    -----
    ConvergenceWarning
        When the run ends (the trained parameters' cost, or the last recorded one) above its first
        cost without reaching that limit: the run did not learn. The parameters and costs are
        returned all the same.
    """
    return _fit(
        X, Y, _hidden_sizes(n_h), activation=activation, negative_slope=negative_slope, output=output,
        num_iterations=num_iterations, learning_rate=learning_rate, backend=backend, device=device, dtype=dtype,
        seed=seed, init=init, init_scale=init_scale, cost_every=cost_every, sync_every=sync_every,
        print_cost=print_cost, print_every=1000, print_format="Cost after {unit} {i}: {cost:f}",
        progress=progress, compile=compile, optimizer=optimizer, batch_size=batch_size, lambd=lambd,
        keep_prob=keep_prob, chunks=chunks, shuffle=shuffle, stream=stream,
    )


def _layers_dims(layers_dims: Any, X: Any) -> list[int]:
    dims = check_layer_dims(layers_dims, "layers_dims")
    n_x = int(X.shape[0]) if hasattr(X, "shape") and len(X.shape) == 2 else None
    if n_x is not None and dims[0] != n_x:
        hint = " — did you mean X.T? (examples go in columns)" if int(X.shape[1]) == dims[0] else ""
        raise ValueError(f"layers_dims[0] = {dims[0]} must be n_x, the number of rows of X {tuple(X.shape)}{hint}.")
    return dims


def L_layer_model(
    X: Any,
    Y: Any,
    layers_dims: Sequence[int],
    learning_rate: float = 0.0075,
    num_iterations: int = 3000,
    print_cost: bool = False,
    *,
    activation: str | Sequence[str] = "relu",
    negative_slope: float = 0.01,
    output: str | None = None,
    backend: Any = None,
    device: Any = None,
    dtype: Any = "float64",
    seed: int = 1,
    init: str = "xavier",
    init_scale: float = 0.01,
    cost_every: int = 100,
    sync_every: int = 1000,
    progress: bool | None = None,
    compile: bool | str = "auto",
    optimizer: str = "gd",
    batch_size: int | None = None,
    lambd: float = 0.0,
    keep_prob: float = 1.0,
    chunks: int | None = None,
    shuffle: str = "course",
    stream: bool | str = "auto",
) -> tuple[Parameters, list[np.ndarray]]:
    """The course's week-4 L-layer model: [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID.

    Parameters
    ----------
    X : array (n_x, m)
    Y : array (1, m) of 0/1 for n_L = 1 (or fractional targets, as the course's equations take
        them: soft labels, and values outside [0, 1] with a warning); class labels 0..K-1 (1, m)
        or one-hot (K, m) for n_L = K > 1 (a softmax output).
    layers_dims : list [n_x, n_1, ..., n_L]
    learning_rate, num_iterations, print_cost :
        The course's (0.0075, 3000, False); print_cost prints every 100 iterations and the last one
        ("Cost after iteration 2999: ..."), as the course's loop does.
    activation : hidden activation(s), "relu" (course) or one per hidden layer.
    output : "sigmoid" (n_L = 1) or "softmax" (n_L > 1) by default.
    seed, init : the week-4 application's initialization: seed 1, W_l = randn / sqrt(n_{l-1}).
    optimizer, batch_size, lambd, keep_prob : course 2's, as in :func:`nn_model`.
    chunks, shuffle : with dask data, as in :func:`nn_model`.
    stream : host data streamed to the backend in windows, as in :func:`nn_model`.
    Other options as in :func:`nn_model`.

    Returns
    -------
    (parameters, costs) : Parameters, and the list of costs recorded every 100 iterations, each a
    0-d NumPy float64 array, as the course's loop appends them (its ``compute_cost`` returns
    ``np.squeeze(cost)``) and its tests check them (``[np.array(0.70723944)]``: the type and the
    shape ()). ``float(c)`` gives a Python float; ``plot_costs(costs)`` takes the list as it is.
    """
    dims = _layers_dims(layers_dims, X)
    params, costs = _fit(
        X, Y, dims[1:-1], activation=activation, negative_slope=negative_slope, output=output,
        num_iterations=num_iterations, learning_rate=learning_rate, backend=backend, device=device, dtype=dtype,
        seed=seed, init=init, init_scale=init_scale, cost_every=cost_every, sync_every=sync_every,
        print_cost=print_cost, print_every=100, print_format="Cost after {unit} {i}: {cost}",
        progress=progress, compile=compile, n_y=dims[-1], n_x=dims[0], optimizer=optimizer, batch_size=batch_size,
        lambd=lambd, keep_prob=keep_prob, chunks=chunks, shuffle=shuffle, stream=stream, print_last=True,
    )
    # the costs as 0-d arrays (not np.float64 scalars), the course's type
    return TrainingResult(params, [np.asarray(c) for c in costs.tolist()])


def two_layer_model(
    X: Any,
    Y: Any,
    layers_dims: Sequence[int],
    learning_rate: float = 0.0075,
    num_iterations: int = 3000,
    print_cost: bool = False,
    **options: Any,
) -> tuple[Parameters, list[np.ndarray]]:
    """The course's week-4 two-layer model: LINEAR -> RELU -> LINEAR -> SIGMOID.

    layers_dims = (n_x, n_h, n_y). Initialized as the course's week-4
    ``initialize_parameters``: seed 1, W = randn * 0.01. Other options (keyword-only) as in
    :func:`L_layer_model`. Returns (parameters, costs), costs every 100 iterations (0-d arrays,
    as :func:`L_layer_model`'s).
    """
    dims = list(layers_dims) if hasattr(layers_dims, "__iter__") else layers_dims
    if not isinstance(dims, list) or len(dims) != 3:
        raise ValueError(f"two_layer_model takes layers_dims = (n_x, n_h, n_y); got {layers_dims!r}.")
    options.setdefault("init", "random")
    return L_layer_model(X, Y, dims, learning_rate, num_iterations, print_cost, **options)


# --- course 2: mini-batches and optimizers -------------------------------------------------------------
def _decay_rule(decay: Any):
    """The course's decay argument: None, a function (update_lr, schedule_lr_decay) or its name; a
    function of one's own is checked for its arguments here and for each rate it returns."""
    if decay is None:
        return None
    rules = {"update_lr": update_lr, "schedule_lr_decay": schedule_lr_decay}
    if not callable(decay):
        if decay not in rules:
            raise ValueError(f"decay must be None, a function of (learning_rate0, epoch_num, decay_rate), or one of "
                             f"{list(rules)}; got {decay!r}.")
        return rules[decay]
    if decay in rules.values():
        return decay
    try:
        inspect.signature(decay).bind(0.1, 0, 1.0)
    except TypeError as exc:
        raise TypeError(f"decay must be a function of (learning_rate0, epoch_num, decay_rate), as update_lr is; "
                        f"{getattr(decay, '__name__', decay)!r} cannot be called so: {exc}.") from None
    except ValueError:  # no signature to read (a builtin): it is called as it is
        pass

    def checked(learning_rate0: float, epoch_num: int, decay_rate: float) -> float:
        """The user's rule, whose rate must be a number >= 0: a negative one would climb the cost in silence."""
        rate = decay(learning_rate0, epoch_num, decay_rate)
        try:
            value = float(rate)
        except (TypeError, ValueError):
            value = math.nan
        if not (value >= 0 and math.isfinite(value)):
            raise ValueError(f"decay({learning_rate0}, {epoch_num}, {decay_rate}) returned {rate!r}; it must return "
                             "the epoch's learning rate, a finite number >= 0.")
        return value

    return checked


def model(
    X: Any,
    Y: Any,
    layers_dims: Sequence[int] | None = None,
    optimizer: Any = None,
    learning_rate: float | None = None,
    mini_batch_size: int = 64,
    beta: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
    num_epochs: int = 5000,
    print_cost: bool = True,
    decay: Any = None,
    decay_rate: float = 1,
    *,
    lambd: float = 0.0,
    keep_prob: float = 1.0,
    activation: Any = "relu",
    negative_slope: float = 0.01,
    output: str | None = None,
    backend: Any = None,
    device: Any = None,
    dtype: Any = "float64",
    seed: int = 3,
    init: str | None = None,
    init_scale: float = 0.01,
    shuffle_seed: int = 10,
    cost_every: int | None = None,
    sync_every: int = 100,
    progress: bool | None = None,
    compile: bool | str = "auto",
    parameters: Parameters | None = None,
    chunks: int | None = None,
    shuffle: str = "course",
    stream: bool | str = "auto",
    initialization: str | None = None,
    num_iterations: int | None = None,
) -> tuple[Parameters, list[float]]:
    """The course's mini-batch model (course 2, week 2): gd, momentum or Adam over shuffled mini-batches.

    Without ``layers_dims`` and ``optimizer``, course 2 week 1's two models of the same name (see
    below): full-batch gradient descent on their fixed networks.

    Parameters
    ----------
    X : (n_x, m); Y : (1, m) 0/1, or labels 0..K-1 / one-hot (K, m) for a softmax output
    layers_dims : [n_x, n_1, ..., n_L]
    optimizer : "gd", "momentum", "adam" (or an :class:`~backend_nn.optimizers.Optimizer`)
    learning_rate, mini_batch_size, beta, beta1, beta2, epsilon, num_epochs, print_cost, decay, decay_rate :
        The course's (learning_rate 0.0007): ``decay`` is ``update_lr`` or ``schedule_lr_decay`` (or
        their names), applied after each epoch i as ``learning_rate = decay(learning_rate0, i, decay_rate)``.
    lambd : L2 regularization, keyword-only (course 2, week 1); 0 for none.
    keep_prob : inverted dropout on the hidden layers (course 2, week 1); 1 for none. The masks
        are the course's (RandomState(1), the same at every step), one set per batch width.
    seed, init : initialization, the course's He (seed 3, sqrt(2 / n_{l-1})) unless ``init`` says otherwise.
    shuffle_seed : the epochs shuffle with RandomState(shuffle_seed + 1 + epoch), as the course's
        loop reseeds with seed + 1 every epoch from seed = 10.
    cost_every, sync_every : record the epoch cost every ``cost_every`` epochs (course: 100; week 1's
        models: every 1000 iterations) and bring costs home every ``sync_every`` epochs.
    compile : "auto" (default), True or False: the array library's compiled epoch where it has
        one (JAX: jax.jit of a scan over the batches, the optimizer state carried; PyTorch:
        torch.compile of the step, with True only); else the eager epoch.
    parameters : Parameters to resume from (a model's result, or ``load_model`` of one saved with
        its training state): their weights, optimizer state and epoch count carry on (the shuffles,
        the decay schedule, the epoch numbers printed), so 10 + 10 epochs are 20 epochs; the costs
        returned start at the resumed run's first epoch. Their network must be ``layers_dims``' and
        their optimizer this one.
    chunks : with backend="dask", examples per chunk, as in :func:`nn_model`. On dask data each
        epoch gathers the course's shuffled batches window by window (about a chunk at a time).
    shuffle : "course" (default) or, for dask X, "chunks", as in :func:`nn_model`.
    stream : "auto" (default), True or False: host X (a NumPy array, or ``np.load(path,
        mmap_mode="r")``) kept on the host and streamed to the backend window by window, as in
        :func:`nn_model`; "auto" streams where X would not fit on the backend. The results equal
        the in-memory run's.
    Other options as in :func:`L_layer_model`.

    initialization, num_iterations : week 1's models only, below.

    Returns
    -------
    (parameters, costs) : Parameters; the cost averaged over the epoch's examples, every
    ``cost_every`` epochs (Python floats). Prints "Cost after epoch i: J" every 1000 epochs.

    Course 2, week 1
    ----------------
    The initialization and regularization assignments each define a ``model`` of their own,
    called with keywords and without ``layers_dims`` or ``optimizer``; both are here too, on any
    backend, returning (parameters, costs) as every model here does:

    - ``model(X, Y, learning_rate=0.01, num_iterations=15000, print_cost=True, initialization="he")``:
      the network [n_x, 10, 5, 1] (relu, relu, sigmoid) initialized by ``initialization``, "zeros",
      "random" (RandomState(3), randn * 10) or "he" (RandomState(3), randn * sqrt(2 / n_{l-1}));
      the cost recorded and printed every 1000 iterations.
    - ``model(X, Y, learning_rate=0.3, num_iterations=30000, print_cost=True, lambd=0, keep_prob=1)``:
      the network [n_x, 20, 3, 1] initialized as its ``initialize_parameters`` (RandomState(3),
      randn / sqrt(n_{l-1})), with L2 (``lambd``) or inverted dropout (``keep_prob``, the course's
      masks); the cost recorded every 1000 iterations, printed every 10000. (Both at once, which
      the assignment's loop refuses, is L2 and dropout together here.)

    Where the course's cost log(1 - a3) overflows (the "random" initialization's first
    iterations print ``inf``), the cost here comes from the logits and is finite; the parameters
    are the same.

    Each model rounds its gradients as its assignment's helpers do: the mini-batch model and the
    initialization model as opt_utils and init_utils (the 1/m once, in ``dz3 = 1./m * (a3 - Y)``),
    the regularization model as reg_utils (the 1/m in each dW and db, as weeks 3 and 4). On NumPy
    each is its assignment's loop bit for bit, the chaotic "random" initialization too.
    """
    if layers_dims is None and optimizer is None:
        _refuse_mini_batch_options(locals())
        return _week1_model(
            X, Y, learning_rate=learning_rate, num_iterations=num_iterations, print_cost=print_cost,
            initialization=initialization, lambd=lambd, keep_prob=keep_prob, seed=seed, cost_every=cost_every,
            activation=activation, negative_slope=negative_slope, output=output, backend=backend, device=device,
            dtype=dtype, sync_every=sync_every, progress=progress, compile=compile, chunks=chunks, stream=stream)
    _check_mini_batch_call(layers_dims, optimizer, initialization=initialization, num_iterations=num_iterations)
    learning_rate = 0.0007 if learning_rate is None else learning_rate
    init = "he" if init is None else init
    cost_every = 100 if cost_every is None else cost_every
    opt = get_optimizer(optimizer, beta=beta, beta1=beta1, beta2=beta2, epsilon=epsilon)
    compile = check_compile(compile)
    init_scale = check_scale(init_scale, "init_scale")
    mini_batch_size = check_positive("mini_batch_size", mini_batch_size, integer=True)
    num_epochs = check_positive("num_epochs", num_epochs, integer=True)
    print_cost, progress = check_flag("print_cost", print_cost), check_flag("progress", progress, none=True)
    learning_rate0 = check_positive("learning_rate", learning_rate, integer=False)
    decay_rate = check_decay_rate(decay_rate) if decay is not None else decay_rate
    decay_fn = _decay_rule(decay)
    dims = _layers_dims(layers_dims, X)
    xp, dt, Xb, Yb = _prepare_data(X, Y, backend=backend, dtype=dtype, device=device, chunks=chunks, stream=stream,
                                   batch_size=mini_batch_size)
    chunked.check_shuffle(shuffle, Xb)
    _layers_dims(dims, Xb)  # layers_dims[0] against X's rows (host lists have no shape before this)
    net = _run_network(dims, activation, output, negative_slope=negative_slope, Xb=Xb, batch=mini_batch_size,
                       dtype=dt, xp=xp)
    Xb, Yf = _place(Xb, _encode(Yb, dims[-1], net, dtype=dt, xp=xp, Xb=Xb))
    state, start = None, 0
    if parameters is None:
        params = initialize_parameters_deep(dims, seed=seed, init=init, scale=init_scale, dtype=dt, backend=xp,
                                            device=_device(Xb))
    else:
        params, state, start = _resume(parameters, net, opt, xp=xp, dtype=dt, device=_device(Xb))
    params, state, costs = _epoch_loop(
        params, Xb, Yf, net=net, xp=xp, optimizer=opt, learning_rate=learning_rate0, batch_size=mini_batch_size,
        num_epochs=num_epochs, lambd=lambd, keep_prob=keep_prob, shuffle_seed=shuffle_seed, decay=decay_fn,
        decay_rate=decay_rate, cost_every=cost_every, sync_every=sync_every, print_cost=print_cost,
        print_every=1000, print_format="Cost after {unit} {i}: {cost:f}", progress=progress, unit="epoch",
        compile=compile, state=state, start_epoch=start, shuffle=shuffle, mean_in_dZ=True,
    )
    return TrainingResult(Parameters(params, network=net, training_state=_training_state(opt, state, start + num_epochs)),
                          costs.tolist())


#: The mini-batch model's own options, which course 2 week 1's models do not take.
_MINI_BATCH_ONLY = ("mini_batch_size", "beta", "beta1", "beta2", "epsilon", "num_epochs", "decay", "decay_rate",
                    "init", "init_scale", "shuffle_seed", "parameters", "shuffle")


def _refuse_mini_batch_options(given: dict) -> None:
    """Week 1's models take none of the mini-batch model's options: each must hold model's default."""
    defaults = inspect.signature(model).parameters
    changed = [name for name in _MINI_BATCH_ONLY
               if given[name] is not defaults[name].default and given[name] != defaults[name].default]
    if changed:
        raise TypeError(
            f"model(X, Y, ...) without layers_dims and optimizer is course 2 week 1's full-batch model, which takes "
            f"no {', '.join(changed)}: give layers_dims and optimizer for the optimization assignment's model(X, Y, "
            "layers_dims, optimizer, ...), or use initialization= for week 1's initializations.")


def _check_mini_batch_call(layers_dims: Any, optimizer: Any, **week1: Any) -> None:
    """The optimization assignment's call: layers_dims and optimizer both, none of week 1's options."""
    if isinstance(layers_dims, (int, float)) and not isinstance(layers_dims, bool):
        raise TypeError(f"model's third argument is layers_dims, [n_x, n_1, ..., n_L]; got {layers_dims!r}. "
                        "Course 2 week 1's model(X, Y, learning_rate=..., num_iterations=...) takes its options by "
                        "keyword here.")
    if layers_dims is None or optimizer is None:
        missing = "layers_dims" if layers_dims is None else "optimizer ('gd', 'momentum' or 'adam')"
        raise TypeError(f"model(X, Y, layers_dims, optimizer, ...) needs {missing} as well. (Without both, model(X, "
                        "Y, ...) is course 2 week 1's full-batch model, which takes learning_rate=, num_iterations=, "
                        "initialization=, lambd= and keep_prob=.)")
    given = [f"{name}=" for name, value in week1.items() if value is not None]
    if given:
        raise TypeError(f"{' and '.join(given)} {'belong' if len(given) > 1 else 'belongs'} to course 2 week 1's "
                        "model(X, Y, ...), without layers_dims and optimizer; the mini-batch model counts num_epochs "
                        "and initializes with init= and seed=.")


#: Course 2 week 1's initialization assignment: its model's initialize_parameters_<name>, as (init, scale).
WEEK1_INITIALIZATIONS = {"zeros": ("zeros", 0.0), "random": ("random", 10.0), "he": ("he", 0.0)}


def _week1_model(X: Any, Y: Any, *, learning_rate: float | None, num_iterations: int | None, print_cost: bool,
                 initialization: str | None, lambd: float, keep_prob: float, seed: int, cost_every: int | None,
                 **options: Any) -> tuple[Parameters, list[float]]:
    """Course 2 week 1's ``model``s (see :func:`model`): the initialization assignment's where
    ``initialization`` is given, else the regularization assignment's."""
    if initialization is not None:
        if initialization not in WEEK1_INITIALIZATIONS:
            raise ValueError(f"initialization must be one of {', '.join(map(repr, WEEK1_INITIALIZATIONS))}; got "
                             f"{initialization!r}{did_you_mean(initialization, WEEK1_INITIALIZATIONS) or '.'}")
        hidden, (init, scale), rate, iterations, print_every = [10, 5], WEEK1_INITIALIZATIONS[initialization], \
            0.01, 15000, 1000
    else:
        hidden, (init, scale), rate, iterations, print_every = [20, 3], ("xavier", 0.0), 0.3, 30000, 10000
    params, costs = _fit(
        X, Y, hidden, n_y=1, num_iterations=iterations if num_iterations is None else num_iterations,
        learning_rate=rate if learning_rate is None else learning_rate, seed=seed, init=init, init_scale=scale,
        cost_every=1000 if cost_every is None else cost_every, print_cost=print_cost, print_every=print_every,
        print_format="Cost after {unit} {i}: {cost}", lambd=lambd, keep_prob=keep_prob,
        mean_in_dZ=initialization is not None, **options)
    return TrainingResult(params, costs.tolist())


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
    if not isinstance(parameters, Parameters):
        raise TypeError("parameters= resumes from the Parameters a model returned (or load_model read); "
                        f"got {type(parameters).__name__}{model_pair_hint(parameters)}.")
    if parameters.network != net:
        raise ValueError(f"parameters= describe the network {parameters.network}, not {net}.")
    params = to_backend(dict(parameters), xp, device=device, dtype=dtype)
    ts = parameters.training_state
    if ts is None:
        return params, None, 0
    if ts.get("optimizer") != opt.name:
        raise ValueError(f"these parameters were trained with {ts.get('optimizer')!r}; resume them with that "
                         f"optimizer, not {opt.name!r} (or pass a copy without training_state to start it afresh).")
    state = {k: v for k, v in ts.items() if k not in ("optimizer", "epochs")}
    check_state(state, params, opt)
    state = to_backend(state, xp, device=device, dtype=dtype)
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
    per_chunk = chunked.check_shuffle(shuffle, Xb) and batch_size is not None
    m = int(Xb.shape[1])
    if per_chunk:
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
    rec = _Recorder(total=num_epochs, every=cost_every, unit=unit, print_cost=print_cost, print_every=print_every,
                    print_format=print_format, progress=progress, first=start_epoch, lambd=lambd,
                    desc=f"{backend_name(xp)}, {choice.path}, {optimizer.name}, {size}")
    # a resumed run goes on with the schedule: epoch e trains at decay(learning_rate, e - 1), as it would have
    lr = learning_rate if decay is None or start_epoch == 0 else decay(learning_rate, start_epoch - 1, decay_rate)
    pending: list[Any] = []
    lr_lines: list[str] = []
    try:
        for epoch in range(num_epochs):
            done_before = start_epoch + epoch  # a resumed run goes on with the stream and the schedule
            Xs, Ys = (Xb, Yf) if len(slices) == 1 else _shuffle_or_say(reorder, Xb, Yf, shuffle_seed + 1 + done_before)
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
        rec.finish(params, num_epochs, total / m, f" in the last {unit}, {last}" if num_epochs > 1 else "")
    finally:
        costs = rec.close()
    return params, state, costs


def _shuffle_or_say(reorder: Any, Xb: Any, Yf: Any, seed: int) -> tuple[Any, Any]:
    """The epoch's shuffled data; where the shuffled copy does not fit, a MemoryError that says how to
    train without one (CuPy's OutOfMemoryError is a MemoryError too)."""
    try:
        return reorder(Xb, Yf, seed)
    except MemoryError as exc:
        raise MemoryError(f"{exc}. Each epoch shuffles a copy of X on the backend, and it does not fit: "
                          "stream=True keeps X on the host (a NumPy array or np.load(path, mmap_mode='r')) and "
                          "streams the batches in, with the same results.") from exc
