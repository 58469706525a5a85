"""Forward propagation beside backward propagation, for L layers (the shallow network is L = 2).

Layer l (A0 = X) computes, and backpropagation runs the same two steps in reverse:

    Z_l = W_l A_{l-1} + b_l           W_l : (n_l, n_{l-1}),  b_l : (n_l, 1),  Z_l, A_l : (n_l, m)
    A_l = g_l(Z_l)                    hidden layers g_1 .. g_{L-1}; the output layer's g_L

    dZ_L = A_L - Y                    (sigmoid or softmax with its cross-entropy: backend_nn.outputs)
    dW_l = dZ_l A_{l-1}^T / m,  db_l = sum(dZ_l, axis=1, keepdims=True) / m,  dA_{l-1} = W_l^T dZ_l
    dZ_{l-1} = dA_{l-1} * g_{l-1}'(Z_{l-1})

For L = 2 these are the course's week-3 equations: dZ2 = A2 - Y, dW2 = dZ2 A1^T / m, ...,
dZ1 = W2^T dZ2 * g'(Z1), dW1 = dZ1 X^T / m, db1 = sum(dZ1) / m.

Where the 1/m of the mean is taken moves only round-off, but round-off is what a learner's
notebook and the library must agree to, and a chaotic run (course 2's x10 "random"
initialization) turns one ulp into a different run. Weeks 3 and 4 (and course 2's
regularization and gradient-checking helpers) take it in each dW_l and db_l, as above
(``1./m * np.dot(dZ, A_prev.T)``); course 2's init_utils and opt_utils take it once, in
dZ_L = (A_L - Y) / m (``dz3 = 1./m * (a3 - Y)``), and then dW_l = dZ_l A_{l-1}^T,
db_l = sum(dZ_l): ``backward_pass(..., mean_in_dZ=True)``.

Three faces of the same equations:
- the course's week-4 functions, by their names, arguments, return values and caches:
  ``linear_forward``, ``linear_activation_forward``, ``L_model_forward``, ``linear_backward``,
  ``linear_activation_backward``, ``L_model_backward``;
- the week-3 functions ``forward_propagation`` / ``backward_propagation`` (a dict cache
  {"Z1", "A1", ..., "ZL", "AL"});
- the hot path ``forward_pass`` / ``backward_pass``, without checks, shared by the training step and
  every fast path. Its one seam is :class:`Lines`: how a hidden layer's forward line and the
  backward line into it are evaluated. The generic Lines *are* the equations; a fast path
  (CuPy kernels, NumPy tiles) subclasses it and overrides a line, and is tested against it.

Caches are the course's: one ``((A_prev, W, b), Z)`` per layer, in layer order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .activations import HIDDEN_ACTIVATIONS, Activation, course_dZ, get_activation
from .backend import count_true, first_values, namespace_of
from .network import DEFAULT_SLOPE, Network, Parameters, ParametersLike, hidden_activations, network_of, parameters_of
from .outputs import OutputLayer, check_probabilities_dtype, encode_labels, get_output, output_for
from .validation import check_parameters, check_X, dtype_name, found, holds, is_real_number

__all__ = [
    "Lines",
    "GENERIC_LINES",
    "linear_forward",
    "linear_activation_forward",
    "L_model_forward",
    "linear_backward",
    "linear_activation_backward",
    "L_model_backward",
    "forward_propagation",
    "backward_propagation",
]


# --- the equations, one layer at a time (no checks: the hot path) ----------------------------------
def _linear_forward(A, W, b, *, xp):
    """Z = W A + b: (n_l, m)."""
    return xp.matmul(W, A) + b


def _outer_or_matmul(a, b, *, xp):
    """a @ b; where the contracted dimension is 1 (W2^T dZ2 with n_y = 1) it is the outer
    product a * b, bit for bit, and faster at every m measured (100 to 10^4, float32 and
    float64): NumPy's matmul takes 46-67 us for (4, 1) @ (1, 10^4), the product 3.5-5 us."""
    return a * b if a.shape[1] == 1 else xp.matmul(a, b)


def _linear_backward(dZ, A_prev, W, *, xp, inv_m: float | None, need_dA: bool = True, need_db: bool = True):
    """dA_prev = W^T dZ (n_{l-1}, m), dW = dZ A_prev^T / m (n_l, n_{l-1}), db = sum(dZ, axis=1) / m (n_l, 1).
    ``inv_m``: 1.0 / m, or None where dZ already holds the 1/m (``mean_in_dZ``). ``need_dA=False``
    skips W_1^T dZ_1, which training never uses; ``need_db=False`` leaves db to the caller (the
    training step has it from the line that made dZ). What is skipped is None."""
    dW = mean_of(xp.matmul(dZ, A_prev.T), inv_m)  # the course's 1./m * np.dot(dZ, A_prev.T), to its last bit
    db = _db(dZ, inv_m, xp=xp) if need_db else None
    return (_outer_or_matmul(W.T, dZ, xp=xp) if need_dA else None), dW, db


