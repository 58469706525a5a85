"""Pictures, as the course draws them (needs the ``plot`` extra: matplotlib).

- :func:`plot_decision_boundary`: the network's regions over a grid, with the data on top.
- :func:`plot_costs`: the cost against the iteration.
- :func:`plot_sweep`: the decision boundaries of several hidden-layer sizes in one grid.
Each returns the matplotlib Figure; ``save`` writes a PNG.
"""

from __future__ import annotations

import os
import textwrap
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .backend import host_array, to_numpy
from .network import TrainingResult, parameters_of
from .prediction import predict
from .outputs import SOFTMAX, check_label_values
from .validation import (check_labels_dtype, check_not_dict, check_output_path, check_path_type, check_positive,
                         check_X_kind, check_X_Y_shapes, host_labels, model_pair_hint, not_finite, shown)

if TYPE_CHECKING:  # matplotlib is optional: imported when a picture is drawn
    from matplotlib.figure import Figure
    from numpy.typing import ArrayLike

__all__ = ["plot_decision_boundary", "plot_costs", "plot_sweep", "save", "pyplot"]


def pyplot():
    """matplotlib.pyplot, or an ImportError that says how to install it. The user's backend is left as
    it is (a notebook's inline one, say); without a display matplotlib takes Agg by itself."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("pictures need matplotlib: pip install 'backend-nn[plot]'") from None
    return plt


def _class_colours(K: int):
    """One colour per class: the course's Spectral map, spread over the K classes."""
    import matplotlib

    cmap = matplotlib.colormaps["Spectral"]
    return [cmap(k / max(K - 1, 1)) for k in range(K)]


def _labels_of(Y: np.ndarray) -> np.ndarray:
    """(m,) integer class labels from Y (1, m) labels or (K, m) one-hot."""
    return (np.argmax(Y, axis=0) if Y.shape[0] > 1 else Y.ravel()).astype(int)


def _points(X: Any, Y: Any) -> tuple[np.ndarray, np.ndarray]:
    """X (2, m) and Y (1, m) or (K, m) on the host, checked: a picture of the plane, of finite points,
    one label per point: 0/1 or 0..K-1 (a (K, m) Y one-hot), never a colour guessed from another value."""
    check_not_dict(X, "X")
    Xh, Yh = host_array(to_numpy(X)), host_array(to_numpy(host_labels(Y)))  # np.matrix, masked: plain arrays
    if Yh.ndim == 1 and Xh.ndim == 2 and Yh.shape[0] == Xh.shape[1] != 1:
        Yh = Yh.reshape(1, -1)  # one label per point, as the course's helper (matplotlib's scatter) takes them
    check_X_kind(Xh, xp=np)
    check_X_Y_shapes(Xh, Yh)
    check_labels_dtype(Yh, xp=np)
    if Xh.shape[0] != 2:
        raise ValueError(f"a decision boundary is drawn for 2 features; X has shape {Xh.shape} (n_x must be 2).")
    if not np.all(np.isfinite(Xh)):
        raise not_finite("X", int(np.sum(~np.isfinite(Xh))))
    labels = Yh.astype(np.float64)
    if Yh.shape[0] > 1:  # one-hot (K, m)
        check_label_values(Yh, SOFTMAX, xp=np)
    else:
        n_bad = int(np.sum(~np.isfinite(labels)))
        if n_bad:  # as X's (it read "found [nan, nan, nan]")
            raise not_finite("Y", n_bad)
        bad = np.unique(labels[~((labels >= 0) & (labels == np.round(labels)))])
        if bad.size:
            raise ValueError(f"Y must hold class labels 0/1 or 0..K-1 (one colour each); found {bad[:3].tolist()}.")
    return Xh, Yh


_LEGEND_TITLE = {"title": "region and points", "title_fontsize": "small"}


