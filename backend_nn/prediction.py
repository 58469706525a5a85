"""Prediction: the trained network's output A_L, its labels, and their accuracy.

- ``predict_output(parameters, X)``: A_L (n_L, m), the output layer's probabilities;
- ``predict(parameters, X)``: the output layer's prediction rule (A_L > 0.5, or the argmax
  over the K rows), and the course's other call ``predict(X, y, parameters)``, which prints
  its accuracy; ``predict_dec(parameters, X)``, course 2's helper for decision boundaries;
- ``accuracy(predictions, Y)``: the fraction of the m examples labelled right.

X may be host data, an array of the parameters' backend, a memory map larger than the
device (window by window) or a dask array (lazily, chunk by chunk).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, overload

import numpy as np

from . import chunked, step, streaming
from .backend import (backend_asarray, backend_name, count_true, default_int, device_of, first_values, full_precision,
                      has_no_value_yet, host_array, host_cast_for, is_traced, namespace_of, to_numpy, widest_float)
from .network import ParametersLike, network_of, parameters_of
from .outputs import SOFTMAX, check_label_values
from .accelerate import kept_program
from .propagation import check_inputs, check_one_dtype, refuse_swapped, week4_activation
from .inputs import prepare_X
from .validation import (OutOfRangeError, check_labels_dtype, check_not_dict, found, holds, host_labels, not_finite,
                         model_pair_hint, shape_of, user_stacklevel)

__all__ = ["predict", "predict_output", "predict_dec", "accuracy"]


@contextmanager
def _in_the_parameters_dtype(backend: str) -> Iterator[None]:
    """X beyond the range of the parameters' dtype, in prediction's terms: the dtype is the model's, which
    predict takes no ``dtype=`` to change (the error said "choose dtype='float64'"). ``backend``: their
    library's name, for the advice."""
    try:
        yield
    except OutOfRangeError as exc:
        raise exc.advising(f"move the parameters to float64 first (bnn.to_backend(parameters, {backend!r}, "
                           "dtype='float64'))", ", the parameters' dtype") from None


def _predict_output(parameters: dict, X: Any, *, activation: Any, output: Any, negative_slope: float,
                    labels: bool = False):
    """(A_L, network): see :func:`predict_output`; with ``labels``, (the output layer's predictions, network)."""
    refuse_swapped(X, parameters)  # before either is read as the other
    net = network_of(parameters, activation, output, negative_slope=negative_slope, week3=True)
    check_one_dtype(parameters, "the parameters")  # before X is cast to W1's: a mixed model is named as such, not X
    W1 = parameters["W1"]
    if chunked.is_dask(X) and chunked.is_dask(W1):  # each chunk's forward pass holds the (small) parameters
        parameters = chunked.computed(parameters)
        W1 = parameters["W1"]
    xp = namespace_of(**parameters)  # all of one library and device: a mixed model is named as such
    # float32 in float32 (JAX on GPUs: TF32 otherwise), as training runs: the programs it kept serve here too (JAX
    # keeps a program per precision: the parameters' check was compiled again at a model's first prediction)
    with full_precision(xp), _in_the_parameters_dtype(backend_name(xp)):
        # NaN weights would predict one class for everything: counted in one program, one read (each array's was
        # two); under a jax.jit of the caller's, where the values are not there yet, checked where they are
        counts = kept_program(step.nonfinite_counts, xp=xp)(dict(parameters))
        for k, n in zip(parameters, [] if is_traced(counts) else to_numpy(counts)):
            if n:
                raise not_finite(k, int(n))
        if chunked.is_dask(X):  # lazy, chunked like X
            AL = chunked.predict_blocks(parameters, X, net=net, xp=xp)
            return (net.output.predict(AL, xp=namespace_of(AL=AL)) if labels else AL), net
        if streaming.predicts_in_windows(X, xp, dtype=W1.dtype, device=device_of(W1), layer_dims=net.layer_dims):
            AL = streaming.forward_in_windows(parameters, X, net=net, xp=xp, dtype=W1.dtype, device=device_of(W1))
            return (net.output.predict(AL, xp=xp) if labels else AL), net
        Xb = prepare_X(X, xp=xp, dtype=W1.dtype, device=device_of(W1), n_x=net.layer_dims[0])
        xp, _ = check_inputs(Xb, parameters)
        # one program on JAX (kept): a new m compiles it alone, the prediction rule with it
        return kept_program(step.predicted if labels else step.forward, net=net, xp=xp)(dict(parameters), Xb), net


