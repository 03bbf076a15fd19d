#!/usr/bin/env bash
# Run HERE (the dev machine), from the repository root, before calling the device tool:
#   bash benchmarks/gpu/prepare.sh [--reference <dir>]
# Builds benchmarks/gpu/.bundle/ (git-ignored by the root .gitignore), which the device `run`
# carries: a Node binary (xz), bench.mjs (measure-webgpu.ts + gcnn + tfjs bundled), the webgpu
# package (Dawn's prebuilt dawn.node for linux-x64) and the Vulkan loader .deb (the device has
# the NVIDIA driver's ICD but no libvulkan.so.1). With --reference <dir> (the folder holding the
# PyTorch reference's package ck_g_cnn/, commit e2de2bd) also reference/: that package, its
# LICENSE and configs.json (the benchmark ModelConfigs), for run-reference.sh on the device's
# torch + CUDA. Never committed. Total must stay under 60 MiB (the device tool carries 64).
set -euo pipefail
REF=
while [ $# -gt 0 ]; do
  case "$1" in
    --reference) REF=${2:?--reference needs the folder holding ck_g_cnn/}; shift 2 ;;
    *) echo "prepare.sh: unknown argument '$1' (usage: prepare.sh [--reference <dir>])" >&2; exit 2 ;;
  esac
done
if [ -n "$REF" ] && [ ! -f "$REF/ck_g_cnn/__init__.py" ]; then
  echo "prepare.sh: --reference $REF must be the folder holding ck_g_cnn/ ($REF/ck_g_cnn/__init__.py not found)" >&2
  exit 2
fi
REF=${REF:+$(cd "$REF" && pwd)}
cd "$(dirname "$0")/../.."
B=benchmarks/gpu/.bundle
rm -rf "$B" && mkdir -p "$B/webgpu/dist/linux-x64" "$B/gl"
export TURBO_TELEMETRY_DISABLED=1
ESBUILD=$(ls -d node_modules/.pnpm/esbuild@0.28.2/node_modules/esbuild/bin/esbuild)
# Source conditions: bundle the workspace packages from src (no build needed); webgpu stays external.
"$ESBUILD" benchmarks/gpu/measure-webgpu.ts --bundle --platform=node --format=esm --target=node20 \
  --conditions=@gcnn/source --external:webgpu --outfile="$B/bench.mjs" \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
  --log-level=warning
W=$(readlink -f packages/backends/node_modules/webgpu)
cp "$W/index.js" "$W/package.json" "$B/webgpu/"
cp "$W/dist/linux-x64/dawn.node" "$B/webgpu/dist/linux-x64/"
mkdir -p "$B/node_modules" && ln -sfn ../webgpu "$B/node_modules/webgpu"
# Node: this machine's /usr/bin/node (official build, links only glibc/libstdc++), compressed.
xz -T2 -6 -c "$(readlink -f "$(command -v node)")" >"$B/node.xz"
# Vulkan loader, as the device README describes (amd64 .deb, unpacked there with dpkg -x).
lists=$(mktemp -d)
o="-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=$lists"
mkdir -p "$lists/partial"
apt-get $o update -qq >/dev/null && (cd "$B/gl" && apt-get $o download libvulkan1 libglvnd0 libglx0 libgl1 libegl1 libopengl0 libgles2 >/dev/null)
if [ -n "$REF" ]; then
  # The reference's package as it is (no caches), and the configurations it is built from.
  mkdir -p "$B/reference"
  (cd "$REF" && tar --exclude=__pycache__ --exclude=.DS_Store -cf - ck_g_cnn) | tar -xf - -C "$B/reference"
  [ -f "$REF/LICENSE" ] && cp "$REF/LICENSE" "$B/reference/LICENSE"
  chmod -R u+w "$B/reference" # a read-only source stays removable by the next prepare.sh
  tmp=$(mktemp -d)
  "$ESBUILD" benchmarks/src/print-configs.ts --bundle --platform=node --format=esm --target=node20 \
    --conditions=@gcnn/source --outfile="$tmp/print-configs.mjs" --log-level=warning \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
  node "$tmp/print-configs.mjs" >"$B/reference/configs.json"
  rm -rf "$tmp"
fi
du -sh "$B"; du -sb "$B" | awk '{ if ($1 > 60*1024*1024) { print "bundle over 60 MiB"; exit 1 } }'
echo "ready: carry [\"benchmarks/gpu/.bundle\"] and run benchmarks/gpu/run-on-device.sh"
