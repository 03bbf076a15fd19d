/**
 * `pnpm bench [--quick] [--max-wait=<s>]`: every measurement in its own process (src/measure.ts),
 * sequentially, each after the 1-minute load average drops below 1.2 (or `--max-wait` seconds
 * passed; the load is recorded with every result). Writes benchmarks/results/latest.json and the
 * table between the markers of docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_CONFIGS, type BenchConfig } from './configs';
import { summarize } from './flops';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const quick = process.argv.includes('--quick');
const maxWait = Number(/--max-wait=(\d+)/.exec(process.argv.join(' '))?.[1] ?? 120);

interface Job {
  config: string;
  backend: 'cpu' | 'wasm';
  mode:
    | 'train16'
    | 'train64'
    | 'infer64'
    | 'infer64-nocache'
    | 'train16-w2'
    | 'train64-w2'
    | 'infer64-w2';
}

/**
 * The matrix. wasm: everything. cpu: inference of the separable models and the small default
 * model's training only — tfjs-backend-cpu's conv/depthwise backprops are naive loops (minutes
 * per step) and its conv2d runs ≈1 GFLOP/s (the nonseparable and Sim(2) forwards take minutes).
 */
function jobs(): Job[] {
  const out: Job[] = [];
  for (const c of BENCH_CONFIGS) {
    const modes: Job['mode'][] = quick
      ? ['train16', 'infer64']
      : ['train16', 'train64', 'infer64', 'infer64-nocache'];
    for (const mode of modes) {
      if (quick && c.id === 'se2-nonseparable' && mode !== 'train16') continue;
      out.push({ config: c.id, backend: 'wasm', mode });
    }
  }
  // Each wasm training step and cached inference again data-parallel on 2 threads
  // (parallel-workload.ts), right after it.
  const withParallel = out.flatMap((j) =>
    j.mode === 'train16' || j.mode === 'train64' || j.mode === 'infer64'
      ? [j, { ...j, mode: `${j.mode}-w2` as const }]
      : [j],
  );
  // cpu (one row each, to show that backend's cost; the full run had default train64 and the cpu
  // -w2 rows until 2026-11-27, which took it to 34 min against the 30-minute budget)
  withParallel.push({ config: 'default', backend: 'cpu', mode: 'train16' });
  withParallel.push({ config: 'se2-separable', backend: 'cpu', mode: 'infer64' });
  if (!quick) withParallel.push({ config: 'default', backend: 'cpu', mode: 'infer64' });
  return withParallel;
}

function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function waitQuiet(): number {
  const t0 = Date.now();
  while (loadavg()[0]! > 1.2 && Date.now() - t0 < maxWait * 1000) sleep(15_000);
  return loadavg()[0]!;
}

type Result = Record<string, unknown> & {
  config: string;
  backend: string;
  mode: string;
  medianMs: number;
};

