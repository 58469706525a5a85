"""Optional fast paths beside the generic eager runner, and the one place where one is chosen.

Every fast path is a *runner* (:mod:`backend_nn.step`) built from the same equations: it
hands the pure :func:`~backend_nn.step.train_step` to a backend's compiler, or runs it with
:class:`~backend_nn.propagation.Lines` of its own that evaluate the hidden layers' lines
another way. The parity tests compare each with the generic step.

:data:`FAST_PATHS` declares, for each, what it supports (depth, hidden activations,
outputs, dtypes, sizes) and whether it is taken by default; :func:`choose_runner` walks the
paths of the array's library in order and takes the first that supports the network and
builds, else the eager runner, and says which ran and why the others were passed over
(:class:`Choice`). ``compile`` (:data:`COMPILE_MODES`) is "auto" in every front door: the
paths taken by default (all but torch.compile, whose compile time is more than it saves on a
short run), a failed build passed over with one :class:`FastPathWarning`; True: every path,
a failed build raised; False: eager.

- ``jax_loop``: ``jax.jit`` of the whole chunk of iterations between host syncs; and of the computations at a
  run's edges (:func:`kept_program`: prediction's forward pass, a run's first and last costs, its end's check)
  and of the public ``train_step``.
- ``torch_compile``: ``torch.compile`` of the step, each with a Dynamo cache of its own
  (``compile_own``), so models compiled one after another in a process never run eager.
- ``torch_lines``: the backward line into a relu or leaky-relu hidden layer as ATen's one-pass
  backward operation (the generic line's values), in the eager step and epochs.
- ``torch_adam``: the course's Adam as PyTorch's fused kernel in the eager epochs (round-off apart).
- ``cupy_fused`` (+ ``shallow_step.cu``): the small binary shallow network's whole chunk
  of steps in one CUDA kernel: the one place the equations are written a second time,
  in CUDA, and tested against the generic ones.
- ``cupy_graph``: the step captured into a CUDA graph and replayed, cuBLAS called directly
  inside the capture, the hidden lines as CuPy kernels.
- ``cupy_lines`` (+ ``hidden_lines.cu``): the hidden lines as one CUDA kernel each; used by
  the graph, and eagerly where no graph can be captured.
- ``numpy_tiles``: the hidden lines evaluated tile by tile, in cache.
- ``numpy_replay``: the generic step recorded once as the NumPy calls it makes (NumPy's
  ``__array_ufunc__`` / ``__array_function__``), replayed on buffers it owns; full batch and
  mini-batch epochs, where a step is overhead-bound.
- ``replay`` (+ ``cupy_graph.graph_epochs``): mini-batch epochs on static buffers, the step of
  each batch width recorded once as a CUDA graph and replayed per batch.
- ``cupy_stream``: streamed host windows (:mod:`backend_nn.streaming`) copied in through pinned
  buffers on a stream of their own, beside the generic transfer (:func:`choose_transfer`).

Adding a fast path: a module with a builder ``(parameters, X, Y, *, net, learning_rate,
xp, mean_in_dZ) -> Runner`` (raising :class:`Declined` with the reason where it cannot serve),
and one :class:`FastPath` row here. ``mean_in_dZ`` (course 2's init_utils and opt_utils: the 1/m
taken in dZ_L, :func:`~backend_nn.propagation.backward_pass`) goes on to the generic step, or to
the Lines' ``inv_m``: it moves only round-off, which a path with an order of sums of its own
(the fused kernel) cannot follow, so that one declines it.
"""

from __future__ import annotations

import contextlib
import warnings
from functools import partial
from dataclasses import dataclass, field
from importlib import import_module
from types import SimpleNamespace
from typing import Any, Callable

import array_api_compat
import numpy as np

from ..network import Network
from ..validation import dtype_name, shown, user_stacklevel
from ..step import Runner, eager_runner

__all__ = ["FastPath", "Support", "Choice", "Declined", "FastPathWarning", "FAST_PATHS", "COMPILE_MODES",
           "check_compile", "choose_runner", "choose_epochs", "choose_transfer", "kept_program", "moves_its_arguments",
           "compiled_runner"]


class Declined(Exception):
    """A fast path cannot serve this network here; the message says why."""


