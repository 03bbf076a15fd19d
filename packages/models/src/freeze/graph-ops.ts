/**
 * @file tfjs kernels as TensorFlow GraphDef nodes (JSON, as tfjs-converter's `model.json` holds
 * them), for the kernels gcnn's inference pass runs. Each entry names the TF op, its inputs in TF
 * order (tfjs input names, or constants made from attributes, e.g. a reshape's shape) and its TF
 * attributes; tfjs-converter maps them back to the same tfjs ops.
 */

/** A GraphDef attribute value in JSON form. */
export type AttrValue =
  | { type: string }
  | { b: boolean }
  | { f: number }
  | { s: string }
  | { i: string }
  | { list: { i: string[] } }
  | { list: { s: string[] } }
  | { shape: { dim: Array<{ size: string }> } }
  | { tensor: { dtype: string; tensorShape: { dim: Array<{ size: string }> } } };

/** A node's input: a tfjs input name, or an int32 constant made from the attributes. */
export type OpInput = { input: string } | { int32: number[] };

/** How one tfjs kernel is written. */
export interface GraphOp {
  op: string;
  inputs: OpInput[];
  attr: Record<string, AttrValue>;
}

export const dtypeAttr = (dtype: string): AttrValue => ({
  type: dtype === 'int32' ? 'DT_INT32' : dtype === 'bool' ? 'DT_BOOL' : 'DT_FLOAT',
});
const ints = (values: readonly number[]): AttrValue => ({
  list: { i: values.map((v) => String(v)) },
});
const str = (value: string): AttrValue => ({ s: btoa(value) });
export const shapeAttr = (shape: readonly number[]): AttrValue => ({
  shape: { dim: shape.map((d) => ({ size: String(d) })) },
});

const pair = (v: unknown): [number, number] =>
  Array.isArray(v) ? [v[0] as number, v[1] as number] : [v as number, v as number];

/** TF `padding` (+ `explicit_paddings`) of a tfjs `pad` attribute. */
function padding(
  kernel: string,
  pad: unknown,
  explicitAllowed: boolean,
): Record<string, AttrValue> {
  if (pad === 'same' || pad === 'valid') return { padding: str(pad.toUpperCase()) };
  const explicit =
    typeof pad === 'number'
      ? [0, 0, pad, pad, pad, pad, 0, 0]
      : Array.isArray(pad)
        ? (pad as number[][]).flat()
        : null;
  if (!explicit || !explicitAllowed)
    throw new Error(
      `Error in freezeModel: kernel '${kernel}' has padding ${JSON.stringify(pad)}, which a TF graph cannot express here`,
    );
  return { padding: str('EXPLICIT'), explicit_paddings: ints(explicit) };
}

function convAttrs(kernel: string, attrs: Record<string, unknown>, dtype: string) {
  if (attrs.dimRoundingMode != null)
    throw new Error(`Error in freezeModel: kernel '${kernel}' uses dimRoundingMode; not supported`);
  const [sh, sw] = pair(attrs.strides);
  const [dh, dw] = pair(attrs.dilations ?? 1);
  return {
    T: dtypeAttr(dtype),
    strides: ints([1, sh, sw, 1]),
    dilations: ints([1, dh, dw, 1]),
    data_format: str('NHWC'),
    ...padding(kernel, attrs.pad, true),
  };
}

const unary = (op: string) => (dtype: string) => ({
  op,
  inputs: [{ input: 'x' }],
  attr: { T: dtypeAttr(dtype) },
});
const binary = (op: string) => (dtype: string) => ({
  op,
  inputs: [{ input: 'a' }, { input: 'b' }],
  attr: { T: dtypeAttr(dtype) },
});
const reduction =
  (op: string, axisAttr: string) => (dtype: string, attrs: Record<string, unknown>) => ({
    op,
    inputs: [{ input: 'x' }, { int32: [attrs[axisAttr] as number | number[]].flat() }],
    attr: { T: dtypeAttr(dtype), keep_dims: { b: Boolean(attrs.keepDims) } },
  });

