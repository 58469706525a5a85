"""The model: gradient-descent training (``nn_model``) and prediction.

One training step is forward propagation, the cost (only at the iterations
where it is recorded), backward propagation and the update, all from the
equation modules. Costs stay on the backend as 0-d arrays and are brought to
the host in one transfer every ``sync_every`` iterations (default 1000): that
is when divergence is checked, the progress bar moves and ``print_cost``
prints. No step forces a host sync.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any

import numpy as np
from array_api_compat import is_writeable_array

from .accelerate import compiled_runner
from .activations import Activation, get_activation
from .backend import device_of, get_namespace, namespace_of, to_backend, to_numpy
from .cost import _as_labels, _cost_from_logits
from .initialization import initialize_parameters_deep, resolve_dtype
from .parameters import Parameters, resolve_activation
from .propagation import _backward, _check_inputs, _forward
from .update import _update
from .validation import check_data_values, check_positive, check_X_Y

__all__ = ["nn_model", "predict", "predict_output", "accuracy", "train_step", "TrainingDivergedError"]


class TrainingDivergedError(FloatingPointError):
    """Training produced a NaN or infinite cost; ``iteration`` says where it was first seen."""

    def __init__(self, message: str, iteration: int) -> None:
        super().__init__(message)
        self.iteration = iteration


def train_step(parameters: dict, X: Any, Y: Any, *, g: Activation, learning_rate: float, xp: Any,
               inplace: bool = False, with_cost: bool = True) -> tuple[dict, Any]:
    """One full-batch gradient-descent step; returns (parameters, cost before the step).

    X : (n_x, m); Y : float (n_y, m); cost : 0-d array, or None when ``with_cost`` is False.
    Pure when ``inplace`` is False, so backend compilers (jax.jit,
    torch.compile, CUDA graph capture) can take it as it is.
    """
    AL, cache = _forward(X, parameters, g=g, xp=xp)
    L = len(parameters) // 2
    cost = _cost_from_logits(cache[f"Z{L}"], Y, xp=xp) if with_cost else None
    grads = _backward(parameters, cache, X, Y, g=g, xp=xp)
    return _update(parameters, grads, learning_rate=learning_rate, inplace=inplace), cost


class _Progress:
    """A one-line progress bar on stderr: iteration, cost, iterations per second."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self.start = total, enabled, time.perf_counter()

    def update(self, done: int, cost: float | None) -> None:
        if not self.enabled:
            return
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        width = 30
        filled = int(width * done / self.total)
        cost_txt = f"cost {cost:.6f}" if cost is not None else ""
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} {cost_txt} {done / elapsed:,.0f} it/s"
        )
        if done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _backend_for(X: Any, backend: Any) -> Any:
    """The namespace: the chosen backend, or X's own when ``backend`` is None."""
    if backend is not None or isinstance(X, (np.ndarray, list, tuple)):
        return get_namespace(backend)
    return namespace_of(X=X)


def _prepare_data(X: Any, Y: Any | None, *, xp: Any, dtype: Any, device: Any) -> tuple[Any, Any]:
    """Move X (and Y) to the backend once, check them, cast to the training dtype.

    Integer and boolean X are cast to ``dtype`` explicitly (like scikit-learn).
    The caller's arrays are never written to.
    """
    Xb = to_backend(X, xp, device=device)
    Yb = None if Y is None else to_backend(Y, xp, device=device if device is not None else device_of(Xb))
    if Yb is not None:
        namespace_of(X=Xb, Y=Yb)
    if not xp.isdtype(Xb.dtype, "real floating"):
        if not xp.isdtype(Xb.dtype, ("integral", "bool")):
            raise TypeError(f"X must hold real numbers; got dtype {Xb.dtype}.")
        Xb = xp.astype(Xb, dtype)
    if Yb is not None:
        check_X_Y(Xb, Yb, xp=xp)
    check_data_values(Xb, Yb, xp=xp)
    Xb = Xb if Xb.dtype == dtype else xp.astype(Xb, dtype)
    return Xb, (None if Yb is None else _as_labels(Yb, dtype, xp=xp))


