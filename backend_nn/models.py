"""The course's models, by their names, argument orders and defaults.

- ``nn_model``: the course's week-3 model (one hidden layer of n_h tanh units, or several
  hidden layers);
- ``two_layer_model`` / ``L_layer_model``: the course's week-4 models;
- ``model``: course 2's models (optimizers, mini-batches; week 1's initialization and
  regularization models).

Each checks what is its own and hands the run to :func:`backend_nn.training.fit`, the one
place that trains. Prediction is :mod:`backend_nn.prediction`.
"""

from __future__ import annotations

import inspect
import math
from typing import Any, Sequence

import numpy as np

from .activations import Activation
from .inputs import layers_dims_for
from .network import Parameters, TrainingResult
from .optimizers import check_decay_rate, learning_rate_for, schedule_lr_decay, update_lr
from .training import fit
from .validation import at_default, check_positive, did_you_mean, is_one_of, ordered_list, shown

__all__ = ["nn_model", "two_layer_model", "L_layer_model", "model", "check_hidden_sizes"]


def check_hidden_sizes(n_h: Any, name: str = "n_h") -> list[int]:
    """n_h: one hidden layer's size, or a sequence of sizes, one per hidden layer (``name``: what the
    caller called it, for the errors)."""
    one = isinstance(n_h, (int, np.integer)) or not hasattr(n_h, "__iter__") or getattr(n_h, "ndim", None) == 0
    sizes = [n_h] if one else ordered_list(n_h, name, "a positive integer or a list of hidden-layer sizes, in order")
    if not sizes:
        raise ValueError(f"{name} must be a positive integer or a non-empty list of hidden-layer sizes; "
                         f"got {n_h!r:.80}.")
    return [check_positive(name if one else f"{name}[{i}]", n, integer=True) for i, n in enumerate(sizes)]


