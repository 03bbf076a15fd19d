/**
 * The GPU counterpart of benchmarks/src/measure.ts (same configurations from ../src/configs, same
 * modes and timing rules) on `--backend webgpu` through @gcnn/backends, with asynchronous reads
 * (`await t.data()`: measure.ts' `dataSync()` cannot read GPU tensors in Node). One JSON line per
 * measurement. Usage: `node bench.mjs [config ...] [--modes train16,infer64] [--reps 5]`.
 * Bundled with its dependencies by prepare.sh; run on the device by run-on-device.sh.
 */
import { selectBackend } from '@gcnn/backends';
import { createRng } from '@gcnn/lie-groups';
import { createModel } from '@gcnn/models';
import * as tf from '@tensorflow/tfjs-core';
import { BENCH_CONFIGS, benchConfig } from '../src/configs';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const ids = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const modes = (opt('modes') ?? 'train16,train64,infer64').split(',');
const maxReps = Number(opt('reps') ?? 5);
const selected = await selectBackend('webgpu', { log: (l) => console.error(l) });
console.error(JSON.stringify({ backend: selected.name, adapter: selected.adapter }));

for (const id of ids.length > 0 ? ids : BENCH_CONFIGS.map((c) => c.id)) {
  for (const mode of modes) {
    const bench = benchConfig(id);
    const model = createModel({ ...bench.config, seed: 1 });
    const training = mode.startsWith('train');
    const batch = Number(/(\d+)/.exec(mode)![1]);
    const { imageSize: s, inChannels: c, numClasses: k } = bench.config;
    const rng = createRng(7);
    const images = tf.tensor4d(
      Float32Array.from({ length: batch * s * s * c }, () => rng.next()),
      [batch, s, s, c],
    );
    const labels = tf.oneHot(
      tf.tensor1d(
        Int32Array.from({ length: batch }, () => Math.floor(rng.next() * k)),
        'int32',
      ),
      k,
    );
    const optimizer = tf.train.adam(1e-3);
    const vars = model.trainableVariables();
    const trainRng = createRng(11);
    const step = async () => {
      if (training) {
        const loss = optimizer.minimize(
          () =>
            tf.losses.softmaxCrossEntropy(
              labels,
              model.apply(images, { training: true, rng: trainRng }),
            ) as tf.Scalar,
          true,
          vars,
        );
        await loss!.data();
        loss!.dispose();
      } else {
        const y = tf.tidy(() => model.apply(images));
        await y.data();
        y.dispose();
      }
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
    tf.dispose([images, labels]);
    optimizer.dispose();
    model.dispose();
  }
}
process.exit(0);
