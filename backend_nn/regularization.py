"""Regularization (course 2, week 1).

L2, lambd:

    J_regularized = J + lambd / (2 m) * sum_l ||W_l||_F^2
    dW_l         += lambd / m * W_l

The biases are not regularized, as in the course.

Inverted dropout, keep_prob, on the hidden layers only:

    forward:   D_l = (rand(n_l, m) < keep_prob);  A_l = A_l * D_l;  A_l = A_l / keep_prob
    backward:  dA_l = dA_l * D_l;  dA_l = dA_l / keep_prob

The masks are drawn on the host from ``numpy.random.RandomState(1)`` in layer order (D1, D2,
...), as the course's ``forward_propagation_with_dropout`` draws them after ``np.random.seed(1)``
on every call: so every step uses the same masks, as the course's do, every backend the same
ones. No dropout at prediction time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .backend import device_of, has_no_value_yet, namespace_of, to_backend, to_numpy
from .network import ParametersLike, parameters_of
from .validation import check_number, dtype_name

__all__ = ["l2_cost", "add_l2_gradients", "check_lambd", "dropout_masks", "dropout_for", "check_keep_prob",
           "check_dropout_layers", "Dropout",
           "compute_cost_with_regularization", "forward_propagation_with_dropout",
           "backward_propagation_with_regularization", "backward_propagation_with_dropout", "tuple_cache_forward",
           "tuple_cache_backward"]


def l2_cost(parameters: dict, lambd: float, m: int, *, xp: Any) -> Any:
    """lambd / (2 m) * sum of the squared entries of every W_l: a 0-d array. Written in the course's
    order, ``(1/m)*(lambd/2)*(np.sum(np.square(W1)) + ...)``, so its costs are the notebook's bits."""
    L = len(parameters) // 2
    total = sum(xp.sum(xp.square(parameters[f"W{l}"])) for l in range(1, L + 1))
    return (1 / m) * (lambd / 2) * total


def add_l2_gradients(grads: dict, parameters: dict, lambd: float, m: int) -> dict:
    """dW_l + lambd / m * W_l for every layer (new arrays); db_l unchanged. Written in the course's
    order, ``1./m * np.dot(dZ3, A2.T) + (lambd * W3) / m``."""
    out = dict(grads)
    for k, P in parameters.items():
        if k.startswith("W"):
            out["d" + k] = grads["d" + k] + (lambd * P) / m
    return out


def check_lambd(lambd: Any, name: str = "lambd") -> float:
    """lambd >= 0, a finite number (``name``: what the caller called it, e.g. scikit-learn's alpha)."""
    import math

    return check_number(name, lambd, "a number >= 0", lambda v: v >= 0 and math.isfinite(v), "a finite number >= 0")


def check_keep_prob(keep_prob: Any) -> float:
    """keep_prob in (0, 1]."""
    return check_number("keep_prob", keep_prob, "a number in (0, 1]", lambda v: 0.0 < v <= 1.0,
                        "in (0, 1] (the probability of keeping a unit)")


def check_dropout_layers(keep_prob: float, layer_dims) -> None:
    """Refuse dropout (keep_prob < 1) on a network with no hidden layer: there would be nothing to drop."""
    if keep_prob != 1.0 and len(layer_dims) < 3:
        raise ValueError(f"keep_prob={keep_prob!r} drops hidden units, and the network {[int(n) for n in layer_dims]} "
                         "has no hidden layer (dropout never touches the input or the output): leave keep_prob at 1, "
                         "or add a hidden layer.")


def dropout_masks(layer_dims, m: int, keep_prob: float, *, xp: Any, dtype: Any, device: Any = None,
                  seed: int = 1) -> list:
    """D_1 .. D_{L-1}, (n_l, m) of 0/1 in ``dtype`` on the backend: (rand(n_l, m) < keep_prob) from
    RandomState(seed), in layer order, as the course draws them. A network with no hidden layer is
    refused (:func:`check_dropout_layers`)."""
    check_dropout_layers(keep_prob, layer_dims)
    rng = np.random.RandomState(seed)
    host = np.dtype(dtype_name(dtype))  # 0/1 are exact in any float: made in the dtype on the host
    return [to_backend((rng.rand(int(n), int(m)) < keep_prob).astype(host), xp, device=device)
            for n in layer_dims[1:-1]]


