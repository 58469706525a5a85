"""NNClassifier (ShallowNNClassifier): rows as samples outside, the course's columns inside."""

import warnings

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
    assert clf.n_iter_ == 1000
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(clf.predict_log_proba(Xr), np.log(proba))  # MLPClassifier's definition


def test_any_two_labels():
    clf = bnn.ShallowNNClassifier(4, num_iterations=500).fit(Xr, y_str)
    assert set(clf.predict(Xr)) <= {"red", "blue"}
    assert clf.classes_.tolist() == ["blue", "red"]
    assert clf.score(Xr, y_str) > 0.6


def test_params_and_clear_errors():
    clf = bnn.ShallowNNClassifier()
    assert clf.get_params()["n_h"] == 4 and clf.get_params()["learning_rate"] is None  # the optimizer's: 1.2 for gd
    assert clf.set_params(n_h=7) is clf and clf.n_h == 7
    with pytest.raises(AttributeError, match=r"not fitted yet"):  # NotFittedError is an AttributeError too
        clf.predict(Xr)
    with pytest.raises(ValueError, match=r"at least 2 classes in y; got 1 class"):
        clf.fit(Xr, np.zeros(400))
    with pytest.raises(ValueError, match=r"400.*399|399.*400"):
        clf.fit(Xr, Y.ravel()[:399])
    clf.set_params(num_iterations=20).fit(Xr, Y.ravel())
    with pytest.raises(ValueError, match=r"X has 3 features, but \w+ is expecting 2 features as input"):
        clf.predict(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"NaN"):
        clf.predict_proba(np.array([[0.0, 1.0], [np.nan, 2.0]]))
    # X beyond the range the classifier was fit in: its own dtype= is the advice (predict's named the parameters)
    clf32 = bnn.NNClassifier(num_iterations=5, dtype="float32").fit(Xr, Y.ravel())
    for method in (clf32.predict, clf32.predict_proba):
        with pytest.raises(ValueError, match=r"^X holds values beyond the range of float32, the dtype this classifier "
                                             r"was fit in \(largest \|x\| = 4\.21e\+300\): fit it with "
                                             r"dtype='float64' or rescale X\.$"):
            method(Xr * 1e300)
    # the errors name the classifier's own parameters (not nn_model's n_h and lambd)
    for params, exc, match in [({"hidden_layer_sizes": (8, 0)}, ValueError, r"hidden_layer_sizes\[1\] must be a positive"),
                               ({"hidden_layer_sizes": (0,)}, ValueError, r"hidden_layer_sizes\[0\] must be a positive"),
                               ({"hidden_layer_sizes": ()}, ValueError, r"hidden_layer_sizes must be a positive integer "
                                                                        r"or a non-empty list"),
                               ({"alpha": -0.1}, ValueError, r"alpha must be a finite number >= 0; got -0.1"),
                               # int(batch_size) took 1.5 as 1 and True as 1; "auto" was int()'s own message
                               ({"batch_size": 1.5}, TypeError, r"batch_size must be a positive integer; got float"),
                               ({"batch_size": "auto"}, TypeError, r"batch_size must be a positive integer; got str")]:
        with pytest.raises(exc, match=match):
            bnn.NNClassifier(num_iterations=5, **params).fit(Xr, Y.ravel())


def test_data_in_the_course_layout_are_told_to_turn():
    # a learner's X (n_x, m) got scikit-learn's "inconsistent numbers of samples: [2, 400]"
    with pytest.raises(ValueError, match=r"X has shape \(2, 400\) and y \(400,\): the classifier takes X as "
                                         r"\(n_samples, n_features\).* did you mean X\.T\?"):
        bnn.NNClassifier(num_iterations=5).fit(X, Y.ravel())
    with pytest.raises(ValueError, match=r"y \(1, 400\).* did you mean X\.T and y = Y\.ravel\(\), \(n_samples,\)\?"):
        bnn.NNClassifier(num_iterations=5).fit(X, Y)
    with pytest.raises(ValueError, match=r"X has shape \(2, 400\) and y \(400,\).* did you mean X\.T\?"):
        bnn.NNClassifier(num_iterations=5).fit(X.tolist(), Y.ravel().tolist())  # lists, shaped by NumPy's rules
    # where the layout cannot be told, or X is not 2-D, scikit-learn's own checks speak, or without it the
    # classifier's (a 1-D X met an IndexError)
    for X_, y, match in [(X[0], Y.ravel(), r"Expected 2D array, got 1D array instead|X must be 2-D \(n_samples, "
                                           r"n_features\); got shape \(400,\)\.$"),
                         (X[..., None], Y.ravel(), r"Found array with dim 3|X must be 2-D \(n_samples, n_features\); "
                                                   r"got shape \(2, 400, 1\)\.$"),
                         (Xr[:3], 1, r"y should be a 1d array, got an array of shape \(\) instead|y must be 1-D "
                                     r"\(n_samples,\); got \(\)\.$")]:
        with pytest.raises(ValueError, match=match):
            bnn.NNClassifier(num_iterations=5).fit(X_, y)
    square = bnn.NNClassifier(num_iterations=5).fit(Xr[:2], [0, 1])  # (2, 2): 2 samples of 2 features, as given
    assert square.parameters_.network.layer_dims == (2, 4, 1)
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    with pytest.raises(ValueError, match=r"did you mean X\.T\?"):  # arrays of a backend are taken as they are
        bnn.NNClassifier(num_iterations=5).fit(torch.asarray(X), torch.asarray(Y.ravel()))