def _db(dZ, inv_m: float | None, *, xp):
    """db_l = sum(dZ_l, axis=1, keepdims=True) / m: (n_l, 1), as the course writes it, 1./m * np.sum(...)."""
    return mean_of(xp.sum(dZ, axis=1, keepdims=True), inv_m)


def mean_of(total, inv_m: float | None):
    """``inv_m * total``, the course's ``1./m * ...``; ``total`` itself where inv_m is None (the 1/m
    was taken in dZ_L: ``mean_in_dZ``). The one place a fast path's Lines scale their sums too."""
    return total if inv_m is None else inv_m * total


class Lines:
    """The seam where fast paths plug in: the lines around each hidden layer. This class is the
    generic one: exactly the equations, on the namespace it is handed. A fast path overrides a
    method and falls back to this one (``super()``) wherever it does not apply."""

    name = "generic"

    def forward(self, A_prev, W, b, g: Activation, *, xp, keep_Z: bool = False):
        """(Z, A) of a hidden layer: Z = W A_prev + b, A = g(Z). An override may return Z = None
        where g' needs A alone (``not g.needs_Z``) and ``keep_Z`` is False: the backward line then
        gets Z_prev = None. With dropout the cache holds the dropped-out A, so g' is taken from Z
        and :func:`forward_pass` asks for it (``keep_Z=True``)."""
        Z = _linear_forward(A_prev, W, b, xp=xp)
        return Z, g(Z, xp=xp)

    def backward(self, dZ, A_prev, Z_prev, W, g_prev: Activation, *, xp, inv_m: float | None, dropout=None,
                 l: int = 0):
        """(dW_l, dZ_{l-1}, db_{l-1}) for a layer l whose input A_{l-1} = g_prev(Z_{l-1}) is hidden:
        dW_l = dZ_l A_{l-1}^T / m, dZ_{l-1} = W_l^T dZ_l * g_prev'(Z_{l-1}), db_{l-1} = sum(dZ_{l-1}) / m:
        the products of one pass over A_{l-1}. ``inv_m``: 1.0 / m, or None where dZ_l holds the 1/m
        already (:func:`mean_of` applies it).

        With ``dropout`` (a :class:`~backend_nn.regularization.Dropout`), A_{l-1} is the dropped-out
        activation and dA_{l-1} = W_l^T dZ_l * D_{l-1} / keep_prob; g' is then taken from Z_{l-1}
        (or g(Z_{l-1}) where it is written through A). Most fast paths take the generic line there
        (the CuPy kernels, NumPy's tiles); PyTorch's takes dropout before its one-pass g'.
        """
        dA_prev, dW, _ = _linear_backward(dZ, A_prev, W, xp=xp, inv_m=inv_m, need_db=False)
        dZ_prev, db_prev = self.through(dA_prev, Z_prev, A_prev, g_prev, xp=xp, inv_m=inv_m, dropout=dropout, l=l - 1)
        return dW, dZ_prev, db_prev

    def through(self, dA, Z, A, g: Activation, *, xp, inv_m: float | None, dropout=None, l: int = 0):
        """(dZ_l, db_l) of hidden layer l from dA_l = W_{l+1}^T dZ_{l+1}: dZ_l = dA_l * g'(Z_l) (with
        ``dropout``, dA_l * D_l / keep_prob first), db_l = sum(dZ_l, axis=1) / m. ``dA`` is the fresh
        product :meth:`backward` made: an override may write dZ_l over it."""
        _, dZ = _through_hidden(dA, Z, A, g, xp=xp, dropout=dropout, l=l)
        return dZ, _db(dZ, inv_m, xp=xp)


def _through_hidden(dA, Z, A, g: Activation, *, xp, dropout=None, l: int = 0):
    """(dA_l, dZ_l) of a hidden layer l from W_{l+1}^T dZ_{l+1}: with ``dropout``, dA_l * D_l / keep_prob
    (A_l is then the dropped-out activation, so g' is taken from Z_l, or g(Z_l) where it is written
    through A); then dZ_l = dA_l * g'(Z_l)."""
    A_act = A
    if dropout is not None:
        dA = dropout.backward(dA, l)
        A_act = A if g.needs_Z else g(Z, xp=xp)  # the activation before dropout
    return dA, g.backward(dA, Z, A_act, xp=xp)


GENERIC_LINES = Lines()