class Dropout:
    """keep_prob and the masks of one batch shape: what the forward and backward passes apply."""

    def __init__(self, keep_prob: float, masks: list) -> None:
        self.keep_prob, self.masks = keep_prob, masks

    def forward(self, A, l: int):
        """A_l * D_l / keep_prob, as the course writes it (two steps)."""
        A = A * self.masks[l - 1]
        return A / self.keep_prob

    def backward(self, dA, l: int):
        """dA_l * D_l / keep_prob."""
        dA = dA * self.masks[l - 1]
        return dA / self.keep_prob


def dropout_for(dropouts: dict | None, width: int) -> Dropout | None:
    """The dropout masks of a batch of ``width`` columns: None where the run has no dropout, and an
    error (never a batch trained silently without it) where masks were made for other widths only."""
    if not dropouts:
        return None
    try:
        return dropouts[width]
    except KeyError:
        raise RuntimeError(f"no dropout masks for a batch of {width} columns (masks were made for widths "
                           f"{sorted(dropouts)}): the batches and the masks were cut differently.") from None


# --- the course's functions (course 2, week 1: the regularization assignment) ----------------------------
# The assignment writes them for its 3-layer network (relu, relu, sigmoid) with tuple caches; here they take
# any depth (the same layout, layer by layer) on any backend, built from the equations above and the generic
# forward pass and layer lines of backend_nn.propagation.

def compute_cost_with_regularization(A3: Any, Y: Any, parameters: ParametersLike, lambd: float) -> np.float64:
    """The cross-entropy of A3 (the output A_L) plus lambd / (2 m) * sum_l ||W_l||_F^2, as a NumPy
    float64: the course's type (its sum of two NumPy costs), which its check reads the shape () of;
    a float too (``isinstance(cost, float)``), on any backend. Inside jax.jit, jax.grad or
    torch.func.grad, the traced 0-d array.

    A3 : (n_y, m); Y : (n_y, m) labels; parameters : W1, b1, ..., WL, bL; lambd >= 0.

    Examples
    --------
    The assignment's test case and its published cost:

    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> rng = np.random.RandomState(1)           # the course's np.random.seed(1), kept local
    >>> Y = np.array([[1, 1, 0, 1, 0]])
    >>> parameters = {k: rng.randn(*shape) for k, shape in [
    ...     ("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 2)), ("b2", (3, 1)), ("W3", (1, 3)), ("b3", (1, 1))]}
    >>> A3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    >>> print(f"{bnn.compute_cost_with_regularization(A3, Y, parameters, lambd=0.1):.11f}")
    1.78648594516
    """
    from .outputs import cross_entropy
    from .validation import check_parameters

    parameters = parameters_of(parameters)
    lambd = check_lambd(lambd)
    check_parameters(parameters)
    cost = cross_entropy(A3, Y, ZL=None, output=None,
                         door="compute_cost_with_regularization takes (A3, Y, parameters, lambd)")
    xp = namespace_of(A3=A3, **parameters)
    l2 = l2_cost(parameters, lambd, int(A3.shape[1]), xp=xp)
    if has_no_value_yet(cost) or has_no_value_yet(l2):  # inside jax.jit, jax.grad or torch.func.grad: the traced
        # 0-d array, as compute_cost's
        return cost + l2
    return np.float64(cost + float(to_numpy(l2)))


def forward_propagation_with_dropout(X: Any, parameters: ParametersLike, keep_prob: float = 0.5) -> tuple[Any, tuple]:
    """Forward pass with inverted dropout on the hidden layers, the course's masks (RandomState(1)).

    X : (n_x, m); parameters : W1, b1, ..., WL, bL of the assignment's network, relu hidden layers
    and a sigmoid output (softmax for n_L > 1). Returns (A3, cache): A3 the output A_L (n_L, m), and
    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, ..., ZL, AL, WL, bL), A_l the dropped-out
    activation (A_l * D_l / keep_prob) and D_l its 0/1 mask (n_l, m), as the assignment's cache holds
    them.

    Examples
    --------
    The assignment's test case and its published output:

    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> rng = np.random.RandomState(1)           # the course's np.random.seed(1), kept local
    >>> X = rng.randn(3, 5)
    >>> parameters = {k: rng.randn(*shape) for k, shape in [
    ...     ("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 2)), ("b2", (3, 1)), ("W3", (1, 3)), ("b3", (1, 1))]}
    >>> A3, cache = bnn.forward_propagation_with_dropout(X, parameters, keep_prob=0.7)
    >>> A3.round(8)
    array([[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]])
    """
    parameters = parameters_of(parameters)
    keep_prob = check_keep_prob(keep_prob)
    return tuple_cache_forward(X, parameters, keep_prob, name="forward_propagation_with_dropout")


