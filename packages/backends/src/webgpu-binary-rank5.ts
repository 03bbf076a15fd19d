/**
 * Binary ops of a rank-5/6 tensor with a rank-1 tensor on tfjs-backend-webgpu.
 *
 * tfjs-backend-webgpu 4.22's `BinaryOpProgram` has a "shared memory" path for one operand of
 * rank ≤ 1 and length < 128 against another of rank > 1 (e.g. `tf.add(x, bias)`). It reads the
 * broadcast operand as `sharedBuf[coords[rank − 1]]`, but for an output of rank 5 or 6 `coords`
 * is WGSL struct `vec5`/`vec6`, which cannot be indexed: the shader fails to compile ("cannot
 * index type 'vec5'", printed once to the console), the dispatch does nothing and the output
 * keeps whatever its buffer held — zeros for a fresh buffer, stale data for a pooled one, so
 * the results differ from run to run. It hits every GPU-resident `[b, h, w, G, C] ⊕ [C]`
 * (2 ≤ C < 128): a group conv's bias, `tf.sub(x, tf.moments(x, [0, 1, 2, 3]).mean)`, …
 *
 * Fix: the rank-1 operand is passed to the stock kernel as `[1, C]` (same data, same
 * broadcast result), which takes the program's general broadcasting path.
 */
import * as tf from '@tensorflow/tfjs-core';

/** tfjs-backend-webgpu's kernels built on BinaryOpProgram with a broadcasting pair of inputs. */
const BINARY_KERNELS = [
  'Add',
  'Atan2',
  'Equal',
  'FloorDiv',
  'Greater',
  'GreaterEqual',
  'Less',
  'LessEqual',
  'LogicalAnd',
  'LogicalOr',
  'Maximum',
  'Minimum',
  'Mod',
  'Multiply',
  'NotEqual',
  'Pow',
  'Prelu',
  'RealDiv',
  'SquaredDifference',
  'Sub',
] as const;

const wrapped = new WeakSet<tf.KernelFunc>();

/** `inputs` with a rank-1 input viewed as `[1, n]` when the other has rank ≥ 5. */
function widenRank1(inputs: tf.NamedTensorInfoMap): tf.NamedTensorInfoMap {
  const names = Object.keys(inputs);
  if (names.length !== 2) return inputs;
  const [p, q] = names.map((n) => inputs[n] as tf.TensorInfo) as [tf.TensorInfo, tf.TensorInfo];
  const out = { ...inputs };
  if (p.shape.length === 1 && q.shape.length >= 5)
    out[names[0]!] = { ...p, shape: [1, p.shape[0]!] };
  else if (q.shape.length === 1 && p.shape.length >= 5)
    out[names[1]!] = { ...q, shape: [1, q.shape[0]!] };
  else return inputs;
  return out;
}

/**
 * Wraps tfjs-backend-webgpu's binary kernels so that a rank-1 operand against a rank-5/6 one
 * avoids the broken shader (see the file comment). Idempotent; returns false where the webgpu
 * backend's kernels are not registered. Called by {@link registerWebGpuKernelFixes}.
 */
export function registerWebGpuBinaryRank5Fix(): boolean {
  let ok = true;
  for (const name of BINARY_KERNELS) {
    const config = tf.getKernel(name, 'webgpu');
    if (config === undefined) {
      ok = false;
      continue;
    }
    if (wrapped.has(config.kernelFunc)) continue;
    const stock = config.kernelFunc;
    const kernelFunc: tf.KernelFunc = (args) => stock({ ...args, inputs: widenRank1(args.inputs) });
    wrapped.add(kernelFunc);
    tf.unregisterKernel(name, 'webgpu');
    tf.registerKernel({ ...config, kernelFunc });
  }
  return ok;
}
