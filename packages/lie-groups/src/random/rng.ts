/**
 * The random stream of a model: weight initialisation, dropout and `uniform` sampling of H (what
 * layers and models take as `seed` or `rng`). Made by {@link createRng} (mulberry32: 32-bit state,
 * period 2³²); its whole state is one integer, so a trainer can save and restore it to resume a
 * run exactly. (The data's stream — generation, shuffling, augmentation — is `Xoshiro128`.)
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** The current state; `createRng(0).setState(s)` continues the same sequence. */
  getState(): number;
  setState(state: number): void;
}

/** A mulberry32 {@link Rng} seeded with `seed` (taken modulo 2³²). */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed))
    throw new Error(`Error in createRng: seed must be a finite number, got ${seed}`);
  let state = seed >>> 0;
  return {
    next() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
    getState: () => state,
    setState(s: number) {
      state = s >>> 0;
    },
  };
}
