import {
  convOutputSize,
  type GroupConv2D,
  hasBatchNormKernels,
  hasRowNormalizeKernels,
  kernelNetBytes,
  type LayerMemory,
  type LiftingConv2D,
} from '@gcnn/group-conv';
import type { TrainingMemory } from './classifier';
import { createModel } from './create-model';
import type { GroupClassifier } from './group-classifier';
import type { GroupConvBlock } from './group-conv-block';
import type { Stage } from './internal/stage';
import { segmentStages } from './internal/stage-segments';
import type { ModelConfig } from './model-config';

/** Options of {@link estimateStepBytes}. */
export interface StepBytesOptions {
  /** Rows of the batch one thread computes (a data-parallel shard, a micro-batch). */
  batch: number;
  memory: TrainingMemory;
  /** Optimizer state per parameter (Adam and Adadelta 2, SGD with momentum 1; default 2). */
  optimizerSlots?: number;
}

/** Bytes of one training step on one thread, by part. */
export interface StepBytesEstimate {
  /** Weights and optimizer state: allocated before the step, independent of the batch. */
  parameters: number;
  /** What the step adds at its peak: activations, temporaries, kernels, the gradients. */
  step: number;
  /** `parameters + step`. */
  total: number;
}

/**
 * Plain autodiff: every op's forward temporaries stay on the tape until its gradient has run
 * (`autodiffSegments`), and the intermediate gradients add about a fifth more. Measured
 * against `meterBufferBytes` on the test models (cpu and wasm, batch 2–4, 2026-12-04), the tape
 * alone came to 0.68–1.04× the measured peak, so the factor centres it (the former flat 2.8 × lean
 * spread 0.66–1.53×: the factorisations' custom gradients save very different shares).
 */
const AUTODIFF_FACTOR = 1.2;

/** A map's per-row footprint through the model: spatial size, group size, channels. */
interface Geometry {
  h: number;
  w: number;
  g: number;
  c: number;
}

/** One op of the walk: its {@link LayerMemory} per row, its input/output per row, its kernels. */
interface Unit extends LayerMemory {
  input: number;
  output: number;
  /** Bytes of sampled kernels and kernel-net activations (independent of the batch). */
  kernels: number;
}

interface SegmentUnits {
  /** Per-row bytes of the segment's input (kept by a checkpointed step). */
  input: number;
  units: Unit[];
}

const F32 = 4;
const mapBytes = (g: Geometry) => g.h * g.w * g.g * g.c * F32;

/**
 * Estimates the bytes of tensor data one training step of `model` (or a model built from a
 * config) holds at its peak with `options.batch` rows and `options.memory`: forward, loss,
 * backward, gradients, optimizer state. It walks the model's layers with per-op costs read off
 * the ops (each factorisation's `trainingMemory`, batch norm, ReLU, pooling, dropout) and simulates
 * what a step keeps: `lean` all saved activations plus the largest backward transient,
 * `checkpoint` the segment inputs plus one segment's, `autodiff` as lean with every forward
 * temporary kept, plus intermediate gradients (`AUTODIFF_FACTOR`).
 * Checked against measured buffer peaks (`meterBufferBytes`) within a factor of 1.5
 * (estimate-step-bytes.test.ts); kernels' internal scratch buffers are not counted.
 */
export function estimateStepBytes(
  model: GroupClassifier | ModelConfig,
  options: StepBytesOptions,
): StepBytesEstimate {
  if (!Number.isInteger(options.batch) || options.batch < 1) {
    throw new Error(
      `Error in estimateStepBytes: batch must be an integer ≥ 1, got ${String(options.batch)}`,
    );
  }
  const built = 'namedVariables' in model ? null : createModel(model);
  const m = (built ?? model) as GroupClassifier;
  try {
    const params = m.parameterCount() * F32;
    const parameters = params * (1 + (options.optimizerSlots ?? 2));
    const segments = modelUnits(m);
    const activations = (rows: number) =>
      options.memory === 'checkpoint'
        ? checkpointPeak(segments, rows)
        : options.memory === 'autodiff'
          ? leanPeak(autodiffSegments(segments), rows) * AUTODIFF_FACTOR
          : leanPeak(segments, rows);
    const step = activations(options.batch) + params;
    return { parameters, step, total: parameters + step };
  } finally {
    built?.dispose();
  }
}

