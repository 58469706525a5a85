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

from .validation import check_number

__all__ = ["l2_cost", "add_l2_gradients", "check_lambd", "dropout_masks", "dropout_for", "check_keep_prob", "Dropout"]


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


def check_lambd(lambd: Any, name: str = "lambd") -> float:
    """lambd >= 0, a finite number (``name``: what the caller called it, e.g. scikit-learn's alpha)."""
    import math

    return check_number(name, lambd, "a number >= 0", lambda v: v >= 0 and math.isfinite(v), "a finite number >= 0")


def check_keep_prob(keep_prob: Any) -> float:
    """keep_prob in (0, 1]."""
    return check_number("keep_prob", keep_prob, "a number in (0, 1]", lambda v: 0.0 < v <= 1.0,
                        "in (0, 1] (the probability of keeping a unit)")


def dropout_masks(layer_dims, m: int, keep_prob: float, *, xp: Any, dtype: Any, device: Any = None,
                  seed: int = 1) -> list:
    """D_1 .. D_{L-1}, (n_l, m) of 0/1 in ``dtype`` on the backend: (rand(n_l, m) < keep_prob) from
    RandomState(seed), in layer order, as the course draws them."""
    import numpy as np

    from .backend import to_backend

    rng = np.random.RandomState(seed)
    return [to_backend((rng.rand(int(n), int(m)) < keep_prob).astype(np.float64), xp, device=device, dtype=dtype)
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
