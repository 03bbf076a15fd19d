import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Classifier, loadModelFromBuffers, type ModelFileJson } from '@gcnn/models';
import { withFileError } from '@gcnn/training/node';
import * as tf from '@tensorflow/tfjs-core';
import { writeStaged } from './write-staged';

/**
 * Writes an encoded model file (`encodeModelFile` of `@gcnn/models`) as `<outDir>/<name>.json`
 * and its weights file, then reads both back through the browser loader (`loadModelFromBuffers`)
 * and checks that they give exactly the logits of `model` on a random batch; throws otherwise.
 * All or nothing (`writeStaged`): a failure leaves no file in `outDir`. Returns the two paths.
 * Used by `gcnn export` and `gcnn import-torch`.
 */
export async function writeModelFile(
  model: Pick<Classifier, 'apply' | 'config'>,
  file: { json: ModelFileJson; bytes: Uint8Array },
  outDir: string,
  name: string,
  onNotice: (line: string) => void,
): Promise<{ jsonPath: string; binPath: string }> {
  const jsonName = `${name}.json`;
  const binName = file.json.weightsManifest[0]?.paths[0] ?? `${name}.weights.bin`;
  await writeStaged(
    outDir,
    async (dir) => {
      const binPath = join(dir, binName);
      const jsonPath = join(dir, jsonName);
      withFileError('write', binPath, () => writeFileSync(binPath, file.bytes));
      const text = `${JSON.stringify(file.json, null, 1)}\n`;
      withFileError('write', jsonPath, () => writeFileSync(jsonPath, text));
      await checkReadBack(model, jsonPath, binPath);
    },
    onNotice,
  );
  return { jsonPath: join(outDir, jsonName), binPath: join(outDir, binName) };
}

/** Reads a written model file back through the browser loader; throws unless its logits are the model's. */
async function checkReadBack(
  model: Pick<Classifier, 'apply' | 'config'>,
  jsonPath: string,
  binPath: string,
): Promise<void> {
  const reloaded = await loadModelFromBuffers(
    readFileSync(jsonPath, 'utf8'),
    readFileSync(binPath),
    jsonPath,
  );
  const { imageSize, inChannels } = model.config;
  const x = tf.randomUniform([2, imageSize, imageSize, inChannels], -1, 1, 'float32', 1);
  const [a, b] = [model.apply(x as tf.Tensor4D), reloaded.model.apply(x as tf.Tensor4D)];
  let diff: number;
  try {
    diff = await maxAbsDifference(a, b);
  } finally {
    tf.dispose([x, a, b]);
    reloaded.model.dispose();
  }
  if (diff !== 0)
    throw new Error(`the written model file's logits differ from the model's by ${diff}`);
}

/**
 * The largest |a − b| over all entries, read asynchronously (`await data()`), so it works on every
 * backend, webgpu in Node included, where a synchronous read of a GPU tensor is impossible. Leaves
 * `a` and `b` to the caller; disposes what it creates.
 */
export async function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const max = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  try {
    return (await max.data())[0] as number;
  } finally {
    max.dispose();
  }
}