/** The units as autodiff records them: each op's forward temporaries saved for its gradient. */
function autodiffSegments(segments: SegmentUnits[]): SegmentUnits[] {
  return segments.map((s) => ({
    ...s,
    units: s.units.map((u) => ({ ...u, saved: u.saved + u.forward })),
  }));
}

/** Peak of a `lean` step: every saved activation and kernel, then the backward walk. */
function leanPeak(segments: SegmentUnits[], rows: number): number {
  const units = segments.flatMap((s) => s.units);
  const kernels = units.reduce((a, u) => a + u.kernels, 0);
  let saved = 0;
  let peak = 0;
  for (const u of units) {
    peak = Math.max(peak, (saved + u.input + u.forward) * rows);
    saved += u.saved;
  }
  let retained = 0;
  for (let s = segments.length - 1; s >= 0; s--) {
    const seg = segments[s] as SegmentUnits;
    for (let i = seg.units.length - 1; i >= 0; i--) {
      const u = seg.units[i] as Unit;
      peak = Math.max(peak, (saved + retained + u.output + u.backward) * rows);
      saved -= u.saved;
    }
    retained += seg.input;
  }
  return peak + kernels;
}

/** Peak of a `checkpoint` step: segment inputs, then one segment recomputed and walked. */
function checkpointPeak(segments: SegmentUnits[], rows: number): number {
  const inputs = segments.reduce((a, s) => a + s.input, 0);
  let before = 0;
  let peak = 0;
  for (const seg of segments) {
    const kernels = seg.units.reduce((a, u) => a + u.kernels, 0);
    for (const u of seg.units) {
      peak = Math.max(peak, (before + u.input + u.forward) * rows + kernels);
    }
    before += seg.input;
    // the backward: all inputs (or their gradients) live, this segment's saves up to each op
    let saved = seg.units.reduce((a, u) => a + u.saved, 0);
    for (let i = seg.units.length - 1; i >= 0; i--) {
      const u = seg.units[i] as Unit;
      peak = Math.max(peak, (inputs + saved + u.output + u.backward) * rows + kernels);
      saved -= u.saved;
    }
  }
  return peak;
}

/** The model's ops as gradient segments (as `runSegments` runs them), then the head. */
function modelUnits(model: GroupClassifier): SegmentUnits[] {
  const { inChannels, imageSize } = model.config;
  let geo: Geometry = { h: imageSize, w: imageSize, g: 1, c: inChannels };
  const segments: SegmentUnits[] = [];
  for (const segment of segmentStages(model.lifting, model.stages)) {
    const input = segment.lifting ? 0 : mapBytes(geo);
    const units: Unit[] = [];
    if (segment.lifting) geo = push(units, liftingUnit(segment.lifting, geo));
    for (const stage of segment.stages) geo = stageUnits(stage, geo, units);
    segments.push({ input, units });
  }
  const head: Unit[] = [];
  if (model.finalConv) push(head, convUnit(model.finalConv, geo));
  segments.push({ input: 0, units: head });
  return segments;
}

function push(units: Unit[], [unit, geo]: [Unit, Geometry]): Geometry {
  units.push(unit);
  return geo;
}

/** An elementwise op on a map of `bytes` per row. */
function elementwise(bytes: number, saved: number, forward: number, backward: number): Unit {
  return {
    input: bytes,
    output: bytes,
    saved: saved * bytes,
    forward: forward * bytes,
    backward: backward * bytes,
    kernels: 0,
  };
}

/**
 * Batch norm (keeps x̂): one kernel each way where the backend has them (@gcnn/group-conv's
 * `BATCH_NORM_KERNELS`), else the composite's forward and backward temporaries. ReLU (keeps its
 * output), 2×2 max pooling (keeps x and y), dropout (keeps its mask).
 */
const batchNormUnit = (bytes: number) =>
  hasBatchNormKernels() ? elementwise(bytes, 1, 0, 1) : elementwise(bytes, 1, 3, 3);
const reluUnit = (bytes: number) => elementwise(bytes, 1, 1, 2);

