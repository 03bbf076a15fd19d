/**
 * Every tensor shape a model's kernels see holds small integers as V8 stores them (Smis), not heap
 * numbers. A shape computed with `k ** 2` (V8's `**` returns a heap number even for 7 ** 2) makes
 * the shape array double-typed; tfjs-backend-cpu's loops then index in doubles and inference of
 * the SE(2) separable preset ran 1.4× slower, with identical kernels, shapes and values
 * (docs/benchmarks.md, round 4). V8's own predicates (`%HasDoubleElements`, `%IsSmi`, through
 * `--allow-natives-syntax` set at run time) check each input and output shape of every kernel in
 * model creation, inference and a training step in each memory mode, for every factorisation on
 * each of its groups.
 */
import { setFlagsFromString } from 'node:v8';
import { FACTORISATIONS, type Implementation } from '@gcnn/group-conv';
import { createRng, type GroupName } from '@gcnn/lie-groups';
import { testModelConfig } from '@gcnn/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, inject, it } from 'vitest';
import type { Classifier, TrainingMemory } from './classifier';
import { createModel } from './create-model';
import type { ModelConfig } from './model-config';

setFlagsFromString('--allow-natives-syntax');
// V8 syntax, not JavaScript: parsed at run time after the flag above. A shape may be an array of
// tagged values (tfjs's bundled `__read` helper shares one allocation site, which turns generic
// once it reads an array of arrays), but never double-typed and never holding a heap number.
const isSmiShape = new Function(
  'a',
  'return !%HasDoubleElements(a) && a.every((d) => %IsSmi(d))',
) as (a: number[]) => boolean;

const GROUP_OF_SUBGROUP = { rotation: 'SE2', scale: 'R2xRplus', 'rotation-scale': 'Sim2' } as const;

const SAMPLE_COUNTS = { SE2: 4, R2xRplus: 2, Sim2: [4, 2] } as const;

/** The test-size CK-G-ResNet (both block kinds, batch norm, dropout) on `group`, `implementation`. */
function small(group: GroupName, implementation: Implementation): ModelConfig {
  return {
    ...testModelConfig('ckgresnet'),
    group,
    ...(group === 'SE2' ? {} : { maxScale: 1.5 }),
    sampleCount: SAMPLE_COUNTS[group],
    implementation,
  } as ModelConfig;
}

/** `<kernel> input|output <i> <shape>` for every shape holding a double, over the kernels `run` calls. */
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
      const config = small(group, implementation);
      let model!: Classifier;
      const create = () => {
        model = createModel(config);
        return [];
      };
      expect(await doubleShapes(create)).toEqual([]);
      const { imageSize: s, inChannels: c, numClasses: k } = config;
      const images = tf.randomUniform([2, s, s, c], 0, 1, 'float32', 4) as tf.Tensor4D;
      const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, k - 1], 'int32'), k));
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
