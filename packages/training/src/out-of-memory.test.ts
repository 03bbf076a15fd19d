/**
 * Running out of memory in a training step or an evaluation is an OutOfMemoryError naming the
 * model, the batch and the backend, never a bare wasm trap, and the run's last checkpoint (written
 * before) stays intact: with a thrown WebAssembly trap on every backend, and with a forced small
 * heap limit on the real wasm backend.
 */

import { createDataset, type Dataset } from '@gcnn/datasets';
import { createModel, type ModelConfig } from '@gcnn/models';
import { testBackend, testModelConfig } from '@gcnn/test-utils';
import { setWasmHeapLimit } from '@gcnn/tfjs-wasm-training';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCheckpoint, disposeCheckpoint, type EncodedCheckpoint } from './checkpoint';
import { isOutOfMemory, OutOfMemoryError } from './out-of-memory';
import { TinyClassifier, toyDataset } from './test-model.test-helpers';
import { train } from './train';
import type { TrainConfig } from './train-config';

const CONFIG: TrainConfig = {
  epochs: 1,
  batchSize: 8,
  learningRate: 0.01,
  optimizer: { name: 'adam' },
  lrSchedule: { kind: 'constant' },
  seed: 1,
  checkpointEvery: 1,
};

const SIM2 = {
  model: 'ckgresnet',
  group: 'Sim2',
  implementation: 'separable+2d',
  sampleCount: [16, 3],
};

/** A TinyClassifier whose training forward traps like wasm from call `failAt` on. */
class TrappingClassifier extends TinyClassifier {
  calls = 0;
  constructor(readonly failAt: number) {
    super(16, 3, 5);
  }
  override apply(images: tf.Tensor4D, options: { training?: boolean } = {}): tf.Tensor2D {
    if (options.training && ++this.calls >= this.failAt) {
      throw new WebAssembly.RuntimeError('memory access out of bounds');
    }
    return super.apply(images, options);
  }
}

/** `count` random `size`×`size`×1 images of 3 classes. */
function imageDataset(count: number, size: number): Dataset {
  const images = Uint8Array.from({ length: count * size * size }, (_, i) => (i * 37) % 251);
  const labels = Int32Array.from({ length: count }, (_, i) => i % 3);
  return createDataset({
    name: 'images',
    images,
    labels,
    count,
    height: size,
    width: size,
    channels: 1,
    numClasses: 3,
  });
}

async function trainCatching(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the run to fail');
}

describe('out of memory in train', () => {
  afterEach(() => setWasmHeapLimit(null));

  it('a trap in step 3 names model, batch, plan and backend; the step-2 checkpoint is intact', async () => {
    const model = new TrappingClassifier(3);
    const checkpoints: EncodedCheckpoint[] = [];
    const error = await trainCatching(() =>
      train({
        model,
        trainSet: toyDataset(40, 1),
        testSet: toyDataset(8, 2),
        config: CONFIG,
        modelConfig: SIM2,
        sink: { checkpoint: async (c) => void checkpoints.push(c) },
      }),
    );
    expect(error).toBeInstanceOf(OutOfMemoryError);
    const backend = tf.getBackend();
    expect((error as Error).message).toBe(
      `Error in train: out of memory in training step 3 (model ckgresnet Sim2 separable+2d [16,3]; batch 8 = 8 rows per thread on 1 thread, lean; backend ${backend}): memory access out of bounds. The last checkpoint (step 2) is intact; use fewer rows per thread (micro-batches, more threads or a smaller batch).`,
    );
    expect((error as Error).cause).toBeInstanceOf(WebAssembly.RuntimeError);
    const last = checkpoints.at(-1) as EncodedCheckpoint;
    expect(last.manifest).toMatchObject({ kind: 'last', progress: { step: 2 } });
    disposeCheckpoint(await decodeCheckpoint(last.manifest, last.bytes)); // verifies its sha-256
    model.dispose();
  });

  it('a trap in the evaluation is named as such', async () => {
    const model = new TinyClassifier(16, 3, 5);
    const apply = model.apply.bind(model);
    model.apply = (images, options = {}) => {
      if (!options.training) throw new Error('Aborted(). Build with -sASSERTIONS for more info.');
      return apply(images, options);
    };
    const error = await trainCatching(() =>
      train({
        model,
        trainSet: toyDataset(16, 1),
        testSet: toyDataset(8, 2),
        config: { ...CONFIG, checkpointEvery: 0, evalBatchSize: 4 },
      }),
    );
    expect((error as Error).message).toMatch(
      /^Error in train: out of memory in evaluation after step 2 \(model model; batch 4 = 4 rows per thread on 1 thread; backend \w+\): Aborted\(\)\. Build with -sASSERTIONS for more info\. No checkpoint was written yet;/,
    );
    model.dispose();
  });

  it('other errors pass through unchanged', async () => {
    expect(isOutOfMemory(new Error('Error in setWeights: unknown weight'))).toBe(false);
    expect(
      isOutOfMemory(
        new Error(
          'Error in DataParallelTrainer: replica 1 (worker thread) failed: memory access out of bounds',
        ),
      ),
    ).toBe(true);
  });

  it.skipIf(testBackend() !== 'wasm')(
    'wasm with a forced heap limit: a real allocation failure becomes the same error',
    async () => {
      const config: ModelConfig = { ...testModelConfig('ckgcnn') };
      const model = createModel(config);
      const checkpoints: EncodedCheckpoint[] = [];
      const error = await trainCatching(() =>
        train({
          model,
          trainSet: imageDataset(40, config.imageSize),
          testSet: imageDataset(8, config.imageSize),
          config: CONFIG,
          // once step 2's checkpoint is written, every allocation fails (writing a checkpoint
          // allocates too: the optimizer's per-parameter slot views)
          sink: {
            checkpoint: async (c) => {
              checkpoints.push(c);
              if (c.manifest.progress.step === 2) setWasmHeapLimit(1);
            },
          },
        }),
      );
      setWasmHeapLimit(null);
      expect(error).toBeInstanceOf(OutOfMemoryError);
      expect((error as Error).message).toMatch(
        /^Error in train: out of memory in training step 3 \(model ckgcnn SE2 separable 4; batch 8 = 8 rows per thread on 1 thread, lean; backend wasm\): Error in the wasm backend: out of memory allocating .* The last checkpoint \(step 2\) is intact;/,
      );
      const last = checkpoints.at(-1) as EncodedCheckpoint;
      expect(last.manifest.progress.step).toBe(2);
      disposeCheckpoint(await decodeCheckpoint(last.manifest, last.bytes));
      model.dispose();
    },
  );
});
