import { referenceMallocPhrase } from './bench-options';
import { referenceModeOf } from './bench-plan';
import type {
  BenchReport,
  CpuPerCall,
  FailedMeasurement,
  GcnnMeasurement,
  GcnnResult,
  ReferenceResult,
} from './bench-report';
import { BENCH_CONFIGS, type BenchConfig } from './configs';

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const spread = (r: { medianMs: number; minMs: number; maxMs: number }) =>
  `${seconds(r.medianMs)} (${seconds(r.minMs)}–${seconds(r.maxMs)})`;
const speed = (oursMs: number, refMs: number) => `${(refMs / oursMs).toFixed(2)}×`;
const title = (id: string) => BENCH_CONFIGS.find((c) => c.id === id)?.title ?? id;
const failed = (r: FailedMeasurement) => `failed: ${r.error.replace(/\|/g, '/').slice(0, 160)}`;

/**
 * The section of docs/benchmarks.md (and benchmarks/results/latest(-quick|-partial).md) for a
 * run: the machine, the wasm ceiling, one row per gcnn measurement with its speed relative to the
 * reference — measured in the same run when the report has `reference`, otherwise the stored
 * numbers of benchmarks/reference-cpu.md, which the text says are from another day — with
 * `--reference-malloc both` the same rows against the reference with its memory kept, the
 * processes' system time, then the data-parallel speed-ups, separable vs nonseparable and the
 * FLOP counts.
 */
export function renderBenchTable(report: BenchReport): string[] {
  const { machine, ceiling: c } = report;
  const command = `pnpm bench${report.quick ? ' --quick' : ''}${report.reference ? ` --reference <dir>${mallocFlag(report.reference)}` : ''}`;
  return [
    `Run: \`${command}\`, ${report.date.slice(0, 16).replace('T', ' ')} UTC; ${machine.lscpu.join('; ')}; nproc ${machine.nproc}; Node ${machine.node}.`,
    '',
    `Ceiling (wasm, 1 thread; load ${report.ceilingLoad.toFixed(2)}): conv2d ${c.conv2d.gflops.toFixed(1)} GFLOP/s (${c.conv2d.what}), matMul ${c.matMul.gflops.toFixed(1)} GFLOP/s (${c.matMul.what}), depthwise ${c.depthwise.gflops.toFixed(2)} GFLOP/s (${c.depthwise.what}; stock XNNPACK), ${c.depthwiseSimd.gflops.toFixed(1)} GFLOP/s with @gcnn/tfjs-wasm-training's SIMD kernel.${twoAtOnceSentence(report)}`,
    '',
    ...(report.reference ? sideBySideTable(report) : storedReferenceTable(report)),
    ...memoryKeptTable(report),
    ...kernelTimeTable(report),
    ...speedupLines(report.results),
    ...separableLines(report),
    ...flopTable(report),
  ];
}

/** The `--reference-malloc` flag a run was given, as the run's command line shows it. */
function mallocFlag(reference: NonNullable<BenchReport['reference']>): string {
  if (reference.memoryKept) return ' --reference-malloc both';
  return reference.malloc === 'retain' ? ' --reference-malloc retain' : '';
}

/** The ceiling measured in two processes at once, as a sentence after the one-thread ceiling. */
function twoAtOnceSentence(report: BenchReport): string {
  if (!report.ceilingTwoAtOnce) return '';
  const [a, b] = report.ceilingTwoAtOnce;
  const pair = (k: 'conv2d' | 'matMul') =>
    `${a[k].gflops.toFixed(1)} + ${b[k].gflops.toFixed(1)} GFLOP/s`;
  return ` The same in two processes at once (both cores busy): conv2d ${pair('conv2d')}, matMul ${pair('matMul')}; read the two-thread rows' GFLOP/s against their sum.`;
}

/** The reference's measurement of the cell a gcnn row belongs to (same configuration and mode). */
export function referenceFor(
  results: readonly ReferenceResult[],
  row: { config: string; mode: string },
): ReferenceResult | undefined {
  const mode = referenceModeOf(row.mode);
  return results.find((r) => r.config === row.config && r.mode === mode);
}

