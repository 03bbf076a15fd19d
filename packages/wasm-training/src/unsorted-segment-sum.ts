import type * as tf from '@tensorflow/tfjs-core';
import { unsupported } from './conv-util';
import { defineWasmKernel } from './define-kernel';

const NAME = 'UnsortedSegmentSum';

/**
 * `UnsortedSegmentSum` for wasm (the gradient of `gather`):
 * `out[k, ...] = Σ_{i : segmentIds[i] = k} x[i, ...]`, shape `[numSegments, ...x.shape[1:]]`,
 * as one `ScatterNd` (which adds duplicate indices). Ids outside `[0, numSegments)` are dropped,
 * as on cpu: they are redirected to an extra row that is sliced off.
 *
 * Supports 1-D int32 (or float, cast) segmentIds and float32 or int32 x.
 */
export const unsortedSegmentSumConfig = defineWasmKernel(NAME, (s, inputs, attrs) => {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  if (segmentIds.shape.length !== 1)
    unsupported(NAME, 'segmentIds.shape', segmentIds.shape, 'rank 1 (one id per row of x)');
  if (segmentIds.shape[0] !== x.shape[0])
    unsupported(NAME, 'segmentIds.shape', segmentIds.shape, `[${x.shape[0]}] (x.shape[0])`);
  if (x.dtype !== 'float32' && x.dtype !== 'int32')
    unsupported(NAME, 'x.dtype', x.dtype, 'float32, int32');
  const rows = x.shape[0] as number;
  const rest = x.shape.slice(1);
  const ids = segmentIds.dtype === 'int32' ? segmentIds : s.cast(segmentIds, 'int32');
  const zero = s.fill([], 0, 'int32');
  const limit = s.fill([], numSegments, 'int32');
  const lo = s.run('GreaterEqual', { a: ids, b: zero });
  const hi = s.run('Less', { a: ids, b: limit });
  const ok = s.binary('LogicalAnd', lo, hi);
  const dump = s.fill([rows], numSegments, 'int32');
  const safe = s.run('Select', { condition: ok, t: ids, e: dump });
  s.free(zero, limit, lo, hi, ok, dump);
  const indices = s.reshape(safe, [rows, 1]);
  const scattered = s.run(
    'ScatterNd',
    { indices, updates: x },
    { shape: [numSegments + 1, ...rest] },
  );
  s.free(indices, safe);
  return s.slice(scattered, new Array(rest.length + 1).fill(0), [numSegments, ...rest]);
});
