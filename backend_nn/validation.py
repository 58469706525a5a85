"""Checks of user input. Each error says what was expected and what arrived.

Shape and dtype checks read metadata only (no device sync); the value checks
(:func:`check_data_values`) read the data and are run once per call of the
entry points that take user data (``nn_model``, ``predict``), never per step.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import reprlib
from types import FrameType
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "OutOfRangeError",
    "at_default",
    "byte_size",
    "check_X",
    "check_X_Y",
    "check_X_Y_shapes",
    "check_X_shape",
    "check_X_kind",
    "not_2d",
    "holds",
    "found",
    "check_in_range",
    "not_finite",
    "check_labels_shape",
    "check_labels_dtype",
    "host_labels",
    "check_finite",
    "check_number",
    "check_output_path",
    "dtype_name",
    "check_parameters",
    "model_pair_hint",
    "check_positive",
    "layer_dims_of",
    "shown",
]

#: The limits of :func:`shown`: wide enough that a name, a number, a deep network's layer sizes or a small
#: array show whole; a list of thousands of entries or a long string does not fill the screen.
_SHOWN = reprlib.Repr()
_SHOWN.maxlevel, _SHOWN.maxdict, _SHOWN.maxlist, _SHOWN.maxtuple, _SHOWN.maxset = 3, 6, 20, 20, 20
_SHOWN.maxstring, _SHOWN.maxother, _SHOWN.maxlong = 100, 120, 60


def shown(value: Any) -> str:
    """repr(value) for an error's "got ...", within reprlib's limits above: a value given where a number
    or a name belongs is named, not printed whole (a 2,000-entry list was 11,000 characters of error)."""
    return _SHOWN.repr(value)


def byte_size(n: float) -> str:
    """A number of bytes as a message shows it: "9,030.1 GiB", "31.3 KiB", "400 bytes" (GiB at most, as
    memory is told; a unit per 1024 below it, so that a few kilobytes do not read "0.0 GiB")."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n:,.0f} bytes"


def shape_of(a: Any, name: str | None = None) -> tuple[int, ...]:
    """The shape of an array of any library, or of host data (a list of lists) as NumPy reads it."""
    shape = getattr(a, "shape", None)
    shape = np.shape(a) if shape is None else shape  # np.shape: a list of lists
    if any(s is None or s != s for s in shape):  # a dask array after a boolean mask: NaN (or None) sizes
        raise ValueError(f"{name + ' is ' if name else ''}an array of unknown size, shape {tuple(shape)}: a dask "
                         "array whose chunk sizes are unknown (after a boolean mask, for instance); call "
                         f"{name or 'x'}.compute_chunk_sizes() first.")
    return tuple(int(s) for s in shape)


#: What other libraries (scikit-learn's MLPClassifier, Keras, PyTorch) or the usual import aliases call the
#: names of this one's, for :func:`did_you_mean` (each hinted only where its name here is among those asked for).
OTHER_NAMES = {"logistic": "sigmoid", "identity": "linear", "lrelu": "leaky_relu", "sgd": "gd",
               "kaiming": "he", "kaiming_normal": "he", "he_normal": "he", "lecun": "xavier", "lecun_normal": "xavier",
               "np": "numpy", "cp": "cupy", "jnp": "jax", "pytorch": "torch"}


def is_one_of(value: object, names) -> bool:
    """Whether ``value`` is one of the string ``names`` (a table's keys): a list or an array is not, and is
    refused as unknown by the caller, never as Python's "unhashable type" from the lookup."""
    return isinstance(value, str) and value in names


def did_you_mean(value: object, names) -> str:
    """" — did you mean 'relu'?" where ``value`` names one of ``names`` up to case, spaces and hyphens
    ("ReLU", "Leaky-ReLU", "Adam", "NumPy"), is another library's name for one (:data:`OTHER_NAMES`:
    "logistic", "identity", "kaiming", "np"), is a part of just one of them ("moons", "leaky"), or is
    spelled close to one (difflib's ratio of 0.75 or more: "adma", "numpi", "rlu", "flowr"); "" otherwise.
    A hint: the name is still refused."""
    if not isinstance(value, str):
        return ""
    names = [n for n in names if isinstance(n, str)]
    spelled = value.strip().lower().replace("-", "_").replace(" ", "_")
    if spelled in names:
        return f" — did you mean {spelled!r}?" if spelled != value else ""
    if OTHER_NAMES.get(spelled) in names:
        return f" — did you mean {OTHER_NAMES[spelled]!r}?"
    holding = [n for n in names if len(spelled) >= 3 and spelled in n]
    close = holding if len(holding) == 1 else difflib.get_close_matches(spelled, names, n=1, cutoff=0.75)
    return f" — did you mean {close[0]!r}?" if close else ""


