import type { Compatibility } from '@gcnn/group-conv';
import { type Classifier, createModel, type GroupClassifier, type ModelConfig } from '@gcnn/models';
import * as tf from '@tensorflow/tfjs-core';
import { type CheckpointLocation, TorchCheckpointError } from '../errors';
import { DEFAULT_TORCH_READ_LIMITS } from '../limits';
import { describePyValue, PyDict, PyObject, type PyValue } from '../pickle/py-value';
import {
  type ReadTorchCheckpointOptions,
  readTorchCheckpoint,
  type TorchCheckpoint,
} from '../torch/read-torch-checkpoint';
import { TorchTensor } from '../torch/torch-tensor';
import { modelConfigFromReference } from './model-config-from-reference';
import {
  type ReferenceHyperparameters,
  referenceHyperparameters,
} from './reference-hyperparameters';
import {
  matchedWeights,
  matchReferenceStateDict,
  type StateDictMatch,
} from './reference-state-dict';
import { moduleStateDict, TorchModule } from './torch-module';

/** `module`: `torch.save(model)`, the whole pickled module; `state-dict`: `torch.save(model.state_dict())`. */
export type TorchCheckpointKind = 'module' | 'state-dict';

/** Options of {@link loadTorchCheckpoint}. */
export interface LoadTorchCheckpointOptions extends ReadTorchCheckpointOptions {
  /**
   * The model's config: required for a state-dict checkpoint (which holds only tensors); for a
   * whole-module checkpoint it replaces the config recovered from the module.
   */
  config?: ModelConfig;
  /**
   * The model's numerics, whatever `config` says. Default `'reference'`: the reference's, quirks
   * included, so the checkpoint's weights give the reference's logits (see `@gcnn/group-conv`
   * `Compatibility`). `'gcnn'` gives exact equivariance but other logits where a quirk applies.
   */
  compatibility?: Compatibility;
}

/** A reference checkpoint turned into a gcnn model. */
export interface LoadedTorchCheckpoint {
  /** The model with the checkpoint's weights; the caller disposes it. */
  model: Classifier & GroupClassifier;
  /** Its config (with `compatibility` and seed 0). */
  config: ModelConfig;
  kind: TorchCheckpointKind;
  /** The saved module's class, e.g. `ck_g_cnn.nn.ck_g_resnet.CKGResNet` (module checkpoints). */
  className: string | undefined;
  /** The reference hyperparameters recovered from the module (module checkpoints without `config`). */
  hyperparameters: ReferenceHyperparameters | undefined;
  /** State-dict entries that carry no weight (BatchNorm's `num_batches_tracked`, the groups' `identity`). */
  skipped: string[];
  /** The archive's format version (`<archive>/version`). */
  formatVersion: number | undefined;
}

const OP = 'loadTorchCheckpoint';
/** Keys under which training scripts commonly nest the model in a saved dict. */
const WRAPPER_KEYS = ['state_dict', 'model_state_dict', 'model'];

type Content =
  | { kind: 'module'; module: TorchModule }
  | { kind: 'state-dict'; tensors: Map<string, TorchTensor> };

function tensorDict(d: PyDict): Map<string, TorchTensor> | undefined {
  const out = new Map<string, TorchTensor>();
  for (const [k, v] of d) {
    if (typeof k !== 'string' || !(v instanceof TorchTensor)) return undefined;
    out.set(k, v);
  }
  return out;
}

/** What the checkpoint holds: a module, a state dict, or either under one of {@link WRAPPER_KEYS}. */
function contentOf(root: PyValue, where: CheckpointLocation, nested = false): Content {
  if (root instanceof PyObject) return { kind: 'module', module: new TorchModule(root, '', where) };
  if (root instanceof PyDict) {
    const tensors = tensorDict(root);
    if (tensors && tensors.size > 0) return { kind: 'state-dict', tensors };
    const key = nested ? undefined : WRAPPER_KEYS.find((k) => root.has(k));
    if (key !== undefined) return contentOf(root.get(key) as PyValue, where, true);
  }
  throw new TorchCheckpointError(
    OP,
    where,
    `holds a ${describePyValue(root)}; expected a model (torch.save(model)) or a state dict of tensors (torch.save(model.state_dict())), possibly under '${WRAPPER_KEYS.join("', '")}'`,
  );
}

