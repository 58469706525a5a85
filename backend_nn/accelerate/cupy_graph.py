"""CuPy: the generic step captured once into a CUDA graph and replayed.

A step is then one graph launch instead of ~45 kernel launches from Python, and
the hidden layers' lines are the kernels of :mod:`.cupy_lines`.

CuPy refuses to record its own cuBLAS calls in a capture ("calling cuBLAS API
during stream capture is currently unsupported": its wrappers check the stream
before every call), although cuBLAS itself supports capture given a workspace of
the caller's (cuBLAS guide, "CUDA Graphs Support"). So inside the graph the
namespace's ``matmul`` calls cuBLAS directly, through ctypes, on a handle of this
runner's, bound to the capturing stream, with its own workspace. Where that
library cannot be loaded, ``matmul`` falls back to a broadcast product and a
reduction (elementwise kernels, which CuPy captures), which costs
n_l * n_{l-1} * m temporaries: then only networks up to :data:`GRAPH_MAX_ELEMENTS`
get a graph.
"""

from __future__ import annotations

import ctypes
import warnings
from functools import lru_cache, partial
from typing import Any, Callable

from ..network import Network
from ..validation import user_stacklevel
from ..step import EpochRunner, Runner, optimizer_step, train_step
from . import Declined, NamespaceOverlay

#: Without a capturable cuBLAS: the largest n_l * n_{l-1} * m for which the graph path is used.
GRAPH_MAX_ELEMENTS = 2**22
#: cuBLAS workspace for the captured GEMMs (NVIDIA suggests 32 MiB on Hopper).
_WORKSPACE_BYTES = 32 * 2**20
_OP_N, _OP_T = 0, 1


def graph_runner(parameters: dict, X: Any, Y: Any, *, net: Network, learning_rate: float, xp: Any,
                 mean_in_dZ: bool = False) -> Runner:
    """A runner replaying the captured step (raises Declined where the graph cannot serve)."""
    from .cupy_lines import CupyLines

    m = int(X.shape[1])
    if max(m, *net.layer_dims) > INT32_MAX:
        raise Declined(f"m = {m} or a layer exceeds cuBLAS's 32-bit sizes ({INT32_MAX})")
    stream = _new_stream()
    gemm, why = _CapturableGemm.create(stream)
    if gemm is None:
        largest = max(n * n_prev * m for n_prev, n in zip(net.layer_dims[:-1], net.layer_dims[1:]))
        if largest > GRAPH_MAX_ELEMENTS:
            raise Declined(f"no capturable cuBLAS ({why}), and n_l * n_(l-1) * m = {largest} > "
                           f"{GRAPH_MAX_ELEMENTS} for the broadcast matmul")
    namespace = _CaptureSafeNamespace(xp, gemm)
    step = partial(train_step, net=net, learning_rate=learning_rate, xp=namespace, lines=CupyLines(),
                   mean_in_dZ=mean_in_dZ)
    try:
        runner = _CupyGraphRunner(step, parameters, X, Y, xp=xp, stream=stream, keep=gemm)
    except Exception as exc:  # an optional path: say why, and let the caller take the next one
        from . import FastPathWarning

        warnings.warn(f"backend_nn: the CUDA graph could not be captured ({type(exc).__name__}: {exc}); "
                      "running without it.", FastPathWarning, stacklevel=user_stacklevel())
        raise Declined(f"capture failed: {type(exc).__name__}: {exc}") from None
    runner.note = None if gemm is not None else f"broadcast matmul (no cuBLAS: {why})"
    return runner


