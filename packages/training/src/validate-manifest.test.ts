/**
 * Checkpoint manifests from outside: every corruption of the index, progress, RNG state, optimizer
 * slots or configs is refused naming the file and the entry, before anything is restored; edits
 * that keep the manifest coherent (its hash recomputed) are checked against the model's and the
 * optimizer's own spec. Nothing leaks.
 */
import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  type CheckpointManifest,
  decodeCheckpoint,
  disposeCheckpoint,
  type EncodedCheckpoint,
  encodeCheckpoint,
} from './checkpoint';
import { createOptimizer } from './create-optimizer';
import { restoreCheckpoint } from './restore-checkpoint';
import { TinyClassifier, toyDataset } from './test-model.test-helpers';
import { train } from './train';
import { manifestDigest, validateManifest } from './validate-manifest';

const FILES = { manifest: 'run/checkpoints/last.json', weights: 'run/checkpoints/w.bin' };
const BATCHES_PER_EPOCH = 5;

/** A real mid-run checkpoint of an Adam run (weights, running mean, both moments). */
async function trainedCheckpoint(): Promise<EncodedCheckpoint> {
  const model = new TinyClassifier(16, 3, 5);
  const saved: EncodedCheckpoint[] = [];
  await train({
    model,
    trainSet: toyDataset(40, 1),
    testSet: toyDataset(8, 2),
    config: {
      epochs: 1,
      batchSize: 8,
      learningRate: 0.05,
      optimizer: { name: 'adam', weightDecay: 1e-4 },
      lrSchedule: { kind: 'constant' },
      seed: 7,
      checkpointEvery: 3,
    },
    sink: { checkpoint: async (c) => void saved.push(c) },
  });
  model.dispose();
  return saved[0] as EncodedCheckpoint; // last@3, mid-epoch
}

/**
 * Decodes, validates and restores a checkpoint into a fresh model and optimizer, as a resume
 * does; disposes everything.
 */
async function resume(manifest: unknown, bytes: Uint8Array): Promise<void> {
  const checked = validateManifest(structuredClone(manifest), FILES.manifest);
  const loaded = await decodeCheckpoint(checked, bytes, FILES);
  const model = new TinyClassifier(16, 3, 1);
  const optimizer = createOptimizer(checked.train.optimizer);
  try {
    restoreCheckpoint(model, optimizer, loaded, BATCHES_PER_EPOCH);
  } finally {
    disposeCheckpoint(loaded);
    model.dispose();
    optimizer.dispose();
  }
}

/** The manifest edited by `edit`, with its hash recomputed (a coherent hostile file) or not. */
async function edited(
  ck: EncodedCheckpoint,
  edit: (m: CheckpointManifest & Record<string, unknown>) => void,
  rehash: boolean,
): Promise<CheckpointManifest> {
  const m = structuredClone(ck.manifest) as CheckpointManifest & Record<string, unknown>;
  edit(m);
  if (rehash) m.manifestSha256 = (await manifestDigest(m)) as string;
  return m;
}

/** The checkpoint encoded again with other optimizer slots (a coherent file: hashes match). */
async function withSlots(
  ck: EncodedCheckpoint,
  slots: (named: Array<readonly [string, tf.Tensor]>) => Array<readonly [string, tf.Tensor]>,
): Promise<EncodedCheckpoint> {
  const loaded = await decodeCheckpoint(ck.manifest, ck.bytes);
  const { manifest } = ck;
  const again = await encodeCheckpoint({
    ...manifest,
    weightsFile: manifest.weights.file,
    modelVariables: Object.entries(loaded.model),
    optimizerSlots: slots(Object.entries(loaded.optimizer)),
  });
  disposeCheckpoint(loaded);
  return again;
}

