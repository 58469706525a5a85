"""The data sets: the course's layout, their labels, reproducible, no global state."""

import numpy as np
import pytest

import backend_nn as bnn
from backend_nn import datasets


BINARY = ["noisy_circles", "noisy_moons", "blobs", "gaussian_quantiles", "no_structure"]


@pytest.mark.parametrize("name", BINARY)
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
    with pytest.raises(ValueError, match=r"unknown data set 'iris'; expected one of 'flower', .*'digits'\.$"):
        bnn.load_dataset("iris")  # no name is close: the list, and a full stop
    with pytest.raises(ValueError, match=r"unknown data set \['flower'\]; expected one of 'flower'"):
        bnn.load_dataset(["flower"])  # was "unhashable type: 'list'"


def test_a_size_given_as_a_numpy_scalar_or_0_d_array_works_as_the_int():
    # a 0-d array passed the check of m, then reached RandomState.permutation: "x must be an integer or at
    # least 1-dimensional" (IndexError)
    for m in (np.int64(200), np.asarray(200)):
        for (X, Y), (X_int, Y_int) in zip(bnn.load_extra_datasets(m), bnn.load_extra_datasets(200)):
            np.testing.assert_array_equal(X, X_int)
            np.testing.assert_array_equal(Y, Y_int)
    np.testing.assert_array_equal(bnn.load_dataset("spiral", m=np.asarray(300))[0], bnn.load_dataset("spiral")[0])


def test_an_option_a_data_set_does_not_take_is_named_with_the_ones_it_does():
    # was: "blobs() got an unexpected keyword argument 'n'", a function the caller never called
    with pytest.raises(TypeError, match=r"^load_dataset\('blobs'\) takes m=, centers=, seed=; got n=\.$"):
        bnn.load_dataset("blobs", n=3)
    with pytest.raises(TypeError, match=r"^load_dataset\('digits'\) takes no options; got n_class=\.$"):
        bnn.load_dataset("digits", n_class=3)
    assert bnn.load_dataset("flower", m=10, seed=1)[0].shape == (2, 10)


@pytest.mark.parametrize("name, kwargs, match", [
    ("flower", {"m": 401}, r"m must be a positive multiple of 2 \(m / 2 points on each class's petals\); got 401"),
    ("flower", {"m": -1}, r"m must be a positive integer; got -1"),
    ("spiral", {"m": 301}, r"m must be a positive multiple of 3 \(m / classes points on each arm\); got 301"),
    ("noisy_circles", {"m": 1}, r"m must be an integer >= 2 \(two classes\); got 1"),
    ("noisy_circles", {"noise": -1}, r"noise must be a finite number >= 0; got -1.0"),
    ("noisy_circles", {"factor": 1.5}, r"factor must be in \(0, 1\); got 1.5"),
    ("noisy_circles", {"factor": 1}, r"factor must be in \(0, 1\); got 1.0"),     # both ends open: one circle,
    ("noisy_circles", {"factor": 0}, r"factor must be in \(0, 1\); got 0.0"),     # or a point
    ("noisy_moons", {"noise": float("nan")}, r"noise must be a finite number >= 0; got nan"),
    ("blobs", {"centers": 1}, r"centers must be an integer >= 2"),
    ("gaussian_quantiles", {"cov": 0}, r"cov must be a finite number > 0; got 0.0"),
    ("no_structure", {"seed": -3}, r"seed must be an integer in \[0, 2\*\*32 - 1\]"),
])
def test_bad_sizes_and_spreads_are_clear_errors_and_no_example_is_dropped(name, kwargs, match):
    """An odd m for the flower gave m - 1 examples, a spiral's m not a multiple of its classes lost the rest:
    every generator now gives exactly m examples or says why it cannot."""
    with pytest.raises(ValueError, match=match):
        bnn.load_dataset(name, **kwargs)
    X, Y = bnn.load_dataset(name, m=6)
    assert X.shape == (2, 6) and Y.shape == (1, 6)


def test_the_network_learns_the_circles_better_than_chance():
    X, Y = bnn.load_dataset("noisy_circles")
    p, _ = bnn.nn_model(X, Y, 5, 3000)
    assert bnn.accuracy(bnn.predict(p, X), Y) > 0.7


