import * as tf from '@tensorflow/tfjs-core';

/** One named array from a reference (PyTorch) state dict: flat row-major values and shape. */
export interface ReferenceParameter {
  name: string;
  shape: number[];
  values: ArrayLike<number>;
}

const NET_ROLES: Record<string, string> = {
  cknet: 'kernel',
  cknet_H: 'kernelH',
  cknet_Rn: 'kernelRn',
  cknet_SO2: 'kernelSO2',
  cknet_Rplus: 'kernelRplus',
};

/**
 * gcnn's name for a parameter of a reference conv layer, and whether its values must be
 * transposed (PyTorch Linear weights are `[out, in]`, gcnn's `[in, out]`):
 *
 * | reference | gcnn |
 * |---|---|
 * | `kernel.cknet.net.net.l.linear.{weight,bias}` | `kernel.sine.l.{weight,bias}` |
 * | `kernel.cknet.final_linear.{weight,bias}` | `kernel.final.{weight,bias}` |
 * | `kernel.cknet_H`, `_Rn`, `_SO2`, `_Rplus` | `kernelH`, `kernelRn`, `kernelSO2`, `kernelRplus` |
 * | `depthwise_projection.weight` `[Cin, Cout]` | `projection` |
 *
 * Returns null for names that are not conv-layer parameters.
 */
export function referenceConvParameterName(
  name: string,
): { name: string; transpose: boolean } | null {
  if (name === 'depthwise_projection.weight') return { name: 'projection', transpose: false };
  const m =
    /^kernel\.(cknet(?:_H|_Rn|_SO2|_Rplus)?)\.(?:net\.net\.(\d+)\.linear|(final_linear))\.(weight|bias)$/.exec(
      name,
    );
  if (!m) return null;
  const role = NET_ROLES[m[1]!]!;
  const layer = m[2] !== undefined ? `sine.${m[2]}` : 'final';
  return { name: `${role}.${layer}.${m[4]}`, transpose: m[4] === 'weight' };
}

/**
 * Converts a reference conv layer's parameters to a gcnn weight map for `Module.setWeights`.
 * Throws on a parameter it does not know, naming it. The caller owns the returned tensors.
 */
export function convertReferenceConvWeights(
  parameters: ReferenceParameter[],
): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const p of parameters) {
    const mapped = referenceConvParameterName(p.name);
    if (!mapped)
      throw new Error(
        `Error in convertReferenceConvWeights: unknown reference parameter '${p.name}'`,
      );
    const t = tf.tensor(Float32Array.from(p.values), p.shape);
    out[mapped.name] = mapped.transpose ? tf.tidy(() => tf.transpose(t)) : t;
    if (mapped.transpose) t.dispose();
  }
  return out;
}
