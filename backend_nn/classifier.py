"""A scikit-learn-style front door: rows as samples outside, the course's columns inside.

``ShallowNNClassifier().fit(X, y)`` takes X of shape (n_samples, n_features)
and y of shape (n_samples,) with two classes of any labels, as scikit-learn
users expect, and converts at the edge: X_course = X^T (n_x, m), Y = (y ==
classes_[1]) as (1, m). The parameters stay on the chosen backend. Outputs
follow the input: NumPy (host) X gives NumPy results, a backend array gives
results on that backend. Where scikit-learn is installed the class derives
from its BaseEstimator and ClassifierMixin, so it works in ``Pipeline`` and
``cross_val_score``.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from .backend import namespace_of, to_backend, to_numpy
from .training import _backend_for, nn_model, predict_output

__all__ = ["ShallowNNClassifier"]


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


try:  # scikit-learn is optional: derive from its bases when it is there
    from sklearn.base import BaseEstimator, ClassifierMixin

    _BASES: tuple = (ClassifierMixin, BaseEstimator)
except ImportError:  # pragma: no cover - exercised where scikit-learn is absent
    _BASES = (_ParamsMixin,)


class ShallowNNClassifier(*_BASES):
    """Binary classifier: the course's one-hidden-layer network, trained by gradient descent.

    Parameters are those of :func:`backend_nn.nn_model`.

    Attributes (after fit)
    ----------------------
    parameters_ : Parameters  (W1 (n_h, n_features), b1, W2 (1, n_h), b2), on the backend
    costs_ : numpy.ndarray, the recorded costs
    classes_ : numpy.ndarray (2,), the labels; classes_[1] is the positive class
    n_features_in_ : int
    """

    def __init__(self, n_h: int = 4, *, activation: str = "tanh", negative_slope: float = 0.01,
                 learning_rate: float = 1.2, num_iterations: int = 10000, backend: Any = None,
                 device: Any = None, dtype: str = "float64", seed: int = 2, init: str = "random",
                 cost_every: int = 100, compile: bool = False):
        self.n_h = n_h
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

    # -- the edge: samples as rows <-> the course's columns --------------------------------
    def _rows_to_course(self, X: Any, xp: Any) -> Any:
        Xb = to_backend(X, xp, device=self.device)
        if len(Xb.shape) != 2:
            raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {tuple(Xb.shape)}.")
        return Xb.T

    def fit(self, X: Any, y: Any) -> "ShallowNNClassifier":
        """Fit on X (n_samples, n_features) and y (n_samples,) with exactly two classes."""
        xp = _backend_for(X, self.backend)
        y_host = to_numpy(to_backend(y, xp)) if not isinstance(y, (np.ndarray, list, tuple)) else np.asarray(y)
        if y_host.ndim != 1:
            raise ValueError(f"y must be 1-D (n_samples,); got shape {y_host.shape}.")
        classes = np.unique(y_host)
        if len(classes) != 2:
            raise ValueError(f"ShallowNNClassifier is a binary classifier: y needs exactly 2 classes; got {len(classes)}: {classes[:10].tolist()}.")
        Xc = self._rows_to_course(X, xp)
        if Xc.shape[1] != y_host.shape[0]:
            raise ValueError(f"X has {Xc.shape[1]} samples (rows) but y has {y_host.shape[0]}.")
        Y = (y_host == classes[1]).astype(np.float64).reshape(1, -1)
        self.parameters_, self.costs_ = nn_model(
            Xc, Y, self.n_h, self.num_iterations, learning_rate=self.learning_rate, activation=self.activation,
            negative_slope=self.negative_slope, backend=xp, device=self.device, dtype=self.dtype, seed=self.seed,
            init=self.init, cost_every=self.cost_every, compile=self.compile, progress=False,
        )
        self.classes_ = classes
        self.n_features_in_ = int(Xc.shape[0])
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "parameters_"):
            raise AttributeError(f"This {type(self).__name__} is not fitted yet; call fit(X, y) first.")

    def _output_probabilities(self, X: Any) -> tuple[Any, bool, Any]:
        """A2 (1, n_samples) on the backend, whether X came from the host, and xp."""
        self._check_fitted()
        xp = namespace_of(W1=self.parameters_["W1"])
        host = isinstance(X, (np.ndarray, list, tuple))
        Xc = self._rows_to_course(X, xp)
        if Xc.shape[0] != self.n_features_in_:
            raise ValueError(f"X has {Xc.shape[0]} features but the classifier was fitted with {self.n_features_in_}.")
        return predict_output(self.parameters_, Xc), host, xp

    def predict_proba(self, X: Any) -> Any:
        """(n_samples, 2): the probabilities of classes_[0] and classes_[1]."""
        A2, host, xp = self._output_probabilities(X)
        P = xp.concat([1.0 - A2, A2], axis=0).T
        return to_numpy(P) if host else P

    def predict(self, X: Any) -> Any:
        """(n_samples,) labels from classes_ (A2 > 0.5 is classes_[1])."""
        A2, host, xp = self._output_probabilities(X)
        positive = to_numpy(A2[0, :] > 0.5)
        labels = self.classes_[positive.astype(np.intp)]
        if host or labels.dtype.kind not in "biuf":
            return labels
        return to_backend(labels, xp, device=self.device)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy of predict(X) against y."""
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported.")
        return float(np.mean(to_numpy(self.predict(X)) == to_numpy(y)))

