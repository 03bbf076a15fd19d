import { type Module, type ReferenceParameter, referenceConvParameterName } from '@gcnn/group-conv';
import * as tf from '@tensorflow/tfjs-core';

const BLOCK_PARTS: Record<string, string> = {
  gconv_1: 'gconv1',
  gconv_2: 'gconv2',
  skip_align: 'skipAlign',
};

const BN_NAMES: Record<string, string> = {
  weight: 'weight',
  bias: 'bias',
  running_mean: 'runningMean',
  running_var: 'runningVar',
};

/**
 * gcnn's name for an entry of a reference model's state dict, and whether its values must be
 * transposed (PyTorch Linear weights are `[out, in]`, gcnn's `[in, out]`); null for entries gcnn
 * has no use for (BatchNorm's `num_batches_tracked`):
 *
 * | reference | gcnn |
 * |---|---|
 * | `lifting.<conv>` | `lifting.<conv>` (conv part: `referenceConvParameterName` of `@gcnn/group-conv`) |
 * | `layers.<i>.bn.{weight,bias,running_mean,running_var}` | `layers.<i>.{weight,bias,runningMean,runningVar}` |
 * | `layers.<i>.{gconv_1,gconv_2,skip_align}.<conv>` | `layers.<i>.{gconv1,gconv2,skipAlign}.<conv>` |
 * | `layers.<i>.normalisation_{1,2}.bn.*` | `layers.<i>.norm{1,2}.*` |
 * | `layers.<i>.<conv>` (a plain group conv) | `layers.<i>.<conv>` |
 * | `final_linear.{0,4}.weight` `[out, in]` | `finalLinear.{0,4}.weight` `[in, out]` |
 * | `final_linear.1.*` (BatchNorm1d), `final_linear.4.bias` | `finalLinear.1.*`, `finalLinear.4.bias` |
 * | `final_linear.<conv>` (All-CNN-C's 1×1 group conv) | `finalLinear.<conv>` |
 *
 * Throws, naming the entry, for anything else.
 */
export function referenceModelParameterName(
  name: string,
): { name: string; transpose: boolean } | null {
  const fail = () => {
    throw new Error(
      `Error in referenceModelParameterName: unknown reference parameter '${name}' (expected lifting.*, layers.<i>.* or final_linear.*)`,
    );
  };
  if (name.endsWith('.num_batches_tracked')) return null;
  const conv = (prefix: string, rest: string) => {
    const mapped = referenceConvParameterName(rest);
    return mapped ? { name: `${prefix}.${mapped.name}`, transpose: mapped.transpose } : fail();
  };
  const bn = (prefix: string, field: string) => {
    const mapped = BN_NAMES[field];
    return mapped ? { name: `${prefix}.${mapped}`, transpose: false } : fail();
  };
  if (name.startsWith('lifting.')) return conv('lifting', name.slice('lifting.'.length));
  let m = /^layers\.(\d+)\.(.+)$/.exec(name);
  if (m) {
    const prefix = `layers.${m[1]}`;
    const rest = m[2]!;
    const bnMatch = /^bn\.(\w+)$/.exec(rest);
    if (bnMatch) return bn(prefix, bnMatch[1]!);
    const blockNorm = /^normalisation_([12])\.bn\.(\w+)$/.exec(rest);
    if (blockNorm) return bn(`${prefix}.norm${blockNorm[1]}`, blockNorm[2]!);
    const part = /^(gconv_1|gconv_2|skip_align)\.(.+)$/.exec(rest);
    if (part) return conv(`${prefix}.${BLOCK_PARTS[part[1]!]}`, part[2]!);
    return conv(prefix, rest);
  }
  m = /^final_linear\.(.+)$/.exec(name);
  if (m) {
    const rest = m[1]!;
    if (rest === '0.weight' || rest === '4.weight')
      return { name: `finalLinear.${rest}`, transpose: true };
    if (rest === '4.bias') return { name: 'finalLinear.4.bias', transpose: false };
    const norm = /^1\.(\w+)$/.exec(rest);
    if (norm) return bn('finalLinear.1', norm[1]!);
    return conv('finalLinear', rest);
  }
  return fail();
}

/**
 * Converts a reference model's state dict (`named_parameters()` and `named_buffers()` as flat
 * row-major arrays, e.g. a fixture's `parameters` and `buffers`) to a gcnn weight map for
 * `model.setWeights`, which a model created with the same config (and `compatibility:
 * 'reference'` for identical numerics) accepts. The caller owns the returned tensors.
 */
export function convertReferenceModelWeights(
  parameters: readonly ReferenceParameter[],
  buffers: readonly ReferenceParameter[] = [],
): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const p of [...parameters, ...buffers]) {
    const mapped = referenceModelParameterName(p.name);
    if (!mapped) continue;
    if (mapped.name in out) {
      tf.dispose(Object.values(out));
      throw new Error(
        `Error in convertReferenceModelWeights: '${p.name}' maps to '${mapped.name}' twice`,
      );
    }
    out[mapped.name] = tf.tidy(() => {
      const t = tf.tensor(Float32Array.from(p.values), p.shape, 'float32');
      return mapped.transpose ? tf.transpose(t) : t;
    });
  }
  return out;
}

/**
 * Loads a reference state dict into `model` (every weight must be present and of the right
 * shape; see {@link convertReferenceModelWeights}). Drops cached kernels.
 */
export function loadReferenceWeights(
  model: Module,
  parameters: readonly ReferenceParameter[],
  buffers: readonly ReferenceParameter[] = [],
): void {
  const weights = convertReferenceModelWeights(parameters, buffers);
  try {
    model.setWeights(weights);
  } finally {
    tf.dispose(Object.values(weights));
  }
}