def graph_epochs(*, net: Network, optimizer: Any, xp: Any, slices: list, lambd: float = 0.0,
                 dropouts: dict | None = None, mean_in_dZ: bool = False) -> EpochRunner:
    """Mini-batch epochs as CUDA graphs: the optimizer step of each batch width recorded once
    (:class:`~backend_nn.accelerate.replay.StaticEpochs`, cuBLAS called inside the capture, the hidden
    lines as kernels), each batch copied into its width's buffers and the graph replayed, on a
    private stream the caller's stream waits on through events (no host sync)."""
    import contextlib

    import cupy

    from .cupy_lines import CupyLines
    from .replay import StaticEpochs

    stream = _new_stream()
    gemm, why = _CapturableGemm.create(stream)
    if gemm is None:
        raise Declined(f"no capturable cuBLAS ({why})")
    step = partial(optimizer_step, net=net, optimizer=optimizer, xp=_CaptureSafeNamespace(xp, gemm), lambd=lambd,
                   lines=CupyLines(), mean_in_dZ=mean_in_dZ)
    pool = cupy.cuda.MemoryPool()  # the graphs' temporaries: their addresses are baked into the graphs

    @contextlib.contextmanager
    def on_stream():
        caller = cupy.cuda.get_current_stream()
        stream.wait_event(caller.record())
        with stream:
            yield
        caller.wait_event(stream.record())

    def capture(body, buffers, unchanged):
        with unchanged(), cupy.cuda.using_allocator(pool.malloc):
            body(buffers)  # compiles the kernels and fills the pool, so that the capture allocates nothing
        with cupy.cuda.using_allocator(pool.malloc):
            stream.synchronize()
            stream.begin_capture()
            try:
                body(buffers)
            finally:  # a capture is always ended, also when the step failed inside it
                graph = stream.end_capture()
        return lambda: graph.launch(stream)

    runner = StaticEpochs(step, xp=xp, slices=slices, dropouts=dropouts, capture=capture, context=on_stream)
    runner.keep = (gemm, pool)  # what the graphs point into
    return runner


def _new_stream():
    import cupy

    return cupy.cuda.Stream(non_blocking=True)


#: cuBLAS's 32-bit sizes (the ``_64`` entry points are not used): larger sizes are refused, never truncated.
INT32_MAX = 2**31 - 1

_c = ctypes
#: Every cuBLAS entry point the graph calls: (restype, argtypes), declared on the library before any call.
_SIGNATURES: dict[str, tuple[Any, list]] = {
    "cublasCreate_v2": (_c.c_int, [_c.POINTER(_c.c_void_p)]),
    "cublasDestroy_v2": (_c.c_int, [_c.c_void_p]),
    "cublasSetStream_v2": (_c.c_int, [_c.c_void_p, _c.c_void_p]),
    "cublasSetWorkspace_v2": (_c.c_int, [_c.c_void_p, _c.c_void_p, _c.c_size_t]),
    **{name: (_c.c_int, [_c.c_void_p, _c.c_int, _c.c_int, _c.c_int, _c.c_int, _c.c_int, _c.POINTER(scalar),
                         _c.c_void_p, _c.c_int, _c.c_void_p, _c.c_int, _c.POINTER(scalar), _c.c_void_p, _c.c_int])
       for name, scalar in (("cublasDgemm_v2", _c.c_double), ("cublasSgemm_v2", _c.c_float))},
}


def _candidates() -> list[str]:
    """Where the cuBLAS that CuPy loaded may be, best first: cuda.pathfinder's answer (it looks first
    at what this process has loaded), this process's mapped libraries, the soname of CuPy's CUDA."""
    import cupy

    cupy.cuda.device.get_cublas_handle()  # makes CuPy load its cuBLAS
    paths = []
    try:
        from cuda import pathfinder
    except ImportError:
        pass
    else:
        try:
            path = pathfinder.load_nvidia_dynamic_lib("cublas").abs_path
        except Exception:  # noqa: BLE001  (an optional helper: the next candidates serve)
            path = None
        if path:
            paths.append(path)
    try:
        with open("/proc/self/maps") as maps:
            paths.extend(line.split()[-1] for line in maps if "/libcublas.so" in line)
    except OSError:
        pass
    paths.append(f"libcublas.so.{cupy.cuda.runtime.runtimeGetVersion() // 1000}")
    return list(dict.fromkeys(paths))


