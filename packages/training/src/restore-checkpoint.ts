import type * as tf from '@tensorflow/tfjs-core';
import { type LoadedCheckpoint, loadModelWeights, OPTIMIZER_PREFIX } from './checkpoint';
import type { Optimizer } from './optimizer';
import type { TrainableModel } from './trainable-model';

/**
 * Restores a resumed run's model and optimizer from a checkpoint. Everything is checked against
 * the model's and the optimizer's own spec before anything is assigned: the model entries
 * (names, shapes, dtypes), the optimizer's name and hyperparameters, every slot entry (a slot of
 * this optimizer, of a trainable parameter, shaped as it; all of a parameter's slots or none;
 * none before the first update, some after it) and the position in the epoch. Errors name the
 * checkpoint and the entry; the checkpoint's tensors stay the caller's.
 */
export function restoreCheckpoint(
  model: TrainableModel,
  optimizer: Optimizer,
  checkpoint: LoadedCheckpoint,
  batchesPerEpoch: number,
): void {
  const { manifest, source } = checkpoint;
  const fail: (what: string) => never = (what) => {
    throw new Error(`Error in checkpoint: '${source}' ${what}`);
  };
  const { nextBatch } = manifest.progress;
  if (nextBatch > batchesPerEpoch)
    fail(
      `entry 'progress.nextBatch' is ${nextBatch}, but an epoch of this run has ${batchesPerEpoch} batches (another dataset size or batch size?)`,
    );
  checkOptimizerState(optimizer, checkpoint, fail);
  checkOptimizerSlots(
    optimizer,
    model.namedVariables().filter(([, v]) => v.trainable),
    checkpoint,
    fail,
  );
  loadModelWeights(model, checkpoint, source);
  optimizer.setState(manifest.optimizer, checkpoint.optimizer);
}

/** The optimizer's name and hyperparameters are those of the run's config. */
function checkOptimizerState(
  optimizer: Optimizer,
  { manifest }: LoadedCheckpoint,
  fail: (what: string) => never,
): void {
  const state = manifest.optimizer;
  if (state.name !== optimizer.name)
    fail(`entry 'optimizer.name' is "${state.name}", the run's optimizer is "${optimizer.name}"`);
  const own = optimizer.getConfig();
  for (const key of new Set([...Object.keys(own), ...Object.keys(state.config)])) {
    if (state.config[key] !== own[key])
      fail(
        `entry 'optimizer.config.${key}' is ${state.config[key]}, the run's optimizer (train.optimizer) has ${own[key]}`,
      );
  }
}

/** The slot entries are exactly what the optimizer keeps for the parameters it has updated. */
function checkOptimizerSlots(
  optimizer: Optimizer,
  params: ReadonlyArray<readonly [string, tf.Variable]>,
  { manifest, optimizer: slots }: LoadedCheckpoint,
  fail: (what: string) => never,
): void {
  const names = optimizer.slotNames;
  const byParam = new Map(params);
  const slotsOf = new Map<string, Set<string>>();
  for (const [key, t] of Object.entries(slots)) {
    const entry = `entry '${OPTIMIZER_PREFIX}${key}'`;
    const cut = key.indexOf('/');
    const [slot, param] = [key.slice(0, cut), key.slice(cut + 1)];
    if (cut < 0 || !names.includes(slot))
      fail(
        `${entry} is not a slot of ${optimizer.name} (its slots: ${names.join(', ') || 'none'})`,
      );
    const v = byParam.get(param);
    if (!v) fail(`${entry} names no trainable parameter of the model`);
    if (t.dtype !== 'float32' || t.shape.join() !== v.shape.join())
      fail(`${entry} is ${t.dtype} [${t.shape}], its parameter '${param}' is float32 [${v.shape}]`);
    slotsOf.set(param, (slotsOf.get(param) ?? new Set()).add(slot));
  }
  for (const [param, have] of slotsOf) {
    const lacking = names.find((n) => !have.has(n));
    if (lacking !== undefined)
      fail(
        `has no entry '${OPTIMIZER_PREFIX}${lacking}/${param}' (${optimizer.name} keeps ${names.join(' and ')} for every parameter it updated)`,
      );
  }
  const updates = manifest.optimizer.step;
  if (updates === 0 && slotsOf.size > 0)
    fail(`has optimizer slots, but entry 'optimizer.step' is 0 (no update was made)`);
  if (updates > 0 && names.length > 0 && slotsOf.size === 0)
    fail(
      `has no optimizer slot entries, but ${optimizer.name} made ${updates} updates (entry 'optimizer.step')`,
    );
}