def forward_pass(X, parameters, *, net: Network, xp, lines: Lines = GENERIC_LINES, dropout=None):
    """A_L (n_L, m) and the caches [((A_prev, W, b), Z) for l = 1 .. L]; with ``dropout`` each
    hidden A_l is A_l * D_l / keep_prob (and is the next layer's A_prev)."""
    caches = []
    A = X
    L = net.L
    for l in range(1, L):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        Z, A_next = lines.forward(A, W, b, net.hidden[l - 1], xp=xp, keep_Z=dropout is not None)
        caches.append(((A, W, b), Z))
        A = A_next if dropout is None else dropout.forward(A_next, l)
    W, b = parameters[f"W{L}"], parameters[f"b{L}"]
    Z = _linear_forward(A, W, b, xp=xp)
    caches.append(((A, W, b), Z))
    return net.output(Z, xp=xp), caches


def backward_pass(AL, Y, caches, *, net: Network, xp, lines: Lines = GENERIC_LINES, dropout=None,
                  mean_in_dZ: bool = False) -> dict:
    """Gradients {"dW1", "db1", ..., "dWL", "dbL"} from dZ_L = A_L - Y; Y float (n_L, m).

    ``mean_in_dZ``: the 1/m taken once, in dZ_L = 1./m * (A_L - Y), and not in each dW_l, db_l
    (course 2's init_utils and opt_utils; see the module's docstring). The same gradients, rounded
    as those helpers round them."""
    L = len(caches)
    inv_m = 1.0 / AL.shape[1]
    dZ = net.output.dZ(AL, Y, xp=xp)
    if mean_in_dZ:
        dZ, inv_m = inv_m * dZ, None
    grads = {f"db{L}": _db(dZ, inv_m, xp=xp)}
    for l in range(L, 1, -1):
        (A_prev, W, _), _ = caches[l - 1]
        Z_prev = caches[l - 2][1]
        grads[f"dW{l}"], dZ, grads[f"db{l - 1}"] = lines.backward(dZ, A_prev, Z_prev, W, net.hidden[l - 2], xp=xp,
                                                                inv_m=inv_m, dropout=dropout, l=l)
    (X, W1, _), _ = caches[0]
    _, grads["dW1"], _ = _linear_backward(dZ, X, W1, xp=xp, inv_m=inv_m, need_dA=False, need_db=False)
    return grads


# --- checks at the public doors --------------------------------------------------------------------
def refuse_swapped(X: Any, parameters: Any) -> None:
    """(parameters, X) given for (X, parameters): a clear error, before either is read as the other."""
    held = parameters_of(X)  # a model's result kept whole holds its parameters
    if isinstance(held, dict) and not isinstance(parameters_of(parameters), dict):
        what = "a dict" if held is X else f"a {type(X).__name__}, a model's result"
        raise TypeError(f"X is {what} (keys {list(held)[:4]}) and parameters a {type(parameters).__name__}: did you "
                        "swap them? X (n_x, m) is the data, parameters the dict of W1, b1, ...")


def check_inputs(X, parameters, **more):
    """xp and layer_dims; X (n_x, m) real floating, sharing the parameters' dtype and device."""
    layer_dims = check_parameters(parameters)
    xp = namespace_of(X=X, **parameters, **more)
    check_X(X, xp=xp, n_x=layer_dims[0])
    check_one_dtype({"X": X, **parameters})
    return xp, layer_dims


def check_one_dtype(arrays: dict, what: str = "the arrays") -> None:
    """The named arrays share one dtype (the message lists each one's)."""
    dtypes = {name: a.dtype for name, a in arrays.items()}
    if len(set(map(dtype_name, dtypes.values()))) > 1:  # byte order aside: NumPy mixes ">f8" and "<f8" exactly
        raise TypeError(
            f"{what} must share one dtype; got {', '.join(f'{k} {v}' for k, v in dtypes.items())}."
        )


def _check_cache(cache: Any, what: str = "cache") -> tuple:
    """A linear cache (A_prev, W, b) and Z, from linear_activation_forward's ((A_prev, W, b), Z)."""
    try:
        (A_prev, W, b), Z = cache
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be ((A_prev, W, b), Z), as linear_activation_forward returns it.") from None
    return A_prev, W, b, Z


def _activation_arg(activation: Any) -> Activation:
    """The course's activation argument: "sigmoid", "relu", ..., or "softmax" (or an Activation)."""
    if isinstance(activation, OutputLayer):
        return activation.activation
    return get_activation(activation)


# --- the course's week-4 functions ------------------------------------------------------------------
def linear_forward(A: Any, W: Any, b: Any) -> tuple[Any, tuple]:
    """Z = W A + b.

    A : (n_{l-1}, m), W : (n_l, n_{l-1}), b : (n_l, 1). Returns ``(Z, cache)``, Z (n_l, m) and
    cache = (A, W, b).

    Examples
    --------
    The course's test case (seed 1) and the value its notebook prints:

    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> rng = np.random.RandomState(1)
    >>> A, W, b = rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1)
    >>> Z, linear_cache = bnn.linear_forward(A, W, b)
    >>> Z.round(8)
    array([[ 3.26295337, -1.23429987]])
    >>> linear_cache[0] is A
    True
    """
    xp = namespace_of(A=A, W=W, b=b)
    _check_layer(A, W, b, xp=xp)
    return _linear_forward(A, W, b, xp=xp), (A, W, b)


