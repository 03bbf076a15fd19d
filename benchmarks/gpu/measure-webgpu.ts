/**
 * The GPU counterpart of benchmarks/src/measure.ts (same configurations from ../src/configs, same
 * modes and timing rules) on `--backend webgpu` through @gcnn/backends, with asynchronous reads
 * (`await t.data()`: measure.ts' `dataSync()` cannot read GPU tensors in Node). One JSON line per
 * measurement. Usage: `node bench.mjs [config ...] [--modes train16,infer64] [--reps 5]`.
 * Bundled with its dependencies by prepare.sh; run on the device by run-on-device.sh.
 */
import { selectBackend } from '@gcnn/backends';
import * as tf from '@tensorflow/tfjs-core';
import { BENCH_CONFIGS } from '../src/configs';
import { createWorkload } from '../src/workload';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const ids = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const modes = (opt('modes') ?? 'train16,train64,infer64').split(',');
const maxReps = Number(opt('reps') ?? 5);
// Bundled (prepare.sh): the backend is handed over so that the bundle holds it (an import by name
// would look for it beside the bundle). Lazily: it registers itself only when navigator.gpu exists,
// which selectBackend installs from Dawn first.
const selected = await selectBackend('webgpu', {
  log: (l) => console.error(l),
  packages: { '@tensorflow/tfjs-backend-webgpu': () => import('@tensorflow/tfjs-backend-webgpu') },
});
console.error(JSON.stringify({ backend: selected.name, adapter: selected.adapter }));

for (const id of ids.length > 0 ? ids : BENCH_CONFIGS.map((c) => c.id)) {
  for (const mode of modes) {
    const workload = createWorkload(id, mode);
    const { model, batch } = workload;
    const step = async () => {
      const out = workload.run();
      await out.data();
      out.dispose();
    };
    const times: number[] = [];
    let warmup = 2;
    let reps = maxReps;
    const t00 = performance.now();
    try {
      for (let i = 0; i < warmup + reps; i++) {
        const t0 = performance.now();
        await step();
        const ms = performance.now() - t0;
        // The first call compiles the WGSL pipelines; slow steps get fewer repetitions.
        if (i === 1 && ms > 8000) [warmup, reps] = [2, Math.min(3, maxReps)];
        if (i >= warmup) times.push(ms);
      }
      const sorted = [...times].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      console.log(
        JSON.stringify({
          config: id,
          backend: 'webgpu',
          adapter: selected.adapter?.description,
          mode,
          batch,
          params: model.parameterCount(),
          firstCallMs: Math.round(times.length ? performance.now() - t00 : 0),
          minMs: sorted[0],
          medianMs: median,
          maxMs: sorted.at(-1),
          timesMs: times,
          imagesPerSecond: (batch * 1000) / median,
          peakTfBytes: tf.memory().numBytes,
        }),
      );
    } catch (error) {
      console.log(JSON.stringify({ config: id, mode, error: String(error).slice(0, 500) }));
    }
    workload.dispose();
  }
}
process.exit(0);
