"""Gradient descent: W_l := W_l - learning_rate * dW_l, b_l := b_l - learning_rate * db_l."""

from __future__ import annotations

from typing import Any

from .backend import namespace_of
from .network import Parameters, ParametersLike, parameters_of
from .validation import check_parameter_entries, check_positive

__all__ = ["update_parameters"]


def descend(parameters: dict, grads: dict, *, learning_rate: float, inplace: bool) -> dict:
    """One gradient-descent step over every entry P of ``parameters``: P - learning_rate * dP.

    ``inplace=True`` writes into the parameter arrays (only for arrays the training loop
    owns, and only on namespaces whose arrays are writeable); otherwise new arrays are made,
    which is what immutable arrays (JAX) and the caller's own arrays need.
    """
    if inplace:
        for key, P in parameters.items():
            P -= learning_rate * grads["d" + key]
        return parameters
    new = {key: P - learning_rate * grads["d" + key] for key, P in parameters.items()}
    return Parameters(new, network=parameters.network) if isinstance(parameters, Parameters) else new


def check_update_args(parameters: Any, grads: Any, learning_rate: Any) -> float:
    """What every update needs: W/b entries, a gradient of the same shape for each, one backend;
    returns the learning rate as a float."""
    check_parameter_entries(parameters)
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict of dW1, db1, ...; got {type(grads).__name__}.")
    learning_rate = check_positive("learning_rate", learning_rate, integer=False)
    missing = sorted({"d" + k for k in parameters} - set(grads))
    if missing:
        raise ValueError(f"grads must hold a gradient for every parameter; missing {missing}.")
    namespace_of(**parameters, **{"d" + k: grads["d" + k] for k in parameters})  # arrays of one backend, first
    for k, P in parameters.items():
        if tuple(grads["d" + k].shape) != tuple(P.shape):
            raise ValueError(f"d{k} must have the shape of {k}, {tuple(P.shape)}; got {tuple(grads['d' + k].shape)}.")
    return learning_rate


def update_parameters(parameters: ParametersLike, grads: dict, learning_rate: float = 1.2) -> dict:
    """Gradient descent on every parameter: P := P - learning_rate * dP.

    Parameters
    ----------
    parameters : dict
        W1, b1, ..., WL, bL (any subset of W/b entries: the shapes need not chain).
    grads : dict
        dW1, db1, ... of the same shapes (extra entries such as "dA0" are ignored).
    learning_rate : float
        The course uses 1.2 in week 3 and 0.0075 in week 4.

    Returns new arrays (Parameters stay Parameters, with their network); the caller's
    arrays are not modified.

    Examples
    --------
    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> parameters = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([[0.5]])}
    >>> grads = {"dW1": np.array([[0.1, -0.2]]), "db1": np.array([[1.0]])}
    >>> bnn.update_parameters(parameters, grads, learning_rate=0.5)
    {'W1': array([[0.95, 2.1 ]]), 'b1': array([[0.]])}
    >>> parameters["W1"]                              # unchanged
    array([[1., 2.]])
    """
    parameters = parameters_of(parameters)
    learning_rate = check_update_args(parameters, grads, learning_rate)
    return descend(parameters, grads, learning_rate=learning_rate, inplace=False)
