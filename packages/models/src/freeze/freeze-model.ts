/**
 * @file `freezeModel`: a gcnn classifier as a tfjs graph model (`format: "graph-model"`) that
 * `loadGraphModel` of `@tensorflow/tfjs-converter` runs with no gcnn package installed. The
 * sampled kernels are baked in as constants; the graph is the kernels of gcnn's own inference
 * pass (recorded by `traceKernels`), so its logits are gcnn's.
 */
import { withDenseMixings } from '@gcnn/group-conv';
import type { WeightSpec } from '@gcnn/weights';
import { encodeWeights } from '@gcnn/weights';
import * as tf from '@tensorflow/tfjs-core';
import type { GroupClassifier } from '../group-classifier';
import { checkNormalization, type ModelNormalization } from '../io/model-artifacts';
import { type AttrValue, dtypeAttr, graphOp, shapeAttr } from './graph-ops';
import { type KernelTrace, type TracedKernel, traceKernels } from './trace-kernels';

/** Options of {@link freezeModel}. */
export interface FreezeOptions {
  /**
   * Input normalization folded into the graph (its first ops): the graph then takes pixels in
   * `[0, 1]`. Without it the graph takes what the model takes.
   */
  normalization?: ModelNormalization | null;
  /** Free JSON stored as `userDefinedMetadata` (gcnn adds `gcnn: { modelConfig, normalization, … }`). */
  metadata?: Record<string, unknown>;
}

/** Names of the graph's input and output (`model.execute({ images }, 'logits')`). */
export const GRAPH_INPUT = 'images';
export const GRAPH_OUTPUT = 'logits';

interface GraphNode {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, AttrValue>;
}

/**
 * Freezes a model's inference pass into graph-model artifacts (save them with any tf.io handler,
 * e.g. `fileSystem(dir).save(artifacts)`): input `images` `[batch, s, s, inChannels]` (any batch),
 * output `logits` `[batch, numClasses]`. Every config can be frozen: inference always samples the
 * `discretize` grid (a `uniform` model too, whose training rotations do not exist at inference).
 */
export async function freezeModel(
  model: GroupClassifier,
  options: FreezeOptions = {},
): Promise<tf.io.ModelArtifacts> {
  const { imageSize: s, inChannels: c } = model.config;
  const normalization = options.normalization ?? null;
  if (normalization)
    checkNormalization(normalization, c, { op: 'freezeModel', source: 'options.normalization' });
  // The same ops as `LoadedModel.predict`, so the folded normalization rounds as gcnn's does.
  const forward = (x: tf.Tensor) =>
    tf.tidy(() =>
      model.apply(
        (normalization
          ? tf.div(tf.sub(x, normalization.mean), normalization.std)
          : x) as tf.Tensor4D,
      ),
    );
  const inputs = [1, 1, 2].map((batch) => tf.zeros([batch, s, s, c]));
  let one: KernelTrace;
  let two: KernelTrace;
  try {
    // dense mixings: the add-on mixing kernels (wasm: Fourier form, per-channel) have no graph ops
    [one, two] = withDenseMixings(() => {
      forward(inputs[0] as tf.Tensor).dispose(); // samples and caches the kernels
      const first = traceKernels(forward, inputs[1] as tf.Tensor);
      try {
        return [first, traceKernels(forward, inputs[2] as tf.Tensor)];
      } catch (e) {
        tf.dispose(first.owned);
        throw e;
      }
    });
  } finally {
    tf.dispose(inputs);
  }
  try {
    const batchDims = batchDependentDims(one, two);
    const { nodes, constants } = graphNodes(two, batchDims, [-1, s, s, c]);
    const { specs, data } = await encodeConstants(two, constants);
    return {
      format: 'graph-model',
      generatedBy: '@gcnn/models freezeModel',
      convertedBy: null,
      modelTopology: { node: nodes, library: {}, versions: {} },
      weightSpecs: specs,
      weightData: data.buffer as ArrayBuffer,
      signature: {
        inputs: { [GRAPH_INPUT]: tensorInfo(`${GRAPH_INPUT}:0`, [-1, s, s, c]) },
        outputs: {
          [GRAPH_OUTPUT]: tensorInfo(`${GRAPH_OUTPUT}:0`, [-1, model.config.numClasses]),
        },
      },
      userDefinedMetadata: {
        ...(options.metadata ?? {}),
        gcnn: {
          modelConfig: JSON.parse(JSON.stringify(model.config)),
          normalization: normalization
            ? { mean: [...normalization.mean], std: [...normalization.std], folded: true }
            : null,
          input: `${GRAPH_INPUT}: [batch, ${s}, ${s}, ${c}]${normalization ? ' pixels in [0, 1]' : ''}`,
          output: `${GRAPH_OUTPUT}: [batch, ${model.config.numClasses}]`,
        },
      } as NonNullable<tf.io.ModelArtifacts['userDefinedMetadata']>,
    };
  } finally {
    tf.dispose([...one.owned, ...two.owned]);
  }
}

