import { createDataset, type Dataset } from './dataset';
import { quoteFile } from './internal/describe-file';

/** Options of {@link parseCifar}. */
export interface ParseCifarOptions {
  /** `'cifar10'`: records of 1 label byte + 3072 pixels; `'cifar100'`: 2 label bytes (coarse, fine) + 3072. */
  variant: 'cifar10' | 'cifar100';
  /** CIFAR-100 only: which label to keep; default `'fine'` (100 classes) — `'coarse'` has 20. */
  label?: 'fine' | 'coarse';
  /** File name for error messages. */
  file?: string;
  name?: string;
}

const PLANE = 1024;

/**
 * Parses a CIFAR-10 / CIFAR-100 binary file (`data_batch_N.bin`, `test_batch.bin`, `train.bin`,
 * `test.bin`): fixed-size records of label byte(s) then 3072 bytes, the red, green and blue 32×32
 * planes, each row-major. The planes are interleaved to HWC.
 *
 * @returns a {@link Dataset} `[n, 32, 32, 3]` uint8
 * @throws naming the file and offset, when the length is not a whole number of records or a label is
 *   out of range
 */
export function parseCifar(bytes: Uint8Array, options: ParseCifarOptions): Dataset {
  const file = quoteFile(options.file ?? '<bytes>');
  const labelBytes = options.variant === 'cifar10' ? 1 : 2;
  const recordSize = labelBytes + 3 * PLANE;
  const labelIndex = options.variant === 'cifar100' && options.label !== 'coarse' ? 1 : 0;
  const numClasses = options.variant === 'cifar10' ? 10 : options.label === 'coarse' ? 20 : 100;
  if (bytes.length === 0 || bytes.length % recordSize !== 0) {
    throw new Error(
      `Error in parseCifar: file ${file} has ${bytes.length} bytes, expected a positive multiple of the ${options.variant} record size ${recordSize} (${labelBytes} label byte(s) + 3072 pixels); the last record starting at offset ${Math.floor(bytes.length / recordSize) * recordSize} is incomplete`,
    );
  }
  const n = bytes.length / recordSize;
  const images = new Uint8Array(n * 3 * PLANE);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = i * recordSize;
    for (let b = 0; b < labelBytes; b++) {
      const l = bytes[r + b] as number;
      const max = options.variant === 'cifar10' ? 10 : b === 0 ? 20 : 100;
      if (l >= max) {
        throw new Error(
          `Error in parseCifar: file ${file} has label ${l} at offset ${r + b} (record ${i}), expected a value in [0, ${max})`,
        );
      }
    }
    labels[i] = bytes[r + labelIndex] as number;
    const p = r + labelBytes;
    const o = i * 3 * PLANE;
    for (let k = 0; k < PLANE; k++) {
      images[o + 3 * k] = bytes[p + k] as number;
      images[o + 3 * k + 1] = bytes[p + PLANE + k] as number;
      images[o + 3 * k + 2] = bytes[p + 2 * PLANE + k] as number;
    }
  }
  return createDataset({
    name: options.name ?? options.variant,
    images,
    labels,
    height: 32,
    width: 32,
    channels: 3,
    numClasses,
  });
}