def test_an_int_hidden_layer_sizes_is_one_layer_as_in_scikit_learn():
    one = bnn.NNClassifier(hidden_layer_sizes=5, num_iterations=50).fit(Xr, Y.ravel())
    seq = bnn.NNClassifier(hidden_layer_sizes=(5,), num_iterations=50).fit(Xr, Y.ravel())
    assert one.parameters_.network.layer_dims == (2, 5, 1)
    np.testing.assert_array_equal(one.costs_, seq.costs_)
    # n_h beside hidden_layer_sizes: one of them would be dropped in silence
    with pytest.raises(ValueError, match=r"n_h=3 and hidden_layer_sizes=\[5\] were both given; .* give one"):
        bnn.NNClassifier(3, hidden_layer_sizes=[5], num_iterations=5).fit(Xr, Y.ravel())


def test_keeps_its_arrays_on_the_backend(backend):
    clf = bnn.ShallowNNClassifier(4, num_iterations=200, backend=backend.xp, device=backend.device).fit(Xr, Y.ravel())
    for v in clf.parameters_.values():
        assert_on_backend(v, backend, backend.xp.float64)
    assert isinstance(clf.predict(Xr), np.ndarray)  # host data in, host results out
    Xb = backend.asarray(Xr)
    proba = clf.predict_proba(Xb)  # backend data in, backend results out
    assert_on_backend(proba, backend, backend.xp.float64)
    np.testing.assert_allclose(to_numpy(proba), clf.predict_proba(Xr), rtol=1e-12)
    log_proba = clf.predict_log_proba(Xb)
    assert_on_backend(log_proba, backend, backend.xp.float64)
    np.testing.assert_allclose(to_numpy(log_proba), np.log(to_numpy(proba)), rtol=1e-12)
    labels = clf.predict(Xb)  # numbers as labels: on the backend too
    assert_on_backend(labels, backend, backend.xp.float64)
    np.testing.assert_array_equal(to_numpy(labels), clf.predict(Xr))
    named = bnn.NNClassifier(num_iterations=20, backend=backend.xp, device=backend.device).fit(Xr, y_str)
    assert isinstance(named.predict(Xb), np.ndarray)  # strings, which no Array API library holds: NumPy's
    np.testing.assert_array_equal(named.predict(Xb), named.predict(Xr))


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
    assert set(clf.get_params()) == {"n_h", "hidden_layer_sizes", "optimizer", "batch_size", "alpha", "activation", "negative_slope", "learning_rate", "num_iterations", "backend",
                                     "device", "dtype", "seed", "init", "cost_every", "compile"}
    clf.set_params(n_h=5)
    assert clf.n_h == 5
    with pytest.raises(ValueError, match=r"invalid parameter 'momentum' for Bare"):
        clf.set_params(momentum=1.0)