def _check_layer(A, W, b, *, xp) -> None:
    if len(W.shape) != 2 or len(A.shape) != 2:
        raise ValueError(f"A and W must be 2-D: A (n_prev, m), W (n, n_prev); "
                         f"got A {tuple(A.shape)}, W {tuple(W.shape)}.")
    if W.shape[1] != A.shape[0]:
        raise ValueError(f"W {tuple(W.shape)} expects {W.shape[1]} input rows, but A has shape {tuple(A.shape)}.")
    if tuple(b.shape) != (W.shape[0], 1):
        raise ValueError(f"b must have shape ({W.shape[0]}, 1) to match W {tuple(W.shape)}; got {tuple(b.shape)}.")
    if not xp.isdtype(A.dtype, "real floating"):
        raise TypeError(f"A must have a real floating dtype (float64 or float32); got {A.dtype}.")
    check_one_dtype({"A": A, "W": W, "b": b})


def linear_activation_forward(A_prev: Any, W: Any, b: Any, activation: str | Activation) -> tuple[Any, tuple]:
    """A = g(W A_prev + b) for activation "relu", "sigmoid" (the course's two), "tanh",
    "leaky_relu", "linear" or "softmax".

    Returns ``(A, cache)``, A (n_l, m) and cache = ((A_prev, W, b), Z): the linear cache,
    then the activation cache Z.

    Examples
    --------
    The course's test case (seed 2) and the values its notebook prints:

    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> rng = np.random.RandomState(2)
    >>> A_prev, W, b = rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1)
    >>> A, ((A_prev, W, b), Z) = bnn.linear_activation_forward(A_prev, W, b, activation="sigmoid")
    >>> A.round(8)
    array([[0.96890023, 0.11013289]])
    >>> A, cache = bnn.linear_activation_forward(A_prev, W, b, activation="relu")
    >>> A.round(8)
    array([[3.43896131, 0.        ]])
    """
    g = _activation_arg(activation)
    Z, linear_cache = linear_forward(A_prev, W, b)
    xp = namespace_of(Z=Z)
    return g(Z, xp=xp), (linear_cache, Z)


def L_model_forward(X: Any, parameters: ParametersLike, *, activation: Any = None,
                    output: Any = None) -> tuple[Any, list]:
    """[LINEAR -> g] x (L-1) -> LINEAR -> output: L = len(parameters) // 2.

    As the course writes it, the hidden layers are relu and the output sigmoid; Parameters
    from training use their own network, and ``activation=`` (one name or one per hidden
    layer) / ``output=`` ("sigmoid", "softmax") choose others.

    X : (n_x, m). Returns ``(AL, caches)``: AL (n_L, m); caches, a list of the L caches
    ((A_prev, W, b), Z) in layer order.

    Examples
    --------
    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> parameters = bnn.initialize_parameters_deep([2, 4, 1])
    >>> AL, caches = bnn.L_model_forward(X, parameters)
    >>> AL.shape, len(caches)
    ((1, 400), 2)
    >>> (A_prev, W, b), Z = caches[0]
    >>> A_prev.shape, W.shape, b.shape, Z.shape
    ((2, 400), (4, 2), (4, 1), (4, 400))

    The course's test case (seed 6, two hidden layers) and the values its notebook prints:

    >>> rng = np.random.RandomState(6)
    >>> X = rng.randn(5, 4)
    >>> parameters = {k: rng.randn(*shape) for k, shape in [
    ...     ("W1", (4, 5)), ("b1", (4, 1)), ("W2", (3, 4)), ("b2", (3, 1)), ("W3", (1, 3)), ("b3", (1, 1))]}
    >>> AL, caches = bnn.L_model_forward(X, parameters)
    >>> AL.round(8), len(caches)
    (array([[0.03921668, 0.70498921, 0.19734387, 0.04728177]]), 3)
    """
    parameters = parameters_of(parameters)
    refuse_swapped(X, parameters)
    net = week4_network(parameters, activation, output)
    xp, _ = check_inputs(X, parameters)
    return forward_pass(X, parameters, net=net, xp=xp)


def week4_activation(parameters: Any, activation: Any) -> Any:
    """``activation`` as given; for a plain dict without one, the course's week-4 (and course 2) relu."""
    return "relu" if activation is None and not isinstance(parameters, Parameters) else activation


def week4_network(parameters: Any, activation: Any, output: Any) -> Network:
    """The parameters' own network; a plain dict is the course's week-4 one (relu hidden layers,
    sigmoid output; softmax for n_L > 1) unless activation= / output= say otherwise."""
    return network_of(parameters, week4_activation(parameters, activation), output)


