"""The course's data sets, made in NumPy on the host, and the user's own files.

Each loader returns ``X`` (n_x, m) float64 and ``Y`` (1, m), the course's layout
(examples as columns): float64 0/1 for the binary sets, int64 class labels
0..K-1 for the multi-class ones (``spiral``: 3 classes, generated here;
``digits``: scikit-learn's 8x8 handwritten digits, 10 classes, shipped inside
scikit-learn, nothing downloaded). The generators are seeded and never touch
NumPy's global random state.
"""

from __future__ import annotations

import csv
import inspect
import io
import math
import os
import re
from typing import Any, Callable, Literal, overload

import numpy as np

from .validation import (check_flag, check_input_path, check_number, check_positive, check_seed, did_you_mean,
                         is_one_of, shown)

__all__ = [
    "load_planar_dataset",
    "noisy_circles",
    "noisy_moons",
    "blobs",
    "gaussian_quantiles",
    "no_structure",
    "spiral",
    "digits",
    "DATASETS",
    "load_dataset",
    "load_extra_datasets",
    "load_data_file",
]


def load_planar_dataset(m: int = 400, *, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The "flower": two classes of m/2 points on the petals r = 4 sin(4t), with noise.

    Exactly the course's data with the defaults: for class j, t =
    linspace(3.12 j, 3.12 (j+1), N) + randn(N) * 0.2, r = 4 sin(4t) + randn(N) * 0.2,
    the point (r sin t, r cos t), drawn from ``RandomState(1)`` in that order.

    Returns X (2, m) and Y (1, m).

    Examples
    --------
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> X.shape, Y.shape, int(Y.sum())
    ((2, 400), (1, 400), 200)
    """
    m, rng = _generator(m, seed, per=2, why="m / 2 points on each class's petals")
    N, a = m // 2, 4
    X = np.zeros((2 * N, 2))
    Y = np.zeros((2 * N, 1))
    for j in range(2):
        ix = slice(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + rng.randn(N) * 0.2
        r = a * np.sin(4 * t) + rng.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T.copy(), Y.T.copy()


def _generator(m: int, seed: int, *, per: int = 1, why: str = "") -> tuple[int, np.random.RandomState]:
    """m checked, as a Python int, and the set's generator: at least 2 examples (two classes or more),
    a multiple of ``per`` where the set draws m / per points per class (``why``), none dropped."""
    m = check_positive("m", m, integer=True)
    if m < 2 or m % per:
        rule = f"a positive multiple of {per} ({why})" if per > 1 else "an integer >= 2 (two classes)"
        raise ValueError(f"m must be {rule}; got {m}.")
    return m, np.random.RandomState(check_seed(seed))


def _scale(name: str, value: float, *, positive: bool = False) -> float:
    """A noise or spread: a finite number >= 0 (> 0 where ``positive``)."""
    ok = (lambda v: v > 0 and math.isfinite(v)) if positive else (lambda v: v >= 0 and math.isfinite(v))
    text = "a finite number > 0" if positive else "a finite number >= 0"
    return check_number(name, value, text.replace("a finite ", "a "), ok, text)


def _columns(points: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.ascontiguousarray(points.T, dtype=np.float64), labels.reshape(1, -1).astype(np.float64)


def noisy_circles(m: int = 200, *, factor: float = 0.5, noise: float = 0.3, seed: int = 0):
    """Two concentric circles (inner radius ``factor``) with Gaussian noise. X (2, m), Y (1, m)."""
    factor = check_number("factor", factor, "a number in (0, 1)", lambda v: 0 < v < 1, "in (0, 1)")
    noise = _scale("noise", noise)
    m, rng = _generator(m, seed)
    n_out = m // 2
    n_in = m - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    pts = np.r_[np.c_[np.cos(t_out), np.sin(t_out)], factor * np.c_[np.cos(t_in), np.sin(t_in)]]
    lab = np.r_[np.zeros(n_out), np.ones(n_in)]
    pts += rng.normal(scale=noise, size=pts.shape)
    order = rng.permutation(m)
    return _columns(pts[order], lab[order])


def noisy_moons(m: int = 200, *, noise: float = 0.2, seed: int = 0):
    """Two interleaving half circles with Gaussian noise. X (2, m), Y (1, m)."""
    noise = _scale("noise", noise)
    m, rng = _generator(m, seed)
    n_out = m // 2
    n_in = m - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    pts = np.r_[np.c_[np.cos(t_out), np.sin(t_out)], np.c_[1 - np.cos(t_in), 0.5 - np.sin(t_in)]]
    lab = np.r_[np.zeros(n_out), np.ones(n_in)]
    pts += rng.normal(scale=noise, size=pts.shape)
    order = rng.permutation(m)
    return _columns(pts[order], lab[order])


def blobs(m: int = 200, *, centers: int = 6, seed: int = 5):
    """Gaussian blobs around ``centers`` random centres, labels taken mod 2. X (2, m), Y (1, m)."""
    centers = check_positive("centers", centers, integer=True)
    if centers < 2:
        raise ValueError(f"centers must be an integer >= 2 (labels are the centre's number mod 2); got {centers}.")
    m, rng = _generator(m, seed)
    c = rng.uniform(-10, 10, size=(centers, 2))
    lab = np.arange(m) % centers
    pts = c[lab] + rng.normal(size=(m, 2))
    order = rng.permutation(m)
    return _columns(pts[order], lab[order] % 2)


def gaussian_quantiles(m: int = 200, *, cov: float = 0.5, seed: int = 0):
    """A 2-D Gaussian (covariance cov * I) split into 2 classes by radius quantile. X (2, m), Y (1, m)."""
    cov = _scale("cov", cov, positive=True)
    m, rng = _generator(m, seed)
    pts = rng.normal(scale=np.sqrt(cov), size=(m, 2))
    r2 = np.sum(pts**2, axis=1)
    lab = np.zeros(m)
    lab[np.argsort(r2)[m // 2:]] = 1
    return _columns(pts, lab)


def no_structure(m: int = 200, *, seed: int = 0):
    """Uniform points in the unit square with random labels: nothing to learn. X (2, m), Y (1, m)."""
    m, rng = _generator(m, seed)
    return _columns(rng.rand(m, 2), rng.randint(0, 2, size=m))


def spiral(m: int = 300, *, classes: int = 3, noise: float = 0.2, seed: int = 0):
    """K interleaved spiral arms in the plane, one class each: a multi-class planar set that no
    linear boundary separates. For arm k of N = m / K points: r = linspace(0, 1, N),
    t = linspace(4k, 4(k + 1), N) + randn(N) * noise, the point (r sin t, r cos t).

    Returns X (2, m) float64 and Y (1, m) int64 labels 0..K-1.
    """
    classes = check_positive("classes", classes, integer=True)
    if classes < 2:
        raise ValueError(f"spiral needs at least 2 classes; got {classes}.")
    noise = _scale("noise", noise)
    m, rng = _generator(m, seed, per=classes, why="m / classes points on each arm")
    N = m // classes
    pts, lab = [], []
    for k in range(classes):
        r = np.linspace(0.0, 1.0, N)
        t = np.linspace(4.0 * k, 4.0 * (k + 1), N) + rng.randn(N) * noise
        pts.append(np.c_[r * np.sin(t), r * np.cos(t)])
        lab.append(np.full(N, k))
    return np.ascontiguousarray(np.concatenate(pts).T), np.concatenate(lab).reshape(1, -1).astype(np.int64)


def digits():
    """scikit-learn's handwritten digits: 1797 images of 8x8 pixels, 10 classes.

    Returns X (64, 1797) float64 in [0, 1] (the pixels' 0..16 divided by 16) and Y (1, 1797)
    int64 labels 0..9. Needs scikit-learn (the data ship inside it; nothing is downloaded).
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError("the digits data set ships with scikit-learn: pip install scikit-learn") from None
    data = load_digits()
    return np.ascontiguousarray(data.data.T / 16.0), data.target.reshape(1, -1).astype(np.int64)


#: The course's data sets by name.
DATASETS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "flower": load_planar_dataset,
    "noisy_circles": noisy_circles,
    "noisy_moons": noisy_moons,
    "blobs": blobs,
    "gaussian_quantiles": gaussian_quantiles,
    "no_structure": no_structure,
    "spiral": spiral,
    "digits": digits,
}


def load_dataset(name: str, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    """A course data set by name, as (X, Y) in the course's layout: X (n_x, m), examples as columns.

    - "flower": the week-3 planar set, X (2, 400), Y (1, 400) of 0/1 (``load_planar_dataset``;
      options ``m``, ``seed``).
    - "noisy_circles", "noisy_moons", "blobs", "gaussian_quantiles", "no_structure": the week-3
      notebook's extra sets, X (2, 200), Y (1, 200) of 0/1 (options ``m``, ``seed`` and each one's
      own: ``noise``, ``factor``, ``centers``, ``cov``).
    - "spiral": a multi-class planar set, X (2, 300), Y (1, 300) of labels 0..2 (options ``m``,
      ``classes``, ``noise``, ``seed``).
    - "digits": scikit-learn's handwritten digits, X (64, 1797), Y (1, 1797) of labels 0..9 (needs
      scikit-learn; no download).

    ``kwargs`` are the set's options, e.g. ``load_dataset("spiral", classes=5)``; the same options give
    the same points. The names are the keys of :data:`DATASETS`.

    Examples
    --------
    >>> import numpy as np
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_dataset("spiral")
    >>> X.shape, Y.shape, np.unique(Y)
    ((2, 300), (1, 300), array([0, 1, 2]))
    >>> X, Y = bnn.load_dataset("noisy_moons", m=100)
    >>> X.shape, Y.shape
    ((2, 100), (1, 100))
    """
    if not is_one_of(name, DATASETS):
        raise ValueError(f"unknown data set {shown(name)}; expected one of {', '.join(map(repr, DATASETS))}"
                         f"{did_you_mean(name, DATASETS) or '.'}")
    make = DATASETS[name]
    takes = inspect.signature(make).parameters
    unknown = [k for k in kwargs if k not in takes]
    if unknown:
        options = ", ".join(f"{k}=" for k in takes) or "no options"
        raise TypeError(f"load_dataset({shown(name)}) takes {options}; got {', '.join(f'{k}=' for k in unknown)}"
                        f"{did_you_mean(unknown[0], list(takes)) or '.'}")
    return make(**kwargs)


def load_extra_datasets(m: int = 200) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The week-3 notebook's ``load_extra_datasets()``: noisy_circles, noisy_moons, blobs,
    gaussian_quantiles and no_structure, m points each, as it returns them: (X, Y) pairs in
    scikit-learn's layout, X (m, 2) rows as samples and Y (m,), which the notebook then transposes
    (``X, Y = X.T, Y.reshape(1, Y.shape[0])``; its ``Y % 2`` for blobs changes nothing here, where the
    labels are taken mod 2 already). The same points as :func:`load_dataset` gives each by name,
    seeded; the course's own draw from NumPy's global generator and differ run to run.

    Examples
    --------
    >>> import backend_nn as bnn
    >>> noisy_circles, noisy_moons, blobs, gaussian_quantiles, no_structure = bnn.load_extra_datasets()
    >>> X, Y = noisy_moons
    >>> X.shape, Y.shape
    ((200, 2), (200,))
    >>> X, Y = X.T, Y.reshape(1, Y.shape[0])           # as the notebook does
    >>> X.shape, Y.shape
    ((2, 200), (1, 200))
    """
    out = []
    for make in (noisy_circles, noisy_moons, blobs, gaussian_quantiles, no_structure):
        X, Y = make(m)
        out.append((np.ascontiguousarray(X.T), Y.reshape(-1).copy()))
    return tuple(out)


def _npz_numbers(f: Any, key: str, path: Any) -> np.ndarray:
    """Array ``key`` of an open .npz as float64, or an error that names the file and the array."""
    try:
        a = f[key]
    except ValueError:  # NumPy: "Object arrays cannot be loaded when allow_pickle=False"
        raise ValueError(f"{path}: {key} is an array of Python objects, which is not read (it would need "
                         "pickle); store numbers, e.g. np.savez(path, X=X.astype(float), Y=Y).") from None
    try:
        return np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        hint = (" Number the labels 0..K-1 first (np.unique(Y, return_inverse=True)[1])." if key == "Y" else "")
        raise ValueError(f"{path}: {key} must hold numbers; it holds dtype {a.dtype}.{hint}") from None


def _dataset_name_hint(path: Any) -> str:
    return (f" ({str(path)!r} is a course data set: load_dataset({str(path)!r}), or --dataset {path} on the "
            "command line)") if str(path) in DATASETS else ""


@overload
def load_data_file(path: str | os.PathLike, *, labels: Literal[True] = ...) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def load_data_file(path: str | os.PathLike, *, labels: Literal[False]) -> tuple[np.ndarray, None]: ...
@overload
def load_data_file(path: str | os.PathLike, *, labels: bool | None) -> tuple[np.ndarray, np.ndarray | None]: ...
def load_data_file(path: str | os.PathLike, *, labels: bool | None = True) -> tuple[np.ndarray, np.ndarray | None]:
    """A user's data file, as X (n_x, m) and Y (1, m) (Y None when absent).

    - CSV: one example per row, features in columns, the label (0/1) in the last
      column when ``labels`` is True; a first line whose every cell is a non-number is a header
      and skipped; an empty, non-numeric or non-finite (nan, inf) cell anywhere else is an error naming its line
      and column.
      ``labels=None`` means "all columns are features".
    - NPZ: arrays ``X`` (n_x, m) and, for training, ``Y`` (1, m), the course's layout (a one-hot
      (K, m), or m labels (m,), are taken too); a Y that does not label X's m examples is an error.

    Examples
    --------
    A CSV of three examples, a header, the label last:

    >>> import pathlib, shutil, tempfile
    >>> import backend_nn as bnn
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "data.csv").write_text("x1,x2,label\\n0.5,1.0,1\\n-0.2,0.3,0\\n1.5,-1.0,1\\n")
    >>> X, Y = bnn.load_data_file(folder / "data.csv")
    >>> X                                              # examples as columns
    array([[ 0.5, -0.2,  1.5],
           [ 1. ,  0.3, -1. ]])
    >>> Y
    array([[1., 0., 1.]])
    >>> shutil.rmtree(folder)
    """
    labels = check_flag("labels", labels, none=True)
    path = check_input_path(path, "data", example="data.csv", holds="CSV or .npz", hint=_dataset_name_hint)
    if path.suffix == ".npz":
        try:
            with np.load(path, allow_pickle=False) as f:
                if "X" not in f.files:
                    raise ValueError(f"{path} must hold an array 'X' (n_x, m); it holds {f.files}.")
                X = _npz_numbers(f, "X", path)
                Y = _npz_numbers(f, "Y", path) if "Y" in f.files else None
        except (OSError, EOFError) as exc:
            raise ValueError(f"{path} is not a readable .npz file: {exc}") from None
        if labels and Y is None:
            raise ValueError(f"{path} has no array 'Y' (1, m) of labels.")
        if X.ndim != 2:
            raise ValueError(f"{path}: X must be 2-D (n_x, m), examples as columns; it has shape {X.shape}.")
        if Y is not None and labels is not False:
            m = X.shape[1]
            if Y.ndim == 1 and Y.shape[0] == m:
                Y = Y.reshape(1, m)  # one label per example, unambiguous
            if Y.ndim != 2 or Y.shape[1] != m:
                as_rows = X.shape[0] in (Y.shape[-1], Y.size)  # X stored example by example
                raise ValueError(f"{path}: Y must label X's m = {m} examples, as (1, m) labels or a one-hot (K, m); "
                                 f"it has shape {Y.shape}" + (f": X {X.shape} looks stored with examples as rows; "
                                                              "save X.T, (n_x, m)." if as_rows else "."))
        return X, (Y if labels is not False else None)
    raw = path.read_bytes()
    if raw.startswith(b"\x93NUMPY"):  # one array, without its labels or its layout said
        raise ValueError(f"{path} is a NumPy .npy array; data files are CSV (one example per row) or .npz with X "
                         "(n_x, m) and Y (1, m): np.savez(path, X=X, Y=Y).")
    try:
        text = raw.decode("utf-8-sig")  # -sig: a byte-order mark (Excel's "CSV UTF-8") is not data
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not a UTF-8 text file (byte {exc.start}: {exc.reason}); data files are CSV "
                         "(UTF-8 text, one example per row) or .npz with X (n_x, m) and Y (1, m).") from None
    rows = _csv_rows(text, path)
    if rows and _is_header(rows[0][1]):
        rows = rows[1:]
    if not rows:
        raise ValueError(f"{path} holds no data rows.")
    width = len(rows[0][1])
    data = np.empty((len(rows), width))
    for i, (n, cells) in enumerate(rows):
        if len(cells) != width:
            raise ValueError(f"{path}, line {n}: expected {width} comma-separated values, found {len(cells)}.")
        for j, cell in enumerate(cells):
            try:
                data[i, j] = float(cell)
            except ValueError:
                what = "an empty cell" if not cell.strip() else f"not a number: {cell.strip()!r}"
                other = next((sep for sep in (";", "\t", "|") if sep in cell), None)
                if other is None and len(cell.split()) > 1:
                    other = " "
                if other is not None:  # a file separated by something else reads as one column
                    what += f" (the file is read as comma-separated; this line looks separated by {other!r})"
                elif labels and j == width - 1 and cell.strip():
                    what += " (the last column holds the labels, which are numbers: 0/1, or 0..K-1 for K classes)"
                raise ValueError(f"{path}, line {n}, column {j + 1}: {what}.") from None
    bad = np.argwhere(~np.isfinite(data))  # float() reads 'nan' and 'inf': a missing value, most often
    if bad.size:
        i, j = (int(k) for k in bad[0])
        raise ValueError(f"{path}, line {rows[i][0]}, column {j + 1}: {rows[i][1][j].strip()!r} is not "
                         "a finite number; fill missing values or drop their rows first.")
    if labels:
        if width < 2:
            raise ValueError(f"{path}: a training CSV needs feature columns and a last label column; "
                             f"found {width} column.")
        return np.ascontiguousarray(data[:, :-1].T), data[:, -1:].T.copy()
    return np.ascontiguousarray(data.T), None


def _csv_rows(text: str, path: Any) -> list[tuple[int, list[str]]]:
    """The non-blank rows of a comma-separated text, each with its line number, read by the standard
    library's ``csv`` module (so quoted cells, "1","2","0" as spreadsheets export them, are read too)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        # a blank line is no row; a line of separators (",,") is a row of empty cells, reported as such
        return [(reader.line_num, cells) for cells in reader if len(cells) > 1 or (cells and cells[0].strip())]
    except csv.Error as exc:
        raise ValueError(f"{path}, line {reader.line_num}: not readable as CSV: {exc}.") from None


def _is_header(cells: list[str]) -> bool:
    """A first line is a header only when every one of its cells is a non-empty non-number
    ("x1,x2,label"); a row with one bad or empty cell is data, and reported as such. A cell of
    numbers separated by something else ("1 2 0") is data in another layout, not a name."""
    cells = [c.strip() for c in cells]

    def is_number(c: str) -> bool:
        try:
            float(c)
        except ValueError:
            return False
        return True

    return all(c and not is_number(c) and not all(map(is_number, re.split(r"[\s;|]+", c))) for c in cells)
