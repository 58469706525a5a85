"""Activation functions g(Z) beside their derivatives g'(Z).

Each activation is an :class:`Activation`: ``forward(Z, *, xp) -> A`` and
``derivative(Z, A, *, xp) -> g'(Z)``, elementwise on arrays of any shape
(in the network, Z and A are (n_h, m)). The derivative receives A = g(Z) as
well as Z because the course writes some derivatives through A:
sigmoid'(Z) = A (1 - A), tanh'(Z) = 1 - A^2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple

__all__ = [
    "Activation",
    "ACTIVATIONS",
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
]


# --- sigmoid: A = 1 / (1 + exp(-Z)) ----------------------------------------------
def sigmoid(Z, *, xp):
    """A = 1 / (1 + exp(-Z)), computed without overflow for any Z.

    With e = exp(-|Z|) <= 1: A = 1 / (1 + e) where Z >= 0, and e / (1 + e)
    where Z < 0. exp never sees a positive argument, so |Z| = 1000 in
    float32 neither overflows nor warns, and tiny A keeps its relative
    accuracy (sigmoid(-40) is 4.2e-18, not 0).
    """
    e = xp.exp(-xp.abs(Z))
    r = 1.0 / (1.0 + e)
    return xp.where(Z >= 0, r, e * r)


def sigmoid_derivative(Z, A, *, xp):
    """sigmoid'(Z) = A (1 - A); at most 1/4, at Z = 0."""
    return A * (1.0 - A)


# --- tanh: A = (e^Z - e^-Z) / (e^Z + e^-Z) ------------------------------------------
def tanh(Z, *, xp):
    """A = tanh(Z), the course's default hidden activation."""
    return xp.tanh(Z)


def tanh_derivative(Z, A, *, xp):
    """tanh'(Z) = 1 - A^2."""
    return 1.0 - A * A


# --- ReLU: A = max(0, Z) -----------------------------------------------------------
def relu(Z, *, xp):
    """A = max(0, Z)."""
    return xp.where(Z > 0, Z, 0.0)


def relu_derivative(Z, A, *, xp):
    """relu'(Z) = 0 for Z < 0, 1 for Z >= 0 (1 is the usual choice at exactly 0)."""
    return xp.astype(Z >= 0, Z.dtype)


# --- leaky ReLU: A = max(slope Z, Z) ---------------------------------------------------
def leaky_relu(Z, *, xp, negative_slope: float = 0.01):
    """A = Z for Z > 0, negative_slope * Z otherwise (the course uses 0.01)."""
    return xp.where(Z > 0, Z, negative_slope * Z)


def leaky_relu_derivative(Z, A, *, xp, negative_slope: float = 0.01):
    """leaky_relu'(Z) = negative_slope for Z < 0, 1 for Z >= 0."""
    return xp.where(Z >= 0, 1.0, negative_slope * xp.ones_like(Z))


# --- linear (identity): A = Z ------------------------------------------------------------
def linear(Z, *, xp):
    """A = Z. With a linear hidden layer the network collapses to a linear model."""
    return Z


def linear_derivative(Z, A, *, xp):
    """linear'(Z) = 1."""
    return xp.ones_like(Z)


#: Activations whose derivative the course writes through A = g(Z) alone (tanh' = 1 - A^2,
#: sigmoid' = A (1 - A)): a fused forward line need not keep their Z.
DERIVATIVE_FROM_A = frozenset({"tanh", "sigmoid"})


class FusedBackprop(NamedTuple):
    """What an activation's ``fused_backprop`` hook returns for layer l (n_l = 1)."""

    dW: Any  # dZ_l A_{l-1}^T: (1, n_{l-1}), not yet divided by m
    dZ_prev: Any  # W_l^T dZ_l * g'(Z_{l-1}): (n_{l-1}, m)
    sum_dZ_prev: Any  # sum(dZ_prev, axis=1, keepdims=True): (n_{l-1}, 1), not yet divided by m


@dataclass(frozen=True)
class Activation:
    """A named activation g with its derivative g'.

    ``negative_slope`` is used by leaky ReLU only and is part of its identity
    (two leaky ReLUs with different slopes are different activations).
    """

    name: str
    forward: Callable[..., Any] = field(repr=False)
    derivative: Callable[..., Any] = field(repr=False)
    negative_slope: float | None = None
    #: Optional hooks, attached at the backend edge (backend_nn.accelerate: cupy_elementwise's kernels,
    #: numpy_tiles) and tested against the generic lines they replace:
    #: - ``fused_forward(W A_prev, b) -> (Z, A)``: Z = W A_prev + b, A = g(Z); Z may be None where g'
    #:   is written through A alone (tanh, sigmoid), and A may then reuse W A_prev's buffer;
    #: - ``fused_backprop(W, dZ, Z_prev, A_prev)`` -> an object with ``dW`` = dZ A_prev^T,
    #:   ``dZ_prev`` = W^T dZ * g'(Z_prev) and ``sum_dZ_prev`` = sum(dZ_prev, axis=1, keepdims=True),
    #:   in one pass over A_prev; or None where it does not apply (the generic lines then run).
    fused_forward: Callable[..., Any] | None = field(default=None, repr=False, compare=False)
    fused_backprop: Callable[..., Any] | None = field(default=None, repr=False, compare=False)

    def __call__(self, Z, *, xp):
        if self.negative_slope is None:
            return self.forward(Z, xp=xp)
        return self.forward(Z, xp=xp, negative_slope=self.negative_slope)

    def grad(self, Z, A, *, xp):
        """g'(Z), given Z and A = g(Z)."""
        if self.negative_slope is None:
            return self.derivative(Z, A, xp=xp)
        return self.derivative(Z, A, xp=xp, negative_slope=self.negative_slope)


ACTIVATIONS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "linear": (linear, linear_derivative),
}


def get_activation(activation: str | Activation = "tanh", *, negative_slope: float = 0.01) -> Activation:
    """Look up an activation by name ("tanh", "sigmoid", "relu", "leaky_relu", "linear")."""
    if isinstance(activation, Activation):
        return activation
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {activation!r}; expected one of {', '.join(map(repr, ACTIVATIONS))}."
        )
    if activation == "leaky_relu":
        slope = float(negative_slope)
        if not 0.0 <= slope < 1.0:
            raise ValueError(f"negative_slope must be in [0, 1) for leaky_relu; got {negative_slope!r}.")
        return Activation(activation, *ACTIVATIONS[activation], negative_slope=slope)
    return Activation(activation, *ACTIVATIONS[activation])
