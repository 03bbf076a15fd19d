/**
 * `saveModel`/`loadModel` through `file://` (the Node file-system handler): bitwise round trips of
 * every preset and every implementation, 4 MB shards, gcnn's version-1 files (the browser demo's
 * model), and hostile or broken files refused before allocation with errors naming the file and
 * the entry, leaving no tensor behind and the backend usable.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../io/model-io';
import {
  expectSameLogits,
  expectSameWeights,
  implementationConfig,
  perturbedModel,
  ROUND_TRIP_CONFIGS,
} from '../io/round-trip.test-helpers';
import { loadModelFromBuffers } from '../model-file';
import { fileSystem, MAX_SHARD_BYTES, registerFileSystemRouter } from './file-system';

registerFileSystemRouter();
const scratch = mkdtempSync(join(tmpdir(), 'gcnn-fs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(scratch, `m${n++}`);
const DEMO_MODEL = resolve(import.meta.dirname, '../../../../examples/browser-demo/public/model');

describe('file:// round trips', () => {
  for (const [name, config] of ROUND_TRIP_CONFIGS) {
    it(`${name}: bit-identical weights and logits, shards of at most 4 MB`, async () => {
      const model = perturbedModel(config);
      const dir = freshDir();
      const before = tf.memory().numTensors;
      await saveModel(model, pathToFileURL(dir).href, {
        normalization: { mean: [0.1], std: [0.3] },
        metadata: { dataset: 'mnist-rot' },
      });
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      expect(json.format).toBe('gcnn-model');
      for (const p of json.weightsManifest[0].paths)
        expect(readFileSync(join(dir, p)).byteLength).toBeLessThanOrEqual(MAX_SHARD_BYTES);
      const loaded = await loadModel(`${pathToFileURL(dir).href}/model.json`);
      expect(loaded.model.config).toEqual(config);
      expect(loaded.normalization).toEqual({ mean: [0.1], std: [0.3] });
      expect(loaded.metadata).toEqual({ dataset: 'mnist-rot' });
      await expectSameWeights(model, loaded.model);
      // Same config and bit-identical weights make the same model; the logits are compared where
      // a forward pass is cheap on the cpu backend (the full presets take minutes there).
      if (config.imageSize <= 12) await expectSameLogits(model, loaded.model);
      model.dispose();
      loaded.model.dispose();
      expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    });
  }

  it('weights larger than a shard are split into shards that join back bit-identically', async () => {
    const model = perturbedModel(implementationConfig('dseparable'));
    const dir = freshDir();
    await saveModel(model, fileSystem(dir, { maxShardBytes: 1024 }));
    const paths: string[] = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))
      .weightsManifest[0].paths;
    expect(paths.length).toBeGreaterThan(1);
    expect(paths[0]).toBe(`group1-shard1of${paths.length}.bin`);
    const loaded = await loadModel(fileSystem(dir));
    await expectSameWeights(model, loaded.model);
    model.dispose();
    loaded.model.dispose();
  });

  it("gcnn's version-1 files (the browser demo's model) load through file:// and from buffers alike", async () => {
    const viaFile = await loadModel(`${pathToFileURL(DEMO_MODEL).href}/model.json`);
    const viaBuffers = await loadModelFromBuffers(
      readFileSync(join(DEMO_MODEL, 'model.json'), 'utf8'),
      readFileSync(join(DEMO_MODEL, 'model.weights.bin')),
    );
    expect(viaFile.normalization).toEqual(viaBuffers.normalization);
    expect(viaFile.normalization?.mean).toHaveLength(1);
    await expectSameWeights(viaBuffers.model, viaFile.model);
    const pixels = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const [a, b] = [viaFile.predict(pixels), viaBuffers.predict(pixels)];
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    tf.dispose([pixels, a, b]);
    viaFile.model.dispose();
    viaBuffers.model.dispose();
  });
});

/** A saved small model's folder, its model.json (parsed) and a writer for a modified copy. */
async function savedModel() {
  const model = perturbedModel(implementationConfig('separable'));
  const dir = freshDir();
  await saveModel(model, fileSystem(dir), { normalization: { mean: [0.1], std: [0.3] } });
  model.dispose();
  const jsonPath = join(dir, 'model.json');
  const json = JSON.parse(readFileSync(jsonPath, 'utf8'));
  const write = (value: unknown) => {
    writeFileSync(jsonPath, typeof value === 'string' ? value : JSON.stringify(value));
    return jsonPath;
  };
  return { dir, jsonPath, json, write };
}

