/**
 * The 1000-step soak (on demand: `pnpm test:soak`, i.e. `GCNN_SOAK=1`; about 3 minutes on two
 * cores, so not in the default suite): the main job's model at test width on 640 MNIST-rot images
 * on wasm, with the divergence guard, mid-epoch checkpoints, metrics and evaluations of a run
 * folder, exactly as `gcnn train` runs it. Live tensors must stay exactly flat and the process's
 * resident memory must settle.
 */
import { join } from 'node:path';
import { DATASET_INFO } from '@gcnn/datasets';
import { createModel, MODEL_PRESETS } from '@gcnn/models';
import { train } from '@gcnn/training';
import { openRunDirectory } from '@gcnn/training/node';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../backend';
import { ONCE, useCliSandbox } from '../cli.test-helpers';
import { loadDatasets } from '../load-datasets';

const STEPS = 1000;
const SAMPLE_EVERY = 100;
/**
 * The lowest resident memory of the last 500 steps may exceed that of steps 200–500 by at most
 * this (a leak of 64 kB a step exceeds it). Lows, not single samples: the garbage collector moves
 * single samples by 100 MiB.
 */
const RSS_SLACK_BYTES = 32 * 2 ** 20;

describe.skipIf(!ONCE || !process.env.GCNN_SOAK)('soak: 1000 steps on wasm', () => {
  const box = useCliSandbox('gcnn-soak-');

  it('keeps live tensors exactly flat and resident memory settled', async () => {
    await selectBackend('wasm');
    const data = await loadDatasets({ id: 'mnist-rot', limitTrain: 640, limitTest: 100 });
    const model = createModel({ ...MODEL_PRESETS.default, hiddenSizes: [8, 16], seed: 0 });
    const run = openRunDirectory(join(box.dir, 'soak'), { mode: 'new', config: {} });
    const samples: Array<{ step: number; tensors: number; rss: number }> = [];
    try {
      await train({
        model,
        trainSet: data.train,
        testSet: data.test,
        normalization: DATASET_INFO['mnist-rot'].normalization,
        config: {
          epochs: 100,
          batchSize: 16,
          learningRate: 2e-3,
          optimizer: { name: 'adam' },
          lrSchedule: { kind: 'cosine-steps', epochs: 100 },
          seed: 0,
          maxSteps: STEPS,
          printInterval: 10,
          checkpointEvery: 30,
          evalEvery: 5,
        },
        sink: run,
        onStep: (e) => {
          if (e.step % SAMPLE_EVERY !== 0) return;
          samples.push({
            step: e.step,
            tensors: tf.memory().numTensors,
            rss: process.memoryUsage().rss,
          });
        },
      });
    } finally {
      run.close();
      model.dispose();
    }
    const mib = (b: number) => (b / 2 ** 20).toFixed(1);
    process.stdout.write(
      `soak: ${samples.map((s) => `step ${s.step}: ${s.tensors} tensors, ${mib(s.rss)} MiB`).join('; ')}\n`,
    );
    expect(samples).toHaveLength(STEPS / SAMPLE_EVERY);
    expect(new Set(samples.map((s) => s.tensors)).size).toBe(1);
    const low = (from: number, to: number) =>
      Math.min(...samples.filter((s) => s.step >= from && s.step <= to).map((s) => s.rss));
    expect(low(600, STEPS) - low(200, 500)).toBeLessThan(RSS_SLACK_BYTES);
  }, 900_000);
});
