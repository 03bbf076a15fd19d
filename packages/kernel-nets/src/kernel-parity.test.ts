/**
 * Kernels generated from the reference fixtures' weights with gcnn's primitives (kernel grid,
 * h⁻¹ action, SIREN, masks, determinant) equal the reference's generated kernels.
 */

import { groupByName, type Subgroup } from '@gcnn/lie-groups';
import {
  fixtureElements,
  fixtureEntry,
  fixtureTensor,
  loadFixture,
  referenceSiren,
  relativeL2,
  tolerance,
} from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { diskMask, kernelGrid, sampleKernelNet, smoothDiskMask, smoothSquareMask } from './index';
import { disposeSiren } from './siren';

type Mask = (coords: tf.Tensor, lattice: tf.Tensor) => tf.Tensor;

/** Spatial kernel `[G, k·k, P]` of the kernel net at h⁻¹x for every element h, masked and divided by |det|^power. */
function spatialKernel(fixtureName: string, prefix: string, mask: Mask, detPower: number) {
  const fixture = loadFixture(fixtureName);
  const cfg = fixture.config;
  const group = groupByName({ name: cfg.group, maxScale: cfg.max_scale ?? undefined })
    .subgroup as Subgroup;
  const { weights, config } = referenceSiren(fixture, prefix);
  const k = cfg.kernel_size;
  const out = tf.tidy(() => {
    const h = fixtureElements(fixture);
    const lattice = kernelGrid(k, cfg.group === 'SE2' ? 1 : cfg.max_scale!);
    const coords = group.inverseAct(tf.expandDims(h, 1), tf.expandDims(lattice, 0)); // [G, k², 2]
    const values = sampleKernelNet(coords, weights, config); // [G, k², P]
    const m = tf.expandDims(mask(coords, lattice), -1);
    const det = tf.reshape(tf.pow(group.det(h), detPower), [-1, 1, 1]);
    return tf.div(tf.mul(values, m), det);
  });
  disposeSiren(weights);
  return { fixture, kernel: out, k, G: out.shape[0]! };
}

const hardDisk: Mask = (_coords, lattice) => tf.expandDims(diskMask(lattice), 0);

describe('kernel parity with the reference fixtures', () => {
  const cases: Array<[string, Mask, number]> = [
    ['se2_lifting', hardDisk, 0],
    ['se2_lifting_k7', hardDisk, 0],
    // Sim(2) lifting divides by s (the reference's determinant; gcnn's default is s²: decision 0004).
    ['sim2_lifting', (c) => smoothDiskMask(c, 3), 0.5],
    ['r2xrplus_lifting', (c) => smoothSquareMask(c, 2), 1],
  ];
  for (const [name, mask, detPower] of cases) {
    it(`${name}: lifting kernel [Cout, G, Cin, k, k]`, async () => {
      const { fixture, kernel, k, G } = spatialKernel(name, 'kernel.cknet', mask, detPower);
      const cin = fixture.config.in_channels!;
      const cout = fixture.config.out_channels!;
      // [G, k·k, O·I] → [O, G, I, k, k]
      const ours = tf.tidy(() =>
        tf.transpose(tf.reshape(kernel, [G, k, k, cout, cin]), [3, 0, 4, 1, 2]),
      );
      const reference = fixtureTensor(fixtureEntry(fixture.intermediates, 'kernel'));
      expect(await relativeL2(ours, reference)).toBeLessThanOrEqual(tolerance('trig'));
      tf.dispose([kernel, ours, reference]);
    });
  }

  it('se2_gconv_separable: spatial kernel_Rn [Cout, G, 1, k, k]', async () => {
    const { fixture, kernel, k, G } = spatialKernel(
      'se2_gconv_separable',
      'kernel.cknet_Rn',
      hardDisk,
      0,
    );
    const cout = fixture.config.out_channels!;
    const ours = tf.tidy(() =>
      tf.transpose(tf.reshape(kernel, [G, k, k, cout, 1]), [3, 0, 4, 1, 2]),
    );
    const reference = fixtureTensor(fixtureEntry(fixture.intermediates, 'kernel_Rn'));
    expect(await relativeL2(ours, reference)).toBeLessThanOrEqual(tolerance('trig'));
    tf.dispose([kernel, ours, reference]);
  });

  it('sim2_gconv_separable2d: spatial kernel_Rn with 1/s²', async () => {
    const { fixture, kernel, k, G } = spatialKernel(
      'sim2_gconv_separable2d',
      'kernel.cknet_Rn',
      (c) => smoothDiskMask(c, 2),
      1,
    );
    const cout = fixture.config.out_channels!;
    const ours = tf.tidy(() =>
      tf.transpose(tf.reshape(kernel, [G, k, k, cout, 1]), [3, 0, 4, 1, 2]),
    );
    const reference = fixtureTensor(fixtureEntry(fixture.intermediates, 'kernel_Rn'));
    expect(await relativeL2(ours, reference)).toBeLessThanOrEqual(tolerance('trig'));
    tf.dispose([kernel, ours, reference]);
  });

  it('the transformed coordinates equal the reference grid (x = column convention)', async () => {
    const fixture = loadFixture('se2_lifting');
    const k = fixture.config.kernel_size;
    const [ours, reference] = tf.tidy(() => {
      const h = fixtureElements(fixture);
      const coords = SE2sub().inverseAct(tf.expandDims(h, 1), tf.expandDims(kernelGrid(k, 1), 0)); // [G, k², 2]
      // reference grid [G, 2, k, k] with grid[g, :, p, q] = c_g((ℓ[p], ℓ[q])), i.e. pixel (p, q) ↦ (ℓ[p], ℓ[q]);
      // gcnn's tap (a, b) is (ℓ[b], ℓ[a]), so gcnn's tap (a, b) equals reference entry (q = a, p = b).
      const ours = tf.transpose(tf.reshape(coords, [-1, k, k, 2]), [0, 3, 2, 1]);
      return [ours, fixtureTensor(fixtureEntry(fixture.intermediates, 'grid'))];
    });
    expect(await relativeL2(ours!, reference!)).toBeLessThanOrEqual(tolerance('exact'));
    tf.dispose([ours!, reference!]);
  });
});

function SE2sub(): Subgroup {
  return groupByName({ name: 'SE2' }).subgroup;
}
