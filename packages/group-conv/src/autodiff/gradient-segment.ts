import * as tf from '@tensorflow/tfjs-core';
import {
  backprop,
  disposeTape,
  giveToSaved,
  isRecording,
  nodesFromXsToY,
  recordTape,
  savedTensors,
  withoutTape,
} from './tape';

/**
 * How a {@link gradientSegment} keeps what its gradient needs:
 * - `lean`: the forward records its ops (every activation a gradient needs is kept, as tfjs
 *   does), the backward frees each activation and each intermediate gradient as soon as it is
 *   used ({@link backprop});
 * - `checkpoint`: the forward keeps only the segment's input; the backward runs the forward
 *   again (recomputation, "gradient checkpointing"), then walks it as `lean` does. About one
 *   more forward pass of compute for a training step; memory of one segment instead of all.
 */
export type SegmentMemory = 'lean' | 'checkpoint';

/** Options of {@link gradientSegment}. */
export interface GradientSegmentOptions {
  memory: SegmentMemory;
  /** The trainable variables the body reads: they receive gradients through the segment. */
  variables: readonly tf.Variable[];
  /**
   * Tensors besides `x` that the body reads and a replay needs (e.g. the input's group
   * elements): kept with `x`, no gradient.
   */
  context?: readonly tf.Tensor[];
  /** Whether `x` receives a gradient (default true; false for an input such as the images). */
  inputGradient?: boolean;
}

/** What a segment's body computes: the differentiable output and other results (no gradient). */
export interface SegmentResult<Y extends tf.Tensor, A extends tf.TensorContainer> {
  y: Y;
  aux: A;
}

/**
 * A segment body: `x` and the context → `y` (and `aux`). It runs once in the forward pass and,
 * with `checkpoint`, once more in the backward pass with `replay` true, on `x` and the context
 * kept from the forward: it must then compute the same `y` — draw the same random numbers (rewind
 * the generator), and not apply side effects twice (running statistics).
 */
export type SegmentBody<X extends tf.Tensor, Y extends tf.Tensor, A extends tf.TensorContainer> = (
  x: X,
  context: readonly tf.Tensor[],
  replay: boolean,
) => SegmentResult<Y, A>;

/**
 * Runs `body(x, context, false)` as one op of the gradient tape, with the gradients of `x` and
 * `options.variables` computed by the segment itself, so that a training step holds less than
 * tfjs's autodiff would (see {@link SegmentMemory}). The gradients are those of autodiff of the
 * body: the same gradient functions in the same order. Outside a gradient computation (inference)
 * it is `body(x, context, false)`.
 *
 * @returns the body's `y` (differentiable) and `aux` (e.g. output group elements), the caller's
 */
export function gradientSegment<
  X extends tf.Tensor,
  Y extends tf.Tensor,
  A extends tf.TensorContainer,
>(body: SegmentBody<X, Y, A>, x: X, options: GradientSegmentOptions): SegmentResult<Y, A> {
  const context = options.context ?? [];
  if (!isRecording()) return body(x, context, false);
  const sources = [...(options.inputGradient === false ? [] : [x]), ...options.variables];
  return options.memory === 'lean'
    ? leanSegment(body, x, context, sources)
    : checkpointSegment(body, x, context, sources);
}

/** `lean`: the forward on a private tape, walked by {@link backprop} in the backward pass. */
function leanSegment<X extends tf.Tensor, Y extends tf.Tensor, A extends tf.TensorContainer>(
  body: SegmentBody<X, Y, A>,
  x: X,
  context: readonly tf.Tensor[],
  sources: tf.Tensor[],
): SegmentResult<Y, A> {
  const { result, tape } = recordTape(() => tidyResult(() => body(x, context, false)));
  const reached = new Set(
    nodesFromXsToY(tape, sources, result.y).flatMap((n) => Object.values(n.inputs)),
  );
  const inputs = sources.filter((s) => reached.has(s));
  if (inputs.length === 0) {
    disposeTape(tape);
    return result;
  }
  try {
    const y = attachGradient(result.y, inputs, [], (dy) => backprop(tape, inputs, result.y, dy));
    // The saved tensors go to the engine's tape node of y, so that the engine frees them if this
    // segment's gradient never runs; the gradient walks (and frees) them through the private tape.
    giveToSaved(y, tape.flatMap(savedTensors));
    return { y, aux: result.aux };
  } catch (error) {
    disposeTape(tape);
    throw error;
  }
}

/** `checkpoint`: the forward without a tape; the backward replays it on a tape and walks that. */
function checkpointSegment<X extends tf.Tensor, Y extends tf.Tensor, A extends tf.TensorContainer>(
  body: SegmentBody<X, Y, A>,
  x: X,
  context: readonly tf.Tensor[],
  sources: tf.Tensor[],
): SegmentResult<Y, A> {
  const result = withoutTape(() => tidyResult(() => body(x, context, false)));
  const withInput = sources[0] === x;
  const y = attachGradient(result.y, sources, [x, ...context], (dy, kept) => {
    const [xs, ...cs] = kept as [X, ...tf.Tensor[]];
    // Only y leaves the tidy: the replay's aux is dropped (kept tensors, such as a sampler's
    // grid, and the context are not the tidy's to free).
    const replay = recordTape(() => tf.tidy(() => body(xs, cs, true).y));
    const replaySources = withInput ? [xs, ...sources.slice(1)] : sources;
    return backprop(replay.tape, replaySources, replay.result, dy);
  });
  return { y, aux: result.aux };
}

/** `f()` in a `tf.tidy` that keeps its `y` and `aux`. */
function tidyResult<Y extends tf.Tensor, A extends tf.TensorContainer>(
  f: () => SegmentResult<Y, A>,
): SegmentResult<Y, A> {
  const [y, aux] = tf.tidy(() => {
    const r = f();
    return [r.y, r.aux] as [Y, A];
  });
  return { y, aux };
}

/**
 * Records `y` on the engine's tape as the output of one op with inputs `inputs`, whose gradient is
 * `grad(dy, kept)` (`kept`: copies of `keep`, held by the engine until its backward pass ends).
 * A null gradient (input not reached) becomes zeros.
 */
function attachGradient<Y extends tf.Tensor>(
  y: Y,
  inputs: readonly tf.Tensor[],
  keep: readonly tf.Tensor[],
  grad: (dy: tf.Tensor, kept: tf.Tensor[]) => Array<tf.Tensor | null>,
): Y {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save([...keep]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, kept: tf.Tensor[]) =>
        tf.tidy(() => grad(dy, kept).map((g, i) => g ?? tf.zerosLike(inputs[i] as tf.Tensor))),
    };
  });
  return op(...inputs) as Y;
}
