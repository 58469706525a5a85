"""The pictures: what they draw, the data they refuse, and the user's matplotlib left as it was."""

import numpy as np
import pytest

import backend_nn as bnn

matplotlib = pytest.importorskip("matplotlib", reason="matplotlib is not installed")
from backend_nn import plotting  # noqa: E402

X, Y = bnn.load_planar_dataset()


@pytest.fixture(scope="module")
def flower_params():
    return bnn.nn_model(X, Y, 4, 200)[0]


def test_the_boundary_draws_regions_points_and_a_legend_per_class(flower_params, tmp_path):
    fig = plotting.plot_decision_boundary(flower_params, X, Y, title="flower")
    ax = fig.axes[0]
    assert ax.get_title() == "flower"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    assert ax.collections[-1].get_offsets().shape == (400, 2)  # every point drawn
    path = plotting.save(fig, tmp_path / "b.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    Xs, labels = bnn.load_dataset("spiral")
    params, _ = bnn.L_layer_model(Xs, labels, [2, 8, 3], num_iterations=50)
    legend = plotting.plot_decision_boundary(params, Xs, labels).axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["class 0", "class 1", "class 2"]


@pytest.mark.parametrize("K", [2, 3, 5])
def test_each_class_has_one_colour_of_its_own_in_its_region_its_points_and_the_legend(K):
    """A class's region band, its points and its legend entry wear one colour, and no two classes share one: the
    bands sit on the labels (level k - 0.5 to k + 0.5), the points' colour scale is the regions'."""
    Xk, labels = bnn.load_dataset("spiral", classes=K)
    params, _ = bnn.L_layer_model(Xk, labels, [2, 8, K if K > 2 else 1], num_iterations=30)
    by_function = plotting.plot_decision_boundary(lambda x: bnn.predict(params, x.T), Xk, labels).axes[0]
    ax = plotting.plot_decision_boundary(params, Xk, labels).axes[0]
    bands, points = ax.collections[0], ax.collections[-1]
    ax.figure.canvas.draw()
    legend = np.array([h.get_markerfacecolor()[:3] for h in ax.get_legend().legend_handles])
    assert len(legend) == K and len(np.unique(legend.round(6), axis=0)) == K  # K colours, all different
    spectral = matplotlib.colormaps["Spectral"]  # the course's map, from one end to the other
    np.testing.assert_allclose(legend[[0, -1]], [spectral(0.0)[:3], spectral(1.0)[:3]])
    np.testing.assert_array_equal(bands.levels, np.arange(K + 1) - 0.5)
    np.testing.assert_allclose(bands.get_facecolor()[:, :3], legend)
    np.testing.assert_allclose(points.get_facecolors()[:, :3], legend[labels.ravel().astype(int)])
    by_function.figure.canvas.draw()  # the course's call: the classes counted from the labels, as many colours
    np.testing.assert_allclose(by_function.collections[-1].get_facecolors()[:, :3], points.get_facecolors()[:, :3])
    assert len(by_function.get_legend().legend_handles) == K
    matplotlib.pyplot.close("all")


def test_the_regions_reach_one_unit_past_the_data_on_each_side_as_the_courses_plot():
    seen = []

    def model(rows):
        seen.append(rows)
        return rows[:, 0] > 0

    plotting.plot_decision_boundary(model, X, Y)
    for axis in range(2):
        grid = np.unique(seen[0][:, axis])
        step = np.diff(grid).max()  # the course's 0.01, or wider where that would be over 600 points
        assert 590 <= grid.size <= 601 and step == pytest.approx((X[axis].max() - X[axis].min() + 2) / 600)
        assert grid[0] == X[axis].min() - 1 and X[axis].max() + 1 - step <= grid[-1] < X[axis].max() + 1
    matplotlib.pyplot.close("all")


@pytest.mark.parametrize("n", [1, 4, 7])
def test_the_sweep_grid_has_one_legend_below_its_panels(flower_params, n):
    """One legend for the grid, outside every panel (a legend in each panel's corner hid points there)."""
    fig = plotting.plot_sweep([(k + 1, flower_params, 0.9) for k in range(n)], X, Y, title="sweep")
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(fig.axes) == min(4, n) * -(-n // 4)  # rows of at most 4 panels, the last row's spare ones blank
    assert len(panels) == n and all(ax.get_legend() is None for ax in fig.axes)
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["class 0", "class 1"]
    fig.canvas.draw()
    box = legend.get_window_extent()
    assert all(box.y1 <= ax.get_tightbbox().y0 for ax in panels)  # below every panel, its labels included
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("X_bad, Y_bad, match", [
    (np.vstack([X, X[:1]]), Y, r"drawn for 2 features; X has shape \(3, 400\)"),
    (X, Y[:, :10], r"X and Y must have the same number of examples m \(columns\); got X \(2, 400\) and Y \(1, 10\)"),
    (np.where(X > 3, np.nan, X), Y, r"X must be finite; it holds \d+ NaN or inf value\(s\)"),
    (X[:, :0], Y[:, :0], r"X has shape \(2, 0\): it needs at least one example"),
    (X.T, Y, r"did you mean X.T"),
    (X, np.where(np.arange(400) == 3, np.nan, Y), r"Y must be finite; it holds 1 NaN or inf value\(s\)"),
    (X, Y * np.nan, r"Y must be finite; it holds 400 NaN or inf value\(s\)"),  # was "found [nan, nan, nan]"
    (X, Y * 0.5, r"Y must hold class labels .*; found \[0.5\]\.$"),  # each value once
    (X, Y - 1, r"Y must hold class labels .*; found \[-1.0"),
    (X, np.vstack([Y, Y]), "Y \\(K, m\\) must be one-hot, exactly one 1 in every column"),
])
def test_bad_points_are_clear_errors(flower_params, X_bad, Y_bad, match):
    """Never a picture with a colour guessed from a label that is not one (0.5 drawn as class 0, NaN cast)."""
    with pytest.raises(ValueError, match=match):
        plotting.plot_decision_boundary(flower_params, X_bad, Y_bad)
    with pytest.raises(ValueError, match=match):
        plotting.plot_sweep([(4, flower_params, 0.9)], X_bad, Y_bad)


def test_the_users_matplotlib_backend_is_left_as_it_is(flower_params):
    """A notebook's inline backend, say: drawing a picture must not switch it to Agg behind the user's back."""
    before = matplotlib.get_backend()
    plt = plotting.pyplot()
    plt.switch_backend("svg")  # a backend of the user's that is not Agg
    try:
        plotting.plot_costs([0.7, 0.5, 0.3])
        plotting.plot_decision_boundary(flower_params, X, Y)
        assert matplotlib.get_backend() == "svg"
    finally:
        plt.close("all")
        plt.switch_backend(before)


def test_the_courses_call_with_a_model_function_draws_the_same_regions(flower_params):
    """The course calls plot_decision_boundary(lambda x: predict(parameters, x.T), X, Y): the model is a
    function of the grid's points as rows. It was refused ("parameters must be a dict")."""
    by_function = plotting.plot_decision_boundary(lambda x: bnn.predict(flower_params, x.T), X, Y).axes[0]
    by_parameters = plotting.plot_decision_boundary(flower_params, X, Y).axes[0]
    as_floats = plotting.plot_decision_boundary(lambda x: np.asarray(bnn.predict(flower_params, x.T), dtype=float),
                                                X, Y).axes[0]  # labels 0.0 / 1.0: whole numbers, taken as labels
    regions = [np.asarray(ax.collections[0].get_array()) for ax in (by_function, by_parameters, as_floats)]
    np.testing.assert_array_equal(regions[0], regions[1])
    np.testing.assert_array_equal(regions[0], regions[2])
    with pytest.raises(ValueError, match=r"one label per grid point .* it returned shape \(3,\)"):
        plotting.plot_decision_boundary(lambda x: np.zeros(3), X, Y)
    with pytest.raises(ValueError, match=r"must return labels \(e.g. predict\(parameters, x.T\)\), not probabilities"):
        plotting.plot_decision_boundary(lambda x: bnn.predict_output(flower_params, x.T), X, Y)


def test_each_axis_of_the_grid_spans_its_own_range_finely():
    """Features of other scales (x1 up to 1000, x2 within 1) had one step for both axes, 1000 / 600: the grid had
    2 rows over x2, and the picture a boundary in x2 it had never computed."""
    rng = np.random.RandomState(0)
    X_scales = np.vstack([rng.rand(50) * 1000, rng.rand(50)])
    seen = []

    def model(rows):
        seen.append(rows)
        return rows[:, 1] > 0.5

    plotting.plot_decision_boundary(model, X_scales, (X_scales[1:] > 0.5) * 1)
    xs, ys = np.unique(seen[0][:, 0]), np.unique(seen[0][:, 1])
    assert 550 <= xs.size <= 601 and ys.size >= 290  # x1: (1000 + 2) / 600 a step; x2: the course's 0.01
    assert np.diff(ys).max() == pytest.approx(0.01)


@pytest.mark.parametrize("costs, kwargs, match", [
    ([], {}, r"costs must be a 1-d sequence .*; got shape \(0,\)"),  # drew an empty picture
    (np.ones((3, 3)), {}, r"got shape \(3, 3\)"),                   # drew three lines
    (None, {}, r"1-d sequence .*; got one value, None\.$"),       # said "got shape ()"
    (0.5, {}, r"1-d sequence .*; got one value, 0\.5\.$"),
    ([0.7, 0.5], {"cost_every": 0}, r"cost_every must be a positive integer; got 0"),  # all at x = 0
    # a silent gap in the curve: None read as NaN
    ([0.7, None, 0.5], {}, r"^costs must be finite \(training stops with an error where J is not\); got \[0\.7, None, "
                           r"0\.5\], with 1 NaN, inf or None value\(s\) from index 1\.$"),
    (np.array([0.7, 0.6, np.inf, np.nan]), {}, r"with 2 NaN, inf or None value\(s\) from index 2\.$"),
])
def test_bad_costs_are_clear_errors(costs, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plotting.plot_costs(costs, **kwargs)
    with pytest.raises(TypeError, match=r"costs must be real numbers .*; got list \['a'\]"):  # "could not convert string"
        plotting.plot_costs(["a"])
    with pytest.raises(TypeError, match=r"costs must be real numbers .*; got list \[\(0\.7\+1j\), 0\.5\]"):
        plotting.plot_costs([0.7 + 1j, 0.5])  # not cast to 0.7 with NumPy's ComplexWarning (an error under pytest.ini)


def test_a_models_pair_handed_to_plot_costs_says_to_unpack_it(flower_params):
    result = bnn.nn_model(X, Y, 3, num_iterations=300)  # a model's result kept whole: its costs are plotted
    np.testing.assert_array_equal(plotting.plot_costs(result).axes[0].lines[0].get_ydata(), result.costs)
    with pytest.raises(TypeError, match=r"got tuple; this is a \(parameters, costs\) pair: .* so unpack them"):
        plotting.plot_costs((flower_params, [0.7, 0.5]))


def test_one_label_per_point_as_a_1d_Y_as_the_courses_helper_takes_it(flower_params):
    one_d = plotting.plot_decision_boundary(flower_params, X, Y.ravel()).axes[0]
    two_d = plotting.plot_decision_boundary(flower_params, X, Y).axes[0]
    np.testing.assert_array_equal(one_d.collections[-1].get_array(), two_d.collections[-1].get_array())
    with pytest.raises(ValueError, match=r"Y must be 2-D with shape \(n_y, m\); got shape \(10,\)"):  # not one per point
        plotting.plot_decision_boundary(flower_params, X, Y.ravel()[:10])


def test_save_writes_the_format_its_name_says(tmp_path):
    """It wrote a PNG whatever the name: curve.pdf was a PNG file."""
    assert plotting.save(plotting.plot_costs([0.7, 0.5]), tmp_path / "c.pdf").read_bytes()[:5] == b"%PDF-"
    assert plotting.save(plotting.plot_costs([0.7, 0.5]), tmp_path / "c").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match=r"Format 'txt' is not supported"):
        plotting.save(plotting.plot_costs([0.7, 0.5]), tmp_path / "c.txt")



def test_save_to_a_folder_that_is_not_there_names_it_and_closes_the_figure(tmp_path):
    """It was matplotlib's "[Errno 2] No such file or directory: '.../no/c.png'", as save_model's is not."""
    from matplotlib import pyplot as plt

    open_before = len(plt.get_fignums())
    with pytest.raises(FileNotFoundError, match=r"^cannot save to .*c\.png: the folder .*no does not exist\.$"):
        plotting.save(plotting.plot_costs([0.7, 0.5]), tmp_path / "no" / "c.png")
    with pytest.raises(IsADirectoryError, match=r"^cannot save to .*: .* is a directory; give a file name"):
        plotting.save(plotting.plot_costs([0.7, 0.5]), tmp_path)
    assert len(plt.get_fignums()) == open_before  # the refused figures were closed, as a saved one is


def test_plot_costs_takes_the_week4_notebooks_call():
    """The application notebook plots with plot_costs(costs, learning_rate)."""
    ax = plotting.plot_costs([0.7, 0.5, 0.3], 0.0075).axes[0]
    assert ax.get_title() == "Learning rate = 0.0075"
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [0, 100, 200])
    assert plotting.plot_costs([0.7, 0.5]).axes[0].get_title() == "Cost during training"
    assert plotting.plot_costs([0.7], np.float32(0.0075)).axes[0].get_title() == "Learning rate = 0.0075"
    with pytest.raises(TypeError, match=r"learning_rate must be a positive number; got dict"):  # was in the title
        plotting.plot_costs([0.7, 0.5], {"W1": 1})
    with pytest.raises(ValueError, match=r"learning_rate must be a positive, finite number; got -0.0075"):
        plotting.plot_costs([0.7, 0.5], -0.0075)


def test_plot_costs_takes_any_count_of_iterations():
    """cost_every past int64's range was Python's "int too large to convert to C long", without the argument."""
    x = plotting.plot_costs([0.7, 0.5], cost_every=2**63).axes[0].lines[0].get_xdata()
    np.testing.assert_array_equal(x, [0.0, 2.0**63])


def test_the_course_sweep_draws_into_its_own_subplots(flower_params):
    """The week-3 notebook's hidden-layer sweep prepares plt.subplot(5, 2, i + 1) and its title, then calls
    plot_decision_boundary: the picture goes into that subplot and keeps the title, as the course's helper
    (which draws with pyplot) does. Where the current axes hold a picture already, a new figure is made."""
    plt = plotting.pyplot()
    plt.close("all")
    try:
        sweep = plt.figure(figsize=(8, 8))
        for i in range(3):
            plt.subplot(2, 2, i + 1)
            plt.title("Hidden Layer of size %d" % (i + 1))
            fig = bnn.plot_decision_boundary(lambda x: bnn.predict(flower_params, x.T), X, Y)
            assert fig is sweep
        assert plt.get_fignums() == [sweep.number]
        assert [ax.get_title() for ax in sweep.axes] == [f"Hidden Layer of size {n}" for n in (1, 2, 3)]
        assert all(ax.collections[-1].get_offsets().shape == (400, 2) for ax in sweep.axes)

        plt.figure()  # course 2's notebooks: plt.title(...), plt.gca().set_xlim(...), then the call
        plt.title("Model with Adam optimization")
        plt.gca().set_xlim([-1.5, 2.5])
        fig = bnn.plot_decision_boundary(lambda x: bnn.predict(flower_params, x.T), X, Y)
        assert fig.axes[0].get_title() == "Model with Adam optimization" and fig.axes[0].get_xlim() == (-1.5, 2.5)

        costs = bnn.plot_costs([0.69, 0.3, 0.2])
        again = bnn.plot_decision_boundary(flower_params, X, Y)
        assert again is not costs and again is not sweep  # nothing drawn over the cost curve
        assert len(costs.axes[0].collections) == 0 and again.axes[0].get_title() == "Decision boundary"

        fig, axes = plt.subplots(1, 2)
        assert bnn.plot_decision_boundary(flower_params, X, Y, ax=axes[1], title="right") is fig
        assert not axes[0].has_data() and axes[1].get_title() == "right"
        with pytest.raises(TypeError, match="ax must be a matplotlib Axes .*; got ndarray"):
            bnn.plot_decision_boundary(flower_params, X, Y, ax=axes)
        plt.sca(axes[0])
        assert bnn.plot_costs([0.69, 0.3], 0.0075) is fig  # the current axes were empty
        assert axes[0].get_title() == "Learning rate = 0.0075" and len(axes[0].lines) == 1
    finally:
        plt.close("all")


@pytest.mark.parametrize("X_bad, Y_bad, model, match", [
    (X.astype(str), Y, None, r"X must hold real numbers; got dtype <U"),
    (X, Y.astype(str), None, r"Y must hold numeric labels .* got dtype <U"),
    (X, Y, lambda x: np.array(["a"] * len(x)), r"the model must return numeric labels .* it returned dtype <U1"),
])
def test_data_of_the_wrong_kind_are_type_errors(flower_params, X_bad, Y_bad, model, match):
    with pytest.raises(TypeError, match=match):
        plotting.plot_decision_boundary(model or flower_params, X_bad, Y_bad)


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
def test_a_matrix_or_a_masked_array_is_drawn_as_its_plain_array(flower_params):
    """np.matrix X reached matplotlib, whose "Masked arrays must be 1-D" was the error; the front doors
    (nn_model, predict) take both as the plain arrays they hold, and so does the picture."""
    plain = plotting.plot_decision_boundary(flower_params, X, Y).axes[0]
    for Xk, Yk in [(np.asmatrix(X), np.asmatrix(Y)), (np.ma.masked_array(X), np.ma.masked_array(Y))]:
        ax = plotting.plot_decision_boundary(flower_params, Xk, Yk).axes[0]
        np.testing.assert_array_equal(ax.collections[-1].get_offsets(), plain.collections[-1].get_offsets())
        np.testing.assert_array_equal(ax.collections[-1].get_array(), plain.collections[-1].get_array())
    with pytest.raises(ValueError, match=r"masked array with 1 masked cell\(s\); the network would read the values "
                                         r"under the mask"):
        plotting.plot_decision_boundary(flower_params, np.ma.masked_array(X, mask=X == X.max()), Y)
    matplotlib.pyplot.close("all")
