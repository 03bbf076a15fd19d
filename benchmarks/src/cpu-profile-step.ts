/**
 * `tsx src/cpu-profile-step.ts <config> <mode> [calls] [warmups]`: where the CPU time of a
 * workload.ts mode goes, from V8's sampling profiler (node:inspector, 100 µs) over `calls` calls
 * (default 40) after `warmups` (default 5). Prints the self time per call by where it was spent —
 * each wasm module (tfjs-backend-wasm's XNNPACK and kernels, or one of
 * @gcnn/tfjs-wasm-training's SIMD modules, named by the JavaScript function that called it) and
 * JavaScript (tfjs's engine, the backends' glue, gcnn) — and the 15 largest entries. Unlike
 * profile-step.ts, which times each kernel under `tf.profile`, this also sees what happens
 * between kernels.
 */
import { Session } from 'node:inspector/promises';
import { wasmWorkloadCall } from './wasm-workload-call';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const [config, mode, callsArg, warmupsArg] = process.argv.slice(2);
if (!config || !mode) throw new Error('usage: cpu-profile-step <config> <mode> [calls] [warmups]');
const calls = Number(callsArg ?? 40);
const { workload, call } = await wasmWorkloadCall(config, mode);
for (let i = 0; i < Number(warmupsArg ?? 5); i++) call();
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
for (let i = 0; i < calls; i++) call();
const { profile } = await session.post('Profiler.stop');
session.disconnect();
workload.dispose();

const nodes = new Map<number, ProfileNode>((profile.nodes as ProfileNode[]).map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of nodes.values()) for (const c of n.children ?? []) parent.set(c, n.id);
const isWasm = (n: ProfileNode) => n.callFrame.url.startsWith('wasm://');
/** `name file:line` of a JavaScript frame. */
const jsName = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').at(-1)}:${n.callFrame.lineNumber}`;
/** A wasm frame's module, by the first JavaScript function above it that is not glue. */
function wasmCaller(id: number): string {
  let at = parent.get(id);
  while (at !== undefined) {
    const n = nodes.get(at)!;
    const name = n.callFrame.functionName;
    if (!isWasm(n) && name !== 'ccall' && !name.startsWith('js-to-wasm') && name !== '')
      return jsName(n);
    at = parent.get(at);
  }
  return '(top)';
}
const selfUs = new Map<number, number>();
const samples = profile.samples as number[];
const deltas = profile.timeDeltas as number[];
for (const [i, id] of samples.entries()) selfUs.set(id, (selfUs.get(id) ?? 0) + deltas[i]!);
const byWhere = new Map<string, number>();
let wasmUs = 0;
let totalUs = 0;
for (const [id, us] of selfUs) {
  const n = nodes.get(id)!;
  totalUs += us;
  if (isWasm(n)) wasmUs += us;
  const where = isWasm(n) ? `wasm, called by ${wasmCaller(id)}` : `js ${jsName(n)}`;
  byWhere.set(where, (byWhere.get(where) ?? 0) + us);
}
const perCall = (us: number) => `${(us / 1000 / calls).toFixed(1)} ms`;
console.log(
  `${config} ${mode}: ${perCall(totalUs)} per call sampled (${calls} calls); wasm ${perCall(wasmUs)} (${((100 * wasmUs) / totalUs).toFixed(0)} %), JavaScript and the rest ${perCall(totalUs - wasmUs)}; load ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`,
);
for (const [where, us] of [...byWhere].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  console.log(
    `  ${perCall(us).padStart(9)}  ${((100 * us) / totalUs).toFixed(1).padStart(5)} %  ${where}`,
  );
}