def _declared(lib: Any) -> Any:
    """lib with restype and argtypes set on every entry point of :data:`_SIGNATURES` (AttributeError
    where one is missing)."""
    for name, (restype, argtypes) in _SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    return lib


@lru_cache(maxsize=1)
def _cublas_library() -> tuple[Any, str | None]:
    """(the cuBLAS CuPy loaded, declared for ctypes, None), or (None, why not). The whole probe runs
    here, once a process, and any failure in it is a reason (said once, as a FastPathWarning), never
    an exception: the graph then multiplies without cuBLAS."""
    errors = []
    try:
        for path in _candidates():
            try:
                return _declared(ctypes.CDLL(path)), None
            except (OSError, AttributeError) as exc:
                errors.append(f"{path}: {exc}")
        why = "; ".join(errors) or "not found"
    except Exception as exc:  # noqa: BLE001  (the probe must not break training: it is a reason)
        why = f"{type(exc).__name__}: {exc}"
    from . import FastPathWarning

    warnings.warn(f"backend_nn: the CUDA graph cannot call cuBLAS ({why}); its matmul is a broadcast product "
                  "instead, slower past small networks.", FastPathWarning, stacklevel=user_stacklevel())
    return None, why


def _int32(**sizes: int) -> None:
    """Refuse sizes that cuBLAS's 32-bit arguments would truncate."""
    big = {k: v for k, v in sizes.items() if v > INT32_MAX}
    if big:
        raise OverflowError(f"{big} exceed cuBLAS's 32-bit sizes ({INT32_MAX}); the 64-bit API is not used here.")


class _CapturableGemm:
    """Row-major C = A @ B by cuBLAS, called directly on a handle bound to one stream."""

    @classmethod
    def create(cls, stream: Any) -> tuple[_CapturableGemm | None, str | None]:
        """(gemm, None), or (None, why cuBLAS cannot be called)."""
        lib, why = _cublas_library()
        return (None, why) if lib is None else (cls(lib, stream), None)

    def __init__(self, lib: Any, stream: Any) -> None:
        import cupy

        self.lib = lib
        self.handle = ctypes.c_void_p()
        self._check(lib.cublasCreate_v2(ctypes.byref(self.handle)), "cublasCreate")
        self.workspace = cupy.empty((_WORKSPACE_BYTES,), dtype=cupy.uint8)
        self._check(lib.cublasSetWorkspace_v2(self.handle, ctypes.c_void_p(self.workspace.data.ptr),
                                              ctypes.c_size_t(_WORKSPACE_BYTES)), "cublasSetWorkspace")
        self._check(lib.cublasSetStream_v2(self.handle, ctypes.c_void_p(stream.ptr)), "cublasSetStream")

    @staticmethod
    def _check(status: int, what: str) -> None:
        if status != 0:
            raise RuntimeError(f"{what} failed with cuBLAS status {status}")

    def __del__(self) -> None:
        if getattr(self, "handle", None) and self.handle.value:
            self.lib.cublasDestroy_v2(self.handle)

    @staticmethod
    def _transposed(a: Any) -> tuple[int, Any, int]:
        """(op, array, ld) that give cuBLAS (column-major) the matrix a^T."""
        rows, cols = a.shape
        if a.flags.c_contiguous:  # column-major, a's memory is a^T with leading dimension cols
            return _OP_N, a, max(cols, 1)
        if a.flags.f_contiguous:  # column-major, a's memory is a itself
            return _OP_T, a, max(rows, 1)
        import cupy

        return _OP_N, cupy.ascontiguousarray(a), max(cols, 1)

    def matmul(self, a: Any, b: Any) -> Any:
        """a (M, K) @ b (K, N) -> (M, N), as C^T = B^T A^T in cuBLAS's column-major terms."""
        import cupy
        import numpy as np

        (M, K), (_, N) = a.shape, b.shape
        out = cupy.empty((M, N), dtype=a.dtype)
        op_b, b, ldb = self._transposed(b)
        op_a, a, lda = self._transposed(a)
        _int32(M=M, N=N, K=K, lda=lda, ldb=ldb)
        scalar: type[ctypes.c_double | ctypes.c_float]
        if np.dtype(out.dtype) == np.float64:
            gemm, scalar = self.lib.cublasDgemm_v2, ctypes.c_double
        else:
            gemm, scalar = self.lib.cublasSgemm_v2, ctypes.c_float
        one, zero = scalar(1.0), scalar(0.0)
        self._check(gemm(self.handle, op_b, op_a, N, M, K, ctypes.byref(one), b.data.ptr, ldb,
                         a.data.ptr, lda, ctypes.byref(zero), out.data.ptr, max(N, 1)), "cublasGemm")
        return out


