import type { Module } from '@gcnn/group-conv';
import type { Variable } from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable, layers } from '@tensorflow/tfjs-layers';

/** The base options of every tfjs-layers layer (`name`, `inputShape`, `trainable`, …). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;

/** `call`'s keyword arguments as tfjs-layers passes them (`training` from `fit`/`predict`). */
export interface CallKwargs {
  training?: boolean;
}

/**
 * A tfjs-layers layer that computes with a gcnn `Module`. The module keeps its own variables (its
 * seeded initialisation, its kernel caches); `build` registers each of them as a weight of the
 * layer whose `LayerVariable` reads and writes that very variable, so `fit` trains it, `save`
 * saves it and `loadLayersModel` loads into it. Weight names are the module's
 * (`kernel.sine.0.weight`, …) under the layer's name.
 */
export abstract class ModuleLayer<M extends Module> extends layers.Layer {
  protected module: M | null = null;
  /** The variables' data ids when the kernels were last cached (a load or `setWeights` changes them). */
  private cachedFor: readonly object[] = [];

  /** Makes the gcnn module for an input shape (without the batch axis). */
  protected abstract createModule(inputShape: number[]): M;

  override build(inputShape: (number | null)[] | (number | null)[][]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const module = this.createModule(shape.slice(1) as number[]);
    this.module = module;
    for (const [name, variable] of module.namedVariables()) {
      const weight = this.addWeight(
        name,
        variable.shape,
        variable.dtype,
        initializers.zeros(),
        undefined,
        variable.trainable,
      );
      adopt(weight, variable);
    }
    this.built = true;
  }

  /** The module, with its kernel caches dropped if the weights were replaced since they were made. */
  protected current(training: boolean): M {
    const module = this.module;
    if (!module) throw new Error(`Error in ${this.getClassName()}: call before build`);
    if (!training) {
      const ids = module.namedVariables().map(([, v]) => v.dataId);
      if (ids.length !== this.cachedFor.length || ids.some((id, i) => id !== this.cachedFor[i]))
        module.invalidateCache();
      this.cachedFor = ids;
    }
    return module;
  }

  override dispose() {
    const result = super.dispose();
    if (result.refCountAfterDispose === 0) {
      this.module?.dispose();
      this.module = null;
    }
    return result;
  }
}

/**
 * Points a freshly made `LayerVariable` at `variable`: its placeholder is freed, `read()` and
 * `write()` then use the module's variable, and disposing it leaves the variable to the module
 * (which disposes it with the layer). tfjs-layers has no public way to wrap an existing variable.
 */
function adopt(weight: LayerVariable, variable: Variable): void {
  const w = weight as unknown as { val: Variable; dispose: () => void; disposed: boolean };
  w.val.dispose();
  w.val = variable;
  w.dispose = () => {
    w.disposed = true;
  };
}
