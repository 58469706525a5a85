"""L2 regularization (course 2, week 1), lambd:

    J_regularized = J + lambd / (2 m) * sum_l ||W_l||_F^2
    dW_l         += lambd / m * W_l

The biases are not regularized, as in the course.
"""

from __future__ import annotations

from typing import Any

__all__ = ["l2_cost", "add_l2_gradients", "check_lambd"]


def l2_cost(parameters: dict, lambd: float, m: int, *, xp: Any) -> Any:
    """lambd / (2 m) * sum of the squared entries of every W_l: a 0-d array."""
    L = len(parameters) // 2
    total = sum(xp.sum(xp.square(parameters[f"W{l}"])) for l in range(1, L + 1))
    return lambd / (2 * m) * total


def add_l2_gradients(grads: dict, parameters: dict, lambd: float, m: int) -> dict:
    """dW_l + lambd / m * W_l for every layer (new arrays); db_l unchanged."""
    out = dict(grads)
    for k, P in parameters.items():
        if k.startswith("W"):
            out["d" + k] = grads["d" + k] + (lambd / m) * P
    return out


def check_lambd(lambd: Any) -> float:
    """lambd >= 0, a finite number."""
    import math

    if isinstance(lambd, (str, bytes, bool)):
        raise TypeError(f"lambd must be a number >= 0; got {type(lambd).__name__} {lambd!r}.")
    try:
        value = float(lambd)
    except (TypeError, ValueError):
        raise TypeError(f"lambd must be a number >= 0; got {type(lambd).__name__} {lambd!r}.") from None
    if not (value >= 0 and math.isfinite(value)):
        raise ValueError(f"lambd must be a finite number >= 0; got {value}.")
    return value
