"""Saved models: a portable NumPy ``.npz`` file, written atomically, read without pickle.

The file holds W1, b1, ..., WL, bL (as NumPy arrays, whatever backend trained
them) and their network: the layer sizes, every hidden layer's activation and
slope, the output layer; then the dtype, the library version and a format tag.
Loading refuses a file that is not such a model, is truncated, whose shapes do
not chain or do not match its layer sizes. Files of the first format (one hidden
activation, a sigmoid output) still load.
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
from .network import Network, Parameters, network_of
from .validation import check_parameters

__all__ = ["save_model", "load_model", "FORMAT"]

FORMAT = "backend_nn.model/2"
_FORMATS = ("backend_nn.model/1", FORMAT)
_META = {
    "backend_nn.model/1": {"format", "activation", "negative_slope", "layer_dims", "dtype", "backend_nn_version"},
    FORMAT: {"format", "activations", "negative_slopes", "output", "layer_dims", "dtype", "backend_nn_version"},
}


def save_model(path: str | os.PathLike, parameters: dict, *, activation: Any = None, output: Any = None,
               negative_slope: float = 0.01) -> Path:
    """Write ``parameters`` (from any backend) and their network to ``path`` (``.npz``), atomically.

    The network is the one the parameters carry (every model's result does); a plain dict
    needs ``activation=`` (and ``output=`` where it is not the default for its size). The
    file is written beside its destination and renamed over it, so an interrupted save
    never leaves a half-written file in its place.
    """
    check_parameters(parameters)
    net = network_of(parameters, activation, output, negative_slope=negative_slope)
    arrays = {k: to_numpy(v) for k, v in parameters.items()}
    dtypes = {str(a.dtype) for a in arrays.values()}
    if len(dtypes) != 1:
        raise TypeError(f"parameters must share one dtype; got {sorted(dtypes)}.")
    from . import __version__

    meta = {
        "format": np.array(FORMAT),
        "activations": np.array([a.name for a in net.hidden], dtype=str).reshape(-1),
        "negative_slopes": np.array([np.nan if a.negative_slope is None else a.negative_slope for a in net.hidden],
                                    dtype=np.float64).reshape(-1),
        "output": np.array(net.output.name),
        "layer_dims": np.array(net.layer_dims, dtype=np.int64),
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
    fmt = str(contents.get("format", ""))
    if fmt not in _FORMATS:
        raise ValueError(f"{path} is not a backend_nn model: its format tag is {contents.get('format')!r}, "
                         f"expected one of {list(_FORMATS)}.")
    meta_keys = _META[fmt]
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
    net = _network_from(contents, fmt, layer_dims, path)
    xp = get_namespace(backend)
    return Parameters({k: to_backend(v, xp, device=device) for k, v in arrays.items()}, network=net)


def _network_from(contents: dict, fmt: str, layer_dims: list[int], path: Path) -> Network:
    """The network the file describes; every name and slope is checked."""
    def activation(name: Any, slope: float):
        return get_activation(str(name), negative_slope=0.01 if np.isnan(slope) else float(slope))

    if fmt == "backend_nn.model/1":  # one hidden activation, a sigmoid output
        act = activation(contents["activation"], float(contents["negative_slope"]))
        hidden = tuple(act for _ in layer_dims[1:-1])
        output = "sigmoid"
    else:
        names, slopes = contents["activations"].reshape(-1), contents["negative_slopes"].reshape(-1)
        if len(names) != len(layer_dims) - 2 or len(slopes) != len(names):
            raise ValueError(f"{path}: the file names {len(names)} hidden activation(s) for "
                             f"{len(layer_dims) - 2} hidden layer(s) (layer sizes {layer_dims}).")
        hidden = tuple(activation(n, float(s)) for n, s in zip(names, slopes, strict=True))
        output = str(contents["output"])
    try:
        return Network.build(layer_dims, list(hidden), output)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
