/**
 * The acceptance of the reader on real checkpoints: every fixture of `fixtures/torch-checkpoints`
 * (made by the reference with PyTorch 1.13), in both forms, loads and gives the reference's logits;
 * the config recovered from each whole module is the one it was built with. Plus the refusals of
 * module trees that would make a naive walker loop or recurse without end.
 */
import { MODEL_PRESETS, type ModelConfig } from '@gcnn/models';
import {
  loadTorchCheckpointExpected,
  loadTorchCheckpointFile,
  relativeL2,
  TORCH_CHECKPOINT_NAMES,
  type TorchCheckpointExpected,
  tolerance,
} from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { bytesOf, op, torchZip } from '../checkpoint-bytes.test-helpers';
import { readTorchCheckpoint } from '../torch/read-torch-checkpoint';
import {
  type LoadedTorchCheckpoint,
  loadTorchCheckpoint,
  torchCheckpointKind,
} from './load-torch-checkpoint';
import { modelConfigFromReference } from './model-config-from-reference';
import type { ReferenceHyperparameters } from './reference-hyperparameters';

/** The fixture's input `[N, C, H, W]` as gcnn images `[N, H, W, C]`. */
function images(e: TorchCheckpointExpected): tf.Tensor4D {
  const [n, c, h, w] = e.input.shape as [number, number, number, number];
  return tf.tidy(() => tf.transpose(tf.tensor4d(e.input.values, [n, c, h, w]), [0, 2, 3, 1]));
}

async function logitsError(
  loaded: LoadedTorchCheckpoint,
  e: TorchCheckpointExpected,
): Promise<number> {
  const x = images(e);
  const y = loaded.model.apply(x);
  const err = await relativeL2(y, e.logits.values);
  tf.dispose([x, y]);
  return err;
}

/** The config the state dicts need: the expected.json's reference hyperparameters. */
function expectedConfig(e: TorchCheckpointExpected): ModelConfig {
  return modelConfigFromReference({
    model: 'ckgresnet',
    widen_factor: 1,
    ...e.config,
  } as ReferenceHyperparameters);
}

