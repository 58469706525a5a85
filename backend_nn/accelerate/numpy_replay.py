"""NumPy: the generic step recorded once as a list of NumPy calls on buffers it owns, then replayed.

At small sizes a NumPy step is overhead-bound: ~30 NumPy calls of a few microseconds each,
behind the Python layers of the equation modules (the forward and backward lines, the output
layer, the update), each call allocating its result. Recorded once, the same step is a flat
list of the same NumPy calls, each bound to its arguments and writing into the array it
returned when it was recorded (``out=``): no Python layers, no allocation, no page faults.

This is what a CUDA graph is to the GPU (:mod:`.cupy_graph`), done with NumPy's own dispatch
protocols: the step runs once on :class:`Traced` arrays (``__array_ufunc__``,
``__array_function__``, the operators from :class:`numpy.lib.mixins.NDArrayOperatorsMixin`),
each of which wraps a real array, so the recording run computes the step itself while
:class:`Tape` notes every call. The equations are the generic ones, unchanged; every array
in the recording is memory that lives as long as the runner (the inputs, and one result
buffer per call), so a view of one (``W.T``) is taken once and stays valid.

What cannot be recorded is refused, never guessed: reading a value on the host (``float``,
``bool``, ``__array__``, iterating) raises :class:`Untraceable`, so no data-dependent branch
or value is ever baked into the recording. The replay is the same calls in the same order,
so it equals the generic step bit for bit (tested).
"""

from __future__ import annotations

import inspect
import operator
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

from ..network import Network
from ..step import Runner, train_step
from . import Declined

__all__ = ["Traced", "Tape", "Untraceable", "record", "replay_runner", "MAX_ELEMENTS"]

#: The largest n_l * m (any layer) for which the step is recorded: above it the recording's buffers
#: (every temporary of a step at once) cost more memory than they save, and the tiles serve.
MAX_ELEMENTS = 2**16


class Untraceable(Declined):
    """The step did something a recording cannot replay (read a value on the host, say)."""