@pytest.mark.parametrize("name, shape, K", [("spiral", (2, 300), 3), ("digits", (64, 1797), 10)])
def test_multiclass_datasets_have_the_courses_layout_and_labels(name, shape, K):
    if name == "digits":
        pytest.importorskip("sklearn", reason="digits ships with scikit-learn, which is not installed")
    np.random.seed(7)
    before = np.random.rand()
    np.random.seed(7)
    X, Y = bnn.load_dataset(name)
    assert np.random.rand() == before
    assert X.shape == shape and Y.shape == (1, shape[1]) and X.dtype == np.float64 and Y.dtype == np.int64
    assert np.array_equal(np.unique(Y), np.arange(K))
    assert name != "digits" or (X.min() == 0 and X.max() == 1)
    np.testing.assert_array_equal(bnn.load_dataset(name)[0], X)


def test_digits_train_as_the_issue_shows_it():
    """bnn.L_layer_model(X, Y, [64, 32, 16, 10], learning_rate=0.1, ...) on the digits' labels 0..9."""
    pytest.importorskip("sklearn", reason="digits ships with scikit-learn, which is not installed")
    X, Y = bnn.load_dataset("digits")
    params, costs = bnn.L_layer_model(X, Y, [64, 32, 16, 10], learning_rate=0.1, num_iterations=600)
    assert costs[-1] < 0.5 * costs[0] and costs[0] == pytest.approx(np.log(10), rel=0.05)
    assert bnn.accuracy(bnn.predict(params, X), Y) > 0.85


def test_an_npz_data_file_gives_X_and_its_labels_or_says_what_is_wrong(tmp_path):
    X, Y = bnn.load_planar_dataset()
    np.savez(tmp_path / "d.npz", X=X, Y=Y)
    X2, Y2 = bnn.load_data_file(tmp_path / "d.npz")
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(Y2, Y)
    np.savez(tmp_path / "flat.npz", X=X, Y=Y.ravel())  # m labels (m,): one per example, unambiguous
    assert bnn.load_data_file(tmp_path / "flat.npz")[1].shape == (1, 400)
    np.savez(tmp_path / "column.npz", X=X, Y=Y.T)  # (m, 1): a column, refused as the other layouts are, not turned
    with pytest.raises(ValueError, match=r"column.npz: Y must label X's m = 400 examples, .*; it has shape \(400, 1\)"):
        bnn.load_data_file(tmp_path / "column.npz")
    np.savez(tmp_path / "short.npz", X=X, Y=Y[:, :10])  # was returned as it was: 10 labels for 400 examples
    with pytest.raises(ValueError, match=r"short.npz: Y must label X's m = 400 examples, .*; it has shape \(1, 10\)"):
        bnn.load_data_file(tmp_path / "short.npz")
    np.savez(tmp_path / "rows.npz", X=X.T, Y=Y)
    with pytest.raises(ValueError, match=r"Y must label X's m = 2 examples, .*; it has shape \(1, 400\): X \(400, 2\) "
                                         r"looks stored with examples as rows; save X.T, \(n_x, m\)\."):
        bnn.load_data_file(tmp_path / "rows.npz")
    np.savez(tmp_path / "flatX.npz", X=X[0], Y=Y)
    with pytest.raises(ValueError, match=r"flatX.npz: X must be 2-D \(n_x, m\), examples as columns; it has shape \(400,\)"):
        bnn.load_data_file(tmp_path / "flatX.npz")
    np.savez(tmp_path / "noY.npz", X=X)
    with pytest.raises(ValueError, match=r"noY.npz has no array 'Y' \(1, m\) of labels"):
        bnn.load_data_file(tmp_path / "noY.npz")
    assert bnn.load_data_file(tmp_path / "noY.npz", labels=None)[1] is None
    # NumPy's own "Object arrays cannot be loaded when allow_pickle=False" named neither the file nor X
    np.savez(tmp_path / "objects.npz", X=np.array([[1.0, "a"]], dtype=object), Y=Y[:, :2])
    with pytest.raises(ValueError, match=r"objects.npz: X is an array of Python objects, which is not read \(it would "
                                         r"need pickle\); store numbers"):
        bnn.load_data_file(tmp_path / "objects.npz")
    np.savez(tmp_path / "words.npz", X=X[:, :3], Y=np.array([["cat", "dog", "cat"]]))
    with pytest.raises(ValueError, match=r"words.npz: Y must hold numbers; it holds dtype <U3\. Number the labels 0..K-1"):
        bnn.load_data_file(tmp_path / "words.npz")


