import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createModel, loadModelFromBuffers, modelConfigFromJson } from '@gcnn/models';
import { fileSystem } from '@gcnn/models/node';
import { disposeCheckpoint, loadModelWeights } from '@gcnn/training';
import { loadCheckpoint } from '@gcnn/training/node';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ONCE, useCliSandbox } from './cli.test-helpers';
import { maxAbsDifference } from './export-command';

describe.skipIf(!ONCE)('gcnn export', () => {
  const box = useCliSandbox('gcnn-export-');

  it('needs --checkpoint and a plain --name; --help lists the flags', async () => {
    const none = await box.run(['export']);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/--checkpoint <run folder or checkpoint .json> is required/);
    const bad = await box.run(['export', '--checkpoint', 'x', '--name', '../up']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--name must be a plain file name/);
    const help = await box.run(['export', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--checkpoint/);
    expect(help.out).toMatch(/--out/);
  });

  it("writes model.json + model.weights.bin that load to the checkpoint's model", async () => {
    const runDir = join(box.dir, 'run');
    const train = await box.run([
      'train',
      '--preset',
      'default',
      '--hidden-sizes',
      '4,4',
      '--num-group-elements',
      '4',
      '--kernel-size',
      '3',
      '--ck-net-hidden-size',
      '8',
      '--limit-train',
      '16',
      '--limit-test',
      '8',
      '--batch-size',
      '8',
      // One epoch (2 steps), whatever the default job's epoch count: the export reports it below.
      '--epochs',
      '1',
      '--backend',
      'cpu',
      '--out',
      runDir,
    ]);
    expect(train.code, train.err).toBe(0);
    const r = await box.run(['export', '--checkpoint', 'run', '--out', 'exported']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(
      /wrote .*exported\/model\.json and .*exported\/model\.weights\.bin \([\d,]+ bytes, [\d,]+ parameters; best checkpoint, epoch 1, step 2, test accuracy \d+\.\d\d%\)/,
    );
    const jsonPath = join(box.dir, 'exported/model.json');
    const binPath = join(box.dir, 'exported/model.weights.bin');
    expect(existsSync(binPath)).toBe(true);
    const json = JSON.parse(readFileSync(jsonPath, 'utf8'));
    expect(json).toMatchObject({
      format: 'gcnn-model',
      modelTopology: { version: 2, normalization: { mean: [0.13], std: [0.297] } },
      userDefinedMetadata: {
        dataset: 'mnist-rot',
        testLimit: 8,
        checkpoint: { kind: 'best', step: 2 },
      },
      weightsManifest: [{ paths: ['model.weights.bin'] }],
    });
    // No optimizer state: the weights are the model's parameters (+ statistics), 4 bytes each.
    const loaded = await loadModelFromBuffers(json, readFileSync(binPath));
    expect(readFileSync(binPath).length).toBe(
      loaded.model.namedVariables().reduce((n, [, v]) => n + 4 * v.size, 0),
    );
    const ckpt = await loadCheckpoint(runDir, 'best');
    const model = createModel(modelConfigFromJson(ckpt.manifest.modelConfig));
    loadModelWeights(model, ckpt, ckpt.path);
    disposeCheckpoint(ckpt);
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    const [a, b] = [model.apply(x), loaded.model.apply(x)];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    // --format graph-model: a frozen tfjs graph model with gcnn's logits (normalization folded in).
    const g = await box.run([
      'export',
      '--checkpoint',
      'run',
      '--out',
      'frozen',
      '--format',
      'graph-model',
    ]);
    expect(g.code, g.err).toBe(0);
    expect(g.out).toMatch(/wrote the graph model .*frozen\/model\.json/);
    const graph = await loadGraphModel(fileSystem(join(box.dir, 'frozen/model.json')));
    const pixels = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 8) as tf.Tensor4D;
    const [p, q] = [loaded.predict(pixels), graph.predict(pixels) as tf.Tensor];
    const [pv, qv] = [await p.data(), await q.data()];
    const scale = Math.max(...Array.from(pv, Math.abs));
    expect(
      Math.max(...Array.from(pv, (v, i) => Math.abs(v - (qv[i] as number)))) / scale,
    ).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, a, b, pixels, p, q]);
    graph.dispose();
    model.dispose();
    loaded.model.dispose();
  }, 180_000);
});

// The export's reload check on the suite's backend (cpu, wasm): no synchronous read, so it also
// works where `dataSync()` of a GPU tensor is impossible (webgpu in Node).
describe('maxAbsDifference (the export check)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is the largest |a − b|, 0 for equal tensors, read without dataSync', async () => {
    const dataSync = vi.spyOn(tf.Tensor.prototype, 'dataSync').mockImplementation(() => {
      throw new Error('synchronous read');
    });
    const a = tf.tensor2d([1, -2, 3, 4.5], [2, 2]);
    const b = tf.tensor2d([1, -2.25, 3, 4], [2, 2]);
    expect(await maxAbsDifference(a, b)).toBe(0.5);
    expect(await maxAbsDifference(b, a)).toBe(0.5);
    expect(await maxAbsDifference(a, a)).toBe(0);
    expect(dataSync).not.toHaveBeenCalled();
    // The caller keeps a and b; nothing else is left behind (the setup checks the tensor count).
    expect(a.isDisposed || b.isDisposed).toBe(false);
    tf.dispose([a, b]);
  });
});
