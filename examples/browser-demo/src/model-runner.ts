/**
 * The tfjs side of the demo: loads the exported model, rotates an input exactly with
 * `transformImages` (bilinear), and returns class probabilities, the lifting layer's feature maps
 * and the lifting kernels for every sampled group element.
 */
import { groupByName, transformImages } from '@gcnn/lie-groups';
import { type LoadedModel, type LoadModelOptions, loadModel } from '@gcnn/models';
import * as tf from '@tensorflow/tfjs-core';

export interface Prediction {
  /** Softmax of the logits, one per class. */
  probs: Float32Array;
  /** The rotated input the model saw, `[h·w]` in [0, 1]. */
  input: Float32Array;
  /** Lifting output `[h, w, G, C]` (row-major), before normalization. */
  features: Float32Array;
  featureShape: [number, number, number, number];
}

export interface Kernels {
  /** `[k, k, G, C]` (row-major): the lifting kernel of input channel 0 for each element and channel. */
  values: Float32Array;
  k: number;
  groupSize: number;
  channels: number;
}

export class ModelRunner {
  private constructor(
    private readonly loaded: LoadedModel,
    /** The sampled elements of H `[G, paramDim]` (rotation angles for SE(2)). */
    readonly elements: number[][],
  ) {}

  /**
   * Loads `model.json` and its weights from `baseUrl` through tf.io's http handler (`loadModel`
   * of @gcnn/models, which validates the file before building the model); `options` are tf.io's
   * (`onProgress`, `fetchFunc`).
   */
  static async load(baseUrl: URL, options: LoadModelOptions = {}): Promise<ModelRunner> {
    const loaded = await loadModel(new URL('model.json', baseUrl).href, options);
    const { config } = loaded.model;
    const group = groupByName({ name: config.group, maxScale: config.maxScale });
    const elements = tf.tidy(() =>
      group.subgroup.sample(config.sampleCount, { method: 'discretize' }),
    );
    const values = (await elements.array()) as number[][];
    elements.dispose();
    return new ModelRunner(loaded, values);
  }

  /** The file's metadata (dataset, test accuracy, parameters, …). */
  get metadata(): Record<string, unknown> {
    return this.loaded.metadata;
  }

  get config() {
    return this.loaded.model.config;
  }

  get groupSize(): number {
    return this.elements.length;
  }

  /**
   * Classifies `image` (`[h·w]`, pixels in [0, 1]) rotated by `angle` radians about its centre:
   * the rotation is applied to the pixels (zero fill), then the model's input normalization.
   */
  async predict(image: Float32Array, angle: number): Promise<Prediction> {
    const { model } = this.loaded;
    const { imageSize: n } = model.config;
    const subgroup = groupByName({
      name: model.config.group,
      maxScale: model.config.maxScale,
    }).subgroup;
    const h = subgroup.paramDim === 2 ? [angle, 1] : [angle];
    const [rotated, probs, features] = tf.tidy(() => {
      const x = tf.tensor4d(image, [1, n, n, 1]);
      const r = angle === 0 ? x : transformImages(x, subgroup, h, { interpolation: 'bilinear' });
      const trace = model.applyTraced(this.normalize(r as tf.Tensor4D));
      const lifting = trace.intermediates.lifting as tf.Tensor;
      const keep = [r, tf.softmax(trace.logits), lifting];
      for (const t of Object.values(trace.intermediates)) if (t !== lifting) t.dispose();
      trace.logits.dispose();
      return keep;
    }) as [tf.Tensor, tf.Tensor, tf.Tensor5D];
    const [input, p, f] = await Promise.all([rotated.data(), probs.data(), features.data()]);
    const [, fh, fw, g, c] = features.shape;
    tf.dispose([rotated, probs, features]);
    return {
      probs: p as Float32Array,
      input: input as Float32Array,
      features: f as Float32Array,
      featureShape: [fh, fw, g, c],
    };
  }

  /** The file's input normalization (applied by `LoadedModel.predict`; here before a traced pass). */
  private normalize(pixels: tf.Tensor4D): tf.Tensor4D {
    const n = this.loaded.normalization;
    return n ? (tf.div(tf.sub(pixels, n.mean), n.std) as tf.Tensor4D) : pixels;
  }

  /** The lifting kernels (input channel 0) sampled for every element of H. */
  async kernels(): Promise<Kernels> {
    const { lifting } = this.loaded.model;
    const filter = tf.tidy(() => lifting.sampleFilter(tf.tensor2d(this.elements)));
    const [k, , cin, gc] = filter.shape;
    const values = (await filter.data()) as Float32Array;
    filter.dispose();
    const G = this.groupSize;
    const C = gc / G;
    // [k, k, cin, G·C] with G major → [k, k, G, C] of input channel 0.
    const out = new Float32Array(k * k * G * C);
    for (let p = 0; p < k * k; p++)
      for (let i = 0; i < G * C; i++) out[p * G * C + i] = values[p * cin * gc + i] as number;
    return { values: out, k, groupSize: G, channels: C };
  }
}