function sideBySideTable(report: BenchReport): string[] {
  const ref = report.reference!;
  const lines = [
    `Reference: the PyTorch reference (\`ck_g_cnn\`, commit ${ref.commit}) on torch ${ref.torch} (Python ${ref.python}, ${ref.threads} threads, CPU, ${referenceMallocPhrase(ref.malloc)}), **measured in this run**: each cell (configuration × mode) once, in its own process, right after gcnn's measurements of the cell or right before them (alternating from cell to cell), so drift of the machine during the run hits both sides. "vs reference" = reference median / gcnn median from this run (> 1× = gcnn faster); \`-w2\` rows and \`infer64-nocache\` are compared with the reference's \`train<B>\` / \`infer64\` of the cell. Peak RSS: each measuring process's own peak resident memory (gcnn: Node, tfjs, the wasm heap and worker threads; reference: Python, torch and its allocator). "load" = 1-minute load average before the gcnn / reference process.`,
    '',
    '| configuration | backend | mode | gcnn median (min–max) | reference median (min–max) | vs reference | images/s | GFLOP/s | peak RSS gcnn | peak RSS reference | peak tf bytes | load |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of report.results) {
    const refRow = referenceFor(ref.results, r);
    const refOk = refRow?.error === undefined ? refRow : undefined;
    const refTime = !refRow ? '—' : refRow.error !== undefined ? failed(refRow) : spread(refRow);
    const refRss = refOk ? `${refOk.peakRssMiB.toFixed(0)} MiB` : '—';
    const load = `${r.loadBefore.toFixed(2)} / ${refRow ? refRow.loadBefore.toFixed(2) : '—'}`;
    const cells =
      r.error !== undefined
        ? [failed(r), refTime, '', '', '', '', refRss, '']
        : [
            spread(r),
            refTime,
            refOk ? speed(r.medianMs, refOk.medianMs) : '—',
            r.imagesPerSecond.toFixed(1),
            gflops(report, r),
            `${r.peakRssMiB.toFixed(0)} MiB`,
            refRss,
            `${(r.peakTfBytes / 2 ** 20).toFixed(0)} MiB`,
          ];
    lines.push(
      `| ${title(r.config)} | ${r.backend} | ${r.mode} | ${cells.join(' | ')} | ${load} |`,
    );
  }
  return lines;
}

/**
 * Against the reference measured a second time in each cell with glibc keeping its freed memory
 * (`--reference-malloc both`): its times, the ratio against them and, for reading the two side by
 * side, the ratio against the reference as installed from the table above.
 */
function memoryKeptTable(report: BenchReport): string[] {
  const kept = report.reference?.memoryKept;
  if (!kept) return [];
  const lines = [
    '',
    `The same cells against the reference with ${referenceMallocPhrase('retain')}, measured in this run next to the reference as installed (the cell's two reference processes one after the other, their order alternating). "vs kept" = its median / gcnn's median; "vs installed" repeats the ratio of the table above.`,
    '',
    '| configuration | backend | mode | gcnn median | reference, memory kept, median (min–max) | vs kept | vs installed | peak RSS reference, memory kept | load |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of report.results) {
    if (r.error !== undefined) continue;
    const keptRow = referenceFor(kept, r);
    if (!keptRow) continue;
    const installed = referenceFor(report.reference!.results, r);
    const ratio = (ref: ReferenceResult | undefined) =>
      ref && ref.error === undefined ? speed(r.medianMs, ref.medianMs) : '—';
    const cells =
      keptRow.error !== undefined
        ? [seconds(r.medianMs), failed(keptRow), '—', ratio(installed), '—']
        : [
            seconds(r.medianMs),
            spread(keptRow),
            ratio(keptRow),
            ratio(installed),
            `${keptRow.peakRssMiB.toFixed(0)} MiB`,
          ];
    lines.push(
      `| ${title(r.config)} | ${r.backend} | ${r.mode} | ${cells.join(' | ')} | ${keptRow.loadBefore.toFixed(2)} |`,
    );
  }
  return lines;
}

