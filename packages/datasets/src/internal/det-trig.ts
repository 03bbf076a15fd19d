/**
 * sin and cos from +, −, ×, ÷ and Math.round only. Each of those is exactly rounded IEEE-754 in
 * every JS engine, whereas `Math.sin`/`Math.cos` are implementation-defined, so generated datasets
 * are bit-identical on every engine and machine. Accurate to ~1 ulp for |x| ≤ 2¹⁰.
 */
export function detSinCos(x: number): [sin: number, cos: number] {
  // Cody–Waite reduction by π/2 (two-part constant) to r in [−π/4, π/4].
  const k = Math.round(x * 0.6366197723675814);
  const r = x - k * 1.5707963267341256 - k * 6.077100506506192e-11;
  const r2 = r * r;
  // Taylor series to r¹⁷ / r¹⁸ (terms below 1e-19 at |r| ≤ π/4).
  let s = 0;
  let c = 0;
  let termS = r;
  let termC = 1;
  for (let n = 1; n <= 17; n += 2) {
    s += termS;
    c += termC;
    termS = (-termS * r2) / ((n + 1) * (n + 2));
    termC = (-termC * r2) / (n * (n + 1));
  }
  switch (((k % 4) + 4) % 4) {
    case 0:
      return [s, c];
    case 1:
      return [c, -s];
    case 2:
      return [-s, -c];
    default:
      return [-c, s];
  }
}
