/**
 * gcnn's corrections to tfjs-backend-webgpu 4.22's kernels (issue 7), installed by
 * `selectBackend('webgpu')`. Each file says what is wrong upstream and what replaces it:
 *
 * - `Sin`, `Cos`: WGSL builtins, off by up to 1.9e-4 on SwiftShader (./webgpu-trig);
 * - binary ops of a rank-5/6 tensor with a rank-1 one: an uncompilable shader, so the output is
 *   left unwritten (./webgpu-binary-rank5).
 */
import { registerWebGpuBinaryRank5Fix } from './webgpu-binary-rank5';
import { registerWebGpuTrigKernels } from './webgpu-trig';

/**
 * Installs every correction of this module into tfjs' kernel registry for the `webgpu` backend.
 * Call after @tensorflow/tfjs-backend-webgpu is imported (it registers its kernels on import);
 * `selectBackend('webgpu')` does, and apps that call `tf.setBackend('webgpu')` themselves should.
 * Idempotent. Returns false when the webgpu backend's kernels were not found (nothing replaced).
 */
export function registerWebGpuKernelFixes(): boolean {
  const trig = registerWebGpuTrigKernels();
  const binary = registerWebGpuBinaryRank5Fix();
  return trig && binary;
}