def linear_backward(dZ: Any, cache: tuple) -> tuple[Any, Any, Any]:
    """dA_prev = W^T dZ, dW = dZ A_prev^T / m, db = sum(dZ, axis=1, keepdims=True) / m.

    dZ : (n_l, m); cache = (A_prev, W, b) from linear_forward. Returns ``(dA_prev, dW, db)``
    shaped like A_prev, W and b.

    Examples
    --------
    The course's test case (seed 1) and the values its notebook prints:

    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> rng = np.random.RandomState(1)
    >>> dZ, A_prev, W, b = rng.randn(3, 4), rng.randn(5, 4), rng.randn(3, 5), rng.randn(3, 1)
    >>> dA_prev, dW, db = bnn.linear_backward(dZ, (A_prev, W, b))
    >>> dA_prev.shape, dW.shape
    ((5, 4), (3, 5))
    >>> db.round(8)
    array([[-0.14713786],
           [-0.11313155],
           [-0.13209101]])
    """
    try:
        A_prev, W, b = cache
    except (TypeError, ValueError):
        raise TypeError("cache must be (A_prev, W, b), as linear_forward returns it.") from None
    xp = namespace_of(dZ=dZ, A_prev=A_prev, W=W, b=b)
    _check_layer(A_prev, W, b, xp=xp)
    if tuple(dZ.shape) != (W.shape[0], A_prev.shape[1]):
        raise ValueError(f"dZ must have shape (n_l, m) = {(W.shape[0], A_prev.shape[1])}; got {tuple(dZ.shape)}.")
    return _linear_backward(dZ, A_prev, W, xp=xp, inv_m=1.0 / A_prev.shape[1])


def linear_activation_backward(dA: Any, cache: tuple, activation: str | Activation) -> tuple[Any, Any, Any]:
    """dZ = dA * g'(Z) (the course's relu_backward: 0 where Z <= 0; sigmoid_backward:
    dA s (1 - s)), then :func:`linear_backward`.

    dA : (n_l, m); cache = ((A_prev, W, b), Z). Returns ``(dA_prev, dW, db)``.

    Examples
    --------
    The course's test case (seed 2) and the values its notebook prints for "sigmoid":

    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> rng = np.random.RandomState(2)
    >>> dA, A_prev, W, b, Z = rng.randn(1, 2), rng.randn(3, 2), rng.randn(1, 3), rng.randn(1, 1), rng.randn(1, 2)
    >>> dA_prev, dW, db = bnn.linear_activation_backward(dA, ((A_prev, W, b), Z), "sigmoid")
    >>> dA_prev.round(8)
    array([[ 0.11017994,  0.01105339],
           [ 0.09466817,  0.00949723],
           [-0.05743092, -0.00576154]])
    >>> dW.round(8), db.round(8)
    (array([[ 0.10266786,  0.09778551, -0.01968084]]), array([[-0.05729622]]))
    """
    g = _activation_arg(activation)
    A_prev, W, b, Z = _check_cache(cache)
    xp = namespace_of(dA=dA, Z=Z)
    return linear_backward(course_dZ(g, dA, Z, xp=xp), (A_prev, W, b))


