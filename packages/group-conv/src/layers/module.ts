import * as tf from '@tensorflow/tfjs-core';

/**
 * A minimal container of named variables and sub-modules (gcnn depends on tfjs-core only, so it
 * does not use tfjs-layers). Names are dotted paths (`layers.2.conv1.kernelH.sine.0.weight`), the
 * keys of saved weights.
 */
export abstract class Module {
  private readonly variables = new Map<string, tf.Variable>();
  private readonly modules = new Map<string, Module>();

  /** Registers a weight initialised from `value` (which the module takes over and disposes). */
  protected addWeight(name: string, value: tf.Tensor, trainable = true): tf.Variable {
    if (this.variables.has(name))
      throw new Error(`Error in Module: duplicate weight name '${name}'`);
    const variable = tf.variable(value, trainable);
    value.dispose();
    this.variables.set(name, variable);
    return variable;
  }

  protected addModule<T extends Module>(name: string, module: T): T {
    if (this.modules.has(name)) throw new Error(`Error in Module: duplicate module name '${name}'`);
    this.modules.set(name, module);
    return module;
  }

  /** Every variable of this module and its sub-modules, by dotted name, in registration order. */
  namedVariables(prefix = ''): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    for (const [name, v] of this.variables) out.push([prefix + name, v]);
    for (const [name, m] of this.modules) out.push(...m.namedVariables(`${prefix}${name}.`));
    return out;
  }

  trainableVariables(): tf.Variable[] {
    return this.namedVariables()
      .map(([, v]) => v)
      .filter((v) => v.trainable);
  }

  /** Number of trainable values. */
  parameterCount(): number {
    return this.trainableVariables().reduce((n, v) => n + v.size, 0);
  }

  /**
   * Assigns weights by name (as from `namedVariables`); every name must exist and shapes must
   * match. Invalidates cached kernels.
   */
  setWeights(weights: Record<string, tf.Tensor>, options: { allowMissing?: boolean } = {}): void {
    const own = new Map(this.namedVariables());
    for (const [name, value] of Object.entries(weights)) {
      const v = own.get(name);
      if (!v) throw new Error(`Error in setWeights: unknown weight '${name}'`);
      if (v.shape.join() !== value.shape.join()) {
        throw new Error(
          `Error in setWeights: weight '${name}' has shape [${v.shape}], got [${value.shape}]`,
        );
      }
      v.assign(value);
    }
    if (!options.allowMissing) {
      const missing = [...own.keys()].filter((name) => !(name in weights));
      if (missing.length > 0)
        throw new Error(
          `Error in setWeights: missing weights ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
        );
    }
    this.invalidateCache();
  }

  /** Drops cached derived tensors (e.g. sampled kernels) here and in sub-modules. */
  invalidateCache(): void {
    this.clearOwnCache();
    for (const m of this.modules.values()) m.invalidateCache();
  }

  /** Override to drop this module's own caches. */
  protected clearOwnCache(): void {}

  /** Disposes every variable and cache. */
  dispose(): void {
    this.invalidateCache();
    for (const v of this.variables.values()) v.dispose();
    for (const m of this.modules.values()) m.dispose();
    this.variables.clear();
    this.modules.clear();
  }
}