def test_the_classifier_stands_without_scikit_learn():
    """scikit-learn is optional: without it (its import fails, in a fresh interpreter) the classifier keeps its
    parameters, checks and errors by hand, and fits, predicts and scores as with it."""
    import subprocess
    import sys

    code = """if True:
        import sys
        sys.modules["sklearn"] = None  # scikit-learn absent: its import fails
        import numpy as np
        import backend_nn as bnn

        X, Y = bnn.load_planar_dataset()
        Xr, y = X.T, Y.ravel()
        clf = bnn.NNClassifier(num_iterations=300)
        print("bases:", [b.__name__ for b in type(clf).__mro__[1:]])
        for call in (lambda: clf.predict(Xr), lambda: clf.fit(Xr, y[:, None]), lambda: clf.fit(Xr[:, 0], y),
                     lambda: clf.fit(Xr, y[:399]), lambda: clf.set_params(bogus=1)):
            try:
                call()
            except ValueError as e:
                print(f"{type(e).__name__}: {e}", isinstance(e, AttributeError))
        clf.set_params(num_iterations=200)
        print("params:", clf.get_params()["num_iterations"])
        clf.fit(Xr, y)
        print("fitted:", clf.classes_.tolist(), clf.n_features_in_, clf.predict_proba(Xr).shape)
        print("score:", clf.score(Xr, y) == clf.score(Xr, y[:, None]) == np.mean(clf.predict(Xr) == y))
        for call in (lambda: clf.predict(Xr[:, :1]), lambda: clf.score(Xr, y[:399])):
            try:
                call()
            except ValueError as e:
                print(f"{type(e).__name__}: {e}")
    """
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "bases: ['_ParamsMixin', 'object']",
        # scikit-learn's NotFittedError is a ValueError and an AttributeError; so is the stand-in
        "NotFittedError: This NNClassifier instance is not fitted yet; call fit(X, y) first. True",
        "ValueError: y must be 1-D (n_samples,); got (400, 1). False",
        "ValueError: X must be 2-D (n_samples, n_features); got shape (400,). False",
        "ValueError: X has 400 samples (rows) but y has 399. False",
        "ValueError: invalid parameter 'bogus' for NNClassifier; valid: ['n_h', 'hidden_layer_sizes', 'activation', "
        "'negative_slope', 'learning_rate', 'num_iterations', 'backend', 'device', 'dtype', 'seed', 'init', "
        "'cost_every', 'compile', 'optimizer', 'batch_size', 'alpha']. False",
        "params: 200",
        "fitted: [0.0, 1.0] 2 (400, 2)",
        "score: True",
        "ValueError: X has 1 features, but NNClassifier is expecting 2 features as input.",
        "ValueError: y must hold one label per sample of X, shape (400,); got (399,).",
    ]


def test_two_classes_split_as_the_course_predicts():
    """classes_[1] where A_L > 0.5, as the course's predict takes it: an output of exactly 0.5 (all weights zero
    here) is classes_[0]."""
    clf = bnn.NNClassifier(num_iterations=5).fit(Xr, np.where(Y.ravel() > 0, "blue", "red"))
    for k in clf.parameters_:
        clf.parameters_[k] = np.zeros_like(clf.parameters_[k])
    np.testing.assert_array_equal(clf.predict_proba(Xr[:3]), np.full((3, 2), 0.5))
    assert clf.predict(Xr[:3]).tolist() == ["blue"] * 3


def test_many_classes_and_hidden_layers():
    Xs, labels = bnn.load_dataset("spiral")
    names = np.array(["ash", "birch", "cedar"])[labels.ravel()]
    clf = bnn.NNClassifier(hidden_layer_sizes=(16, 8), activation="relu", learning_rate=0.5, num_iterations=2000)
    clf.fit(Xs.T, names)
    assert clf.classes_.tolist() == ["ash", "birch", "cedar"]
    assert clf.parameters_.network.layer_dims == (2, 16, 8, 3) and clf.parameters_.network.output.name == "softmax"
    proba = clf.predict_proba(Xs.T)
    assert proba.shape == (300, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(Xs.T), clf.classes_[np.argmax(proba, axis=1)])
    assert clf.score(Xs.T, names) > 0.8


def test_passes_scikit_learns_check_estimator():
    pytest.importorskip("sklearn", reason="scikit-learn is not installed")
    from sklearn.utils.estimator_checks import check_estimator

    for clf in (bnn.NNClassifier(num_iterations=300), bnn.NNClassifier(hidden_layer_sizes=(5, 3), num_iterations=300)):
        with warnings.catch_warnings():  # its data reach 102 and learn only their class shares here, as it says
            warnings.simplefilter("ignore", bnn.ConvergenceWarning)
            results = check_estimator(clf, on_fail=None)
        failed = [(r["check_name"], repr(r["exception"])[:200]) for r in results if r["status"] == "failed"]
        assert not failed, failed
        assert sum(r["status"] == "passed" for r in results) >= 50


