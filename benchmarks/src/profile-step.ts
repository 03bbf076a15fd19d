/**
 * `tsx src/profile-step.ts <config> <mode> [reps]`: where one call of a workload.ts mode goes, as a
 * markdown table for docs/benchmarks.md. Runs the mode 3 times, then `reps` (default 8) times for
 * the CPU time of a call (`process.cpuUsage`, this thread: more robust than wall time when other
 * jobs share the cores), then `reps` calls under `tf.profile`, keeping for every kernel (by its
 * position in the call) its fastest time, the time it takes when no other job interferes.
 * Reported: kernels per call (every kernel the engine runs, the custom-gradient nodes' inner ones
 * and the `Identity` clones of saved tensors included; scopes that only wrap kernels are not
 * counted), their summed time, the call's CPU time less that ("outside kernels": tfjs's
 * bookkeeping, the tape, JavaScript between kernels, garbage collection), and the kernels that
 * take the most time, by name and input shapes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { wasmWorkloadCall } from './wasm-workload-call';

const [config, mode, repsArg] = process.argv.slice(2);
if (!config || !mode) throw new Error('usage: profile-step <config> <mode> [reps]');
const reps = Number(repsArg ?? 8);
const { workload, call } = await wasmWorkloadCall(config, mode);
for (let i = 0; i < 3; i++) call();
const cpu: number[] = [];
for (let i = 0; i < reps; i++) {
  const c0 = process.cpuUsage();
  call();
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
let fastest: number[] = [];
let labels: string[] = [];
for (let i = 0; i < reps; i++) {
  const info = await tf.profile(() => call());
  // kernels only: a custom-gradient node or an op scope has no kernel of its own
  const kernels = info.kernels.filter((k) => tf.getKernel(k.name, 'wasm') !== undefined);
  const ms = kernels.map((k) => k.kernelTimeMs as number);
  fastest = i === 0 ? ms : fastest.map((t, j) => Math.min(t, ms[j]!));
  labels = kernels.map((k) => `${k.name} ${JSON.stringify(k.inputShapes)}`);
}
const byKernel = new Map<string, { ms: number; count: number }>();
labels.forEach((label, j) => {
  const e = byKernel.get(label) ?? { ms: 0, count: 0 };
  e.ms += fastest[j]!;
  e.count += 1;
  byKernel.set(label, e);
});
const median = [...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)]!;
const inKernels = fastest.reduce((a, b) => a + b, 0);
const top = [...byKernel.entries()].sort(([, a], [, b]) => b.ms - a.ms).slice(0, 12);
const f = (ms: number) => ms.toFixed(1);
console.log(
  `${config} ${mode}: ${labels.length} kernels per call; CPU per call ${f(median)} ms (median of ${reps}); in kernels ${f(inKernels)} ms (each kernel's fastest of ${reps} profiled calls); outside kernels ≈ ${f(median - inKernels)} ms (${((100 * (median - inKernels)) / median).toFixed(0)} %); load ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`,
);
console.log('');
console.log('| kernel (input shapes) | calls | ms | share of kernel time |');
console.log('|---|---:|---:|---:|');
for (const [label, e] of top) {
  console.log(
    `| \`${label}\` | ${e.count} | ${f(e.ms)} | ${((100 * e.ms) / inKernels).toFixed(0)} % |`,
  );
}
workload.dispose();
