import * as tf from '@tensorflow/tfjs-core';
import { inKernelScope } from './kernel-scope';
import { SINE_LIMIT, sineKernel } from './simd/sine-module';
import { runStockKernel } from './stock-kernels';
import { wasmBackend, wasmHeap } from './wasm-backend';

/**
 * `Sin` or `Cos` for wasm: float32 through the SIMD kernel of simd/sine-module.ts (the last
 * `size mod 4` elements with `Math.sin`/`Math.cos`); the stock kernel for other dtypes, engines
 * without wasm SIMD, and tensors holding some |x| > {@link SINE_LIMIT} (the kernel flags them; its
 * range reduction is exact only below). Values are within 1.2e-7 of the exact ones (two float32 ulps near 1;
 * tested), libm's within 6e-8.
 */
function sineConfig(kernelName: 'Sin' | 'Cos'): tf.KernelConfig {
  const cosine = kernelName === 'Cos' ? 1 : 0;
  const exact = cosine ? Math.cos : Math.sin;
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const memory = wasmHeap(args.backend);
      const kernel = memory && x.dtype === 'float32' ? sineKernel(memory) : null;
      if (!kernel) return runStockKernel(kernelName, args);
      const be = wasmBackend(args.backend);
      const size = tf.util.sizeFromShape(x.shape);
      const at = (t: tf.TensorInfo) => be.getMemoryOffset(t.dataId);
      // in a scope: the flags are freed on return, and everything on a failed allocation
      const [y] = inKernelScope(args.backend as tf.KernelBackend, kernelName, (s) => {
        const out = s.allocate([...x.shape], 'float32');
        const flags = s.allocate([4], 'int32');
        const vectors = Math.floor(size / 4);
        kernel(at(x), at(out), vectors, cosine, at(flags));
        const heap = memory!.buffer;
        if (new Int32Array(heap, at(flags), 4).some((b) => b !== 0)) {
          return [runStockKernel(kernelName, args) as tf.TensorInfo];
        }
        const [xs, ys] = [x, out].map((t) => new Float32Array(heap, at(t), size));
        for (let i = 4 * vectors; i < size; i++) ys![i] = exact(xs![i]!);
        return [out];
      });
      return y!;
    },
  };
}

export const sinConfig = sineConfig('Sin');
export const cosConfig = sineConfig('Cos');
