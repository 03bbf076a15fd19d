import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  type CheckpointKind,
  type CheckpointManifest,
  decodeCheckpoint,
  type EncodedCheckpoint,
  type LoadedCheckpoint,
} from '../checkpoint';
import { validateManifest } from '../validate-manifest';
import { atomicWriteFile } from './atomic-write-file';
import { withFileError } from './file-error';

/** Sub-folder of a run directory holding the checkpoints. */
export const CHECKPOINT_DIR = 'checkpoints';

/**
 * Writes a checkpoint into `dir` as `<kind>.json` plus its weights file (named in the manifest),
 * each atomically: weights first, then the manifest (the commit point), then older weights files
 * of the same kind are removed. A kill at any moment leaves a loadable checkpoint.
 */
export function saveCheckpoint(dir: string, checkpoint: EncodedCheckpoint): string {
  const { manifest, bytes } = checkpoint;
  const kind = manifest.kind;
  const manifestPath = join(dir, `${kind}.json`);
  try {
    withFileError('create the folder', dir, () => mkdirSync(dir, { recursive: true }));
    atomicWriteFile(join(dir, manifest.weights.file), bytes);
    atomicWriteFile(manifestPath, `${JSON.stringify(manifest, null, 1)}\n`);
  } catch (error) {
    throw new Error(
      `${(error as Error).message}; the previous ${kind} checkpoint ('${manifestPath}') is unchanged`,
      { cause: error },
    );
  }
  for (const f of readdirSync(dir)) {
    if (f.startsWith(`${kind}-`) && f.endsWith('.weights.bin') && f !== manifest.weights.file) {
      rmSync(join(dir, f), { force: true });
    }
  }
  return manifestPath;
}

/**
 * Resolves `path` to a manifest file: a `.json` file as is; a folder's `<prefer>.json`, else its
 * `checkpoints/<prefer>.json`, else the other kind. Throws naming what was looked for.
 */
export function resolveCheckpointPath(path: string, prefer: CheckpointKind = 'last'): string {
  const abs = resolve(path);
  if (!existsSync(abs)) {
    throw new Error(
      `Error in checkpoint: '${path}' does not exist (expected a run folder or a checkpoint .json)`,
    );
  }
  if (statSync(abs).isFile()) return abs;
  const other = prefer === 'last' ? 'best' : 'last';
  const candidates = [
    join(abs, `${prefer}.json`),
    join(abs, CHECKPOINT_DIR, `${prefer}.json`),
    join(abs, `${other}.json`),
    join(abs, CHECKPOINT_DIR, `${other}.json`),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new Error(
      `Error in checkpoint: no checkpoint in folder '${path}' (looked for ${candidates.map((c) => `'${c}'`).join(', ')})`,
    );
  }
  return found;
}

/** The largest manifest read (its weights index lists at most 65,536 entries of ~100 bytes). */
const MAX_MANIFEST_BYTES = 64 * 2 ** 20;

/** Reads and validates a manifest (no weights); throws naming the file. */
export function readCheckpointManifest(manifestPath: string): CheckpointManifest {
  let text: string;
  try {
    const size = statSync(manifestPath).size;
    if (size > MAX_MANIFEST_BYTES)
      throw new Error(
        `it has ${size} bytes, more than the ${MAX_MANIFEST_BYTES} a manifest may have`,
      );
    text = readFileSync(manifestPath, 'utf8');
  } catch (error) {
    throw new Error(
      `Error in checkpoint: cannot read manifest '${manifestPath}': ${(error as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `Error in checkpoint: manifest '${manifestPath}' is not valid JSON (${(error as Error).message}); truncated?`,
    );
  }
  return validateManifest(json, manifestPath);
}

/**
 * Loads a checkpoint: resolves `path` (see {@link resolveCheckpointPath}), validates the manifest,
 * checks the size of the weights file it names, reads it and verifies the manifest's hash, the
 * file's SHA-256 and every entry before decoding. Any problem (missing file, truncation, flipped
 * byte, edited entry) throws naming the file; nothing is loaded.
 */
export async function loadCheckpoint(
  path: string,
  prefer: CheckpointKind = 'last',
): Promise<LoadedCheckpoint & { path: string }> {
  const manifestPath = resolveCheckpointPath(path, prefer);
  const manifest = readCheckpointManifest(manifestPath);
  const weightsPath = join(dirname(manifestPath), basename(manifest.weights.file));
  let bytes: Uint8Array;
  try {
    const size = statSync(weightsPath).size;
    if (size !== manifest.weights.byteLength)
      throw new Error(
        `it has ${size} bytes, the manifest expects ${manifest.weights.byteLength} (truncated or replaced)`,
      );
    bytes = readFileSync(weightsPath);
  } catch (error) {
    throw new Error(
      `Error in checkpoint: weights file '${weightsPath}' named by '${manifestPath}': ${(error as Error).message}`,
    );
  }
  const loaded = await decodeCheckpoint(manifest, bytes, {
    manifest: manifestPath,
    weights: weightsPath,
  });
  return { ...loaded, path: manifestPath };
}