def predict_output(parameters: ParametersLike, X: Any, *, activation: Any = None, output: Any = None,
                   negative_slope: float = 0.01) -> Any:
    """A_L (n_L, m): the output layer's probabilities, on the backend of the parameters.

    X : (n_x, m), host data or an array of the parameters' backend; it is checked (finite,
    2-D, n_x matching W1) and cast to the parameters' dtype: integer or boolean X, and floating X of another
    precision (a float32 model predicts in float32, as it trained, from float64 X too). Host data
    (a memory map too) that would not fit the backend's free memory with the layers' outputs go
    through window by window (:func:`backend_nn.streaming.forward_in_windows`). A dask
    array (of chunks of the parameters' library) gives a lazy dask array chunked like X. The
    network is the one the parameters carry; a plain dict needs ``activation=`` (a two-layer
    one with one output unit is taken as the course's week-3 network, with a warning).

    Examples
    --------
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> parameters, costs = bnn.nn_model(X, Y, 4, num_iterations=1000)
    >>> A2 = bnn.predict_output(parameters, X)
    >>> A2.shape, bool(((A2 > 0) & (A2 < 1)).all())
    ((1, 400), True)
    """
    parameters = parameters_of(parameters)
    return _predict_output(parameters, X, activation=activation, output=output, negative_slope=negative_slope)[0]


@overload
def predict(parameters: ParametersLike, X: Any, *, activation: Any = None, output: Any = None,
            negative_slope: float = 0.01) -> Any: ...
@overload
def predict(X: Any, y: Any, parameters: ParametersLike, /, *, activation: Any = None, output: Any = None,
            negative_slope: float = 0.01) -> Any: ...  # the course's call
def predict(parameters: ParametersLike, X: Any, *course_parameters: ParametersLike, activation: Any = None,
            output: Any = None, negative_slope: float = 0.01) -> Any:
    """Predictions on the backend of the parameters: for a sigmoid output A_L > 0.5, a bool
    array (1, m); for softmax, the argmax class labels (1, m), of the backend's default integer (int64; int32
    on JAX without its 64-bit mode).

    X as in :func:`predict_output`.

    The course's other call, ``predict(X, y, parameters)`` (course 2's assignments and week 4's
    application), works too, as the course's does: it prints ``"Accuracy: " + str(np.mean(p[0, :]
    == y[0, :]))`` and returns p, the predicted labels (1, m), int64 (int32 on JAX without x64; 0/1
    for a sigmoid output).
    There a plain dict is the course's network: relu hidden layers, a sigmoid output. (Week 4's
    copy printed np.sum((p == y) / m) and returned floats: its accuracies can differ from these in
    the last digit, 0.9999999999999998 for 1.0.)

    Examples
    --------
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> parameters, costs = bnn.nn_model(X, Y, 4)
    >>> p = bnn.predict(parameters, X)
    >>> p.shape, p.dtype
    ((1, 400), dtype('bool'))
    >>> bnn.accuracy(p, Y)
    0.9075

    The course's argument order prints the accuracy and returns 0/1 labels:

    >>> p = bnn.predict(X, Y, parameters)
    Accuracy: 0.9075
    >>> p[:, :5]
    array([[0, 1, 1, 1, 0]])
    """
    if course_parameters:
        course_parameters = tuple(parameters_of(p) for p in course_parameters)
        if len(course_parameters) != 1 or isinstance(parameters, dict) or not isinstance(course_parameters[0], dict):
            raise TypeError("predict takes (parameters, X), or the course's (X, y, parameters); got "
                            f"({', '.join(type(a).__name__ for a in (parameters, X, *course_parameters))})"
                            f"{model_pair_hint(course_parameters[-1])}.")
        return _course_predict(parameters, X, course_parameters[0], activation=activation, output=output,
                               negative_slope=negative_slope)
    parameters = parameters_of(parameters)
    return _predict_output(parameters, X, activation=activation, output=output, negative_slope=negative_slope,
                           labels=True)[0]


def _course_predict(X: Any, y: Any, parameters: dict, **kw: Any) -> Any:
    """The course's ``predict(X, y, parameters)``: p (1, m), and its accuracy printed the course's way."""
    kw["activation"] = week4_activation(parameters, kw["activation"])  # as L_model_forward takes a plain dict
    AL, net = _predict_output(parameters, X, **kw)
    xp = namespace_of(AL=AL)
    predicted = net.output.predict(AL, xp=xp)  # bool for a sigmoid output: K sigmoids' rows compared as such
    p = xp.astype(predicted, default_int(xp))  # the course: np.zeros((1, m), dtype=int), 1 where A_L > 0.5
    P, T = to_numpy(predicted), to_numpy(_read_labels(y, "y"))  # compared on the host, where y may be, as X may be
    n_y = int(net.layer_dims[-1])
    classes = ((n_y, f"a softmax over {n_y} classes") if net.output is SOFTMAX
               else (2, "a sigmoid output") if n_y == 1 else None)  # K sigmoids: 0/1 rows, checked there
    hits = _matches(P, T, xp=namespace_of(p=P, y=T), classes=classes)
    print("Accuracy: " + str(np.mean(hits[0, :])))
    return p