def test_load_extra_datasets_is_the_notebooks_call_and_layout():
    """The week-3 notebook: noisy_circles, noisy_moons, blobs, gaussian_quantiles, no_structure =
    load_extra_datasets(); then X, Y = X.T, Y.reshape(1, Y.shape[0]) (and Y % 2 for blobs)."""
    sets = bnn.load_extra_datasets()
    assert len(sets) == 5
    for name, (X, Y) in zip(BINARY, sets, strict=True):
        assert X.shape == (200, 2) and Y.shape == (200,)
        X, Y = X.T, Y.reshape(1, Y.shape[0])
        if name == "blobs":
            Y = Y % 2
        Xn, Yn = bnn.load_dataset(name)
        np.testing.assert_array_equal(X, Xn)
        np.testing.assert_array_equal(Y, Yn)


def test_a_csv_with_a_byte_order_mark_and_windows_line_ends_reads_as_without(tmp_path):
    """Excel's "CSV UTF-8" starts the file with a byte-order mark: the first cell was "\\ufeff1", not a number."""
    plain = tmp_path / "plain.csv"
    plain.write_text("1,2,0\n3,4,1\n5,6,0\n")
    files = [("bom.csv", "\ufeff1,2,0\r\n3,4,1\r\n5,6,0\r\n"),
             ("bom_header.csv", "\ufeffx1,x2,y\r\n1,2,0\r\n3,4,1\r\n5,6,0\r\n")]
    for name, body in files:
        (tmp_path / name).write_bytes(body.encode("utf-8"))
        X, Y = bnn.load_data_file(tmp_path / name)
        X0, Y0 = bnn.load_data_file(plain)
        np.testing.assert_array_equal(X, X0)
        np.testing.assert_array_equal(Y, Y0)


def test_a_csv_is_read_as_the_csv_module_reads_it_and_a_first_row_of_numbers_is_never_a_header(tmp_path):
    """Cells were split on "," by hand: quoted cells ("1","2","0", as spreadsheets export them) were
    not numbers, and a first line "1 2 0" (another separator) was dropped as a header."""
    plain = tmp_path / "plain.csv"
    plain.write_text("1,2,0\n3,4,1\n")
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('"x1","x2","y"\n"1","2","0"\n"3","4","1"\n')
    for a, b in zip(bnn.load_data_file(quoted), bnn.load_data_file(plain), strict=True):
        np.testing.assert_array_equal(a, b)
    (tmp_path / "spaces.txt").write_text("1 2 0\n3 4 1\n")
    with pytest.raises(ValueError, match=r"spaces.txt, line 1, column 1: not a number: '1 2 0' \(the file is read "
                                         r"as comma-separated; this line looks separated by ' '\)"):
        bnn.load_data_file(tmp_path / "spaces.txt")
    (tmp_path / "blank_row.csv").write_text("1,2,0\n,,\n3,4,1\n")  # a spreadsheet's empty row: not dropped
    with pytest.raises(ValueError, match=r"blank_row.csv, line 2, column 1: an empty cell"):
        bnn.load_data_file(tmp_path / "blank_row.csv")
    (tmp_path / "gaps.csv").write_text("1,2,0\n\n   \n3,4,1\n\n")  # empty and blank lines hold no row: skipped
    for a, b in zip(bnn.load_data_file(tmp_path / "gaps.csv"), bnn.load_data_file(plain), strict=True):
        np.testing.assert_array_equal(a, b)
    (tmp_path / "inf.csv").write_text("1,2,0\n3,inf,1\n")  # a number, but no finite one: its line and column
    with pytest.raises(ValueError, match=r"inf.csv, line 2, column 2: 'inf' is not a finite number; fill missing "
                                         r"values or drop their rows first\.$"):
        bnn.load_data_file(tmp_path / "inf.csv")
    (tmp_path / "open_quote.csv").write_text('1,2,0\n3,"4,1\n')  # the quote runs to the end of the file
    with pytest.raises(ValueError, match=r"open_quote.csv, line \d+: "):
        bnn.load_data_file(tmp_path / "open_quote.csv")
    with pytest.raises(TypeError, match=r"labels must be True, False or None; got str 'yes'"):
        bnn.load_data_file(plain, labels="yes")
    with pytest.raises(IsADirectoryError, match=r"is a folder; give a data file in it"):
        bnn.load_data_file(tmp_path)


