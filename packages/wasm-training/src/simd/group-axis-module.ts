import { FunctionBuilder, simdModule, V128 } from './wasm-assembler';

/**
 * A real R×R matrix applied along the group axis of a feature map, with the layout change the
 * Fourier form of a circulant mixing needs (see `@gcnn/group-conv`'s circulant-mixing.ts), in
 * 128-bit wasm SIMD. Arguments `(x, t, out, m, r, c)`: pointers in bytes into the tfjs wasm heap,
 * `m` rows, `r` group elements (even), `c` channels (`c % 4 = 0`), `t` the float32 matrix
 * `[r, r]`; with J = r/2, the J slabs `[m, 2, c]` each in its own buffer, passed as a table of J
 * i32 pointers (so that each slab is a tensor of its own, multiplied without a slice or a stack):
 *
 * - `split`: x `[m, r, c]` → slabs `out[j]` `[m, 2, c]` (`out` the table),
 *   `out[j][m, p, c] = Σ_s t[2j + p, s] · x[m, s, c]`
 * - `merge`: slabs `x[j]` `[m, 2, c]` (`x` the table) → out `[m, r, c]`,
 *   `out[m, s, c] = Σ_{j,p} t[s, 2j + p] · x[j][m, p, c]`
 *
 * Each output vector of 4 channels (16 where `c % 16 = 0`) sums r products in registers; the
 * matrix entry is loaded once per step into all lanes. The two are each other's transpose:
 * the gradient of `split` with t is `merge` with tᵀ, and the other way round.
 */
export type GroupAxisFunction = (
  x: number,
  t: number,
  out: number,
  m: number,
  r: number,
  c: number,
) => void;

export interface GroupAxisKernels {
  split: GroupAxisFunction;
  merge: GroupAxisFunction;
}

const PARAMS = 6;
/** Channels per step: 4·unroll (`c % (4·unroll) = 0`). */
const UNROLLS = [4, 1] as const;

function builder(name: string, unroll: number) {
  const f = new FunctionBuilder(`${name}${unroll}`, PARAMS);
  const [x, t, out, m, r, c] = f.args(6);
  const acc = Array.from({ length: unroll }, () => f.local(V128));
  const splat = f.local(V128);
  return { f, x: x!, t: t!, out: out!, m: m!, r: r!, c: c!, acc, splat };
}

function split(unroll: number): FunctionBuilder {
  const { f, x, t, out, m, r, c, acc, splat } = builder('split', unroll);
  const v = f.locals(['row', 'l', 'cb', 's', 'px', 'pt', 'po']);
  const g = (i: number) => f.get(i);
  f.forRange(v.row, f.i32(0), m, 1, () =>
    f.forRange(v.l, f.i32(0), r, 1, () =>
      f.forRange(v.cb, f.i32(0), c, 4 * unroll, () => {
        for (const a of acc) f.set(a, f.v128Zero());
        // x[row, 0, cb] and t[l, 0]
        f.set(v.px, f.add(x, f.mul(f.add(f.mul(f.mul(g(v.row), r), c), g(v.cb)), f.i32(4))));
        f.set(v.pt, f.add(t, f.mul(f.mul(g(v.l), r), f.i32(4))));
        f.forRange(v.s, f.i32(0), r, 1, () => {
          f.set(splat, f.loadSplat(g(v.pt)));
          acc.forEach((a, u) => {
            f.set(a, f.f32x4Add(g(a), f.f32x4Mul(f.load(g(v.px), 16 * u), g(splat))));
          });
          f.set(v.px, f.add(g(v.px), f.mul(c, f.i32(4))));
          f.set(v.pt, f.add(g(v.pt), f.i32(4)));
        });
        // slab l / 2 at [row, l % 2, cb]: (row · 2 + l % 2) · c + cb
        const p = f.remS(g(v.l), f.i32(2));
        const slab = f.i32Load(f.add(out, f.mul(f.divS(g(v.l), f.i32(2)), f.i32(4))));
        const index = f.add(f.mul(f.add(f.mul(g(v.row), f.i32(2)), p), c), g(v.cb));
        f.set(v.po, f.add(slab, f.mul(index, f.i32(4))));
        acc.forEach((a, u) => {
          f.store(g(v.po), g(a), 16 * u);
        });
      }),
    ),
  );
  return f;
}

function merge(unroll: number): FunctionBuilder {
  const { f, x, t, out, m, r, c, acc, splat } = builder('merge', unroll);
  const v = f.locals(['row', 's', 'cb', 'j', 'px', 'pt', 'po', 'offset', 'half']);
  const g = (i: number) => f.get(i);
  f.set(v.half, f.mul(c, f.i32(4))); // bytes from p = 0 to p = 1
  f.forRange(v.row, f.i32(0), m, 1, () =>
    f.forRange(v.s, f.i32(0), r, 1, () =>
      f.forRange(v.cb, f.i32(0), c, 4 * unroll, () => {
        for (const a of acc) f.set(a, f.v128Zero());
        // [row, 0, cb] in each slab, and t[s, 0]
        f.set(v.offset, f.mul(f.add(f.mul(f.mul(g(v.row), c), f.i32(2)), g(v.cb)), f.i32(4)));
        f.set(v.pt, f.add(t, f.mul(f.mul(g(v.s), r), f.i32(4))));
        f.forRange(v.j, f.i32(0), r, 2, () => {
          // slab j / 2: the table's entry at byte 4 · j / 2 = 2j
          f.set(v.px, f.add(f.i32Load(f.add(x, f.mul(g(v.j), f.i32(2)))), g(v.offset)));
          for (const [p, offset] of [
            [0, null],
            [1, v.half],
          ] as const) {
            f.set(splat, f.loadSplat(g(v.pt), 4 * p));
            const at = offset === null ? g(v.px) : f.add(g(v.px), g(offset));
            acc.forEach((a, u) => {
              f.set(a, f.f32x4Add(g(a), f.f32x4Mul(f.load(at, 16 * u), g(splat))));
            });
          }
          f.set(v.pt, f.add(g(v.pt), f.i32(8)));
        });
        const index = f.add(f.mul(f.add(f.mul(g(v.row), r), g(v.s)), c), g(v.cb));
        f.set(v.po, f.add(out, f.mul(index, f.i32(4))));
        acc.forEach((a, u) => {
          f.store(g(v.po), g(a), 16 * u);
        });
      }),
    ),
  );
  return f;
}

const groupAxisModule = simdModule<GroupAxisFunction>(() =>
  UNROLLS.flatMap((u) => [split(u), merge(u)]),
);

/** The module's bytes (assembled once). */
export const groupAxisModuleBytes = groupAxisModule.bytes;

/**
 * The kernels for `c` channels on `memory` (16 channels per step where `c % 16 = 0`, else 4), or
 * `null` where this engine has no wasm SIMD or `c % 4 ≠ 0`.
 */
export function groupAxisKernels(memory: WebAssembly.Memory, c: number): GroupAxisKernels | null {
  if (c % 4 !== 0) return null;
  const e = groupAxisModule.on(memory);
  if (!e) return null;
  const u = c % 16 === 0 ? 4 : 1;
  return { split: e[`split${u}`]!, merge: e[`merge${u}`]! };
}