def tuple_cache_forward(X: Any, parameters: dict, keep_prob: float | None, *, name: str) -> tuple[Any, tuple]:
    """(A_L, the assignments' tuple cache) of the assignments' network, with the course's dropout
    masks where ``keep_prob`` is given (the cache then holds them), without where it is None.

    The tuple holds arrays only, and the backward functions that read it take the network to be the
    assignments' (relu hidden layers): parameters of any other network are refused here, never
    carried into a backward pass that would differentiate the wrong activation."""
    from .network import Network
    from .propagation import check_inputs, forward_pass, refuse_swapped, week4_network

    refuse_swapped(X, parameters)
    net = week4_network(parameters, None, None)
    if net != Network.build(net.layer_dims, "relu"):
        raise ValueError(
            f"{name} computes the assignments' network (relu hidden layers, a sigmoid output; softmax for "
            f"n_L > 1), whose tuple cache the backward functions read without its activations; these parameters "
            f"are a different network ({net}). Train it with lambd= / keep_prob= (nn_model, L_layer_model, "
            f"model), or check its gradients with gradient_check_n(..., lambd=, keep_prob=).")
    xp, dims = check_inputs(X, parameters)
    dropout = None if keep_prob is None else Dropout(
        keep_prob, dropout_masks(dims, int(X.shape[1]), keep_prob, xp=xp, dtype=X.dtype, device=device_of(X)))
    AL, caches = forward_pass(X, parameters, net=net, xp=xp, dropout=dropout)
    return AL, _tuple_cache(AL, caches, dropout)


def _tuple_cache(AL: Any, caches: list, dropout: Dropout | None) -> tuple:
    """(Z1, [D1,] A1, W1, b1, ..., ZL, AL, WL, bL) from the forward pass's caches."""
    L, out = len(caches), []
    for l in range(1, L + 1):
        (_, W, b), Z = caches[l - 1]
        A = AL if l == L else caches[l][0][0]
        out += [Z, *([dropout.masks[l - 1]] if dropout is not None and l < L else []), A, W, b]
    return tuple(out)


def backward_propagation_with_regularization(X: Any, Y: Any, cache: tuple, lambd: float) -> dict:
    """Backpropagation with the L2 term, dW_l = dZ_l A_{l-1}^T / m + lambd / m * W_l.

    X : (n_x, m); Y : (1, m) of 0/1; lambd >= 0.
    cache : (Z1, A1, W1, b1, ..., ZL, AL, WL, bL), as the assignment's forward_propagation returns it
    (relu hidden layers, a sigmoid output), and here :func:`~backend_nn.forward_propagation_n`.
    Returns the assignment's gradients: dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1 (and
    so on, from layer L down).

    Examples
    --------
    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> rng = np.random.RandomState(1)                # the assignment's gradient_check_n_test_case
    >>> X, Y = rng.randn(4, 3), np.array([[1, 1, 0]])
    >>> parameters = {}
    >>> for l, shape in enumerate([(5, 4), (3, 5), (1, 3)], start=1):
    ...     parameters[f"W{l}"], parameters[f"b{l}"] = rng.randn(*shape), rng.randn(shape[0], 1)
    >>> cost, cache = bnn.forward_propagation_n(X, Y, parameters)     # the assignment's tuple cache
    >>> grads = bnn.backward_propagation_with_regularization(X, Y, cache, lambd=0.7)
    >>> bnn.gradient_check_n(parameters, grads, X, Y, lambd=0.7) < 2e-7
    True
    """
    lambd = check_lambd(lambd)
    grads, parameters = tuple_cache_backward(X, Y, cache, masks=False)
    return add_l2_gradients(grads, parameters, lambd, int(X.shape[1])) if lambd else grads


def backward_propagation_with_dropout(X: Any, Y: Any, cache: tuple, keep_prob: float) -> dict:
    """Backpropagation through the dropped-out units: dA_l = W_{l+1}^T dZ_{l+1} * D_l / keep_prob.

    X : (n_x, m); Y : (1, m) of 0/1; keep_prob in (0, 1], the forward pass's.
    cache : as :func:`forward_propagation_with_dropout` returns it (Z1, D1, A1, W1, b1, ..., each D_l
    (n_l, m) the layer's mask). Returns the assignment's gradients, each shaped like its array:
    dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1 (and so on, from layer L down).

    Examples
    --------
    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> rng = np.random.RandomState(1)                # the assignment's gradient_check_n_test_case
    >>> X, Y = rng.randn(4, 3), np.array([[1, 1, 0]])
    >>> parameters = {}
    >>> for l, shape in enumerate([(5, 4), (3, 5), (1, 3)], start=1):
    ...     parameters[f"W{l}"], parameters[f"b{l}"] = rng.randn(*shape), rng.randn(shape[0], 1)
    >>> A3, cache = bnn.forward_propagation_with_dropout(X, parameters, keep_prob=0.86)
    >>> grads = bnn.backward_propagation_with_dropout(X, Y, cache, keep_prob=0.86)
    >>> bnn.gradient_check_n(parameters, grads, X, Y, keep_prob=0.86, from_logits=True) < 2e-7   # the same masks
    True
    """
    keep_prob = check_keep_prob(keep_prob)
    return tuple_cache_backward(X, Y, cache, masks=True, keep_prob=keep_prob)[0]


