import * as tf from '@tensorflow/tfjs-core';
import type { StepGradients } from '../data-parallel';
import type { DoneMessage, VariableSlot } from './replica-protocol';
import type { ShardReply } from './scatter-shards';

/**
 * One step's result from the replicas' shards of a batch of `batch` rows: the gradients
 * `Σ_r (n_r / B)·g_r` (replica 0's `own` tensors, the workers' from their shared buffers, laid out
 * by `slots`), the loss likewise, the hits summed. For a model whose rows do not interact this is
 * the whole batch's mean-loss gradient, up to float32 round-off. Disposes `own`'s tensors.
 *
 * The sum runs in JavaScript over one flat float32 vector of all trainable variables (the
 * workers' buffers are laid out that way), then becomes one tensor per variable: no tensor ops
 * (was 4 per variable — two scalings, an add and a copy of the worker's slice — while the workers
 * wait for the next step).
 */
export async function combineShardGradients(
  own: StepGradients,
  ownSize: number,
  replies: ReadonlyArray<ShardReply<DoneMessage>>,
  slots: readonly VariableSlot[],
  batch: number,
): Promise<StepGradients> {
  const trainable = slots.filter((s) => s.trainable);
  const total = trainable.reduce((n, s) => n + s.size, 0);
  const sum = new Float32Array(total);
  const present = trainable.map(() => false);
  let lossRest = 0;
  let correctRest = 0;
  try {
    const ownValues = await Promise.all(trainable.map((s) => own.grads[s.name]?.data()));
    trainable.forEach((slot, j) => {
      const values = ownValues[j] as Float32Array | undefined;
      if (!values) return;
      present[j] = true;
      const w = ownSize / batch;
      for (let i = 0; i < slot.size; i++) sum[slot.gradOffset + i] = values[i]! * w;
    });
    for (const { worker, size, reply } of replies) {
      lossRest += (reply.loss * size) / batch;
      correctRest += reply.correct;
      const w = size / batch;
      trainable.forEach((slot, j) => {
        if (!reply.hasGrad[j]) return;
        present[j] = true;
        const at = slot.gradOffset;
        for (let i = at; i < at + slot.size; i++) sum[i] = sum[i]! + worker.grads[i]! * w;
      });
    }
  } finally {
    tf.dispose(Object.values(own.grads));
  }
  const grads: Record<string, tf.Tensor> = {};
  trainable.forEach((slot, j) => {
    if (!present[j]) return;
    const at = slot.gradOffset;
    grads[slot.name] = tf.tensor(sum.subarray(at, at + slot.size), slot.shape, 'float32');
  });
  const loss = tf.tidy(() => tf.add(tf.mul(own.loss, ownSize / batch), lossRest)) as tf.Scalar;
  const correct = tf.tidy(() => tf.add(own.correct, correctRest)) as tf.Scalar;
  tf.dispose([own.loss, own.correct]);
  return { loss, correct, grads };
}
