#!/usr/bin/env bash
# Wheels for the lent GPU machine, which has no network: array-api-compat and array-api-strict
# (../shared/wheels), and dask + distributed with what they need beyond the machine's image (for the
# dask-on-CuPy test and the dask benchmark), built for its Python. Into .whl/ (git-ignored), which a
# device run carries (carry: [".whl"]) and benchmarks/run_gpu.sh installs with --no-deps.
#   bash benchmarks/gpu_wheels.sh [PYTHON_VERSION]      # default 3.12, the GPU image's
set -euo pipefail
cd "$(dirname "$0")/.."
PYVER=${1:-3.12}
mkdir -p .whl
cp ../shared/wheels/*.whl .whl/
# no numpy (the image has its own), no dask-cuda (numba and llvmlite alone are 63 MB of the 64 MB a run carries)
python3 -m pip download -q "dask>=2024.8" "distributed>=2024.8" --python-version "$PYVER" --only-binary=:all: \
  --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 -d .whl \
  2>&1 | grep -v "^WARNING: Location" || true
rm -f .whl/numpy-*.whl
du -sh .whl && ls .whl