def L_model_backward(AL: Any, Y: Any, caches: list, *, activation: Any = "relu", output: Any = None) -> dict:
    """Backpropagation through the L layers of :func:`L_model_forward`, the course's way.

    Starts from dA_L = -(Y / AL - (1 - Y) / (1 - AL)) through the sigmoid layer (the general
    route: AL need not be sigmoid(Z_L)); for a softmax output from dZ_L = AL - Y. Then the
    hidden layers, down to layer 1. Y is reshaped like AL (integer labels (1, m) are one-hot
    encoded for softmax).

    Returns grads with keys "dA0" .. "dA{L-1}", "dW1" .. "dWL", "db1" .. "dbL":
    grads["dA" + str(l - 1)], grads["dW" + str(l)], grads["db" + str(l)] for layer l.

    Examples
    --------
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> parameters = bnn.initialize_parameters_deep([2, 4, 1])
    >>> AL, caches = bnn.L_model_forward(X, parameters)
    >>> grads = bnn.L_model_backward(AL, Y, caches)
    >>> {k: v.shape for k, v in grads.items()}
    {'dA1': (4, 400), 'dW2': (1, 4), 'db2': (1, 1), 'dA0': (2, 400), 'dW1': (4, 2), 'db1': (4, 1)}
    """
    if not isinstance(caches, (list, tuple)) or not caches:
        swapped = " Y and caches look swapped: it takes (AL, Y, caches)." if isinstance(Y, (list, tuple)) else ""
        raise TypeError(f"caches must be the non-empty list of caches that L_model_forward returns; got "
                        f"{type(caches).__name__}.{swapped}")
    L = len(caches)
    hidden = hidden_activations(activation, L - 1)
    xp = namespace_of(AL=AL, Y=Y)
    out = output_for(int(AL.shape[0]), output) if len(AL.shape) == 2 else get_output(output or "sigmoid")
    if len(AL.shape) != 2:
        raise ValueError(f"AL must be 2-D (n_L, m); got shape {tuple(AL.shape)}.")
    check_probabilities_dtype(AL, xp=xp)
    if tuple(Y.shape) != tuple(AL.shape) and math.prod(Y.shape) == math.prod(AL.shape) and out.name == "sigmoid":
        Y = xp.reshape(Y, AL.shape)  # "Y reshaped like AL", as the course does
    Yf = encode_labels(Y, int(AL.shape[0]), out, dtype=AL.dtype, xp=xp, m=int(AL.shape[1]), name_out="AL")
    grads = {}
    A_prev, W, b, Z = _check_cache(caches[-1], "caches[-1]")
    if tuple(Z.shape) != tuple(AL.shape):
        raise ValueError(f"AL {tuple(AL.shape)} is not the output of caches[-1], whose Z_L is {tuple(Z.shape)}: AL and "
                         "caches come from one L_model_forward (AL, caches = L_model_forward(X, parameters)), the "
                         "caches in layer order.")
    if out.name == "sigmoid":
        _check_divisible(AL, xp=xp)
        dA = out.dA(AL, Yf, xp=xp)
        grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = linear_activation_backward(dA, caches[-1], "sigmoid")
    else:
        grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(out.dZ(AL, Yf, xp=xp), (A_prev, W, b))
    read = [_check_cache(caches[l], f"caches[{l}]") for l in range(L - 1)] + [(A_prev, W, b, Z)]
    check_cached_activations([(f"caches[{l - 1}][1] (Z{l})", read[l - 1][3], f"caches[{l}][0][0] (A{l})", read[l][0])
                              for l in range(1, L)], hidden, xp=xp,
                             fix="L_model_backward(AL, Y, caches, activation=...) takes the forward pass's")
    for l in range(L - 1, 0, -1):
        grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(
            grads[f"dA{l}"], caches[l - 1], hidden[l - 1])
    return grads


def check_cached_activations(layers: list[tuple[str, Any, str, Any]], hidden: Sequence[Activation], *, xp: Any,
                             fix: str) -> None:
    """Each hidden layer's cached A_l must be g_l(Z_l), for the g_l that backpropagation differentiates: a forward
    pass of leaky_relu units (or relu, tanh) read back with the default relu (or tanh) gave other gradients, in
    silence. ``layers``: (name of Z_l, Z_l, name of A_l, A_l) for l = 1 .. L-1. Up to round-off (1e-3 relative:
    a learner's own sigmoid, written another way, computes the same function); NaN and inf are not compared. An
    A_l that is no named activation of Z_l passes: the course's test cases draw their caches at random. One host
    sync for all the layers where each A_l is g_l(Z_l)."""
    def off(h: Activation, Z: Any, A: Any) -> Any:
        gZ = h(Z, xp=xp)
        return (xp.abs(A - gZ) > 1e-3 * (xp.abs(A) + xp.abs(gZ))) & xp.isfinite(A) & xp.isfinite(gZ)

    # the shapes are checked where they are read, with their own message
    compared = [(g, layer) for g, layer in zip(hidden, layers, strict=True)
                if tuple(layer[1].shape) == tuple(layer[3].shape)]
    wrongs = [off(g, Z, A) for g, (_, Z, _, A) in compared]
    if not wrongs or not found(xp.any(xp.stack([xp.any(w) for w in wrongs]))):
        return
    for (g, (z_name, Z, a_name, A)), wrong in zip(compared, wrongs):
        if not found(xp.any(wrong)):
            continue
        others = [get_activation(name) for name in HIDDEN_ACTIVATIONS if name != g.name]
        match = [h.name for h in others if not found(xp.any(off(h, Z, A)))]
        if not match:  # no activation's output: caches made up of random draws, as the course's test cases are
            continue
        raise ValueError(
            f"{a_name} is not {g.label}({z_name}) in {int(count_true(wrong, xp))} of {math.prod(A.shape)} entries "
            f"(e.g. A = {first_values(A, wrong, 1)[0]:.6g} where {g.label}(Z) = "
            f"{first_values(g(Z, xp=xp), wrong, 1)[0]:.6g}), but {' or '.join(match)} of {z_name}: the forward pass "
            f"computed another activation than the {g.label} that backpropagation would differentiate. {fix}: "
            f"activation={' or '.join(map(repr, match))}.")


