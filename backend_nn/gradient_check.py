"""Gradient checking (course 2, week 1): backpropagation against centred differences of the cost.

Flatten every parameter into one vector theta (W1, b1, W2, b2, ..., each in row-major order)
and the gradients into one vector grad in the same order. For each i:

    J+ = J(theta + eps e_i),  J- = J(theta - eps e_i),  gradapprox_i = (J+ - J-) / (2 eps)
    difference = ||grad - gradapprox||_2 / (||grad||_2 + ||gradapprox||_2)

with eps = 1e-7; the course reports a mistake when difference > 2e-7. J is the network's
cost as the assignment's forward_propagation_n computes it, the course's expression from A_L
(with the L2 term when lambd > 0), in NumPy float64 on the host, whatever backend the
parameters and gradients come from: the check is a reference, not a fast path, and its
difference is the notebook's (the round-off of J, divided by 2 eps, is most of it).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .backend import array_namespace, check_plain_array, to_numpy
from .outputs import encode_labels
from .propagation import forward_pass, refuse_swapped, week4_network
from .regularization import (Dropout, check_keep_prob, check_lambd, dropout_masks, l2_cost, tuple_cache_backward,
                             tuple_cache_forward)
from .inputs import prepare_X
from .network import ParametersLike, parameters_of
from .validation import (check_flag, check_labels_dtype, check_parameter_keys, check_parameters, check_positive,
                         check_X, dtype_name, host_labels, parameter_keys, shown, user_stacklevel)

__all__ = ["dictionary_to_vector", "vector_to_dictionary", "gradients_to_vector", "gradient_check", "gradient_check_n",
           "forward_propagation_n", "backward_propagation_n", "forward_propagation_1d", "backward_propagation_1d",
           "THRESHOLD"]

#: The course's threshold: a difference above it is a mistake in backpropagation.
THRESHOLD = 2e-7

#: The network of the course's gradient-checking assignment, whose shapes its vector_to_dictionary(theta)
#: writes out by hand: W1 (5, 4), b1 (5, 1), W2 (3, 5), b2 (3, 1), W3 (1, 3), b3 (1, 1), 47 entries.
COURSE_LAYER_DIMS = (4, 5, 3, 1)


def _order(parameters: dict) -> list[str]:
    """W1, b1, ..., WL, bL: the vector's order (the keys checked to be exactly these)."""
    return parameter_keys(check_parameter_keys(parameters))


def dictionary_to_vector(parameters: ParametersLike) -> tuple[np.ndarray, list[str]]:
    """theta (P, 1), NumPy float64: W1, b1, ..., WL, bL flattened in that order; and the key of each entry.

    Examples
    --------
    >>> import backend_nn as bnn
    >>> parameters = bnn.initialize_parameters_deep([4, 5, 3, 1])    # the assignment's network
    >>> theta, keys = bnn.dictionary_to_vector(parameters)
    >>> theta.shape, keys[:2], keys[-1]
    ((47, 1), ['W1', 'W1'], 'b3')
    >>> bool((bnn.vector_to_dictionary(theta)["W2"] == parameters["W2"]).all())
    True
    """
    parameters = parameters_of(parameters)
    keys = _order(parameters)
    arrays = [to_numpy(parameters[k]).astype(np.float64).reshape(-1, 1) for k in keys]
    names = [k for k, a in zip(keys, arrays, strict=True) for _ in range(a.shape[0])]
    return np.concatenate(arrays, axis=0), names


def _course_shapes() -> dict[str, tuple[int, int]]:
    dims = COURSE_LAYER_DIMS
    return {k: shape for l in range(1, len(dims)) for k, shape in ((f"W{l}", (dims[l], dims[l - 1])),
                                                                    (f"b{l}", (dims[l], 1)))}