def is_real_number(v: Any) -> bool:
    """A Python or NumPy real number (not a bool, not an array): the gradient-checking assignment's
    one-dimensional x and theta, which its forward_propagation(x, theta) takes."""
    return not isinstance(v, (bool, np.bool_)) and isinstance(v, (int, float, np.integer, np.floating))


def is_bool_like(v: Any) -> bool:
    """True, np.True_, a 0-d bool array or tensor: a flag, never taken as the number 1 or 0."""
    return isinstance(v, (bool, np.bool_)) or str(getattr(v, "dtype", "")).removeprefix("torch.") == "bool"


def at_default(value: Any, default: Any) -> bool:
    """Whether an option holds its default (the object, a string equal to a string default, or a real number
    equal to it, a 0-d array of one included, as the checks of numbers take it). An option that differs from it
    where the run would not use it is refused, not dropped in silence. Never ``==`` on anything else: an array
    would answer elementwise."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value[()]
    if isinstance(default, str):
        return isinstance(value, str) and value == default
    return value is default or (is_real_number(value) and value == default)


def user_stacklevel() -> int:
    """The ``stacklevel`` at which ``warnings.warn`` names the first frame outside backend_nn: the
    user's own call (as pandas' find_stack_level does), however deep in the library the warning is."""
    import os
    import sys

    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def tilde_hint(path: Any) -> str:
    """What to say where a path that starts with "~" was not found: Python's files, as NumPy's, take "~" as
    a folder of that name; only a shell expands it."""
    from pathlib import Path

    parts = Path(path).parts
    return (" (~ is taken literally here: spell the home folder out, or use os.path.expanduser(path))"
            if parts and parts[0].startswith("~") else "")


def check_path_type(path: Any) -> None:
    """A file path is a str or an os.PathLike: bytes and the rest are refused here, before pathlib's or
    NumPy's own messages ("argument should be a str object or an os.PathLike object returning str")."""
    import os

    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path (str or os.PathLike); got {type(path).__name__}.")


def check_input_path(path: Any, kind: str, *, example: str, holds: str, hint: Any = None) -> Path:
    """A file a loader will read, as a Path: not empty (``Path("")`` is the current folder), not a folder,
    and there. ``kind`` names the file ("model", "data"), ``example`` a name to suggest, ``holds`` what a
    file of its kind is; ``hint(path)``, where given, adds to the "no such file" message."""
    import os
    from pathlib import Path

    check_path_type(path)
    if os.fspath(path) == "":
        raise FileNotFoundError(f"no such {kind} file: the path is empty; give the file's name, e.g. {example}.")
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; give a {kind} file in it ({holds}).")
    if not path.exists():
        raise FileNotFoundError(f"no such {kind} file: {path}{hint(path) if hint else ''}{tilde_hint(path)}")
    return path


def check_output_path(path: Any, what: str, *, example: str) -> None:
    """A file a run will write: not a directory, in a folder that exists and is writable. ``what``
    starts each message ("cannot save to m.npz", "--plot-cost"); ``example`` is a file name to suggest."""
    import os
    from pathlib import Path

    check_path_type(path)
    if os.fspath(path) == "":
        raise FileNotFoundError(f"{what}: the path is empty; give a file name, e.g. {example}.")
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{what}: {path} is a directory; give a file name, e.g. {path / example}.")
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"{what}: the folder {folder} does not exist{tilde_hint(path)}.")
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"{what}: the folder {folder} is not writable.")


