import * as tf from '@tensorflow/tfjs-core';

/**
 * Softmax cross-entropy of `logits` `[batch, classes]` against int class indices `labels`
 * `[batch]`, averaged over the batch (`torch.nn.CrossEntropyLoss()`): mean of
 * `logsumexp(z) − z[y]`. Returns a scalar.
 */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  if (logits.rank !== 2 || labels.rank !== 1 || logits.shape[0] !== labels.shape[0]) {
    throw new Error(
      `Error in crossEntropy: logits must be [batch, classes] and labels [batch], got [${logits.shape}] and [${labels.shape}]`,
    );
  }
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits);
    const oneHot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]);
    return tf.neg(tf.mean(tf.sum(tf.mul(logProbs, oneHot), 1))) as tf.Scalar;
  });
}

/**
 * Number of rows whose arg-max equals the label (top-1 hits), as a float32 scalar (summable on
 * the device without a read).
 */
export function correctCount(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(
    () =>
      tf.sum(
        tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'float32'),
      ) as tf.Scalar,
  );
}
