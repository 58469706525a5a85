"""What the CuPy kernels share: activation codes, C types, and how a kernel's source is put together.

A source is the defines (T, ACT, and any more a kernel needs), then ``activations.cuh`` (g and
g' in CUDA), then the kernel file, all beside this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

#: ACT in the CUDA sources, per activation name.
ACT_CODES = {"tanh": 0, "sigmoid": 1, "relu": 2, "leaky_relu": 3, "linear": 4}
_HERE = Path(__file__).parent


def ctype(dtype: Any) -> str:
    """The C type of a float32 / float64 dtype."""
    return {np.float64: "double", np.float32: "float"}[np.dtype(dtype).type]


def cuda_source(kernel_file: str, dtype: Any, activation: str, **defines: int) -> str:
    """The CUDA source of ``kernel_file`` for one dtype and activation, with ``defines`` added."""
    header = f"typedef {ctype(dtype)} T;\n#define ACT {ACT_CODES[activation]}\n"
    header += "".join(f"#define {name} {value}\n" for name, value in defines.items())
    return header + (_HERE / "activations.cuh").read_text() + (_HERE / kernel_file).read_text()


def slope(g: Any, dtype: Any) -> np.generic:
    """The kernels' ``slope`` argument: leaky relu's negative slope (0 for every other activation) as a
    scalar of the kernel's T."""
    return np.dtype(dtype).type(g.negative_slope or 0.0)
