import { createRng, type Rng } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Shape of a SIREN kernel net (Sitzmann et al. 2020) followed by a linear layer, the reference's
 * `CKNetLinear` (§3.1–3.2):
 *
 *   h₀ = sin(ω₀′·(x W₀ + b₀)),  h_l = sin(ω₀·(h_{l−1} W_l + b_l)) for l = 1…numHidden,
 *   y = h W_f + b_f.
 */
export interface SirenConfig {
  /** Coordinate dimension d (2 for spatial kernels, dim H for subgroup kernels, 2 + dim H for full ones). */
  inputDim: number;
  /** Width h of every sine layer. */
  hiddenSize: number;
  /** Number of hidden sine layers after the first (the reference's `ck_net_num_hidden`). */
  numHidden: number;
  /** Output values per coordinate, P = outChannels·inChannels, read as `[out, in]` (index o·in + i). */
  outputDim: number;
  /** ω₀′ of the first sine layer. */
  firstOmega0: number;
  /** ω₀ of the hidden sine layers. */
  omega0: number;
}

/** A dense layer `y = x W + b` with `weight` `[in, out]` and `bias` `[out]`. */
export interface LinearWeights {
  weight: tf.Tensor2D;
  bias: tf.Tensor1D;
}

/** Weights of a SIREN: `numHidden + 1` sine layers and the final linear layer. */
export interface SirenWeights {
  sine: LinearWeights[];
  final: LinearWeights;
}

export interface InitSirenOptions {
  /** Seed or generator of the uniform draws (default seed 0); the same seed gives the same weights on every backend. */
  rng?: Rng | number;
  /**
   * fan-in of the final layer's init, `a = √(6/h)/√fanIn`; the reference uses
   * `inChannels·ks²` with ks the kernel size given to that kernel net (§3.2, §9.10). Default: `outputDim`.
   */
  finalFanIn?: number;
}

function checkConfig(config: SirenConfig) {
  for (const key of ['inputDim', 'hiddenSize', 'outputDim'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 1) {
      throw new Error(
        `Error in siren: config.${key} must be a positive integer, got ${config[key]}`,
      );
    }
  }
  if (!Number.isInteger(config.numHidden) || config.numHidden < 0) {
    throw new Error(
      `Error in siren: config.numHidden must be an integer ≥ 0, got ${config.numHidden}`,
    );
  }
  for (const key of ['firstOmega0', 'omega0'] as const) {
    if (!Number.isFinite(config[key]) || config[key] <= 0) {
      throw new Error(
        `Error in siren: config.${key} must be a positive number, got ${config[key]}`,
      );
    }
  }
}

/**
 * Draws SIREN weights with the reference's initialisation (§3.1–3.2): first layer
 * W ~ U(±1/d), b ~ U(±1/√d) (PyTorch's Linear default); hidden W ~ U(±√(6/h)/ω₀), b = 0;
 * final W ~ U(±√(6/h)/√fanIn), b = 0. Draws come from a seeded generator in JS, so the weights
 * are identical on every backend.
 */
export function initSiren(config: SirenConfig, options: InitSirenOptions = {}): SirenWeights {
  checkConfig(config);
  const rng = typeof options.rng === 'object' ? options.rng : createRng(options.rng ?? 0);
  const uniform = (shape: [number] | [number, number], bound: number) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = (2 * rng.next() - 1) * bound;
    return values;
  };
  const { inputDim: d, hiddenSize: h, outputDim: p, numHidden, omega0 } = config;
  const sine: LinearWeights[] = [
    {
      weight: tf.tensor2d(uniform([d, h], 1 / d), [d, h]),
      bias: tf.tensor1d(uniform([h], 1 / Math.sqrt(d))),
    },
  ];
  for (let l = 0; l < numHidden; l++) {
    sine.push({
      weight: tf.tensor2d(uniform([h, h], Math.sqrt(6 / h) / omega0), [h, h]),
      bias: tf.zeros([h]),
    });
  }
  const fanIn = options.finalFanIn ?? p;
  const final = {
    weight: tf.tensor2d(uniform([h, p], Math.sqrt(6 / h) / Math.sqrt(fanIn)), [h, p]),
    bias: tf.zeros([p]) as tf.Tensor1D,
  };
  return { sine, final };
}

export interface SirenOptions {
  /**
   * A constant the outputs are multiplied by, broadcast against `[n, outputDim]` (e.g. a mask
   * per coordinate `[n, 1]`): `siren(…)·outputScale`, inside the same gradient node.
   */
  outputScale?: tf.Tensor;
}

/**
 * Evaluates the kernel net at coordinates `[n, inputDim]`, giving `[n, outputDim]`.
 *
 * Differentiable with respect to the weights (the coordinates are constants: lattice points and
 * sampled group elements, never trained). The gradient is one custom-gradient node with the
 * backward pass written out (`dz_l = dh_l·cos(z_l)·ω_l`, `dW_l = h_{l−1}ᵀ·dz_l`, `db_l = Σ dz_l`,
 * `dh_{l−1} = dz_l·W_lᵀ`): autodiff of the layers records every op with its saved inputs. Same
 * values as autodiff up to float32 round-off.
 */