class _CaptureSafeNamespace(NamespaceOverlay):
    """``xp`` with a matmul that can be recorded in a CUDA graph: cuBLAS called directly
    (``gemm``), or where that is missing one broadcast product and one reduction over k.
    Everything else is ``xp`` itself."""

    def __init__(self, xp: Any, gemm: _CapturableGemm | None) -> None:
        super().__init__(xp)
        self._gemm = gemm

    def matmul(self, a: Any, b: Any) -> Any:
        if self._gemm is not None:
            return self._gemm.matmul(a, b)
        return self._xp.sum(a[:, :, None] * b[None, :, :], axis=1)


class _CupyGraphRunner:
    """The in-place step captured into CUDA graphs (with and without the cost), replayed.

    The temporaries of the step come from a private memory pool that lives as
    long as the graphs, so their addresses, baked into the graphs, are never
    handed to anything else. One eager step under that pool before capturing
    compiles the kernels and fills the pool, so capture itself allocates
    nothing. Work runs on a private stream; the caller's stream waits on it
    through an event, never through a host sync.
    """

    def __init__(self, step: Callable, parameters: dict, X: Any, Y: Any, *, xp: Any, stream: Any,
                 keep: Any = None) -> None:
        import cupy

        self.xp, self.dtype = xp, X.dtype
        self.note: str | None = None  # why the broadcast matmul stands in for cuBLAS, where it does
        self.keep = keep  # what the graphs point into beside the pool (the cuBLAS handle and workspace)
        self.params = {k: v.copy() for k, v in parameters.items()}  # the graphs own these buffers
        self.pool = cupy.cuda.MemoryPool()
        self.stream = stream
        self.graphs: dict[bool, Any] = {}
        self.costs: dict[bool, Any] = {}
        self.stream.wait_event(cupy.cuda.get_current_stream().record())
        with cupy.cuda.using_allocator(self.pool.malloc), self.stream:
            for with_cost in (True, False):
                scratch = {k: v.copy() for k, v in self.params.items()}
                step(scratch, X, Y, inplace=True, with_cost=with_cost)  # warm-up
                self.stream.synchronize()
                self.stream.begin_capture()
                try:
                    _, self.costs[with_cost] = step(self.params, X, Y, inplace=True, with_cost=with_cost)
                finally:  # a capture is always ended, also when the step failed inside it
                    graph = self.stream.end_capture()
                self.graphs[with_cost] = graph
            self.stream.synchronize()

    def __call__(self, current: dict, n_records: int, cost_every: int) -> tuple[dict, Any]:
        import cupy

        caller = cupy.cuda.get_current_stream()
        self.stream.wait_event(caller.record())
        with self.stream:
            if current is not self.params:  # first call: load the starting point into the graphs' buffers
                for k, v in current.items():
                    self.params[k][...] = v
            costs = self.xp.empty((n_records,), dtype=self.dtype)
            for r in range(n_records):
                self.graphs[True].launch(self.stream)
                costs[r] = self.costs[True]
                for _ in range(cost_every - 1):
                    self.graphs[False].launch(self.stream)
        caller.wait_event(self.stream.record())
        return self.params, costs
