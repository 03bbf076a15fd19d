import * as tf from '@tensorflow/tfjs-core';
import type { StepGradients } from '../data-parallel';
import type { DoneMessage, VariableSlot } from './replica-protocol';
import type { ShardReply } from './scatter-shards';

/**
 * One step's result from the replicas' shards of a batch of `batch` rows: the gradients
 * `Σ_r (n_r / B)·g_r` (replica 0's `own` tensors, the workers' from their shared buffers, laid out
 * by `slots`), the loss likewise, the hits summed. For a model whose rows do not interact this is
 * the whole batch's mean-loss gradient, up to float32 round-off. Disposes `own`'s tensors.
 */
export function combineShardGradients(
  own: StepGradients,
  ownSize: number,
  replies: ReadonlyArray<ShardReply<DoneMessage>>,
  slots: readonly VariableSlot[],
  batch: number,
): StepGradients {
  const grads: Record<string, tf.Tensor> = {};
  let lossRest = 0;
  let correctRest = 0;
  for (const { size, reply } of replies) {
    lossRest += (reply.loss * size) / batch;
    correctRest += reply.correct;
  }
  try {
    tf.tidy(() => {
      let trainableIndex = 0;
      for (const slot of slots) {
        if (!slot.trainable) continue;
        const j = trainableIndex++;
        const g0 = own.grads[slot.name];
        let sum: tf.Tensor | null = g0 ? tf.mul(g0, ownSize / batch) : null;
        for (const { worker, size, reply } of replies) {
          if (!reply.hasGrad[j]) continue;
          const g = tf.tensor(
            worker.grads.slice(slot.gradOffset, slot.gradOffset + slot.size),
            slot.shape,
            'float32',
          );
          const term = tf.mul(g, size / batch);
          sum = sum ? tf.add(sum, term) : term;
        }
        if (sum) grads[slot.name] = tf.keep(sum);
      }
    });
  } finally {
    tf.dispose(Object.values(own.grads));
  }
  const loss = tf.tidy(() => tf.add(tf.mul(own.loss, ownSize / batch), lossRest)) as tf.Scalar;
  const correct = tf.tidy(() => tf.add(own.correct, correctRest)) as tf.Scalar;
  tf.dispose([own.loss, own.correct]);
  return { loss, correct, grads };
}
