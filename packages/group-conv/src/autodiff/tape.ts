import * as tf from '@tensorflow/tfjs-core';

/**
 * A node of tfjs-core's gradient tape (4.x `TapeNode`): one recorded kernel or custom op, the
 * tensors it saved for its gradient, and its gradient function.
 */
export interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>;
}

/** The part of tfjs-core's engine state that decides whether, and where, ops are recorded. */
interface TapeState {
  /** Absent until the first gradient computation. */
  activeTape?: TapeNode[] | null;
  gradientDepth: number;
  kernelDepth: number;
}

/**
 * tfjs-core's engine state (public in 4.x). Checked once per use, so that another tfjs-core gives
 * a clear error rather than gradients silently missing.
 */
function tapeState(op: string): TapeState {
  const state = (tf.engine() as unknown as { state?: Partial<TapeState> }).state;
  if (!state || typeof state.gradientDepth !== 'number' || typeof state.kernelDepth !== 'number') {
    throw new Error(
      `Error in ${op}: this @tensorflow/tfjs-core has no 4.x engine tape state (gradientDepth, kernelDepth)`,
    );
  }
  return state as TapeState;
}

/** Whether ops run now are recorded for a gradient (inside `tf.grads`/`tf.variableGrads`). */
export function isRecording(): boolean {
  return tf.engine().isTapeOn();
}

/** Runs `f` with the tape set to `tape` (null: not recording), then restores the engine's. */
function withTape<T>(op: string, tape: TapeNode[] | null, f: () => T): T {
  const state = tapeState(op);
  const outer = { ...state };
  state.activeTape = tape;
  state.gradientDepth = tape ? 1 : 0;
  state.kernelDepth = 0;
  try {
    return f();
  } finally {
    state.activeTape = outer.activeTape;
    state.gradientDepth = outer.gradientDepth;
    state.kernelDepth = outer.kernelDepth;
  }
}

/** Runs `f` without recording anything, even inside a gradient computation. */
export function withoutTape<T>(f: () => T): T {
  return withTape('withoutTape', null, f);
}

/**
 * Kernels whose registered gradient reads its saved inputs only for their shape (tfjs-core 4.22:
 * `Reshape`, `Add`, `Sub`, `Slice`, `Concat`, `Sum` and `Mean` save whole inputs for
 * `.shape`/`.rank`). A saved
 * input shares its data, so the saved copy of a reshaped map keeps the whole map alive until the
 * node is walked: a batch norm's `[n, C]` views kept both its input and its output.
 */
const SHAPE_ONLY_SAVES = new Set(['Reshape', 'Add', 'Sub', 'Slice', 'Concat', 'Sum', 'Mean']);

/** What a shape-only gradient reads of a saved input. */
class SavedShape {
  constructor(
    readonly shape: number[],
    readonly rank: number,
    readonly dtype: tf.DataType,
  ) {}
}

/** Replaces the saved inputs of a shape-only kernel by their shapes (in place: the node's gradient closes over the array). */
function slim(node: TapeNode): void {
  const saved = node.saved as Array<tf.Tensor | SavedShape> | undefined;
  if (!saved || !SHAPE_ONLY_SAVES.has(node.kernelName)) return;
  saved.forEach((t, i) => {
    if (t instanceof tf.Tensor) {
      saved[i] = new SavedShape(t.shape, t.rank, t.dtype);
      t.dispose();
    }
  });
}

/** The tensors of a node's saved list (not the shapes {@link slim} left). */
export function savedTensors(node: TapeNode): tf.Tensor[] {
  return (node.saved ?? []).filter((t): t is tf.Tensor => t instanceof tf.Tensor);
}

/** A tape whose nodes keep only the shapes of inputs their gradient needs only the shape of. */
function slimTape(): TapeNode[] {
  const tape: TapeNode[] = [];
  tape.push = (...nodes: TapeNode[]) => {
    for (const node of nodes) slim(node);
    return Array.prototype.push.apply(tape, nodes);
  };
  return tape;
}

/**
 * Runs `f` recording its ops on a private tape (not the engine's, which stays as it was): returns
 * `f`'s result and the recorded nodes. The nodes' saved tensors are the caller's: walk them with
 * {@link backprop} (which frees them) or `disposeTape`. Nothing is kept if `f` throws.
 * Kernels whose gradient needs only an input's shape keep only the shape.
 */
export function recordTape<T>(f: () => T): { result: T; tape: TapeNode[] } {
  const tape = slimTape();
  try {
    return { result: withTape('recordTape', tape, f), tape };
  } catch (error) {
    disposeTape(tape);
    throw error;
  }
}

/**
 * Gives `tensors` to the node of the engine's tape that produced `output`, as if its op had saved
 * them: the node's gradient function receives them, and the engine frees them when its backward
 * pass ends, whether the node was walked or not. A `tf.customGrad` save would keep a copy of each
 * instead (one `Identity` kernel per tensor); here the tensors themselves change owner.
 */
