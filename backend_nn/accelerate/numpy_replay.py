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

import contextlib
import inspect
import operator
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

from ..network import Network
from ..validation import user_stacklevel
from ..step import EpochRunner, Runner, _assign, _copied, optimizer_step, train_step
from . import Declined

__all__ = ["Traced", "Tape", "Untraceable", "record", "replay_runner", "numpy_epochs", "MAX_ELEMENTS"]

#: The largest n_l * m (any layer) for which the step is recorded: above it the tiles (or the eager step)
#: serve. Above it the replay measured within 2% of the eager epochs either way (batches of 1,024 at
#: (784, 128, 10), of 256 and 1,024 at (784, 512, 256, 10), reading the batches in place): nothing to
#: win, so it is not taken. (Before they were read in place, copying each batch into the recording's
#: buffers made the replay 1.04-1.06x the eager epochs at batches of 1,024.) Below it the replay, its
#: temporaries sharing memory as the eager step's freed memory is reused (:meth:`Tape.share_buffers`),
#: took 0.4-1.0x the eager step's time on a 2-core VM, the GEMM-bound sizes too: (784, 128, 10) at
#: m = 500, (64, 32, 16, 10) at m = 1,797, mini-batches of 64 and 256 at (784, 128, 10); and 0.54x at
#: (784, 512, 256, 10), m = 100, float64, where the eager step's large temporaries fault in new pages.
MAX_ELEMENTS = 2**16


class Untraceable(Declined):
    """The step did something a recording cannot replay (read a value on the host, say)."""