describe('checkpoint manifests', () => {
  it('refuse every edit of the index, progress, RNG, optimizer or config naming the file and the entry', async () => {
    const ck = await trainedCheckpoint();
    await resume(ck.manifest, ck.bytes); // the intact one resumes
    const before = tf.memory().numTensors;
    const file = FILES.manifest.replace(/\//g, '\\/');
    const hash = new RegExp(`manifest '${file}' does not match its manifestSha256`);
    const entry = (e: string) => new RegExp(`manifest '${file}' entry '${e}'`);
    type Edit = (m: CheckpointManifest & Record<string, unknown>) => void;
    const entries = (m: CheckpointManifest) => m.weights.entries;
    const cases: Array<[string, Edit, boolean, RegExp]> = [
      [
        'two same-shaped entries swapped (b1 ↔ runningMean)',
        (m) => {
          const named = (n: string) => entries(m).find((e) => e.name === n) as { name: string };
          const [b, r] = [named('model/b1'), named('model/runningMean')];
          [b.name, r.name] = [r.name, b.name];
        },
        false,
        hash,
      ],
      [
        'the learning rate edited',
        (m) => {
          m.train.learningRate = 1;
        },
        false,
        hash,
      ],
      [
        'a running sum edited',
        (m) => {
          m.progress.epochSums.loss = 123;
        },
        false,
        hash,
      ],
      [
        'epochStartRng a string',
        (m) => {
          (m.progress as unknown as Record<string, unknown>).epochStartRng = 'x';
        },
        true,
        entry('progress.epochStartRng'),
      ],
      [
        'epochStartRng all zero',
        (m) => {
          m.progress.epochStartRng = [0, 0, 0, 0];
        },
        true,
        /entry 'progress.epochStartRng' is \[0,0,0,0\], expected 4 unsigned 32-bit integers, not all 0/,
      ],
      [
        'modelRng above 2³²',
        (m) => {
          m.progress.modelRng = 2 ** 32;
        },
        true,
        entry('progress.modelRng'),
      ],
      [
        'epochSums.loss null',
        (m) => {
          (m.progress.epochSums as Record<string, unknown>).loss = null;
        },
        true,
        entry('progress.epochSums.loss'),
      ],
      [
        'optimizer.step not the updates made',
        (m) => {
          m.optimizer.step = 2;
        },
        true,
        /entry 'optimizer.step' is 2, expected 3, one update per batch not skipped/,
      ],
      [
        'another optimizer than the config',
        (m) => {
          m.optimizer.name = 'sgd';
        },
        true,
        /entry 'optimizer.name' is "sgd", expected "adam"/,
      ],
      [
        'train.seed above 2³² − 1',
        (m) => {
          m.train.seed = 2 ** 32;
        },
        true,
        /entry 'train': config.seed must be an integer in \[0, 4294967295\], got 4294967296/,
      ],
      [
        'a weights file outside the folder',
        (m) => {
          m.weights.file = '../../x.bin';
        },
        true,
        entry('weights.file'),
      ],
      [
        'an unknown entry',
        (m) => {
          m.extra = 1;
        },
        true,
        /has the unknown entry 'extra'/,
      ],
      [
        'version 3',
        (m) => {
          (m as Record<string, unknown>).version = 3;
        },
        true,
        /version 3/,
      ],
      [
        'optimizer hyperparameters not the config’s',
        (m) => {
          m.optimizer.config.weightDecay = 0.5;
        },
        true,
        /entry 'optimizer.config.weightDecay' is 0.5, the run's optimizer \(train.optimizer\) has 0.0001/,
      ],
      [
        'a position past the epoch',
        (m) => {
          m.progress.nextBatch = 9;
        },
        true,
        /entry 'progress.nextBatch' is 9, but an epoch of this run has 5 batches/,
      ],
    ];
    for (const [name, edit, rehash, message] of cases) {
      const m = await edited(ck, edit, rehash);
      await expect(resume(m, ck.bytes), name).rejects.toThrow(message);
      await expect(resume(m, ck.bytes), name).rejects.toThrow(FILES.manifest);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('check a coherent file’s slots against the optimizer and the model (dropped, renamed, reshaped)', async () => {
    const ck = await trainedCheckpoint();
    const before = tf.memory().numTensors;
    const file = FILES.manifest;
    const cases: Array<[string, Parameters<typeof withSlots>[1], RegExp]> = [
      [
        'every exp_avg_sq dropped',
        (s) => s.filter(([n]) => !n.startsWith('exp_avg_sq/')),
        /has no entry 'optimizer\/exp_avg_sq\/b1' \(adam keeps exp_avg and exp_avg_sq for every parameter it updated\)/,
      ],
      ['every slot dropped', () => [], /has no optimizer slot entries, but adam made 3 updates/],
      [
        'a slot reshaped',
        (s) => s.map(([n, t]) => [n, n === 'exp_avg/b1' ? tf.zeros([4]) : t] as const),
        /entry 'optimizer\/exp_avg\/b1' is float32 \[4\], its parameter 'b1' is float32 \[8\]/,
      ],
      [
        'a slot of no parameter',
        (s) => [...s, ['exp_avg/w9', tf.zeros([2])] as const],
        /entry 'optimizer\/exp_avg\/w9' names no trainable parameter/,
      ],
      [
        'a slot of a non-trainable variable',
        (s) => [...s, ['exp_avg/runningMean', tf.zeros([8])] as const],
        /entry 'optimizer\/exp_avg\/runningMean' names no trainable parameter/,
      ],
      [
        'a slot adam does not keep',
        (s) => [...s, ['momentum_buffer/w1', tf.zeros([16, 8])] as const],
        /entry 'optimizer\/momentum_buffer\/w1' is not a slot of adam \(its slots: exp_avg, exp_avg_sq\)/,
      ],
    ];
    for (const [name, slots, message] of cases) {
      const made: tf.Tensor[] = [];
      const again = await withSlots(ck, (s) => {
        const out = slots(s);
        for (const [, t] of out) if (!s.some(([, u]) => u === t)) made.push(t);
        return out;
      });
      tf.dispose(made);
      await expect(resume(again.manifest, again.bytes), name).rejects.toThrow(message);
      await expect(resume(again.manifest, again.bytes), name).rejects.toThrow(file);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  test.prop([fc.nat(), fc.jsonValue({ maxDepth: 2 }), fc.boolean()], { numRuns: 100 })(
    'any entry replaced by any JSON value (hash recomputed or not) resumes or is refused with a named error; nothing leaks',
    async (pick, value, rehash) => {
      const ck = await sharedCheckpoint();
      const paths = leafPaths(ck.manifest);
      const path = paths[pick % paths.length] as string[];
      const m = await edited(ck, (x) => setPath(x, path, value), rehash);
      const before = tf.memory().numTensors;
      const error = await resume(m, ck.bytes).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(tf.memory().numTensors).toBe(before);
      if (error === undefined) return;
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).constructor).toBe(Error); // not a TypeError or RangeError
      expect((error as Error).message).toMatch(/^Error in \w+(\.\w+)?: /);
      expect((error as Error).message).toMatch(/run\/checkpoints\/(last\.json|w\.bin)/);
    },
  );
});

let shared: Promise<EncodedCheckpoint> | undefined;
/** One checkpoint for all the property's runs (made on the first, on the test's backend). */
const sharedCheckpoint = () => {
  shared ??= trainedCheckpoint();
  return shared;
};

/** The path of every leaf (and every array and object) of a JSON value. */
function leafPaths(value: unknown, at: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [at];
  return [at, ...Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...at, k]))].filter(
    (p) => p.length > 0,
  );
}

function setPath(root: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = root as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path.at(-1) as string] = value;
}