const results: Result[] = [];
const started = new Date();
const tsx = join(root, 'node_modules', '.bin', 'tsx');
console.log(`gcnn bench (${quick ? 'quick' : 'full'}): ${jobs().length} measurements`);
const ceilingLoad = waitQuiet();
const ceiling = JSON.parse(
  execFileSync(tsx, [join(here, 'ceiling.ts')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!,
);
console.log(`ceiling (wasm, load ${ceilingLoad.toFixed(2)}):`, JSON.stringify(ceiling));
for (const job of jobs()) {
  const loadBefore = waitQuiet();
  const [warmup, reps] = quick ? ['1', '2'] : ['2', '5'];
  const t0 = Date.now();
  try {
    const out = execFileSync(
      tsx,
      [join(here, 'measure.ts'), job.config, job.backend, job.mode, warmup, reps],
      { encoding: 'utf8', env: { ...process.env, GCNN_BENCH_SLOW_MS: quick ? '4000' : '8000' } },
    );
    const r = JSON.parse(out.trim().split('\n').pop()!) as Result;
    r.loadBefore = loadBefore;
    results.push(r);
    console.log(
      `${job.config} ${job.backend} ${job.mode}: median ${(r.medianMs / 1000).toFixed(2)} s (min ${((r.minMs as number) / 1000).toFixed(2)}, max ${((r.maxMs as number) / 1000).toFixed(2)}), RSS ${(r.peakRssMiB as number).toFixed(0)} MiB, load ${loadBefore.toFixed(2)} [${((Date.now() - t0) / 1000).toFixed(0)} s]`,
    );
  } catch (e) {
    // A row in the table too (e.g. the wasm heap's 4 GiB limit), with the process's last error line.
    const stderr = String((e as { stderr?: unknown }).stderr ?? '');
    const reason =
      stderr
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^[A-Z]\w*Error\b/.test(l))
        .pop() ?? (e as Error).message.split('\n')[0]!;
    const error = reason.replace(/\|/g, '/').slice(0, 160);
    results.push({ ...job, medianMs: Number.NaN, error, loadBefore });
    console.log(`${job.config} ${job.backend} ${job.mode}: FAILED ${reason.slice(0, 300)}`);
  }
}

const machine = {
  lscpu: execFileSync('lscpu', { encoding: 'utf8' })
    .split('\n')
    .filter((l) => /^(Model name|CPU\(s\)|Thread|Core|L2|L3)/.test(l))
    .map((l) => l.replace(/\s+/g, ' ').trim()),
  nproc: cpus().length,
  node: process.version,
};
const flops = Object.fromEntries(
  BENCH_CONFIGS.map((c) => [c.id, { b16: summarize(c.config, 16), b64: summarize(c.config, 64) }]),
);
const report = { date: started.toISOString(), quick, machine, ceiling, flops, results };
mkdirSync(join(here, '..', 'results'), { recursive: true });
writeFileSync(
  join(here, '..', 'results', quick ? 'latest-quick.json' : 'latest.json'),
  `${JSON.stringify(report, null, 2)}\n`,
);

// ---- docs/benchmarks.md table ----
const s = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`);
const find = (c: string, b: string, m: string) =>
  results.find((r) => r.config === c && r.backend === b && r.mode === m && !r.error);
const ratio = (ours: number | undefined, ref: number | undefined) =>
  ours === undefined || ref === undefined ? '' : ` (${((ref * 1000) / ours).toFixed(2)}×)`;
const lines: string[] = [];
lines.push(
  `Run: \`pnpm bench${quick ? ' --quick' : ''}\`, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; ${machine.lscpu.join('; ')}; nproc ${machine.nproc}; Node ${machine.node}.`,
);
lines.push('');
lines.push(
  `Ceiling (wasm, 1 thread; load ${ceilingLoad.toFixed(2)}): conv2d ${ceiling.conv2d.gflops.toFixed(1)} GFLOP/s (${ceiling.conv2d.what}), matMul ${ceiling.matMul.gflops.toFixed(1)} GFLOP/s (${ceiling.matMul.what}), depthwise ${ceiling.depthwise.gflops.toFixed(2)} GFLOP/s (${ceiling.depthwise.what}; stock XNNPACK), ${ceiling.depthwiseSimd.gflops.toFixed(1)} GFLOP/s with @gcnn/tfjs-wasm-training's SIMD kernel.`,
);
lines.push('');
lines.push(
  'Median (min–max) per call; in parentheses the speed relative to the reference (> 1× = faster than PyTorch). "load" = 1-minute load average before the measurement.',
);
lines.push('');
lines.push(
  '| configuration | backend | mode | median (min–max) | vs reference | images/s | GFLOP/s | peak RSS | peak tf bytes | load |',
);
lines.push('|---|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  if (r.error) {
    const t = BENCH_CONFIGS.find((c) => c.id === r.config)!.title;
    lines.push(
      `| ${t} | ${r.backend} | ${r.mode} | failed: ${r.error} | | | | | | ${(r.loadBefore as number).toFixed(2)} |`,
    );
    continue;
  }
  const bc = BENCH_CONFIGS.find((c) => c.id === r.config) as BenchConfig;
  const ref = bc.reference;
  // `train16-w2`: the same step as `train16` (same reference, same FLOPs), on 2 threads.
  const mode = r.mode.replace(/-w\d+$/, '');
  const refS = !ref
    ? undefined
    : mode === 'train64'
      ? ref.train64
      : mode === 'train16'
        ? ref.train16
        : ref.infer64;
  const f = flops[r.config]!;
  const gflop =
    mode === 'train16'
      ? f.b16.trainGflop
      : mode === 'train64'
        ? f.b64.trainGflop
        : mode === 'infer64'
          ? f.b64.forwardGflop - f.b64.byOp['kernel-net']!
          : f.b64.forwardGflop;
  lines.push(
    `| ${bc.title} | ${r.backend} | ${r.mode} | ${s(r.medianMs)} (${s(r.minMs as number)}–${s(r.maxMs as number)}) | ${refS === undefined ? '—' : `${refS.toFixed(2)} s${ratio(r.medianMs, refS)}`} | ${(r.imagesPerSecond as number).toFixed(1)} | ${((gflop * 1000) / r.medianMs).toFixed(1)} | ${(r.peakRssMiB as number).toFixed(0)} MiB${r.mode === 'train64' && ref ? ` (ref ${ref.rssTrain64MiB})` : ''} | ${((r.peakTfBytes as number) / 2 ** 20).toFixed(0)} MiB | ${(r.loadBefore as number).toFixed(2)} |`,
  );
}
const speedups = results
  .filter((r) => /-w\d+$/.test(r.mode) && !r.error)
  .flatMap((r) => {
    const one = find(r.config, r.backend, r.mode.replace(/-w\d+$/, ''));
    if (!one) return [];
    const title = BENCH_CONFIGS.find((c) => c.id === r.config)!.title;
    return [`${title} ${r.backend} ${one.mode} ${(one.medianMs / r.medianMs).toFixed(2)}×`];
  });