def vector_to_dictionary(theta: np.ndarray, like: ParametersLike | None = None) -> dict:
    """theta (P, 1) back into {"W1": ..., "bL": ...} shaped like ``like`` (NumPy float64).

    Without ``like``, the course's own call ``vector_to_dictionary(theta)``: the shapes of the
    assignment's network, layer_dims :data:`COURSE_LAYER_DIMS` (4, 5, 3, 1), 47 entries.

    Examples
    --------
    >>> import backend_nn as bnn
    >>> parameters = bnn.initialize_parameters_deep([2, 4, 1])
    >>> theta, _ = bnn.dictionary_to_vector(parameters)
    >>> {k: v.shape for k, v in bnn.vector_to_dictionary(theta, like=parameters).items()}
    {'W1': (4, 2), 'b1': (4, 1), 'W2': (1, 4), 'b2': (1, 1)}
    """
    like = parameters_of(like)
    if theta is None:
        raise TypeError("theta must be a vector (P, 1), as dictionary_to_vector returns it; got None.")
    check_plain_array(theta, "theta")
    theta = to_numpy(theta).reshape(-1)  # an array of any backend: CuPy's refuse np.asarray
    shapes = _course_shapes() if like is None else {k: tuple(int(s) for s in np.shape(like[k])) for k in _order(like)}
    entries = sum(int(np.prod(s)) for s in shapes.values())
    if theta.size != entries:
        whose = (f"without like= it is taken as the course's network {list(COURSE_LAYER_DIMS)} ({entries} entries). "
                 "Pass like=parameters for any other network." if like is None else
                 f"the parameters of like= have {entries}.")
        raise ValueError(f"theta has {theta.size} entries; {whose}")
    out, k0 = {}, 0
    for k, shape in shapes.items():
        n = int(np.prod(shape))
        out[k] = theta[k0:k0 + n].reshape(shape).copy()
        k0 += n
    return out


def gradients_to_vector(gradients: dict, parameters: ParametersLike | None = None) -> np.ndarray:
    """grad (P, 1), NumPy float64: dW1, db1, ..., dWL, dbL in the order of :func:`dictionary_to_vector`.

    ``parameters`` gives the layers and checks each gradient's shape; without it (the course's call,
    ``gradients_to_vector(gradients)``) the layers are those of the dW1 ... dWL in ``gradients``
    (other entries, dA1 or dZ2, are left out, as the course leaves them).

    Examples
    --------
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> parameters = bnn.initialize_parameters_deep([2, 4, 1])
    >>> AL, caches = bnn.L_model_forward(X, parameters)
    >>> bnn.gradients_to_vector(bnn.L_model_backward(AL, Y, caches)).shape    # dW1, db1, dW2, db2
    (17, 1)
    """
    parameters = parameters_of(parameters)
    if isinstance(parameters, dict) and parameters and all(isinstance(k, str) and k[:1] == "d" for k in parameters):
        held = parameters_of(gradients)  # a model's result kept whole
        given = f"the keys {list(held)[:4]}" if isinstance(held, dict) else f"a {type(gradients).__name__}"
        raise TypeError(f"parameters holds gradients' keys {list(parameters)[:4]} and gradients {given}: did you "
                        "swap them? gradients_to_vector takes (gradients, parameters), the gradients first.")
    if not isinstance(gradients, dict):
        raise TypeError(f"gradients must be a dict of dW1, db1, ..., dWL, dbL (as backward propagation returns "
                        f"them); got {type(gradients).__name__}.")
    if parameters is None:
        L = sum(1 for k in gradients if isinstance(k, str) and k.startswith("dW") and k[2:].isdigit())
        parameters = {k: gradients.get(f"d{k}") for k in parameter_keys(max(L, 1))}
    missing = [f"d{k}" for k in _order(parameters) if f"d{k}" not in gradients]
    if missing:
        raise ValueError(f"gradients must hold a gradient for every parameter; missing {missing}.")
    wrong = [f"d{k} {np.shape(gradients['d' + k])} for {k} {np.shape(parameters[k])}" for k in _order(parameters)
             if np.shape(gradients["d" + k]) != np.shape(parameters[k])]
    if wrong:
        raise ValueError(f"each gradient must have its parameter's shape; got {', '.join(wrong)}.")
    return np.concatenate([to_numpy(gradients["d" + k]).astype(np.float64).reshape(-1, 1)
                           for k in _order(parameters)], axis=0)


