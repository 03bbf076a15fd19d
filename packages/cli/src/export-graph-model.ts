/**
 * @file `gcnn export --format graph-model`: the model frozen by `freezeModel` of `@gcnn/models`
 * into a tfjs graph model (`model.json` + 4 MB shards) that `loadGraphModel` of
 * `@tensorflow/tfjs-converter` runs without gcnn, checked here by loading it back with
 * tfjs-converter and comparing its logits with the model's.
 */
import { join } from 'node:path';
import {
  freezeModel,
  GRAPH_INPUT,
  GRAPH_OUTPUT,
  type GroupClassifier,
  type ModelNormalization,
} from '@gcnn/models';
import { fileSystem } from '@gcnn/models/node';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { flag } from './flag-spec';
import { writeStaged } from './write-staged';

/** What `gcnn export` can write. */
export const EXPORT_FORMATS = ['gcnn', 'graph-model'] as const;

/** `--format`: what `gcnn export` writes. */
export const EXPORT_FORMAT_FLAG = flag.choice(EXPORT_FORMATS, {
  description:
    'gcnn: model.json for loadModel of @gcnn/models; graph-model: a frozen tfjs graph model that loadGraphModel of @tensorflow/tfjs-converter runs without gcnn (normalization folded in)',
  default: 'gcnn',
});

/** Largest relative logit difference accepted between the frozen graph and the model. */
const GRAPH_TOLERANCE = 1e-5;

/**
 * Freezes `model` (normalization folded in) into `<outDir>/<name>.json` and its shards, reloads it
 * with tfjs-converter and checks the logits, all or nothing (`writeStaged`: a failure leaves no
 * file in `outDir`); returns the written JSON path.
 */
export async function writeGraphModel(
  model: GroupClassifier,
  options: {
    outDir: string;
    name: string;
    normalization: ModelNormalization;
    metadata: Record<string, unknown>;
    onNotice: (line: string) => void;
  },
): Promise<{ path: string; bytes: number; relativeError: number }> {
  const artifacts = await freezeModel(model, {
    normalization: options.normalization,
    metadata: options.metadata,
  });
  const file = `${options.name}.json`;
  const relativeError = await writeStaged(
    options.outDir,
    async (dir) => {
      await fileSystem(join(dir, file)).save?.(artifacts);
      return checkGraphModel(model, join(dir, file), options.normalization);
    },
    options.onNotice,
  );
  const bytes = (artifacts.weightData as ArrayBuffer).byteLength;
  return { path: join(options.outDir, file), bytes, relativeError };
}

/** Loads the graph model at `path` with tfjs-converter; its logits' relative difference from the model's (throws above the tolerance). */
async function checkGraphModel(
  model: GroupClassifier,
  path: string,
  normalization: ModelNormalization,
): Promise<number> {
  const graph = await loadGraphModel(fileSystem(path));
  const { imageSize: s, inChannels: c } = model.config;
  const pixels = tf.randomUniform([2, s, s, c], 0, 1, 'float32', 1) as tf.Tensor4D;
  const { mean, std } = normalization;
  const expected = tf.tidy(() => model.apply(tf.div(tf.sub(pixels, mean), std) as tf.Tensor4D));
  const got = graph.execute({ [GRAPH_INPUT]: pixels }, GRAPH_OUTPUT) as tf.Tensor;
  try {
    const [a, b] = await Promise.all([expected.data(), got.data()]);
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
      scale = Math.max(scale, Math.abs(a[i] as number));
    }
    const relativeError = diff / scale;
    if (!(relativeError <= GRAPH_TOLERANCE))
      throw new Error(
        `the frozen graph's logits differ from the model's by ${relativeError} (relative), more than ${GRAPH_TOLERANCE}`,
      );
    return relativeError;
  } finally {
    tf.dispose([pixels, expected, got]);
    graph.dispose();
  }
}
