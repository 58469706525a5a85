"""A scikit-learn-style front door: rows as samples outside, the course's columns inside.

``NNClassifier().fit(X, y)`` takes X of shape (n_samples, n_features) and y of shape
(n_samples,) with two or more classes of any labels, as scikit-learn users expect, and
converts at the edge: X_course = X^T (n_x, m); y becomes the indices of ``classes_``
as (1, m): 0/1 for two classes (a sigmoid output), 0..K-1 for K > 2 (softmax). The
parameters stay on the chosen backend. Outputs follow the input: host data (NumPy,
lists, pandas) give NumPy results, a backend array gives results on that backend.

Where scikit-learn is installed the class derives from its BaseEstimator and
ClassifierMixin, host input goes through scikit-learn's own validation
(``validate_data``: DataFrames, Series and array-likes, feature names, the usual
errors), and the estimator passes ``check_estimator``.
"""

from __future__ import annotations

import inspect
from typing import Any, Sequence

import numpy as np

from . import chunked
from .backend import array_namespace, backend_asarray, namespace_of, to_numpy
from .regularization import check_lambd
from .prediction import predict_output
from .inputs import backend_for
from .models import check_hidden_sizes, nn_model
from .recording import ConvergenceWarning, warn_as
from .validation import OutOfRangeError, at_default, check_positive, shown

__all__ = ["NNClassifier", "ShallowNNClassifier"]


class _ParamsMixin:
    """get_params / set_params from the __init__ signature (scikit-learn's convention)."""

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [p for p in sig.parameters if p != "self"]

    def get_params(self, deep: bool = True) -> dict:
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any):
        valid = self._param_names()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"invalid parameter {key!r} for {type(self).__name__}; valid: {valid}.")
            setattr(self, key, value)
        return self


try:  # scikit-learn is optional: derive from its bases and use its validation when it is there
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.exceptions import ConvergenceWarning as _SklearnConvergenceWarning, NotFittedError
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted, validate_data

    _BASES: tuple = (ClassifierMixin, BaseEstimator)

    class NNConvergenceWarning(ConvergenceWarning, _SklearnConvergenceWarning):
        """The classifier's :class:`~backend_nn.ConvergenceWarning`: scikit-learn's ConvergenceWarning too, so
        that a filter of either class (``warnings.simplefilter("ignore", ConvergenceWarning)`` in a grid search,
        scikit-learn's own ``ignore_warnings``) catches it, as it catches MLPClassifier's."""

    _WARN_AS: type[ConvergenceWarning] = NNConvergenceWarning
except ImportError:  # pragma: no cover - exercised where scikit-learn is absent
    _BASES = (_ParamsMixin,)
    validate_data = None
    _WARN_AS = ConvergenceWarning

    class NotFittedError(ValueError, AttributeError):  # type: ignore[no-redef]
        """Raised by predict before fit (scikit-learn's exception, where it is absent)."""


def _is_backend_array(X: Any) -> bool:
    """An array of an Array API library other than NumPy (CuPy, PyTorch, JAX, ...)."""
    if isinstance(X, np.ndarray):
        return False
    try:
        array_namespace(X)
    except TypeError:
        return False
    return True


def _both_classes(AL: Any) -> Any:
    """(2, n): 1 - A_L over A_L, the probabilities of classes_[0] and classes_[1] (a sigmoid output's A_L (1, n))."""
    xp = array_namespace(AL)
    return xp.concat([1.0 - AL, AL], axis=0)


def _labels_of(AL: Any, classes: np.ndarray) -> np.ndarray:
    """classes[...] of one chunk's A_L (n_y, n): A_L > 0.5 (two classes) or the argmax."""
    A = to_numpy(AL)
    return classes[(A[0] > 0.5).astype(np.intp) if A.shape[0] == 1 else np.argmax(A, axis=0)]


def _shape(a: Any) -> tuple:
    try:
        return tuple(getattr(a, "shape", None) or np.shape(a))
    except (TypeError, ValueError, RuntimeError):  # ragged lists, PyTorch's nested tensors: checked further on
        return ()


