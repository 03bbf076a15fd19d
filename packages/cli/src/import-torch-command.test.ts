import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelFromBuffers } from '@gcnn/models';
import {
  loadTorchCheckpointExpected,
  relativeL2,
  TORCH_CHECKPOINT_DIR,
  tolerance,
} from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ONCE, useCliSandbox } from './cli.test-helpers';

describe.skipIf(!ONCE)('gcnn import-torch', () => {
  const box = useCliSandbox('gcnn-import-torch-');
  const fixture = (file: string) => {
    copyFileSync(join(TORCH_CHECKPOINT_DIR, file), join(box.dir, file));
    return file;
  };

  it('is listed by gcnn --help; --help explains both checkpoint forms', async () => {
    const main = await box.run(['--help']);
    expect(main.out).toMatch(
      /\n {2}import-torch +a PyTorch checkpoint of the reference \(\.pt\) as a gcnn model file/,
    );
    const help = await box.run(['import-torch', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Usage: gcnn import-torch <checkpoint\.pt>/);
    expect(help.out).toMatch(/A whole-module checkpoint \(torch\.save\(model\)/);
    expect(help.out).toMatch(/--preset/);
    expect(help.out).toMatch(/--out/);
  });

  it("imports a whole module with no flags into a model file that gives the reference's logits", async () => {
    const file = fixture('se2_separable_readme.pt');
    const r = await box.run(['import-torch', file, '--out', 'imported']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(
      /a whole ck_g_cnn\.nn\.ck_g_resnet\.CKGResNet module \(PyTorch archive format 3\); config read from the module/,
    );
    expect(r.err).toMatch(/ckgresnet SE2 separable, N=8 discretize, hidden 32,32,64, k=7/);
    expect(r.err).toMatch(/compatibility 'reference': the reference's numerics, quirks included/);
    expect(r.out).toMatch(
      /wrote .*imported\/model\.json and .*imported\/model\.weights\.bin \(3,026,344 bytes, 755,370 parameters, mnist-rot input normalization\)/,
    );
    const jsonText = readFileSync(join(box.dir, 'imported/model.json'), 'utf8');
    const json = JSON.parse(jsonText);
    expect(json).toMatchObject({
      format: 'gcnn-model',
      modelTopology: {
        modelConfig: { model: 'ckgresnet', compatibility: 'reference', sampleCount: 8 },
        normalization: { mean: [0.13], std: [0.297] },
      },
      userDefinedMetadata: {
        dataset: 'mnist-rot',
        torch: { file, kind: 'module', hyperparameters: { group: 'SE2' } },
      },
    });
    // The model file, read as the browser reads it, gives the reference's logits.
    const loaded = await loadModelFromBuffers(
      jsonText,
      readFileSync(join(box.dir, 'imported/model.weights.bin')),
    );
    const e = loadTorchCheckpointExpected('se2_separable_readme');
    const [n, c, h, w] = e.input.shape as [number, number, number, number];
    const x = tf.tidy(() => tf.transpose(tf.tensor4d(e.input.values, [n, c, h, w]), [0, 2, 3, 1]));
    const y = loaded.model.apply(x);
    expect(await relativeL2(y, e.logits.values)).toBeLessThanOrEqual(tolerance('trig'));
    tf.dispose([x, y]);
    loaded.model.dispose();
  }, 120_000);

  it('gcnn evaluate and gcnn train --load (one fine-tuning step) take the imported model file', async () => {
    const evaluated = await box.run([
      'evaluate',
      '--checkpoint',
      'imported',
      '--limit-test',
      '8',
      '--backend',
      'cpu',
    ]);
    expect(evaluated.code, evaluated.err).toBe(0);
    expect(evaluated.err).toMatch(/imported\/model\.json \(model file\); mnist-rot 8 test images/);
    expect(evaluated.out).toMatch(/test accuracy \d+\.\d\d% \(\d\/8\), test loss \d+\.\d{4}/);
    const tested = await box.run([
      'train',
      '--load',
      'imported/model.json',
      '--max-steps',
      '1',
      '--batch-size',
      '4',
      '--limit-train',
      '8',
      '--limit-test',
      '8',
      '--out',
      'run',
    ]);
    expect(tested.code, tested.err).toBe(0);
    expect(tested.err).toMatch(/initialising from .*imported\/model\.json/);
    expect(tested.out).toMatch(/test accuracy/);
    expect(existsSync(join(box.dir, 'run/checkpoints/last.json'))).toBe(true);
  }, 240_000);

  it('needs model flags for a state dict and lists what does not fit them', async () => {
    const file = fixture('se2_ckgresnet_separable.state_dict.pt');
    const none = await box.run(['import-torch', file]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(
      /is a state dict, which holds no model config: give its model with --preset, --config or the model flags/,
    );
    const wrong = await box.run(['import-torch', file, '--preset', 'se2-separable']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(
      /its weights do not fit the model \(ckgresnet SE2 separable, hidden \[32,32,64\], k 7\):.*mismatched: layers\.0\.bn\.weight \(float32 \[4\]; the model's layers\.0\.weight is float \[32\]\)/,
    );
    const module = await box.run([
      'import-torch',
      fixture('se2_ckgresnet_separable.pt'),
      '--hidden-sizes',
      '4,4',
    ]);
    expect(module.code).toBe(2);
    expect(module.err).toMatch(
      /is a whole module, which holds its own config; --hidden-sizes is for state-dict checkpoints/,
    );
  });

  it('refuses unreadable and damaged files with a clear message', async () => {
    expect((await box.run(['import-torch'])).err).toMatch(
      /give one checkpoint file \(\.pt\), got 0/,
    );
    expect((await box.run(['import-torch', 'missing.pt'])).err).toMatch(
      /cannot read .*missing\.pt/,
    );
    const bytes = readFileSync(join(TORCH_CHECKPOINT_DIR, 'se2_ckgresnet_separable.pt'));
    writeFileSync(join(box.dir, 'cut.pt'), bytes.subarray(0, 50_000));
    const cut = await box.run(['import-torch', 'cut.pt']);
    expect(cut.code).toBe(1);
    expect(cut.err).toMatch(
      /gcnn import-torch: Error in readZip: '.*cut\.pt' at offset 50000: has no zip end-of-central-directory record: not a zip archive, or truncated/,
    );
  });
});