export function siren(
  coords: tf.Tensor2D,
  weights: SirenWeights,
  config: SirenConfig,
  options: SirenOptions = {},
): tf.Tensor2D {
  if (coords.rank !== 2 || coords.shape[1] !== config.inputDim) {
    throw new Error(
      `Error in siren: coords must be [n, ${config.inputDim}], got shape [${coords.shape}]`,
    );
  }
  if (weights.sine.length !== config.numHidden + 1) {
    throw new Error(
      `Error in siren: expected ${config.numHidden + 1} sine layers for numHidden = ${config.numHidden}, got ${weights.sine.length}`,
    );
  }
  const layers = weights.sine.length;
  const omega = (l: number) => (l === 0 ? config.firstOmega0 : config.omega0);
  const scale = options.outputScale;
  // Inputs of the node: [W₀, b₀, …, W_f, b_f] (the coordinates are constants: no gradient).
  const forward = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const w = args.slice(0, -1) as tf.Tensor2D[];
    const hs: tf.Tensor2D[] = [coords];
    const zs: tf.Tensor2D[] = [];
    for (let l = 0; l < layers; l++) {
      const z = tf.mul(tf.add(tf.matMul(hs[l]!, w[2 * l]!), w[2 * l + 1]!), omega(l));
      zs.push(z as tf.Tensor2D);
      hs.push(tf.sin(z) as tf.Tensor2D);
    }
    const y = tf.add(tf.matMul(hs[layers]!, w[2 * layers]!), w[2 * layers + 1]!) as tf.Tensor2D;
    // The coordinates and the scale are saved too, not only captured: a backward pass that frees
    // what it no longer needs (@gcnn/group-conv's gradient segments) may have freed the originals.
    save([...hs, ...zs, ...(scale ? [scale] : [])]);
    return {
      value: scale ? tf.mul(y, scale) : y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [savedCoords, ...rest] = saved as tf.Tensor2D[];
          const activations = rest.slice(0, 2 * layers);
          const dz = (scale ? tf.mul(dy, rest[2 * layers]!) : dy) as tf.Tensor2D;
          return sirenBackward(dz, savedCoords!, activations, w, omega);
        }),
    };
  });
  const flat = [
    ...weights.sine.flatMap((layer) => [layer.weight, layer.bias]),
    weights.final.weight,
    weights.final.bias,
  ];
  return forward(...flat) as tf.Tensor2D;
}

/**
 * The weights' gradients `[dW₀, db₀, …, dW_f, db_f]` of {@link siren} for output gradient `dy`,
 * from the saved activations `[h₁ … h_L, z₁ … z_L]` (`h_l = sin(z_l)`) and the weights `w`.
 */
function sirenBackward(
  dy: tf.Tensor2D,
  coords: tf.Tensor2D,
  saved: tf.Tensor2D[],
  w: tf.Tensor2D[],
  omega: (l: number) => number,
): tf.Tensor[] {
  const layers = saved.length / 2;
  const hs = [coords, ...saved.slice(0, layers)];
  const zs = saved.slice(layers);
  const grads: tf.Tensor[] = new Array(2 * layers + 2);
  grads[2 * layers] = tf.matMul(hs[layers]!, dy, true, false);
  grads[2 * layers + 1] = tf.sum(dy, 0);
  let dh = tf.matMul(dy, w[2 * layers]!, false, true);
  for (let l = layers - 1; l >= 0; l--) {
    const dz = tf.mul(tf.mul(dh, tf.cos(zs[l]!)), omega(l)) as tf.Tensor2D;
    grads[2 * l] = tf.matMul(hs[l]!, dz, true, false);
    grads[2 * l + 1] = tf.sum(dz, 0);
    if (l > 0) dh = tf.matMul(dz, w[2 * l]!, false, true);
  }
  return grads;
}

/** Number of trainable values: (d+1)·h + L·(h+1)·h + (h+1)·P. */
export function sirenParameterCount(config: SirenConfig): number {
  const { inputDim: d, hiddenSize: h, numHidden: l, outputDim: p } = config;
  return (d + 1) * h + l * (h + 1) * h + (h + 1) * p;
}

/** The weights as a flat list of named tensors (`sine.0.weight`, …, `final.bias`). */
export function sirenWeightList(weights: SirenWeights): Array<{ name: string; tensor: tf.Tensor }> {
  return [
    ...weights.sine.flatMap((layer, l) => [
      { name: `sine.${l}.weight`, tensor: layer.weight },
      { name: `sine.${l}.bias`, tensor: layer.bias },
    ]),
    { name: 'final.weight', tensor: weights.final.weight },
    { name: 'final.bias', tensor: weights.final.bias },
  ];
}

/** Disposes every tensor of the weights. */
export function disposeSiren(weights: SirenWeights): void {
  for (const { tensor } of sirenWeightList(weights)) tensor.dispose();
}
