import { createDataset, type Dataset } from './dataset';
import { quoteFile } from './internal/describe-file';

/** Options of {@link parseAmat}. */
export interface ParseAmatOptions {
  /** File name for error messages and the dataset name. */
  file?: string;
  /** Dataset name; default `'mnist-rot'`. */
  name?: string;
  /**
   * `'uint8'` (default): pixels stored as `round(v·255)`, the exact inverse of the files' `/255`
   * (the reference's `round(v·256)` wraps 1.0 to 0; we do not reproduce that). `'float32'`: the
   * file's floats as they are.
   */
  format?: 'uint8' | 'float32';
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const PIXELS = 784;

/**
 * Parses a Larochelle et al. (2007) `.amat` file (MNIST-rot, `mnist_all_rotation_normalized_float_*`):
 * one image per line, 784 whitespace-separated floats in `[0, 1]` (row-major 28×28) then the label.
 * Works line by line on the bytes, so files larger than V8's string limit parse.
 *
 * @returns a {@link Dataset} `[n, 28, 28, 1]`, 10 classes
 * @throws naming the file, line and field, on a non-numeric field, a wrong field count, a pixel
 *   outside `[0, 1]` or a label that is not an integer in `[0, 10)`
 */
export function parseAmat(bytes: Uint8Array, options: ParseAmatOptions = {}): Dataset {
  const file = quoteFile(options.file ?? '<bytes>');
  const asFloat = options.format === 'float32';
  const decoder = new TextDecoder('latin1');
  // Count lines first so the output is allocated once.
  let lines = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) lines++;
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 10) lines++;
  const images = asFloat ? new Float32Array(lines * PIXELS) : new Uint8Array(lines * PIXELS);
  const labels = new Uint8Array(lines);
  let n = 0;
  let start = 0;
  let lineNo = 0;
  let blankAt = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    lineNo++;
    const text = decoder.decode(bytes.subarray(start, end)).trim();
    start = end + 1;
    if (text === '') {
      if (blankAt === 0) blankAt = lineNo;
      continue;
    }
    if (blankAt !== 0) {
      throw new Error(
        `Error in parseAmat: file ${file} line ${blankAt} is empty, expected 785 numbers (784 pixels and a label)`,
      );
    }
    const fields = text.split(/\s+/);
    if (fields.length !== PIXELS + 1) {
      throw new Error(
        `Error in parseAmat: file ${file} line ${lineNo} has ${fields.length} fields, expected 785 (784 pixels and a label)`,
      );
    }
    const base = n * PIXELS;
    for (let j = 0; j <= PIXELS; j++) {
      const tok = fields[j] as string;
      const v = Number(tok);
      if (!NUMBER.test(tok) || !Number.isFinite(v)) {
        throw new Error(
          `Error in parseAmat: file ${file} line ${lineNo} field ${j + 1} is '${tok.slice(0, 40)}', expected a number`,
        );
      }
      if (j < PIXELS) {
        if (v < 0 || v > 1) {
          throw new Error(
            `Error in parseAmat: file ${file} line ${lineNo} field ${j + 1} is ${tok}, expected a pixel value in [0, 1]`,
          );
        }
        images[base + j] = asFloat ? v : Math.round(v * 255);
      } else {
        if (!Number.isInteger(v) || v < 0 || v > 9) {
          throw new Error(
            `Error in parseAmat: file ${file} line ${lineNo} field 785 (label) is ${tok}, expected an integer in [0, 10)`,
          );
        }
        labels[n] = v;
      }
    }
    n++;
  }
  if (n === 0)
    throw new Error(
      `Error in parseAmat: file ${file} has no data lines, expected lines of 785 numbers`,
    );
  return createDataset({
    name: options.name ?? 'mnist-rot',
    images: images.subarray(0, n * PIXELS),
    labels: labels.subarray(0, n),
    height: 28,
    width: 28,
    channels: 1,
    numClasses: 10,
  });
}