def gradient_check_n(parameters: ParametersLike, gradients: dict, X: Any, Y: Any, epsilon: float = 1e-7,
                     print_msg: bool = False, *, activation: Any = None, output: Any = None,
                     lambd: float = 0.0, keep_prob: float = 1.0, from_logits: bool = False) -> float:
    """The relative difference between backpropagation's gradients and centred differences of J.

    Parameters
    ----------
    parameters : dict (or Parameters, whose network is used)
    gradients : dict of dW1, db1, ... from backward propagation, on any backend
    X : (n_x, m); Y : (n_y, m) labels (0/1, one-hot, or labels 0..K-1 for softmax); labels (m,),
        as the course's test case has them, are read as the row (1, m)
    epsilon : the shift (course: 1e-7)
    print_msg : print the course's verdict (a mistake above 2e-7)
    activation, output : the network of a plain dict (default: the week-4 one, relu and sigmoid)
    lambd : L2 regularization in J (course 2's lambd)
    keep_prob : inverted dropout in J, with the course's fixed masks (RandomState(1)), the same
        masks the gradients must have been computed with
    from_logits : False (default): J as the assignment computes it, from A_L, so the difference is
        the notebook's (1.1890913024229996e-07 for its test case, most of it J's round-off divided
        by 2 epsilon). True: J from the logits Z_L, exact where A_L rounds near 0 or 1 (about 1e-9
        for the same case), so a saturated output cannot raise a false alarm on your own network

    Returns
    -------
    difference : float

    The check is float64's: J runs in float64 whatever the backend. Gradients computed in float32
    carry round-off of about the threshold itself, so a difference above it from float32 gradients
    comes with a UserWarning that says so rather than the verdict alone. So does a difference that falls at
    10 x epsilon (J's round-off beside small gradients), and one from centred differences that move a relu or
    leaky_relu unit across its kink at Z = 0 (where b = 0, as the course's inits leave it, and a unit's inputs
    are all 0 for an example): there backpropagation takes the course's relu'(0) = 0 and a centred
    difference the mean of both sides' slopes, and the warning gives the difference over the other entries.

    Examples
    --------
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> parameters = bnn.initialize_parameters_deep([2, 4, 1], init="he")
    >>> AL, caches = bnn.L_model_forward(X, parameters)
    >>> grads = bnn.L_model_backward(AL, Y, caches)
    >>> bnn.gradient_check_n(parameters, grads, X, Y) < 2e-7
    True
    >>> grads["dW1"][0, 0] += 1e-4                    # a mistake in one entry
    >>> bnn.gradient_check_n(parameters, grads, X, Y) > 2e-7
    True
    """
    parameters = parameters_of(parameters)
    refuse_swapped(X, parameters)
    dims = check_parameters(parameters)
    epsilon = check_positive("epsilon", epsilon, integer=False)
    print_msg = check_flag("print_msg", print_msg)
    from_logits = check_flag("from_logits", from_logits)
    net = week4_network(parameters, activation, output)
    lambd = check_lambd(lambd)
    keep_prob = check_keep_prob(keep_prob)
    Xh = prepare_X(_on_host(X, "X"), xp=np, dtype=np.float64, device=None)  # as the models check and cast X
    check_X(Xh, xp=np, n_x=dims[0])
    m = Xh.shape[1]
    Yh = _on_host(host_labels(Y), "Y")
    check_labels_dtype(Yh, xp=np)
    Yh = _label_row(Yh.astype(np.float64), m)
    Yh = encode_labels(Yh, dims[-1], net.output, dtype=np.float64, xp=np, m=m, name_out="the output")
    dropout = None if keep_prob == 1.0 else Dropout(keep_prob, dropout_masks(dims, m, keep_prob, xp=np,
                                                                             dtype=np.float64))

    kinked = [l for l, g in enumerate(net.hidden) if g.kinked]

    def J(p: dict) -> tuple[float, list[np.ndarray]]:
        # the assignment's J, forward_propagation_n's cost: the course's expression from A_L (not the
        # logits), whose round-off the centred differences magnify by 1 / (2 epsilon); the notebook's
        # difference (1.1890913024229996e-07 for its test case) is this one's to the last digits.
        # Beside it, the side of the kink each relu / leaky_relu unit is on (Z > 0), for every example.
        AL, caches = forward_pass(Xh, p, net=net, xp=np, dropout=dropout)
        cost = (net.output.cost_from_logits(caches[-1][1], Yh, xp=np) if from_logits
                else net.output.cost_from_probabilities(AL, Yh, xp=np))
        return float(cost + l2_cost(p, lambd, m, xp=np)) if lambd else float(cost), [caches[l][1] > 0 for l in kinked]

    theta, names = dictionary_to_vector(parameters)
    if problem := _not_finite(theta, names, "the parameters"):
        raise ValueError(problem[0].upper() + problem[1:] + ".")
    grad = gradients_to_vector(gradients, parameters)
    gradapprox, crossed = _centred_differences(J, theta, parameters, epsilon)
    difference = _difference(grad, gradapprox, print_msg, names)
    if not _warn_if_narrow(gradients, names, difference) and difference > THRESHOLD:
        kept = ~crossed
        rest = _warn_of_kinks([net.hidden[l] for l in kinked], grad, gradapprox, crossed, names, difference) \
            if crossed.any() else difference
        if rest > THRESHOLD:  # (NaN, where every entry crosses a kink: nothing left to compare)
            wider, crossed_wider = _centred_differences(J, theta, parameters, 10 * epsilon)
            kept &= ~crossed_wider
            if kept.any():
                _warn_if_round_off(grad[kept], wider[kept], difference, epsilon)
    return difference