class Tape:
    """The calls of one recorded run, each a zero-argument callable bound to its buffers."""

    def __init__(self) -> None:
        self.ops: list[partial] = []  # zero-argument calls: each replays as op()

    def wrap(self, value: Any) -> Traced:
        return Traced(value, self)

    def replay(self) -> None:
        for op in self.ops:
            op()

    def elide_copies(self, keep: list) -> int:
        """Write results straight into the buffers they are copied into: where ``target[...] = value``
        copies the result of an earlier call, that call writes into ``target`` instead and the copy
        goes (the pure step's new parameters and state, copied into the static buffers). Done only
        where nothing between the call and the copy touches ``target``, nothing after the copy reads
        ``value``, no view of ``value`` exists, and ``value`` is not in ``keep`` (what the caller holds);
        readers of ``value`` in between then read ``target``. The same calls on the same values:
        the results are the same bits. Returns how many copies went."""
        kept = {id(a) for a in keep}
        touched = [_touched(op) for op in self.ops]  # what each call reads and writes, kept up to date
        elided = 0
        i = 0
        while i < len(self.ops):
            j = self._elidable(i, kept, touched)
            if j is None:
                i += 1
                continue
            target, value = self.ops[i].args[0], self.ops[i].args[2]
            producer = self.ops[j]
            self.ops[j] = partial(producer.func, *producer.args, **{**producer.keywords, "out": target})
            touched[j] = _touched(self.ops[j])
            readers = {id(value): target}
            for r in range(j + 1, i):
                self.ops[r] = _rebind(self.ops[r], readers)
                touched[r] = _touched(self.ops[r])
            del self.ops[i], touched[i]
            elided += 1
        return elided

    def share_buffers(self, keep: list) -> int:
        """Lay the step's temporaries out in one arena, where results whose lives do not overlap share
        memory, as the eager step's freed memory is reused by its next allocation: the recording
        otherwise keeps every temporary of a step alive at once, which costs cache where the arrays are
        large. Each temporary, in the order the calls write them, takes the smallest free block that
        holds it (the most recently freed of equal ones), its block freed after the call that reads it
        last. Only a temporary moves: written by a call before anything reads it within the tape, not
        in ``keep`` (what the caller holds), C-contiguous, and with no view of it in the recording.
        Every call then reads and writes the same values as before, in other memory: the results are
        the same bits. Returns how many temporaries took memory an earlier one had freed."""
        kept = {id(a) for a in keep}
        arrays: dict[int, np.ndarray] = {}
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        read_first: set[int] = set()
        for i, op in enumerate(self.ops):
            written = _written(op)
            reads = list(_read(op))
            read_first.update(id(a) for a in reads if id(a) not in first)
            for a in [*reads, *([written] if written is not None else [])]:
                arrays.setdefault(id(a), a)
                first.setdefault(id(a), i)
                last[id(a)] = i
        viewed = {id(_root(a)) for a in arrays.values() if _root(a) is not a}  # arrays with a view in the tape

        def temporary(a: np.ndarray) -> bool:
            return (id(a) not in kept and id(a) not in read_first and id(a) not in viewed and a.base is None
                    and a.flags.owndata and a.flags.writeable and a.flags.c_contiguous and a.nbytes > 0)

        temporaries = [k for k, a in arrays.items() if temporary(a)]
        if not temporaries:
            return 0
        starts: dict[int, list[int]] = {}
        ends: dict[int, list[int]] = {}
        for k in temporaries:
            starts.setdefault(first[k], []).append(k)
            ends.setdefault(last[k], []).append(k)
        arena = _Arena()
        offset: dict[int, int] = {}
        reused = 0
        for i in range(len(self.ops)):
            for k in starts.get(i, ()):
                offset[k], was_free = arena.take(arrays[k].nbytes)
                reused += was_free
            for k in ends.get(i, ()):
                arena.give(offset[k], arrays[k].nbytes, when=i)
        memory = arena.allocate()
        moved: dict[int, np.ndarray] = {
            k: np.ndarray(arrays[k].shape, arrays[k].dtype, buffer=memory, offset=offset[k]) for k in temporaries}
        self.ops = [_rebind(op, moved) for op in self.ops]
        return reused

    def _elidable(self, i: int, kept: set, touched: list) -> int | None:
        """The index of the call whose result the copy ``ops[i]`` can take the place of, or None
        (``touched[r]``: the arrays call r reads and writes)."""
        op = self.ops[i]
        if op.func is not operator.setitem or op.args[1] is not Ellipsis:
            return None
        target, value = op.args[0], op.args[2]
        if (not isinstance(value, np.ndarray) or id(value) in kept or value.base is not None
                or value.shape != target.shape or value.dtype != target.dtype):
            return None
        writers = [j for j, o in enumerate(self.ops) if touched[j][-1] is value]
        if len(writers) != 1 or writers[0] > i or "out" not in (self.ops[writers[0]].keywords or {}):
            return None
        j = writers[0]
        producer = self.ops[j]
        elementwise = isinstance(producer.func, np.ufunc) and producer.func.signature is None
        if not elementwise and any(_overlaps(a, target) for a in _read(producer)):
            return None  # a matmul or reduction reading the buffer it would write: not done
        for r, arrays in enumerate(touched):
            if r == i:
                continue
            if any(a is not value and a is not None and _root(a) is value for a in arrays):
                return None  # a view of value (or a write into it elsewhere)
            if j < r < i and any(a is not None and _overlaps(a, target) for a in arrays):
                return None  # target touched between the call and the copy
            if r > i and any(a is value for a in arrays):
                return None  # value read after the copy
        return j

    # --- recording ------------------------------------------------------------------------------
    def ufunc(self, ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
        if method not in ("__call__", "reduce") or ufunc.nout != 1:
            raise Untraceable(f"np.{ufunc.__name__}.{method} is not recorded")
        if ufunc is np.power and method == "__call__" and not kwargs and all(np.ndim(_unwrap(a)[0]) == 0
                                                                                for a in inputs):
            return self._call(_scalar_power, inputs, {}, takes_out=False)
        fn = ufunc if method == "__call__" else ufunc.reduce
        return self._call(fn, inputs, kwargs, takes_out=True)

    def function(self, func: Callable, args: tuple, kwargs: dict) -> Any:
        reduce = _REDUCTIONS.get(func)
        if reduce is not None and len(args) == 1 and set(kwargs) <= {"axis", "keepdims", "dtype", "out"}:
            kwargs = {"axis": None, **kwargs}  # np.sum's default: all axes (a reduce's is axis 0)
            return self._call(reduce, args, kwargs, takes_out=True)  # what np.sum itself calls, without its layers
        return self._call(func, args, kwargs, takes_out=_takes_out(func))

    def getitem(self, value: Any, key: Any) -> Any:
        return self._call(operator.getitem, (value, key), {}, takes_out=False)

    def setitem(self, target: np.ndarray, key: Any, value: Any) -> None:
        (target, key, value), _ = _unwrap((target, key, value))
        self.ops.append(partial(operator.setitem, target, key, value))
        target[key] = value

    def _call(self, fn: Callable, args: tuple, kwargs: dict, *, takes_out: bool) -> Any:
        given = kwargs.get("out")
        given = given if isinstance(given, tuple) else (given,)
        if any(o is not None and not isinstance(o, Traced) for o in given):
            # an array made once while recording, written at every replay: it would accumulate across steps
            raise Untraceable(f"{_name(fn)} writes into an array that is not one of the recording's")
        args, traced = _unwrap(args)
        kwargs, traced_kw = _unwrap(kwargs)
        out = kwargs.pop("out", None)
        if isinstance(out, tuple):
            out = out[0] if len(out) == 1 else None
            if out is None:
                raise Untraceable(f"{_name(fn)} with several outputs is not recorded")
        if not (traced or traced_kw):  # nothing recorded goes in: a constant, computed once
            return fn(*args, **kwargs)
        if out is not None:  # written into a buffer of the recording (an in-place update)
            if not takes_out:
                raise Untraceable(f"{_name(fn)} with out= is not recorded")
            fn(*args, out=out, **kwargs)
            self.ops.append(partial(fn, *args, out=out, **kwargs))
            return self.wrap(out)
        result = fn(*args, **kwargs)
        if isinstance(result, np.ndarray) and any(a is result or (isinstance(a, np.ndarray)
                                                                  and np.may_share_memory(a, result))
                                                  for a in _flat((args, kwargs))):
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


def _scalar_power(base: Any, exponent: Any) -> np.generic:
    """A 0-d power (Adam's beta ** t) by Python's ``**`` (C's pow), as the eager step computes it with
    Python numbers: NumPy's SIMD power (AVX-512) can differ from it in the last bit (0.999 ** 7)."""
    dtype = np.result_type(base, exponent)
    return dtype.type(float(base) ** float(exponent)) if dtype.kind == "f" else np.power(base, exponent)


def _astype(a: np.ndarray, dtype: Any, copy: bool = True) -> np.ndarray:
    """``a.astype(dtype, copy=copy)``, as a function the tape can call."""
    return a.astype(dtype, copy=copy)


def _into(buf: np.ndarray, fn: Callable, args: tuple, kwargs: dict) -> None:
    """A call without ``out=``: its new result copied into the recording's buffer."""
    np.copyto(buf, fn(*args, **kwargs))


def _takes_out(func: Callable) -> bool:
    try:
        return "out" in inspect.signature(func).parameters
    except (TypeError, ValueError):  # a builtin without a signature (np.where): copied into its buffer
        return False


def _name(fn: Callable) -> str:
    return str(getattr(fn, "__qualname__", None) or getattr(fn, "__name__", repr(fn)))


def _unwrap(obj: Any) -> tuple[Any, bool]:
    """``obj`` with every Traced replaced by its array, and whether there was one."""
    if isinstance(obj, Traced):
        return obj.value, True
    if isinstance(obj, (tuple, list)):
        items = [_unwrap(o) for o in obj]
        return type(obj)(v for v, _ in items), any(t for _, t in items)
    if isinstance(obj, dict):
        entries = {k: _unwrap(v) for k, v in obj.items()}
        return {k: v for k, (v, _) in entries.items()}, any(t for _, t in entries.values())
    return obj, False


def _written(op: partial) -> np.ndarray | None:
    """The array a recorded call writes."""
    if op.func is operator.setitem or op.func is _into:
        return op.args[0]
    return (op.keywords or {}).get("out")


def _read(op: partial) -> list:
    """The arrays a recorded call reads."""
    if op.func is operator.setitem:
        return list(_flat(op.args[1:]))
    if op.func is _into:
        return list(_flat(op.args[2:4]))
    return list(_flat((op.args, {k: v for k, v in (op.keywords or {}).items() if k != "out"})))


def _root(a: np.ndarray) -> np.ndarray:
    """The array whose memory ``a`` views (``a`` itself where it owns its memory)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _touched(op: partial) -> list:
    """The arrays a recorded call reads, then the one it writes (or None)."""
    return [*_read(op), _written(op)]


def _overlaps(a: np.ndarray, b: np.ndarray) -> bool:
    return a is b or np.may_share_memory(a, b)


class _Arena:
    """Offsets in one block of memory for arrays that come and go: best fit among the freed blocks
    (the most recently freed of equal size), neighbours merged when freed, else the end of the arena."""

    ALIGN = 64  # bytes: every array starts on a cache line

    def __init__(self) -> None:
        self.free: list[list[int]] = []  # [offset, size, when freed]
        self.top = 0

    def _size(self, nbytes: int) -> int:
        return -(-nbytes // self.ALIGN) * self.ALIGN

    def take(self, nbytes: int) -> tuple[int, bool]:
        need = self._size(nbytes)
        fits = [b for b in self.free if b[1] >= need]
        if not fits:
            at, self.top = self.top, self.top + need
            return at, False
        block = min(fits, key=lambda b: (b[1], -b[2]))
        at = block[0]
        if block[1] == need:
            self.free.remove(block)
        else:
            block[0], block[1] = at + need, block[1] - need
        return at, True

    def give(self, at: int, nbytes: int, *, when: int) -> None:
        block = [at, self._size(nbytes), when]
        for other in sorted(self.free, key=lambda b: b[0]):
            if other[0] + other[1] == block[0]:  # just before: merge into it
                self.free.remove(other)
                block = [other[0], other[1] + block[1], when]
            elif block[0] + block[1] == other[0]:  # just after
                self.free.remove(other)
                block = [block[0], block[1] + other[1], when]
        self.free.append(block)

    def allocate(self) -> np.ndarray:
        """The arena's memory: ``top`` bytes, starting on a cache line."""
        raw = np.empty(self.top + self.ALIGN, dtype=np.uint8)
        shift = (-raw.ctypes.data) % self.ALIGN
        return raw[shift:shift + self.top]


def _rebind(op: partial, moved: dict[int, np.ndarray], transposes: list | None = None) -> partial:
    """The call with every array in ``moved`` (by id), at any depth of its arguments, replaced; and
    with ``transposes`` ([(buffer, new)]), each transpose of a buffer by the new array's."""
    return partial(op.func, *_swap(op.args, moved, transposes), **_swap(op.keywords or {}, moved, transposes))


def _swap(a: Any, moved: dict[int, np.ndarray], transposes: list | None) -> Any:
    """:func:`_rebind`'s replacement, at any depth. A module function, not a closure calling itself: that
    would be a reference cycle holding the new arrays (a streamed window) until the garbage collector ran."""
    if isinstance(a, np.ndarray):
        if transposes and a.base is not None:
            for buffer, new in transposes:
                if _is_transpose(a, buffer):
                    return new.T
        return moved.get(id(a), a)
    if isinstance(a, (tuple, list)):
        return type(a)(_swap(v, moved, transposes) for v in a)
    if isinstance(a, dict):
        return {k: _swap(v, moved, transposes) for k, v in a.items()}
    return a


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

    def __array_namespace__(self, api_version: str | None = None) -> Any:
        from array_api_compat import array_namespace

        return array_namespace(self.value, api_version=api_version)  # what the equations find for the array

    def __getitem__(self, key):
        return self.tape.getitem(self, key)  # the Traced: a view stays one of the recording's arrays

    def astype(self, dtype: Any, *, copy: bool = True) -> Any:
        # a step that calls the method (an Activation of the user's written with NumPy's habits; array-api-compat's
        # astype on NumPy 2.0, which had no np.astype) is recorded as np.astype is
        return self.tape._call(_astype, (self, dtype), {"copy": copy}, takes_out=False)

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


def _checked_record(
    fn: Callable[..., Any], *args: Any, unchanged: Callable[[], Any], **kwargs: Any
) -> tuple[Tape, Any]:
    """``fn`` recorded (what it writes undone by the context ``unchanged()``), its copies elided, then
    replayed once from the same start and held to the recorded run bit for bit: a replay that does not
    reproduce the generic step is an error here, never a quietly different training run."""
    with unchanged():
        tape, result = record(fn, *args, **kwargs)
        kept = list(_flat([args, result]))
        recorded = [np.array(a, copy=True) for a in kept]
    tape.elide_copies(keep=kept)
    tape.share_buffers(keep=kept)
    with unchanged():
        tape.replay()
        if not all(np.array_equal(a, b, equal_nan=True) for a, b in zip(kept, recorded)):
            raise RuntimeError("the replayed step differs from the recorded one")
    return tape, result


class _ReplayRunner:
    """The in-place step recorded with and without the cost (:func:`_checked_record`, on the runner's
    own parameter buffers, put back to the starting point after), then replayed."""

    note = None

    def __init__(self, step: Callable, parameters: dict, X: np.ndarray, Y: np.ndarray) -> None:
        self.params = _copied(parameters, np)  # the recordings' buffers
        start = _copied(self.params, np)

        @contextlib.contextmanager
        def unchanged():
            yield
            _assign(self.params, start)

        self.tapes: dict[bool, Tape] = {}
        self.costs: dict[bool, np.ndarray] = {}
        for with_cost in (False, True):
            self.tapes[with_cost], (_, self.costs[with_cost]) = _checked_record(
                step, self.params, X, Y, with_cost=with_cost, unchanged=unchanged)
        self._load = partial(_assign, self.params)

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


def replay_runner(parameters: dict, X: Any, Y: Any, *, net: Network, learning_rate: float, xp: Any,
                  mean_in_dZ: bool = False) -> Runner:
    """The generic in-place step, recorded at its first run and replayed (NumPy arrays)."""
    if not all(isinstance(a, np.ndarray) for a in (X, Y, *parameters.values())):
        raise Declined("takes NumPy arrays")
    step = partial(train_step, net=net, learning_rate=learning_rate, xp=xp, inplace=True, mean_in_dZ=mean_in_dZ)
    return _ReplayRunner(step, parameters, X, Y)


def numpy_epochs(*, net: Network, optimizer: Any, xp: Any, slices: list, lambd: float = 0.0,
                 dropouts: dict | None = None, start: tuple | None = None, mean_in_dZ: bool = False) -> EpochRunner:
    """Mini-batch epochs on static buffers (:class:`~backend_nn.accelerate.replay.StaticEpochs`), the
    optimizer step of each batch width recorded once as NumPy calls and replayed per batch.

    ``start``: (parameters, state, X, Y) of the run, to record with here, where the path is chosen: a
    step that cannot be recorded is then :class:`Untraceable` (the caller runs the eager epochs and says
    why). Without it (windows of streamed or dask data) each width is recorded at its first batch, and
    one that cannot be is run eagerly on the same buffers, with a FastPathWarning."""
    from .replay import StaticEpochs

    step = partial(optimizer_step, net=net, optimizer=optimizer, xp=xp, lambd=lambd, mean_in_dZ=mean_in_dZ)
    epochs = StaticEpochs(step, xp=xp, slices=slices, dropouts=dropouts,
                          capture=_record_or_run if start is None else _record)
    if start is not None:
        epochs.prepare(*start)
    return epochs


def _record(body: Callable[[dict], None], buffers: dict, unchanged: Callable[[], Any]) -> Callable[[], None]:
    """StaticEpochs' capture: the body recorded and checked (:func:`_checked_record`), replayed by a
    :class:`_BatchReplay` (:class:`Untraceable` where it cannot be recorded)."""
    tape, _ = _checked_record(body, buffers, unchanged=unchanged)
    return _BatchReplay(tape, buffers["X"], buffers["Y"])


def _record_or_run(body: Callable[[dict], None], buffers: dict, unchanged: Callable[[], Any]) -> Callable[[], None]:
    """:func:`_record`; where the body cannot be recorded, the body itself on the same buffers, with a
    FastPathWarning."""
    from . import FastPathWarning

    try:
        return _record(body, buffers, unchanged)
    except Exception as exc:
        warnings.warn(f"backend_nn: the NumPy step could not be recorded ({type(exc).__name__}: {exc}); the epochs "
                      "run it eagerly on the same buffers.", FastPathWarning, stacklevel=user_stacklevel())
        return partial(body, buffers)


class _BatchReplay:
    """A recorded mini-batch step. Called, it replays on the batch buffers (a CUDA graph's way: the
    batch copied in first). ``run_on(X, Y)`` replays it reading the batch where it lies instead (the
    epoch's columns, a view): the few calls that read the X and Y buffers, or X's transpose, are bound
    to the given arrays for this replay. The eager epochs read the same views, so nothing changes but
    the copy, which cost 12 ms of a 95 ms epoch at (784, 128, 10), float64, batches of 256."""

    def __init__(self, tape: Tape, X: np.ndarray, Y: np.ndarray) -> None:
        self.tape, self.X, self.Y = tape, X, Y
        self.readers: dict[int, tuple[partial, list | None]] | None = {}  # call index: (the call, its slots)
        for i, op in enumerate(tape.ops):
            written = _written(op)
            if written is not None and any(_root(written) is b for b in (X, Y)):
                self.readers = None  # the step writes its batch buffers: only copies keep that right
                return
            reads = [a for a in _read(op) if any(_root(a) is b for b in (X, Y))]
            if not reads:
                continue
            if not all(a is X or a is Y or _is_transpose(a, X) for a in reads):
                self.readers = None  # another view of the batch: not rebound, so the batch is copied in
                return
            self.readers[i] = (op, self._slots(op))

    def _slots(self, op: partial) -> list[tuple[int | str, str]] | None:
        """Where ``op`` takes the batch among its own arguments: [(position or keyword, "X", "Y" or "XT")];
        None where it is held deeper (in a tuple or list), which :func:`_rebind` then finds per batch."""
        slots: list[tuple[int | str, str]] = []
        places: list[tuple[int | str, Any]] = [*enumerate(op.args), *(op.keywords or {}).items()]
        for where, a in places:
            if isinstance(a, np.ndarray):
                kind = "X" if a is self.X else "Y" if a is self.Y else \
                    "XT" if a.base is not None and _is_transpose(a, self.X) else None
                if kind is not None:
                    slots.append((where, kind))
            elif any(_root(b) is c for b in _flat(a) for c in (self.X, self.Y)):
                return None
        return slots

    def __call__(self) -> None:
        self.tape.replay()

    def run_on(self, X: Any, Y: Any) -> bool:
        """Replay on X, Y in place of the batch buffers (no copy); False, with nothing run, where they
        are not NumPy arrays of the buffers' shapes and dtypes (the caller copies them in then)."""
        if self.readers is None or not all(
                isinstance(a, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype
                for a, b in ((X, self.X), (Y, self.Y))):
            return False
        ops = self.tape.ops
        batch = {"X": X, "Y": Y, "XT": X.T}
        try:
            for i, (op, slots) in self.readers.items():
                if slots is None:
                    ops[i] = _rebind(op, {id(self.X): X, id(self.Y): Y}, [(self.X, X)])
                    continue
                args, kw = list(op.args), dict(op.keywords or {})
                for where, kind in slots:
                    if isinstance(where, int):
                        args[where] = batch[kind]
                    else:
                        kw[where] = batch[kind]
                ops[i] = partial(op.func, *args, **kw)
            self.tape.replay()
        finally:
            for i, (op, _) in self.readers.items():
                ops[i] = op
        return True


def _is_transpose(a: np.ndarray, buffer: np.ndarray) -> bool:
    """``a`` is ``buffer.T`` (a view taken once while recording)."""
    return (a.base is buffer and a.shape == buffer.shape[::-1] and a.strides == buffer.strides[::-1]
            and a.ctypes.data == buffer.ctypes.data)


def _flat(tree: Any):
    """The arrays in nested dicts, lists and tuples, in order."""
    if isinstance(tree, dict):
        tree = list(tree.values())
    if isinstance(tree, (list, tuple)):
        for v in tree:
            yield from _flat(v)
    elif isinstance(tree, np.ndarray):
        yield tree