/**
 * Compares traces at batch 1 and 2: the same kernels on the same sources with the same attributes,
 * except reshape shapes, where exactly one size may scale with the batch (it becomes -1).
 * Returns, per kernel index, that dimension.
 */
function batchDependentDims(one: KernelTrace, two: KernelTrace): Map<number, number> {
  const differ = (what: string): never => {
    throw new Error(
      `Error in freezeModel: the model's inference pass ${what} between batch sizes 1 and 2; it cannot be frozen for any batch size`,
    );
  };
  if (one.kernels.length !== two.kernels.length) differ('runs different kernels');
  if (one.constants.some((t, i) => t.shape.join() !== two.constants[i]?.shape.join()))
    differ('reads constants of different shapes');
  const dims = new Map<number, number>();
  for (const [i, k2] of two.kernels.entries()) {
    const k1 = one.kernels[i] as TracedKernel;
    if (k1.kernel !== k2.kernel || JSON.stringify(k1.inputs) !== JSON.stringify(k2.inputs))
      differ(`runs different kernels (kernel ${i}: ${k1.kernel} and ${k2.kernel})`);
    const { shape: s1, ...rest1 } = k1.attrs;
    const { shape: s2, ...rest2 } = k2.attrs;
    if (JSON.stringify(rest1) !== JSON.stringify(rest2))
      differ(`changes ${k2.kernel}'s attributes`);
    if (k2.kernel !== 'Reshape') continue;
    const d = (s2 as number[]).flatMap((v, j) => (v === (s1 as number[])[j] ? [] : [j]));
    if (d.length > 1) differ(`reshapes with ${d.length} batch-dependent sizes (kernel ${i})`);
    if (d.length === 1) dims.set(i, d[0] as number);
  }
  return dims;
}

/** The GraphDef nodes of a trace, and the int32 constants they add (shapes, perms, axes). */
function graphNodes(trace: KernelTrace, batchDims: Map<number, number>, inputShape: number[]) {
  const constants: Array<[string, number[]]> = [];
  const nodes: GraphNode[] = [
    {
      name: GRAPH_INPUT,
      op: 'Placeholder',
      input: [],
      attr: { dtype: dtypeAttr('float32'), shape: shapeAttr(inputShape) },
    },
    ...trace.constants.map((t, i) => constNode(`const_${i}`, t.dtype, t.shape)),
  ];
  const nodeName = (k: TracedKernel, i: number) => `${k.kernel}_${i}`;
  for (const [i, k] of trace.kernels.entries()) {
    const attrs = { ...k.attrs };
    const dim = batchDims.get(i);
    if (dim !== undefined)
      attrs.shape = (attrs.shape as number[]).map((v, j) => (j === dim ? -1 : v));
    const op = graphOp(k.kernel, k.dtype, attrs);
    const input = op.inputs.map((spec, j) => {
      if ('int32' in spec) {
        const name = `${nodeName(k, i)}/operand_${j}`;
        constants.push([name, spec.int32]);
        nodes.push(constNode(name, 'int32', [spec.int32.length]));
        return name;
      }
      const src = k.inputs[spec.input];
      if (!src)
        throw new Error(`Error in freezeModel: kernel ${k.kernel} has no input '${spec.input}'`);
      return src.kind === 'input'
        ? GRAPH_INPUT
        : src.kind === 'constant'
          ? `const_${src.constant}`
          : nodeName(trace.kernels[src.node] as TracedKernel, src.node);
    });
    nodes.push({ name: nodeName(k, i), op: op.op, input, attr: op.attr });
  }
  const last = trace.kernels[trace.output] as TracedKernel;
  nodes.push({
    name: GRAPH_OUTPUT,
    op: 'Identity',
    input: [nodeName(last, trace.output)],
    attr: { T: dtypeAttr(last.dtype) },
  });
  return { nodes, constants };
}

function constNode(name: string, dtype: string, shape: readonly number[]): GraphNode {
  const type = dtypeAttr(dtype) as { type: string };
  return {
    name,
    op: 'Const',
    input: [],
    attr: {
      value: {
        tensor: {
          dtype: type.type,
          tensorShape: (shapeAttr(shape) as { shape: { dim: Array<{ size: string }> } }).shape,
        },
      },
      dtype: type,
    },
  };
}

/** Every constant of the graph, encoded by the `@gcnn/weights` codec (values read with `await data()`). */
async function encodeConstants(
  trace: KernelTrace,
  operands: Array<[string, number[]]>,
): Promise<{ specs: WeightSpec[]; data: Uint8Array }> {
  const made = operands.map(([name, v]) => [name, tf.tensor1d(v, 'int32')] as const);
  try {
    return await encodeWeights(
      [...trace.constants.map((t, i) => [`const_${i}`, t] as const), ...made],
      'freezeModel',
    );
  } finally {
    tf.dispose(made.map(([, t]) => t));
  }
}

function tensorInfo(name: string, shape: number[]) {
  return { name, dtype: 'DT_FLOAT', tensorShape: (shapeAttr(shape) as { shape: object }).shape };
}
