import * as tf from '@tensorflow/tfjs-core';
import { guardWasmHeap } from './heap-guard';
import { inKernelScope } from './kernel-scope';
import { rowNormalizeKernels } from './simd/row-normalize-module';
import { wasmBackend, wasmHeap } from './wasm-backend';

/**
 * The kernel names of @gcnn/group-conv's layer norm over the innermost axes (its
 * `ROW_NORMALIZE_KERNELS`): the layer norm runs them when they are registered for the active
 * backend, its composite of tfjs ops otherwise.
 *
 * - `GcnnRowNormalize`: inputs `{ x }`, attrs `{ axes, epsilon }` (the innermost axes) →
 *   `[y, std]`, `y = (x − μ)/std`, `std = √(σ² + ε)` with `std` shaped as `x` with the `axes` 1;
 * - `GcnnRowNormalizeGrad`: inputs `{ dy, y, std }`, attrs `{ axes }` →
 *   `dx = ((dy − mean(dy)) − y·mean(dy·y))/std`.
 */
export const ROW_NORMALIZE = 'GcnnRowNormalize';
export const ROW_NORMALIZE_GRAD = 'GcnnRowNormalizeGrad';

/** `[rows, n]` of `x` for `axes`, which must be float32's innermost axes. */
function rowsOf(kernel: string, x: tf.TensorInfo, axes: number[]): [number, number, number[]] {
  const parsed = tf.util.parseAxisParam(axes, x.shape);
  if (
    x.dtype !== 'float32' ||
    parsed.length === 0 ||
    tf.backend_util.getAxesPermutation(parsed, x.shape.length) !== null
  ) {
    throw new Error(
      `Error in ${kernel} (wasm, @gcnn/tfjs-wasm-training): needs float32 x and its innermost axes, got ${x.dtype} [${x.shape}] and axes [${axes}]`,
    );
  }
  const n = tf.util.sizeFromShape(parsed.map((a) => x.shape[a]!));
  const keep = x.shape.map((d, a) => (parsed.includes(a) ? 1 : d));
  return [tf.util.sizeFromShape(x.shape) / n, n, keep];
}

function simd(backend: tf.KernelBackend) {
  const memory = wasmHeap(backend);
  return memory ? rowNormalizeKernels(memory) : null;
}

/** `GcnnRowNormalize` for wasm: the SIMD kernel (three passes), or the composite without SIMD. */
export const rowNormalizeConfig: tf.KernelConfig = {
  kernelName: ROW_NORMALIZE,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const x = inputs.x as tf.TensorInfo;
    const { axes, epsilon } = attrs as unknown as { axes: number[]; epsilon: number };
    const [rows, n, keep] = rowsOf(ROW_NORMALIZE, x, axes);
    const be = wasmBackend(backend);
    const k = simd(backend as tf.KernelBackend);
    if (!k) return composite(backend as tf.KernelBackend, x, axes, epsilon);
    guardWasmHeap(backend as tf.KernelBackend);
    const y = be.makeOutput([...x.shape], 'float32');
    const std = be.makeOutput(keep, 'float32');
    const at = (t: tf.TensorInfo) => be.getMemoryOffset(t.dataId);
    const epsBits = new Int32Array(Float32Array.of(epsilon).buffer)[0]!;
    k.forward(at(x), at(y), at(std), rows, n, epsBits);
    return [y, std];
  },
};

/** `GcnnRowNormalizeGrad` for wasm: the SIMD kernel (two passes), or the composite without SIMD. */
export const rowNormalizeGradConfig: tf.KernelConfig = {
  kernelName: ROW_NORMALIZE_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, y, std } = inputs as { dy: tf.TensorInfo; y: tf.TensorInfo; std: tf.TensorInfo };
    const { axes } = attrs as unknown as { axes: number[] };
    const [rows, n] = rowsOf(ROW_NORMALIZE_GRAD, dy, axes);
    const be = wasmBackend(backend);
    const k = simd(backend as tf.KernelBackend);
    if (!k) return compositeGrad(backend as tf.KernelBackend, dy, y, std, axes);
    guardWasmHeap(backend as tf.KernelBackend);
    const dx = be.makeOutput([...dy.shape], 'float32');
    const at = (t: tf.TensorInfo) => be.getMemoryOffset(t.dataId);
    k.backward(at(dy), at(y), at(std), at(dx), rows, n);
    return dx;
  },
};

/** The forward as the composite of wasm kernels (engines without wasm SIMD; exported for the tests). */
export function composite(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  axes: number[],
  epsilon: number,
): tf.TensorInfo[] {
  return inKernelScope(backend, ROW_NORMALIZE, (s) => {
    const mean = s.run('Mean', { x }, { axis: axes, keepDims: true });
    const d = s.binary('Sub', x, mean);
    const variance = s.run(
      'Mean',
      { x: s.run('Square', { x: d }) },
      { axis: axes, keepDims: true },
    );
    const eps = s.fill([], epsilon, 'float32');
    const std = s.run('Sqrt', { x: s.binary('Add', variance, eps) });
    return [s.run('RealDiv', { a: d, b: std }), std];
  });
}

/** The gradient as the composite of wasm kernels (engines without wasm SIMD; exported for the tests). */
export function compositeGrad(
  backend: tf.KernelBackend,
  dy: tf.TensorInfo,
  y: tf.TensorInfo,
  std: tf.TensorInfo,
  axes: number[],
): tf.TensorInfo {
  const [dx] = inKernelScope(backend, ROW_NORMALIZE_GRAD, (s) => {
    const meanDy = s.run('Mean', { x: dy }, { axis: axes, keepDims: true });
    const meanDyY = s.run(
      'Mean',
      { x: s.binary('Multiply', dy, y) },
      { axis: axes, keepDims: true },
    );
    const t = s.binary('Sub', s.binary('Sub', dy, meanDy), s.binary('Multiply', y, meanDyY));
    return [s.run('RealDiv', { a: t, b: std })];
  });
  return dx!;
}
