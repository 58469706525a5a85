#!/usr/bin/env bash
# The GPU suite in one call: the CuPy tests, then the benchmark with the GPU rows.
# On the lent GPU machine (no network), array-api-compat/strict travel as wheels in .whl/.
#   bash benchmarks/run_gpu.sh [OUTDIR]
set -uo pipefail
cd "$(dirname "$0")/.."
OUTDIR=${1:-benchmarks/results}; shift || true
mkdir -p "$OUTDIR"
if [ -d .whl ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site:${PYTHONPATH:-}
fi
export PYTHONPATH=.:${PYTHONPATH:-} PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$OUTDIR/gpu-device.txt"
python3 -m pytest -m gpu -q -ra -p no:cacheprovider 2>&1 | tee "$OUTDIR/gpu-tests.log" | tail -15
python3 benchmarks/profile_cupy_step.py 2>&1 | tee "$OUTDIR/gpu-profile-large.log"
python3 benchmarks/bench_training.py --gpu --cpu-baselines-only --repeats 5 --out "$OUTDIR/gpu-h100.json" "$@" 2>&1 \
  | grep -v -i "warn" | tee "$OUTDIR/gpu-bench.log"
python3 benchmarks/bench_deep.py --gpu --out "$OUTDIR/deep-gpu.json" 2>&1 | grep -v -i "warn" | tee "$OUTDIR/deep-gpu.log"
python3 benchmarks/bench_minibatch.py --gpu --deep --out "$OUTDIR/minibatch-gpu.json" 2>&1 | grep -v -i "warn" \
  | tee "$OUTDIR/minibatch-gpu.log"
python3 benchmarks/bench_stream.py --gpu --out "$OUTDIR/stream-gpu.json" 2>&1 | grep -v -i "warn" | tee "$OUTDIR/stream-gpu.log"
