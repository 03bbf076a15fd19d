import { createDataset, type Dataset } from '../dataset';
import { splitDataset } from '../split-dataset';
import { isModuleNotFound } from './internal/optional-peer';
import { readBytes } from './internal/read-bytes';

type H5wasm = typeof import('h5wasm');
type H5File = import('h5wasm').File;
type H5Dataset = import('h5wasm').Dataset;

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function hasHdf5Signature(bytes: Uint8Array): boolean {
  // The superblock sits at offset 0 or after a user block of 512·2^k bytes.
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

/**
 * Galaxy10 (SDSS; Leung & Bovy) from `Galaxy10.h5`: `images` uint8 `[21785, 69, 69, 3]` and `ans`
 * labels `[21785]` in `[0, 10)`, read with h5wasm (HDF5 compiled to WebAssembly). As the reference,
 * `train` is the first ⌊0.8·N⌋ = 17,428 images and `test` the last 4,357, in file order, unshuffled.
 * @returns `all`, `train`, `test` uint8 {@link Dataset}s `[n, 69, 69, 3]`
 */
export async function loadGalaxy10(options: {
  file: string;
}): Promise<{ all: Dataset; train: Dataset; test: Dataset }> {
  const { file } = options;
  assertHdf5(readBytes(file, 'loadGalaxy10', 'Galaxy10.h5'), file);
  const h5wasm = await importH5wasm();
  const h5 = new h5wasm.File(file, 'r');
  if (h5.file_id < 0n)
    throw new Error(`Error in loadGalaxy10: h5wasm could not open '${file}' as HDF5`);
  try {
    const { images, labels, height, width } = readGalaxy10Arrays(h5, file);
    const all = createDataset({
      name: 'galaxy10',
      images,
      labels,
      height,
      width,
      channels: 3,
      numClasses: 10,
    });
    const nTrain = Math.floor(0.8 * all.count);
    const [train, test] = splitDataset(all, [nTrain, all.count - nTrain], ['train', 'test']) as [
      Dataset,
      Dataset,
    ];
    return { all, train, test };
  } finally {
    h5.close();
  }
}

function assertHdf5(bytes: Uint8Array, file: string): void {
  if (!hasHdf5Signature(bytes)) {
    throw new Error(
      `Error in loadGalaxy10: file '${file}' has no HDF5 signature 89 48 44 46 0d 0a 1a 0a at offset 0 (or 512·2^k), expected an HDF5 file`,
    );
  }
}

/** h5wasm's Node entry, ready to open files. */
async function importH5wasm(): Promise<H5wasm> {
  try {
    const h5wasm = await import('h5wasm/node');
    await h5wasm.ready;
    return h5wasm;
  } catch (e) {
    // h5wasm (15 MB) is an optional peer dependency: only apps that read Galaxy10 install it.
    if (isModuleNotFound(e))
      throw new Error(
        'Error in loadGalaxy10: Galaxy10.h5 is read with the npm package h5wasm (HDF5 compiled to WebAssembly), which is not installed: `npm install h5wasm@^0.10.3` (an optional peer dependency of @gcnn/datasets)',
      );
    throw new Error(
      `Error in loadGalaxy10: the h5wasm package (HDF5 reader) could not be loaded in this runtime: ${(e as Error).message}`,
    );
  }
}

/** The `images` and `ans` datasets of an open file, checked: uint8 `[n, h, w, 3]` and `n` labels. */
function readGalaxy10Arrays(
  h5: H5File,
  file: string,
): { images: Uint8Array; labels: Uint8Array; height: number; width: number } {
  const keys = h5.keys();
  for (const k of ['images', 'ans']) {
    if (!keys.includes(k))
      throw new Error(
        `Error in loadGalaxy10: file '${file}' has datasets [${keys.join(', ')}], expected 'images' and 'ans'`,
      );
  }
  const imagesDs = h5.get('images') as H5Dataset;
  const shape = imagesDs.shape ?? [];
  const images = imagesDs.value;
  if (!(images instanceof Uint8Array) || shape.length !== 4 || shape[3] !== 3) {
    throw new Error(
      `Error in loadGalaxy10: file '${file}' dataset 'images' is ${imagesDs.dtype} [${shape.join(', ')}], expected uint8 [n, height, width, 3]`,
    );
  }
  const labels = readLabels(h5.get('ans') as H5Dataset, shape[0] as number, file);
  return { images, labels, height: shape[1] as number, width: shape[2] as number };
}

/** `ans`: one integer label in `[0, 10)` per image, as uint8 `[n]`. */
function readLabels(ansDs: H5Dataset, n: number, file: string): Uint8Array {
  const ans = ansDs.value;
  if (
    !ArrayBuffer.isView(ans) ||
    (ansDs.shape ?? []).length !== 1 ||
    (ansDs.shape?.[0] ?? -1) !== n
  ) {
    throw new Error(
      `Error in loadGalaxy10: file '${file}' dataset 'ans' has shape [${(ansDs.shape ?? []).join(', ')}], expected [${n}] (one label per image)`,
    );
  }
  const labels = new Uint8Array(n);
  const ansValues = ans as unknown as ArrayLike<number | bigint>;
  for (let i = 0; i < n; i++) {
    const l = Number(ansValues[i]);
    if (!Number.isInteger(l) || l < 0 || l >= 10) {
      throw new Error(
        `Error in loadGalaxy10: file '${file}' dataset 'ans' has ${l} at index ${i}, expected an integer in [0, 10)`,
      );
    }
    labels[i] = l;
  }
  return labels;
}
