import type * as tf from '@tensorflow/tfjs-core';
import { guardWasmHeap } from './heap-guard';
import { perChannelMixKernels } from './simd/per-channel-mix-module';
import { wasmBackend, wasmHeap } from './wasm-backend';

/**
 * The kernel names of @gcnn/group-conv's per-channel mixing (its `PER_CHANNEL_MIX_KERNELS`), which
 * it runs where they are registered for the active backend (a block-diagonal matMul otherwise):
 *
 * - `GcnnPerChannelMix`, inputs `{ x, w }`: x `[M, S, C]`, w `[S, T, C]` → `[M, T, C]`,
 *   `out[m, t, c] = Σ_s x[m, s, c] · w[s, t, c]`;
 * - `GcnnPerChannelMixFilter`, inputs `{ x, dy }`: x `[M, S, C]`, dy `[M, T, C]` → `[S, T, C]`,
 *   `out[s, t, c] = Σ_m x[m, s, c] · dy[m, t, c]` (the gradient with respect to w; the gradient
 *   with respect to x is `GcnnPerChannelMix` of dy with w's first two axes swapped).
 */
export const PER_CHANNEL_MIX = 'GcnnPerChannelMix';
export const PER_CHANNEL_MIX_FILTER = 'GcnnPerChannelMixFilter';

/** `[M, S, T, C]` of one call, validated. */
function geometry(
  kernel: string,
  x: tf.TensorInfo,
  other: tf.TensorInfo,
): [number, number, number, number] {
  const otherName = kernel === PER_CHANNEL_MIX ? 'w' : 'dy';
  const fail = (what: string): never => {
    throw new Error(
      `Error in ${kernel} (wasm, @gcnn/tfjs-wasm-training): ${what}, got x ${x.dtype} [${x.shape}] and ${otherName} ${other.dtype} [${other.shape}]`,
    );
  };
  if (x.dtype !== 'float32' || other.dtype !== 'float32') fail(`needs float32 x and ${otherName}`);
  if (x.shape.length !== 3 || other.shape.length !== 3) fail(`x and ${otherName} must be rank 3`);
  const [m, s, c] = x.shape as [number, number, number];
  if (kernel === PER_CHANNEL_MIX) {
    if (other.shape[0] !== s || other.shape[2] !== c) fail('w must be [S, T, C] for x [M, S, C]');
    return [m, s, other.shape[1]!, c];
  }
  if (other.shape[0] !== m || other.shape[2] !== c) fail('dy must be [M, T, C] for x [M, S, C]');
  return [m, s, other.shape[1]!, c];
}

/** The same sums one element at a time, where the SIMD kernels do not apply. */
function scalar(
  kind: 'mix' | 'filter',
  heap: Float32Array,
  at: { a: number; b: number; out: number },
  [m, s, t, c]: [number, number, number, number],
): void {
  const [a, b, out] = [at.a / 4, at.b / 4, at.out / 4];
  if (kind === 'mix') {
    for (let row = 0; row < m; row++)
      for (let tt = 0; tt < t; tt++)
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          for (let ss = 0; ss < s; ss++)
            sum += heap[a + (row * s + ss) * c + ch]! * heap[b + (ss * t + tt) * c + ch]!;
          heap[out + (row * t + tt) * c + ch] = sum;
        }
    return;
  }
  for (let ss = 0; ss < s; ss++)
    for (let tt = 0; tt < t; tt++)
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (let row = 0; row < m; row++)
          sum += heap[a + (row * s + ss) * c + ch]! * heap[b + (row * t + tt) * c + ch]!;
        heap[out + (ss * t + tt) * c + ch] = sum;
      }
}

function config(kernelName: string, kind: 'mix' | 'filter'): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      const other = (kind === 'mix' ? inputs.w : inputs.dy) as tf.TensorInfo;
      const g = geometry(kernelName, x, other);
      const [m, s, t, c] = g;
      const be = wasmBackend(backend);
      guardWasmHeap(backend as tf.KernelBackend);
      const out = be.makeOutput(kind === 'mix' ? [m, t, c] : [s, t, c], 'float32');
      const at = {
        a: be.getMemoryOffset(x.dataId),
        b: be.getMemoryOffset(other.dataId),
        out: be.getMemoryOffset(out.dataId),
      };
      const memory = wasmHeap(backend);
      const k = memory ? perChannelMixKernels(memory, c) : null;
      if (k) k[kind](at.a, at.b, at.out, m, s, t, c);
      else scalar(kind, new Float32Array(memory!.buffer), at, g);
      return out;
    },
  };
}

/** `GcnnPerChannelMix` for wasm (SIMD; one element at a time where `C % 4 ≠ 0`). */
export const perChannelMixConfig = config(PER_CHANNEL_MIX, 'mix');
/** `GcnnPerChannelMixFilter` for wasm (SIMD; one element at a time where `C % 4 ≠ 0`). */
export const perChannelMixFilterConfig = config(PER_CHANNEL_MIX_FILTER, 'filter');
