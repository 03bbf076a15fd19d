/**
 * What one layer adds to a training step's memory, in bytes per batch row, as recorded by a
 * gradient segment (`gradientSegment`; tfjs's plain autodiff keeps more):
 * - `saved`: kept from the forward to the backward pass, besides the layer's input and output
 *   (which the layers around it keep or not);
 * - `forward`: the forward's transient peak on top of its input, its output included;
 * - `backward`: the backward's transient peak on top of what it saved and the output's gradient,
 *   the input's gradient included.
 */
export interface LayerMemory {
  saved: number;
  forward: number;
  backward: number;
}

/** Sizes of a group conv's input `[h, w, Gin, Cin]` and output `[h′, w′, Gout, Cout]` (one row). */
export interface GroupConvDims {
  h: number;
  w: number;
  gIn: number;
  cIn: number;
  h2: number;
  w2: number;
  gOut: number;
  cOut: number;
}

const F32 = 4;

/**
 * The maps a group conv's memory is counted in, bytes per batch row: `input` `[h, w, Gin, Cin]`,
 * `output` `[h′, w′, Gout, Cout]`, `mid` `[h, w, Gout, Cout]` (a mixing's output at input
 * resolution) and `proj` `[h, w, Gin, Cout]` (a channel projection).
 */
export function convMaps(d: GroupConvDims): {
  input: number;
  output: number;
  mid: number;
  proj: number;
} {
  return {
    input: d.h * d.w * d.gIn * d.cIn * F32,
    output: d.h2 * d.w2 * d.gOut * d.cOut * F32,
    mid: d.h * d.w * d.gOut * d.cOut * F32,
    proj: d.h * d.w * d.gIn * d.cOut * F32,
  };
}

/** What a factorisation's training step keeps for one conv: activations per row, kernel nets. */
export interface ConvTrainingMemory {
  /** Per batch row. */
  activations: LayerMemory;
  /** The kernel nets it evaluates (independent of the batch). */
  kernelNets: KernelNetEvaluation[];
  /** Values of a kernel it assembles from the nets' outputs and keeps (gseparable's filter). */
  assembledKernel: number;
}

/** A group conv's sizes and grid, as {@link ConvTrainingMemory} needs them. */
export interface ConvMemoryDims extends GroupConvDims {
  kernelSize: number;
  nRotations: number;
  nScales: number;
}

/** A kernel net evaluated on `points` inputs with `outputDim` outputs (one SIREN of a layer). */
export interface KernelNetEvaluation {
  points: number;
  outputDim: number;
}

/**
 * Bytes a training step keeps for one layer's kernel nets (independent of the batch): each
 * SIREN's activations and sines saved for the gradient, `points × hidden` per layer and two per
 * hidden layer, and twice its output: the sampled kernel as the conv keeps it (transposed into a
 * filter), and as much again for the copies a layer's backward makes of it (the reversed filter of
 * a conv's input gradient, the gradient of the net's output); plus `assembled` values of a kernel
 * built from the nets' outputs (gseparable's product filter, which the conv keeps for its
 * gradient). Measured against a step's peak in models' estimate-step-bytes test: one output's
 * worth underestimated the small test models by up to 15 %.
 */
export function kernelNetBytes(
  nets: readonly KernelNetEvaluation[],
  hiddenSize: number,
  numHidden: number,
  assembled = 0,
): number {
  let values = assembled;
  for (const { points, outputDim } of nets) {
    values += points * (hiddenSize * (2 + 2 * numHidden) + 2 * outputDim);
  }
  return values * F32;
}

/** Output size of a conv along one axis: `'same'` keeps ⌈size/stride⌉, a number pads both sides. */
export function convOutputSize(
  size: number,
  kernelSize: number,
  stride: number,
  padding: 'same' | 'valid' | number,
): number {
  if (padding === 'same') return Math.ceil(size / stride);
  const pad = padding === 'valid' ? 0 : padding;
  return Math.floor((size + 2 * pad - kernelSize) / stride) + 1;
}
