import type { GroupConv2D, LiftingConv2D, Padding } from '@gcnn/group-conv';
import type { GroupClassifier } from './group-classifier';

/** A spatial op of a model whose windows do not map onto themselves under a quarter turn. */
export interface QuarterTurnMisalignment {
  /** The module, by the reference's name: `lifting`, `layers.3`, `layers.2.gconv1`. */
  layer: string;
  /** The op: `2×2 max pool`, `conv k=3 stride 2 padding 1`. */
  op: string;
  /** Height (= width) of the op's input. */
  inputSize: number;
  /** Why, in words. */
  reason: string;
}

/** Output size and alignment of a window op (kernel `k`, `stride`, `padding`) on an n×n input. */
function windowOp(
  n: number,
  k: number,
  stride: number,
  padding: Padding,
): { size: number; reason: string | undefined } {
  let before: number;
  let after: number;
  if (padding === 'same') {
    const size = Math.ceil(n / stride);
    const total = Math.max((size - 1) * stride + k - n, 0);
    before = Math.floor(total / 2);
    after = total - before;
  } else {
    before = after = padding === 'valid' ? 0 : padding;
  }
  const span = n + before + after - k;
  const size = Math.floor(span / stride) + 1;
  // A quarter turn maps row i to column n−1−i: the windows [a, a+k) at a = j·stride − before
  // map onto windows iff the padding is symmetric and they tile the padded input exactly.
  if (before !== after) return { size, reason: `asymmetric 'same' padding (${before}, ${after})` };
  if (span % stride !== 0) {
    return {
      size,
      reason: `(${n} + 2·${before} − ${k}) is not a multiple of the stride ${stride}: the last ${span % stride} row(s) and column(s) are never covered`,
    };
  }
  return { size, reason: undefined };
}

/**
 * The spatial ops of `model` that break its exact invariance to quarter turns (90° rotations) of
 * its `imageSize`² inputs, in forward order; empty when every conv and pool commutes with them.
 *
 * A quarter turn maps pixel row i to column n−1−i. A conv or pool with kernel k, stride s and
 * padding p on an n×n input commutes with it exactly when its windows map onto windows:
 * symmetric padding and (n + 2p − k) divisible by s. Stride-1 convs with symmetric padding always
 * do; a 2×2 max pool (stride 2, no padding) needs an even input (on an odd one it drops the last
 * row and column, which a rotation moves to the first); a stride-2 conv with k = 3, p = 1 needs an
 * odd input. Only meaningful for groups with rotations (SE2, Sim2) sampled with R divisible by 4,
 * where quarter turns are sampled elements of H. `checkEquivariance` on models of every kind
 * confirms it both ways (quarter-turn-alignment.test.ts).
 */
export function quarterTurnMisalignments(model: GroupClassifier): QuarterTurnMisalignment[] {
  const out: QuarterTurnMisalignment[] = [];
  let n = model.config.imageSize;
  const conv = (layer: string, module: GroupConv2D | LiftingConv2D, input: number): number => {
    const { kernelSize: k, stride = 1, padding = 'same' } = module.options;
    const r = windowOp(input, k, stride, padding);
    const p = typeof padding === 'number' ? padding : `'${padding}'`;
    if (r.reason)
      out.push({
        layer,
        op: `conv k=${k} stride ${stride} padding ${p}`,
        inputSize: input,
        reason: r.reason,
      });
    return r.size;
  };
  n = conv('lifting', model.lifting, n);
  for (const stage of model.stages) {
    const name = `layers.${stage.index}`;
    if (stage.kind === 'conv') n = conv(name, stage.layer, n);
    else if (stage.kind === 'block') {
      const { gconv1, gconv2, skipAlign } = stage.block;
      if (skipAlign) conv(`${name}.skipAlign`, skipAlign, n);
      n = conv(`${name}.gconv2`, gconv2, conv(`${name}.gconv1`, gconv1, n));
    } else if (stage.kind === 'pool') {
      const r = windowOp(n, 2, 2, 'valid');
      if (r.reason) {
        out.push({
          layer: name,
          op: '2×2 max pool',
          inputSize: n,
          reason: `odd input ${n}×${n}: the last row and column are dropped`,
        });
      }
      n = r.size;
    }
  }
  if (model.finalConv) conv('finalLinear', model.finalConv, n);
  return out;
}
