/** float32 2π and π, as the reference computes them (2π = 6.2831855). */
export const TWO_PI_F32 = Math.fround(2 * Math.PI);
export const PI_F32 = Math.fround(Math.PI);

/**
 * `torch.linspace(start, end, n)` in float32, reproduced operation by operation so that sampled
 * grids equal the reference's bit for bit (e.g. θ₂ = 3.1415925 for 4 rotations, not π).
 */
export function linspaceF32(start: number, end: number, n: number): Float32Array {
  const out = new Float32Array(n);
  if (n === 1) {
    out[0] = start;
    return out;
  }
  const s = Math.fround(start);
  const e = Math.fround(end);
  const step = Math.fround(Math.fround(e - s) / (n - 1));
  const half = Math.floor(n / 2);
  for (let i = 0; i < n; i++) {
    out[i] =
      i < half
        ? Math.fround(s + Math.fround(step * i))
        : Math.fround(e - Math.fround(step * (n - i - 1)));
  }
  return out;
}
