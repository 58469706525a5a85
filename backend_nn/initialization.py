"""Layer sizes and parameter initialization.

Parameters are always drawn on the host from a seeded NumPy generator, in
float64, then moved to the backend and cast to the requested dtype. So every
backend starts from the same numbers, and the parity tests can compare
training runs step by step.

The course's initializations, drawn in layer order (W1, then W2, ...) from
``numpy.random.RandomState(seed)``, which gives the course's published values
without touching NumPy's global state:

- "random": W = randn(n_l, n_{l-1}) * scale, scale 0.01 (weeks 3 and 4; course 2's
  "random" is scale 10). Week 3 seeds 2 (``initialize_parameters``); week 4's
  ``initialize_parameters_deep`` seeds 3.
- "xavier": W = randn(n_l, n_{l-1}) / sqrt(n_{l-1}), the week-4 application's (seed 1).
- "he": W = randn(n_l, n_{l-1}) * sqrt(2 / n_{l-1}), for ReLU networks (course 2).
- "zeros": the symmetry lesson: every hidden unit then computes the same function and
  receives the same gradient, so they never differ.

b = 0 always.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .backend import check_float64, get_namespace, to_backend
from .validation import (check_layer_dims, check_number, check_positive, check_seed, check_X_Y_shapes, did_you_mean,
                         dtype_name, is_one_of, is_value_not_dtype, shape_of, shown)

__all__ = ["layer_sizes", "initialize_parameters", "initialize_parameters_deep", "initialize_parameters_zeros",
           "initialize_parameters_random", "initialize_parameters_he", "INITIALIZATIONS", "resolve_dtype",
           "check_scale", "check_init", "DEFAULT_SCALE"]

#: init= choices: the course's small random weights, all zeros (symmetry lesson), the week-4
#: application's 1 / sqrt(n_{l-1}) ("xavier") and He's sqrt(2 / n_{l-1}) for ReLU networks.
INITIALIZATIONS = ("random", "zeros", "xavier", "he")

#: The course's factor for "random" (weeks 3 and 4): W = randn * 0.01.
DEFAULT_SCALE = 0.01


def layer_sizes(X: Any, Y: Any, *, n_h: int = 4) -> tuple[int, int, int]:
    """(n_x, n_h, n_y) from X (n_x, m) and Y (n_y, m); the course fixes n_h = 4.

    Examples
    --------
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> bnn.layer_sizes(X, Y)
    (2, 4, 1)
    """
    check_X_Y_shapes(X, Y)
    return shape_of(X)[0], check_positive("n_h", n_h, integer=True), shape_of(Y)[0]


#: What each init other than "random" scales randn by, for the error that refuses a scale beside it.
_OWN_SCALE = {"zeros": "none: W = 0", "xavier": "1 / sqrt(n_{l-1})", "he": "sqrt(2 / n_{l-1})"}


def check_scale(scale: Any, name: str = "scale", *, init: str = "random") -> float | None:
    """The "random" initialization's factor: a finite number (0 gives zeros, a negative one flips signs),
    or None for the default, 0.01. The other inits set their own: a scale beside them is refused, not
    dropped in silence."""
    if scale is None:
        return None
    scale = check_number(name, scale, "a finite number", math.isfinite, "a finite number")
    if init in _OWN_SCALE:
        raise ValueError(f"{name}={scale} multiplies randn for init='random' only; init={shown(init)} sets its own "
                         f"scale ({_OWN_SCALE[init]}): leave {name} unset, or use init='random'.")
    return scale


def resolve_dtype(dtype: Any, xp: Any) -> Any:
    """A dtype of namespace xp from "float64"/"float32" (or NumPy's other names for them: "f8", "single",
    float, ...), a NumPy dtype, or xp's own dtype."""
    if dtype is None:
        check_float64(xp)
        return xp.float64
    if is_value_not_dtype(dtype):
        raise TypeError(f"dtype must be float64 or float32; got {type(dtype).__name__} {shown(dtype)}.")
    for name in ("float64", "float32"):
        if not isinstance(dtype, str) and dtype == getattr(xp, name):
            if name == "float64":
                check_float64(xp)
            return dtype
    name = dtype_name(dtype)  # NumPy's other names of the two too: "f4", "<f8", "double", "single", float
    if name not in ("float64", "float32"):
        raise ValueError(f"dtype must be float64 or float32; got {shown(dtype)}.")
    if name == "float64":
        check_float64(xp)
    return getattr(xp, name)