/** The kernels gcnn's inference pass runs, by tfjs kernel name. */
const GRAPH_OPS: Record<string, (dtype: string, attrs: Record<string, unknown>) => GraphOp> = {
  Identity: unary('Identity'),
  Relu: unary('Relu'),
  Sqrt: unary('Sqrt'),
  Rsqrt: unary('Rsqrt'),
  Square: unary('Square'),
  Add: binary('AddV2'),
  Sub: binary('Sub'),
  Multiply: binary('Mul'),
  RealDiv: binary('RealDiv'),
  Maximum: binary('Maximum'),
  Sum: reduction('Sum', 'axis'),
  Mean: reduction('Mean', 'axis'),
  Max: reduction('Max', 'reductionIndices'),
  Reshape: (dtype, attrs) => ({
    op: 'Reshape',
    inputs: [{ input: 'x' }, { int32: attrs.shape as number[] }],
    attr: { T: dtypeAttr(dtype) },
  }),
  Transpose: (dtype, attrs) => ({
    op: 'Transpose',
    inputs: [{ input: 'x' }, { int32: attrs.perm as number[] }],
    attr: { T: dtypeAttr(dtype) },
  }),
  Cast: (dtype) => ({ op: 'Cast', inputs: [{ input: 'x' }], attr: { DstT: dtypeAttr(dtype) } }),
  BatchMatMul: (dtype, attrs) => ({
    op: 'BatchMatMulV2',
    inputs: [{ input: 'a' }, { input: 'b' }],
    attr: {
      T: dtypeAttr(dtype),
      adj_x: { b: Boolean(attrs.transposeA) },
      adj_y: { b: Boolean(attrs.transposeB) },
    },
  }),
  Conv2D: (dtype, attrs) => ({
    op: 'Conv2D',
    inputs: [{ input: 'x' }, { input: 'filter' }],
    attr: convAttrs('Conv2D', attrs, dtype),
  }),
  DepthwiseConv2dNative: (dtype, attrs) => ({
    op: 'DepthwiseConv2dNative',
    inputs: [{ input: 'x' }, { input: 'filter' }],
    attr: convAttrs('DepthwiseConv2dNative', attrs, dtype),
  }),
  // a separable conv with its inference batch norm and ReLU folded in (tf.fused.depthwiseConv2d);
  // tfjs-converter's op of grappler's fusion, fused_ops BiasAdd [+ Relu], the bias its one argument
  FusedDepthwiseConv2D: (dtype, attrs) => {
    // without a bias, graphNodes reports the missing input
    const activation = attrs.activation ?? 'linear';
    if (activation !== 'linear' && activation !== 'relu')
      throw new Error(
        `Error in freezeModel: kernel 'FusedDepthwiseConv2D' has activation '${activation}'; only 'linear' and 'relu' are supported`,
      );
    return {
      op: 'FusedDepthwiseConv2dNative',
      inputs: [{ input: 'x' }, { input: 'filter' }, { input: 'bias' }],
      attr: {
        ...convAttrs('FusedDepthwiseConv2D', attrs, dtype),
        fused_ops: {
          list: { s: (activation === 'relu' ? ['BiasAdd', 'Relu'] : ['BiasAdd']).map(btoa) },
        },
        num_args: { i: '1' },
      },
    };
  },
  Tile: (dtype, attrs) => ({
    op: 'Tile',
    inputs: [{ input: 'x' }, { int32: attrs.reps as number[] }],
    attr: { T: dtypeAttr(dtype), Tmultiples: dtypeAttr('int32') },
  }),
  // inference batch norm (tf.batchNorm); TF's input order, offset and scale required
  FusedBatchNorm: (dtype, attrs) => ({
    op: 'FusedBatchNorm',
    inputs: ['x', 'scale', 'offset', 'mean', 'variance'].map((input) => ({ input })),
    attr: {
      T: dtypeAttr(dtype),
      epsilon: { f: attrs.varianceEpsilon as number },
      is_training: { b: false },
    },
  }),
  MaxPool: (dtype, attrs) => {
    if (attrs.dimRoundingMode != null)
      throw new Error("Error in freezeModel: kernel 'MaxPool' uses dimRoundingMode; not supported");
    const [kh, kw] = pair(attrs.filterSize);
    const [sh, sw] = pair(attrs.strides);
    return {
      op: 'MaxPool',
      inputs: [{ input: 'x' }],
      attr: {
        T: dtypeAttr(dtype),
        ksize: ints([1, kh, kw, 1]),
        strides: ints([1, sh, sw, 1]),
        data_format: str('NHWC'),
        ...padding('MaxPool', attrs.pad, false),
      },
    };
  },
};

/** The GraphDef form of one traced tfjs kernel; throws for a kernel gcnn cannot freeze yet. */
export function graphOp(kernel: string, dtype: string, attrs: Record<string, unknown>): GraphOp {
  const make = GRAPH_OPS[kernel];
  if (!make)
    throw new Error(
      `Error in freezeModel: the model runs tfjs kernel '${kernel}', which freezeModel cannot write as a graph op yet (supported: ${Object.keys(GRAPH_OPS).join(', ')})`,
    );
  return make(dtype, attrs);
}