/** Loading `path` is refused with `message`, no tensor is left behind, and tfjs still computes. */
async function expectRefused(path: string, message: RegExp | string) {
  const before = tf.memory();
  const error = await loadModel(fileSystem(path)).then(
    () => null,
    (e: Error) => e,
  );
  expect(error?.message).toMatch(message);
  expect(error?.message).toContain(path.endsWith('.json') ? path : join(path, 'model.json'));
  expect(tf.memory().numTensors).toBe(before.numTensors);
  expect(tf.memory().numBytes).toBe(before.numBytes);
  const y = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1));
  expect(Array.from(await y.data())).toEqual([2, 3]);
  tf.dispose(y);
}

describe('hostile or broken model files are refused before allocation (issue 16 item 4)', () => {
  const config = (json: { modelTopology: { modelConfig: Record<string, unknown> } }) =>
    json.modelTopology.modelConfig;

  it('sampleCount: 100000 (was: 16 s, 3.1 GB, a wasm abort)', async () => {
    const f = await savedModel();
    config(f.json).sampleCount = 100_000;
    await expectRefused(
      f.write(f.json),
      /sampleCount is 100000 group elements, more than the limit of 256/,
    );
  });

  it('hiddenSizes: [16, 100000] (was: RangeError and 22 leaked tensors)', async () => {
    const f = await savedModel();
    config(f.json).hiddenSizes = [16, 100_000];
    await expectRefused(
      f.write(f.json),
      /the widest layer .* is 100000 channels, more than the limit of 4096/,
    );
  });

  it('2,000,000 extra weight entries (was: 46 s and 2.6 GB before "unknown weight")', async () => {
    const f = await savedModel();
    const extra = { name: 'x', shape: [1], dtype: 'float32' };
    const specs = f.json.weightsManifest[0].weights;
    const before = tf.memory().numTensors;
    const artifacts = {
      format: 'gcnn-model',
      modelTopology: f.json.modelTopology,
      weightSpecs: [...specs, ...new Array(2_000_000).fill(extra)],
      weightData: new ArrayBuffer(8),
    };
    await expect(loadModel({ load: async () => artifacts })).rejects.toThrow(
      /'the IOHandler' lists 2000\d+ weights, more than the 65536 allowed/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('offset -4 in a version-1 file (was: raw RangeError without the file name)', async () => {
    const json = JSON.parse(readFileSync(join(DEMO_MODEL, 'model.json'), 'utf8'));
    json.weights.entries[1].offset = -4;
    const before = tf.memory().numTensors;
    await expect(
      loadModelFromBuffers(
        json,
        readFileSync(join(DEMO_MODEL, 'model.weights.bin')),
        'demo/model.json',
      ),
    ).rejects.toThrow(
      new RegExp(
        `'demo/model.json' weight '${json.weights.entries[1].name.replaceAll('.', '\\.')}' \\(entry 1\\) has offset -4`,
      ),
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('shape [-1, -64], shape "abc", NaN and 1e10-element shapes name the entry', async () => {
    const f = await savedModel();
    const spec0 = f.json.weightsManifest[0].weights[0];
    for (const [shape, message] of [
      [[-1, -64], /has shape \[-1,-64\]: sizes must be positive integers/],
      ['abc', /has shape "abc", expected an array of at most 8 sizes/],
      [[Number.NaN], /has shape \[null\]: sizes must be positive integers/],
      [[100_000, 100_000], /has shape \[100000,100000\], more than 268435456 elements/],
    ] as const) {
      spec0.shape = shape;
      await expectRefused(
        f.write(f.json),
        new RegExp(`weight '${spec0.name}' \\(entry 0\\) ${message.source}`),
      );
    }
  });

  it('a null entry and a __proto__ weight name or config key', async () => {
    const f = await savedModel();
    const specs = f.json.weightsManifest[0].weights;
    const saved = specs[2];
    specs[2] = null;
    await expectRefused(
      f.write(f.json),
      /weight entry 2 is null, expected \{ name, shape, dtype \}/,
    );
    specs[2] = { ...saved, name: '__proto__' };
    await expectRefused(f.write(f.json), /weight entry 2 has the forbidden name '__proto__'/);
    specs[2] = saved;
    const text = JSON.stringify(f.json).replace(
      '"modelConfig":{',
      '"modelConfig":{"__proto__":{"polluted":1},',
    );
    await expectRefused(f.write(text), /modelConfig: .*unknown field '__proto__'/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a kernelNet nested 100,000 deep (was: stack overflow)', async () => {
    const f = await savedModel();
    const text = JSON.stringify(f.json).replace(
      /"kernelNet":\{[^}]*\}/,
      `"kernelNet":{"hiddenSize":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    );
    await expectRefused(f.write(text), /modelConfig: .*json nests more than 3 levels/);
  });

  it('all-NaN weights (were loaded) and an infinite one', async () => {
    const f = await savedModel();
    const shard = join(f.dir, f.json.weightsManifest[0].paths[0]);
    const bytes = readFileSync(shard);
    new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).fill(Number.NaN);
    writeFileSync(shard, bytes);
    delete f.json.modelTopology.weightsSha256;
    const name = f.json.weightsManifest[0].weights[0].name;
    await expectRefused(
      f.write(f.json),
      new RegExp(`weight '${name}' has the non-finite value NaN at index 0`),
    );
  });

  it('normalization { mean: ["x"], std: [0] } (was accepted)', async () => {
    const f = await savedModel();
    f.json.modelTopology.normalization = { mean: ['x'], std: [0] };
    await expectRefused(f.write(f.json), /normalization.mean\[0\] = "x", expected a finite number/);
    f.json.modelTopology.normalization = { mean: [0], std: [0] };
    await expectRefused(
      f.write(f.json),
      /normalization.std\[0\] = 0, expected a finite number > 0/,
    );
    f.json.modelTopology.normalization = { mean: [0, 0], std: [1, 1] };
    await expectRefused(f.write(f.json), /normalization.mean \[0,0\], expected 1 numbers/);
  });

  it('byte lengths that disagree with the shards, a missing shard, a shard outside the folder', async () => {
    const f = await savedModel();
    const shard = join(f.dir, f.json.weightsManifest[0].paths[0]);
    const bytes = readFileSync(shard);
    writeFileSync(shard, Buffer.concat([bytes, Buffer.alloc(8)]));
    await expectRefused(
      f.jsonPath,
      /has \d+ bytes of weights, but its weight specs describe \d+ \(extra or replaced shard\?\)/,
    );
    writeFileSync(shard, bytes.subarray(0, bytes.byteLength - 4));
    await expectRefused(
      f.jsonPath,
      /ends at byte \d+, past the end of the \d+ bytes of weights \(truncated or missing shard\?\)/,
    );
    f.json.weightsManifest[0].paths = ['gone.bin'];
    await expectRefused(f.write(f.json), /names weight shard 'gone.bin', which is missing/);
    f.json.weightsManifest[0].paths = ['../../etc/passwd'];
    await expectRefused(
      f.write(f.json),
      /names weight shard "..\/..\/etc\/passwd", expected a file name beside model.json/,
    );
  });

  it('a weight the config does not have, a missing one, a wrong shape', async () => {
    const f = await savedModel();
    const specs = f.json.weightsManifest[0].weights;
    const name0 = specs[0].name;
    specs[0].name = 'lifting.kernel.extra';
    await expectRefused(
      f.write(f.json),
      /weight 'lifting.kernel.extra' \(entry 0\) that the model of its config does not have/,
    );
    specs[0].name = name0;
    const [a, b] = specs[0].shape;
    specs[0].shape = [b, a];
    if (a !== b)
      await expectRefused(
        f.write(f.json),
        new RegExp(
          `weight '${name0}' \\(entry 0\\) of shape \\[${b},${a}\\] float32, the model expects \\[${a},${b}\\]`,
        ),
      );
  });
});