def predict_dec(parameters: ParametersLike, X: Any) -> Any:
    """The course 2 assignments' helper for plotting decision boundaries: predictions = A_L > 0.5.

    ``plot_decision_boundary(lambda x: predict_dec(parameters, x.T), train_X, train_Y)``, as the
    notebooks call it. X : (n_x, m); a plain dict is the assignments' network (relu hidden layers,
    a sigmoid output), as their forward_propagation computes it. Returns a bool array (1, m) (the
    argmax labels for a softmax output).

    Examples
    --------
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> parameters, costs = bnn.nn_model(X, Y, 4, num_iterations=1000)
    >>> bnn.predict_dec(parameters, X).shape
    (1, 400)
    """
    parameters = parameters_of(parameters)
    refuse_swapped(X, parameters)
    return predict(parameters, X, activation=week4_activation(parameters, None))


def _as_labels(a: Any, *, xp: Any, name: str) -> Any:
    """Labels (1, m) from bool/number labels, or from a one-hot (K, m) array."""
    check_labels_dtype(a, xp=xp, name=name)
    if len(a.shape) != 2:
        raise ValueError(f"{name} must be 2-D (1, m) labels or (K, m) one-hot; got shape {tuple(a.shape)}.")
    if 0 in tuple(a.shape):
        raise ValueError(f"{name} has shape {tuple(a.shape)}: an accuracy needs at least one example (m, its "
                         "columns) and a label in each.")
    if a.shape[0] > 1:
        # an argmax of anything but one-hot columns would be labels of nothing, in silence
        hint = ("For a network's output A_L (K, m), take predict(parameters, X)'s labels." if name == "predictions"
                else "Or give labels (1, m) in 0..K-1.")
        check_label_values(a, SOFTMAX, xp=xp, name=name, hint=hint)
        return xp.astype(xp.argmax(a, axis=0, keepdims=True), default_int(xp))
    if xp.isdtype(a.dtype, "bool"):
        return xp.astype(a, default_int(xp))
    return a


def accuracy(predictions: Any, Y: Any) -> float:
    """Fraction of predictions equal to the labels, as a Python float (inside jax.jit, where it has no
    value yet, the traced 0-d array; the checks on values are made by a call outside the trace).

    predictions : (1, m) labels, as ``predict`` returns them (bool or class labels).
    Y : (1, m) labels (0/1 or 0..K-1), or one-hot (K, m). Against host labels (a NumPy array, a list)
        the predictions are compared on the host (a copy of them, (1, m), brought home); labels of the
        predictions' backend are compared there.

    A sigmoid output of K > 1 units (independent 0/1 labels per row, ``output="sigmoid"``) predicts
    bool (K, m); against 0/1 Y (K, m) the accuracy is the fraction of examples whose K labels all
    match (scikit-learn's subset accuracy for multi-label data).

    Examples
    --------
    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> bnn.accuracy(np.array([[True, False, True, True]]), np.array([[1, 0, 0, 1]]))
    0.75
    """
    xp = namespace_of(predictions=predictions)
    shape_of(predictions, "predictions")  # sizes that are known (a dask array's may not be)
    check_not_dict(Y, "Y")
    Y = _read_labels(Y, "Y")
    shape_of(Y, "Y")
    if isinstance(Y, np.ndarray) and not isinstance(predictions, np.ndarray):
        if not (chunked.is_dask(predictions) or has_no_value_yet(predictions)):
            # compared where host labels are, as the course's predict(X, y, parameters) compares them: the (1, m)
            # predictions come home, not Y to the device, and the checks on Y's values run as NumPy's. On JAX each
            # check was a compilation per new m: 14, 0.5 s of an accuracy of the flower's 200 examples on this CPU.
            predictions = to_numpy(predictions)
            xp = namespace_of(predictions=predictions)
        else:  # predictions lazy or traced: Y goes to them
            cast = host_cast_for(xp, Y, widest_float(xp))  # a long double's labels as the widest float there
            Y = backend_asarray(Y, xp, device=device_of(predictions), dtype=cast, name="Y")
    xp = namespace_of(predictions=predictions, Y=Y)
    hits = _matches(predictions, Y, xp=xp)
    if has_no_value_yet(hits):  # inside jax.jit (or torch.func): no value to be a float yet, the traced 0-d array
        return xp.mean(xp.astype(hits, widest_float(xp)))
    return int(count_true(hits, xp)) / math.prod(hits.shape)


