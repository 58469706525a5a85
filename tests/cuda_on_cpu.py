"""backend_nn's CUDA kernels, from their own sources, on the CPU: a stand-in ``cupy`` for tests.

A source (as ``backend_nn.accelerate._cuda.cuda_source`` puts it together) is compiled by the C++
compiler with ``cuda_on_cpu.hpp`` in front, which gives the few CUDA features the kernels use a
CPU meaning (threads, barriers, warp shuffles; see its header comment). :func:`fake_cupy` returns
a module that the fast paths' Python takes for CuPy: ``RawModule``/``RawKernel`` launch these
compiled kernels on NumPy arrays, the rest is NumPy. So the fast paths' host code (grids, partial
sums, buffers written in place) and their kernels run together, here, against the generic lines.
Each array a kernel gets ends where an inaccessible page begins, so a read or write past its end
stops the process (a segmentation fault, with Python's traceback) instead of touching a neighbour.
What it cannot check: speed, and anything the GPU's own compiler or memory model decides.
"""

from __future__ import annotations

import ctypes
import hashlib
import mmap
import os
import re
import shutil
import subprocess
import tempfile
import types
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

HEADER = Path(__file__).with_name("cuda_on_cpu.hpp")
_BUILD = Path(tempfile.gettempdir()) / f"backend_nn-cuda-on-cpu-{getattr(os, 'getuid', lambda: 0)()}"  # kept between runs
_KERNEL = re.compile(r'extern\s+"C"\s+__global__\s+void\s+(\w+)\s*\(([^)]*)\)', re.S)


def compiler_problem() -> str | None:
    """Why the kernels cannot be built here (no C++17 compiler), or None."""
    cxx = shutil.which("g++") or shutil.which("clang++")
    if cxx is None:
        return "no C++ compiler (g++ or clang++) on PATH"
    try:
        _library("extern \"C\" __global__ void probe(int* x) { __syncthreads(); x[threadIdx.x] = 1; }")
    except RuntimeError as exc:  # the compiler's first error, e.g. no <ucontext.h> (musl) or no C++17
        lines = str(exc).splitlines()
        return " ".join([lines[0]] + [line.strip() for line in lines[1:] if "error" in line][:1])
    return None


def _parameters(text: str, c_type: type) -> list[tuple[str, Any]]:
    """(name, ctypes type) of each parameter of a kernel's signature."""
    out = []
    for piece in text.split(","):
        name = re.findall(r"\w+", piece)[-1]
        if "*" in piece:
            out.append((name, ctypes.c_void_p))
        elif "long long" in piece:
            out.append((name, ctypes.c_longlong))
        elif re.search(r"\bint\b", piece):
            out.append((name, ctypes.c_int))
        elif re.search(r"\bT\b", piece):
            out.append((name, c_type))
        else:
            raise ValueError(f"cuda_on_cpu: no ctypes type for the kernel parameter {piece.strip()!r}")
    return out


def _scalar_type(source: str) -> type:
    found = re.search(r"typedef\s+(float|double)\s+T\s*;", source)
    return ctypes.c_float if found and found.group(1) == "float" else ctypes.c_double