def check_init(init: Any) -> str:
    """One of :data:`INITIALIZATIONS`."""
    if not is_one_of(init, INITIALIZATIONS):
        raise ValueError(f"unknown init {shown(init)}; expected one of {', '.join(map(repr, INITIALIZATIONS))}"
                         f"{did_you_mean(init, INITIALIZATIONS) or '.'}")
    return init


def _draw_on_host(layer_dims: Sequence[int], *, seed: int, init: str, scale: float | None) -> dict[str, np.ndarray]:
    """W_l (n_l, n_{l-1}) and b_l (n_l, 1) as NumPy float64, drawn in layer order (init checked by the
    caller; scale None: 0.01)."""
    scale = DEFAULT_SCALE if scale is None else scale
    rng = np.random.RandomState(check_seed(seed))
    params: dict[str, np.ndarray] = {}
    for l in range(1, len(layer_dims)):
        shape = (layer_dims[l], layer_dims[l - 1])
        W: np.ndarray  # one type for every branch (NumPy 2.2's stubs type zeros' shape and randn's apart)
        if init == "zeros":
            W = np.zeros(shape)
        elif init == "he":
            W = rng.randn(*shape) * np.sqrt(2.0 / layer_dims[l - 1])
        elif init == "xavier":
            W = rng.randn(*shape) / np.sqrt(layer_dims[l - 1])
        else:
            with np.errstate(over="ignore"):
                W = rng.randn(*shape) * scale
            if not np.all(np.isfinite(W)):  # a scale near float64's largest: inf weights, not a start
                raise ValueError(f"scale {scale:g} times randn's draws overflows float64 in W{l} (the largest "
                                 f"finite value is {np.finfo(np.float64).max:.4g}); choose a smaller scale.")
        params[f"W{l}"] = W
        params[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return params


def initialize_parameters_deep(
    layer_dims: Sequence[int],
    *,
    seed: int = 3,
    init: str = "random",
    scale: float | None = None,
    dtype: Any = "float64",
    backend: Any = "numpy",
    device: Any = None,
) -> dict[str, Any]:
    """Parameters of an L-layer network, layer_dims = [n_x, n_1, ..., n_L].

    With the defaults, the course's week-4 ``initialize_parameters_deep``: seed 3,
    W_l = randn(n_l, n_{l-1}) * 0.01, b_l = 0. ``scale`` is init="random"'s factor (default
    0.01; course 2's "random" is 10); "xavier", "he" and "zeros" set their own and refuse one.
    Returns ``{"W1": (n_1, n_x), "b1": (n_1, 1), ..., "WL": (n_L, n_{L-1}), "bL": (n_L, 1)}`` on the
    chosen backend and device.

    Examples
    --------
    The course's published values (seed 3):

    >>> import backend_nn as bnn
    >>> parameters = bnn.initialize_parameters_deep([5, 4, 3])
    >>> {k: v.shape for k, v in parameters.items()}
    {'W1': (4, 5), 'b1': (4, 1), 'W2': (3, 4), 'b2': (3, 1)}
    >>> parameters["W1"][0]
    array([ 0.01788628,  0.0043651 ,  0.00096497, -0.01863493, -0.00277388])
    """
    dims = check_layer_dims(layer_dims)
    scale = check_scale(scale, init=check_init(init))
    xp = get_namespace(backend)
    dt = resolve_dtype(dtype, xp)
    host = _draw_on_host(dims, seed=seed, init=init, scale=scale)
    return {k: to_backend(v, xp, device=device, dtype=dt) for k, v in host.items()}


def initialize_parameters(
    n_x: int,
    n_h: int,
    n_y: int,
    *,
    seed: int = 2,
    init: str = "random",
    scale: float | None = None,
    dtype: Any = "float64",
    backend: Any = "numpy",
    device: Any = None,
) -> dict[str, Any]:
    """The shallow network's parameters: the L = 2 case of :func:`initialize_parameters_deep`.

    Returns W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1). With the
    defaults (seed 2, W = randn * 0.01) these are the course's published values of week 3;
    week 4's copy of this function seeds 1: ``initialize_parameters(n_x, n_h, n_y, seed=1)``.

    Examples
    --------
    The course's published values (seed 2):

    >>> import backend_nn as bnn
    >>> parameters = bnn.initialize_parameters(2, 4, 1)
    >>> parameters["W1"]
    array([[-0.00416758, -0.00056267],
           [-0.02136196,  0.01640271],
           [-0.01793436, -0.00841747],
           [ 0.00502881, -0.01245288]])
    >>> parameters["b2"]
    array([[0.]])
    """
    sizes = [check_positive(name, n, integer=True) for name, n in (("n_x", n_x), ("n_h", n_h), ("n_y", n_y))]
    return initialize_parameters_deep(sizes, seed=seed, init=init, scale=scale, dtype=dtype, backend=backend,
                                      device=device)


# --- course 2, week 1 (Initialization): the three the assignment compares, by their names ---------------------
def initialize_parameters_zeros(layers_dims: Sequence[int], *, dtype: Any = "float64", backend: Any = "numpy",
                                device: Any = None) -> dict[str, Any]:
    """Course 2's zeros: every W_l (n_l, n_{l-1}) and b_l (n_l, 1) zero. Such a network never breaks
    symmetry: every unit of a layer computes the same function and gets the same gradient.

    Examples
    --------
    >>> import backend_nn as bnn
    >>> parameters = bnn.initialize_parameters_zeros([3, 2, 1])
    >>> parameters["W1"], parameters["b2"]
    (array([[0., 0., 0.],
           [0., 0., 0.]]), array([[0.]]))
    """
    return initialize_parameters_deep(layers_dims, init="zeros", dtype=dtype, backend=backend, device=device)


def initialize_parameters_random(layers_dims: Sequence[int], *, dtype: Any = "float64", backend: Any = "numpy",
                                 device: Any = None) -> dict[str, Any]:
    """Course 2's random: ``RandomState(3)``, W_l = randn(n_l, n_{l-1}) * 10, b_l = 0, drawn in layer order.
    Weights this large saturate the sigmoid output: the assignment's lesson in a bad start.

    Examples
    --------
    The course's published values (seed 3, W = randn * 10):

    >>> import backend_nn as bnn
    >>> parameters = bnn.initialize_parameters_random([3, 2, 1])
    >>> parameters["W1"]
    array([[ 17.88628473,   4.36509851,   0.96497468],
           [-18.63492703,  -2.77388203,  -3.54758979]])
    >>> parameters["W2"]
    array([[-0.82741481, -6.27000677]])
    """
    return initialize_parameters_deep(layers_dims, seed=3, init="random", scale=10.0, dtype=dtype, backend=backend,
                                      device=device)


def initialize_parameters_he(layers_dims: Sequence[int], *, dtype: Any = "float64", backend: Any = "numpy",
                             device: Any = None) -> dict[str, Any]:
    """Course 2's He: ``RandomState(3)``, W_l = randn(n_l, n_{l-1}) * sqrt(2 / n_{l-1}), b_l = 0, for ReLU
    networks.

    Examples
    --------
    The course's published values (seed 3, W = randn * sqrt(2 / n_{l-1})):

    >>> import backend_nn as bnn
    >>> parameters = bnn.initialize_parameters_he([2, 4, 1])
    >>> parameters["W1"]
    array([[ 1.78862847,  0.43650985],
           [ 0.09649747, -1.8634927 ],
           [-0.2773882 , -0.35475898],
           [-0.08274148, -0.62700068]])
    >>> parameters["W2"]
    array([[-0.03098412, -0.33744411, -0.92904268,  0.62552248]])
    """
    return initialize_parameters_deep(layers_dims, seed=3, init="he", dtype=dtype, backend=backend, device=device)
