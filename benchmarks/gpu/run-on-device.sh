#!/usr/bin/env bash
# Runs ON THE DEVICE (the `run` tool), from the repository root, after prepare.sh ran here:
#   run(command="bash benchmarks/gpu/run-on-device.sh", carry=["benchmarks/gpu/.bundle"], timeout_s=420)
# Optional: GCNN_BENCH_CONFIGS="se2-separable default", GCNN_BENCH_MODES=train16,infer64,
# GCNN_GPU_ADAPTER=nvidia. Writes $OUT/gpu-bench.jsonl, $OUT/gpu-bench.log and $OUT/env.txt, and
# when prepare.sh --reference bundled the reference, $OUT/reference-cuda.jsonl (run-reference.sh).
# Stops itself within GCNN_DEVICE_BUDGET_S (default 330 s): the reference gets 120 s of it.
set -uo pipefail
B=benchmarks/gpu/.bundle
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu-bench.log") 2>&1
# Vulkan loader (the NVIDIA driver provides the ICD, not the loader).
for f in "$B"/gl/*.deb; do dpkg -x "$f" /; done
ldconfig
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
    /etc/vulkan/icd.d/nvidia_icd.json; do
    [ -f "$icd" ] && export VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd && break
  done
fi
WORK=$(mktemp -d)
mkdir -p "$WORK/xdg" && chmod 700 "$WORK/xdg" && export XDG_RUNTIME_DIR="$WORK/xdg"
xz -dc "$B/node.xz" >"$WORK/node" && chmod +x "$WORK/node"
{
  echo "node $("$WORK/node" --version)"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1
  ldconfig -p | grep libvulkan
  echo "VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-}"
} | tee "$OUT/env.txt"
BUDGET=${GCNN_DEVICE_BUDGET_S:-330}
REF_S=0
[ -f "$B/reference/ck_g_cnn/__init__.py" ] && REF_S=120
# shellcheck disable=SC2086
(cd "$B" && timeout $((BUDGET - REF_S)) "$WORK/node" bench.mjs \
  ${GCNN_BENCH_CONFIGS:-se2-separable default se2-nonseparable sim2-separable2d} \
  --modes "${GCNN_BENCH_MODES:-train16,train64,infer64}" --reps 5) | tee "$OUT/gpu-bench.jsonl"
echo "exit ${PIPESTATUS[0]}"
if [ "$REF_S" -gt 0 ]; then
  bash benchmarks/gpu/run-reference.sh "$OUT/reference-cuda.jsonl" "$REF_S"
fi
