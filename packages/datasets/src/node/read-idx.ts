import { type IdxArray, parseIdx } from '../parse-idx';
import { readBytes } from './internal/read-bytes';

/**
 * Reads an IDX file (optionally gzipped) from disk; see {@link parseIdx}.
 * @param expectedRank 3 for images `[n, h, w]`, 1 for labels `[n]`
 */
export function readIdx(path: string, expectedRank?: number): IdxArray {
  return parseIdx(readBytes(path, 'readIdx', 'an IDX file'), { file: path, expectedRank });
}
