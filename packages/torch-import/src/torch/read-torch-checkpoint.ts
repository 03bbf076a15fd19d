import { type CheckpointLocation, TorchCheckpointError } from '../errors';
import { DEFAULT_TORCH_READ_LIMITS, type TorchReadLimits } from '../limits';
import type { PyValue } from '../pickle/py-value';
import { unpickle } from '../pickle/unpickle';
import { readZip, type ZipArchive } from '../zip/read-zip';
import { type TorchStorageSource, torchPickleHooks } from './torch-globals';
import { TORCH_ITEM_SIZE, type TorchDtype, TorchStorage } from './torch-tensor';

/** A checkpoint as `torch.load` would return it, but built without executing anything. */
export interface TorchCheckpoint {
  /**
   * The saved object: for `torch.save(model)` a {@link PyObject} of the model's class whose
   * `__dict__` holds `_parameters`, `_buffers`, `_modules` and its attributes; for
   * `torch.save(model.state_dict())` a {@link PyDict} of names to {@link TorchTensor}s.
   */
  root: PyValue;
  /** The archive's top folder (`torch.save` names it after the file). */
  archiveName: string;
  /** The number in `<archive>/version` (3 for PyTorch 1.13), when present. */
  formatVersion: number | undefined;
}

/** Options of {@link readTorchCheckpoint}. */
export interface ReadTorchCheckpointOptions {
  /** The file's name in error messages. Default `checkpoint.pt`. */
  source?: string;
  /** Bounds on sizes, memo and nesting (defaults: {@link DEFAULT_TORCH_READ_LIMITS}). */
  limits?: Partial<TorchReadLimits>;
}

const OP = 'readTorchCheckpoint';
/** What the legacy (before PyTorch 1.6) format starts with: protocol 2, then LONG1 of its magic number. */
const LEGACY_MAGIC = [
  0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19,
];

function archiveOf(zip: ZipArchive, where: CheckpointLocation): string {
  const names = [...zip.entries.keys()];
  const pickles = names.filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length === 1) return (pickles[0] as string).slice(0, -'/data.pkl'.length);
  if (names.some((n) => /(^|\/)(constants\.pkl|code\/)/.test(n)))
    throw new TorchCheckpointError(
      OP,
      where,
      'is a TorchScript archive (torch.jit.save); save the model with torch.save(model, path) or torch.save(model.state_dict(), path)',
    );
  throw new TorchCheckpointError(
    OP,
    where,
    pickles.length === 0
      ? 'is a zip archive without <archive>/data.pkl: not a PyTorch checkpoint'
      : `has ${pickles.length} <archive>/data.pkl entries, expected one`,
  );
}

function storageSource(zip: ZipArchive, archive: string, maxBytes: number): TorchStorageSource {
  const read = new Map<string, TorchStorage>();
  return {
    budget: maxBytes,
    storage(key, dtype: TorchDtype, numel, fail) {
      const cached = read.get(key);
      if (cached) {
        if (cached.dtype !== dtype || cached.numel !== numel)
          fail(
            `names storage '${key}' as ${numel} ${dtype} elements, before as ${cached.numel} ${cached.dtype}`,
          );
        return cached;
      }
      const entry = `${archive}/data/${key}`;
      const size = zip.entries.get(entry)?.size;
      if (size === undefined)
        fail(`names storage '${key}', but the archive has no entry '${entry}'`);
      if (size !== numel * TORCH_ITEM_SIZE[dtype])
        fail(
          `names storage '${key}' of ${numel} ${dtype} elements (${numel * TORCH_ITEM_SIZE[dtype]} bytes), but '${entry}' holds ${size} bytes`,
        );
      const storage = new TorchStorage(key, dtype, numel, zip.read(entry));
      read.set(key, storage);
      return storage;
    },
  };
}

/**
 * Reads a PyTorch checkpoint (the bytes of a `.pt` file written by `torch.save`, PyTorch ≥ 1.6 zip
 * format) without executing anything: opens the zip, interprets `<archive>/data.pkl` with an
 * allow-list of globals (torch's tensor rebuilders and storages, `OrderedDict`, `set`,
 * `torch.Size`, and classes under `torch.nn.modules.` and `ck_g_cnn.` as inert records), and
 * copies every tensor out of its storage `<archive>/data/<key>`. Browser-safe (bytes in, no file
 * system). Every malformed, truncated, oversized or hostile input throws a
 * {@link TorchCheckpointError} naming the file, entry and offset; the legacy pre-1.6 format and
 * TorchScript archives are refused with what to do instead.
 */
export function readTorchCheckpoint(
  bytes: Uint8Array | ArrayBuffer,
  options: ReadTorchCheckpointOptions = {},
): TorchCheckpoint {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const limits = { ...DEFAULT_TORCH_READ_LIMITS, ...options.limits };
  const where = { source: options.source ?? 'checkpoint.pt' };
  if (LEGACY_MAGIC.every((b, i) => data[i] === b))
    throw new TorchCheckpointError(
      OP,
      where,
      'is in the legacy format of PyTorch before 1.6, which is not read; load it and save it again with torch ≥ 1.6 (torch.save(torch.load(path), path))',
    );
  if (data[0] !== 0x50 || data[1] !== 0x4b)
    throw new TorchCheckpointError(
      OP,
      { ...where, offset: 0 },
      'does not start with a zip signature (PK): not a PyTorch checkpoint, or not one saved by torch.save',
    );
  const zip = readZip(data, where, limits.maxBytes);
  const archiveName = archiveOf(zip, where);
  const text = (name: string) => {
    const e = zip.entries.get(`${archiveName}/${name}`);
    return e && e.size <= 64 ? new TextDecoder().decode(zip.read(e.name)).trim() : undefined;
  };
  const byteorder = text('byteorder');
  if (byteorder !== undefined && byteorder !== 'little')
    throw new TorchCheckpointError(
      OP,
      { ...where, entry: `${archiveName}/byteorder` },
      `holds byte order '${byteorder}'; only little-endian checkpoints are read`,
    );
  const version = text('version');
  const pickleEntry = `${archiveName}/data.pkl`;
  const pickleSize = zip.entries.get(pickleEntry)?.size ?? 0;
  if (pickleSize > limits.maxPickleBytes)
    throw new TorchCheckpointError(
      OP,
      { ...where, entry: pickleEntry },
      `is ${pickleSize} bytes, beyond the maxPickleBytes limit (${limits.maxPickleBytes})`,
    );
  const hooks = torchPickleHooks(storageSource(zip, archiveName, limits.maxBytes));
  const root = unpickle(zip.read(pickleEntry), { ...where, entry: pickleEntry }, hooks, limits);
  return {
    root,
    archiveName,
    formatVersion: version !== undefined && /^\d+$/.test(version) ? Number(version) : undefined,
  };
}
