import * as tf from '@tensorflow/tfjs-core';

/**
 * Softmax cross-entropy of `logits` `[batch, classes]` against int class indices `labels`
 * `[batch]`, averaged over the batch (`torch.nn.CrossEntropyLoss()`): mean of
 * `logsumexp(z) − z[y]`. Returns a scalar.
 *
 * Differentiable in `logits` by one custom-gradient node, `dz = (softmax(z) − onehot(y))/batch`
 * (the labels get no gradient): the same values as autodiff of the formula, in 3 ops instead of
 * the ~20 the tape records and replays for `logSoftmax`, `oneHot`, `mul`, `sum` and `mean`.
 */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  if (logits.rank !== 2 || labels.rank !== 1 || logits.shape[0] !== labels.shape[0]) {
    throw new Error(
      `Error in crossEntropy: logits must be [batch, classes] and labels [batch], got [${logits.shape}] and [${labels.shape}]`,
    );
  }
  const [batch, classes] = logits.shape;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [z, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const logProbs = tf.logSoftmax(z);
    const indices = labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32');
    // float32 by a cast: tfjs-backend-wasm 4.22's OneHot writes int32 data into a float32 output
    const oneHot = tf.cast(tf.oneHot(indices, classes), 'float32');
    save([logProbs, oneHot]);
    return {
      value: tf.neg(tf.mean(tf.sum(tf.mul(logProbs, oneHot), 1))) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => tf.mul(tf.sub(tf.exp(saved[0]!), saved[1]!), tf.div(dy, batch))),
    };
  });
  return f(logits) as tf.Scalar;
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
