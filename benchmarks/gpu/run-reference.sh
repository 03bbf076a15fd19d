#!/usr/bin/env bash
# The PyTorch reference on the device's GPU, next to gcnn's webgpu numbers: called by
# run-on-device.sh when prepare.sh --reference bundled the reference. From the repository root:
#   bash benchmarks/gpu/run-reference.sh <results.jsonl> [time limit in s, default 120]
# Runs benchmarks/reference/bench_reference.py step on every configuration × mode in one Python
# process (CUDA starts once), --device cuda: synchronized timings, peak CUDA memory per cell.
# Options: GCNN_BENCH_CONFIGS, GCNN_BENCH_MODES (as run-on-device.sh), GCNN_REF_PYTHON (python3),
# GCNN_REF_DEVICE (cuda; cpu checks this script on a machine without a GPU).
set -uo pipefail
B=benchmarks/gpu/.bundle
RESULTS=${1:?usage: run-reference.sh <results.jsonl> [time limit in s]}
LIMIT=${2:-120}
PY=${GCNN_REF_PYTHON:-python3}
if [ ! -f "$B/reference/ck_g_cnn/__init__.py" ] || [ ! -f "$B/reference/configs.json" ]; then
  echo "run-reference.sh: no reference in $B (run prepare.sh --reference <dir> first)" >&2
  exit 2
fi
configs=${GCNN_BENCH_CONFIGS:-se2-separable default se2-nonseparable sim2-separable2d}
"$PY" -c 'import torch; print("reference: torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available())'
# Each RESULT line as one JSON line of $RESULTS (the lines written before a timeout are kept).
timeout "$LIMIT" "$PY" benchmarks/reference/bench_reference.py step --reference "$B/reference" \
  --configs "$B/reference/configs.json" --config "${configs// /,}" \
  --mode "${GCNN_BENCH_MODES:-train16,train64,infer64}" --device "${GCNN_REF_DEVICE:-cuda}" \
  --warmup 2 --reps 5 | sed -un 's/^RESULT //p' | tee "$RESULTS"
echo "reference exit ${PIPESTATUS[0]}"
