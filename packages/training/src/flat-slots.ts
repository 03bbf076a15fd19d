import * as tf from '@tensorflow/tfjs-core';

/** The parameters a flat state is laid out over: names and shapes, in order. */
interface Layout {
  names: readonly string[];
  shapes: readonly number[][];
  sizes: readonly number[];
  key: string;
}

/**
 * An optimizer's slots (Adam's `exp_avg`, `exp_avg_sq`, …) for many parameters as one flat
 * variable per slot over a layout of the parameters, so that a step updates every parameter with
 * a handful of ops on concatenated vectors instead of a dozen per parameter. The per-parameter
 * view `slot/name` of the checkpoints is made on demand ({@link named}); restored per-parameter
 * values ({@link restore}) are packed on the next step. Parameters missing from a packed state
 * start at zero.
 */
export class FlatSlots {
  private layout: Layout | null = null;
  /** Slot name → `[Σ sizes]` over `layout`. */
  private readonly flat = new Map<string, tf.Variable>();
  /** `slot/name` → values not packed (restored, or of parameters outside the layout). */
  private readonly byName = new Map<string, tf.Tensor>();
  /** {@link named}'s tensors, until the state changes. */
  private views: Array<[string, tf.Tensor]> | null = null;

  constructor(private readonly owner: string) {}

  /**
   * The flat variables of `slots` over the parameters `names` (shapes `shapes`): created on first
   * use from the per-name values, zeros where there are none; re-packed when the parameters
   * change. Call inside a tidy.
   */
  packed(
    slots: readonly string[],
    names: readonly string[],
    shapes: readonly number[][],
  ): Record<string, tf.Variable> {
    this.dropViews();
    const key = names.map((n, i) => `${n}:${shapes[i]}`).join('\n');
    if (this.layout && this.layout.key !== key) this.unpack();
    this.layout ??= { names, shapes, sizes: shapes.map((d) => tf.util.sizeFromShape(d)), key };
    const layout = this.layout;
    const out: Record<string, tf.Variable> = {};
    for (const slot of slots) {
      let v = this.flat.get(slot);
      if (!v) {
        const restored: tf.Tensor[] = [];
        const parts = layout.names.map((name, i) => {
          const value = this.byName.get(`${slot}/${name}`);
          if (!value) return tf.zeros([layout.sizes[i]!]);
          this.byName.delete(`${slot}/${name}`);
          restored.push(value);
          return tf.reshape(value, [-1]);
        });
        const init = parts.length === 1 ? parts[0]! : tf.concat(parts);
        v = tf.variable(init, false, uniqueName(this.owner, slot));
        tf.dispose(restored);
        this.flat.set(slot, v);
      }
      out[slot] = v;
    }
    return out;
  }

  /**
   * Every slot value by `slot/name`, sorted by key: tensors owned by this object, valid until the
   * next {@link packed}, {@link restore} or {@link dispose}.
   */
  named(): Array<[string, tf.Tensor]> {
    if (!this.views) {
      const views = tf.tidy(() => this.split());
      for (const [, t] of views) tf.keep(t);
      for (const entry of this.byName) views.push(entry);
      this.views = views.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    }
    return this.views;
  }

  /** Replaces the whole state by copies of `values` (`slot/name` → tensor). */
  restore(values: Readonly<Record<string, tf.Tensor>>): void {
    this.dispose();
    for (const [key, value] of Object.entries(values))
      this.byName.set(key, tf.keep(tf.clone(value)));
  }

  dispose(): void {
    this.dropViews();
    for (const v of this.flat.values()) v.dispose();
    this.flat.clear();
    for (const t of this.byName.values()) t.dispose();
    this.byName.clear();
    this.layout = null;
  }

  /** The packed slots as per-name tensors `[slot/name, value]`. */
  private split(): Array<[string, tf.Tensor]> {
    const layout = this.layout;
    if (!layout) return [];
    const out: Array<[string, tf.Tensor]> = [];
    for (const [slot, v] of this.flat) {
      const pieces = layout.names.length === 1 ? [v] : tf.split(v, [...layout.sizes]);
      layout.names.forEach((name, i) => {
        out.push([`${slot}/${name}`, tf.reshape(pieces[i]!, layout.shapes[i]!)]);
      });
    }
    return out;
  }

  /** Moves the packed state to per-name tensors (the parameters changed). */
  private unpack(): void {
    const values = tf.tidy(() => this.split());
    for (const v of this.flat.values()) v.dispose();
    this.flat.clear();
    for (const [key, t] of values) this.byName.set(key, tf.keep(t));
    this.layout = null;
  }

  private dropViews(): void {
    if (!this.views) return;
    for (const [key, t] of this.views) if (this.byName.get(key) !== t) t.dispose();
    this.views = null;
  }
}

let nextId = 0;
function uniqueName(owner: string, slot: string): string {
  return `gcnn-opt-${owner}-${slot}-${nextId++}`;
}
