import * as tf from '@tensorflow/tfjs-core';
import { insertZeros, padOrCrop, unsupported } from './conv-util';
import { defineWasmKernel } from './define-kernel';

const NAME = 'MaxPoolGrad';

/**
 * `MaxPoolGrad` for wasm with the semantics of tfjs-backend-cpu (`maxPoolPositions`): each
 * window's gradient goes to the first in-bounds tap, in row-major order, that holds the window's
 * maximum; windows whose maximum is −∞ route nothing. Replaces the stock wasm kernel of 4.22.0,
 * which drops the gradient of windows whose values are all negative.
 *
 * Built from `MaxPool`, then per tap `(i, j)`: a strided slice of the −∞-padded input compared
 * with the pooled maximum, masked by the taps already taken, and the routed `dy` spread back by
 * the stride. Supports NHWC float32, any filterSize, strides, pad form, dimRoundingMode.
 */
export const maxPoolGradConfig = defineWasmKernel(NAME, (s, inputs, attrs) => {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const a = attrs as unknown as tf.MaxPoolGradAttrs;
  if (input.dtype !== 'float32' || dy.dtype !== 'float32')
    unsupported(NAME, 'dtype', [input.dtype, dy.dtype], 'float32 input and dy');
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const [n, h, w, c] = input.shape as [number, number, number, number];
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { outHeight: oh, outWidth: ow, padInfo } = info;
  const needH = (oh - 1) * sh + kh;
  const needW = (ow - 1) * sw + kw;
  // Recomputed (not the saved `output`) so that routing depends on `input` only, as on cpu.
  const pooled = s.run(
    'MaxPool',
    { x: input },
    {
      filterSize: a.filterSize,
      strides: a.strides,
      pad: a.pad,
      ...(a.dimRoundingMode ? { dimRoundingMode: a.dimRoundingMode } : {}),
    },
  );
  const xp = padOrCrop(
    s,
    input,
    [
      [padInfo.top, needH - h - padInfo.top],
      [padInfo.left, needW - w - padInfo.left],
    ],
    Number.NEGATIVE_INFINITY,
  );
  const negInf = s.fill([], Number.NEGATIVE_INFINITY, 'float32');
  const zeros = s.fill([n, oh, ow, c], 0, 'float32');
  // A window whose maximum is −∞ (all taps −∞) routes nothing on cpu: mark it taken up front.
  let avail = s.run('Greater', { a: pooled, b: negInf });
  let acc: tf.TensorInfo | undefined;
  const spanH = (oh - 1) * sh + 1;
  const spanW = (ow - 1) * sw + 1;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const last = i === kh - 1 && j === kw - 1;
      const tap = s.stridedSlice(xp, [0, i, j, 0], [n, i + spanH, j + spanW, c], [1, sh, sw, 1]);
      const eq = s.binary('Equal', tap, pooled);
      const hit = s.binary('LogicalAnd', eq, avail);
      s.free(tap, eq);
      if (!last) {
        const notHit = s.run('LogicalNot', { x: hit });
        const nextFree = s.binary('LogicalAnd', avail, notHit);
        s.free(notHit, avail);
        avail = nextFree;
      }
      const routed = s.run('Select', { condition: hit, t: dy, e: zeros });
      s.free(hit);
      const spread = insertZeros(s, routed, sh, sw);
      const placed = padOrCrop(s, spread, [
        [i, needH - i - spanH],
        [j, needW - j - spanW],
      ]);
      if (spread !== routed) s.free(routed);
      if (placed !== spread) s.free(spread);
      if (acc === undefined) {
        acc = placed;
      } else {
        const sum = s.binary('Add', acc, placed);
        s.free(acc, placed);
        acc = sum;
      }
    }
  }
  if (acc === undefined) unsupported(NAME, 'filterSize', a.filterSize, 'at least 1×1');
  // Back from padded coordinates to the input's.
  const dx = padOrCrop(s, acc, [
    [-padInfo.top, h - (needH - padInfo.top)],
    [-padInfo.left, w - (needW - padInfo.left)],
  ]);
  return dx === acc ? s.identity(acc) : dx;
});
