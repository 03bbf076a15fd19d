import { gunzipSync } from 'fflate';
import { quoteFile } from './internal/describe-file';

/**
 * Returns `bytes` unchanged, or gunzipped when they start with the gzip magic `1f 8b` (pure JS via
 * fflate, so it also runs in the browser). A corrupt or truncated gzip stream throws an error that
 * names `file`.
 */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new Error(
      `Error in maybeGunzip: file ${quoteFile(file)} starts with the gzip magic 1f 8b at offset 0 but is not a valid gzip stream (${(e as Error).message})`,
    );
  }
}
