"""The week-4 notebook's helpers (its ``dnn_utils``), by their names and return values.

``from backend_nn.dnn_utils import sigmoid, sigmoid_backward, relu, relu_backward`` in place
of ``from dnn_utils import ...``: the same calls, on arrays of any backend.

- ``sigmoid(Z)`` and ``relu(Z)`` return ``(A, cache)`` with cache = Z, as the week-4 notebook's
  do (week 3's and course 2's ``sigmoid(x)`` return A alone: ``backend_nn.sigmoid``).
- ``sigmoid_backward(dA, cache)`` and ``relu_backward(dA, cache)`` return dZ.

The equations are :mod:`backend_nn.activations`' own; this module only shapes the returns.
"""

from __future__ import annotations

from typing import Any

from . import activations
from .activations import relu_backward, sigmoid_backward

__all__ = ["sigmoid", "relu", "sigmoid_backward", "relu_backward"]


def sigmoid(Z: Any) -> tuple[Any, Any]:
    """A = 1 / (1 + exp(-Z)) and the cache Z: ``A, activation_cache = sigmoid(Z)``. Z (n_l, m)."""
    return activations.sigmoid(Z), Z


def relu(Z: Any) -> tuple[Any, Any]:
    """A = max(0, Z) and the cache Z: ``A, activation_cache = relu(Z)``. Z (n_l, m)."""
    return activations.relu(Z), Z