def _check_divisible(AL: Any, *, xp: Any) -> None:
    """dA_L = -(Y / AL - (1 - Y) / (1 - AL)) divides by AL and by 1 - AL: an AL of exactly 0 or 1 (a
    sigmoid that rounded off) or NaN would make every gradient NaN, with a warning from NumPy alone."""
    bad = ~xp.isfinite(AL) | (AL == 0) | (AL == 1)
    if found(xp.any(bad)):
        n_bad = int(count_true(bad, xp))
        if n_bad == math.prod(AL.shape) and holds(xp.all(xp.isfinite(AL))):  # 0s and 1s alone: labels
            raise ValueError("AL holds only 0s and 1s, as labels do: did you swap AL and Y? L_model_backward takes "
                             "(AL, Y, caches), the output first.")
        raise ValueError(
            f"AL holds {n_bad} value(s) of exactly 0 or 1, or NaN or inf: dA_L = -(Y / AL - "
            "(1 - Y) / (1 - AL)), the course's route into the sigmoid layer, divides by AL and 1 - AL there, and "
            "every gradient would be NaN. A sigmoid rounds to 1 where Z_L passes about 37 (float64) or 17 "
            "(float32), and to 0 far below: its dZ_L = AL - Y needs no division, and L_layer_model and train_step "
            "start from it; or keep Z_L moderate (scaled inputs, a smaller learning rate).")


def check_cached_shapes(arrays: dict, parameters: Any, X: Any, source: str) -> None:
    """A cache's arrays, named by layer ("Z1", "A1", "D1", ...), each of shape (n_l, m) with m as in X:
    from ``source``'s pass of these parameters and this X, not another's."""
    namespace_of(X=X, **arrays)
    m = int(X.shape[1])
    wrong = [f"{k} {tuple(a.shape)}" for k, a in arrays.items()
             if tuple(a.shape) != (int(parameters[f"W{k[1:]}"].shape[0]), m)]
    if wrong:
        raise ValueError(f"cache must hold each layer's Z_l and A_l of shape (n_l, m), m = {m} as in X, from "
                         f"{source} of these parameters and X; got {', '.join(wrong)}.")


# --- the course's week-3 functions --------------------------------------------------------------------
def _week3_network(parameters: Any, activation: Any, output: Any = None, negative_slope: float = DEFAULT_SLOPE
                   ) -> Network:
    """Parameters' own network; a plain dict of week 3's two layers is its network, tanh, unless
    activation= says. A plain dict of more layers is no week-3 network: its activations are asked for."""
    if activation is None and not isinstance(parameters, Parameters):
        dims = check_parameters(parameters)
        if len(dims) != 3:
            # course 2's notebooks name their three-layer relu networks' forward pass forward_propagation
            # too: taken as tanh, they trained another network in silence
            raise ValueError(
                f"forward_propagation and backward_propagation are week 3's: a plain dict of parameters is its "
                f"network of one hidden layer (tanh); these have {len(dims) - 1} layers {dims}. Say which "
                "activations: activation='relu' (course 2's networks) or one name per hidden layer; or use "
                "L_model_forward / L_model_backward (week 4: relu hidden layers). Course 2's notebooks' own pass is "
                "cost, cache = forward_propagation_n(X, Y, parameters), with their tuple cache (AL = cache[-3]) "
                "that backward_propagation_n and backward_propagation_with_regularization(X, Y, cache, lambd) read."
            )
        activation = "tanh"  # these functions are the course's week-3 ones: tanh by definition
    return network_of(parameters, activation, output, negative_slope=negative_slope)


def _cache_dict(AL, caches) -> dict:
    """The week-3 cache {"Z1", "A1", ..., "ZL", "AL"} from the week-4 caches."""
    L = len(caches)
    cache = {}
    for l in range(1, L + 1):
        cache[f"Z{l}"] = caches[l - 1][1]
        cache[f"A{l}"] = caches[l][0][0] if l < L else AL
    return cache


def forward_propagation(X: Any, parameters: ParametersLike, *, activation: Any = None, negative_slope: float = 0.01,
                        output: Any = None) -> tuple[Any, dict]:
    """Forward pass: Z1 = W1 X + b1, A1 = g(Z1), Z2 = W2 A1 + b2, A2 = sigmoid(Z2).

    Parameters
    ----------
    X : array (n_x, m)
        Input data, examples as columns.
    parameters : dict
        W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1); or W1, b1, ..., WL, bL.
    activation : str or list, optional
        Hidden activation(s). Parameters from training use their own; a plain dict is the
        course's week-3 network, tanh.

    Returns
    -------
    A2 : array (n_y, m)
        The output (sigmoid; softmax for n_y > 1).
    cache : dict
        {"Z1": (n_h, m), "A1": (n_h, m), "Z2": (n_y, m), "A2": (n_y, m)} (and so on for L layers).

    Given two numbers, ``forward_propagation(x, theta)``, it is the gradient-checking assignment's
    function of this name: J = theta x (:func:`backend_nn.gradient_check.forward_propagation_1d`).

    Examples
    --------
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> parameters = bnn.initialize_parameters(2, 4, 1)
    >>> A2, cache = bnn.forward_propagation(X, parameters)
    >>> A2.shape, sorted(cache)
    ((1, 400), ['A1', 'A2', 'Z1', 'Z2'])
    """
    parameters = parameters_of(parameters)
    if _two_numbers(X, parameters):
        from .gradient_check import forward_propagation_1d

        return forward_propagation_1d(X, parameters)
    refuse_swapped(X, parameters)
    net = _week3_network(parameters, activation, output, negative_slope)
    xp, _ = check_inputs(X, parameters)
    AL, caches = forward_pass(X, parameters, net=net, xp=xp)
    return AL, _cache_dict(AL, caches)