def is_value_not_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is an array or a scalar (it has a shape) given where a dtype belongs: not a NumPy dtype (which
    has a shape too), not a type (np.float32). Such a value answers == elementwise, so it is named before any
    comparison."""
    return hasattr(dtype, "shape") and not isinstance(dtype, (np.dtype, type))


def dtype_name(dtype: Any) -> str:
    """"float64" for numpy.float64, torch.float64, array_api_strict.float64, dtype('float64'), ...;
    a NumPy dtype by its name whatever its byte order (">f8", big-endian, is "float64" too), and so are
    NumPy's other names of a dtype ("f8", "double", Python's float; "i8", "single")."""
    if isinstance(dtype, np.dtype):
        return _numpy_name(dtype)
    if isinstance(dtype, str) or any(dtype is kind for kind in (bool, int, float, complex)):
        try:
            return np.dtype(dtype).name
        except TypeError:  # no NumPy name ("bfloat16", "torch.float32"): as it is written, below
            pass
    if is_value_not_dtype(dtype):  # shown as it is
        return shown(dtype)
    return str(getattr(dtype, "__name__", dtype)).rsplit(".", 1)[-1].strip("'>")


@functools.lru_cache(maxsize=64)
def _numpy_name(dtype: np.dtype) -> str:
    """A NumPy dtype's name, kept: ``dtype.name`` is a Python property that builds the string at each read (1.9 us
    on a 2-core CPU; a checked ``train_step`` of the flower read it 9 times, of its 140 us)."""
    return dtype.name


def as_index(value: Any) -> int | None:
    """value as an int where it is one (an int, np.int64, a 0-d integer array); None for anything else,
    bools (np.True_, a bool tensor) and whole floats (2.0) included."""
    if is_bool_like(value):
        return None
    try:
        return int(value.__index__())
    except (AttributeError, TypeError):
        return None


def check_positive(name: str, value: Any, *, integer: bool) -> Any:
    """A positive int (n_h, num_iterations) or a positive finite float (learning_rate)."""
    if integer:
        index = as_index(value)
        if index is None:
            raise TypeError(f"{name} must be a positive integer; got {type(value).__name__} {shown(value)}.")
        value = index
        if value <= 0:
            raise ValueError(f"{name} must be a positive integer; got {value}.")
        return value
    return check_number(name, value, "a positive number", lambda v: v > 0 and math.isfinite(v),
                        "a positive, finite number")


@overload
def check_flag(name: str, value: Any, *, none: Literal[False] = ...) -> bool: ...
@overload
def check_flag(name: str, value: Any, *, none: bool) -> bool | None: ...
def check_flag(name: str, value: Any, *, none: bool = False) -> bool | None:
    """True or False (a bool, NumPy's bool, or the ints 0 and 1); None too where ``none`` (progress's "decide
    for me")."""
    if value is None and none:
        return None
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, (int, np.integer)) and value in (0, 1)):
        return bool(value)
    either = "True, False or None" if none else "True or False"
    raise TypeError(f"{name} must be {either}; got {type(value).__name__} {shown(value)}.")


def ordered_list(sizes: Any, name: str, expected: str) -> list:
    """The entries of a per-layer sequence (sizes, activations) in the caller's order: a list, tuple, range or
    1-D array. A set or a dict has no order of the caller's (a set {32, 16} iterates as 16, 32; a set of names
    in an order that changes with each process's hash seed), text and bytes are characters (b"\\x03" iterates
    as 3), a 2-D array is rows, a model's (parameters, costs) is not sizes: each a TypeError that says
    ``expected``."""
    if model_pair_hint(sizes):  # its entries would be named one by one: "layer_dims[0] must be ...; got Parameters"
        raise TypeError(f"{name} must be {expected}; got {type(sizes).__name__}{model_pair_hint(sizes)}.")
    if (isinstance(sizes, (str, bytes, set, frozenset, dict)) or not hasattr(sizes, "__iter__")
            or getattr(sizes, "ndim", 1) != 1):
        raise TypeError(f"{name} must be {expected}; got {type(sizes).__name__} {shown(sizes)}.")
    return list(sizes)


def check_layer_dims(layer_dims: Any, name: str = "layer_dims") -> list[int]:
    """[n_x, n_1, ..., n_L] as a list of positive ints: a list, tuple or 1-D integer array of at least two sizes."""
    values = ordered_list(layer_dims, name, "a list of layer sizes [n_x, n_1, ..., n_L], in order")
    dims = [check_positive(f"{name}[{i}]", n, integer=True) for i, n in enumerate(values)]
    if len(dims) < 2:
        raise ValueError(f"{name} needs at least [n_x, n_L], the input size and the output size; got {dims}.")
    return dims


