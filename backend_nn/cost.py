"""The cost: mean binary cross-entropy of the sigmoid output.

    J = -1/m * sum( Y log(A2) + (1 - Y) log(1 - A2) )

Written from the logits Z2 it never takes log(0) and never overflows:
with softplus(z) = log(1 + e^z) = max(z, 0) + log1p(e^-|z|),
-log(A2) = softplus(-Z2) and -log(1 - A2) = softplus(Z2), so

    J = 1/m * sum( softplus(Z2) - Y Z2 ).
"""

from __future__ import annotations

from typing import Any

from .backend import namespace_of
from .validation import check_labels_shape

__all__ = ["compute_cost"]


def _as_labels(Y, dtype, *, xp):
    """Y (n_y, m) of 0/1, as floats of the network's dtype (bool Y is the course's habit)."""
    return Y if Y.dtype == dtype else xp.astype(Y, dtype)


def _cost_from_logits(Z2, Y, *, xp):
    """J from Z2 (n_y, m) and float Y (n_y, m): 1/m sum(softplus(Z2) - Y Z2); a 0-d array."""
    m = Z2.shape[1]
    softplus = xp.maximum(Z2, 0.0) + xp.log1p(xp.exp(-xp.abs(Z2)))
    return xp.sum(softplus - Y * Z2) / m


def _cost_from_probabilities(A2, Y, *, xp):
    """J from A2 (n_y, m): the course's formula with A2 kept inside [tiny, 1 - eps].

    A2 that rounded to exactly 0 or 1 has lost the information the exact cost
    needs; clipping keeps the cost finite (each such example then adds at most
    -log(tiny), about 708 in float64 and 87 in float32). Pass Z2 for the exact cost.
    """
    m = A2.shape[1]
    info = xp.finfo(A2.dtype)
    A = xp.clip(A2, float(info.smallest_normal), 1.0 - float(info.eps))
    return -xp.sum(Y * xp.log(A) + (1.0 - Y) * xp.log1p(-A)) / m


def compute_cost(A2: Any, Y: Any, *, Z2: Any = None) -> Any:
    """Cross-entropy cost J of the output A2 against the labels Y.

    Parameters
    ----------
    A2 : array (n_y, m)
        Output of the network, sigmoid(Z2).
    Y : array (n_y, m)
        True labels, 0/1 (float or bool).
    Z2 : array (n_y, m), optional, keyword-only
        The logits A2 came from (``cache["Z2"]``). When given, the cost is
        computed from them, exactly and stably, even where A2 rounds to 0 or 1.

    Returns
    -------
    cost : 0-d array on the backend of A2
        ``float(cost)`` brings it to the host (a sync on a GPU).
    """
    xp = namespace_of(A2=A2, Y=Y) if Z2 is None else namespace_of(A2=A2, Y=Y, Z2=Z2)
    check_labels_shape(Y, A2.shape, name_out="A2")
    Yf = _as_labels(Y, A2.dtype, xp=xp)
    if Z2 is not None:
        return _cost_from_logits(Z2, Yf, xp=xp)
    return _cost_from_probabilities(A2, Yf, xp=xp)
