import type { GroupName } from '@gcnn/lie-groups';
import { referenceModelParameterName } from '@gcnn/models';
import * as tf from '@tensorflow/tfjs-core';
import type { TorchTensor } from '../torch/torch-tensor';

/** How a reference state dict lines up with a gcnn model's variables. */
export interface StateDictMatch {
  /** gcnn variable name → the checkpoint entry that fills it. */
  matched: Map<string, { entry: string; tensor: TorchTensor; transpose: boolean }>;
  /** Model variables no entry fills. */
  missing: string[];
  /** Entries that name nothing gcnn knows, or a variable the model does not have. */
  unexpected: string[];
  /** Entries of the wrong shape or type, with what was expected. */
  mismatched: string[];
  /** Entries that carry no weight: BatchNorm's `num_batches_tracked`, the groups' constant `identity` buffers. */
  skipped: string[];
}

const FLOAT_DTYPES = new Set(['float32', 'float64', 'float16', 'bfloat16']);

/** The identity element a group module's `identity` buffer must hold (`group.SO2.identity`, …). */
function groupIdentity(name: string, group: GroupName): number[] | undefined {
  const m = /(?:^|\.)group(\.SO2|\.Rplus)?\.identity$/.exec(name);
  if (!m) return undefined;
  if (m[1] === '.SO2') return [0];
  if (m[1] === '.Rplus') return [1];
  return { SE2: [0], R2xRplus: [1], Sim2: [0, 1] }[group];
}

/**
 * Lines up a reference state dict (names as `model.state_dict()` gives them) with the variables
 * of a gcnn model built for `group`, through `referenceModelParameterName` of `@gcnn/models`:
 * which variables it fills (with PyTorch's `[out, in]` Linear weights to transpose), and which
 * variables are missing, which entries are unexpected or of the wrong shape. The groups'
 * `identity` buffers are checked to hold the identity and skipped.
 */
export function matchReferenceStateDict(
  stateDict: ReadonlyMap<string, TorchTensor>,
  variables: ReadonlyArray<readonly [string, { shape: readonly number[] }]>,
  group: GroupName,
): StateDictMatch {
  const shapes = new Map(variables.map(([n, v]) => [n, v.shape]));
  const out: StateDictMatch = {
    matched: new Map(),
    missing: [],
    unexpected: [],
    mismatched: [],
    skipped: [],
  };
  // Variables an entry of the wrong shape named: reported as mismatched, not again as missing.
  const misfilled = new Set<string>();
  for (const [entry, tensor] of stateDict) {
    const identity = groupIdentity(entry, group);
    if (identity) {
      if (
        tensor.values.length === identity.length &&
        identity.every((v, i) => Number(tensor.values[i]) === v)
      )
        out.skipped.push(entry);
      else out.mismatched.push(`${entry} (a ${group} group's identity must be [${identity}])`);
      continue;
    }
    let mapped: ReturnType<typeof referenceModelParameterName>;
    try {
      mapped = referenceModelParameterName(entry);
    } catch {
      out.unexpected.push(entry);
      continue;
    }
    if (!mapped) {
      out.skipped.push(entry);
      continue;
    }
    const want = shapes.get(mapped.name);
    if (!want || out.matched.has(mapped.name)) {
      out.unexpected.push(entry);
      continue;
    }
    const shape = mapped.transpose ? [...tensor.shape].reverse() : [...tensor.shape];
    if (shape.join() === want.join() && FLOAT_DTYPES.has(tensor.dtype)) {
      out.matched.set(mapped.name, { entry, tensor, transpose: mapped.transpose });
      continue;
    }
    misfilled.add(mapped.name);
    out.mismatched.push(
      `${entry} (${tensor.dtype} [${tensor.shape}]${mapped.transpose ? ', transposed' : ''}; the model's ${mapped.name} is float [${want}])`,
    );
  }
  out.missing = variables.map(([n]) => n).filter((n) => !out.matched.has(n) && !misfilled.has(n));
  return out;
}

/** The tfjs weights of a complete match (float32, Linear weights transposed); the caller owns them. */
export function matchedWeights(match: StateDictMatch): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, { tensor, transpose }] of match.matched) {
    out[name] = tf.tidy(() => {
      const t = tf.tensor(tensor.toFloat32(), [...tensor.shape], 'float32');
      return transpose ? tf.transpose(t) : t;
    });
  }
  return out;
}