def nn_model(
    X: Any,
    Y: Any,
    n_h: int | Sequence[int],
    num_iterations: int = 10000,
    print_cost: bool = False,
    *,
    learning_rate: float | None = None,
    activation: str | Activation | Sequence[str | Activation] = "tanh",
    negative_slope: float = 0.01,
    output: str | None = None,
    backend: Any = None,
    device: Any = None,
    dtype: Any = "float64",
    seed: int = 2,
    init: str = "random",
    init_scale: float | None = None,
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
) -> TrainingResult[np.ndarray]:
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
        Print "Cost after iteration i: J" every 1000 iterations, as the course does. (Only recorded
        costs are printed: with a ``cost_every`` that does not divide 1000, the first one recorded in
        each 1000 iterations, under its own iteration, e.g. 0, 1200, 2100 for cost_every=300.)
    learning_rate : float, keyword-only
        Step size. Default (None): the optimizer's own, 1.2 for "gd" (the course's week 3) and
        "momentum", 0.001 for "adam" (Adam moves each weight by about the learning rate whatever its
        gradient's scale, so 1.2 would move every weight by about 1.2 a step).
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
        init_scale (course: seed 2, 0.01); "zeros", "xavier", "he" set their own scale (an
        init_scale beside them is refused).
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

    Examples
    --------
    The course's week-3 run on the planar "flower", with the notebook's numbers:

    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()              # X (2, 400), Y (1, 400) of 0/1
    >>> parameters, costs = bnn.nn_model(X, Y, n_h=4, num_iterations=10000, print_cost=True)
    Cost after iteration 0: 0.693048
    Cost after iteration 1000: 0.288083
    Cost after iteration 2000: 0.254385
    ...
    >>> parameters
    Parameters({W1: (4, 2), b1: (4, 1), W2: (1, 4), b2: (1, 1)}, network=[2, 4, 1], hidden tanh, output sigmoid)
    >>> print(f"Accuracy: {bnn.accuracy(bnn.predict(parameters, X), Y):.2%}")
    Accuracy: 90.75%

    Class labels 0..K-1 train a softmax output over K classes:

    >>> X, y = bnn.load_dataset("spiral")             # X (2, 300), y (1, 300) of 0, 1, 2
    >>> parameters, costs = bnn.nn_model(X, y, n_h=50, num_iterations=2000, learning_rate=1.0)
    >>> parameters
    Parameters({W1: (50, 2), b1: (50, 1), W2: (3, 50), b2: (3, 1)}, network=[2, 50, 3], hidden tanh, output softmax)
    >>> print(f"Accuracy: {bnn.accuracy(bnn.predict(parameters, X), y):.0%}")  # 294 or 295 of 300, by the CPU
    Accuracy: 98%
    """
    return fit(
        X, Y, check_hidden_sizes(n_h), activation=activation, negative_slope=negative_slope, output=output,
        num_iterations=num_iterations, learning_rate=learning_rate_for(optimizer, learning_rate), backend=backend,
        device=device, dtype=dtype, seed=seed, init=init, init_scale=init_scale, cost_every=cost_every,
        sync_every=sync_every, print_cost=print_cost, print_every=1000, print_format="Cost after {unit} {i}: {cost:f}",
        progress=progress, compile=compile, optimizer=optimizer, batch_size=batch_size, lambd=lambd,
        keep_prob=keep_prob, chunks=chunks, shuffle=shuffle, stream=stream,
    )


def L_layer_model(
    X: Any,
    Y: Any,
    layers_dims: Sequence[int],
    learning_rate: float = 0.0075,
    num_iterations: int = 3000,
    print_cost: bool = False,
    *,
    activation: str | Activation | Sequence[str | Activation] = "relu",
    negative_slope: float = 0.01,
    output: str | None = None,
    backend: Any = None,
    device: Any = None,
    dtype: Any = "float64",
    seed: int = 1,
    init: str = "xavier",
    init_scale: float | None = None,
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
) -> TrainingResult[list[np.ndarray]]:
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

    Examples
    --------
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_dataset("noisy_moons")        # X (2, 200), Y (1, 200) of 0/1
    >>> parameters, costs = bnn.L_layer_model(X, Y, [2, 20, 7, 1], num_iterations=3000)
    >>> parameters
    Parameters({W1: (20, 2), b1: (20, 1), ..., b3: (1, 1)}, network=[2, 20, 7, 1], hidden relu x2, output sigmoid)
    >>> len(costs), round(float(costs[0]), 6), round(float(costs[-1]), 4)
    (30, 0.701701, 0.2306)
    >>> bnn.accuracy(bnn.predict(parameters, X), Y)
    0.89
    """
    dims = layers_dims_for(layers_dims, X)
    params, costs = fit(
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
) -> TrainingResult[list[np.ndarray]]:
    """The course's week-4 two-layer model: LINEAR -> RELU -> LINEAR -> SIGMOID.

    layers_dims = (n_x, n_h, n_y). Initialized as the course's week-4
    ``initialize_parameters``: seed 1, W = randn * 0.01. Other options (keyword-only) as in
    :func:`L_layer_model`. Returns (parameters, costs), costs every 100 iterations (0-d arrays,
    as :func:`L_layer_model`'s).

    Examples
    --------
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_dataset("noisy_moons")
    >>> parameters, costs = bnn.two_layer_model(X, Y, (2, 7, 1), num_iterations=2500)
    >>> parameters
    Parameters({W1: (7, 2), b1: (7, 1), W2: (1, 7), b2: (1, 1)}, network=[2, 7, 1], hidden relu, output sigmoid)
    >>> len(costs), round(float(costs[0]), 6), round(float(costs[-1]), 4)
    (25, 0.693122, 0.5597)
    """
    dims = list(layers_dims) if hasattr(layers_dims, "__iter__") else layers_dims
    if not isinstance(dims, list) or len(dims) != 3:
        raise ValueError(f"two_layer_model takes layers_dims = (n_x, n_h, n_y); got {shown(layers_dims)}.")
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
        if not is_one_of(decay, rules):
            raise ValueError(f"decay must be None, a function of (learning_rate0, epoch_num, decay_rate), or one of "
                             f"{list(rules)}; got {shown(decay)}{did_you_mean(decay, rules) or '.'}")
        return rules[decay]
    if decay in rules.values():
        return decay
    try:
        inspect.signature(decay).bind(0.1, 0, 1.0)
    except TypeError as exc:
        raise TypeError(f"decay must be a function of (learning_rate0, epoch_num, decay_rate), as update_lr is; "
                        f"{shown(getattr(decay, '__name__', decay))} cannot be called so: {exc}.") from None
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
            raise ValueError(f"decay({learning_rate0}, {epoch_num}, {decay_rate}) returned {shown(rate)}; it must "
                             "return the epoch's learning rate, a finite number >= 0.")
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
    init_scale: float | None = None,
    shuffle_seed: int = 10,
    cost_every: int | None = None,
    sync_every: int = 100,
    progress: bool | None = None,
    compile: bool | str = "auto",
    parameters: Parameters | TrainingResult[Any] | None = None,
    chunks: int | None = None,
    shuffle: str = "course",
    stream: bool | str = "auto",
    initialization: str | None = None,
    num_iterations: int | None = None,
) -> TrainingResult[list[float]]:
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

    Examples
    --------
    Adam over mini-batches of 64, printing the epoch's cost every 1000 epochs as the course does:

    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_dataset("noisy_moons")
    >>> parameters, costs = bnn.model(X, Y, [2, 5, 2, 1], "adam", num_epochs=1000)
    Cost after epoch 0: 0.710227
    >>> p = bnn.predict(X, Y, parameters)             # the course's predict prints its accuracy
    Accuracy: 0.965

    Gradient descent whose learning rate ``update_lr`` decays after every epoch, to 0.1 / (1 + epoch):
    too fast, as the assignment finds before it turns to ``schedule_lr_decay``:

    >>> parameters, costs = bnn.model(X, Y, [2, 5, 2, 1], "gd", learning_rate=0.1, num_epochs=1000,
    ...                               decay=bnn.update_lr, print_cost=False)
    >>> len(costs), round(costs[0], 4), round(costs[-1], 4)      # one cost every 100 epochs
    (10, 0.7091, 0.6711)
    """
    if layers_dims is None and optimizer is None:
        _refuse_mini_batch_options(locals())
        return _week1_model(
            X, Y, learning_rate=learning_rate, num_iterations=num_iterations, print_cost=print_cost,
            initialization=initialization, lambd=lambd, keep_prob=keep_prob, seed=seed, cost_every=cost_every,
            activation=activation, negative_slope=negative_slope, output=output, backend=backend, device=device,
            dtype=dtype, sync_every=sync_every, progress=progress, compile=compile, chunks=chunks, stream=stream)
    _check_mini_batch_call(layers_dims, optimizer, initialization=initialization, num_iterations=num_iterations)
    # model's own names checked here, where its errors call them so (fit counts num_iterations and batch_size)
    mini_batch_size = check_positive("mini_batch_size", mini_batch_size, integer=True)
    num_epochs = check_positive("num_epochs", num_epochs, integer=True)
    if decay is None and not at_default(decay_rate, 1):  # 1: the course's default
        raise ValueError(f"decay_rate={shown(decay_rate)} would not be used: it is the rate of a learning-rate decay; "
                         "give the rule too, decay=update_lr or decay=schedule_lr_decay.")
    decay_rate = check_decay_rate(decay_rate) if decay is not None else decay_rate
    if parameters is not None:  # a resumed run starts from their weights: nothing is drawn
        unused = [f"{name}={shown(value)}" for name, value, default in (("seed", seed, 3), ("init", init, None),
                                                                   ("init_scale", init_scale, None))
                  if not at_default(value, default)]
        if unused:
            raise ValueError(f"{', '.join(unused)} would not be used: parameters= resumes a run from its weights, "
                             f"and nothing is initialized. Leave {'it' if len(unused) == 1 else 'them'} out, or drop "
                             "parameters= to start afresh.")
    dims = layers_dims_for(layers_dims, X)
    params, costs = fit(
        X, Y, dims[1:-1], n_x=dims[0], n_y=dims[-1], activation=activation, negative_slope=negative_slope,
        output=output, num_iterations=num_epochs, learning_rate=0.0007 if learning_rate is None else learning_rate,
        backend=backend, device=device, dtype=dtype, seed=seed, init="he" if init is None else init,
        init_scale=init_scale, cost_every=100 if cost_every is None else cost_every, sync_every=sync_every,
        print_cost=print_cost, print_every=1000, print_format="Cost after {unit} {i}: {cost:f}", progress=progress,
        compile=compile, optimizer=optimizer, batch_size=mini_batch_size, lambd=lambd, keep_prob=keep_prob,
        beta=beta, beta1=beta1, beta2=beta2, epsilon=epsilon, shuffle_seed=shuffle_seed, chunks=chunks,
        shuffle=shuffle, stream=stream, mean_in_dZ=True, decay=_decay_rule(decay), decay_rate=decay_rate,
        resume=parameters,
    )
    return TrainingResult(params, costs.tolist())


#: The mini-batch model's own options, which course 2 week 1's models do not take.
_MINI_BATCH_ONLY = ("mini_batch_size", "beta", "beta1", "beta2", "epsilon", "num_epochs", "decay", "decay_rate",
                    "init", "init_scale", "shuffle_seed", "parameters", "shuffle")


def _refuse_mini_batch_options(given: dict) -> None:
    """Week 1's models take none of the mini-batch model's options: each must hold model's default."""
    defaults = inspect.signature(model).parameters
    changed = [name for name in _MINI_BATCH_ONLY if not at_default(given[name], defaults[name].default)]
    if changed:
        raise TypeError(
            f"model(X, Y, ...) without layers_dims and optimizer is course 2 week 1's full-batch model, which takes "
            f"no {', '.join(changed)}: give layers_dims and optimizer for the optimization assignment's model(X, Y, "
            "layers_dims, optimizer, ...), or use initialization= for week 1's initializations.")