class FastPathWarning(UserWarning):
    """A fast path failed where it should have served (not a :class:`Declined`): the run goes on
    without it, on the next path or the eager step."""


class NamespaceOverlay:
    """``xp`` with a few functions of a fast path's own, defined by a subclass (a matmul cuBLAS can
    capture, a maximum torch.compile can trace); every other name is ``xp``'s. The equations take it
    as their namespace and are unchanged."""

    def __init__(self, xp: Any) -> None:
        self._xp = xp

    def __getattr__(self, name: str) -> Any:
        return getattr(self._xp, name)


#: The values of ``compile``: "auto" (the default: each library's fast path where it is known to
#: win, see :data:`FAST_PATHS`), True (every fast path that supports the network), False (eager).
COMPILE_MODES = ("auto", True, False)


def check_compile(compile: Any) -> str | bool:
    """``compile`` as one of :data:`COMPILE_MODES` (numpy booleans too), or a ValueError."""
    if isinstance(compile, str) and compile == "auto":
        return "auto"
    if isinstance(compile, bool) or type(compile).__name__ in ("bool", "bool_"):  # numpy's: np.bool / np.bool_
        return bool(compile)
    raise ValueError(f"compile must be 'auto' (the default: the fast path where it is known to win), True (every "
                     f"fast path that supports the network) or False (the eager step); got {shown(compile)}.")


@dataclass(frozen=True)
class Support:
    """What a fast path takes. None: anything. ``size(net, m, dtype)`` returns a reason or None."""

    depth: tuple[int, int | None] = (1, None)  # L, the layers with parameters: min, max
    hidden: frozenset[str] | None = None  # hidden activations
    outputs: frozenset[str] = frozenset({"sigmoid", "softmax"})
    dtypes: frozenset[str] = frozenset({"float32", "float64"})
    size: Callable[[Network, int, str], str | None] | None = field(default=None, compare=False)

    def reason_against(self, net: Network, m: int, dtype: str | None) -> str | None:
        """Why this path cannot serve ``net`` at m columns of ``dtype`` (None: not known yet, as where
        the epochs are chosen before their data), or None."""
        lo, hi = self.depth
        if net.L < lo or (hi is not None and net.L > hi):
            return f"takes {lo}..{hi or 'any'} layers; this network has {net.L}"
        if self.hidden is not None and any(a.name not in self.hidden for a in net.hidden):
            return f"takes hidden activations {sorted(self.hidden)}"
        if net.output.name not in self.outputs:
            return f"takes outputs {sorted(self.outputs)}, not {net.output.name}"
        if dtype is not None and dtype not in self.dtypes:
            return f"takes {sorted(self.dtypes)}, not {dtype}"
        return self.size(net, m, dtype) if self.size is not None and dtype is not None else None


@dataclass(frozen=True)
class FastPath:
    """One fast path: its name, the array library it serves, its builder ("module:function" in this
    package, imported only when tried), what it supports, and whether ``compile="auto"`` (the
    default) takes it; where not, ``not_by_default`` says why (``compile=True`` still does)."""

    name: str
    library: str  # "jax", "torch", "numpy", "cupy"
    builder: str
    support: Support = Support()
    not_by_default: str | None = None

    def build(self, parameters: dict, X: Any, Y: Any, *, net: Network, learning_rate: float, xp: Any,
              mean_in_dZ: bool = False) -> Runner:
        module, function = self.builder.split(":")
        build = getattr(import_module(f"{__name__}.{module}"), function)
        return build(parameters, X, Y, net=net, learning_rate=learning_rate, xp=xp, mean_in_dZ=mean_in_dZ)


def _fused_size(net: Network, m: int, dtype: str) -> str | None:
    from .cupy_fused import MAX_ACCUMULATORS, MAX_M

    n_x, n_h, n_y = net.layer_dims
    if n_y != 1:
        return "takes one output unit"
    if n_h * n_x + 2 * n_h + 2 > MAX_ACCUMULATORS:
        return f"n_h * n_x + 2 n_h + 2 = {n_h * n_x + 2 * n_h + 2} accumulators > {MAX_ACCUMULATORS}"
    if m > MAX_M[dtype]:
        return f"m = {m} > {MAX_M[dtype]} ({dtype}): one thread block is slower than the graph there"
    return None


