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
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .activations import HIDDEN_ACTIVATIONS, get_activation, is_named
from .backend import check_float64, get_namespace, to_backend, to_numpy
from .network import Network, Parameters, ParametersLike, network_of, parameters_of
from .optimizers import OPTIMIZERS, update_count
from .validation import (byte_size, check_flag, check_input_path, check_output_path, check_parameters, check_path_type,
                         shown)

__all__ = ["save_model", "load_model", "FORMAT"]

FORMAT = "backend_nn.model/2"
_FORMATS = ("backend_nn.model/1", FORMAT)
_META = {
    "backend_nn.model/1": {"format", "activation", "negative_slope", "layer_dims", "dtype", "backend_nn_version"},
    FORMAT: {"format", "activations", "negative_slopes", "output", "layer_dims", "dtype", "backend_nn_version"},
}


def save_model(path: str | os.PathLike, parameters: ParametersLike, *, activation: Any = None, output: Any = None,
               negative_slope: float = 0.01, with_training_state: bool = False) -> Path:
    """Write ``parameters`` (from any backend) and their network to ``path`` (``.npz``), atomically.

    The network is the one the parameters carry (every model's result does); a plain dict
    needs ``activation=`` (and ``output=`` where it is not the default for its size). The
    file is written beside its destination and renamed over it, so an interrupted save
    never leaves a half-written file in its place.

    ``with_training_state=True`` also writes the optimizer's state and the epochs done
    (``parameters.training_state``, from :func:`backend_nn.model` and the mini-batch front doors),
    so that ``model(..., parameters=load_model(path))`` resumes where the run stopped.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> parameters, costs = bnn.nn_model(X, Y, 4, num_iterations=1000)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> path = bnn.save_model(folder / "flower.npz", parameters)
    >>> loaded = bnn.load_model(path)
    >>> loaded
    Parameters({W1: (4, 2), b1: (4, 1), W2: (1, 4), b2: (1, 1)}, network=[2, 4, 1], hidden tanh, output sigmoid)
    >>> bool((bnn.predict(loaded, X) == bnn.predict(parameters, X)).all())
    True
    >>> shutil.rmtree(folder)
    """
    parameters = parameters_of(parameters)
    if isinstance(parameters, (str, os.PathLike)) and isinstance(parameters_of(path), dict):
        raise TypeError(f"save_model takes (path, parameters); got ({type(path).__name__}, "
                        f"{type(parameters).__name__}): did you swap them?")
    check_parameters(parameters)
    net = network_of(parameters, activation, output, negative_slope=negative_slope)
    arrays = {k: to_numpy(v) for k, v in parameters.items()}
    arrays = {k: a.astype(a.dtype.newbyteorder("="), copy=False) for k, a in arrays.items()}  # files in one byte order
    dtypes = {str(a.dtype) for a in arrays.values()}
    if len(dtypes) != 1:
        raise TypeError(f"parameters must share one dtype; got {sorted(dtypes)}.")
    for a in net.hidden:  # stored by name: a name that loads as something else would change the model
        if not is_named(a):
            what = "a custom activation that shares a library name" if a.name in HIDDEN_ACTIVATIONS else \
                "a custom activation"
            raise ValueError(f"save_model stores hidden activations by name, and this network's {a.name!r} is {what}: "
                             "the file would load as another network, or not at all. Save the arrays with "
                             "np.savez(path, **{k: to_numpy(v) for k, v in parameters.items()}) and rebuild "
                             "Parameters(arrays, network=parameters.network) in your own code.")
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
    for k, a in arrays.items():
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{k} holds {int(np.sum(~np.isfinite(a)))} NaN or inf value(s): a model that cannot "
                             "predict is not saved.")
    if check_flag("with_training_state", with_training_state):
        meta.update(_training_members(parameters))
    target = _model_path(path)
    _write_atomically(target, lambda f: np.savez(f, **arrays, **meta))  # type: ignore[arg-type]  # names, not savez's flags
    return Path(path) if Path(path).suffix.lower() == ".npz" else target


#: The mark in the name of a save's temporary file, beside its destination:
#: ``.{name}.{pid}.backend_nn-partial``. A leftover of a save that was killed is recognisable,
#: and removed by a later save to the same place once its writer process is gone.
PARTIAL = "backend_nn-partial"