def check_seed(seed: Any) -> int:
    """A seed numpy.random.RandomState takes: an integer in [0, 2**32 - 1] (not a bool)."""
    value = as_index(seed)
    if value is None or not 0 <= value < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2**32 - 1] (numpy.random.RandomState's); got {shown(seed)}.")
    return value


def check_shuffle_seed(shuffle_seed: Any, first_epoch: int, num_epochs: int) -> int:
    """``model``'s shuffle_seed: epoch e shuffles with RandomState(shuffle_seed + 1 + e), the course's reseeding,
    for e from ``first_epoch`` (a resumed run's count) through ``first_epoch + num_epochs - 1``: every one of those
    seeds must be one RandomState takes, which is checked here, before the first epoch, not at the failing one."""
    value = as_index(shuffle_seed)
    lo, hi = -1 - first_epoch, 2**32 - 1 - first_epoch - num_epochs
    if lo > hi:  # no shuffle_seed serves: the epochs alone run past RandomState's seeds
        raise ValueError(f"num_epochs={num_epochs}{f' from epoch {first_epoch}' if first_epoch else ''} is more "
                         "epochs than the course's reseeding can number: epoch e shuffles with "
                         "RandomState(shuffle_seed + 1 + e), and RandomState takes seeds in [0, 2**32 - 1]; "
                         "train fewer epochs.")
    if value is None or not lo <= value <= hi:
        resumed = f" from epoch {first_epoch}" if first_epoch else ""
        raise ValueError(f"shuffle_seed must be an integer in [{lo}, {hi}]: epoch e shuffles with "
                         f"RandomState(shuffle_seed + 1 + e), for the {num_epochs} epoch(s){resumed} asked for, and "
                         f"RandomState takes seeds in [0, 2**32 - 1]; got {shown(shuffle_seed)}.")
    return value


def check_number(name: str, value: Any, kind: str, ok: Any, range_text: str) -> float:
    """A real number (not a string or a bool) for which ``ok(value)`` holds, as a float.

    ``kind`` names what was expected in the TypeError ("a number in [0, 1)"); ``range_text`` in
    the ValueError ("in [0, 1)")."""
    if isinstance(value, (str, bytes)) or is_bool_like(value):  # np.True_ too: float() takes it as 1.0
        raise TypeError(f"{name} must be {kind}; got {type(value).__name__} {shown(value)}.")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be {kind}; got {type(value).__name__} {shown(value)}.") from None
    if not ok(value):
        raise ValueError(f"{name} must be {range_text}; got {value}.")
    return value


def not_2d(shape: tuple, n_x: int | None = None) -> ValueError:
    """The error for an X that is not 2-D; a 1-D one is told the ways it could be meant: the one that fits
    where the network's ``n_x`` is known (predicting), both where it is not (training)."""
    hint = ""
    if len(shape) == 1:
        hint = " — did you mean X.reshape(1, -1) (one feature) or X.reshape(-1, 1) (one example)?"
        if n_x == 1:
            hint = " — did you mean X.reshape(1, -1) (m examples of the network's one feature)?"
        elif n_x is not None and shape[0] == n_x:
            hint = f" — did you mean X.reshape(-1, 1) (one example of the network's n_x = {n_x} features)?"
        elif n_x is not None:
            hint = f"; the network takes n_x = {n_x} features per example, one per row."
    return ValueError(f"X must be 2-D with shape (n_x, m), examples as columns; got shape {shape}{hint or '.'}")


def check_X(X: Any, *, xp: Any, n_x: int | None = None) -> None:
    """X must be a 2-D real floating array of shape (n_x, m), examples as columns."""
    shape = shape_of(X)
    if len(shape) != 2:
        raise not_2d(shape, n_x)
    if not xp.isdtype(X.dtype, "real floating"):
        raise TypeError(
            f"X must have a real floating dtype (float64 or float32); got {X.dtype}. "
            "Cast it first, e.g. xp.astype(X, xp.float64); nn_model and predict cast for you."
        )
    if n_x is not None and shape[0] != n_x:
        hint = " — did you mean X.T? (examples go in columns)" if shape[1] == n_x else ""
        raise ValueError(f"X must have shape (n_x, m) = ({n_x}, m) to match W1; got {shape}{hint}.")


def check_labels_shape(Y: Any, expected: tuple[int, ...], *, name_out: str) -> None:
    """Y must have the shape of the output (n_y, m)."""
    shape, expected = shape_of(Y), tuple(int(s) for s in expected)
    if shape != expected:
        hint = ""
        if len(shape) == 1 and shape[0] == expected[-1]:
            hint = " — did you mean Y.reshape(1, -1)?"
        elif shape[::-1] == expected:
            hint = " — did you mean Y.T?"
        raise ValueError(f"Y must have the shape of {name_out}, (n_y, m) = {expected}; got {shape}{hint or '.'}")


def _labels_dtype_error(dtype: Any, name: str) -> TypeError:
    return TypeError(
        f"{name} must hold numeric labels (0/1, or class labels 0..K-1) or bools; got dtype {dtype}. Encode other "
        f"labels first (np.unique({name}, return_inverse=True)[1] numbers them 0..K-1), or use NNClassifier, "
        "which takes any labels."
    )


def check_labels_dtype(Y: Any, *, xp: Any, name: str = "Y") -> None:
    """Labels are bools or real numbers: strings, objects, complex numbers or dates are refused."""
    if not xp.isdtype(Y.dtype, ("bool", "integral", "real floating")):
        raise _labels_dtype_error(Y.dtype, name)


def check_not_dict(x: Any, name: str) -> None:
    """A TypeError for a dict, or a model's (parameters, costs), where data (X, Y, AL, ...) belong: parameters
    or gradients given in the wrong place would otherwise fail deep inside, on a missing ``.dtype`` (a model's
    result, read as a ragged nested list, on NumPy's "inhomogeneous shape")."""
    if model_pair_hint(x):
        raise TypeError(f"{name} must be an array; got {type(x).__name__}{model_pair_hint(x)}. Check the order of "
                        "the arguments.")
    if isinstance(x, dict):
        keys = ", ".join(repr(k) for k in list(x)[:4]) + (", ..." if len(x) > 4 else "")
        what = f"a dict (keys {{{keys}}}): parameters, gradients or a cache where data belong?" if x else \
            "an empty dict."
        raise TypeError(f"{name} must be an array; got {what} Check the order of the arguments.")


def host_labels(Y: Any, name: str = "Y") -> Any:
    """Host labels as the data doors take them: a NumPy array of object dtype (or a list) holding
    numbers becomes a float64 array; strings there are refused before any conversion, with what to
    do. Arrays of other libraries, and numeric NumPy arrays, are returned as they are."""
    check_not_dict(Y, name)
    if isinstance(Y, (list, tuple)) or (isinstance(Y, np.ndarray) and Y.dtype.kind in "OUS"):
        try:
            A = np.asarray(Y)
        except ValueError:  # ragged nested lists
            return Y
        if A.dtype.kind in "US" or (A.dtype.kind == "O" and not all(
                isinstance(v, (bool, int, float, np.bool_, np.number)) for v in A.flat)):
            raise _labels_dtype_error(A.dtype, name)
        return A.astype(np.float64) if A.dtype.kind == "O" else Y
    return Y


def check_X_Y(X: Any, Y: Any, *, xp: Any) -> None:
    """X (n_x, m) and Y (n_y, m): 2-D each, examples as columns, the same m."""
    xs, ys = shape_of(X), shape_of(Y)
    if len(xs) != 2:  # X first, as the models check it: the first argument's error comes first
        raise not_2d(xs)
    if len(ys) == 1 and ys[0] in xs:
        raise ValueError(f"Y must be 2-D with shape (1, m); got {ys} — did you mean Y.reshape(1, -1)?")
    if len(ys) != 2:
        raise ValueError(f"Y must be 2-D with shape (n_y, m); got shape {ys}.")
    if xs[1] != ys[1]:
        if ys[0] == xs[1]:  # Y laid out with examples as rows
            raise ValueError(f"Y must be (n_y, m) with examples as columns, like X {xs}; got {ys} — did you mean Y.T?")
        if xs[0] == ys[1]:
            raise ValueError(
                f"X has shape {xs} and Y has shape {ys}: X looks like examples as rows; "
                f"the course lays out X as (n_x, m) with examples as columns — did you mean X.T?"
            )
        if xs[0] == ys[0] > max(xs[1], ys[1]):  # both laid out with examples as rows (m above n_x and n_y)
            raise ValueError(f"X {xs} and Y {ys} share their number of rows, not of columns: examples look laid out "
                             "as rows; the course lays them out as columns, X (n_x, m) and Y (n_y, m) — did you mean "
                             "X.T and Y.T?")
        raise ValueError(f"X and Y must have the same number of examples m (columns); got X {xs} and Y {ys}.")
    if xs[1] == ys[1] == 1 and xs[0] == ys[0] > 1:
        # one column each and as many rows: m examples of one feature laid out as rows, or one example whose
        # one-hot Y has as many classes as X has features. Not guessed: the first read as the second would
        # train on one example in silence. (A Y (K, 1) beside an X (n_x, 1) of another n_x is one example.)
        raise ValueError(f"X {xs} and Y {ys} each have one column and {ys[0]} rows: examples look laid out as "
                         "rows; the course lays them out as columns — did you mean X.T and Y.T? (For one example "
                         "with a one-hot Y, give its class label instead, Y = [[k]], with the number of classes "
                         "in layers_dims.)")
    check_X(X, xp=xp)


class _Shape:
    """An array's shape, and a dtype that passes, for the checks that read only the shape."""

    def __init__(self, a: Any) -> None:
        self.shape, self.dtype = shape_of(a), "float64"


class _AnyDtype:
    @staticmethod
    def isdtype(dtype: Any, kind: Any) -> bool:
        return True


def check_X_shape(X: Any, *, n_x: int | None = None) -> None:
    """:func:`check_X`'s shape checks and messages alone, reading no data and no dtype."""
    check_X(_Shape(X), xp=_AnyDtype, n_x=n_x)


def check_X_Y_shapes(X: Any, Y: Any) -> None:
    """:func:`check_X_Y`'s shape checks and messages alone, reading no data and no dtype (a dask array,
    host data to be cast window by window)."""
    for name, a in (("X", X), ("Y", Y)):  # None, a number or a string: named as it came, not as "shape ()"
        if getattr(a, "shape", None) is None and not isinstance(a, (list, tuple)):
            raise TypeError(f"{name} must be an array or host data (NumPy array, list); got {type(a).__name__} "
                            f"{shown(a)}.")
    check_X_Y(_Shape(X), _Shape(Y), xp=_AnyDtype)


def check_X_kind(X: Any, *, xp: Any, n_x: int | None = None) -> None:
    """Training data X: real numbers (floating, integer or boolean: the last two are cast), 2-D (n_x, m),
    at least one example and one feature. Reads the shape and dtype only; ``n_x``, the network's where it
    is known, makes the hint for a 1-D X precise."""
    if not xp.isdtype(X.dtype, ("real floating", "integral", "bool")):
        raise TypeError(f"X must hold real numbers; got dtype {X.dtype}.")
    if len(X.shape) != 2:
        raise not_2d(shape_of(X), n_x)
    rows, m = shape_of(X)
    if m == 0 or rows == 0:
        raise ValueError(f"X has shape {(rows, m)}: it needs at least one example (m, its columns) and one feature "
                         "(n_x, its rows).")


def _concrete(condition: Any, unknown: bool) -> bool:
    """bool() of a 0-d boolean array; ``unknown`` where its value is not there yet: an array that
    jax.jit or jax.grad is tracing holds no values, so a check on values runs where they are (a call
    outside the trace); its shapes are checked either way."""
    try:
        return bool(condition)
    except TypeError:  # JAX's TracerBoolConversionError (a ConcretizationTypeError)
        if type(condition).__module__.split(".")[0] == "jax":
            return unknown
        raise


def holds(condition: Any) -> bool:
    """A check that all is well (``xp.all(ok)``) passes: bool(condition), or True while traced."""
    return _concrete(condition, True)


def found(condition: Any) -> bool:
    """A check for something wrong (``xp.any(bad)``) finds it: bool(condition), or False while traced."""
    return _concrete(condition, False)


def not_finite(name: str = "X", n_bad: int | None = None) -> ValueError:
    """The error for data holding NaN or inf (``n_bad`` of them, where counted)."""
    count = "" if n_bad is None else f"{n_bad} "
    return ValueError(f"{name} must be finite; it holds {count}NaN or inf value(s).")


class OutOfRangeError(ValueError):
    """Data beyond the range of the float dtype they are cast to (:func:`check_in_range`), with the advice of
    the caller that chose the dtype: ``wider`` where float64 would hold them (``fits_float64``), ``what`` after
    the dtype's name (", the parameters' dtype")."""

    def __init__(self, *, name: str, dtype: str, largest: str, fits_float64: bool,
                 wider: str = "choose dtype='float64'", what: str = "") -> None:
        advice = f"{wider} or " if fits_float64 else ""
        super().__init__(f"{name} holds values beyond the range of {dtype}{what} (largest |x| = {largest}): "
                         f"{advice}rescale {name}.")
        self.name, self.dtype, self.largest, self.fits_float64 = name, dtype, largest, fits_float64
        self.wider, self.what = wider, what

    def advising(self, wider: str, what: str) -> "OutOfRangeError":
        """The same error in another caller's terms (predict's: the parameters hold the dtype)."""
        return OutOfRangeError(name=self.name, dtype=self.dtype, largest=self.largest,
                               fits_float64=self.fits_float64, wider=wider, what=what)

    def __reduce__(self) -> tuple:  # pickled whole (from a dask worker, say): its fields are keyword-only
        return _out_of_range, (self.name, self.dtype, self.largest, self.fits_float64, self.wider, self.what)


def _out_of_range(name: str, dtype: str, largest: str, fits_float64: bool, wider: str, what: str) -> OutOfRangeError:
    return OutOfRangeError(name=name, dtype=dtype, largest=largest, fits_float64=fits_float64, wider=wider, what=what)


def check_in_range(largest: Any, dtype: Any, name: str = "X") -> None:
    """The largest finite |x| of ``name`` (a float, or a NumPy long double) must survive the cast to
    ``dtype`` (a narrowing cast must not overflow to inf): an :class:`OutOfRangeError` otherwise."""
    if isinstance(largest, np.floating) and largest.dtype.itemsize <= 8:
        largest = float(largest)  # a float32 compared with float64's max would be cast to float32: inf, a warning
    if largest > float(np.finfo(dtype_name(dtype)).max):
        shown = f"{largest:.3g}" if math.isfinite(largest) else np.format_float_scientific(largest, 2, trim="-")
        fits = dtype_name(dtype) != "float64" and largest <= float(np.finfo(np.float64).max)
        raise OutOfRangeError(name=name, dtype=dtype_name(dtype), largest=shown, fits_float64=fits)


def check_finite(X: Any, *, xp: Any, name: str = "X") -> None:
    """X holds no NaN or inf. Reads the data (one device sync); run once per call, not per step."""
    if not holds(xp.all(xp.isfinite(X))):
        from .backend import count_true  # backend imports this module

        raise not_finite(name, int(count_true(~xp.isfinite(X), xp)))


_KEY = re.compile(r"^([Wb])(\d+)$")


def layer_dims_of(parameters: dict) -> list[int]:
    """layer_dims [n_x, n_h, ..., n_y] read from W1..WL; see :func:`check_parameters`."""
    L = len(parameters) // 2
    return [int(parameters["W1"].shape[1])] + [int(parameters[f"W{l}"].shape[0]) for l in range(1, L + 1)]


def model_pair_hint(value: Any) -> str:
    """What to do where a model's (parameters, costs) was handed on whole (the course's models return
    the parameters alone, so a notebook's ``parameters = nn_model(...)`` holds the pair)."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], dict):
        return ("; this is a (parameters, costs) pair: backend_nn's models return both (the course's return the "
                "parameters alone), so unpack them: parameters, costs = nn_model(...) (or L_layer_model, model, ...)")
    return ""


def parameter_keys(L: int, prefix: str = "") -> list[str]:
    """W1, b1, ..., WL, bL, the course's order (``prefix="d"``: the gradients' dW1, db1, ..., dWL, dbL)."""
    return [f"{prefix}{p}{l}" for l in range(1, L + 1) for p in "Wb"]


def in_course_order(entries: dict, prefix: str = "") -> dict:
    """``entries`` reordered as :func:`parameter_keys` lists them where its keys are exactly those (jax.jit
    returns a dict's entries sorted by key: W1, W2, ..., b1, b2); otherwise ``entries`` itself."""
    keys = parameter_keys(len(entries) // 2, prefix)
    return {k: entries[k] for k in keys} if list(entries) != keys and set(entries) == set(keys) else entries


def gradients_hint(parameters: dict) -> str:
    """The end of the error for a dict of gradients (dW1, db1, dA0, ...) where parameters belong."""
    if parameters and all(isinstance(k, str) and k.startswith("d") for k in parameters):
        return (": these are gradients' keys. Did you pass the gradients where the parameters belong? The functions "
                "take the parameters first (update_parameters(parameters, grads, ...)).")
    if parameters and all(isinstance(k, str) and k[:1] in ("Z", "A") and k[1:].isdigit() for k in parameters):
        return (": these are a forward pass's cache keys (Z1, A1, ...). Did you pass the cache where the parameters "
                "belong? backward_propagation takes (parameters, cache, X, Y).")
    return "."


def check_parameter_entries(parameters: Any) -> None:
    """A non-empty dict whose keys are all W1, b1, ... names (they need not make a whole network: the course's
    updates take any such dict)."""
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict with keys W1, b1, W2, b2, ...; got {type(parameters).__name__}"
                        f"{model_pair_hint(parameters)}.")
    if not parameters:
        raise ValueError("parameters must hold W1, b1, ..., WL, bL for L >= 1 layers; got an empty dict.")
    bad = [k for k in parameters if not (isinstance(k, str) and _KEY.match(k))]
    if bad:
        raise ValueError(f"parameters may hold only W1, b1, ..., WL, bL; got unexpected keys {bad}"
                         f"{gradients_hint(parameters)}")


def check_parameter_keys(parameters: Any) -> int:
    """A dict with exactly the keys W1, b1, ..., WL, bL (L >= 1); returns L. Shapes are not looked at."""
    check_parameter_entries(parameters)
    L = len(parameters) // 2
    if L == 0 or set(parameters) != set(parameter_keys(L)):
        raise ValueError(
            f"parameters must hold W1, b1, ..., WL, bL for L >= 1 layers; got keys {sorted(parameters)}."
        )
    return L


def check_parameters(parameters: Any) -> list[int]:
    """Parameters W1, b1, ..., WL, bL whose shapes chain; returns layer_dims.

    W_l : (n_l, n_{l-1}), b_l : (n_l, 1).
    """
    L = check_parameter_keys(parameters)
    for l in range(1, L + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        for key, P in ((f"W{l}", W), (f"b{l}", b)):
            if not hasattr(P, "shape") or not hasattr(P, "dtype"):
                raise TypeError(f"{key} must be an array; got {type(P).__name__}.")
            if dtype_name(P.dtype) not in ("float64", "float32"):
                raise TypeError(f"{key} must have a real floating dtype (float64 or float32); got {P.dtype}.")
        if len(W.shape) != 2:
            raise ValueError(f"W{l} must be 2-D (n_{l}, n_{l - 1}); got shape {shape_of(W)}.")
        if l > 1 and W.shape[1] != parameters[f"W{l - 1}"].shape[0]:  # before b_l: a transposed W_l is named
            prev = parameters[f"W{l - 1}"]
            raise ValueError(
                f"parameter shapes do not chain: W{l} has shape {shape_of(W)}, so it expects "
                f"{W.shape[1]} input{'' if W.shape[1] == 1 else 's'}, but W{l - 1} {shape_of(prev)} gives "
                f"{prev.shape[0]} unit{'' if prev.shape[0] == 1 else 's'}."
            )
        if shape_of(b) != (W.shape[0], 1):
            raise ValueError(f"b{l} must have shape (n_{l}, 1) = ({W.shape[0]}, 1) to match W{l} {shape_of(W)}; "
                             f"got {shape_of(b)}.")
    return layer_dims_of(parameters)
