import * as tf from '@tensorflow/tfjs-core';

/**
 * The tensors a kernel net is evaluated with that depend only on the sampled elements, not on
 * its weights — coordinates, masks, determinants — kept between calls while the elements are the
 * same tensors. A layer's discretised grid is one kept tensor, so with `discretize` sampling they
 * are computed once and a training step evaluates only the nets themselves; with `uniform`
 * sampling every training call has new elements and recomputes them (the previous entry is
 * disposed then). Owned by a kernel net (`KernelNetModule`), disposed with it.
 */
export class KernelNetInputs {
  private readonly entries = new Map<
    string,
    { elements: readonly tf.Tensor[]; tensors: tf.Tensor[] }
  >();

  /**
   * The tensors `compute()` makes for `elements`, computed on the first call for `key` or when
   * the elements differ (by identity) from the cached ones. `key` names everything else the
   * computation depends on (role, kernel size, …). The caller must not dispose the result.
   */
  get(key: string, elements: readonly tf.Tensor[], compute: () => tf.Tensor[]): tf.Tensor[] {
    const hit = this.entries.get(key);
    if (
      hit &&
      hit.elements.length === elements.length &&
      hit.elements.every((e, i) => e === elements[i] && !e.isDisposed)
    ) {
      return hit.tensors;
    }
    if (hit) tf.dispose(hit.tensors);
    const tensors = tf.tidy(compute);
    for (const t of tensors) tf.keep(t);
    this.entries.set(key, { elements: [...elements], tensors });
    return tensors;
  }

  /** Disposes every cached tensor. */
  dispose(): void {
    for (const { tensors } of this.entries.values()) tf.dispose(tensors);
    this.entries.clear();
  }
}

/** `inputs.get(…)` when there is a cache, else `compute()` (kernel nets built without one). */
export function cachedNetInputs(
  inputs: KernelNetInputs | undefined,
  key: string,
  elements: readonly tf.Tensor[],
  compute: () => tf.Tensor[],
): tf.Tensor[] {
  return inputs ? inputs.get(key, elements, compute) : compute();
}
