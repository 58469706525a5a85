"""The CUDA sources of the CuPy fast paths compile, without a GPU.

NVRTC, CUDA's runtime compiler, needs no device: where CuPy and an NVRTC library are installed
(``pip install cupy-cuda13x nvidia-cuda-nvrtc``), every kernel source is compiled here as CuPy
compiles it on a GPU, for each dtype and activation, to PTX for the oldest architecture NVRTC
supports and for the H100/H200's (sm_90), and the kernels the fast paths look up must be in it.
A source broken by a change then fails on any machine with the toolkit, not first on a lent GPU.
Whether the kernels compute the right values: test_cuda_kernels_on_cpu (their sources built for
the CPU, where a C++ compiler is) and test_cupy_fast_paths (on a GPU).
"""

import itertools

import pytest

from backend_nn.accelerate._cuda import ACT_CODES, cuda_source
from backend_nn.accelerate.cupy_fused import MAX_ACCUMULATORS
from backend_nn.accelerate.cupy_lines import KERNELS, _UNROLL


@pytest.fixture(scope="module")
def nvrtc():
    pytest.importorskip("cupy", reason="CuPy is not installed")
    from cupy.cuda import nvrtc

    try:
        archs = nvrtc.getSupportedArchs()
    except Exception as exc:  # CuPy without an NVRTC library it can load
        pytest.skip(f"NVRTC does not load ({type(exc).__name__}: {exc}); pip install nvidia-cuda-nvrtc")
    return nvrtc, sorted({min(archs), 90} & set(archs))


def _ptx(nvrtc, source: str, arch: int) -> str:
    """PTX of ``source`` with the options CuPy's RawModule/RawKernel pass, or the compiler's log."""
    prog = nvrtc.createProgram(source, "kern.cu", (), ())
    try:
        try:
            nvrtc.compileProgram(prog, (f"-arch=compute_{arch}", "--device-as-default-execution-space"))
        except nvrtc.NVRTCError as exc:
            pytest.fail(f"NVRTC failed for compute_{arch}: {exc}\n{nvrtc.getProgramLog(prog)}")
        ptx = nvrtc.getPTX(prog)
        return ptx.decode() if isinstance(ptx, bytes) else ptx
    finally:
        nvrtc.destroyProgram(prog)


def _largest_shallow_network() -> tuple[int, int]:
    """(n_x, n_h) with n_h n_x + 2 n_h + 2 = MAX_ACCUMULATORS or just below it, n_h as large as it goes."""
    n_x = 2
    n_h = (MAX_ACCUMULATORS - 2) // (n_x + 2)
    return n_x, n_h


@pytest.mark.parametrize("dtype, activation", list(itertools.product(["float64", "float32"], ACT_CODES)))
def test_the_cuda_sources_compile_with_nvrtc(nvrtc, dtype, activation):
    nvrtc, archs = nvrtc
    sources = [("hidden_lines.cu", {"UNROLL": _UNROLL}, KERNELS)]
    for n_x, n_h in [(2, 4), (1, 1), _largest_shallow_network()]:
        sources.append(("shallow_step.cu", {"NX": n_x, "NH": n_h}, ("shallow_train",)))
    for (kernel_file, defines, kernels), arch in itertools.product(sources, archs):
        ptx = _ptx(nvrtc, cuda_source(kernel_file, dtype, activation, **defines), arch)
        for name in kernels:
            assert f".entry {name}(" in ptx, f"{kernel_file} {defines}: no kernel {name} in the PTX for compute_{arch}"
        assert f".target sm_{arch}" in ptx
