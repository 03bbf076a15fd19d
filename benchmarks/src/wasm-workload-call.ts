import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '@gcnn/tfjs-wasm-training';
import { createWorkload, type Workload } from './workload';

/**
 * The profilers' setup (profile-step.ts, cpu-profile-step.ts): the wasm backend with
 * @gcnn/tfjs-wasm-training's kernels, the workload of `config` and `mode`, and `call`, which runs
 * it once and waits for its output.
 */
export async function wasmWorkloadCall(
  config: string,
  mode: string,
): Promise<{ workload: Workload; call: () => void }> {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
  const workload = createWorkload(config, mode);
  const call = () => {
    const out = workload.run();
    out.dataSync();
    out.dispose();
  };
  return { workload, call };
}
