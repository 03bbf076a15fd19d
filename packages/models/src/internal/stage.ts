import {
  type GroupBatchNorm,
  type GroupConv2D,
  type GroupFeatures,
  groupInstanceNorm,
  groupLayerNorm,
  groupSpatialPool2d,
  reluKeepingOutput,
} from '@gcnn/group-conv';
import type { Rng } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import type { BatchShard } from '../classifier';
import type { GroupConvBlock } from '../group-conv-block';

/** Options of one forward pass through the stages of a model. */
export interface StageContext {
  training: boolean;
  /** Randomness of dropout and `uniform` sampling (training only). */
  rng: Rng;
  /** The batch is these rows of a larger batch (dropout uses the larger batch's mask rows). */
  shard?: BatchShard;
  /**
   * A second run of the same forward (a checkpointed segment's replay in the backward pass):
   * batch norms normalise with the batch statistics but leave the running ones alone.
   */
  replay?: boolean;
}

/** One step of a model after its lifting layer, at the reference's `layers.<index>`. */
export type Stage =
  | { kind: 'conv'; index: number; layer: GroupConv2D }
  | { kind: 'block'; index: number; block: GroupConvBlock }
  | { kind: 'batchnorm'; index: number; norm: GroupBatchNorm }
  | { kind: 'instancenorm' | 'layernorm'; index: number }
  | { kind: 'pool'; index: number }
  | { kind: 'dropout'; index: number; rate: number }
  | { kind: 'relu'; index: number };

/** A seed for `tf.dropout` drawn from `rng`. */
export function dropoutSeed(rng: Rng): number {
  return Math.floor(rng.next() * 0x7fffffff);
}

/**
 * Dropout in training (inverted, as PyTorch), identity in inference. With `ctx.shard` the mask is
 * rows `[offset, offset + batch)` of the mask `tf.dropout` draws for the whole `[total, …]` batch
 * from the same seed (the same formula as `tf.dropout`, so bit-identical to slicing its result).
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, ctx: StageContext): T {
  if (!ctx.training || rate === 0) return x;
  const seed = dropoutSeed(ctx.rng);
  const shard = ctx.shard;
  const n = x.shape[0] as number;
  if (!shard || (shard.offset === 0 && shard.total === n)) {
    return tf.dropout(x, rate, undefined, seed) as T;
  }
  if (!Number.isInteger(shard.offset) || shard.offset < 0 || shard.offset + n > shard.total) {
    throw new Error(
      `Error in dropout: shard rows [${shard.offset}, ${shard.offset + n}) do not fit a batch of ${shard.total}`,
    );
  }
  return tf.tidy(() => {
    const keep = 1 - rate;
    const full = tf.randomUniform([shard.total, ...x.shape.slice(1)], 0, 1, 'float32', seed);
    const rows = tf.slice(full, [shard.offset], [n]);
    return tf.mul(x, tf.div(tf.floor(tf.add(rows, keep)), keep)) as T;
  });
}

/** Runs one stage on a group feature map `[batch, h, w, G, C]` (call inside `tf.tidy`). */
export function runStage(stage: Stage, input: GroupFeatures, ctx: StageContext): GroupFeatures {
  const { features: x, elements } = input;
  const { training, rng } = ctx;
  switch (stage.kind) {
    case 'conv':
      return stage.layer.apply(input, { training, rng });
    case 'block':
      return stage.block.apply(input, { training, rng, updateStatistics: !ctx.replay });
    case 'batchnorm':
      return {
        features: stage.norm.apply(x, { training, updateStatistics: !ctx.replay }),
        elements,
      };
    case 'instancenorm':
      return { features: groupInstanceNorm(x), elements };
    case 'layernorm':
      return { features: groupLayerNorm(x), elements };
    case 'pool':
      return { features: groupSpatialPool2d(x, 'max'), elements };
    case 'dropout':
      return { features: dropout(x, stage.rate, ctx), elements };
    case 'relu':
      return { features: reluKeepingOutput(x), elements };
  }
}
