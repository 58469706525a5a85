"""Forward propagation beside backward propagation.

The network has L layers; the course's shallow network is L = 2. Layer l
(with A0 = X) computes

    Z_l = W_l A_{l-1} + b_l          W_l : (n_l, n_{l-1}),  b_l : (n_l, 1)
    A_l = g(Z_l)  for l < L,  A_L = sigmoid(Z_L)          Z_l, A_l : (n_l, m)

and backpropagation runs the same two steps in reverse:

    dZ_L = A_L - Y                                  (sigmoid + cross-entropy)
    dW_l = dZ_l A_{l-1}^T / m
    db_l = sum(dZ_l, axis=1, keepdims=True) / m
    dZ_{l-1} = W_l^T dZ_l * g'(Z_{l-1})

For L = 2 these are exactly the course's week-3 equations:
dZ2 = A2 - Y, dW2 = dZ2 A1^T / m, db2 = sum(dZ2) / m,
dZ1 = W2^T dZ2 * g'(Z1), dW1 = dZ1 X^T / m, db1 = sum(dZ1) / m.

The private ``_forward``/``_backward`` take ``xp`` (found once per run) and do
no checks: they are the hot path, shared by the training loop and by the
compiled paths in :mod:`backend_nn.accelerate`.
"""

from __future__ import annotations

from typing import Any

from .activations import Activation, sigmoid
from .backend import namespace_of
from .cost import _as_labels
from .parameters import resolve_activation
from .validation import check_labels_shape, check_parameters, check_X

__all__ = ["forward_propagation", "backward_propagation"]


def _matmul(a, b, *, xp):
    """a @ b; when the contracted dimension is 1 (W2^T dZ2 with n_y = 1) it is the
    outer product a * b, bit for bit, and the broadcast product is several times
    faster than a BLAS call on such shapes."""
    return a * b if a.shape[1] == 1 else xp.matmul(a, b)


def _forward(X, parameters, *, g: Activation, xp):
    """A_L (n_L, m) and the cache {"Z1", "A1", ..., "ZL", "AL"}."""
    L = len(parameters) // 2
    cache = {}
    A = X
    for l in range(1, L + 1):
        WA = xp.matmul(parameters[f"W{l}"], A)
        if l < L and g.fused_forward is not None:  # Z = WA + b, A = g(Z) in one kernel
            Z, A = g.fused_forward(WA, parameters[f"b{l}"])  # Z is None where g' needs only A
        else:
            Z = WA + parameters[f"b{l}"]
            A = g(Z, xp=xp) if l < L else sigmoid(Z, xp=xp)
        cache[f"Z{l}"] = Z
        cache[f"A{l}"] = A
    return A, cache


def _backward(parameters, cache, X, Y, *, g: Activation, xp):
    """Gradients {"dW1", "db1", ..., "dWL", "dbL"}; Y is float (n_L, m)."""
    L = len(parameters) // 2
    m = X.shape[1]
    grads = {}
    dZ = cache[f"A{L}"] - Y
    sum_dZ = None  # sum(dZ, axis=1, keepdims=True), where a fused kernel already made it
    for l in range(L, 0, -1):
        A_prev = cache[f"A{l - 1}"] if l > 1 else X
        fused = None
        if l > 1 and g.fused_backprop is not None:
            fused = g.fused_backprop(parameters[f"W{l}"], dZ, cache[f"Z{l - 1}"], A_prev)
        grads[f"dW{l}"] = (xp.matmul(dZ, A_prev.T) if fused is None else fused.dW) / m
        grads[f"db{l}"] = (xp.sum(dZ, axis=1, keepdims=True) if sum_dZ is None else sum_dZ) / m
        if l == 1:
            break
        if fused is None:
            dZ, sum_dZ = _hidden_dZ(parameters[f"W{l}"].T, dZ, cache[f"Z{l - 1}"], A_prev, g=g, xp=xp), None
        else:
            dZ, sum_dZ = fused.dZ_prev, fused.sum_dZ_prev
    return grads


def _hidden_dZ(WT, dZ, Z, A, *, g: Activation, xp):
    """dZ_{l-1} = W_l^T dZ_l * g'(Z_{l-1}): (n_{l-1}, m)."""
    return _matmul(WT, dZ, xp=xp) * g.grad(Z, A, xp=xp)


def _check_inputs(X, parameters, **more):
    layer_dims = check_parameters(parameters)
    xp = namespace_of(X=X, **parameters, **more)
    check_X(X, xp=xp, n_x=layer_dims[0])
    dtypes = {name: a.dtype for name, a in {"X": X, **parameters}.items()}
    if len(set(map(str, dtypes.values()))) > 1:
        raise TypeError(
            f"X and the parameters must share one dtype; got {', '.join(f'{k} {v}' for k, v in dtypes.items())}."
        )
    return xp, layer_dims


def forward_propagation(
    X: Any, parameters: dict, *, activation: Any = None, negative_slope: float = 0.01
) -> tuple[Any, dict]:
    """Forward pass: Z1 = W1 X + b1, A1 = g(Z1), Z2 = W2 A1 + b2, A2 = sigmoid(Z2).

    Parameters
    ----------
    X : array (n_x, m)
        Input data, examples as columns.
    parameters : dict
        W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1); or the L-layer
        generalisation W1, b1, ..., WL, bL.
    activation : str, optional
        Hidden activation g: "tanh" (default), "sigmoid", "relu",
        "leaky_relu" (with ``negative_slope``), "linear". Defaults to the one
        the parameters were trained with.

    Returns
    -------
    A2 : array (n_y, m)
        The sigmoid output.
    cache : dict
        {"Z1": (n_h, m), "A1": (n_h, m), "Z2": (n_y, m), "A2": (n_y, m)}.
    """
    xp, _ = _check_inputs(X, parameters)
    return _forward(X, parameters, g=resolve_activation(parameters, activation, negative_slope), xp=xp)


def backward_propagation(
    parameters: dict, cache: dict, X: Any, Y: Any, *, activation: Any = None, negative_slope: float = 0.01
) -> dict:
    """Backward pass (the course's argument order: parameters, cache, X, Y).

    dZ2 = A2 - Y                      (n_y, m)
    dW2 = dZ2 A1^T / m                (n_y, n_h)
    db2 = sum(dZ2, axis=1) / m        (n_y, 1)
    dZ1 = W2^T dZ2 * g'(Z1)           (n_h, m)
    dW1 = dZ1 X^T / m                 (n_h, n_x)
    db1 = sum(dZ1, axis=1) / m        (n_h, 1)

    Y : (n_y, m) of 0/1, float or bool. Returns {"dW1", "db1", "dW2", "db2"}
    (and so on for L layers), each the shape of its parameter.
    """
    L = len(parameters) // 2
    xp, layer_dims = _check_inputs(X, parameters, Y=Y)
    missing = [k for l in range(1, L + 1) for k in (f"Z{l}", f"A{l}") if k not in cache]
    if missing:
        raise ValueError(f"cache must hold Z1, A1, ..., Z{L}, A{L} from forward_propagation; missing {missing}.")
    AL = cache[f"A{L}"]
    check_labels_shape(Y, AL.shape, name_out=f"A{L}")
    g = resolve_activation(parameters, activation, negative_slope)
    return _backward(parameters, cache, X, _as_labels(Y, AL.dtype, xp=xp), g=g, xp=xp)