def nn_model(
    X: Any,
    Y: Any,
    n_h: int,
    num_iterations: int = 10000,
    print_cost: bool = False,
    *,
    learning_rate: float = 1.2,
    activation: str | Activation = "tanh",
    negative_slope: float = 0.01,
    backend: Any = None,
    device: Any = None,
    dtype: Any = "float64",
    seed: int = 2,
    init: str = "random",
    init_scale: float = 0.01,
    cost_every: int = 100,
    sync_every: int = 1000,
    progress: bool | None = None,
    compile: bool = False,
) -> tuple[Parameters, np.ndarray]:
    """Train the shallow network by full-batch gradient descent, as the course does.

    Parameters
    ----------
    X : array (n_x, m)
        Training inputs, examples as columns (NumPy data or an array of the backend).
    Y : array (1, m)
        Labels, 0/1 (bool or numbers).
    n_h : int
        Size of the hidden layer.
    num_iterations : int
        Gradient-descent steps (course: 10000).
    print_cost : bool
        Print "Cost after iteration i: J" every 1000 iterations, as the course does.
    learning_rate : float, keyword-only
        Step size (course: 1.2).
    activation : str
        Hidden activation: "tanh" (course), "sigmoid", "relu", "leaky_relu", "linear".
    negative_slope : float
        Slope of leaky ReLU below 0 (course: 0.01).
    backend : str or namespace, optional
        "numpy", "cupy", "auto", "array_api_strict", "torch", "jax" or a
        namespace. Default: the library of X (NumPy for host data).
    device : optional
        Device of the backend (e.g. a CuPy device id); default: X's device.
    dtype : "float64" (default) or "float32"
        Integer or boolean X is cast to this dtype.
    seed, init, init_scale :
        Initialization: ``numpy.random.RandomState(seed)``, W = randn * init_scale
        (course: seed 2, 0.01); ``init="zeros"`` for the symmetry lesson, "he" for ReLU.
    cost_every : int
        Record the cost every ``cost_every`` iterations (1 records every step).
    sync_every : int
        Bring recorded costs to the host (check for divergence, update the
        progress bar, print) every ``sync_every`` iterations.
    progress : bool, optional
        Show a progress bar on stderr; default: when stderr is a terminal and
        the run is long (num_iterations >= 2000).
    compile : bool
        Take the backend's fast path (:mod:`backend_nn.accelerate`): jax.jit of
        the whole chunk between syncs, torch.compile of the step; on CuPy the
        fused whole-chunk kernel (small shallow networks), else a CUDA graph of
        the step with fused hidden-layer lines; on NumPy the hidden layer's lines
        evaluated tile by tile in cache (from n_h * m = 2**16). Each is tested
        against the generic step. array-api-strict runs eagerly.

    Returns
    -------
    parameters : Parameters
        W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1) on the backend;
        a dict that remembers the activation.
    costs : numpy.ndarray (ceil(num_iterations / cost_every),)
        costs[k] is the cost at iteration k * cost_every, before that step's update.

    Raises
    ------
    TrainingDivergedError
        When a recorded cost is NaN or infinite (try a smaller learning rate).
    """
    xp = _backend_for(X, backend)
    n_h = check_positive("n_h", n_h, integer=True)
    num_iterations = check_positive("num_iterations", num_iterations, integer=True)
    learning_rate = check_positive("learning_rate", learning_rate, integer=False)
    cost_every = check_positive("cost_every", cost_every, integer=True)
    sync_every = check_positive("sync_every", sync_every, integer=True)
    g = get_activation(activation, negative_slope=negative_slope)
    dt = resolve_dtype(dtype, xp)
    Xb, Yb = _prepare_data(X, Y, xp=xp, dtype=dt, device=device)

    layer_dims = [int(Xb.shape[0]), n_h, int(Yb.shape[0])]
    parameters = initialize_parameters_deep(
        layer_dims, seed=seed, init=init, scale=init_scale, dtype=dt, backend=xp, device=device_of(Xb)
    )
    params, costs = _train_loop(
        parameters, Xb, Yb, g=g, xp=xp, learning_rate=learning_rate, num_iterations=num_iterations,
        cost_every=cost_every, sync_every=sync_every, print_cost=print_cost,
        progress=_Progress(num_iterations, sys.stderr.isatty() and num_iterations >= 2000 if progress is None else progress),
        compile=compile,
    )
    return Parameters(params, activation=g), costs