class _Required:
    """The default of an argument that has none, there only to say what a call that left it out meant."""

    def __repr__(self) -> str:
        return "<required>"


_REQUIRED = _Required()


def _two_numbers(a: Any, b: Any) -> bool:
    return is_real_number(a) and is_real_number(b)


def backward_propagation(parameters: ParametersLike, cache: dict, X: Any = _REQUIRED, Y: Any = _REQUIRED, *,
                         activation: Any = None, negative_slope: float = 0.01, output: Any = None) -> dict:
    """Backward pass (the course's argument order: parameters, cache, X, Y).

    dZ2 = A2 - Y                      (n_y, m)
    dW2 = dZ2 A1^T / m                (n_y, n_h)
    db2 = sum(dZ2, axis=1) / m        (n_y, 1)
    dZ1 = W2^T dZ2 * g'(Z1)           (n_h, m)
    dW1 = dZ1 X^T / m                 (n_h, n_x)
    db1 = sum(dZ1, axis=1) / m        (n_h, 1)

    Y : (n_y, m) of 0/1, float or bool. Returns {"dW1", "db1", "dW2", "db2"} (and so on for
    L layers), each the shape of its parameter.

    Given two numbers, ``backward_propagation(x, theta)``, it is the gradient-checking assignment's
    function of this name: dtheta = x (:func:`backend_nn.gradient_check.backward_propagation_1d`).

    Examples
    --------
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> parameters = bnn.initialize_parameters(2, 4, 1)
    >>> A2, cache = bnn.forward_propagation(X, parameters)
    >>> grads = bnn.backward_propagation(parameters, cache, X, Y)
    >>> {k: v.shape for k, v in grads.items()}
    {'db2': (1, 1), 'dW2': (1, 4), 'db1': (4, 1), 'dW1': (4, 2)}
    """
    parameters = parameters_of(parameters)
    if X is _REQUIRED and Y is _REQUIRED and _two_numbers(parameters, cache):
        from .gradient_check import backward_propagation_1d

        return backward_propagation_1d(parameters, cache)
    if X is _REQUIRED:
        raise TypeError("backward_propagation takes (parameters, cache, X, Y), week 3's order; it was given two "
                        "arguments (the gradient-checking assignment's backward_propagation(x, theta) takes two "
                        "numbers).")
    if Y is _REQUIRED:
        course2 = isinstance(X, (tuple, list)) and not isinstance(parameters, dict)  # (X, Y, cache)
        raise TypeError("backward_propagation takes (parameters, cache, X, Y), week 3's order; it was given three "
                        "arguments" + (": course 2's backward_propagation(X, Y, cache) is backward_propagation_n(X, Y, "
                                       "cache) here, with the tuple cache of forward_propagation_n." if course2 else
                                       ", without Y."))
    refuse_swapped(X, parameters)
    net = _week3_network(parameters, activation, output, negative_slope)
    L = net.L
    xp, _ = check_inputs(X, parameters, Y=Y)
    if not isinstance(cache, dict):
        raise TypeError(f"cache must be the dict that forward_propagation returns; got {type(cache).__name__}.")
    keys = [k for l in range(1, L + 1) for k in (f"Z{l}", f"A{l}")]
    missing = [k for k in keys if k not in cache]
    if missing:
        raise ValueError(f"cache must hold Z1, A1, ..., Z{L}, A{L} from forward_propagation; missing {missing}.")
    check_cached_shapes({k: cache[k] for k in keys}, parameters, X, "forward_propagation")
    AL = cache[f"A{L}"]
    n_y = int(AL.shape[0])
    Yf = encode_labels(Y, n_y, net.output, dtype=AL.dtype, xp=xp, m=int(AL.shape[1]), name_out=f"A{L}")
    check_cached_activations([(f"cache['Z{l}']", cache[f"Z{l}"], f"cache['A{l}']", cache[f"A{l}"])
                              for l in range(1, L)], net.hidden, xp=xp,
                             fix="backward_propagation(parameters, cache, X, Y, activation=...) takes the forward "
                                 "pass's")
    caches = []
    for l in range(1, L + 1):
        A_prev = X if l == 1 else cache[f"A{l - 1}"]
        caches.append(((A_prev, parameters[f"W{l}"], parameters[f"b{l}"]), cache[f"Z{l}"]))
    return backward_pass(AL, Yf, caches, net=net, xp=xp)