def _refuse_course_layout(X: Any, y: Any) -> None:
    """X in the course's layout (n_x, m), examples as columns, where this front door takes rows."""
    shape_X, shape_y = _shape(X), _shape(y)
    if len(shape_X) != 2 or not shape_y or shape_X[0] == shape_X[1]:
        return
    m = shape_X[1]
    if shape_y == (m,) or shape_y == (1, m):
        fix = "X.T" if shape_y == (m,) else "X.T and y = Y.ravel(), (n_samples,)"
        raise ValueError(f"X has shape {shape_X} and y {shape_y}: the classifier takes X as (n_samples, n_features), "
                         "a sample per row (the course's functions take X (n_x, m), examples as columns) — did you "
                         f"mean {fix}?")


class NNClassifier(*_BASES):  # type: ignore[misc]  # scikit-learn's bases where it is installed
    """Classifier: the course's network (one hidden layer, or several), trained by gradient descent.

    Two classes train a sigmoid output, more a softmax over the classes.

    Parameters
    ----------
    n_h : int
        Hidden units of the one hidden layer (course: 4), unless ``hidden_layer_sizes`` is given
        (then n_h stays at its default: both is an error).
    hidden_layer_sizes : int or sequence of int, optional
        Sizes of the hidden layers, as in scikit-learn's MLPClassifier, e.g. (32, 16); an int is one layer.
    optimizer : "gd" (default), "momentum" or "adam"; batch_size : mini-batches (None: full batch);
    alpha : L2 regularization (the course's lambd, scikit-learn's alpha). With any of them
        ``num_iterations`` counts epochs.
    learning_rate : float, optional
        Step size. Default (None): the optimizer's own, 1.2 for "gd" (the course's week 3) and
        "momentum", 0.001 for "adam" (scikit-learn's learning_rate_init).
    Others are those of :func:`backend_nn.nn_model` (``backend="dask"`` included: host rows go into dask chunks of
    samples, and the parameters come back in the chunks' library).

    Attributes (after fit)
    ----------------------
    parameters_ : Parameters (W1 (n_1, n_features), b1, ..., WL (n_y, n_{L-1}), bL), on the backend
    costs_ : numpy.ndarray, the recorded costs (one every ``cost_every`` iterations, as nn_model records them)
    n_iter_ : int, the iterations run (epochs where batches or an optimizer are asked for): all of them, as
        training has no early stopping
    classes_ : numpy.ndarray (K,), the labels; for K = 2, classes_[1] is the positive class
    n_features_in_ : int

    Examples
    --------
    Rows as samples, as scikit-learn has them; the course's columns inside:

    >>> import backend_nn as bnn
    >>> from backend_nn import NNClassifier
    >>> X, Y = bnn.load_planar_dataset()
    >>> X_rows, y = X.T, Y.ravel()                    # (400, 2) and (400,)
    >>> clf = NNClassifier(n_h=4).fit(X_rows, y)
    >>> clf.score(X_rows, y)
    0.9075
    >>> clf.classes_, clf.predict(X_rows[:5])
    (array([0., 1.]), array([0., 1., 1., 1., 0.]))
    """

    def __init__(self, n_h: int = 4, *, hidden_layer_sizes: Sequence[int] | None = None, activation: Any = "tanh",
                 negative_slope: float = 0.01, learning_rate: float | None = None, num_iterations: int = 10000,
                 backend: Any = None, device: Any = None, dtype: Any = "float64", seed: int = 2,
                 init: str = "random", cost_every: int = 100, compile: bool | str = "auto", optimizer: str = "gd",
                 batch_size: int | None = None, alpha: float = 0.0):
        self.n_h = n_h
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.negative_slope = negative_slope
        self.learning_rate = learning_rate
        self.num_iterations = num_iterations
        self.backend = backend
        self.device = device
        self.dtype = dtype
        self.seed = seed
        self.init = init
        self.cost_every = cost_every
        self.compile = compile
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.alpha = alpha

    # -- the edge: samples as rows <-> the course's columns --------------------------------
    def _host_rows(self, X: Any, y: Any = None, *, reset: bool):
        """Host input checked as scikit-learn checks it (where installed): (X, y) as NumPy."""
        if validate_data is not None:
            if reset:
                return validate_data(self, X, y, dtype=[np.float64, np.float32], ensure_min_samples=1)
            return validate_data(self, X, reset=False, dtype=[np.float64, np.float32]), None
        Xh = np.asarray(X)
        if Xh.ndim != 2:
            raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {Xh.shape}.")
        if reset:
            self.n_features_in_ = int(Xh.shape[1])
        elif Xh.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {Xh.shape[1]} features, but {type(self).__name__} is expecting "
                             f"{self.n_features_in_} features as input.")
        return Xh, (None if y is None else np.asarray(y))

    def _rows_to_course(self, X: Any, xp: Any) -> Any:
        """X (n_samples, n_features) -> (n_x, m) on xp (None: as it is, for backend='dask')."""
        if chunked.is_dask(X):  # dask (n_samples, n_features) chunked over the samples -> (n_x, m)
            if X.ndim == 2 and len(X.chunks[1]) > 1:
                raise ValueError(f"X {tuple(X.shape)} is chunked over its columns (features) into {len(X.chunks[1])} "
                                 "chunks; each chunk needs whole samples (all features of some rows). Rechunk it: "
                                 "X = X.rechunk({1: -1}).")
            if X.ndim != 2:
                raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {tuple(X.shape)}.")
            return X.T
        Xb = X if xp is None else backend_asarray(X, xp, device=self.device, name="X")  # None: nn_model's dask moves it
        if len(Xb.shape) != 2:
            raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {tuple(Xb.shape)}.")
        return Xb.T

    def _batch_size(self, m: int) -> int | None:
        """None (full batch) or the batch size, at most m (as scikit-learn's MLP clips it)."""
        if self.batch_size is None:
            return None
        return min(check_positive("batch_size", self.batch_size, integer=True), int(m))  # int() took 1.5 as 1

    def _hidden(self) -> list[int]:
        """The hidden-layer sizes: hidden_layer_sizes where given (an int is one layer, as in
        scikit-learn's MLPClassifier), else the one layer of n_h units."""
        if self.hidden_layer_sizes is None:
            return check_hidden_sizes(self.n_h)
        default_n_h = inspect.signature(type(self).__init__).parameters["n_h"].default
        if not at_default(self.n_h, default_n_h):  # one of them would be dropped without a word
            raise ValueError(f"n_h={shown(self.n_h)} and hidden_layer_sizes={shown(self.hidden_layer_sizes)} were both "
                             "given; n_h is the size of the one hidden layer, hidden_layer_sizes the sizes of all of "
                             "them: give one.")
        return check_hidden_sizes(self.hidden_layer_sizes, name="hidden_layer_sizes")

    def fit(self, X: Any, y: Any) -> "NNClassifier":
        """Fit on X (n_samples, n_features) and y (n_samples,) with two or more classes."""
        hidden, alpha = self._hidden(), check_lambd(self.alpha, name="alpha")  # named as the caller named them
        _refuse_course_layout(X, y)
        to_dask = isinstance(self.backend, str) and self.backend == "dask"  # nn_model moves the columns into chunks
        if _is_backend_array(X):
            xp = None if to_dask else backend_for(X, self.backend)
            Xc = self._rows_to_course(X, xp)
            y_host = to_numpy(y) if _is_backend_array(y) else np.asarray(y)
            self.n_features_in_ = int(Xc.shape[0])
        else:
            X, y_host = self._host_rows(X, y, reset=True)
            xp = None if to_dask else backend_for(X, self.backend)
            Xc = self._rows_to_course(X, xp)
        if y_host is None or y_host.ndim != 1:
            raise ValueError(f"y must be 1-D (n_samples,); got {None if y_host is None else y_host.shape}.")
        if validate_data is not None:
            check_classification_targets(y_host)
        if Xc.shape[1] != y_host.shape[0]:
            raise ValueError(f"X has {Xc.shape[1]} samples (rows) but y has {y_host.shape[0]}.")
        classes, index = np.unique(y_host, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"a classifier needs at least 2 classes in y; got 1 class: {classes.tolist()}.")
        Y = index.astype(np.float64).reshape(1, -1)  # 0/1 for two classes, 0..K-1 for more
        with warn_as(_WARN_AS):  # a run that did not learn: scikit-learn's ConvergenceWarning too
            self.parameters_, self.costs_ = nn_model(
                Xc, Y, hidden, self.num_iterations, learning_rate=self.learning_rate,
                activation=self.activation, negative_slope=self.negative_slope,
                output="sigmoid" if len(classes) == 2 else "softmax",
                backend="dask" if to_dask else None if chunked.is_dask(Xc) else xp, device=self.device,
                dtype=self.dtype, seed=self.seed, init=self.init, cost_every=self.cost_every, compile=self.compile,
                progress=False, optimizer=self.optimizer, batch_size=self._batch_size(Xc.shape[1]), lambd=alpha,
            )
        self.classes_ = classes
        self.n_iter_ = int(self.num_iterations)  # iterations (epochs with batches or an optimizer); no early stop
        return self

    def _check_fitted(self) -> None:
        if validate_data is not None:
            check_is_fitted(self, "parameters_")
        elif not hasattr(self, "parameters_"):
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet; call fit(X, y) first.")

    def _output_probabilities(self, X: Any) -> tuple[Any, bool, Any]:
        """A_L (n_y, n_samples) on the backend, whether X came from the host, and xp."""
        self._check_fitted()
        xp = namespace_of(W1=self.parameters_["W1"])
        host = not _is_backend_array(X)
        if host:
            X, _ = self._host_rows(X, reset=False)
        Xc = self._rows_to_course(X, xp)
        if Xc.shape[0] != self.n_features_in_:
            raise ValueError(f"X has {Xc.shape[0]} features, but {type(self).__name__} is expecting "
                             f"{self.n_features_in_} features as input.")
        try:
            return predict_output(self.parameters_, Xc), host, xp
        except OutOfRangeError as exc:  # predict's advice is for a model's parameters; a classifier has dtype=
            raise exc.advising("fit it with dtype='float64'", ", the dtype this classifier was fit in") from None

    def predict_proba(self, X: Any) -> Any:
        """(n_samples, K): the probability of each class in classes_."""
        AL, host, _ = self._output_probabilities(X)
        if AL.shape[0] > 1:
            P = AL.T
        elif chunked.is_dask(AL):  # chunk by chunk: the number of samples in a chunk may be unknown
            P = AL.map_blocks(_both_classes, chunks=((2,), AL.chunks[1]), dtype=AL.dtype).T
        else:
            P = _both_classes(AL).T
        return to_numpy(P) if host else P

    def predict_log_proba(self, X: Any) -> Any:
        """(n_samples, K): log of :meth:`predict_proba`, as scikit-learn's MLPClassifier gives it (-inf where a
        probability rounded to 0)."""
        P = self.predict_proba(X)
        return array_namespace(P).log(P)

    def predict(self, X: Any) -> Any:
        """(n_samples,) labels from classes_: A_L > 0.5 is classes_[1] (two classes), else the argmax."""
        AL, host, xp = self._output_probabilities(X)
        if chunked.is_dask(AL):  # lazy labels, chunked like X's samples
            return AL.map_blocks(_labels_of, self.classes_, drop_axis=0, dtype=self.classes_.dtype,
                                 meta=np.empty((0,), dtype=self.classes_.dtype))
        labels = _labels_of(AL, self.classes_)
        if host or labels.dtype.kind not in "biuf":
            return labels
        return backend_asarray(labels, xp, device=self.device)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy of predict(X) against y (n_samples,) (weighted by sample_weight where given): scikit-learn's
        ``accuracy_score`` of host copies where it is installed (a backend's arrays are moved to NumPy first)."""
        predicted = to_numpy(self.predict(X))
        truth, weights = (None if a is None else to_numpy(a) if _is_backend_array(a) else np.asarray(a)
                          for a in (y, sample_weight))
        if validate_data is not None:
            from sklearn.metrics import accuracy_score

            return float(accuracy_score(truth, predicted, sample_weight=weights))
        if truth is not None and truth.ndim == 2 and truth.shape[1] == 1:  # a column, as scikit-learn takes it
            truth = truth[:, 0]
        if truth is None or truth.shape != predicted.shape:  # == would broadcast (n,) against (n, 1) to (n, n)
            raise ValueError(f"y must hold one label per sample of X, shape {predicted.shape}; got "
                             f"{None if truth is None else truth.shape}.")
        return float(np.average(truth == predicted, weights=weights))


#: The name of earlier releases: the same classifier (its n_h is the one hidden layer's size).
ShallowNNClassifier = NNClassifier
