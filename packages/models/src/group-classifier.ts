import {
  assertImages,
  type GroupConv2D,
  type GroupFeatures,
  globalInvariantPool,
  type LiftingConv2D,
  Module,
} from '@gcnn/group-conv';
import { createRng, type Rng } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier, ClassifierApplyOptions } from './classifier';
import type { ClassifierHead } from './classifier-head';
import {
  estimateStepBytes,
  type StepBytesEstimate,
  type StepBytesOptions,
} from './estimate-step-bytes';
import { runStage, type Stage, type StageContext } from './internal/stage';
import {
  runSegments,
  type StageSegment,
  segmentStages,
  stageModule,
} from './internal/stage-segments';
import type { ModelConfig } from './model-config';

/** The parts of a {@link GroupClassifier}, as a model builder assembles them. */
export interface GroupClassifierParts {
  lifting: LiftingConv2D;
  /** The reference's `layers`: every module after the lifting layer, by index. */
  stages: Stage[];
  /** `ckgresnet`/`ckgcnn`: the MLP on the pooled features. */
  head?: ClassifierHead;
  /** `ckgallcnnc`: a 1×1 group conv to the classes before the pooling. */
  finalConv?: GroupConv2D;
}

/** Outputs of a traced forward pass: logits and every stage's output (caller disposes). */
export interface ClassifierTrace {
  /** `[batch, numClasses]` */
  logits: tf.Tensor2D;
  /**
   * By reference module name: `lifting` and `layers.<i>` `[batch, h, w, G, C]` (gcnn layout),
   * `finalLinear.input` `[batch, C]` (the pooled invariant features).
   */
  intermediates: Record<string, tf.Tensor>;
}

/**
 * A group-equivariant image classifier: lifting conv → the stages (`layers.<i>`) → global max
 * over (h, w, G) → head. Images `[batch, h, w, inChannels]` → logits `[batch, numClasses]`,
 * invariant to translations and to the sampled subgroup H (exactly for 90° rotations with
 * `discretize` and R divisible by 4). Built by `createModel`; weights are named after the
 * reference's module paths (`lifting.*`, `layers.<i>.*`, `finalLinear.*`).
 *
 * In inference every conv caches its sampled kernels, so repeated calls re-sample nothing; a
 * training call re-samples (and drops the caches).
 */
export class GroupClassifier extends Module implements Classifier {
  readonly lifting: LiftingConv2D;
  readonly stages: readonly Stage[];
  readonly head: ClassifierHead | null;
  readonly finalConv: GroupConv2D | null;
  /** Randomness of training calls that pass no `rng` (seeded from `config.seed`). */
  private readonly trainingRng: Rng;
  /** The lifting layer and stages as gradient segments (training with `memory` lean or checkpoint). */
  private readonly segments: StageSegment[];

  constructor(
    readonly config: ModelConfig,
    parts: GroupClassifierParts,
  ) {
    super();
    this.lifting = this.addModule('lifting', parts.lifting);
    this.stages = parts.stages;
    for (const stage of parts.stages) {
      const module = stageModule(stage);
      if (module) this.addModule(`layers.${stage.index}`, module);
    }
    this.head = parts.head ? this.addModule('finalLinear', parts.head) : null;
    this.finalConv = parts.finalConv ? this.addModule('finalLinear', parts.finalConv) : null;
    this.trainingRng = createRng((config.seed ^ 0x5bd1e995) >>> 0);
    this.segments = segmentStages(this.lifting, this.stages);
  }

  apply(images: tf.Tensor4D, options: ClassifierApplyOptions = {}): tf.Tensor2D {
    return tf.tidy(() => this.forward(images, options, null));
  }

  /** {@link estimateStepBytes} of this model: one training step's peak bytes on one thread. */
  estimateStepBytes(options: StepBytesOptions): StepBytesEstimate {
    return estimateStepBytes(this, options);
  }

  /** {@link apply} that also returns every stage's output, for debugging and parity tests. */
  applyTraced(images: tf.Tensor4D, options: ClassifierApplyOptions = {}): ClassifierTrace {
    const intermediates: Record<string, tf.Tensor> = {};
    const logits = tf.tidy(() => this.forward(images, options, intermediates));
    return { logits, intermediates };
  }

  private forward(
    images: tf.Tensor4D,
    options: ClassifierApplyOptions,
    trace: Record<string, tf.Tensor> | null,
  ): tf.Tensor2D {
    assertImages('GroupClassifier.apply', images, this.config.inChannels);
    // Built for one size: the last conv's kernel and the head depend on it, and another size
    // would run (the pooling is global) and give silently different, untrained features.
    const [, h, w] = images.shape;
    const size = this.config.imageSize;
    if (h !== size || w !== size)
      throw new Error(
        `Error in GroupClassifier.apply: images are ${h}×${w} (shape [${images.shape}]), the model was built for ${size}×${size} (config.imageSize)`,
      );
    const training = options.training ?? false;
    const ctx: StageContext = {
      training,
      rng: options.rng ?? this.trainingRng,
      ...(options.shard ? { shard: options.shard } : {}),
    };
    const record = (name: string, t: tf.Tensor) => {
      if (trace) trace[name] = tf.keep(t);
    };
    const memory = options.memory ?? 'lean';
    let x: GroupFeatures;
    if (training && memory !== 'autodiff' && !trace) {
      x = runSegments(this.segments, images, ctx, memory);
    } else {
      x = this.lifting.apply(images, { training, rng: ctx.rng });
      record('lifting', x.features);
      for (const stage of this.stages) {
        x = runStage(stage, x, ctx);
        record(`layers.${stage.index}`, x.features);
      }
    }
    if (this.finalConv) {
      const y = this.finalConv.apply(x, { training, rng: ctx.rng });
      const pooled = globalInvariantPool(y.features, 'max');
      record('finalLinear.input', x.features);
      return pooled;
    }
    const pooled = globalInvariantPool(x.features, 'max');
    record('finalLinear.input', pooled);
    if (!this.head) throw new Error('Error in GroupClassifier.apply: the model has no head');
    return this.head.apply(pooled, ctx);
  }
}
