import type { HeapView } from './wasm-backend';

/**
 * Copies the elements `src[start + Σ_a i_a·stride[a]]`, `0 ≤ i_a < size[a]`, into `dst` in
 * row-major order of `i` (the last axis fastest). Strides may be negative (a reversed axis). The
 * last axis is the inner loop: one `set` where its stride is 1 and the run is long, element by
 * element otherwise; the others form an odometer that moves the source offset by their strides.
 * One pass, so a permutation or reversal of any rank costs about as much as a copy.
 */
export function copyStrided(
  src: HeapView,
  start: number,
  size: readonly number[],
  stride: readonly number[],
  dst: HeapView,
): void {
  if (size.some((n) => n === 0)) return;
  const outer = size.length - 1;
  const [n, step] = [size[outer]!, stride[outer]!];
  // a subarray per run costs more than a loop for short runs
  const whole = step === 1 && n >= 64;
  const index = new Array<number>(outer).fill(0);
  let [at, out] = [start, 0];
  for (;;) {
    if (whole) dst.set(src.subarray(at, at + n), out);
    else for (let i = 0, from = at; i < n; i++, from += step) dst[out + i] = src[from]!;
    out += n;
    // next index of the outer axes, last fastest
    let a = outer - 1;
    for (; a >= 0; a--) {
      at += stride[a]!;
      if (++index[a]! < size[a]!) break;
      at -= stride[a]! * size[a]!;
      index[a] = 0;
    }
    if (a < 0) return;
  }
}
