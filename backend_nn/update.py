"""Gradient descent: W_l := W_l - learning_rate * dW_l, b_l := b_l - learning_rate * db_l."""

from __future__ import annotations


from .backend import namespace_of
from .parameters import Parameters
from .validation import check_parameters, check_positive

__all__ = ["update_parameters"]


def _update(parameters: dict, grads: dict, *, learning_rate: float, inplace: bool) -> dict:
    """One gradient-descent step; returns the updated dict.

    ``inplace=True`` writes into the parameter arrays (only for arrays the
    training loop owns, and only on namespaces whose arrays are writeable);
    otherwise new arrays are made, which is what immutable arrays (JAX) need.
    """
    if inplace:
        for key, P in parameters.items():
            P -= learning_rate * grads["d" + key]
        return parameters
    new = {key: P - learning_rate * grads["d" + key] for key, P in parameters.items()}
    return Parameters(new, activation=parameters.activation) if isinstance(parameters, Parameters) else new


def update_parameters(parameters: dict, grads: dict, learning_rate: float = 1.2) -> dict:
    """Gradient descent on every parameter: P := P - learning_rate * dP.

    Parameters
    ----------
    parameters : dict
        W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1) (or L layers).
    grads : dict
        dW1, db1, dW2, db2 of the same shapes, from ``backward_propagation``.
    learning_rate : float
        The course uses 1.2.

    Returns new arrays; the caller's parameters are not modified.
    """
    check_parameters(parameters)
    learning_rate = check_positive("learning_rate", learning_rate, integer=False)
    missing = sorted({"d" + k for k in parameters} - set(grads))
    if missing:
        raise ValueError(f"grads must hold a gradient for every parameter; missing {missing}.")
    for k, P in parameters.items():
        if tuple(grads["d" + k].shape) != tuple(P.shape):
            raise ValueError(f"d{k} must have the shape of {k}, {tuple(P.shape)}; got {tuple(grads['d' + k].shape)}.")
    namespace_of(**parameters, **grads)
    return _update(parameters, grads, learning_rate=learning_rate, inplace=False)