def _train_loop(parameters, X, Y, *, g, xp, learning_rate, num_iterations, cost_every, sync_every,
                print_cost, progress, compile) -> tuple[dict, np.ndarray]:
    """The loop: steps on the device, costs brought home once per ``sync_every`` steps."""
    recorded: list[float] = []

    def sync(chunk, done: int) -> None:
        """Bring a 1-d device array of recorded costs home: the loop's only host sync."""
        new = to_numpy(chunk).astype(np.float64)
        bad = np.flatnonzero(~np.isfinite(new))
        if bad.size:
            it = (len(recorded) + int(bad[0])) * cost_every
            raise TrainingDivergedError(
                f"training diverged: the cost is {new[bad[0]]} at iteration {it} (costs are recorded "
                f"every {cost_every} iterations). Try a smaller learning_rate.",
                iteration=it,
            )
        for k, c in enumerate(new, start=len(recorded)):
            if print_cost and (k * cost_every) % 1000 == 0:
                print(f"Cost after iteration {k * cost_every}: {c:f}")
        recorded.extend(new.tolist())
        progress.update(done, recorded[-1] if recorded else None)

    runner = compiled_runner(parameters, X, Y, g=g, learning_rate=learning_rate, xp=xp) if compile else None
    if runner is not None:
        per_sync = max(1, sync_every // cost_every)
        full, rest = divmod(num_iterations, cost_every)
        done = 0
        while done < full:
            n = min(per_sync, full - done)
            parameters, chunk = runner(parameters, n, cost_every)
            done += n
            sync(chunk, done * cost_every)
        if rest:
            parameters, chunk = runner(parameters, 1, rest)
            sync(chunk, num_iterations)
        return parameters, np.asarray(recorded, dtype=np.float64)

    inplace = is_writeable_array(parameters["W1"])
    pending: list[Any] = []
    for i in range(num_iterations):
        record = i % cost_every == 0
        parameters, cost = train_step(parameters, X, Y, g=g, learning_rate=learning_rate, xp=xp,
                                      inplace=inplace, with_cost=record)
        if record:
            pending.append(cost)
        if (i + 1) % sync_every == 0 or i + 1 == num_iterations:
            if pending:
                sync(xp.stack(pending), i + 1)
                pending.clear()
    return parameters, np.asarray(recorded, dtype=np.float64)


def predict_output(parameters: dict, X: Any, *, activation: Any = None, negative_slope: float = 0.01) -> Any:
    """A_L = A2 (n_y, m), the sigmoid output, on the backend of the parameters.

    X : (n_x, m), host data or an array of the parameters' backend; it is
    checked (finite, 2-D, n_x matching W1) and integer or boolean X is cast to
    the parameters' dtype. The activation defaults to the one the parameters
    were trained with.
    """
    g = resolve_activation(parameters, activation, negative_slope)
    W1 = parameters.get("W1") if isinstance(parameters, dict) else None
    if W1 is None:
        raise TypeError("parameters must be a dict with W1, b1, W2, b2 (from nn_model or initialize_parameters).")
    xp = namespace_of(W1=W1)
    Xb, _ = _prepare_data(X, None, xp=xp, dtype=W1.dtype, device=device_of(W1))
    xp, _ = _check_inputs(Xb, parameters)
    AL, _ = _forward(Xb, parameters, g=g, xp=xp)
    return AL


def predict(parameters: dict, X: Any, *, activation: Any = None, negative_slope: float = 0.01) -> Any:
    """Class predictions: A2 > 0.5, a bool array (n_y, m) on the backend of the parameters.

    X as in :func:`predict_output`.
    """
    return predict_output(parameters, X, activation=activation, negative_slope=negative_slope) > 0.5


def accuracy(predictions: Any, Y: Any) -> float:
    """Fraction of predictions (n_y, m) equal to the labels Y (n_y, m), as a Python float."""
    xp = namespace_of(predictions=predictions, Y=Y)
    if tuple(predictions.shape) != tuple(Y.shape):
        raise ValueError(f"predictions and Y must have the same shape; got {tuple(predictions.shape)} and {tuple(Y.shape)}.")
    P = predictions if predictions.dtype == xp.bool else predictions > 0.5
    T = Y if Y.dtype == xp.bool else Y > 0.5
    return int(xp.sum(xp.astype(P == T, xp.int64))) / math.prod(Y.shape)
