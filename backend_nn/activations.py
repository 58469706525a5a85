"""Activation functions g(Z) beside their derivatives g'(Z).

Each activation is an :class:`Activation`: ``g(Z, xp=xp) -> A`` and
``g.grad(Z, A, xp=xp) -> g'(Z)``, elementwise on arrays of any shape (in the
network, Z and A are (n_l, m)). The derivative receives A = g(Z) as well as Z
because the course writes some derivatives through A: sigmoid'(Z) = A (1 - A),
tanh'(Z) = 1 - A^2. ``g.backward(dA, Z, A, xp=xp)`` is dZ = dA * g'(Z).

The course's own helpers are here by their names, on arrays of any backend: ``sigmoid(x)``
and ``relu(x)`` (the namespace then comes from x, as in the notebooks' utils), and week 4's
``relu_backward(dA, cache)`` and ``sigmoid_backward(dA, cache)`` with cache = Z. Week 4's
``sigmoid(Z)`` and ``relu(Z)``, which return ``(A, cache)``, are in :mod:`backend_nn.dnn_utils`.

Softmax is here too, beside its backward rule, for the output layer: it acts on
each column (the K scores of one example), so its backward is not elementwise:
dZ = A * (dA - sum(A * dA, axis=0)).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .validation import check_flag, check_number, did_you_mean, is_one_of, shown

__all__ = [
    "Activation",
    "ACTIVATIONS",
    "HIDDEN_ACTIVATIONS",
    "DERIVATIVE_FROM_A",
    "KINKED_AT_ZERO",
    "get_activation",
    "sigmoid",
    "sigmoid_derivative",
    "tanh",
    "tanh_derivative",
    "relu",
    "relu_derivative",
    "leaky_relu",
    "leaky_relu_derivative",
    "linear",
    "linear_derivative",
    "softmax",
    "softmax_backward",
    "relu_backward",
    "sigmoid_backward",
]


def _namespace(Z: Any) -> tuple[Any, Any]:
    """For the course's one-argument call ``sigmoid(x)``: x as a float array and its namespace. A
    Python number or list becomes NumPy float64 and integers become the namespace's default float,
    as ``np.exp`` makes them. (The network's own calls pass xp and skip this.)"""
    from .backend import namespace_of, widest_float

    if isinstance(Z, (int, float, list, tuple)) and not isinstance(Z, bool):
        import numpy as np

        Z = np.asarray(Z, dtype=np.float64)
    xp = namespace_of(Z=Z)
    if xp.isdtype(Z.dtype, "bool") or not xp.isdtype(Z.dtype, ("integral", "real floating")):
        raise TypeError(f"the activation takes real numbers; got an array of dtype {Z.dtype}.")
    if xp.isdtype(Z.dtype, "integral"):
        Z = xp.astype(Z, widest_float(xp))
    return Z, xp


# --- sigmoid: A = 1 / (1 + exp(-Z)) ----------------------------------------------
def sigmoid(Z: Any, *, xp: Any = None) -> Any:
    """A = 1 / (1 + exp(-Z)), the course's formula, bit for bit, without overflow.

    ``sigmoid(x)`` is the course's helper (weeks 2 and 3, course 2's utils): any backend's array,
    or a number (``sigmoid(0)`` is 0.5).

    Z is first raised to -709 (float64; -88 in float32), where exp(-Z) would
    overflow; nothing changes for larger Z, so a learner's notebook and this
    function agree to the last bit. The formula keeps its relative accuracy for
    negative Z (sigmoid(-40) is 4.2e-18, not 0). Where A rounds to 0 or 1 the
    cost is taken from Z instead (:mod:`backend_nn.outputs`).

    Examples
    --------
    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> bnn.sigmoid(np.array([[0.0, 2.0]])).round(6)
    array([[0.5     , 0.880797]])
    """
    # maximum, not clip: array-api-compat's clip for CuPy assigns through boolean masks (a host
    # sync each call, and no CUDA graph capture); maximum is one elementwise kernel everywhere.
    # The cap: a |z| whose exp does not overflow while 1 / (1 + exp(z)) is below the smallest normal.
    if xp is None:
        Z, xp = _namespace(Z)
    cap = 709.0 if Z.dtype == xp.float64 else 88.0
    return 1.0 / (1.0 + xp.exp(-xp.maximum(Z, -cap)))


def sigmoid_derivative(Z, A, *, xp):
    """sigmoid'(Z) = A (1 - A); at most 1/4, at Z = 0."""
    return A * (1.0 - A)


def sigmoid_vjp(dA: Any, A: Any, *, xp: Any) -> Any:
    """dZ = dA * s * (1 - s) with s = A, the course's sigmoid_backward in its order of operations
    ((dA s)(1 - s), not dA (s (1 - s)): a third of the entries differ in the last bit otherwise)."""
    return dA * A * (1.0 - A)


# --- tanh: A = (e^Z - e^-Z) / (e^Z + e^-Z) ------------------------------------------
def tanh(Z, *, xp):
    """A = tanh(Z), the course's week-3 hidden activation."""
    return xp.tanh(Z)


def tanh_derivative(Z, A, *, xp):
    """tanh'(Z) = 1 - A^2."""
    return 1.0 - A * A


# --- ReLU: A = max(0, Z) -----------------------------------------------------------
def relu(Z: Any, *, xp: Any = None) -> Any:
    """A = max(0, Z), the course's week-4 hidden activation, written as the course writes it
    (``np.maximum(0, Z)``): a NaN in Z stays NaN (and is caught as divergence), where
    ``where(Z > 0, Z, 0)`` would hide it as 0. NumPy's ``where`` is also ~10x slower here (a branch
    per element on the sign). ``relu(x)`` is course 2's helper, on any backend's array.

    Examples
    --------
    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> bnn.relu(np.array([[-1.0, 0.0, 2.0]]))
    array([[0., 0., 2.]])
    >>> from backend_nn.dnn_utils import relu          # week 4's, with its cache
    >>> A, activation_cache = relu(np.array([[-1.0, 0.0, 2.0]]))
    """
    if xp is None:
        Z, xp = _namespace(Z)
    return xp.maximum(0.0, Z)


def relu_derivative(Z, A, *, xp):
    """relu'(Z) = 1 for Z > 0, else 0: at exactly 0 it is 0, as the course's relu_backward has it
    (``dZ[Z <= 0] = 0``)."""
    return xp.astype(Z > 0, Z.dtype)


# --- leaky ReLU: A = max(slope Z, Z) ---------------------------------------------------
def leaky_relu(Z, *, xp, negative_slope: float = 0.01):
    """A = Z for Z > 0, negative_slope * Z otherwise (the course uses 0.01). Written as
    max(Z, negative_slope * Z), the same values for a slope in [0, 1) (validated): NumPy's ``where``
    branches on each element's sign and took ~10x longer."""
    return xp.maximum(Z, negative_slope * Z)


def leaky_relu_derivative(Z, A, *, xp, negative_slope: float = 0.01):
    """leaky_relu'(Z) = 1 for Z > 0, negative_slope otherwise (at 0 too, like ReLU): with the mask
    M = [Z > 0], M + negative_slope (1 - M), exactly 1 or exactly the slope (no ``where``, as above)."""
    M = xp.astype(Z > 0, Z.dtype)
    return M + negative_slope * (1.0 - M)


# --- linear (identity): A = Z ------------------------------------------------------------
def linear(Z, *, xp):
    """A = Z. With a linear hidden layer the network collapses to a linear model."""
    return Z


def linear_derivative(Z, A, *, xp):
    """linear'(Z) = 1."""
    return xp.ones_like(Z)


# --- softmax, per column: a_k = exp(z_k) / sum_j exp(z_j) ----------------------------------
def softmax(Z, *, xp):
    """A (K, m): each column of Z (K, m) exponentiated and normalised to sum to 1.

    The column maximum is subtracted first, so exp never sees a positive argument.
    """
    E = xp.exp(Z - xp.max(Z, axis=0, keepdims=True))
    return E / xp.sum(E, axis=0, keepdims=True)


def softmax_backward(dA, A, *, xp):
    """dZ = A * (dA - sum(A * dA, axis=0)): the softmax Jacobian (diag(a) - a a^T) applied to
    each column of dA (K, m). With dA = -Y / A (the cross-entropy) it is A - Y."""
    return A * (dA - xp.sum(A * dA, axis=0, keepdims=True))


#: Activations whose derivative the course writes through A = g(Z) alone (tanh' = 1 - A^2,
#: sigmoid' = A (1 - A)): a fused forward line need not keep their Z.
DERIVATIVE_FROM_A = frozenset({"tanh", "sigmoid"})

#: Activations with a kink at Z = 0, where the course takes the slope of the left side (relu'(0) = 0,
#: leaky_relu'(0) = negative_slope) and a centred difference across 0 takes the mean of both sides.
KINKED_AT_ZERO = frozenset({"relu", "leaky_relu"})


@dataclass(frozen=True)
class Activation:
    """A named activation g with its derivative g'.

    ``negative_slope`` is used by leaky ReLU only and is part of its identity
    (two leaky ReLUs with different slopes are different activations).
    ``vjp(dA, A, xp=)``, where set, is dZ from dA and A: softmax's (not elementwise), and
    sigmoid's in the course's order of operations.

    Examples
    --------
    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> g = bnn.get_activation("tanh")
    >>> Z = np.array([[0.0, 1.0]])
    >>> A = g(Z, xp=np)
    >>> A.round(6), g.grad(Z, A, xp=np).round(6)      # g'(Z) = 1 - A^2
    (array([[0.      , 0.761594]]), array([[1.      , 0.419974]]))
    """

    name: str
    forward: Callable[..., Any] = field(repr=False)
    derivative: Callable[..., Any] | None = field(repr=False)
    negative_slope: float | None = None
    vjp: Callable[..., Any] | None = field(default=None, repr=False)

    def __call__(self, Z, *, xp):
        if self.negative_slope is None:
            return self.forward(Z, xp=xp)
        return self.forward(Z, xp=xp, negative_slope=self.negative_slope)

    def grad(self, Z, A, *, xp):
        """g'(Z), given Z and A = g(Z) (elementwise activations only)."""
        if self.derivative is None:
            raise ValueError(f"{self.name} is not elementwise: use backward(dA, Z, A) for its dZ.")
        if self.negative_slope is None:
            return self.derivative(Z, A, xp=xp)
        return self.derivative(Z, A, xp=xp, negative_slope=self.negative_slope)

    def backward(self, dA, Z, A, *, xp):
        """dZ = dA * g'(Z) (the course's relu_backward, sigmoid_backward); softmax's Jacobian product."""
        if self.vjp is not None:
            return self.vjp(dA, A, xp=xp)
        return dA * self.grad(Z, A, xp=xp)

    @property
    def needs_Z(self) -> bool:
        """Whether g' needs Z itself (False for tanh and sigmoid, written through A)."""
        return self.name not in DERIVATIVE_FROM_A

    @property
    def kinked(self) -> bool:
        """Whether g has a kink at Z = 0 (relu, leaky_relu): g' jumps there."""
        return self.name in KINKED_AT_ZERO

    @property
    def label(self) -> str:
        """The name, with the slope where it is not the course's 0.01 ("leaky_relu(0.2)")."""
        if self.negative_slope is not None and self.negative_slope != 0.01:
            return f"{self.name}({self.negative_slope:g})"
        return self.name


#: The hidden activations by name: g beside g'.
HIDDEN_ACTIVATIONS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "relu": (relu, relu_derivative),
    "tanh": (tanh, tanh_derivative),
    "sigmoid": (sigmoid, sigmoid_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "linear": (linear, linear_derivative),
}
ACTIVATIONS = HIDDEN_ACTIVATIONS  # the name earlier releases exported


def check_not_a_function(activation: Any, names) -> None:
    """A TypeError for the function of a known activation passed where its name goes (bnn.relu for "relu")."""
    named = getattr(activation, "__name__", None)
    if callable(activation) and not isinstance(activation, Activation) and named in names:
        raise TypeError(f"an activation is chosen by its name: pass {named!r}, not the function {named}.")


def get_activation(activation: str | Activation = "tanh", *, negative_slope: float = 0.01,
                   hidden: bool = False) -> Activation:
    """Look up an activation by name: a hidden one ("relu", "tanh", "sigmoid", "leaky_relu",
    "linear") or "softmax" (an output activation, refused where ``hidden``).

    Examples
    --------
    >>> import backend_nn as bnn
    >>> bnn.get_activation("leaky_relu", negative_slope=0.2)
    Activation(name='leaky_relu', negative_slope=0.2)
    """
    hidden = check_flag("hidden", hidden)
    if hidden and is_one_of(getattr(activation, "name", activation), ("softmax",)):
        raise ValueError("softmax is an output activation (output='softmax', which labels of three or more classes "
                         "get by default); hidden layers take relu, tanh, sigmoid, leaky_relu or linear.")
    if isinstance(activation, Activation):
        return activation
    if is_one_of(activation, ("softmax",)):  # not ==, which an array would answer elementwise
        return Activation("softmax", softmax, None, vjp=softmax_backward)
    if not is_one_of(activation, HIDDEN_ACTIVATIONS):
        names = [*HIDDEN_ACTIVATIONS] if hidden else [*HIDDEN_ACTIVATIONS, "softmax"]
        check_not_a_function(activation, names)
        hint = did_you_mean(activation, names)
        known = ", ".join(map(repr, names))
        raise ValueError(f"unknown activation {shown(activation)}; expected one of {known}{hint or '.'}")
    if activation == "leaky_relu":
        slope = check_number("negative_slope", negative_slope, "a number in [0, 1)", lambda v: 0.0 <= v < 1.0,
                             "in [0, 1) for leaky_relu")
        return Activation(activation, *HIDDEN_ACTIVATIONS[activation], negative_slope=slope)
    return Activation(activation, *HIDDEN_ACTIVATIONS[activation], vjp=_VJP.get(activation))


#: Backward rules written through A where the course's order of operations differs from dA * g'(Z).
_VJP = {"sigmoid": sigmoid_vjp}


def is_named(activation: Activation) -> bool:
    """Whether ``activation`` is the library's activation of its name (and slope), not one of the user's."""
    slope = 0.01 if activation.negative_slope is None else activation.negative_slope
    try:
        return get_activation(activation.name, negative_slope=slope) == activation
    except ValueError:
        return False


def check_custom(activation: Activation, *, xp: Any, dtype: Any, device: Any = None) -> None:
    """Try an activation of the user's once on a small Z (3, 2) of the training's dtype before a run:
    g(Z, xp=xp) and g'(Z, A, xp=xp) must take those arguments and give arrays of Z's shape and dtype
    (g' may give a number). A mistake there surfaced mid-run as a foreign error ("tanh() got an
    unexpected keyword argument 'xp'") after a warning that blamed a fast path, and a g returning
    float32 in a float64 run lowered its precision in silence. The library's own activations pass by."""
    if is_named(activation):
        return
    name = activation.name
    Z = xp.reshape(xp.linspace(-1.0, 1.0, 6, dtype=dtype, device=device), (3, 2))
    try:
        A = activation(Z, xp=xp)
    except TypeError as exc:
        raise TypeError(f"activation {name!r}: its forward must be g(Z, *, xp) -> A, an array of Z's shape; calling "
                        f"it so failed: {exc}") from None
    _check_result(A, Z, xp, f"activation {name!r}: g(Z, xp=xp)")
    if activation.vjp is None and activation.derivative is None:
        raise ValueError(f"activation {name!r} has no derivative: give Activation({name!r}, forward, derivative) "
                         "with derivative(Z, A, *, xp) = g'(Z).")
    try:
        dZ = activation.backward(xp.ones_like(Z), Z, A, xp=xp)
    except TypeError as exc:
        raise TypeError(f"activation {name!r}: its derivative must be g'(Z, A, *, xp), with A = g(Z); calling it so "
                        f"failed: {exc}") from None
    _check_result(dZ, Z, xp, f"activation {name!r}: dA * g'(Z, A, xp=xp)")


def _check_result(out: Any, Z: Any, xp: Any, what: str) -> None:
    if not hasattr(out, "shape") or not hasattr(out, "dtype"):
        raise TypeError(f"{what} must give an array of the backend; got {type(out).__name__}.")
    if tuple(out.shape) != tuple(Z.shape):
        raise ValueError(f"{what} gave shape {tuple(out.shape)} for Z of shape {tuple(Z.shape)}; a hidden "
                         "activation works elementwise and keeps Z's shape.")
    if out.dtype != Z.dtype:
        raise TypeError(f"{what} gave {out.dtype} for {Z.dtype} Z; it must keep Z's dtype (the run's precision).")


# --- the course's backward helpers (week 4's dnn_utils): cache = Z -------------------------------------
def course_dZ(g: Activation, dA: Any, Z: Any, *, xp: Any) -> Any:
    """dZ = dA * g'(Z) as the course's ``relu_backward`` / ``sigmoid_backward`` return it, for its
    step-by-step functions: ``dZ[Z <= 0] = 0`` writes +0 where the product dA * 0 keeps the sign of
    dA (-0.), so for relu + 0.0 makes every such zero +0 (and changes nothing else). The training
    step skips that pass: the values are equal. dA and Z must share a shape (n_l, m)."""
    if tuple(dA.shape) != tuple(Z.shape):
        raise ValueError(f"dA must have the shape of Z, {tuple(Z.shape)}; got {tuple(dA.shape)}.")
    dZ = g.backward(dA, Z, g(Z, xp=xp), xp=xp)
    return dZ + 0.0 if g.name == "relu" else dZ


def _backward_helper(name: str, dA: Any, cache: Any) -> Any:
    """dZ = dA * g'(Z) for the course's ``<name>_backward(dA, cache)``, cache being Z (n_l, m)."""
    from .backend import namespace_of

    if isinstance(cache, tuple):
        raise TypeError(f"{name}_backward(dA, cache) takes the activation cache, Z itself (what {name}(Z) in "
                        f"dnn_utils returns as its cache, the second part of linear_activation_forward's cache); "
                        f"got a {type(cache).__name__} of {len(cache)}.")
    xp = namespace_of(dA=dA, Z=cache)
    for what, a in (("dA", dA), ("Z", cache)):
        if not xp.isdtype(a.dtype, "real floating"):
            raise TypeError(f"{name}_backward takes real floating arrays; {what} has dtype {a.dtype}.")
    return course_dZ(get_activation(name), dA, cache, xp=xp)


def relu_backward(dA: Any, cache: Any) -> Any:
    """The course's relu_backward: dZ = dA where Z > 0, else 0 (relu'(0) = 0, ``dZ[Z <= 0] = 0``).

    dA : (n_l, m); cache : Z (n_l, m), of any backend. Returns dZ (n_l, m), a new array.

    Examples
    --------
    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> dA, Z = np.array([[1.0, 2.0, 3.0]]), np.array([[-1.0, 0.0, 1.0]])
    >>> bnn.relu_backward(dA, Z)                       # 0 where Z <= 0
    array([[0., 0., 3.]])
    """
    return _backward_helper("relu", dA, cache)


def sigmoid_backward(dA: Any, cache: Any) -> Any:
    """The course's sigmoid_backward: dZ = dA * s * (1 - s), s = sigmoid(Z).

    dA : (n_l, m); cache : Z (n_l, m), of any backend. Returns dZ (n_l, m), a new array.

    Examples
    --------
    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> bnn.sigmoid_backward(np.array([[1.0]]), np.array([[0.0]]))      # s (1 - s) at s = 0.5
    array([[0.25]])
    """
    return _backward_helper("sigmoid", dA, cache)