export function giveToSaved(output: tf.Tensor, tensors: readonly tf.Tensor[]): void {
  const tape = tapeState('giveToSaved').activeTape ?? [];
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i] as TapeNode;
    if (node.outputs.includes(output) && node.saved) {
      node.saved.push(...tensors);
      return;
    }
  }
  throw new Error('Error in giveToSaved: no node of the active tape produced this tensor');
}

/** Disposes the tensors every node of `tape` saved for its gradient. */
export function disposeTape(tape: readonly TapeNode[]): void {
  for (const node of tape) tf.dispose(savedTensors(node));
}

/**
 * The nodes of `tape` on a path from one of `xs` to `y`, each with only the inputs that depend on
 * `xs` (tfjs-core's `getFilteredNodesXToY`, which it does not export).
 */
export function nodesFromXsToY(
  tape: readonly TapeNode[],
  xs: readonly tf.Tensor[],
  y: tf.Tensor,
): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodeFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      for (const o of node.outputs) fromX.add(o.id);
      nodeFromX.add(node.id);
    }
  }
  const toY = new Set([y.id]);
  const nodeToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i] as TapeNode;
    if (node.outputs.some((o) => toY.has(o.id))) {
      for (const t of Object.values(node.inputs)) toY.add(t.id);
      nodeToY.add(node.id);
    }
  }
  return tape
    .filter((node) => nodeFromX.has(node.id) && nodeToY.has(node.id))
    .map((node) => ({
      ...node,
      inputs: Object.fromEntries(Object.entries(node.inputs).filter(([, t]) => fromX.has(t.id))),
    }));
}

/**
 * Backpropagates `dy` (∂L/∂y, shaped as `y`) through `tape`, recorded by {@link recordTape},
 * from `y` to `xs`, as tfjs-core's `tf.grads` does (same gradient functions, same order, same
 * accumulation), but leaner: each node's saved tensors are disposed as soon as its gradient ran,
 * and each intermediate gradient as soon as the node that produced its tensor was walked.
 * tfjs keeps both until the whole backward pass ends, so its peak is every activation plus every
 * intermediate gradient; this walk holds the activations still ahead of it and a few gradients.
 *
 * Every saved tensor of `tape` is disposed (walked or not); `dy` stays the caller's. Returns the
 * gradient of each of `xs` (null where `y` does not depend on it), the caller's to dispose.
 */
export function backprop(
  tape: readonly TapeNode[],
  xs: readonly tf.Tensor[],
  y: tf.Tensor,
  dy: tf.Tensor,
): Array<tf.Tensor | null> {
  const keepIds = new Set(xs.map((x) => x.id));
  const grads = new Map<number, tf.Tensor>([[y.id, dy]]);
  const release = (id: number) => {
    const g = grads.get(id);
    grads.delete(id);
    if (g && g !== dy) g.dispose();
  };
  try {
    const nodes = nodesFromXsToY(tape, xs, y);
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i] as TapeNode;
      walkNode(node, grads, dy);
      tf.dispose(savedTensors(node));
      for (const o of node.outputs) if (!keepIds.has(o.id)) release(o.id);
    }
    const out = xs.map((x) => grads.get(x.id) ?? null);
    // dy itself is the gradient of an x only when y is one of xs: hand out a copy
    return out.map((g) => (g === dy ? tf.clone(dy) : g));
  } catch (error) {
    for (const id of [...grads.keys()]) release(id);
    throw error;
  } finally {
    disposeTape(tape);
  }
}

/** Runs one node's gradient and adds its inputs' gradients to `grads` (tfjs's `backpropagateGradients` step). */
function walkNode(node: TapeNode, grads: Map<number, tf.Tensor>, dy: tf.Tensor): void {
  if (!node.gradient) {
    throw new Error(`Error in backprop: no gradient function for ${node.kernelName}`);
  }
  const dys = node.outputs.map((o) => grads.get(o.id) ?? null);
  const inputGrads = node.gradient(dys);
  const placed = new Set<tf.Tensor>();
  for (const [name, x] of Object.entries(node.inputs)) {
    const fn = inputGrads[name];
    if (!fn) {
      throw new Error(
        `Error in backprop: ${node.kernelName} has no gradient for its input '${name}'`,
      );
    }
    let dx = tf.tidy(fn);
    // A gradient function may hand back a tensor that is freed elsewhere (an output's gradient, a
    // saved tensor, another input's gradient): give the map its own reference.
    if (dx === dy || dys.includes(dx) || savedTensors(node).includes(dx) || placed.has(dx)) {
      dx = tf.clone(dx);
    }
    placed.add(dx);
    if (dx.shape.join() !== x.shape.join()) {
      dx.dispose();
      throw new Error(
        `Error in backprop: the gradient of ${node.kernelName}'s input '${name}' has shape [${dx.shape}], the input [${x.shape}]`,
      );
    }
    const current = grads.get(x.id);
    if (current) {
      grads.set(x.id, tf.add(current, dx));
      if (current !== dy) current.dispose();
      dx.dispose();
    } else grads.set(x.id, dx);
  }
}