def tuple_cache_backward(X: Any, Y: Any, cache: Any, *, masks: bool, keep_prob: float = 1.0):
    """(grads with the dZ, dW, db and dA of every layer, the parameters) from a tuple cache: with
    ``masks``, 5 entries a hidden layer (Z, D, A, W, b) and 4 the output's; without, 4 each."""
    from .outputs import encode_labels
    from .propagation import check_cached_shapes, check_inputs, _linear_backward, _through_hidden, week4_network

    per = 5 if masks else 4
    n = len(cache) if isinstance(cache, tuple) else -1
    other = ("" if n < 4 else  # the cache the other backward pass reads has this length (both, at 24, 44, ...)
             ", the length of forward_propagation_with_dropout's cache (its masks D_l beside each hidden layer): "
             "backward_propagation_with_dropout reads it" if not masks and (n + 1) % 5 == 0 else
             ", the length of a cache without masks (forward_propagation_n's): backward_propagation_n and "
             "backward_propagation_with_regularization read it" if masks and n % 4 == 0 else "")
    if n < 4 or (n + int(masks)) % per:
        layout = "(Z1, D1, A1, W1, b1, ..., ZL, AL, WL, bL) from forward_propagation_with_dropout" if masks \
            else ("(Z1, A1, W1, b1, ..., ZL, AL, WL, bL) from forward_propagation_n "
                  "(the assignments' forward_propagation)")
        got = f"a tuple of {n}" if n >= 0 else type(cache).__name__
        if isinstance(cache, dict):
            got += " (forward_propagation's cache dict holds no W and b)"
        elif isinstance(cache, list):
            got += " (L_model_forward's caches are read by L_model_backward)"
        raise TypeError(f"cache must be the tuple {layout}; got {got}{other}.")
    L = (n + int(masks)) // per
    Z, D, A, parameters, i = {}, {}, {}, {}, 0
    for l in range(1, L + 1):
        Z[l] = cache[i]
        if masks and l < L:
            D[l], i = cache[i + 1], i + 1
        A[l], parameters[f"W{l}"], parameters[f"b{l}"] = cache[i + 1], cache[i + 2], cache[i + 3]
        i += 4
    try:
        net = week4_network(parameters, None, None)
        xp, _ = check_inputs(X, parameters, Y=Y)
    except ValueError as exc:  # entries read as W and b that are none: the other pass's cache, of a length both take
        if other:
            raise ValueError(f"{exc} The cache is a tuple of {n}{other}.") from None
        raise
    check_cached_shapes({**{f"Z{l}": Z[l] for l in Z}, **{f"A{l}": A[l] for l in A}, **{f"D{l}": D[l] for l in D}},
                        parameters, X, "forward_propagation_with_dropout" if masks else "forward_propagation_n")
    drop = Dropout(keep_prob, [D[l] for l in range(1, L)]) if masks else None
    AL = A[L]
    dZ = net.output.dZ(AL, encode_labels(Y, int(AL.shape[0]), net.output, dtype=AL.dtype, xp=xp,
                                         m=int(AL.shape[1]), name_out=f"A{L}"), xp=xp)
    grads = {}
    for l in range(L, 0, -1):
        dA_prev, dW, db = _linear_backward(dZ, X if l == 1 else A[l - 1], parameters[f"W{l}"], xp=xp,
                                           inv_m=1.0 / AL.shape[1], need_dA=l > 1)
        grads[f"dZ{l}"], grads[f"dW{l}"], grads[f"db{l}"] = dZ, dW, db
        if l > 1:
            grads[f"dA{l - 1}"], dZ = _through_hidden(dA_prev, Z[l - 1], A[l - 1], net.hidden[l - 2], xp=xp,
                                                      dropout=drop, l=l - 1)
    return grads, parameters
