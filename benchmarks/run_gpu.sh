#!/usr/bin/env bash
# The GPU suite: the CuPy tests, then the benchmarks with their GPU rows, each part on its own.
# On the lent GPU machine (no network), array-api-compat/strict and dask travel as wheels in .whl/
# (bash benchmarks/gpu_wheels.sh fills it; carry [".whl"]).
#   bash benchmarks/run_gpu.sh [OUTDIR] [PART ...]
# PART: tests profile profile-step training deep minibatch stream (default: all, in that order). A lent machine
# allows 10 minutes a command and 15 a session. Times on an H100 (session 42): tests 82 s (and ~15 s for the
# process to exit), minibatch (mid and deep) 94 s, stream 26 s, deep with only the CPU baselines (not yet run) ~60 s,
# training ~80 s a size. Each part is stopped after PART_SECONDS (default 280), so that one that hangs
# (a capture that never ends, say) leaves the call's time to the next.
set -uo pipefail
cd "$(dirname "$0")/.."
OUTDIR=${1:-benchmarks/results}; shift || true
PARTS=${*:-tests profile profile-step training deep minibatch stream}
if ! nvidia-smi -L > /dev/null 2>&1; then  # before anything is written: the recorded results stay as they are
  echo "run_gpu.sh: no NVIDIA GPU here (nvidia-smi finds none): nothing run, nothing written in $OUTDIR." >&2
  exit 1
fi
mkdir -p "$OUTDIR"
if [ -d .whl ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site:${PYTHONPATH:-}
fi
export PYTHONPATH=.:${PYTHONPATH:-} PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$OUTDIR/gpu-device.txt"
quiet() { grep -v -i "warn"; }
python3() {  # env: the program, not this function
  timeout --kill-after=10 "${PART_SECONDS:-280}" env python3 "$@"
  local rc=$?
  if [ $rc = 124 ] || [ $rc = 137 ]; then echo "run_gpu.sh: stopped after ${PART_SECONDS:-280} s (PART_SECONDS): python3 $*"; fi
  return $rc
}
for part in $PARTS; do
  case $part in
    tests) python3 -m pytest -m gpu -q -ra -p no:cacheprovider 2>&1 | tee "$OUTDIR/gpu-tests.log" | tail -25 ;;
    profile) python3 benchmarks/profile_cupy_step.py 2>&1 | tee "$OUTDIR/gpu-profile-large.log" ;;
    profile-step) for a in "--size mid --dtype float64" "--size mid --dtype float32" "--size deep"; do
                    python3 benchmarks/profile_step.py $a; done 2>&1 | grep -v USDT | tee "$OUTDIR/gpu-profile-step.log" ;;
    training) python3 benchmarks/bench_training.py --gpu --cpu-baselines-only --repeats 5 --out "$OUTDIR/gpu-h100.json" \
                2>&1 | quiet | tee "$OUTDIR/gpu-bench.log" ;;
    deep) python3 benchmarks/bench_deep.py --gpu --cpu-baselines-only --rounds 3 --out "$OUTDIR/deep-gpu.json" 2>&1 | quiet | tee "$OUTDIR/deep-gpu.log" ;;
    minibatch) python3 benchmarks/bench_minibatch.py --gpu --deep --out "$OUTDIR/minibatch-gpu.json" 2>&1 | quiet \
                 | tee "$OUTDIR/minibatch-gpu.log" ;;
    stream) python3 benchmarks/bench_stream.py --gpu --out "$OUTDIR/stream-gpu.json" 2>&1 | quiet \
              | tee "$OUTDIR/stream-gpu.log" ;;
    *) echo "unknown part $part (tests profile profile-step training deep minibatch stream)"; exit 2 ;;
  esac
done
