import {
  type GroupFeatures,
  gradientSegment,
  type LiftingConv2D,
  type Module,
  type SegmentBody,
  type SegmentMemory,
} from '@gcnn/group-conv';
import type * as tf from '@tensorflow/tfjs-core';
import { runStage, type Stage, type StageContext } from './stage';

/**
 * A run of stages whose gradient is computed as one {@link gradientSegment}: a conv or residual
 * block and the norm, pooling, dropout and ReLU stages after it (the first segment: the lifting
 * layer and the stages before the first conv). Its input is all a checkpointed step keeps of it.
 */
export interface StageSegment {
  /** The lifting layer, in the first segment only. */
  lifting: LiftingConv2D | null;
  stages: Stage[];
  /** The trainable variables of the segment's layers. */
  variables: tf.Variable[];
}

/** The module of a stage that has weights, or null. */
export function stageModule(stage: Stage): Module | null {
  switch (stage.kind) {
    case 'conv':
      return stage.layer;
    case 'block':
      return stage.block;
    case 'batchnorm':
      return stage.norm;
    default:
      return null;
  }
}

/** Splits a model's stages into segments: a new one starts at every conv and block. */
export function segmentStages(lifting: LiftingConv2D, stages: readonly Stage[]): StageSegment[] {
  const segments: StageSegment[] = [{ lifting, stages: [], variables: [] }];
  for (const stage of stages) {
    if (stage.kind === 'conv' || stage.kind === 'block') {
      segments.push({ lifting: null, stages: [], variables: [] });
    }
    (segments.at(-1) as StageSegment).stages.push(stage);
  }
  for (const segment of segments) {
    const modules = [segment.lifting, ...segment.stages.map(stageModule)];
    segment.variables = modules.flatMap((m) => m?.trainableVariables() ?? []);
  }
  return segments;
}

/**
 * Runs the segments on `images` `[batch, h, w, c]` in training, each a {@link gradientSegment}
 * with `memory` (call inside `tf.tidy`). A checkpointed segment's replay draws the same random
 * numbers as its forward (`ctx.rng` is rewound to where the segment started, then put back) and
 * leaves the batch norms' running statistics alone, so the replay recomputes exactly the
 * forward's activations and the step updates the statistics once.
 */
export function runSegments(
  segments: readonly StageSegment[],
  images: tf.Tensor4D,
  ctx: StageContext,
  memory: SegmentMemory,
): GroupFeatures {
  let x: GroupFeatures | null = null;
  for (const segment of segments) {
    const input: tf.Tensor = x ? x.features : images;
    const context: tf.Tensor[] = x ? [x.elements] : [];
    const body = replayable(ctx, (t, elements, runCtx) => {
      let out: GroupFeatures = segment.lifting
        ? segment.lifting.apply(t as tf.Tensor4D, { training: runCtx.training, rng: runCtx.rng })
        : { features: t as tf.Tensor5D, elements: elements as tf.Tensor2D };
      for (const stage of segment.stages) out = runStage(stage, out, runCtx);
      return out;
    });
    const out: { y: tf.Tensor5D; aux: tf.Tensor2D } = gradientSegment(body, input, {
      memory,
      variables: segment.variables,
      context,
      inputGradient: x !== null,
    });
    x = { features: out.y, elements: out.aux };
  }
  return x as GroupFeatures;
}

/** A segment body that replays with `ctx.rng` rewound to its state now and `replay` set. */
function replayable(
  ctx: StageContext,
  run: (x: tf.Tensor, elements: tf.Tensor | undefined, ctx: StageContext) => GroupFeatures,
): SegmentBody<tf.Tensor, tf.Tensor5D, tf.Tensor2D> {
  const start = ctx.rng.getState();
  return (x, context, replay) => {
    if (!replay) {
      const out = run(x, context[0], ctx);
      return { y: out.features, aux: out.elements };
    }
    const resume = ctx.rng.getState();
    ctx.rng.setState(start);
    try {
      const out = run(x, context[0], { ...ctx, replay: true });
      return { y: out.features, aux: out.elements };
    } finally {
      ctx.rng.setState(resume);
    }
  };
}