def _check_mini_batch_call(layers_dims: Any, optimizer: Any, **week1: Any) -> None:
    """The optimization assignment's call: layers_dims and optimizer both, none of week 1's options."""
    if isinstance(layers_dims, (int, float)) and not isinstance(layers_dims, bool):
        raise TypeError(f"model's third argument is layers_dims, [n_x, n_1, ..., n_L]; got {shown(layers_dims)}. "
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
WEEK1_INITIALIZATIONS = {"zeros": ("zeros", None), "random": ("random", 10.0), "he": ("he", None)}


def _week1_model(X: Any, Y: Any, *, learning_rate: float | None, num_iterations: int | None, print_cost: bool,
                 initialization: str | None, lambd: float, keep_prob: float, seed: int, cost_every: int | None,
                 **options: Any) -> TrainingResult[list[float]]:
    """Course 2 week 1's ``model``s (see :func:`model`): the initialization assignment's where
    ``initialization`` is given, else the regularization assignment's."""
    if initialization is not None:
        if not is_one_of(initialization, WEEK1_INITIALIZATIONS):
            raise ValueError(f"initialization must be one of {', '.join(map(repr, WEEK1_INITIALIZATIONS))}; got "
                             f"{shown(initialization)}{did_you_mean(initialization, WEEK1_INITIALIZATIONS) or '.'}")
        hidden, (init, scale), rate, iterations, print_every = [10, 5], WEEK1_INITIALIZATIONS[initialization], \
            0.01, 15000, 1000
    else:
        hidden, (init, scale), rate, iterations, print_every = [20, 3], ("xavier", None), 0.3, 30000, 10000
    params, costs = fit(
        X, Y, hidden, n_y=1, num_iterations=iterations if num_iterations is None else num_iterations,
        learning_rate=rate if learning_rate is None else learning_rate, seed=seed, init=init, init_scale=scale,
        cost_every=1000 if cost_every is None else cost_every, print_cost=print_cost, print_every=print_every,
        print_format="Cost after {unit} {i}: {cost}", lambd=lambd, keep_prob=keep_prob,
        mean_in_dZ=initialization is not None, **options)
    return TrainingResult(params, costs.tolist())