describe('loadTorchCheckpoint on the reference checkpoints (compatibility: reference)', () => {
  for (const name of TORCH_CHECKPOINT_NAMES) {
    it(`${name}: the whole module needs no config and gives the reference's logits; its config is the one it was built with`, async () => {
      const e = loadTorchCheckpointExpected(name);
      const loaded = loadTorchCheckpoint(await loadTorchCheckpointFile(`${name}.pt`), {
        source: `${name}.pt`,
      });
      expect(loaded).toMatchObject({ kind: 'module', formatVersion: 3 });
      expect(loaded.className).toMatch(
        /^ck_g_cnn\.nn\.ck_g_(resnet\.CKGResNet|cnn\.CKGCNN|allcnnc\.CKGAllCNNC)$/,
      );
      expect(loaded.config.compatibility).toBe('reference');
      for (const [key, value] of Object.entries(e.config))
        expect(loaded.hyperparameters?.[key as keyof ReferenceHyperparameters], key).toEqual(value);
      if (e.n_params !== undefined) expect(loaded.model.parameterCount()).toBe(e.n_params);
      const err = await logitsError(loaded, e);
      console.info(`${name}.pt: logits rel. L2 ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(tolerance('trig'));
      loaded.model.dispose();
    });
    if (!loadTorchCheckpointExpected(name).files?.includes(`${name}.state_dict.pt`)) continue;
    it(`${name}: the state dict with its config gives the reference's logits`, async () => {
      const e = loadTorchCheckpointExpected(name);
      const loaded = loadTorchCheckpoint(await loadTorchCheckpointFile(`${name}.state_dict.pt`), {
        source: `${name}.state_dict.pt`,
        config: expectedConfig(e),
      });
      expect(loaded).toMatchObject({
        kind: 'state-dict',
        className: undefined,
        hyperparameters: undefined,
      });
      expect(loaded.skipped.some((s) => s.endsWith('.num_batches_tracked'))).toBe(true);
      const err = await logitsError(loaded, e);
      console.info(`${name}.state_dict.pt: logits rel. L2 ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(tolerance('trig'));
      loaded.model.dispose();
    });
  }

  it("recovers gcnn's own configs: the README model is the se2-separable preset in reference mode", async () => {
    const readme = loadTorchCheckpoint(await loadTorchCheckpointFile('se2_separable_readme.pt'));
    expect(readme.config).toEqual({
      ...MODEL_PRESETS['se2-separable'],
      compatibility: 'reference',
    });
    readme.model.dispose();
    const small = loadTorchCheckpoint(
      await loadTorchCheckpointFile('sim2_ckgresnet_separable2d.pt'),
    );
    expect(small.config).toEqual({
      model: 'ckgresnet',
      group: 'Sim2',
      maxScale: 1.74,
      sampleCount: [4, 2],
      sampling: 'discretize',
      implementation: 'separable+2d',
      inChannels: 1,
      imageSize: 12,
      numClasses: 3,
      hiddenSizes: [4, 4, 8],
      widenFactor: 1,
      kernelSize: 5,
      stride: 1,
      padding: true,
      pooling: true,
      normalization: 'batchnorm',
      dropout: 0,
      kernelNet: { hiddenSize: 16, numHidden: 1, firstOmega0: 10, omega0: 10 },
      compatibility: 'reference',
      seed: 0,
    } satisfies ModelConfig);
    small.model.dispose();
  });

  it('says which entries of a state dict are missing, unexpected or mismatched for the config', async () => {
    const name = 'se2_ckgresnet_separable';
    const bytes = await loadTorchCheckpointFile(`${name}.state_dict.pt`);
    const checkpoint = readTorchCheckpoint(bytes);
    expect(torchCheckpointKind(checkpoint)).toBe('state-dict');
    expect(() => loadTorchCheckpoint(checkpoint)).toThrow(
      /is a state dict, which holds no model config: pass options.config/,
    );
    const config = expectedConfig(loadTorchCheckpointExpected(name));
    const before = tf.memory().numTensors;
    expect(() =>
      loadTorchCheckpoint(checkpoint, { config: { ...config, implementation: 'nonseparable' } }),
    ).toThrow(
      /its weights do not fit the model \(ckgresnet SE2 nonseparable, hidden \[4,4,8\], k 5\): \d+ missing \(model variables no entry fills\): layers\.2\.gconv1\.kernel\.sine\.0\.weight.*; \d+ unexpected \(entries the model has no variable for\): layers\.2\.gconv_1\.kernel\.cknet_H/,
    );
    expect(() =>
      loadTorchCheckpoint(checkpoint, { config: { ...config, hiddenSizes: [4, 4] } }),
    ).toThrow(/unexpected \(entries the model has no variable for\): layers\.6\./);
    expect(() =>
      loadTorchCheckpoint(checkpoint, {
        config: { ...config, kernelNet: { ...config.kernelNet, hiddenSize: 8 } },
      }),
    ).toThrow(
      /mismatched: layers\.2\.gconv_1\.kernel\.cknet_H\.net\.net\.0\.linear\.weight \(float32 \[16,1\], transposed; the model's layers\.2\.gconv1\.kernelH\.sine\.0\.weight is float \[1,8\]\)/,
    );
    expect(tf.memory().numTensors).toBe(before); // the model built for the check is disposed
  });

  it('loads a whole module in gcnn numerics on request', async () => {
    const loaded = loadTorchCheckpoint(
      await loadTorchCheckpointFile('se2_ckgresnet_nonseparable.pt'),
      { compatibility: 'gcnn' },
    );
    expect(loaded.config.compatibility).toBe('gcnn');
    loaded.model.dispose();
  });
});

describe('loadTorchCheckpoint on hostile module trees', () => {
  /** A `Sequential` with empty `_parameters` and `_buffers`, memoized as `memo` if given, its `_modules` dict left open on the stack. */
  const moduleStart = (memo?: number) => [
    ...op.global('torch.nn.modules.container', 'Sequential'),
    ...op.emptyTuple,
    ...op.newobj,
    ...(memo === undefined ? [] : op.binput(memo)),
    ...op.emptyDict,
    ...[
      op.str('_parameters'),
      op.emptyDict,
      op.setitem,
      op.str('_buffers'),
      op.emptyDict,
      op.setitem,
    ].flat(),
    ...op.str('_modules'),
    ...op.emptyDict,
  ];
  /** Closes what {@link moduleStart} opened: `_modules` into the state, then `BUILD`. */
  const moduleEnd = [...op.setitem, ...op.build];
  /** Sets `_modules[name]` to what `value` pushes. */
  const child = (name: string, value: readonly number[]) => [
    ...op.str(name),
    ...value,
    ...op.setitem,
  ];
  const config = { ...MODEL_PRESETS['se2-separable'] };
  const load = (...parts: Parameters<typeof bytesOf>) =>
    loadTorchCheckpoint(torchZip(bytesOf(op.proto(), ...parts, op.stop)), {
      config,
      source: 'hostile.pt',
    });

  it('refuses a module that contains itself', () => {
    expect(() => load(moduleStart(0), child('0', op.binget(0)), moduleEnd)).toThrow(
      /module '0' \(torch\.nn\.modules\.container\.Sequential\) contains itself \(a cycle of modules\)/,
    );
  });

  it('refuses modules nested 1000 deep (built without MARKs, so the pickle itself is fine) at the maxDepth limit', () => {
    const depth = 1000;
    const open = Array.from({ length: depth }, () => [...moduleStart(), ...op.str('m')]).flat();
    const close = Array.from({ length: depth }, () => [...op.setitem, ...moduleEnd]).flat();
    expect(() => load(open, moduleStart(), moduleEnd, close)).toThrow(
      /is nested deeper than 256 modules \(the maxDepth limit\)/,
    );
  });

  it('refuses a shared-submodule tree of 2⁴⁰ paths at the maxModules limit', () => {
    // Each level holds the level below twice (one object, two names): a state-dict walk doubles per level.
    const levels = 40;
    const open = Array.from({ length: levels }, () => [...moduleStart(), ...op.str('a')]).flat();
    const leaf = [...moduleStart(), ...moduleEnd, ...op.binput(1)];
    const close = Array.from({ length: levels }, () => [
      ...op.setitem,
      ...child('b', op.binget(1)),
      ...moduleEnd,
      ...op.binput(1),
    ]).flat();
    expect(() => load(open, leaf, close)).toThrow(/more than 100000 \(the maxModules limit\)/);
  });

  it('refuses what is neither a module nor a state dict, naming what it is', () => {
    expect(() => load(op.emptyList)).toThrow(
      /'hostile\.pt': holds a list of length 0; expected a model \(torch\.save\(model\)\) or a state dict of tensors/,
    );
    // A module that is not one of the reference's models has no config to recover.
    expect(() =>
      loadTorchCheckpoint(torchZip(bytesOf(op.proto(), moduleStart(), moduleEnd, op.stop))),
    ).toThrow(
      /the saved model \(torch\.nn\.modules\.container\.Sequential\) is not one of the reference's models/,
    );
  });
});
