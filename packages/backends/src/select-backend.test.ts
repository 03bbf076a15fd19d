/**
 * @gcnn/backends: the error messages of backends that cannot be used here, adapter choice, and —
 * in the webgpu-node suite — a model's forward pass, rotation invariance and cpu parity on webgpu
 * in Node, read asynchronously (synchronous reads of GPU tensors do not work there).
 */
import { rotate90 } from '@gcnn/lie-groups';
import { createModel, type ModelConfig } from '@gcnn/models';
import { relativeL2, testBackend, testModelConfig, tolerance } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BackendError, NODE_WEBGPU_SYNC_READ, pickDawnAdapter, selectBackend } from './index';

const backend = testBackend();
const ADAPTERS = [
  { dawnBackend: 'vulkan', name: 'NVIDIA H100 80GB HBM3' },
  { dawnBackend: 'vulkan', name: 'SwiftShader Device (Subzero)' },
];

describe('selectBackend errors and adapter choice', () => {
  it('tensorflow without tfjs-node says which package to install', async () => {
    const error = await selectBackend('tensorflow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toMatch(
      /@tensorflow\/tfjs-node-gpu .* @tensorflow\/tfjs-node .*pnpm add @tensorflow\/tfjs-node@4\.22\.0/,
    );
    expect(tf.getBackend()).toBe(backend === 'webgpu' ? 'webgpu' : backend);
  });

  it('uses a package handed over in `packages` instead of importing it by name', async () => {
    let loads = 0;
    const tfjsNode = async () => {
      loads++;
      return {}; // registers no backend
    };
    const error = await selectBackend('tensorflow', {
      packages: { '@tensorflow/tfjs-node': tfjsNode },
    }).catch((e: unknown) => e);
    expect(loads).toBe(1);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toMatch(
      /@tensorflow\/tfjs-node loaded but did not register 'tensorflow'/,
    );
    expect(tf.getBackend()).toBe(backend === 'webgpu' ? 'webgpu' : backend);
  });

  it('webgl in Node points to webgpu, tensorflow and wasm', async () => {
    await expect(selectBackend('webgl')).rejects.toThrow(/only in a browser.*webgpu/);
  });

  it('picks a GPU adapter by index or case-insensitive name part, else lists them', () => {
    expect(pickDawnAdapter(ADAPTERS, '1').name).toBe('SwiftShader Device (Subzero)');
    expect(pickDawnAdapter(ADAPTERS, 'nvidia').name).toBe('NVIDIA H100 80GB HBM3');
    expect(pickDawnAdapter(ADAPTERS, 'swiftshader').name).toBe('SwiftShader Device (Subzero)');
    expect(() => pickDawnAdapter(ADAPTERS, '2')).toThrow(
      /index 2 does not exist.*\n.*\[0\] NVIDIA/,
    );
    expect(() => pickDawnAdapter(ADAPTERS, 'amd')).toThrow(/no GPU adapter matches 'amd'/);
  });
});

const config: ModelConfig = {
  ...testModelConfig('ckgresnet'),
  sampling: 'discretize',
  hiddenSizes: [4, 8],
  dropout: 0,
};

describe.skipIf(backend !== 'webgpu')('webgpu in Node (async reads)', () => {
  it('a synchronous read of a GPU tensor says to read asynchronously', () => {
    const x = tf.tidy(() =>
      tf.conv2d(
        tf.ones([1, 40, 40, 2]) as tf.Tensor4D,
        tf.ones([3, 3, 2, 2]) as tf.Tensor4D,
        1,
        'same',
      ),
    );
    try {
      expect(() => x.dataSync()).toThrow(NODE_WEBGPU_SYNC_READ);
    } finally {
      x.dispose();
    }
  });

  it('logits are invariant under 90° rotations and match the cpu backend', async () => {
    const images = tf.randomUniform([2, 12, 12, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const model = createModel(config);
    const outs = [0, 1, 2, 3].map((k) =>
      tf.tidy(() => model.apply(rotate90(images, k) as tf.Tensor4D, { training: false })),
    );
    const values = await Promise.all(outs.map((o) => o.data()));
    const cpuInput = await images.data();
    tf.dispose([...outs, images]);
    model.dispose();
    for (const k of [1, 2, 3])
      expect(await relativeL2(values[k]!, values[0]!), `k=${k}`).toBeLessThanOrEqual(
        tolerance('trig'),
      );
    const bound = tolerance('trig');
    await tf.setBackend('cpu');
    let reference: Float32Array;
    try {
      const m = createModel(config);
      const y = tf.tidy(() => m.apply(tf.tensor4d(cpuInput, [2, 12, 12, 1]), { training: false }));
      reference = (await y.data()) as Float32Array;
      y.dispose();
      m.dispose();
    } finally {
      await tf.setBackend('webgpu');
    }
    expect(await relativeL2(values[0]!, reference)).toBeLessThanOrEqual(bound);
  });
});
