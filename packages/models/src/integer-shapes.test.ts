/**
 * Every tensor shape a model's kernels see holds small integers as V8 stores them (Smis), not heap
 * numbers. A shape computed with `k ** 2` (V8's `**` returns a heap number even for 7 ** 2) makes
 * the shape array double-typed; tfjs-backend-cpu's loops then index in doubles and inference of
 * the SE(2) separable preset ran 1.4× slower, with identical kernels, shapes and values
 * (docs/benchmarks.md, round 4). V8's own predicate (`%HasSmiElements`, through
 * `--allow-natives-syntax` set at run time) checks each input and output shape of every kernel in
 * inference, a training step in each memory mode, for every factorisation on each of its groups.
 */
import { setFlagsFromString } from 'node:v8';
import { FACTORISATIONS, type Implementation } from '@gcnn/group-conv';
import { createRng, type GroupName } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, inject, it } from 'vitest';
import type { Classifier, TrainingMemory } from './classifier';
import { createModel } from './create-model';
import type { ModelConfig } from './model-config';
import { MODEL_PRESETS } from './model-presets';

setFlagsFromString('--allow-natives-syntax');
// V8 syntax, not JavaScript: parsed at run time after the flag above. A shape may be an array of
// tagged values (tfjs's bundled `__read` helper shares one allocation site, which turns generic
// once it reads an array of arrays), but never double-typed and never holding a heap number.
const isSmiShape = new Function(
  'a',
  'return !%HasDoubleElements(a) && a.every((d) => %IsSmi(d))',
) as (a: number[]) => boolean;

const GROUP_OF_SUBGROUP = { rotation: 'SE2', scale: 'R2xRplus', 'rotation-scale': 'Sim2' } as const;

/** A small CK-G-ResNet (both block kinds, batch norm) for `group` and `implementation`. */
function small(group: GroupName, implementation: Implementation): ModelConfig {
  return {
    ...MODEL_PRESETS['se2-separable'],
    group,
    ...(group === 'SE2' ? { sampleCount: 4 } : { maxScale: 1.5 }),
    ...(group === 'Sim2' ? { sampleCount: [4, 2] as [number, number] } : {}),
    ...(group === 'R2xRplus' ? { sampleCount: 2 } : {}),
    sampling: 'uniform',
    implementation,
    imageSize: 12,
    numClasses: 3,
    hiddenSizes: [2, 2, 4],
    kernelSize: 5,
    dropout: 0.2,
    kernelNet: { ...MODEL_PRESETS['se2-separable'].kernelNet, hiddenSize: 4 },
    seed: 3,
  };
}

/** `Kernel input k shape` for every shape that is not all Smis, over the kernels `run` calls. */
async function doubleShapes(run: () => tf.TensorContainer): Promise<string[]> {
  const info = await tf.profile(() => run());
  tf.dispose(info.result);
  const found = new Set<string>();
  for (const kernel of info.kernels) {
    const check = (shapes: number[][], side: string) =>
      shapes.forEach((shape, i) => {
        if (shape && !isSmiShape(shape))
          found.add(`${kernel.name} ${side} ${i} ${JSON.stringify(shape)}`);
      });
    check(kernel.inputShapes, 'input');
    check(kernel.outputShapes, 'output');
  }
  return [...found];
}

const CASES = Object.entries(FACTORISATIONS).flatMap(([implementation, f]) =>
  f.subgroups.map((kind) => [GROUP_OF_SUBGROUP[kind], implementation as Implementation] as const),
);
const MEMORY_MODES: TrainingMemory[] = ['autodiff', 'lean', 'checkpoint'];

// Shape arithmetic is the same on every backend's kernels: once, in the cpu project.
describe.skipIf(inject('backend') !== 'cpu')('kernel shapes are V8 small integers', () => {
  it.each(CASES)(
    '%s %s: inference and a training step',
    async (group, implementation) => {
      const before = tf.memory().numTensors;
      let model!: Classifier;
      const create = () => {
        model = createModel(small(group, implementation));
        return [];
      };
      expect(await doubleShapes(create)).toEqual([]);
      const images = tf.randomUniform([2, 12, 12, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
      const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3));
      try {
        expect(await doubleShapes(() => model.apply(images))).toEqual([]);
        for (const memory of MEMORY_MODES) {
          const rng = createRng(1);
          const step = () =>
            tf.variableGrads(() =>
              tf.losses.softmaxCrossEntropy(
                labels,
                model.apply(images, { training: true, rng, memory }),
              ),
            );
          expect(await doubleShapes(step), memory).toEqual([]);
        }
      } finally {
        model.dispose();
        tf.dispose([images, labels]);
      }
      expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    },
    120_000,
  );
});
