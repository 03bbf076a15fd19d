/** Pixel storage of a {@link Dataset}: raw bytes (0–255) or floats (already in `[0, 1]`). */
export type ImageArray = Uint8Array | Float32Array;

/** Label storage of a {@link Dataset}: one class index in `[0, numClasses)` per image. */
export type LabelArray = Int32Array | Uint8Array;

/**
 * An in-memory image classification set.
 *
 * - `images`: `[count, height, width, channels]` flattened row-major (HWC per image). A `Uint8Array`
 *   holds raw 0–255 values, a `Float32Array` holds values already scaled to `[0, 1]`; batching maps
 *   both to `[0, 1]` before normalization.
 * - `labels`: `[count]`, each in `[0, numClasses)`.
 */
export interface Dataset {
  /** Short name, e.g. `'mnist-train'`; used in error messages. */
  readonly name: string;
  readonly images: ImageArray;
  readonly labels: LabelArray;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
}

/**
 * Builds a {@link Dataset} and checks its invariants: `images.length = count·height·width·channels`,
 * `labels.length = count` and every label in `[0, numClasses)`.
 */
export function createDataset(fields: Omit<Dataset, 'count'> & { count?: number }): Dataset {
  const { name, images, labels, height, width, channels, numClasses } = fields;
  const count = fields.count ?? labels.length;
  const where = `Error in createDataset: dataset '${name}'`;
  for (const [key, v] of Object.entries({ height, width, channels, numClasses, count })) {
    if (!Number.isInteger(v) || v < 0)
      throw new Error(`${where} has ${key} = ${v}, expected a non-negative integer`);
  }
  if (labels.length !== count) {
    throw new Error(`${where} has ${labels.length} labels, expected count = ${count}`);
  }
  const perImage = height * width * channels;
  if (images.length !== count * perImage) {
    throw new Error(
      `${where} has ${images.length} image values, expected count·height·width·channels = ${count}·${height}·${width}·${channels} = ${count * perImage}`,
    );
  }
  for (let i = 0; i < count; i++) {
    const l = labels[i] as number;
    if (l < 0 || l >= numClasses) {
      throw new Error(
        `${where} has label ${l} at index ${i}, expected a value in [0, ${numClasses})`,
      );
    }
  }
  return { name, images, labels, count, height, width, channels, numClasses };
}