def _centred_differences(J: Callable[[dict], tuple[float, list[np.ndarray]]], theta: np.ndarray, parameters: dict,
                         epsilon: float) -> tuple[np.ndarray, np.ndarray]:
    """gradapprox (P, 1): (J(theta + epsilon e_i) - J(theta - epsilon e_i)) / (2 epsilon) for each i; and
    crossed (P, 1), True where theta +- epsilon e_i moves a kinked unit of some example across its kink (J's
    second value, the sides Z > 0, differs from theta's): there the difference is the mean of two slopes."""
    gradapprox = np.zeros_like(theta)
    crossed = np.zeros(theta.shape, dtype=bool)
    _, sides = J(vector_to_dictionary(theta, parameters))  # theta's host float64 copy: J runs on NumPy
    for i in range(theta.shape[0]):
        plus, minus = theta.copy(), theta.copy()
        plus[i, 0] += epsilon
        minus[i, 0] -= epsilon
        (J_plus, sides_plus), (J_minus, sides_minus) = (J(vector_to_dictionary(plus, parameters)),
                                                        J(vector_to_dictionary(minus, parameters)))
        gradapprox[i, 0] = (J_plus - J_minus) / (2 * epsilon)
        crossed[i, 0] = any(not np.array_equal(a, b) for shifted in (sides_plus, sides_minus)
                            for a, b in zip(sides, shifted, strict=True))
    return gradapprox, crossed