if (speedups.length > 0) {
  lines.push('');
  lines.push(
    `Data-parallel on 2 threads (\`-w2\`: this thread + 1 worker thread; training steps average the shards' gradients, inference concatenates their logits; docs/guide/data-parallel.md) vs one thread: ${speedups.join('; ')}.`,
  );
}
const sep = find('se2-separable', 'wasm', 'train64') ?? find('se2-separable', 'wasm', 'train16');
const non = find('se2-nonseparable', 'wasm', sep?.mode ?? 'train16');
if (sep && non) {
  lines.push('');
  lines.push(
    `Separable vs nonseparable, SE(2) N=8, wasm ${sep.mode}: ${(non.medianMs / sep.medianMs).toFixed(1)}× faster (reference: 4.8× at batch 64).`,
  );
}
lines.push('');
lines.push('FLOPs per configuration (forward, from shapes; training ≈ 3× forward):');
lines.push('');
lines.push(
  '| configuration | forward b16 | forward b64 | conv2d | matMul | depthwise | kernel nets | activations b64 |',
);
lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const c of BENCH_CONFIGS) {
  const f = flops[c.id]!;
  const by = f.b64.byOp;
  lines.push(
    `| ${c.title} | ${f.b16.forwardGflop.toFixed(1)} GFLOP | ${f.b64.forwardGflop.toFixed(1)} GFLOP | ${(by.conv2d ?? 0).toFixed(1)} | ${(by.matMul ?? 0).toFixed(1)} | ${(by.depthwise ?? 0).toFixed(2)} | ${(by['kernel-net'] ?? 0).toFixed(2)} | ${f.b64.activationMiB.toFixed(0)} MiB |`,
  );
}
const docPath = join(root, 'docs', 'benchmarks.md');
const doc = readFileSync(docPath, 'utf8');
const [start, end] = ['<!-- bench:start -->', '<!-- bench:end -->'];
const i = doc.indexOf(start);
const j = doc.indexOf(end);
if (i < 0 || j < 0) throw new Error(`docs/benchmarks.md lacks the ${start} … ${end} markers`);
writeFileSync(docPath, `${doc.slice(0, i + start.length)}\n${lines.join('\n')}\n${doc.slice(j)}`);
console.log(
  `wrote benchmarks/results/${quick ? 'latest-quick' : 'latest'}.json and docs/benchmarks.md`,
);