def _tiles_size(net: Network, m: int, dtype: str) -> str | None:
    from .numpy_tiles import MIN_ELEMENTS

    largest = max(net.layer_dims[1:-1], default=0) * m
    return None if largest >= MIN_ELEMENTS else f"n_l * m = {largest} < {MIN_ELEMENTS}: the generic lines are as fast"


def _replay_size(net: Network, m: int, dtype: str) -> str | None:
    from .numpy_replay import MAX_ELEMENTS

    largest = max(net.layer_dims[1:]) * m
    if largest >= MAX_ELEMENTS:
        return f"n_l * m = {largest} >= {MAX_ELEMENTS}: a recording's buffers cost more than they save"
    return None


_CUDA_ACTS = frozenset({"tanh", "sigmoid", "relu", "leaky_relu", "linear"})
#: The hidden activations whose backward line ATen does in one pass with the generic line's values (torch_lines).
ATEN_LINE_ACTS = frozenset({"relu", "leaky_relu"})

#: The fast paths, in order of preference within each library.
FAST_PATHS: tuple[FastPath, ...] = (
    FastPath("jax.jit", "jax", "jax_loop:jax_runner"),
    FastPath("torch.compile", "torch", "torch_compile:torch_runner",
             not_by_default="compiling takes seconds to minutes, more than it saves on a short run (compile=True "
                            "takes it)"),
    FastPath("torch lines", "torch", "torch_lines:lines_runner", Support(depth=(2, None), hidden=ATEN_LINE_ACTS)),
    FastPath("numpy tiles", "numpy", "numpy_tiles:tiled_runner", Support(depth=(2, None), size=_tiles_size)),
    FastPath("numpy replay", "numpy", "numpy_replay:replay_runner", Support(size=_replay_size)),
    FastPath("cupy fused kernel", "cupy", "cupy_fused:fused_runner",
             Support(depth=(2, 2), hidden=_CUDA_ACTS, outputs=frozenset({"sigmoid"}), size=_fused_size)),
    FastPath("cuda graph", "cupy", "cupy_graph:graph_runner"),
    FastPath("cupy lines", "cupy", "cupy_lines:lines_runner", Support(depth=(2, None))),
)


def fast_path(name: str) -> FastPath:
    """The row of :data:`FAST_PATHS` named ``name``."""
    return next(p for p in FAST_PATHS if p.name == name)


def _library(xp: Any) -> str | None:
    for name, test in (("jax", array_api_compat.is_jax_namespace), ("torch", array_api_compat.is_torch_namespace),
                       ("numpy", array_api_compat.is_numpy_namespace), ("cupy", array_api_compat.is_cupy_namespace)):
        if test(xp):
            return name
    return None