class Tape:
    """The calls of one recorded run, each a zero-argument callable bound to its buffers."""

    def __init__(self) -> None:
        self.ops: list[Callable[[], Any]] = []

    def wrap(self, value: Any) -> Traced:
        return Traced(value, self)

    def replay(self) -> None:
        for op in self.ops:
            op()

    # --- recording ------------------------------------------------------------------------------
    def ufunc(self, ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
        if method not in ("__call__", "reduce") or ufunc.nout != 1:
            raise Untraceable(f"np.{ufunc.__name__}.{method} is not recorded")
        fn = ufunc if method == "__call__" else ufunc.reduce
        return self._call(fn, inputs, kwargs, takes_out=True)

    def function(self, func: Callable, args: tuple, kwargs: dict) -> Any:
        reduce = _REDUCTIONS.get(func)
        if reduce is not None and len(args) == 1 and set(kwargs) <= {"axis", "keepdims", "dtype", "out"}:
            kwargs = {"axis": None, **kwargs}  # np.sum's default: all axes (a reduce's is axis 0)
            return self._call(reduce, args, kwargs, takes_out=True)  # what np.sum itself calls, without its layers
        return self._call(func, args, kwargs, takes_out=_takes_out(func))

    def getitem(self, value: np.ndarray, key: Any) -> Any:
        return self._call(operator.getitem, (value, key), {}, takes_out=False)

    def setitem(self, target: np.ndarray, key: Any, value: Any) -> None:
        (target, key, value), _ = _unwrap((target, key, value))
        self.ops.append(partial(operator.setitem, target, key, value))
        target[key] = value

    def _call(self, fn: Callable, args: tuple, kwargs: dict, *, takes_out: bool) -> Any:
        args, traced = _unwrap(args)
        kwargs, traced_kw = _unwrap(kwargs)
        out = kwargs.pop("out", None)
        if isinstance(out, tuple):
            out = out[0] if len(out) == 1 else None
            if out is None:
                raise Untraceable(f"{_name(fn)} with several outputs is not recorded")
        if not (traced or traced_kw):  # nothing recorded goes in: a constant, computed once
            return fn(*args, **kwargs) if out is None else fn(*args, out=out, **kwargs)
        if out is not None:  # written into a buffer of the recording (an in-place update)
            if not takes_out:
                raise Untraceable(f"{_name(fn)} with out= is not recorded")
            fn(*args, out=out, **kwargs)
            self.ops.append(partial(fn, *args, out=out, **kwargs))
            return self.wrap(out)
        result = fn(*args, **kwargs)
        if isinstance(result, np.ndarray) and any(a is result or (isinstance(a, np.ndarray)
                                                                  and np.may_share_memory(a, result))
                                                  for a in _arrays(args, kwargs)):
            return self.wrap(result)  # a view of a buffer: taken once, valid as long as the buffer
        if not isinstance(result, (np.ndarray, np.generic)):
            if isinstance(result, (tuple, list)) and any(isinstance(r, (np.ndarray, np.generic)) for r in result):
                raise Untraceable(f"{_name(fn)} returns several arrays; it is not recorded")
            return result  # a shape, a dtype: fixed for the recording's arrays
        buf = np.asarray(result) if isinstance(result, np.generic) else result  # a 0-d result gets a 0-d buffer
        if takes_out:
            self.ops.append(partial(fn, *args, out=buf, **kwargs))
        else:
            self.ops.append(partial(_into, buf, fn, args, kwargs))
        return self.wrap(buf)


#: Array functions that are one ufunc reduction over an ndarray (NumPy's own sum, max and min call these).
_REDUCTIONS = {np.sum: np.add.reduce, np.max: np.maximum.reduce, np.min: np.minimum.reduce,
               np.prod: np.multiply.reduce}


def _into(buf: np.ndarray, fn: Callable, args: tuple, kwargs: dict) -> None:
    """A call without ``out=``: its new result copied into the recording's buffer."""
    np.copyto(buf, fn(*args, **kwargs))


def _takes_out(func: Callable) -> bool:
    try:
        return "out" in inspect.signature(func).parameters
    except (TypeError, ValueError):  # a builtin without a signature (np.where): copied into its buffer
        return False


def _name(fn: Callable) -> str:
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", repr(fn))


def _unwrap(obj: Any) -> tuple[Any, bool]:
    """``obj`` with every Traced replaced by its array, and whether there was one."""
    if isinstance(obj, Traced):
        return obj.value, True
    if isinstance(obj, (tuple, list)):
        items = [_unwrap(o) for o in obj]
        return type(obj)(v for v, _ in items), any(t for _, t in items)
    if isinstance(obj, dict):
        items = {k: _unwrap(v) for k, v in obj.items()}
        return {k: v for k, (v, _) in items.items()}, any(t for _, t in items.values())
    return obj, False


def _arrays(args: tuple, kwargs: dict):
    for a in (*args, *kwargs.values()):
        if isinstance(a, (tuple, list)):
            yield from _arrays(tuple(a), {})
        elif isinstance(a, np.ndarray):
            yield a


class Traced(NDArrayOperatorsMixin):
    """An array of a recording: a real NumPy array whose every use by NumPy is noted on a tape."""

    __slots__ = ("value", "tape")

    def __init__(self, value: np.ndarray, tape: Tape) -> None:
        self.value, self.tape = value, tape

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return self.tape.ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return self.tape.function(func, args, kwargs)

    # what the equations read of an array: fixed for the recording's buffers
    shape = property(lambda self: self.value.shape)
    dtype = property(lambda self: self.value.dtype)
    ndim = property(lambda self: self.value.ndim)
    size = property(lambda self: self.value.size)
    device = property(lambda self: self.value.device)
    T = property(lambda self: self.tape.wrap(self.value.T))  # a view of a buffer: taken once
    mT = property(lambda self: self.tape.wrap(self.value.mT))

    def __getitem__(self, key):
        return self.tape.getitem(self.value, key)

    def __setitem__(self, key, value):
        self.tape.setitem(self.value, key, value)

    def _value_read(self, *_: Any) -> Any:
        raise Untraceable("the step reads an array's value on the host (a branch or a Python number), "
                          "which a recording would bake in")

    __array__ = __bool__ = __float__ = __int__ = __index__ = __complex__ = __len__ = __iter__ = _value_read
    item = tolist = tobytes = _value_read

    def __repr__(self) -> str:
        return f"Traced({self.value.dtype}{list(self.value.shape)})"


def record(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Tape, Any]:
    """Run ``fn`` once, every array in ``args`` / ``kwargs`` (nested in dicts, lists, tuples) traced;
    returns the tape and fn's result with its arrays unwrapped (the recording's buffers). The run is
    real: whatever fn writes in place is written. ``tape.replay()`` runs the same calls again."""
    tape = Tape()

    def wrap(obj):
        if isinstance(obj, np.ndarray):
            return tape.wrap(obj)
        if isinstance(obj, dict):
            return {k: wrap(v) for k, v in obj.items()}
        if isinstance(obj, (tuple, list)):
            return type(obj)(wrap(o) for o in obj)
        return obj

    result = fn(*wrap(args), **wrap(kwargs))
    return tape, _unwrap(result)[0]


class _ReplayRunner:
    """The in-place step recorded with and without the cost, then replayed.

    Recording runs the step, so it runs on the runner's own parameter buffers from the starting
    point, which are then put back. Once, at build, the with-cost recording is replayed from the
    starting point and held to the recorded run, bit for bit: a replay that does not reproduce the
    generic step is an error here, never a quietly different training run.
    """

    note = None

    def __init__(self, step: Callable, parameters: dict, X: np.ndarray, Y: np.ndarray) -> None:
        self.params = {k: np.array(v, copy=True) for k, v in parameters.items()}  # the recordings' buffers
        start = {k: v.copy() for k, v in self.params.items()}
        self.tapes: dict[bool, Tape] = {}
        self.costs: dict[bool, np.ndarray] = {}
        for with_cost in (False, True):
            self._load(start)
            self.tapes[with_cost], (_, self.costs[with_cost]) = record(step, self.params, X, Y, with_cost=with_cost)
        recorded = {k: v.copy() for k, v in self.params.items()}, self.costs[True].copy()
        self._load(start)
        self.tapes[True].replay()
        if not (all(np.array_equal(self.params[k], v, equal_nan=True) for k, v in recorded[0].items())
                and np.array_equal(self.costs[True], recorded[1], equal_nan=True)):
            raise RuntimeError("the replayed step differs from the recorded one")
        self._load(start)

    def _load(self, params: dict) -> None:
        for k, v in params.items():
            self.params[k][...] = v

    def __call__(self, current: dict, n_records: int, cost_every: int) -> tuple[dict, Any]:
        if current is not self.params:  # a new starting point: load it into the recording's buffers
            self._load(current)
        costs = np.empty((n_records,), dtype=self.costs[True].dtype)
        with_cost, without = self.tapes[True].replay, self.tapes[False].replay
        for r in range(n_records):
            with_cost()
            costs[r] = self.costs[True]
            for _ in range(cost_every - 1):
                without()
        return self.params, costs


def replay_runner(parameters: dict, X: Any, Y: Any, *, net: Network, learning_rate: float, xp: Any) -> Runner:
    """The generic in-place step, recorded at its first run and replayed (NumPy arrays)."""
    if not all(isinstance(a, np.ndarray) for a in (X, Y, *parameters.values())):
        raise Declined("takes NumPy arrays")
    step = partial(train_step, net=net, learning_rate=learning_rate, xp=xp, inplace=True)
    return _ReplayRunner(step, parameters, X, Y)
