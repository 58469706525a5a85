"""ShallowNNClassifier: rows as samples outside, the course's columns inside."""

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn.backend import to_numpy
from conftest import assert_on_backend

X, Y = bnn.load_planar_dataset()
Xr = X.T.copy()
y_str = np.where(Y.ravel() > 0, "red", "blue")


def test_fit_predict_proba_score_match_the_functional_api():
    clf = bnn.ShallowNNClassifier(4, num_iterations=1000).fit(Xr, Y.ravel())
    params, costs = bnn.nn_model(X, Y, 4, 1000)
    for k in params:
        np.testing.assert_array_equal(clf.parameters_[k], params[k])
    np.testing.assert_array_equal(clf.costs_, costs)
    proba = clf.predict_proba(Xr)
    assert proba.shape == (400, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    A2, _ = bnn.forward_propagation(X, params)
    np.testing.assert_allclose(proba[:, 1], A2.ravel())
    np.testing.assert_array_equal(clf.predict(Xr), bnn.predict(params, X).ravel().astype(float))
    assert clf.score(Xr, Y.ravel()) == bnn.accuracy(bnn.predict(params, X), Y)
    assert clf.n_features_in_ == 2 and clf.classes_.tolist() == [0.0, 1.0]


def test_any_two_labels():
    clf = bnn.ShallowNNClassifier(4, num_iterations=500).fit(Xr, y_str)
    assert set(clf.predict(Xr)) <= {"red", "blue"}
    assert clf.classes_.tolist() == ["blue", "red"]
    assert clf.score(Xr, y_str) > 0.6


def test_params_and_clear_errors():
    clf = bnn.ShallowNNClassifier()
    assert clf.get_params()["n_h"] == 4 and clf.get_params()["learning_rate"] == 1.2
    assert clf.set_params(n_h=7) is clf and clf.n_h == 7
    with pytest.raises(AttributeError, match=r"not fitted yet"):
        clf.predict(Xr)
    with pytest.raises(ValueError, match=r"exactly 2 classes; got 3"):
        clf.fit(Xr, np.arange(400) % 3)
    with pytest.raises(ValueError, match=r"X has 400 samples \(rows\) but y has 399"):
        clf.fit(Xr, Y.ravel()[:399])
    clf.set_params(num_iterations=20).fit(Xr, Y.ravel())
    with pytest.raises(ValueError, match=r"X has 3 features but the classifier was fitted with 2"):
        clf.predict(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"X must be finite; it holds 1 NaN or inf"):
        clf.predict_proba(np.array([[0.0, 1.0], [np.nan, 2.0]]))


def test_keeps_its_arrays_on_the_backend(backend):
    clf = bnn.ShallowNNClassifier(4, num_iterations=200, backend=backend.xp, device=backend.device).fit(Xr, Y.ravel())
    for v in clf.parameters_.values():
        assert_on_backend(v, backend, backend.xp.float64)
    assert isinstance(clf.predict(Xr), np.ndarray)  # host data in, host results out
    Xb = backend.asarray(Xr)
    proba = clf.predict_proba(Xb)  # backend data in, backend results out
    assert_on_backend(proba, backend, backend.xp.float64)
    np.testing.assert_allclose(to_numpy(proba), clf.predict_proba(Xr), rtol=1e-12)


def test_works_inside_scikit_learn():
    pytest.importorskip("sklearn", reason="scikit-learn is not installed")
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    clf = bnn.ShallowNNClassifier(4, num_iterations=1500)
    assert clone(clf).get_params() == clf.get_params()
    pipe = make_pipeline(StandardScaler(), clf)
    scores = cross_val_score(pipe, Xr, y_str, cv=StratifiedKFold(3, shuffle=True, random_state=0))
    assert scores.shape == (3,) and np.all(scores > 0.75), scores


def test_get_set_params_without_scikit_learn():
    """Where scikit-learn is absent the class falls back on _ParamsMixin: same conventions."""
    from backend_nn.classifier import _ParamsMixin

    # The classifier's own __init__ on the fallback base alone: the same class whether or not
    # scikit-learn is installed (where it is absent, ShallowNNClassifier already derives from it).
    Bare = type("Bare", (_ParamsMixin,), {"__init__": bnn.ShallowNNClassifier.__init__})

    clf = Bare(3, learning_rate=0.5)
    assert clf.get_params()["n_h"] == 3 and clf.get_params()["learning_rate"] == 0.5
    assert set(clf.get_params()) == {"n_h", "activation", "negative_slope", "learning_rate", "num_iterations", "backend",
                                     "device", "dtype", "seed", "init", "cost_every", "compile"}
    clf.set_params(n_h=5)
    assert clf.n_h == 5
    with pytest.raises(ValueError, match=r"invalid parameter 'alpha' for Bare"):
        clf.set_params(alpha=1.0)