@dataclass
class Choice:
    """Which runner a training run takes, and why the fast paths before it were passed over."""

    path: str
    passed_over: list[tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        why = "; ".join(f"{name}: {reason}" for name, reason in self.passed_over)
        return self.path + (f" ({why})" if why else "")


def _failed(name: str, exc: Exception, compile: bool | str) -> str:
    """A fast path that failed to build: raised under compile=True (with a note of what the other modes do),
    else one FastPathWarning; returns the reason the path was passed over. A FloatingPointError is raised as it
    is, in every mode: it comes of the caller asking to raise (``jax.debug_nans``), and the eager step meets it too
    (it was a FastPathWarning, "failed to build", and then the same error). NumPy's do not come here: the build's
    are held quiet (:func:`_rehearsal`), and the run's steps meet them."""
    if isinstance(exc, FloatingPointError):
        raise exc
    if compile is True:
        if hasattr(exc, "add_note"):  # Python >= 3.11
            exc.add_note(f"backend_nn: raised while building the fast path {name!r} (compile=True); compile='auto' "
                         "trains without it after a FastPathWarning, compile=False skips the fast paths.")
        raise exc
    what = f"{type(exc).__name__}: {exc}"
    warnings.warn(f"backend_nn: the fast path {name!r} failed to build ({what}); training without it. "
                  "compile=False skips the fast paths.", FastPathWarning, stacklevel=user_stacklevel())
    return f"failed: {what.splitlines()[0]}"


@contextlib.contextmanager
def _rehearsal():
    """Around a fast path's build, which runs the step on the run's own parameters and data (recording it, tracing
    it, checking it against the generic step): NumPy's floating-point errors held quiet. They are the rehearsal's;
    the run's own steps meet them again, inside the Recorder, which reports them once at the user's line (or raises
    them, under the user's np.seterr(all="raise")). Before, Adam with lambd=1e300 printed a raw "overflow
    encountered in square" from inside the library four times before the run's own report."""
    with np.errstate(all="ignore"):
        yield


def choose_runner(parameters: dict, X: Any, Y: Any, *, net: Network, learning_rate: float, xp: Any,
                  compile: bool | str = False, prefer: str | None = None,
                  mean_in_dZ: bool = False) -> tuple[Runner, Choice]:
    """The runner for this network and backend: with ``compile``, the first fast path of the
    array's library that supports it and builds; else (or when none does) the eager runner.
    ``compile="auto"`` tries only the paths taken by default (:attr:`FastPath.not_by_default`),
    and a path that fails to build with anything but :class:`Declined` is passed over with one
    :class:`FastPathWarning`; with ``compile=True`` that failure is raised.

    ``prefer`` names one fast path (tests, benchmarks): only that one is tried. ``mean_in_dZ``: the
    step's (:func:`~backend_nn.step.gradients`), for every runner.
    """
    if array_api_compat.is_dask_array(X):  # the data in chunks: each step a task graph over them
        from ..chunked import dask_runner

        return dask_runner(parameters, X, Y, net=net, learning_rate=learning_rate, xp=xp,
                           mean_in_dZ=mean_in_dZ), Choice("dask chunks")
    choice = Choice("eager")
    if compile:
        library = _library(xp)
        m, dtype = int(X.shape[1]), dtype_name(X.dtype)
        candidates = [p for p in FAST_PATHS if p.library == library and (prefer is None or p.name == prefer)]
        if prefer is not None and not candidates:
            raise ValueError(f"no fast path {shown(prefer)} for {library}; known: {[p.name for p in FAST_PATHS]}.")
        for path in candidates:
            reason = path.not_by_default if compile == "auto" else None
            reason = reason or path.support.reason_against(net, m, dtype)
            if reason is None:
                try:
                    with _rehearsal():
                        runner = path.build(parameters, X, Y, net=net, learning_rate=learning_rate, xp=xp,
                                            mean_in_dZ=mean_in_dZ)
                except Declined as exc:
                    reason = str(exc)
                except Exception as exc:
                    reason = _failed(path.name, exc, compile)
                else:
                    note = getattr(runner, "note", None)  # how it runs, where that is not its best way
                    choice.path = path.name if note is None else f"{path.name}, {note}"
                    return runner, choice
            choice.passed_over.append((path.name, reason))
        if library is None:
            choice.passed_over.append(("fast paths", "none for this array library"))
    return eager_runner(parameters, X, Y, net=net, learning_rate=learning_rate, xp=xp, mean_in_dZ=mean_in_dZ), choice


def _windowed(inner_compile: bool | str, *, net: Network, optimizer: Any, xp: Any, lambd: float,
              dropouts: dict | None, parameters: dict | None, state: dict | None,
              mean_in_dZ: bool) -> tuple[Callable[[list], Any], list]:
    """``inner(window's batch slices)``: the array library's epoch for one window of data that arrive
    window by window (dask, streamed host data), and the list of the Choices it made. The epoch is traced
    or recorded with the run's parameters and state and the window's shapes (no data: a window is
    fetched later), as :func:`choose_epochs` does with whole data."""
    choices: list[Choice] = []

    def inner(window_slices):
        start: dict[str, Any] = {}
        if parameters is not None:
            width, dtype = max(sl.stop for sl in window_slices), parameters["W1"].dtype
            start = dict(parameters=parameters, state=state,  # the shapes and dtype a window has on the backend
                         X=SimpleNamespace(shape=(net.layer_dims[0], width), dtype=dtype),
                         Y=SimpleNamespace(shape=(net.layer_dims[-1], width), dtype=dtype))
        run, choice = choose_epochs(net=net, optimizer=optimizer, xp=xp, slices=window_slices, lambd=lambd,
                                    dropouts=dropouts, compile=inner_compile, mean_in_dZ=mean_in_dZ, **start)
        choices.append(choice)
        return run

    return inner, choices


def choose_transfer(X: Any, compile: bool | str) -> Any:
    """How streamed host windows reach the backend, a transfer class: on CuPy (unless ``compile=False``)
    pinned buffers copied on a stream of their own; else the generic :func:`~backend_nn.backend.to_backend`."""
    from ..streaming import GenericTransfer

    if compile and _library(X.xp) == "cupy":
        from .cupy_stream import PinnedTransfer

        return PinnedTransfer
    return GenericTransfer


def choose_epochs(*, net: Network, optimizer: Any, xp: Any, slices: list, lambd: float = 0.0,
                  dropouts: dict | None = None, compile: bool | str = False, X: Any = None, Y: Any = None,
                  per_chunk: bool = False, parameters: dict | None = None, state: dict | None = None,
                  mean_in_dZ: bool = False) -> tuple[Any, Choice]:
    """The epoch runner for mini-batch training: with ``compile``, the array library's compiled
    epoch where it has one (jax.jit of a scan over the batches; CUDA graphs of the step, one per
    batch width, on CuPy; NumPy's recorded step where the batches are small; torch.compile of the
    step, with ``compile=True`` only; by default, the eager epoch with relu's backward line in one ATen
    operation and Adam as PyTorch's fused kernel), else the eager epoch. Where the data arrive window by
    window, that epoch runs on each window of whole batches: X a dask array (windows of about a chunk,
    gathered from the chunks in turn; ``per_chunk``: a window per shuffled chunk), or host data streamed
    in (:class:`~backend_nn.streaming.HostData`, with its labels Y on the host)."""
    from ..streaming import is_host_data

    if array_api_compat.is_dask_array(X) or is_host_data(X):
        inner, choices = _windowed(compile, net=net, optimizer=optimizer, xp=xp, lambd=lambd, dropouts=dropouts,
                                   parameters=parameters, state=state, mean_in_dZ=mean_in_dZ)
        if is_host_data(X):
            from ..streaming import host_epochs

            transfer = choose_transfer(X, compile)
            epochs = host_epochs(inner, slices=slices, X=X, Y=Y, transfer=transfer)
            where = f"streamed from the host ({transfer.note or 'to_backend'})"
        else:
            from ..chunked import dask_epochs

            epochs = dask_epochs(inner, slices=slices, X=X, xp=xp, per_chunk=per_chunk)
            where = "dask chunk by chunk" if per_chunk else "dask windows"
        return epochs, Choice(f"{where}, {choices[0].path}", choices[0].passed_over)
    from ..step import eager_epochs

    kw = dict(net=net, optimizer=optimizer, xp=xp, slices=slices, lambd=lambd, dropouts=dropouts, mean_in_dZ=mean_in_dZ)
    start = None if parameters is None else (parameters, state, X, Y)  # to trace or record the step with here

    def built(name: str, build: Callable[[], Any]) -> tuple[Any, Choice]:
        """The compiled epochs, or the eager ones with the reason: a Declined silently, any other failure
        as :func:`_failed` says (raised under compile=True)."""
        try:
            with _rehearsal():
                return build(), Choice(name)
        except Declined as exc:
            return eager_epochs(**kw), Choice("eager", [(name, str(exc))])
        except Exception as exc:
            return eager_epochs(**kw), Choice("eager", [(name, _failed(name, exc, compile))])

    if compile and _library(xp) == "jax":
        from .jax_loop import jax_epochs

        return built("jax.jit epochs", lambda: jax_epochs(**kw, check=start))
    torch_compile = fast_path("torch.compile")
    if compile is True and _library(xp) == "torch":
        from .torch_compile import torch_epochs

        return torch_epochs(**kw), Choice("torch.compile steps")
    if compile == "auto" and _library(xp) == "torch":
        return _torch_eager_epochs(kw, passed=[("torch.compile steps", str(torch_compile.not_by_default))],
                                   parameters=parameters)
    if compile and _library(xp) == "cupy":  # by default: its GPU tests pass (benchmarks/results/gpu-tests.log)
        from .cupy_graph import graph_epochs

        return built("cuda graph epochs", lambda: graph_epochs(**kw))
    if compile and _library(xp) == "numpy":
        width = max(sl.stop - sl.start for sl in slices)
        too_large = _replay_size(net, width, "")
        if too_large is None:
            from .numpy_replay import numpy_epochs

            return built("numpy replay epochs", lambda: numpy_epochs(**kw, start=start))
        return eager_epochs(**kw), Choice("eager", [("numpy replay epochs", too_large)])
    why = [("compiled epochs", f"none for {_library(xp) or 'this array library'} yet")] if compile else []
    return eager_epochs(**kw), Choice("eager", why)


def _torch_eager_epochs(kw: dict, *, passed: list, parameters: dict | None) -> tuple[Any, Choice]:
    """PyTorch's default epochs: eager, with :class:`~.torch_lines.TorchLines` where the network's hidden layers
    take them, and the course's Adam as PyTorch's fused kernel (:class:`~.torch_adam.FusedAdam`)."""
    from ..optimizers import Adam
    from ..step import eager_epochs

    net, slices = kw["net"], kw["slices"]
    dtype = None if parameters is None else dtype_name(parameters["W1"].dtype)
    width = max(sl.stop - sl.start for sl in slices)
    reason = fast_path("torch lines").support.reason_against(net, width, dtype)
    path = "eager"
    if reason is None:
        from .torch_lines import TorchLines

        kw, path = {**kw, "lines": TorchLines()}, "torch lines epochs"
    else:
        passed = passed + [("torch lines epochs", reason)]
    if type(kw["optimizer"]) is Adam:  # the course's; a subclass of the user's own keeps its update
        from .torch_adam import FusedAdam

        kw, path = {**kw, "optimizer": FusedAdam.of(kw["optimizer"])}, f"{path}, fused adam"
    return eager_epochs(**kw), Choice(path, passed)


def kept_program(function: Callable, *, xp: Any, net: Network | None = None,
                 compile: bool | str = "auto") -> Callable:
    """``function`` (pure: arrays in, arrays out; its keywords ``net``, where given, and ``xp`` bound here) as the
    calls at a run's edges take it: a prediction's forward pass, a run's first and last costs, its end's check of
    the parameters; and the public ``train_step``, called once per step by a loop of the user's. On JAX (unless
    ``compile=False``) one ``jax.jit`` program, kept between calls (:func:`~.jax_loop.kept_jit`): eager JAX
    compiles each operation for every new shape (a first run of the flower compiled 35 at its end alone, 0.9 s of
    1.8 on a 2-core CPU), and dispatches each one by one (a train_step 0.66 ms, jitted 0.16). Elsewhere, and for
    a network with an activation of the user's (:func:`~.jax_loop._reusable`), ``function`` itself, eager.
    Parameters are passed as a plain dict: a :class:`~backend_nn.network.Parameters`' description is part of
    JAX's cache key."""
    if compile is not False and _library(xp) == "jax":
        from .jax_loop import _reusable, kept_jit

        if net is None or _reusable(net):
            return kept_jit(function, net, xp)
    return bound(function, net=net, xp=xp)


def moves_its_arguments(program: Callable) -> bool:
    """Whether ``program``, a :func:`kept_program`, is a compiled one (JAX's), which takes host (NumPy) arrays as
    its arguments and moves them itself as it is called: faster than a move of one's own (``jax.device_put``, about
    100 us on a 2-core CPU). The eager function takes arrays of its backend."""
    return not isinstance(program, partial)


def bound(function: Callable, *, net: Network | None, xp: Any) -> Callable:
    """``function`` with its keywords ``xp`` and, where not None, ``net`` given (:func:`kept_program`'s)."""
    return partial(function, xp=xp) if net is None else partial(function, net=net, xp=xp)


def compiled_runner(parameters: dict, X: Any, Y: Any, *, net: Network, learning_rate: float, xp: Any,
                    prefer: str | None = None, mean_in_dZ: bool = False) -> Runner | None:
    """The fast path's runner, or None where only the eager runner would serve (tests, benchmarks)."""
    runner, choice = choose_runner(parameters, X, Y, net=net, learning_rate=learning_rate, xp=xp,
                                   compile=True, prefer=prefer, mean_in_dZ=mean_in_dZ)
    return None if choice.path == "eager" else runner
