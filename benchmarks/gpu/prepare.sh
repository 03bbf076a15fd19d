#!/usr/bin/env bash
# Run HERE (the dev machine), from the repository root, before calling the device tool:
#   bash benchmarks/gpu/prepare.sh
# Builds benchmarks/gpu/.bundle/ (git-ignored through .git/info/exclude), which the device `run`
# carries: a Node binary (xz), bench.mjs (measure-webgpu.ts + gcnn + tfjs bundled), the webgpu
# package (Dawn's prebuilt dawn.node for linux-x64) and the Vulkan loader .deb (the device has
# the NVIDIA driver's ICD but no libvulkan.so.1). Total must stay under the device tool's 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=benchmarks/gpu/.bundle
grep -qx '/benchmarks/gpu/.bundle/' .git/info/exclude 2>/dev/null || echo '/benchmarks/gpu/.bundle/' >>.git/info/exclude
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
apt-get $o update -qq >/dev/null && (cd "$B/gl" && apt-get $o download libvulkan1 >/dev/null)
du -sh "$B"; du -sb "$B" | awk '{ if ($1 > 60*1024*1024) { print "bundle over 60 MiB"; exit 1 } }'
echo "ready: carry [\"benchmarks/gpu/.bundle\"] and run benchmarks/gpu/run-on-device.sh"
