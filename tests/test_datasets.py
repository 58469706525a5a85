"""The course's extra data sets: the course's layout, binary labels, reproducible, no global state."""

import numpy as np
import pytest

import backend_nn as bnn


@pytest.mark.parametrize("name", [n for n in bnn.DATASETS if n != "flower"])
def test_extra_datasets_have_the_courses_layout(name):
    np.random.seed(7)
    before = np.random.rand()
    np.random.seed(7)
    X, Y = bnn.load_dataset(name)
    assert np.random.rand() == before  # NumPy's global generator untouched
    assert X.shape == (2, 200) and Y.shape == (1, 200)
    assert X.dtype == np.float64 and np.all(np.isfinite(X))
    assert set(np.unique(Y)) == {0.0, 1.0}
    X2, Y2 = bnn.load_dataset(name)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)


def test_unknown_dataset():
    with pytest.raises(ValueError, match=r"unknown data set 'iris'; expected one of 'flower'"):
        bnn.load_dataset("iris")


def test_the_network_learns_the_circles_better_than_chance():
    X, Y = bnn.load_dataset("noisy_circles")
    p, _ = bnn.nn_model(X, Y, 5, 3000)
    assert bnn.accuracy(bnn.predict(p, X), Y) > 0.7