def _warn_of_kinks(activations: list, grad: np.ndarray, gradapprox: np.ndarray,
                   crossed: np.ndarray, names: list[str], difference: float) -> float:
    """A difference above the threshold from centred differences that cross a ReLU's kink says so, with the
    difference over the other entries: at a kink backpropagation takes the course's one-sided slope
    (relu'(0) = 0), a centred difference across it the mean of both sides' (1/2), so the two disagree there
    whatever backward propagation does. Units at exactly Z = 0 are common at the course's initializations:
    with b = 0, a unit whose inputs from the layer below are all 0 for an example sits on its kink. Returns the
    difference over the entries that cross no kink (NaN where there are none)."""
    kept = ~crossed
    rest = _difference(grad[kept], gradapprox[kept], False) if kept.any() else float("nan")
    which = sorted({names[i] for i in np.flatnonzero(crossed[:, 0])}, key=names.index)
    kinds = " and ".join(sorted({g.name for g in activations}))
    slopes = " and ".join(sorted({"relu'(0) = 0" if g.name == "relu" else f"{g.name}'(0) = its negative_slope"
                                  for g in activations}))
    verdict = ("there are no other entries to compare" if not kept.any() else
               f"over the other {int(kept.sum())} entries the difference is {rest:.3g}, below the threshold: no "
               "mistake in backward propagation shows there" if rest <= THRESHOLD else
               f"over the other {int(kept.sum())} entries it is {rest:.3g}, still above the threshold")
    warnings.warn(
        f"the difference {difference:.3g} is above the course's threshold {THRESHOLD:g}, but {int(crossed.sum())} of "
        f"the {crossed.size} centred differences (in {', '.join(which)}) {'moves' if crossed.sum() == 1 else 'move'} "
        f"a {kinds} unit across its kink at "
        f"Z = 0, where backpropagation takes the course's slope ({slopes}) and a centred difference the mean of "
        f"both sides'; {verdict}. Check at parameters where no unit sits on a kink (b != 0, as after a few training "
        "steps).", UserWarning, stacklevel=user_stacklevel())
    return rest


def _warn_if_round_off(grad: np.ndarray, wider: np.ndarray, difference: float, epsilon: float) -> None:
    """A difference above the threshold that falls below it at 10 x epsilon is J's round-off, not a mistake.

    J's round-off (an ulp or so of J) over 2 epsilon is an error of about 1e-9 in each centred difference,
    whatever the gradients; beside small ones (a [2, 3, 1] network at the week-4 init, whose largest gradient
    is 2e-3, on the flower: 5.5e-7 at epsilon 1e-7, 3.8e-8 at 1e-6) it passes the threshold, and the
    course's verdict is a false alarm. A mistake's difference does not fall as epsilon grows (0.15 at both),
    so the check at 10 x epsilon tells them apart; it runs only where the first one failed."""
    at_wider = _difference(grad, wider, False)
    if at_wider <= THRESHOLD:
        warnings.warn(
            f"the difference {difference:.3g} at epsilon={epsilon:g} is above the course's threshold {THRESHOLD:g}, "
            f"but at 10 x epsilon it is {at_wider:.3g}: a difference that falls as epsilon grows is J's round-off "
            f"over 2 epsilon, large beside gradients this small (the largest is {np.max(np.abs(grad)):.3g}), not a "
            "mistake in backward propagation, whose difference stays as epsilon changes.",
            UserWarning, stacklevel=user_stacklevel())


def _on_host(x: Any, name: str) -> np.ndarray:
    """Data of any backend, or host data (a list), as a NumPy array: the check computes on the host."""
    if x is None or isinstance(x, (str, bytes)):  # np.asarray would make an array of them, in silence
        raise TypeError(f"{name} must be an array (of any backend) or host data such as a list; got "
                        f"{type(x).__name__} {shown(x)}.")
    check_plain_array(x, name)  # a sparse matrix, a pandas table, a tensor on PyTorch's "meta" device
    return to_numpy(x)


def _warn_if_narrow(gradients: dict, names: list[str], difference: float) -> bool:
    """Gradients computed in float32 (or narrower) carry their own round-off, a few units of 6e-8 per
    entry and more through each layer: about the course's threshold itself. A difference above it is
    then no verdict on backpropagation, and the warning says so (the course's check is float64's)."""
    held = {dtype_name(getattr(gradients["d" + k], "dtype", "float64")) for k in names}
    narrow = sorted(held & {"float32", "float16", "bfloat16"})
    if narrow and difference > THRESHOLD:
        warnings.warn(
            f"the gradients are {' and '.join(narrow)}: their own round-off is about the course's threshold "
            f"{THRESHOLD:g}, so a difference of {difference:.3g} may be {narrow[0]}'s, not a mistake in backward "
            "propagation. Compute them in float64 (dtype='float64', and float64 parameters and X) to check them "
            "against the threshold.", UserWarning, stacklevel=user_stacklevel())
        return True
    return False


