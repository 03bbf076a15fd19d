/**
 * One measurement in its own process: `tsx src/measure.ts <config> <backend> <mode> [warmup] [reps] [--profile] [--memory=lean|checkpoint|autodiff]`.
 * mode: `train16` | `train64` (forward + cross-entropy + backward + Adam step), `infer64` (cached
 * kernels), `infer64-nocache` (cache invalidated before every call), `train16-w2` | `train64-w2` |
 * `infer64-w2` (the training step / cached inference data-parallel on 2 threads,
 * parallel-workload.ts). `--memory` chooses what a training step keeps for the backward pass
 * (default the model's, `lean`). Prints one JSON line; `peakBufferBytes` is the largest amount of
 * tensor data this thread held during the steps (each buffer once, `meterBufferBytes`);
 * `cpuPerCall` the process's CPU time and minor page faults per timed call.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { meterBufferBytes } from '@gcnn/group-conv';
import type { TrainingMemory } from '@gcnn/models';
import { registerWasmTrainingKernels } from '@gcnn/tfjs-wasm-training';
import { createParallelWorkload, isParallelMode } from './parallel-workload';
import { createWorkload } from './workload';

const [id, backend, mode, warmupArg, repsArg] = process.argv.slice(2);
const profile = process.argv.includes('--profile');
const memoryArg = process.argv.find((a) => a.startsWith('--memory='));
const memory = memoryArg ? (memoryArg.slice('--memory='.length) as TrainingMemory) : undefined;
if (!id || !backend || !mode)
  throw new Error('usage: measure <config> <cpu|wasm> <mode> [warmup] [reps]');
const maxWarmup = Number(warmupArg ?? 2);
const maxReps = Number(repsArg ?? 5);
/** Steps slower than this many ms get 1 warm-up and 3 repetitions (the full run's time budget). */
const slowMs = Number(process.env.GCNN_BENCH_SLOW_MS ?? 8000);

await tf.setBackend(backend);
if (backend === 'wasm') registerWasmTrainingKernels();
const parallel = isParallelMode(mode)
  ? await createParallelWorkload(id, backend, mode, memory)
  : null;
const workload = parallel ?? createWorkload(id, mode, memory);
const meter = meterBufferBytes();
const { model, batch } = workload;

async function step(): Promise<void> {
  const out = await workload.run();
  out.dataSync();
  out.dispose();
}

let peakBytes = 0;
const times: number[] = [];
const usage = { userMs: 0, systemMs: 0, minorFaults: 0 };
let warmup = maxWarmup;
let reps = maxReps;
for (let i = 0; i < warmup + reps; i++) {
  const u0 = process.resourceUsage();
  const t0 = performance.now();
  await step();
  const ms = performance.now() - t0;
  const u1 = process.resourceUsage();
  if (i === 0 && ms > slowMs) [warmup, reps] = [1, Math.min(ms > 4 * slowMs ? 2 : 3, maxReps)];
  if (i >= warmup) {
    times.push(ms);
    usage.userMs += (u1.userCPUTime - u0.userCPUTime) / 1000;
    usage.systemMs += (u1.systemCPUTime - u0.systemCPUTime) / 1000;
    usage.minorFaults += u1.minorPageFault - u0.minorPageFault;
  }
  peakBytes = Math.max(peakBytes, tf.memory().numBytes);
}
let kernels: Array<{ name: string; ms: number; count: number; shapes: string }> | undefined;
// Optionally one extra call under tf.profile: per-kernel times and the true peak of
// tf.memory().numBytes inside a step (between steps only the weights and optimizer state live).
let kernelsTotal: number | undefined;
if (profile || ((mode === 'train64' || mode === 'infer64') && times[0]! < 4 * slowMs)) {
  const info = await tf.profile(() => step());
  peakBytes = Math.max(peakBytes, info.peakBytes);
  const agg = new Map<string, { name: string; ms: number; count: number; shapes: string }>();
  for (const kk of info.kernels) {
    const shapes = JSON.stringify(kk.inputShapes);
    const key = `${kk.name} ${shapes}`;
    const a = agg.get(key) ?? { name: kk.name, ms: 0, count: 0, shapes };
    a.ms += kk.kernelTimeMs as number;
    a.count += 1;
    agg.set(key, a);
  }
  if (profile) kernels = [...agg.values()].sort((x, y) => y.ms - x.ms).slice(0, 40);
  kernelsTotal = info.kernels.length;
}
meter.stop();
const sorted = [...times].sort((a, b) => a - b);
const result = {
  config: id,
  backend,
  mode,
  batch,
  warmup,
  reps,
  params: model.parameterCount(),
  minMs: sorted[0],
  medianMs: sorted[Math.floor(sorted.length / 2)],
  maxMs: sorted[sorted.length - 1],
  timesMs: times,
  imagesPerSecond: (batch * 1000) / sorted[Math.floor(sorted.length / 2)]!,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  // CPU time and minor page faults of the whole process (worker threads included) per timed call
  cpuPerCall: {
    userMs: usage.userMs / times.length,
    systemMs: usage.systemMs / times.length,
    minorFaults: usage.minorFaults / times.length,
  },
  peakTfBytes: peakBytes,
  peakBufferBytes: meter.peakBytes,
  ...(memory ? { memory } : {}),
  loadavg: (await import('node:os')).loadavg()[0],
  kernels,
  kernelsTotal,
  // Data-parallel modes: replicas and where the last step's time went (ms).
  ...(parallel ? { replicas: parallel.replicas, lastStep: parallel.trainer.lastStep } : {}),
};
await parallel?.dispose();
console.log(JSON.stringify(result));
