"""Saved models: a portable NumPy ``.npz`` file, written atomically, read without pickle.

The file holds W1, b1, ..., WL, bL (as NumPy arrays, whatever backend trained
them) and what is needed to use them: the hidden activation and its slope, the
layer sizes, the dtype, the library version and a format tag. Loading refuses
a file that is not such a model, is truncated, or whose shapes do not chain.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .activations import get_activation
from .backend import get_namespace, to_backend, to_numpy
from .parameters import Parameters
from .validation import check_parameters

__all__ = ["save_model", "load_model", "FORMAT"]

FORMAT = "backend_nn.model/1"


def save_model(path: str | os.PathLike, parameters: dict, *, activation: Any = None, negative_slope: float = 0.01) -> Path:
    """Write ``parameters`` (from any backend) to ``path`` (``.npz``), atomically.

    The activation defaults to the one the parameters remember (``nn_model``'s
    result does). The file is written beside its destination and renamed over
    it, so an interrupted save never leaves a half-written file in its place.
    """
    layer_dims = check_parameters(parameters)
    act = activation if activation is not None else getattr(parameters, "activation", None)
    act = get_activation(act if act is not None else "tanh", negative_slope=negative_slope)
    arrays = {k: to_numpy(v) for k, v in parameters.items()}
    dtypes = {str(a.dtype) for a in arrays.values()}
    if len(dtypes) != 1:
        raise TypeError(f"parameters must share one dtype; got {sorted(dtypes)}.")
    from . import __version__

    meta = {
        "format": np.array(FORMAT),
        "activation": np.array(act.name),
        "negative_slope": np.array(act.negative_slope if act.negative_slope is not None else np.nan),
        "layer_dims": np.array(layer_dims, dtype=np.int64),
        "dtype": np.array(dtypes.pop()),
        "backend_nn_version": np.array(__version__),
    }
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays, **meta)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_model(path: str | os.PathLike, *, backend: Any = "numpy", device: Any = None) -> Parameters:
    """Read a model saved by :func:`save_model` onto ``backend`` (NumPy by default).

    Returns :class:`Parameters` that remember their activation, so
    ``predict(load_model(path), X)`` works as it did before saving.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such model file: {path}")
    try:
        with np.load(path, allow_pickle=False) as f:
            contents = {k: f[k] for k in f.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        raise ValueError(f"{path} is not a readable backend_nn model (.npz): {exc}") from None
    if str(contents.get("format", "")) != FORMAT:
        raise ValueError(f"{path} is not a backend_nn model: its format tag is {contents.get('format')!r}, expected {FORMAT!r}.")
    meta_keys = {"format", "activation", "negative_slope", "layer_dims", "dtype", "backend_nn_version"}
    missing = sorted(meta_keys - set(contents))
    if missing:
        raise ValueError(f"{path} is missing model fields {missing}.")
    arrays = {k: v for k, v in contents.items() if k not in meta_keys}
    layer_dims = check_parameters(arrays)
    if layer_dims != [int(n) for n in contents["layer_dims"]]:
        raise ValueError(f"{path}: the arrays give layer sizes {layer_dims} but the file says {contents['layer_dims'].tolist()}.")
    dtype = str(contents["dtype"])
    if any(str(a.dtype) != dtype or a.dtype.kind != "f" for a in arrays.values()):
        raise ValueError(f"{path}: parameters must all be {dtype} floats; got {sorted({str(a.dtype) for a in arrays.values()})}.")
    slope = float(contents["negative_slope"])
    act = get_activation(str(contents["activation"]), negative_slope=0.01 if np.isnan(slope) else slope)
    xp = get_namespace(backend)
    return Parameters({k: to_backend(v, xp, device=device) for k, v in arrays.items()}, activation=act)