def _model_path(path: Any) -> Path:
    """Where a save to ``path`` writes: ``.npz`` added unless the name ends in it (any case); a
    symbolic link is followed to its target, as ``cp`` and NumPy's own save do."""
    check_path_type(path)  # before its name is put in a message
    check_output_path(path, f"cannot save to {os.fspath(path) or repr('')}", example="model.npz")
    path = Path(path)
    if path.suffix.lower() != ".npz":
        path = path.with_name(path.name + ".npz")
    if path.is_symlink():
        path = path.resolve()
    check_output_path(path, f"cannot save to {path}", example="model.npz")
    return path


def check_writable(path: Any) -> Path:
    """The path a save would write, checked now (folder exists and is writable): for callers that
    must know before a long run (the command line checks every output before it trains)."""
    return _model_path(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_partials(target: Path) -> None:
    """Leftovers of killed saves to ``target``: removed where their writer process is gone (a live
    writer's file is never touched)."""
    prefix = f".{target.name}."
    for leftover in target.parent.glob(f"{glob_escape(prefix)}*.{PARTIAL}"):
        pid_text = leftover.name[len(prefix):-len(PARTIAL) - 1]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _alive(int(pid_text)):
            leftover.unlink(missing_ok=True)


def glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _write_atomically(target: Path, write) -> None:
    """Write through a temporary file beside ``target``, then rename it over ``target``: the
    previous file survives any interruption. The new file gets the mode a plain ``open`` would
    give it (the umask's), or the existing file's mode where it replaces one."""
    _remove_stale_partials(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{PARTIAL}")
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as e:  # said about the file asked for, not the temporary one beside it
        tmp.unlink(missing_ok=True)
        raise type(e)(e.errno, f"cannot write {target}: {e.strerror}") from e
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _unsaved_hint(path: Path) -> str:
    saved = path.with_name(path.name + ".npz")
    return f" (save_model adds .npz to a name without it: did you mean {saved}?)" if saved.exists() else ""


def load_model(path: str | os.PathLike, *, backend: Any = "numpy", device: Any = None) -> Parameters:
    """Read a model saved by :func:`save_model` onto ``backend`` (NumPy by default).

    Returns :class:`Parameters` that remember their activation, so
    ``predict(load_model(path), X)`` works as it did before saving.

    Examples
    --------
    See :func:`save_model`; moved to another backend as it is read:

    >>> import pathlib, shutil, tempfile
    >>> import backend_nn as bnn
    >>> X, Y = bnn.load_planar_dataset()
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> path = bnn.save_model(folder / "flower.npz", bnn.nn_model(X, Y, 4, num_iterations=1000))
    >>> parameters = bnn.load_model(path, backend="array_api_strict")
    >>> print(parameters.network)
    [2, 4, 1], hidden tanh, output sigmoid
    >>> type(parameters["W1"]).__module__.split(".")[0]
    'array_api_strict'
    >>> shutil.rmtree(folder)
    """
    path = check_input_path(path, "model", example="model.npz", holds=".npz, as save_model writes",
                            hint=_unsaved_hint)
    contents = _read_members(path)
    try:  # every reason names the file, and a field that cannot be read says which
        training_state = _training_from(contents)
        fmt = str(contents.get("format", ""))
        if fmt not in _FORMATS:
            if contents and all(re.fullmatch(r"[Wb][1-9][0-9]*", k) for k in contents):  # np.savez(path, **params)
                raise ValueError(
                    f"{path} is not a backend_nn model: it holds arrays {list(contents)} without the description "
                    "save_model writes beside them (np.savez writes such files). Read them with "
                    f"dict(np.load({str(path)!r})), then give their activation: save_model(path, parameters, "
                    "activation=...) writes a model, and predict(parameters, X, activation=...) predicts.")
            raise ValueError(f"{path} is not a backend_nn model: its format tag is {shown(contents.get('format'))}, "
                             f"expected one of {list(_FORMATS)}.")
        meta_keys = _META[fmt]
        missing = sorted(meta_keys - set(contents))
        if missing:
            raise ValueError(f"{path} is missing model fields {missing}.")
        arrays = {k: v for k, v in contents.items() if k not in meta_keys}
        net = _checked_network(arrays, contents, fmt)
        _check_moments(training_state, str(contents["dtype"]))
    except (TypeError, ValueError) as exc:
        text = str(exc)
        raise type(exc)(text if text.startswith(str(path)) else f"{path}: {text}") from None
    xp = get_namespace(backend)
    if str(contents["dtype"]) == "float64":  # every array's dtype, as _checked_network found
        try:
            check_float64(xp)  # a float64 model is not quietly loaded as float32
        except TypeError:
            raise TypeError(f"{path} holds a float64 model, and JAX's 64-bit mode is off: JAX would hold it as "
                            "float32. Turn the mode on before any JAX array is made (jax.config.update("
                            "'jax_enable_x64', True), or the environment variable JAX_ENABLE_X64=1), or load it on "
                            "another backend.") from None
    return to_backend(Parameters(arrays, network=net, training_state=training_state), xp, device=device)


def _checked_network(arrays: dict, contents: dict, fmt: str) -> Network:
    """The network a file's fields describe, once its arrays are checked against them."""
    layer_dims = check_parameters(arrays)
    try:
        said = [int(n) for n in np.reshape(contents["layer_dims"], -1)]
    except (TypeError, ValueError):
        raise ValueError(
            f"its field 'layer_dims' must hold the layer sizes; it holds {shown(contents['layer_dims'])}.") from None
    if layer_dims != said:
        raise ValueError(f"the arrays give layer sizes {layer_dims} but the file says {said}.")
    dtype = str(contents["dtype"])
    if dtype not in ("float64", "float32"):
        raise ValueError(f"its field 'dtype' must be 'float64' or 'float32'; it holds {shown(contents['dtype'])}.")
    if any(str(a.dtype) != dtype for a in arrays.values()):
        raise ValueError(f"parameters must all be {dtype} floats, as its field 'dtype' says; got "
                         f"{sorted({str(a.dtype) for a in arrays.values()})}.")
    for k, a in arrays.items():
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{k} holds NaN or inf values; a model that cannot predict is refused.")
    return _network_from(contents, fmt, layer_dims)


def _training_members(parameters: Any) -> dict:
    """train_optimizer, train_epochs, train_t and train_v_dW1, train_s_dW1, ...: the training state."""
    ts = getattr(parameters, "training_state", None)
    if ts is None:
        raise ValueError("with_training_state=True, but these parameters carry no training state: it comes with "
                         "the Parameters of a mini-batch / optimizer run (model(), or optimizer= / batch_size=).")
    out = {"train_optimizer": np.array(str(ts["optimizer"])), "train_epochs": np.array(int(ts["epochs"]))}
    if "t" in ts:
        out["train_t"] = np.array(update_count(ts["t"]))
    for part in ("v", "s"):
        for d, a in ts.get(part, {}).items():
            out[f"train_{part}_{d}"] = to_numpy(a)
    return out


def _training_from(contents: dict) -> dict | None:
    """The training state a file holds, or None."""
    if "train_optimizer" not in contents:
        return None
    def count(key: str) -> int:
        value = contents.pop(key, 0)
        if np.ndim(value) == 0 and np.asarray(value).dtype.kind in "iu" and int(value) >= 0:
            return int(value)
        raise ValueError(f"its field {shown(key)} must hold a count (an integer >= 0); it holds {shown(value)}.")

    name = str(contents.pop("train_optimizer"))
    if name not in OPTIMIZERS:
        raise ValueError(f"its field 'train_optimizer' must name one of {list(OPTIMIZERS)}; it holds {shown(name)}.")
    ts: dict = {"optimizer": name, "epochs": count("train_epochs")}
    for key in [k for k in contents if k.startswith(("train_v_", "train_s_"))]:
        _, part, d = key.split("_", 2)
        ts.setdefault(part, {})[d] = contents.pop(key)
    if "train_t" in contents:  # after v and s: the order a run's own state has (v, s, t)
        ts["t"] = count("train_t")
    return ts


def _check_moments(ts: dict | None, dtype: str) -> None:
    """The optimizer's moments in the file: the parameters' dtype, finite, and s (Adam's mean of squared
    gradients) >= 0; a run resumed from others would train on NaN or stall without a word. Their keys and
    shapes are checked against the parameters when a run resumes (optimizers.check_state)."""
    if not ts:
        return
    for part in ("v", "s"):
        for d, a in ts.get(part, {}).items():
            where = f"its training state's {part}[{d!r}] (train_{part}_{d})"
            if str(a.dtype) != dtype:
                raise ValueError(f"{where} must be {dtype}, as the parameters are; it is {a.dtype}.")
            if not np.all(np.isfinite(a)):
                raise ValueError(f"{where} holds NaN or inf values; resuming from it would train on them.")
            if part == "s" and np.any(a < 0):
                raise ValueError(f"{where} holds negative values; Adam's s is a mean of squared gradients, >= 0.")


#: What a load may allocate: 2 GiB of parameters (a model far larger than the course's).
MAX_LOAD_BYTES = 2 * 2**30
_NAMES = re.compile(r"^([Wb][1-9]\d{0,3}|train_(optimizer|epochs|t|[vs]_d[Wb][1-9]\d{0,3}))$")


def _read_members(path: Path) -> dict:
    """The archive's arrays, read only after its names, sizes and .npy headers are checked,
    so that a hostile file can neither run code nor make the load allocate without bound."""
    try:
        with open(path, "rb") as f:
            head = f.read(6)
    except OSError as exc:
        raise ValueError(f"{path} cannot be read: {exc}") from None
    if head == b"\x93NUMPY":
        raise ValueError(f"{path} is a single .npy array, not a backend_nn model (.npz written by save_model).")
    if not zipfile.is_zipfile(path):
        if head.startswith(b"PK\x03\x04"):  # a zip's first member, without the directory at its end
            raise ValueError(f"{path} is a damaged .npz (zip) archive: it starts as one, but its end (the zip's "
                             "directory) is missing, as in a file cut short by an interrupted copy or download. "
                             "Copy or save it again.")
        raise ValueError(f"{path} is not a backend_nn model: not an .npz (zip) archive.")
    every_meta = set().union(*_META.values())
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = [i.filename for i in infos]
            bad = [n for n in names
                   if not n.endswith(".npy") or (n[:-4] not in every_meta and not _NAMES.match(n[:-4]))]
            if bad:
                raise ValueError(f"{path} is not a backend_nn model: unexpected members {bad[:5]}.")
            total = 0
            contents = {}
            for info in infos:
                with archive.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    if version not in ((1, 0), (2, 0)):
                        raise ValueError(f"{path}: member {info.filename} has .npy format {version}, which "
                                         "save_model never writes.")
                    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                        np.lib.format.read_array_header_2_0
                    shape, _, dtype = read_header(member)
                    if dtype.hasobject:
                        raise ValueError(f"{path}: member {info.filename} holds Python objects; "
                                         "models hold numbers only.")
                    total += int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
                    if total > MAX_LOAD_BYTES:
                        raise ValueError(f"{path}: its arrays claim more than {byte_size(MAX_LOAD_BYTES)} "
                                         f"({info.filename} has shape {shape}); not a model this loader reads.")
            for info in infos:
                with archive.open(info) as member:
                    contents[info.filename[:-4]] = np.lib.format.read_array(member, allow_pickle=False)
    except ValueError:
        raise
    except Exception as exc:  # BadZipFile, EOFError, NotImplementedError (compression), RuntimeError (encrypted), ...
        raise ValueError(f"{path} is not a readable backend_nn model (.npz): {type(exc).__name__}: {exc}") from None
    return contents


def _named_activation(name: Any, slope: float) -> Any:
    """The activation a file's name and slope (NaN: none) stand for; save_model refuses any other.
    The slope is NaN exactly where the activation has none, as save_model writes it."""
    act = get_activation(str(name), negative_slope=0.01 if np.isnan(slope) else float(slope))
    if (act.negative_slope is None) != bool(np.isnan(slope)):
        has = "has no negative slope" if act.negative_slope is None else "needs its negative slope"
        raise ValueError(f"activation {act.name!r} {has}, and the file gives {float(slope)} for it: it was not "
                         "written by save_model, or was changed since.")
    return act


def _network_from(contents: dict, fmt: str, layer_dims: list[int]) -> Network:
    """The network the file describes; every name and slope is checked (load_model puts the file's
    name before each reason)."""
    if fmt == "backend_nn.model/1":  # one hidden activation, a sigmoid output
        act = _named_activation(contents["activation"], float(contents["negative_slope"]))
        hidden = tuple(act for _ in layer_dims[1:-1])
        output = "sigmoid"
    else:
        names, slopes = contents["activations"].reshape(-1), contents["negative_slopes"].reshape(-1)
        if slopes.dtype.kind not in "fiu":
            raise ValueError(
                f"its field 'negative_slopes' must hold numbers; it holds {shown(contents['negative_slopes'])}.")
        if len(names) != len(layer_dims) - 2:
            raise ValueError(f"the file names {len(names)} hidden activation(s) for "
                             f"{len(layer_dims) - 2} hidden layer(s) (layer sizes {layer_dims}).")
        if len(slopes) != len(names):  # one slope per activation, NaN where it takes none
            raise ValueError(f"the file gives {len(slopes)} negative slope(s) for its {len(names)} hidden "
                             f"activation(s) {[str(n) for n in names]}: it was not written by save_model, or was "
                             "changed since.")
        hidden = tuple(_named_activation(n, float(s)) for n, s in zip(names, slopes, strict=True))
        output = str(contents["output"])
    return Network.build(layer_dims, list(hidden), output)