def _read_labels(Y: Any, name: str) -> Any:
    """Host labels as a NumPy array, read as the models read them (a np.matrix, a masked array without masked
    cells, numbers in an object array; a ragged list, text or masked cells refused with what to do); an array
    of another library as it is."""
    return host_labels(host_array(Y, name), name) if isinstance(Y, (list, tuple, np.ndarray)) else Y


def _matches(predictions: Any, Y: Any, *, xp: Any, classes: tuple[int, str] | None = None) -> Any:
    """bool (1, m): where the predicted labels equal Y's (both checked as in :func:`accuracy`). ``classes``:
    the network's number of classes and its output, in words ((2, "a sigmoid output"); bool predictions are
    a sigmoid's): Y's labels must be among them, since one the predictions never take would only lower the
    accuracy, in silence."""
    both_2d = len(predictions.shape) == len(Y.shape) == 2
    if both_2d and int(predictions.shape[1]) != int(Y.shape[1]):  # before their values are read as one-hot
        m = int(predictions.shape[1])
        hint = " — did you mean Y.T? (examples go in columns)" if int(Y.shape[0]) == m != int(Y.shape[1]) else ""
        raise ValueError(f"predictions and Y must label the same m examples; got {tuple(predictions.shape)} "
                         f"and {tuple(Y.shape)}{hint or '.'}")
    if (both_2d and xp.isdtype(predictions.dtype, "bool") and int(predictions.shape[0]) > 1
            and tuple(Y.shape) == tuple(predictions.shape)):  # a multi-label sigmoid output's: every row counts
        check_labels_dtype(Y, xp=xp, name="Y")
        if int(Y.shape[1]) == 1:  # or one label per example, rows as samples: (m, 1) either way, and 0 or 1
            K = int(Y.shape[0])
            warnings.warn(f"predictions and Y have shape ({K}, 1): one example with {K} independent 0/1 labels "
                          f"(a multi-label sigmoid output's), all of which must match, so the accuracy is 0 or 1. If "
                          f"they are {K} examples' labels, examples go in columns: pass predictions.T and Y.T, "
                          "(1, m).", UserWarning, stacklevel=user_stacklevel())
        if not xp.isdtype(Y.dtype, "bool"):
            if not holds(xp.all((Y == 0) | (Y == 1))):
                raise ValueError(f"Y must hold 0/1 labels in each of its {int(Y.shape[0])} rows to be compared with "
                                 "a sigmoid output's bool predictions (K, m) of independent labels.")
            Y = Y == 1
        return xp.all(predictions == Y, axis=0, keepdims=True)
    P = _as_labels(predictions, xp=xp, name="predictions")
    T = _as_labels(Y, xp=xp, name="Y")
    for name, labels in (("predictions", P), ("Y", T)):
        # inf is a whole number to round(): checked with the NaN (an inf label compared unequal, in silence)
        if (xp.isdtype(labels.dtype, "real floating")
                and not holds(xp.all(xp.isfinite(labels) & (labels == xp.round(labels))))):
            what = "predict's output" if name == "predictions" else "0/1 or 0..K-1"
            if not bool(xp.all(xp.isfinite(labels))):
                raise ValueError(f"{name} must be labels ({what}); it holds NaN or inf.")
            raise ValueError(f"{name} must be labels ({what}), not probabilities; got non-whole values.")
    if classes is None and xp.isdtype(predictions.dtype, "bool"):
        classes = (2, "a sigmoid output's True/False")
    if classes is not None:
        K, output = classes
        outside = (T < 0) | (T >= K)
        if found(xp.any(outside)):
            raise ValueError(f"Y holds labels the predictions never take, e.g. {first_values(T, outside)}: they are "
                             f"{'0/1' if K == 2 else f'0..{K - 1}'} ({output}), and such a label would only lower "
                             "the accuracy. Number Y's classes as the network was trained on them.")
    if xp.isdtype(Y.dtype, "bool") and Y.shape[0] == 1 and not xp.isdtype(predictions.dtype, "bool"):
        outside = (P < 0) | (P > 1)  # a bool row Y is a binary task's: a class label 2 is no prediction of it
        if found(xp.any(outside)):
            raise ValueError(f"predictions hold class labels {first_values(P, outside)}, but Y is bool, a binary "
                             "task's 0/1 labels: are the arguments swapped? accuracy takes (predictions, Y), the "
                             "predictions first.")
    if P.dtype != T.dtype:
        P, T = xp.astype(P, widest_float(xp)), xp.astype(T, widest_float(xp))
    return P == T