/** `system ms (faults)` of one call, and the system share of its CPU time. */
const kernelTime = (u: CpuPerCall) =>
  `${u.systemMs.toFixed(0)} ms of ${(u.userMs + u.systemMs).toFixed(0)} ms (${((100 * u.systemMs) / Math.max(u.userMs + u.systemMs, 1e-9)).toFixed(0)} %), ${Math.round(u.minorFaults).toLocaleString('en-US')} faults`;

/**
 * Per cell with both sides measured: the CPU time each process spent in the kernel per call and
 * its minor page faults (with `--reference-malloc both`, for both reference processes). A process
 * that faults its memory in on every call pays what faults cost on this machine that day, which
 * moves its time between runs independently of its arithmetic.
 */
function kernelTimeTable(report: BenchReport): string[] {
  const ref = report.reference;
  if (!ref) return [];
  const sets = [ref.results, ...(ref.memoryKept ? [ref.memoryKept] : [])];
  const rows = report.results.flatMap((r) => {
    if (r.error !== undefined || !r.cpuPerCall) return [];
    const counted = sets.map((results) => {
      const x = referenceFor(results, r);
      return x?.error === undefined ? x?.cpuPerCall : undefined;
    });
    if (counted.some((u) => u === undefined)) return [];
    const cells = [r.cpuPerCall, ...(counted as CpuPerCall[])].map(kernelTime);
    return [`| ${title(r.config)} | ${r.backend} | ${r.mode} | ${cells.join(' | ')} |`];
  });
  if (rows.length === 0) return [];
  const installed = ref.memoryKept ? 'reference as installed' : 'reference';
  const heads = [
    'gcnn: system CPU, faults',
    `${installed}: system CPU, faults`,
    ...(ref.memoryKept ? ['reference, memory kept: system CPU, faults'] : []),
  ];
  return [
    '',
    "System CPU time per call, of the process's whole CPU time per call (every thread), and minor page faults per call (`getrusage` around the timed calls; means). System time is mostly the kernel mapping in pages the process touches for the first time since it last gave them back.",
    '',
    `| configuration | backend | mode | ${heads.join(' | ')} |`,
    `|---|---|---|${heads.map(() => '---:').join('|')}|`,
    ...rows,
  ];
}

function storedReferenceTable(report: BenchReport): string[] {
  const lines = [
    'Median (min–max) per call. "vs stored reference": the speed relative to the PyTorch reference (> 1× = faster than PyTorch) **from stored numbers measured on another day** ([benchmarks/reference-cpu.md](../benchmarks/reference-cpu.md)), not in this run — machines of this kind differ 2–3× from day to day, so these ratios are rough; `pnpm bench --reference <dir>` measures the reference side by side. "load" = 1-minute load average before the measurement.',
    '',
    '| configuration | backend | mode | median (min–max) | vs stored reference | images/s | GFLOP/s | peak RSS | peak tf bytes | load |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of report.results) {
    if (r.error !== undefined) {
      lines.push(
        `| ${title(r.config)} | ${r.backend} | ${r.mode} | ${failed(r)} | | | | | | ${r.loadBefore.toFixed(2)} |`,
      );
      continue;
    }
    const stored = BENCH_CONFIGS.find((b) => b.id === r.config)?.reference;
    const refS = stored?.[referenceModeOf(r.mode)];
    const vs =
      refS === undefined ? '—' : `${refS.toFixed(2)} s (${speed(r.medianMs, refS * 1000)})`;
    const rss = `${r.peakRssMiB.toFixed(0)} MiB${r.mode === 'train64' && stored ? ` (ref ${stored.rssTrain64MiB})` : ''}`;
    lines.push(
      `| ${title(r.config)} | ${r.backend} | ${r.mode} | ${spread(r)} | ${vs} | ${r.imagesPerSecond.toFixed(1)} | ${gflops(report, r)} | ${rss} | ${(r.peakTfBytes / 2 ** 20).toFixed(0)} MiB | ${r.loadBefore.toFixed(2)} |`,
    );
  }
  return lines;
}