@lru_cache(maxsize=None)
def _library(source: str) -> tuple[ctypes.CDLL, dict[str, list[tuple[str, Any]]]]:
    """The source compiled as a shared library, each kernel with a launcher ``launch_<name>(gx, gy, bx, ...)``."""
    c_type = _scalar_type(source)
    signatures = _KERNEL.findall(source)
    kernels = {name: _parameters(params, c_type) for name, params in signatures}
    launchers = "".join(
        f'\nextern "C" __attribute__((visibility("default")))\n'
        f"void launch_{name}(unsigned gx, unsigned gy, unsigned bx, {params}) {{\n"
        f"    auto body = [&] {{ {name}({', '.join(p for p, _ in kernels[name])}); }};\n"
        f"    cuda_on_cpu::launch(\"{name}\", gx, gy, bx, [](void* b) {{ (*static_cast<decltype(body)*>(b))(); }}, &body);\n}}\n"
        for name, params in signatures)
    text = source + launchers
    # hidden: each library keeps its own state and functions (the same names, other activations); only the
    # launchers are exported
    flags = ["-std=c++17", "-O1", "-fPIC", "-shared", "-fvisibility=hidden", "-Wno-unknown-pragmas"]
    key = hashlib.sha256("\n".join([text, HEADER.read_text(), *flags]).encode()).hexdigest()[:20]
    _BUILD.mkdir(exist_ok=True)
    lib = _BUILD / f"{key}.so"
    if not lib.exists():
        src = _BUILD / f"{key}.cu"
        src.write_text(text)
        cxx = shutil.which("g++") or shutil.which("clang++") or "g++"
        tmp = lib.with_suffix(f".{id(text)}.tmp")
        cmd = [cxx, *flags, "-include", str(HEADER), "-x", "c++", str(src), "-o", str(tmp)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{cxx} could not build the kernels for the CPU:\n{done.stderr[-3000:]}")
        tmp.replace(lib)
    dll = ctypes.CDLL(str(lib))
    for name, params in kernels.items():
        getattr(dll, f"launch_{name}").argtypes = [ctypes.c_uint] * 3 + [t for _, t in params]
        getattr(dll, f"launch_{name}").restype = None
    return dll, kernels


class _Guarded:
    """A copy of an array whose last byte is followed by a page that can be neither read nor written."""

    _mprotect = None

    def __init__(self, a: np.ndarray) -> None:
        pages = -(-a.nbytes // mmap.PAGESIZE) + 1
        self.map = mmap.mmap(-1, pages * mmap.PAGESIZE)
        start = (pages - 1) * mmap.PAGESIZE - a.nbytes  # a multiple of the itemsize: aligned as NumPy's
        self.view = np.frombuffer(self.map, dtype=a.dtype, count=a.size, offset=start).reshape(a.shape)
        self.view[...] = a
        if _Guarded._mprotect is None:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
            _Guarded._mprotect = libc.mprotect
        self.guard = self.view.ctypes.data + a.nbytes
        if _Guarded._mprotect(self.guard, mmap.PAGESIZE, 0) != 0:  # PROT_NONE
            raise OSError(ctypes.get_errno(), "mprotect of the guard page failed")

    def release(self) -> None:
        _Guarded._mprotect(self.guard, mmap.PAGESIZE, mmap.PROT_READ | mmap.PROT_WRITE)
        del self.view
        self.map.close()


#: CUDA's limits on a launch (compute capability 3.0 and later): a grid's x and y dimensions, a block's threads.
GRID_MAX, BLOCK_MAX = (2**31 - 1, 65535), 1024


class Kernel:
    """A kernel called as CuPy's are: ``kernel(grid, block, args)``, here on NumPy arrays."""

    max_threads_per_block = 128  # what the fused runner sizes its one block by (fibers here: fewer run faster)

    def __init__(self, source: str, name: str) -> None:
        dll, kernels = _library(source)
        if name not in kernels:
            raise AttributeError(f"no kernel {name!r} in the source (it has {sorted(kernels)})")
        self.name, self._launch, self._params = name, getattr(dll, f"launch_{name}"), kernels[name]
        self.launches = 0

    def __call__(self, grid: tuple, block: tuple, args: tuple) -> None:
        if len(args) != len(self._params):
            raise TypeError(f"{self.name} takes {len(self._params)} arguments; got {len(args)}")
        gx, gy = (tuple(grid) + (1,))[:2]
        (bx,) = block
        if not (1 <= gx <= GRID_MAX[0] and 1 <= gy <= GRID_MAX[1] and 1 <= bx <= BLOCK_MAX):
            raise RuntimeError(f"{self.name}: grid ({gx}, {gy}) of blocks of {bx} threads: CUDA takes grids up to "
                               f"{GRID_MAX} and blocks of 1..{BLOCK_MAX} threads (cudaErrorInvalidConfiguration)")
        values, guarded = [], {}  # one guarded copy per array: an array passed twice stays one (in place)
        for (pname, ctype), a in zip(self._params, args):
            if ctype is ctypes.c_void_p:
                if not isinstance(a, np.ndarray) or not a.flags.c_contiguous:
                    raise TypeError(f"{self.name}: {pname} must be a C-contiguous array; got {type(a).__name__}")
                key = (a.ctypes.data, a.nbytes)
                if key not in guarded:
                    if any(np.may_share_memory(a, other) for other, _ in guarded.values()):
                        raise TypeError(f"{self.name}: {pname} overlaps another argument without being it")
                    guarded[key] = (a, _Guarded(a))
                values.append(guarded[key][1].view.ctypes.data)
            else:
                values.append(a.item() if isinstance(a, np.generic) else a)
        self.launches += 1
        try:
            self._launch(gx, gy, bx, *values)
            for a, g in guarded.values():
                if a.flags.writeable:
                    a[...] = g.view  # what the kernel wrote (and the rest as it was)
        finally:
            for _, g in guarded.values():
                g.release()


def fake_cupy(multiprocessors: int = 4) -> types.ModuleType:
    """A module that the fast paths' Python takes for ``cupy``: the kernels run on the CPU from their
    CUDA sources (:class:`Kernel`), every array is a NumPy array, and one device with
    ``multiprocessors`` SMs is counted."""
    cp = types.ModuleType("cupy", "a stand-in for CuPy: backend_nn's kernels on the CPU (tests/cuda_on_cpu.py)")

    class RawModule:
        def __init__(self, code: str, **_: Any) -> None:
            self.code = code

        def get_function(self, name: str) -> Kernel:
            return Kernel(self.code, name)

    class Device:
        attributes = {"MultiProcessorCount": multiprocessors}

        def __init__(self, device: int | None = None) -> None:
            if device not in (None, 0):
                raise ValueError(f"the CPU stand-in has one device, 0; got {device}")
            self.id = 0

        def __enter__(self) -> "Device":
            return self

        def __exit__(self, *exc: Any) -> None:
            return None

    cp.RawModule = RawModule
    cp.RawKernel = lambda code, name, **_: Kernel(code, name)
    cp.cuda = types.SimpleNamespace(Device=Device)
    for name in ("empty", "empty_like", "ascontiguousarray", "sum"):  # what the fast paths call; a new call fails loudly
        setattr(cp, name, getattr(np, name))
    return cp