function stageUnits(stage: Stage, geo: Geometry, units: Unit[]): Geometry {
  const bytes = mapBytes(geo);
  switch (stage.kind) {
    case 'conv':
      return push(units, convUnit(stage.layer, geo));
    case 'block':
      return blockUnits(stage.block, geo, units);
    case 'batchnorm':
      units.push(batchNormUnit(bytes));
      return geo;
    case 'instancenorm':
    case 'layernorm':
      // one custom-gradient node (@gcnn/group-conv's normalize) that keeps y (and a per-row std):
      // the layer norm as one kernel each way where the backend has them, else the composite's
      // forward and backward temporaries
      units.push(
        stage.kind === 'layernorm' && hasRowNormalizeKernels()
          ? elementwise(bytes, 1, 0, 1)
          : elementwise(bytes, 1, 2, 3),
      );
      return geo;
    case 'relu':
      units.push(reluUnit(bytes));
      return geo;
    case 'dropout':
      units.push(elementwise(bytes, 1, 2, 1));
      return geo;
    case 'pool': {
      const out = { ...geo, h: Math.floor(geo.h / 2), w: Math.floor(geo.w / 2) };
      const o = mapBytes(out);
      units.push({
        input: bytes,
        output: o,
        saved: bytes + o,
        forward: o,
        backward: bytes,
        kernels: 0,
      });
      return out;
    }
  }
}

/** gconv1, norm, ReLU, gconv2, norm, ReLU, the shortcut conv, the sum and its ReLU. */
function blockUnits(block: GroupConvBlock, geo: Geometry, units: Unit[]): Geometry {
  let g = push(units, convUnit(block.gconv1, geo));
  units.push(batchNormUnit(mapBytes(g)), reluUnit(mapBytes(g)));
  g = push(units, convUnit(block.gconv2, g));
  units.push(batchNormUnit(mapBytes(g)), reluUnit(mapBytes(g)));
  if (block.skipAlign) push(units, convUnit(block.skipAlign, geo));
  units.push(elementwise(mapBytes(g), 0, 1, 0), reluUnit(mapBytes(g)));
  return g;
}

function convUnit(layer: GroupConv2D, geo: Geometry): [Unit, Geometry] {
  const o = layer.options;
  const k = o.kernelSize;
  const stride = o.stride ?? 1;
  const padding = o.padding ?? 'same';
  const out: Geometry = {
    h: convOutputSize(geo.h, k, stride, padding),
    w: convOutputSize(geo.w, k, stride, padding),
    g: layer.grid.size,
    c: o.outChannels,
  };
  const memory = layer.factorisation.trainingMemory({
    ...{ h: geo.h, w: geo.w, gIn: geo.g, cIn: geo.c },
    ...{ h2: out.h, w2: out.w, gOut: out.g, cOut: out.c },
    kernelSize: k,
    nRotations: layer.grid.nRotations,
    nScales: layer.grid.nScales,
  });
  const kernels = kernelNetBytes(
    memory.kernelNets,
    o.kernelNet?.hiddenSize ?? 32,
    o.kernelNet?.numHidden ?? 1,
    memory.assembledKernel,
  );
  return [{ ...memory.activations, input: mapBytes(geo), output: mapBytes(out), kernels }, out];
}

/** The lifting conv: images → `[h′, w′, G, Cout]`; no input gradient. */
function liftingUnit(lifting: LiftingConv2D, geo: Geometry): [Unit, Geometry] {
  const o = lifting.options;
  const k = o.kernelSize;
  const padding = o.padding ?? 'same';
  const out: Geometry = {
    h: convOutputSize(geo.h, k, o.stride ?? 1, padding),
    w: convOutputSize(geo.w, k, o.stride ?? 1, padding),
    g: lifting.grid.size,
    c: o.outChannels,
  };
  const nets = [{ points: out.g * k * k, outputDim: o.outChannels * o.inChannels }];
  const kernels = kernelNetBytes(nets, o.kernelNet?.hiddenSize ?? 32, o.kernelNet?.numHidden ?? 1);
  const bytes = mapBytes(out);
  return [{ input: 0, output: bytes, saved: 0, forward: bytes, backward: 0, kernels }, out];
}
