/**
 * Where does a model run out of wasm memory? `tsx src/diagnose-memory.ts <config> <train|infer> <batch> [lean|checkpoint|autodiff]`:
 * wraps every wasm kernel, tracks the wasm heap size and live tf bytes, on a trap prints the
 * failing kernel with its input shapes, and lists the kernels during which the heap grew. The last
 * argument is the training memory mode (default the model's, `lean`); the estimate of
 * `estimateStepBytes` is printed next to what was measured.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { estimateStepBytes, type TrainingMemory } from '@gcnn/models';
import { registerWasmTrainingKernels } from '@gcnn/tfjs-wasm-training';
import { createWorkload } from './workload';

const [id = 'sim2-separable2d', mode = 'train', batchArg = '16', memoryArg] = process.argv.slice(2);
const memory = memoryArg as TrainingMemory | undefined;
const batch = Number(batchArg);
await tf.setBackend('wasm');
registerWasmTrainingKernels();
if (process.env.SHARE_IDENTITY) {
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend: b }) => {
      const x = inputs.x as tf.TensorInfo;
      (b as unknown as { incRef(id: object): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}
const backend = tf.backend() as unknown as {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { dataIdsCount: number; data: WeakMap<object, unknown> };
};
/** Output dataId → producing kernel and shape (to attribute live memory at a failure). */
const origin = new Map<object, string>();
/** Bytes of live wasm data (each shared dataId once). */
function uniqueLiveBytes(): number {
  let bytes = 0;
  for (const id of origin.keys()) {
    const d = backend.dataIdMap.data.get(id) as { shape: number[] } | undefined;
    if (d === undefined) origin.delete(id);
    else bytes += d.shape.reduce((a, b) => a * b, 1) * 4;
  }
  return bytes;
}
let maxUnique = 0;
let calls = 0;
function liveByOrigin(): string {
  const sums = new Map<string, number>();
  for (const [id, what] of origin) {
    if (!backend.dataIdMap.data.has(id)) {
      origin.delete(id);
      continue;
    }
    sums.set(what, (sums.get(what) ?? 0) + 1);
  }
  return [...sums]
    .map(([what, count]) => {
      const shape = JSON.parse(what.slice(what.indexOf('['))) as number[];
      return { what, count, mib: (count * shape.reduce((a, b) => a * b, 1) * 4) / MiB };
    })
    .sort((a, b) => b.mib - a.mib)
    .slice(0, 25)
    .map((r) => `  ${r.mib.toFixed(0).padStart(6)} MiB  ${r.count} × ${r.what}`)
    .join('\n');
}
const MiB = 2 ** 20;
let maxLive = 0;
let maxHeap = 0;
let biggest = { name: '', bytes: 0 };
/** Kernels during which the heap grew: what ran, by how much, and the live tf bytes after it. */
const growths: Array<{ what: string; mib: number; liveMiB: number }> = [];
for (const k of tf.getKernelsForBackend('wasm')) {
  const orig = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, 'wasm');
  tf.registerKernel({
    ...k,
    kernelFunc: (args) => {
      const inputs = Object.entries(args.inputs).map(
        ([n, t]) => `${n}[${(t as tf.TensorInfo).shape}]`,
      );
      const heapBefore = backend.wasm.HEAPU8.length;
      try {
        const out = orig(args);
        const grew = backend.wasm.HEAPU8.length - heapBefore;
        if (grew > 0)
          growths.push({
            what: `${k.kernelName} ${inputs.join(' ')}`,
            mib: grew / MiB,
            liveMiB: tf.memory().numBytes / MiB,
          });
        const outs = (Array.isArray(out) ? out : [out]) as tf.TensorInfo[];
        for (const o of outs) {
          origin.set(o.dataId, `${k.kernelName} [${o.shape}]`);
          const bytes = o.shape.reduce((a, b) => a * b, 1) * 4;
          if (bytes > biggest.bytes)
            biggest = { name: `${k.kernelName} ${inputs.join(' ')} -> [${o.shape}]`, bytes };
        }
        maxLive = Math.max(maxLive, tf.memory().numBytes);
        if (++calls % 4 === 0) maxUnique = Math.max(maxUnique, uniqueLiveBytes());
        maxHeap = Math.max(maxHeap, backend.wasm.HEAPU8.length);
        return out;
      } catch (e) {
        console.log(
          `FAILED in ${k.kernelName} ${inputs.join(' ')} attrs ${JSON.stringify(args.attrs)}: ${(e as Error).message}; live tf ${(tf.memory().numBytes / MiB).toFixed(0)} MiB (unique data ${(uniqueLiveBytes() / MiB).toFixed(0)} MiB), heap ${(backend.wasm.HEAPU8.length / MiB).toFixed(0)} MiB`,
        );
        console.log(liveByOrigin());
        throw e;
      }
    },
  });
}
const workload = createWorkload(id, `${mode}${batch}`, memory);
const t0 = performance.now();
try {
  const out = workload.run();
  console.log(mode === 'train' ? 'loss' : 'logits', out.dataSync().slice(0, 3));
  out.dispose();
  console.log('OK');
} catch (e) {
  console.log('ERROR', (e as Error).message);
}
console.log(
  `${((performance.now() - t0) / 1000).toFixed(1)} s; peak live tf ${(maxLive / MiB).toFixed(0)} MiB (unique data ${(maxUnique / MiB).toFixed(0)} MiB), peak heap ${(maxHeap / MiB).toFixed(0)} MiB (now ${(backend.wasm.HEAPU8.length / MiB).toFixed(0)}), biggest output ${(biggest.bytes / MiB).toFixed(0)} MiB: ${biggest.name}`,
);
console.log('heap growth by kernel (largest first; nested kernels count in their callers too):');
for (const g of [...growths].sort((a, b) => b.mib - a.mib).slice(0, 12))
  console.log(
    `  +${g.mib.toFixed(0).padStart(4)} MiB  live tf ${g.liveMiB.toFixed(0)} MiB after  ${g.what}`,
  );
if (mode === 'train') {
  const estimate = estimateStepBytes(workload.model, { batch, memory: memory ?? 'lean' });
  console.log(
    `estimateStepBytes (${memory ?? 'lean'}): step ${(estimate.step / MiB).toFixed(0)} MiB + parameters and optimizer ${(estimate.parameters / MiB).toFixed(0)} MiB`,
  );
}
