import { readFileSync, statSync } from 'node:fs';

/** Reads a whole file; a missing path or a directory throws an error naming `caller` and the path. */
export function readBytes(path: string, caller: string, what: string): Uint8Array {
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new Error(`Error in ${caller}: file '${path}' does not exist, expected ${what}`);
  }
  if (!isFile)
    throw new Error(`Error in ${caller}: '${path}' is not a regular file, expected ${what}`);
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
