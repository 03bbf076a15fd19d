import type { Implementation } from '../factorisations/registry';

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
 * {@link LayerMemory} of a group conv by factorisation: the maps each op keeps and allocates
 * (mixing/depthwise maps, projections, the per-(o, c) maps of the g-variants), read off the ops
 * and checked against measured buffer peaks (layer-memory.test.ts). With I the input map, O the
 * output map, `mid` = `[h, w, Gout, Cout]` (a mixing's output at input resolution) and `proj` =
 * `[h, w, Gin, Cout]` (a channel projection):
 *
 * | factorisation | saved | forward | backward |
 * |---|---|---|---|
 * | nonseparable, gseparable | — | O | I |
 * | separable | mid | mid + O | mid + I |
 * | dseparable | proj | proj + (Gin + 2)·O | proj + I + 2·Gin·O |
 * | dgseparable | proj + mid | proj + 3·mid + O | mid + I |
 * | separable+2d | — | mid + O | 3·mid |
 * | gseparable+2d | I + 2·Cin·mid | I + 5·Cin·mid + O | 3·Cin·mid |
 */
export function groupConvMemory(implementation: Implementation, d: GroupConvDims): LayerMemory {
  const I = d.h * d.w * d.gIn * d.cIn * F32;
  const O = d.h2 * d.w2 * d.gOut * d.cOut * F32;
  const mid = d.h * d.w * d.gOut * d.cOut * F32;
  const proj = d.h * d.w * d.gIn * d.cOut * F32;
  switch (implementation) {
    case 'nonseparable':
    case 'gseparable':
      return { saved: 0, forward: O, backward: I };
    case 'separable':
      return { saved: mid, forward: mid + O, backward: mid + I };
    case 'dseparable':
      return { saved: proj, forward: proj + (d.gIn + 2) * O, backward: proj + I + 2 * d.gIn * O };
    case 'dgseparable':
      return { saved: proj + mid, forward: proj + 3 * mid + O, backward: mid + I };
    case 'separable+2d':
      return { saved: 0, forward: mid + O, backward: 3 * mid };
    case 'gseparable+2d':
      return {
        saved: I + 2 * d.cIn * mid,
        forward: I + 5 * d.cIn * mid + O,
        backward: 3 * d.cIn * mid,
      };
  }
}

/** A kernel net evaluated on `points` inputs with `outputDim` outputs (one SIREN of a layer). */
export interface KernelNetEvaluation {
  points: number;
  outputDim: number;
}

/**
 * Bytes a training step keeps for one layer's kernel nets (independent of the batch): each
 * SIREN's activations and sines saved for the gradient, `points × hidden` per layer and two per
 * hidden layer, and its output (the sampled kernel) with a reshaped copy; plus `assembled`
 * values of a kernel built from the nets' outputs (gseparable's product filter, which the conv
 * keeps for its gradient).
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

/** Values of the dense filter a factorisation assembles from its kernel nets (gseparable), else 0. */
export function assembledFilterSize(
  implementation: Implementation,
  d: GroupConvDims & { kernelSize: number },
): number {
  return implementation === 'gseparable'
    ? d.kernelSize * d.kernelSize * d.gIn * d.cIn * d.gOut * d.cOut
    : 0;
}

/**
 * The kernel nets a group conv evaluates in a training step (points × outputs), by factorisation:
 * the H-nets on Gout·Gin element pairs (Sim(2) "+2d": R·R rotations, S·S scales), the R²-nets on
 * Gout·k² positions, the non-separable net on Gout·Gin·k².
 */
export function groupConvKernelNets(
  implementation: Implementation,
  d: GroupConvDims & { kernelSize: number; nRotations: number; nScales: number },
): KernelNetEvaluation[] {
  const k2 = d.kernelSize * d.kernelSize;
  const pairs = d.gOut * d.gIn;
  const { cIn, cOut } = d;
  switch (implementation) {
    case 'nonseparable':
      return [{ points: pairs * k2, outputDim: cOut * cIn }];
    case 'dseparable':
      return [{ points: pairs * k2, outputDim: cOut }];
    case 'separable':
      return [
        { points: pairs, outputDim: cOut * cIn },
        { points: d.gOut * k2, outputDim: cOut },
      ];
    case 'gseparable':
      return [
        { points: pairs, outputDim: cOut * cIn },
        { points: d.gOut * k2, outputDim: cOut * cIn },
      ];
    case 'dgseparable':
      return [
        { points: pairs, outputDim: cOut },
        { points: d.gOut * k2, outputDim: cOut },
      ];
    case 'separable+2d':
    case 'gseparable+2d': {
      const perPair = implementation === 'separable+2d' ? 1 : cIn;
      return [
        { points: d.nRotations * d.nRotations, outputDim: cOut * cIn },
        { points: d.nScales * d.nScales, outputDim: cOut * perPair },
        { points: d.gOut * k2, outputDim: cOut * perPair },
      ];
    }
  }
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