/**
 * Whether a read checkpoint holds a whole module or a state dict (directly, or under one of the
 * keys `state_dict`, `model_state_dict`, `model` of a saved dict); throws a `TorchCheckpointError`
 * when it holds neither.
 */
export function torchCheckpointKind(
  checkpoint: TorchCheckpoint,
  source = 'checkpoint.pt',
): TorchCheckpointKind {
  return contentOf(checkpoint.root, { source }).kind;
}

function list(what: string, items: readonly string[]): string {
  const shown = items.slice(0, 8).join(', ');
  return `${items.length} ${what}: ${shown}${items.length > 8 ? ', …' : ''}`;
}

function checkMatch(match: StateDictMatch, config: ModelConfig, where: CheckpointLocation): void {
  const problems = [
    match.missing.length > 0 ? list('missing (model variables no entry fills)', match.missing) : '',
    match.unexpected.length > 0
      ? list('unexpected (entries the model has no variable for)', match.unexpected)
      : '',
    match.mismatched.length > 0 ? list('mismatched', match.mismatched) : '',
  ].filter((p) => p !== '');
  if (problems.length > 0)
    throw new TorchCheckpointError(
      OP,
      where,
      `its weights do not fit the model (${config.model} ${config.group} ${config.implementation}, hidden [${config.hiddenSizes}], k ${config.kernelSize}): ${problems.join('; ')}`,
    );
}

function recoveredConfig(
  hyper: ReferenceHyperparameters,
  compatibility: Compatibility,
  where: CheckpointLocation,
): ModelConfig {
  try {
    return modelConfigFromReference(hyper, compatibility);
  } catch (error) {
    throw new TorchCheckpointError(
      OP,
      where,
      `holds a model gcnn cannot build: ${(error as Error).message}`,
    );
  }
}

/**
 * Loads a checkpoint of the PyTorch reference (`.pt` bytes) as a gcnn model, in the browser or in
 * Node. A whole-module checkpoint (`torch.save(model)`, as the reference's `train_model.py` saves)
 * needs nothing else: the config is recovered from the module's attributes. A state-dict
 * checkpoint needs `options.config`. The model is created with `compatibility: 'reference'`
 * (unless `options.compatibility` says otherwise), so it gives the reference's logits. Reading is
 * safe on hostile files (see {@link readTorchCheckpoint}); a checkpoint already read with it may be
 * passed instead of bytes. Throws a `TorchCheckpointError` that
 * lists the missing, unexpected and mismatched entries when the weights do not fit the model.
 *
 * ```ts
 * const bytes = new Uint8Array(await (await fetch('model.pt')).arrayBuffer());
 * const { model, config } = loadTorchCheckpoint(bytes, { source: 'model.pt' });
 * const logits = model.apply(images); // [batch, numClasses], images [batch, h, w, channels]
 * ```
 */
export function loadTorchCheckpoint(
  bytes: Uint8Array | ArrayBuffer | TorchCheckpoint,
  options: LoadTorchCheckpointOptions = {},
): LoadedTorchCheckpoint {
  const where = { source: options.source ?? 'checkpoint.pt' };
  const limits = { ...DEFAULT_TORCH_READ_LIMITS, ...options.limits };
  const compatibility = options.compatibility ?? 'reference';
  const checkpoint =
    bytes instanceof Uint8Array || bytes instanceof ArrayBuffer
      ? readTorchCheckpoint(bytes, options)
      : bytes;
  const content = contentOf(checkpoint.root, where);
  const hyper =
    content.kind === 'module' && !options.config
      ? referenceHyperparameters(content.module)
      : undefined;
  let config: ModelConfig;
  if (options.config) config = { ...options.config, compatibility };
  else if (hyper) config = recoveredConfig(hyper, compatibility, where);
  else
    throw new TorchCheckpointError(
      OP,
      where,
      'is a state dict, which holds no model config: pass options.config',
    );
  const stateDict =
    content.kind === 'module' ? moduleStateDict(content.module, limits) : content.tensors;
  const model = createModel(config);
  try {
    const match = matchReferenceStateDict(stateDict, model.namedVariables(), config.group);
    checkMatch(match, config, where);
    const weights = matchedWeights(match);
    try {
      model.setWeights(weights);
    } finally {
      tf.dispose(Object.values(weights));
    }
    return {
      model,
      config,
      kind: content.kind,
      className: content.kind === 'module' ? content.module.object.className : undefined,
      hyperparameters: hyper,
      skipped: match.skipped,
      formatVersion: checkpoint.formatVersion,
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
