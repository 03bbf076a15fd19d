/**
 * @file Records the tfjs kernels a function runs: which kernel, on which tensors, with which
 * attributes, in order. What `freezeModel` turns into a TensorFlow graph: the same kernels gcnn's
 * forward pass runs, so the frozen graph computes what gcnn computes.
 *
 * tfjs-core has no public tracing hook; every tfjs op runs its kernel through the engine's
 * `runKernel`, so the tracer wraps that method on the engine object for the duration of one call
 * (and only the outermost call of a kernel that runs others) and restores it afterwards.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Where a traced kernel's input comes from. */
export type TraceInput =
  | { kind: 'input' }
  | { kind: 'node'; node: number }
  | { kind: 'constant'; constant: number };

/** One kernel call. */
export interface TracedKernel {
  kernel: string;
  /** The kernel's named inputs (as tfjs names them: `x`, `filter`, `a`, `b`, …). */
  inputs: Record<string, TraceInput>;
  attrs: Record<string, unknown>;
  /** Shape and dtype of its (single) output. */
  shape: number[];
  dtype: tf.DataType;
}

/** The kernels of one call, the constants they read (caller disposes), and the result's node. */
export interface KernelTrace {
  kernels: TracedKernel[];
  /** Tensors read that neither the input nor a traced kernel made: weights, cached kernels, scalars. */
  constants: tf.Tensor[];
  /** Constants the tracer kept alive (created inside the call); dispose them when done. */
  owned: tf.Tensor[];
  output: number;
}

type RunKernel = (
  name: string,
  inputs: tf.NamedTensorMap,
  attrs?: object,
) => tf.Tensor | tf.Tensor[];

/**
 * Runs `f(input)` and records its kernels. `f` must return one tensor made by a kernel of its own.
 * The returned tensor is disposed.
 */
export function traceKernels(f: (x: tf.Tensor) => tf.Tensor, input: tf.Tensor): KernelTrace {
  const engine = tf.engine() as unknown as { runKernel: RunKernel };
  const original = engine.runKernel;
  const ownMethod = Object.hasOwn(engine, 'runKernel');
  const produced = new Map<tf.Tensor, number>();
  const constants = new Map<tf.Tensor, number>();
  const owned: tf.Tensor[] = [];
  const kernels: TracedKernel[] = [];
  let depth = 0;
  const source = (t: tf.Tensor): TraceInput => {
    if (t === input) return { kind: 'input' };
    const node = produced.get(t);
    if (node !== undefined) return { kind: 'node', node };
    let index = constants.get(t);
    if (index === undefined) {
      index = constants.size;
      constants.set(t, index);
      // A tensor made inside the call (e.g. a scalar operand) would be disposed by its tidy.
      if (!t.kept && !(t instanceof tf.Variable)) owned.push(tf.keep(t));
    }
    return { kind: 'constant', constant: index };
  };
  engine.runKernel = function (this: unknown, name, inputs, attrs) {
    if (depth > 0) return original.call(this, name, inputs, attrs);
    // (fused ops pass their absent optional inputs as undefined)
    const sources = Object.fromEntries(
      Object.entries(inputs)
        .filter(([, t]) => t !== undefined)
        .map(([key, t]) => [key, source(t as tf.Tensor)]),
    );
    depth++;
    let out: tf.Tensor | tf.Tensor[];
    try {
      out = original.call(this, name, inputs, attrs);
    } finally {
      depth--;
    }
    if (Array.isArray(out))
      throw new Error(`Error in freezeModel: kernel '${name}' has several outputs; not supported`);
    produced.set(out, kernels.length);
    kernels.push({
      kernel: name,
      inputs: sources,
      attrs: { ...(attrs as Record<string, unknown>) },
      shape: [...out.shape],
      dtype: out.dtype,
    });
    return out;
  };
  let output: number | undefined;
  try {
    const y = f(input);
    output = produced.get(y);
    y.dispose();
  } finally {
    if (ownMethod) engine.runKernel = original;
    else delete (engine as { runKernel?: RunKernel }).runKernel;
  }
  if (output === undefined) {
    tf.dispose(owned);
    throw new Error('Error in freezeModel: the traced function returned a tensor no kernel made');
  }
  return { kernels, constants: [...constants.keys()], owned, output };
}