def test_the_generated_sets_have_the_shapes_their_docstrings_describe():
    """Each generator's geometry, read from its points (noise 0 where it takes one): the circles' two radii
    all the way round, the moons' two half circles, the blobs' centres spread over [-10, 10]^2 with labels
    mod 2, the quantiles split by radius, the spiral's arms; every class its share of m, and the smallest
    sizes each one takes (m = 2, centers = 2, classes = 2)."""
    X, Y = datasets.noisy_circles(200, factor=0.5, noise=0.0)
    r, t = np.hypot(*X), np.arctan2(X[1], X[0])
    np.testing.assert_allclose(r, np.where(Y[0] == 0, 1.0, 0.5), rtol=1e-12)
    for k in (0, 1):  # evenly round the whole circle: 100 angles 2 pi / 100 apart
        np.testing.assert_allclose(np.diff(np.sort(t[Y[0] == k])), 2 * np.pi / 100, rtol=1e-9)
    X, Y = datasets.noisy_moons(201, noise=0.0)
    assert [int(np.sum(Y == k)) for k in (0, 1)] == [100, 101]
    np.testing.assert_allclose(np.hypot(*X[:, Y[0] == 0]), 1.0, rtol=1e-12)             # the upper half circle
    np.testing.assert_allclose(np.hypot(X[0, Y[0] == 1] - 1, X[1, Y[0] == 1] - 0.5), 1.0, rtol=1e-12)
    X, Y = datasets.blobs(600, centers=6)
    assert np.ptp(X, axis=1).min() > 8 and np.all(np.abs(X) < 10 + 6)   # six centres in [-10, 10]^2, noise 1
    assert int(np.sum(Y)) == 300                                            # centres 1, 3, 5: half the points
    assert datasets.blobs(4, centers=2)[0].shape == (2, 4)
    X, Y = datasets.gaussian_quantiles(200)
    r2 = np.sum(X**2, axis=0)
    assert int(np.sum(Y)) == 100 and r2[Y[0] == 1].min() > r2[Y[0] == 0].max()
    X, Y = datasets.spiral(300, classes=3, noise=0.0)
    for k in range(3):
        arm = X[:, Y[0] == k]
        np.testing.assert_allclose(np.hypot(*arm), np.linspace(0, 1, 100), atol=1e-12)
    assert datasets.spiral(4, classes=2)[1].tolist() == [[0, 0, 1, 1]]
    assert bnn.load_planar_dataset(m=2)[0].shape == (2, 2)


def test_a_csv_of_one_feature_and_its_label_is_two_columns_enough(tmp_path):
    """The narrowest training CSV: one feature column and the label column (X (1, m), Y (1, m)); one column is
    refused, as it holds no features beside its labels."""
    (tmp_path / "two.csv").write_text("0.5,1\n-0.5,0\n")
    X, Y = bnn.load_data_file(tmp_path / "two.csv")
    assert X.tolist() == [[0.5, -0.5]] and Y.tolist() == [[1.0, 0.0]]
    (tmp_path / "one.csv").write_text("1\n0\n")
    with pytest.raises(ValueError, match=r"one.csv: a training CSV needs feature columns and a last label column; "
                                         r"found 1 column\.$"):
        bnn.load_data_file(tmp_path / "one.csv")