/** Counted GFLOP (flops.ts) of a row's mode / its median time. */
function gflops(report: BenchReport, r: GcnnMeasurement): string {
  const f = report.flops[r.config];
  if (!f) return '—';
  const mode = r.mode.replace(/-w\d+$/, '');
  const gflop =
    mode === 'train16'
      ? f.b16.trainGflop
      : mode === 'train64'
        ? f.b64.trainGflop
        : mode === 'infer64'
          ? f.b64.forwardGflop - (f.b64.byOp['kernel-net'] ?? 0)
          : f.b64.forwardGflop;
  return ((gflop * 1000) / r.medianMs).toFixed(1);
}

const measured = (results: readonly GcnnResult[], config: string, backend: string, mode: string) =>
  results.find(
    (r): r is GcnnMeasurement =>
      r.config === config && r.backend === backend && r.mode === mode && r.error === undefined,
  );

function speedupLines(results: readonly GcnnResult[]): string[] {
  const speedups = results.flatMap((r) => {
    if (!/-w\d+$/.test(r.mode) || r.error !== undefined) return [];
    const one = measured(results, r.config, r.backend, r.mode.replace(/-w\d+$/, ''));
    return one
      ? [`${title(r.config)} ${r.backend} ${one.mode} ${(one.medianMs / r.medianMs).toFixed(2)}×`]
      : [];
  });
  if (speedups.length === 0) return [];
  return [
    '',
    `Data-parallel on 2 threads (\`-w2\`: this thread + 1 worker thread; training steps average the shards' gradients, inference concatenates their logits; docs/guide/data-parallel.md) vs one thread: ${speedups.join('; ')}.`,
  ];
}

function separableLines(report: BenchReport): string[] {
  const { results } = report;
  const sep =
    measured(results, 'se2-separable', 'wasm', 'train64') ??
    measured(results, 'se2-separable', 'wasm', 'train16');
  const non = sep && measured(results, 'se2-nonseparable', 'wasm', sep.mode);
  if (!sep || !non) return [];
  const ours = `Separable vs nonseparable, SE(2) N=8, wasm ${sep.mode}: ${(non.medianMs / sep.medianMs).toFixed(1)}× faster`;
  if (!report.reference) return ['', `${ours} (stored reference: 4.8× at batch 64).`];
  const find = (config: string) =>
    referenceFor(report.reference!.results, { config, mode: sep.mode });
  const [rs, rn] = [find('se2-separable'), find('se2-nonseparable')];
  const theirs =
    rs && rn && rs.error === undefined && rn.error === undefined
      ? `${(rn.medianMs / rs.medianMs).toFixed(1)}×`
      : 'not measured';
  return ['', `${ours}; the reference in this run, ${sep.mode}: ${theirs}.`];
}

function flopTable(report: BenchReport): string[] {
  const lines = [
    '',
    'FLOPs per configuration (forward, from shapes; training ≈ 3× forward):',
    '',
    '| configuration | forward b16 | forward b64 | conv2d | matMul | depthwise | kernel nets | activations b64 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of BENCH_CONFIGS as BenchConfig[]) {
    const f = report.flops[c.id];
    if (!f) continue;
    const by = f.b64.byOp;
    lines.push(
      `| ${c.title} | ${f.b16.forwardGflop.toFixed(1)} GFLOP | ${f.b64.forwardGflop.toFixed(1)} GFLOP | ${(by.conv2d ?? 0).toFixed(1)} | ${(by.matMul ?? 0).toFixed(1)} | ${(by.depthwise ?? 0).toFixed(2)} | ${(by['kernel-net'] ?? 0).toFixed(2)} | ${f.b64.activationMiB.toFixed(0)} MiB |`,
    );
  }
  return lines;
}