def _boundary(ax, parameters: dict, X: np.ndarray, Y: np.ndarray, title: str, h: float = 0.01,
              legend: bool = True) -> list:
    """The course's plot: predictions on a grid of step h over the data's range +-1, then the
    points, with a legend of which colour is which class (any number of classes; ``legend=False``:
    not drawn, for a figure that has one legend for all). Returns the legend's handles."""
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D

    x_min, x_max = X[0].min() - 1, X[0].max() + 1
    y_min, y_max = X[1].min() - 1, X[1].max() + 1
    # at most ~600 x 600 predictions, each axis by its own range: features of other scales (x1 up to 1000, x2
    # within 1) had one step for both, and 2 rows of predictions over x2
    xx, yy = np.meshgrid(np.arange(x_min, x_max, max(h, (x_max - x_min) / 600)),
                         np.arange(y_min, y_max, max(h, (y_max - y_min) / 600)))
    if callable(parameters):  # the course's call: plot_decision_boundary(lambda x: predict(parameters, x.T), X, Y)
        Z, n_out = _model_labels(parameters, np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape), 2
    else:
        grid = np.stack([xx.ravel(), yy.ravel()])  # (2, n_grid): examples as columns
        Z = to_numpy(predict(parameters, grid)).astype(int).reshape(xx.shape)
        n_out = int(parameters["W" + str(len(parameters) // 2)].shape[0])
    labels = _labels_of(Y)
    K = max(2, n_out, int(labels.max()) + 1 if labels.size else 2)
    colours = _class_colours(K)
    cmap = ListedColormap(colours)
    ax.contourf(xx, yy, Z, levels=np.arange(K + 1) - 0.5, cmap=cmap, alpha=0.8)
    ax.scatter(X[0], X[1], c=labels, cmap=cmap, vmin=-0.5, vmax=K - 0.5, s=12, edgecolors="k", linewidths=0.3)
    handles = [Line2D([], [], marker="o", linestyle="", markerfacecolor=colours[k], markeredgecolor="k",
                      label=f"class {k}") for k in range(K)]
    if legend:
        ax.legend(handles=handles, loc="best", fontsize="small", framealpha=0.8, **_LEGEND_TITLE)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    return handles


def _model_labels(model: Any, rows: np.ndarray) -> np.ndarray:
    """(n_grid,) integer labels from a course-style model: a function of the grid's points as rows
    (n_grid, 2) that returns one label per point (bool or whole numbers, any shape of that size)."""
    Z = np.asarray(to_numpy(model(rows)))
    if Z.dtype.kind not in "biuf":
        raise TypeError(f"the model must return numeric labels (e.g. predict(parameters, x.T)); it returned dtype "
                        f"{Z.dtype}.")
    if Z.size != rows.shape[0]:
        raise ValueError(f"the model must return one label per grid point ({rows.shape[0]} points, handed to it "
                         f"as rows (n, 2), as the course's plot_decision_boundary does); it returned shape {Z.shape}.")
    Z = Z.reshape(-1)
    if Z.dtype.kind == "f" and not np.all(Z == np.round(Z)):
        raise ValueError("the model must return labels (e.g. predict(parameters, x.T)), not probabilities.")
    return Z.astype(int)


def _axes_for(plt, ax: Any, figsize: tuple[float, float]):
    """Where a picture goes: ``ax`` when given; else, as the course's helpers draw with pyplot, the
    current axes when they are empty (a ``plt.subplot(5, 2, i + 1)`` or ``plt.figure()`` waiting for
    it, the notebook's hidden-layer sweep); else a new figure, so no earlier picture is drawn over.
    Returns (figure, axes, whether the figure is new)."""
    if ax is not None:
        from matplotlib.axes import Axes

        if not isinstance(ax, Axes):
            raise TypeError(f"ax must be a matplotlib Axes (e.g. plt.subplots()[1]); got {type(ax).__name__}.")
        return ax.figure, ax, False
    if plt.get_fignums():
        fig = plt.gcf()
        if not fig.axes:
            return fig, fig.add_subplot(), False
        if not fig.gca().has_data():
            return fig, fig.gca(), False
    fig, ax = plt.subplots(figsize=figsize)
    return fig, ax, True


def plot_decision_boundary(parameters: Any, X: Any, Y: Any, *, ax: Any = None,
                           title: str | None = None) -> Figure:
    """Regions the network assigns to each class, over the data X (2, m) coloured by Y: (1, m)
    labels (0/1 or 0..K-1) or (K, m) one-hot.

    ``parameters``: the trained parameters, or, as the course calls it, a model function of the
    grid's points as rows, ``plot_decision_boundary(lambda x: predict(parameters, x.T), X, Y)``.

    ``ax``: the matplotlib Axes to draw in. Without it the picture goes where the course's helper
    puts it: the current axes if nothing is drawn there yet (the notebook's ``plt.subplot(...)``,
    ``plt.title(...)``, then this call), else a new figure. ``title``: the axes' title; without
    it a title already set stays, else "Decision boundary". Returns the Figure.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> parameters, costs = bnn.nn_model(X, Y, 4, num_iterations=1000)
    >>> fig = bnn.plot_decision_boundary(parameters, X, Y)
    >>> fig.axes[0].get_title()
    'Decision boundary'
    >>> plt.close(fig)
    >>> fig = bnn.plot_decision_boundary(lambda x: bnn.predict(parameters, x.T), X, Y)   # the course's call
    >>> plt.close(fig)
    """
    parameters = parameters_of(parameters)
    Xh, Yh = _points(X, Y)
    plt = pyplot()
    fig, ax, new = _axes_for(plt, ax, (6, 5))
    _boundary(ax, parameters, Xh, Yh, title if title is not None else ax.get_title() or "Decision boundary")
    if new:
        fig.tight_layout()
    return fig


def plot_costs(costs: ArrayLike | TrainingResult[Any], learning_rate: float | None = None, *, cost_every: int = 100,
               title: str | None = None, unit: str = "iteration", ax: Any = None) -> Figure:
    """The recorded cost J against the iteration (costs[k] is at iteration k * cost_every), or the
    epoch (``unit="epoch"``: mini-batch training, where J is averaged over the epoch). ``costs`` may be a
    model's whole result, ``plot_costs(nn_model(...))``: its costs.

    ``plot_costs(costs, learning_rate)`` is the week-4 notebook's call: the title then names the
    learning rate, as its helper's does ("Learning rate = 0.0075"). ``ax`` as in
    :func:`plot_decision_boundary`: without it, empty current axes, else a new figure. Returns the
    Figure.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> parameters, costs = bnn.nn_model(X, Y, 4, num_iterations=1000)
    >>> fig = bnn.plot_costs(costs, learning_rate=1.2)
    >>> ax, = fig.axes
    >>> ax.get_title(), ax.get_xlabel()
    ('Learning rate = 1.2', 'iteration')
    >>> plt.close(fig)
    """
    if learning_rate is not None:  # checked, then named by str() as the course's title does (float32(0.0075): "0.0075")
        check_positive("learning_rate", learning_rate, integer=False)
    if title is None:
        title = "Cost during training" if learning_rate is None else f"Learning rate = {learning_rate!s}"
    if isinstance(costs, TrainingResult):  # a model's result kept whole: its costs
        costs = costs.costs
    try:
        with warnings.catch_warnings():  # complex costs: refused, not cast to their real parts with NumPy's warning
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            c = np.asarray(costs, dtype=float)
    except (TypeError, ValueError, np.exceptions.ComplexWarning):
        raise TypeError(f"costs must be real numbers (the costs training returns); got {type(costs).__name__}"
                        f"{model_pair_hint(costs) or f' {shown(costs)}'}.") from None
    if c.ndim != 1 or c.size == 0:  # a single value (None too) named as it came, not as "shape ()"
        raise ValueError(f"costs must be a 1-d sequence of recorded costs (as training returns them); got "
                         f"{f'one value, {shown(costs)}' if c.ndim == 0 else f'shape {c.shape}'}.")
    bad = np.flatnonzero(~np.isfinite(c))  # None reads as NaN; either would be a silent gap in the curve
    if bad.size:
        raise ValueError(f"costs must be finite (training stops with an error where J is not); got {shown(costs)}, "
                         f"with {bad.size} NaN, inf or None value(s) from index {int(bad[0])}.")
    cost_every = check_positive("cost_every", cost_every, integer=True)
    plt = pyplot()
    fig, ax, new = _axes_for(plt, ax, (6, 4))
    ax.plot(np.arange(len(c), dtype=np.float64) * cost_every, c)  # float: any count of iterations, no int64 overflow
    ax.set_xlabel(unit)
    ax.set_ylabel("cost J (cross-entropy)")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    if new:
        fig.tight_layout()
    return fig


def plot_sweep(results: Sequence[tuple[int, dict, float]], X: Any, Y: Any, *, title: str = "Hidden layer size"):
    """A grid of decision boundaries, one per (n_h, parameters, accuracy) in ``results``."""
    Xh, Yh = _points(X, Y)
    plt = pyplot()
    n = len(results)
    cols = min(4, n)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.6 * rows + 0.4), squeeze=False, layout="constrained")
    handles = []
    for ax, (n_h, params, acc) in zip(axes.ravel()[:n], results, strict=True):
        handles = _boundary(ax, params, Xh, Yh, f"n_h = {n_h}: accuracy {100 * acc:.2f}%", legend=False)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    # wrapped to the grid's width (about 9 characters of the title's font to an inch): one panel is 4 inches
    fig.suptitle(textwrap.fill(title, width=36 * cols))
    # one legend for the grid, below it (matplotlib >= 3.7's "outside"), where it hides no points
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize="small", **_LEGEND_TITLE)
    return fig


def save(fig, path: str | Path) -> Path:
    """Write a figure in the format its name says (.png, .pdf, .svg, ...: matplotlib's; PNG where the
    name has no suffix) and close it."""
    check_path_type(path)
    try:  # the folder checked first: matplotlib's own error was "[Errno 2] No such file or directory"
        check_output_path(path, f"cannot save to {os.fspath(path) or repr('')}", example="figure.png")
        path = Path(path)
        fig.savefig(path, dpi=100, format=None if path.suffix else "png")
    finally:
        pyplot().close(fig)
    return path
