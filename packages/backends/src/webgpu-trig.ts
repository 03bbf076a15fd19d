/**
 * Accurate `Sin` and `Cos` kernels for tfjs-backend-webgpu.
 *
 * tfjs-backend-webgpu 4.22 computes `tf.sin`/`tf.cos` with WGSL's builtin `sin`/`cos`, which the
 * WGSL spec only requires to be accurate to an absolute error of 2⁻¹¹ ≈ 4.9e-4 on [−π, π] (and
 * not at all outside it). SwiftShader (Vulkan on the CPU: CI, headless Chromium) is off by up to
 * 1.9e-4 (measured for |x| ≤ 100; 4.7e-5 for |x| ≤ 1). gcnn's kernel nets are SIRENs,
 * `sin(ω₀·(Wx + b))`, so every sampled kernel was off by ~1e-4, and the whole-network
 * gradients of a training step differed from the cpu backend's by rel. L2 2e-3 to 8e-2 — a
 * gradient with ReLUs and max pools is not continuous in its weights, and on the cpu backend alone
 * the same sin/cos error (1e-4 of noise) moves it as much. With the kernels below the same step
 * agrees with cpu to ~1e-5 (issue 7; docs/guide/backends.md, "Kernels gcnn replaces on webgpu").
 *
 * The kernels are Cephes' `sinf`/`cosf`: Cody–Waite reduction by π/4 in three parts (exact for
 * |x| ≤ 8192), then minimax polynomials — within 6e-8 of the float64 result there. Larger
 * arguments, NaN and ±∞ fall back to the builtins.
 */
import * as tf from '@tensorflow/tfjs-core';

const TRIG_WGSL = `
const GCNN_FOPI : f32 = 1.27323954473516;
const GCNN_DP1 : f32 = 0.78515625;
const GCNN_DP2 : f32 = 2.4187564849853515625e-4;
const GCNN_DP3 : f32 = 3.77489497744594108e-8;

fn gcnnSinPoly(x : f32, z : f32) -> f32 {
  return ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * x + x;
}

fn gcnnCosPoly(z : f32) -> f32 {
  return ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z
      - 0.5 * z + 1.0;
}

fn gcnnTrig(a : f32, isCos : bool) -> f32 {
  let ax = abs(a);
  if (!(ax <= 8192.0)) {
    if (isCos) { return cos(a); }
    return sin(a);
  }
  var j = i32(GCNN_FOPI * ax);
  var y = f32(j);
  if ((j & 1) == 1) {
    j = j + 1;
    y = y + 1.0;
  }
  j = j & 7;
  var sign : f32 = 1.0;
  if (!isCos && a < 0.0) { sign = -1.0; }
  if (j > 3) {
    sign = -sign;
    j = j - 4;
  }
  if (isCos && j > 1) { sign = -sign; }
  let x = ((ax - y * GCNN_DP1) - y * GCNN_DP2) - y * GCNN_DP3;
  let z = x * x;
  if ((j == 1 || j == 2) != isCos) { return sign * gcnnCosPoly(z); }
  return sign * gcnnSinPoly(x, z);
}
`;

/** A tfjs-backend-webgpu program (its `WebGPUProgram` interface): one output per thread. */
class TrigProgram {
  readonly variableNames = ['A'];
  readonly size = true;
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(
    shape: number[],
    private readonly isCos: boolean,
  ) {
    this.outputShape = shape;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    const size = shape.reduce((a, b) => a * b, 1);
    // tfjs-backend-webgpu reshapes a dispatch beyond the device's per-dimension limit.
    this.dispatch = [Math.ceil(size / this.workgroupSize[0]), 1, 1];
    this.shaderKey = isCos ? 'gcnn_cos' : 'gcnn_sin';
  }

  getUserCode(): string {
    return `${TRIG_WGSL}
      fn main(index : i32) {
        if (index < uniforms.size) {
          setOutputAtIndex(index, gcnnTrig(getAByOutputIndex(index), ${this.isCos}));
        }
      }`;
  }
}

interface WebGpuBackendLike {
  runWebGPUProgram(program: TrigProgram, inputs: tf.TensorInfo[], dtype: 'float32'): tf.TensorInfo;
}

const kernelFuncs = {
  Sin: ({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }) =>
    run(inputs, backend, false),
  Cos: ({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }) =>
    run(inputs, backend, true),
} as const;

function run(inputs: tf.NamedTensorInfoMap, backend: unknown, isCos: boolean): tf.TensorInfo {
  const x = inputs.x as tf.TensorInfo;
  return (backend as WebGpuBackendLike).runWebGPUProgram(
    new TrigProgram(x.shape, isCos),
    [x],
    'float32',
  );
}

/**
 * Replaces tfjs-backend-webgpu's `Sin` and `Cos` kernels by accurate ones (see the file comment).
 * Idempotent; returns false where the webgpu backend's kernels are not registered (its package
 * not imported yet). Called by {@link registerWebGpuKernelFixes}.
 */
export function registerWebGpuTrigKernels(): boolean {
  let ok = true;
  for (const name of ['Sin', 'Cos'] as const) {
    const current = tf.getKernel(name, 'webgpu');
    if (current === undefined) {
      ok = false;
      continue;
    }
    if (current.kernelFunc === kernelFuncs[name]) continue;
    tf.unregisterKernel(name, 'webgpu');
    tf.registerKernel({
      kernelName: name,
      backendName: 'webgpu',
      kernelFunc: kernelFuncs[name] as tf.KernelFunc,
    });
  }
  return ok;
}