def _label_row(Y: Any, m: int) -> Any:
    """Labels (m,), as the course's own test case passes them (y = np.array([1, 1, 0])), as the row
    (1, m) its cost and dZ3 = A3 - Y broadcast them to; any other Y as it is (and checked after)."""
    shape = getattr(Y, "shape", None)
    if shape is not None and len(shape) == 1 and int(shape[0]) == m:
        return array_namespace(Y).reshape(Y, (1, m))
    return Y


def forward_propagation_n(X: Any, Y: Any, parameters: ParametersLike) -> tuple[float, tuple]:
    """The gradient-checking assignment's forward pass and cost, at any depth and on any backend.

    X : (n_x, m); Y : (n_L, m) labels, or (m,) read as the row (1, m); parameters : W1, b1, ...,
    WL, bL of the assignment's network (relu hidden layers, a sigmoid output; softmax for n_L > 1).

    Returns
    -------
    cost : float
        The cross-entropy J.
    cache : tuple
        (Z1, A1, W1, b1, ..., ZL, AL, WL, bL), the assignment's layout, which
        :func:`backward_propagation_n` and ``backward_propagation_with_regularization`` read.

    Examples
    --------
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> parameters = bnn.initialize_parameters_he([2, 5, 3, 1])
    >>> cost, cache = bnn.forward_propagation_n(X, Y, parameters)
    >>> len(cache), cache[-3].shape                   # (Z1, A1, W1, b1, ..., Z3, A3, W3, b3): A3
    (12, (1, 400))
    """
    from .outputs import compute_cost

    parameters = parameters_of(parameters)
    AL, cache = tuple_cache_forward(X, parameters, None, name="forward_propagation_n")
    return compute_cost(AL, _label_row(host_labels(Y), int(AL.shape[1]))), cache


def backward_propagation_n(X: Any, Y: Any, cache: tuple) -> dict:
    """The gradient-checking assignment's backward pass: dZ_L = A_L - Y, then dW_l = dZ_l A_{l-1}^T / m,
    db_l = sum(dZ_l, axis=1, keepdims=True) / m, dA_{l-1} = W_l^T dZ_l, dZ_{l-1} = dA_{l-1} * (A_{l-1} > 0).

    X : (n_x, m); Y : (n_L, m) labels, or (m,) read as the row (1, m); cache : from
    :func:`forward_propagation_n`. Returns the assignment's gradients, from layer L down: dZ3, dW3,
    db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1 for its three layers (the notebook's copy holds two
    planted mistakes for the learner to find; this one holds none).

    Examples
    --------
    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> rng = np.random.RandomState(1)                # the assignment's gradient_check_n_test_case
    >>> X, Y = rng.randn(4, 3), np.array([[1, 1, 0]])
    >>> parameters = {}
    >>> for l, shape in enumerate([(5, 4), (3, 5), (1, 3)], start=1):
    ...     parameters[f"W{l}"], parameters[f"b{l}"] = rng.randn(*shape), rng.randn(shape[0], 1)
    >>> cost, cache = bnn.forward_propagation_n(X, Y, parameters)
    >>> gradients = bnn.backward_propagation_n(X, Y, cache)
    >>> difference = bnn.gradient_check_n(parameters, gradients, X, Y)
    >>> print(f"{difference:.4g}")                     # the notebook: 1.1890913024229996e-07
    1.189e-07
    """
    m = int(X.shape[1]) if len(getattr(X, "shape", ())) == 2 else -1
    return tuple_cache_backward(X, _label_row(host_labels(Y), m), cache, masks=False)[0]


def _not_finite(v: np.ndarray, names: list[str] | None, what: str) -> str:
    """'' where v is finite; else how many entries are not and where: the parameters they belong to
    (``names``, one per entry, as dictionary_to_vector gives them) or the first five indices."""
    bad = np.flatnonzero(~np.isfinite(v))
    if bad.size == 0:
        return ""
    where = dict.fromkeys(names[i] for i in bad) if names else [f"entry {i}" for i in bad[:5]]
    return f"{what} hold {bad.size} NaN or inf value(s), in {', '.join(where)}"