def test_its_convergence_warning_is_scikit_learns_too():
    """A fit that learned nothing (init="zeros": the symmetry lesson) warns with a class that is both
    backend_nn's ConvergenceWarning and scikit-learn's, so a filter of scikit-learn's silences it, as it
    silences MLPClassifier's; nn_model outside the classifier keeps backend_nn's own, also after a fit failed."""
    pytest.importorskip("sklearn", reason="scikit-learn is not installed")
    from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning

    X, Y = bnn.load_planar_dataset()
    clf = bnn.NNClassifier(num_iterations=200, init="zeros")
    with pytest.warns(SklearnConvergenceWarning, match="learned nothing from X") as record:
        clf.fit(X.T, Y.ravel())
    assert all(isinstance(w.message, bnn.ConvergenceWarning) for w in record)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        clf.fit(X.T, Y.ravel())  # silenced by scikit-learn's class alone
    with pytest.raises(bnn.TrainingDivergedError):  # raised inside the classifier's run
        bnn.NNClassifier(num_iterations=200, learning_rate=1e4).fit(X.T, Y.ravel())
    with pytest.warns(bnn.ConvergenceWarning) as record:
        bnn.nn_model(X, Y, 4, 200, init="zeros")
    assert not any(isinstance(w.message, SklearnConvergenceWarning) for w in record)


def test_accepts_what_scikit_learn_accepts():
    """pandas DataFrames and Series, lists; cross_val_score over a DataFrame."""
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    pytest.importorskip("sklearn", reason="scikit-learn is not installed")
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    df = pd.DataFrame(Xr, columns=["x1", "x2"])
    series = pd.Series(y_str, name="colour")
    clf = bnn.NNClassifier(num_iterations=1500).fit(df, series)
    assert clf.feature_names_in_.tolist() == ["x1", "x2"]
    np.testing.assert_array_equal(clf.predict(df), bnn.NNClassifier(num_iterations=1500).fit(Xr, y_str).predict(Xr))
    with pytest.warns(UserWarning, match="feature names"):  # scikit-learn's own warning: fitted on named columns
        assert clf.predict(Xr.tolist()).shape == (400,)
    scores = cross_val_score(bnn.NNClassifier(num_iterations=1500), df, series,
                             cv=StratifiedKFold(3, shuffle=True, random_state=0))
    assert np.all(scores > 0.75), scores


@pytest.mark.parametrize("sklearn_installed", [True, False])
def test_score_of_a_column_of_labels_is_the_score_of_the_labels(monkeypatch, sklearn_installed):
    """y as a column (n, 1) (a one-column DataFrame, y[:, None]) was compared with the (n,) predictions by ==,
    which broadcast to (n, n): the flower scored 0.5 instead of 0.875, in silence. Now scikit-learn's
    accuracy_score (or, without it, the same rule by hand) scores it, and a y of another length is an error."""
    from backend_nn import classifier

    if sklearn_installed:
        pytest.importorskip("sklearn", reason="scikit-learn is not installed")
    else:
        monkeypatch.setattr(classifier, "validate_data", None)
    y = Y.ravel()
    clf = bnn.NNClassifier(num_iterations=300).fit(Xr, y)
    expected = float(np.mean(clf.predict(Xr) == y))
    assert 0.6 < expected < 1
    assert clf.score(Xr, y) == clf.score(Xr, y[:, None]) == expected
    weights = np.arange(400.0)
    assert clf.score(Xr, y[:, None], sample_weight=weights) == pytest.approx(
        np.average(clf.predict(Xr) == y, weights=weights), rel=1e-12)
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[399, 400\]|one label per sample of X, "
                                         r"shape \(400,\); got \(399,\)"):
        clf.score(Xr, y[:399])


def test_the_submodules_the_layout_names_are_attributes_of_the_package():
    """``bnn.classifier.NNClassifier`` (and ``bnn.dnn_utils``, ``bnn.cli``) in a fresh interpreter, where
    nothing has imported them yet: they load on first use, as SciPy's submodules do."""
    import subprocess
    import sys

    code = ("import backend_nn as bnn; print(bnn.classifier.NNClassifier.__name__, bnn.dnn_utils.sigmoid.__name__, "
            "bnn.cli.main.__name__); bnn.no_such_thing")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stdout.split() == ["NNClassifier", "sigmoid", "main"]
    assert "AttributeError: module 'backend_nn' has no attribute 'no_such_thing'" in run.stderr
