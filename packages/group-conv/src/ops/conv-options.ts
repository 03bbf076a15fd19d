import type { Padding } from '../layout';

export interface ConvOptions {
  /** Spatial stride (default 1). */
  stride?: number;
  /** Spatial padding (default `'same'`); a number pads that many zero pixels on each side. */
  padding?: Padding;
}

export function checkStride(op: string, stride: number | undefined): number {
  const s = stride ?? 1;
  if (!Number.isInteger(s) || s < 1)
    throw new Error(`Error in ${op}: stride must be a positive integer, got ${stride}`);
  return s;
}