def _difference(grad: Any, gradapprox: Any, print_msg: bool, names: list[str] | None = None) -> float:
    """||grad - gradapprox|| / (||grad|| + ||gradapprox||), and the course's verdict when asked.

    Both zero (a network at a point where J is flat) is a difference of 0, not 0 / 0; where the norms
    would overflow or underflow, both are scaled by their largest entry first. A NaN or inf
    in either is an error: the course's comparison would call a NaN difference "perfectly fine"."""
    problems = [p for p in (_not_finite(grad, names and [f"d{k}" for k in names], "the gradients"),
                            _not_finite(gradapprox, names, "the centred differences (J at theta +- epsilon)"))
                if p]
    if problems:
        raise ValueError("cannot compare the gradients: " + "; ".join(problems) + ". Check X, Y and the "
                         "parameters for NaN or inf, and that backward propagation returned finite gradients.")
    with np.errstate(all="ignore"):
        num, den = np.linalg.norm(grad - gradapprox), np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    if np.isfinite(num) and np.isfinite(den) and den > 0:
        difference = float(num / den)  # the course's formula, to its round-off
    elif not (np.any(grad) or np.any(gradapprox)):
        difference = 0.0
    else:  # the norms overflowed or underflowed: the ratio is scale-free, so scale by the largest entry
        largest = max(np.max(np.abs(grad)), np.max(np.abs(gradapprox)))
        g, a = grad / largest, gradapprox / largest
        difference = float(np.linalg.norm(g - a) / (np.linalg.norm(g) + np.linalg.norm(a)))
    if print_msg:
        if difference > THRESHOLD:
            print(f"\033[93mThere is a mistake in the backward propagation! difference = {difference}\033[0m")
        else:
            print(f"\033[92mYour backward propagation works perfectly fine! difference = {difference}\033[0m")
    return difference


def _check_real(name: str, v: Any) -> None:
    a = np.asarray(v)
    if isinstance(v, bool) or a.ndim != 0 or a.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a real number (the assignment's one-dimensional example; "
                        f"gradient_check_n checks a network's parameters); got {type(v).__name__} {shown(v)}.")
    if not np.isfinite(a):
        raise ValueError(f"{name} must be finite; got {shown(v)}.")


def forward_propagation_1d(x: Any, theta: Any) -> Any:
    """The assignment's one-dimensional model: J(theta) = theta x, written np.dot(theta, x) as it
    writes it. ``forward_propagation(x, theta)`` with two numbers is this (its name there)."""
    _check_real("x", x)
    _check_real("theta", theta)
    return np.dot(theta, x)


def backward_propagation_1d(x: Any, theta: Any) -> Any:
    """Its derivative, dtheta = dJ/dtheta = x. ``backward_propagation(x, theta)`` with two numbers
    is this (its name there)."""
    _check_real("x", x)
    _check_real("theta", theta)
    return x


def gradient_check(x: Any, theta: Any, epsilon: float = 1e-7, print_msg: bool = False) -> float:
    """The assignment's one-dimensional warm-up: J(theta) = theta x, whose derivative is x, checked
    by a centred difference, as the course's ``gradient_check(x, theta)`` checks its own
    ``forward_propagation(x, theta)`` and ``backward_propagation(x, theta)`` (here
    :func:`forward_propagation_1d` and :func:`backward_propagation_1d`, which those names reach
    when given two numbers).

    x, theta : real numbers (J = np.dot(theta, x), as the course writes it)
    Returns the relative difference (the course's x = 3, theta = 4: 7.814075313343006e-11).
    Networks are checked by :func:`gradient_check_n`.

    Examples
    --------
    The course's warm-up, x = 3 and theta = 4, and the difference its notebook prints:

    >>> import backend_nn as bnn
    >>> bnn.gradient_check(3, 4)
    7.814075313343006e-11
    """
    epsilon = check_positive("epsilon", epsilon, integer=False)
    print_msg = check_flag("print_msg", print_msg)
    grad = backward_propagation_1d(x, theta)
    J_plus, J_minus = forward_propagation_1d(x, theta + epsilon), forward_propagation_1d(x, theta - epsilon)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    return _difference(np.asarray(grad, dtype=np.float64), gradapprox, print_msg)
