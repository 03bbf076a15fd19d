import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LieGroup, Subgroup } from '../lie-group';
import { arbitraryElements, arbitraryPoints, arbitraryTangents } from './arbitraries';
import { edgeCaseElements } from './edge-cases';

export interface GroupAxiomOptions {
  /** fast-check runs per property (each run checks a batch of elements). Default 25. */
  numRuns?: number;
  /** Elements per batch. Default 8. */
  batch?: number;
  /** fast-check seed; printed by fast-check on failure so the case can be replayed. Default 42. */
  seed?: number;
  /**
   * Max error relative to (1 + |expected|). Default 2e-5 (float32 algebra on cpu/wasm); 1e-3 on
   * webgl/webgpu, whose SwiftShader sin/cos err by up to 1.9e-4 (det through the matrix: 1.0e-4).
   */
  tolerance?: number;
}

function isSubgroup(group: LieGroup): group is Subgroup {
  return (group as { subgroup?: unknown }).subgroup === undefined;
}

/** max over entries of |a − b| / (1 + |b|), as a scalar tensor (read later, asynchronously). */
function maxRelError(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.max(tf.div(tf.abs(tf.sub(a, b)), tf.add(tf.abs(b), 1)));
}

/** Tensors that must agree: `[actual, expected]`, or `[actual, expected, bound]`. */
type Pair = [tf.Tensor, tf.Tensor] | [tf.Tensor, tf.Tensor, number];

/**
 * Registers vitest tests of the Lie-group axioms for `group` (manif's conformance-suite idea):
 * identity, inverse, associativity, exp∘log, log∘exp on the principal branch, the action is a
 * homomorphism and agrees with `matrix`, det is multiplicative and equals |det(matrix)|, and
 * subgroup helpers (`inverseAct`, `relativeCoordinates`) are consistent with the algebra; each on
 * random batches (fast-check) and on curated edge cases; plus finite-difference gradient checks
 * of exp, log and act. The tests read tensors with `await data()`, never synchronously, so they
 * run on every backend, webgpu in Node included (where `dataSync` is impossible).
 */
export function describeGroupAxioms(group: LieGroup, options: GroupAxiomOptions = {}): void {
  const numRuns = options.numRuns ?? 25;
  const n = options.batch ?? 8;
  const seed = options.seed ?? 42;
  // Read when a test runs: the backend is chosen after collection.
  const tol = () =>
    options.tolerance ?? (['webgl', 'webgpu'].includes(tf.getBackend()) ? 1e-3 : 2e-5);
  const p = group.paramDim;
  const elements = (flat: number[]) => tf.tensor2d(flat, [flat.length / p, p]);
  const edge = edgeCaseElements(group);
  const edgeFlat = edge.flat();
  const m = edge.length;
  const prop = <T>(arb: fc.Arbitrary<T>, check: (v: T) => Promise<void>) =>
    fc.assert(
      fc.asyncProperty(arb, async (v) => {
        await check(v);
      }),
      { numRuns, seed },
    );
  /**
   * Builds the pairs (in tf.tidy), reads all their errors in one `await data()` and expects each
   * within its bound (default `tol()`).
   */
  const near = async (build: () => Pair[]) => {
    const { errors, bounds } = tf.tidy(() => {
      const pairs = build();
      return {
        errors: tf.stack(pairs.map(([a, b]) => maxRelError(a, b))),
        bounds: pairs.map(([, , bound]) => bound ?? tol()),
      };
    });
    const values = await errors.data();
    errors.dispose();
    bounds.forEach((bound, i) => {
      expect(values[i], `comparison ${i + 1} of ${bounds.length}`).toBeLessThanOrEqual(bound);
    });
  };
  const M = (g: tf.Tensor) => group.matrix(g);

  describe(`${group.name} group axioms`, () => {
    it('identity is neutral', async () => {
      const check = (flat: number[]) =>
        near(() => {
          const g = elements(flat);
          const e = group.identity([g.shape[0]!]);
          return [
            [M(group.compose(e, g)), M(g)],
            [M(group.compose(g, e)), M(g)],
          ];
        });
      await check(edgeFlat);
      await prop(arbitraryElements(group, n), check);
    });

    it('g·g⁻¹ = g⁻¹·g = e', async () => {
      const check = (flat: number[]) =>
        near(() => {
          const g = elements(flat);
          const e = M(group.identity([g.shape[0]!]));
          return [
            [M(group.compose(g, group.inverse(g))), e],
            [M(group.compose(group.inverse(g), g)), e],
          ];
        });
      await check(edgeFlat);
      await prop(arbitraryElements(group, n), check);
    });

    it('compose is associative', async () => {
      await prop(
        fc.tuple(
          arbitraryElements(group, n),
          arbitraryElements(group, n),
          arbitraryElements(group, n),
        ),
        ([a, b, c]) =>
          near(() => {
            const [ga, gb, gc] = [elements(a), elements(b), elements(c)];
            return [
              [
                M(group.compose(group.compose(ga, gb), gc)),
                M(group.compose(ga, group.compose(gb, gc))),
              ],
            ];
          }),
      );
    });

    it('matrix is a homomorphism', async () => {
      await prop(fc.tuple(arbitraryElements(group, n), arbitraryElements(group, n)), ([a, b]) =>
        near(() => {
          const [ga, gb] = [elements(a), elements(b)];
          return [[M(group.compose(ga, gb)), tf.matMul(M(ga), M(gb))]];
        }),
      );
    });

    it('exp(log g) = g', async () => {
      const check = (flat: number[]) =>
        near(() => {
          const g = elements(flat);
          return [[M(group.exp(group.log(g))), M(g)]];
        });
      await check(edgeFlat);
      await prop(arbitraryElements(group, n), check);
    });

    it('log(exp v) = v on the principal branch', async () => {
      await prop(arbitraryTangents(group, n), (flat) =>
        near(() => {
          const v = tf.tensor2d(flat, [n, group.dof]);
          return [[group.log(group.exp(v)), v, 1e-4]];
        }),
      );
    });

    it('the action is a homomorphism and the identity acts trivially', async () => {
      await prop(
        fc.tuple(arbitraryElements(group, n), arbitraryElements(group, n), arbitraryPoints(n)),
        ([a, b, x]) =>
          near(() => {
            const [ga, gb] = [elements(a), elements(b)];
            const pts = tf.tensor2d(x, [n, 2]);
            return [
              [group.act(group.compose(ga, gb), pts), group.act(ga, group.act(gb, pts))],
              [group.act(group.identity([n]), pts), pts],
            ];
          }),
      );
    });

    it('act agrees with the matrix representation', async () => {
      await prop(fc.tuple(arbitraryElements(group, n), arbitraryPoints(n)), ([a, x]) =>
        near(() => {
          const g = elements(a);
          const pts = tf.tensor2d(x, [n, 2]);
          const mat = M(g);
          const lin = tf.slice(mat, [0, 0, 0], [n, 2, 2]);
          const homogeneous = isSubgroup(group)
            ? tf.squeeze(tf.matMul(lin, tf.expandDims(pts, -1)), [-1])
            : tf.add(
                tf.squeeze(tf.matMul(lin, tf.expandDims(pts, -1)), [-1]),
                tf.squeeze(tf.slice(mat, [0, 0, 2], [n, 2, 1]), [-1]),
              );
          return [[group.act(g, pts), homogeneous]];
        }),
      );
    });

    it('det is multiplicative and equals |det| of the linear part', async () => {
      const check = (a: number[], b: number[]) =>
        near(() => {
          const [ga, gb] = [elements(a), elements(b)];
          const lin = tf.slice(M(ga), [0, 0, 0], [ga.shape[0]!, 2, 2]);
          const [m00, m01, m10, m11] = tf.unstack(tf.reshape(lin, [-1, 4]), 1) as [
            tf.Tensor,
            tf.Tensor,
            tf.Tensor,
            tf.Tensor,
          ];
          const det2 = tf.abs(tf.sub(tf.mul(m00, m11), tf.mul(m01, m10)));
          return [
            [group.det(group.compose(ga, gb)), tf.mul(group.det(ga), group.det(gb))],
            [group.det(ga), det2],
          ];
        });
      await check(edgeFlat, [...edgeFlat.slice(p), ...edgeFlat.slice(0, p)]);
      await prop(fc.tuple(arbitraryElements(group, n), arbitraryElements(group, n)), ([a, b]) =>
        check(a, b),
      );
    });

    if (isSubgroup(group)) {
      it('inverseAct(h, x) = act(h⁻¹, x)', async () => {
        await prop(fc.tuple(arbitraryElements(group, n), arbitraryPoints(n)), ([a, x]) =>
          near(() => {
            const h = elements(a);
            const pts = tf.tensor2d(x, [n, 2]);
            return [[group.inverseAct(h, pts), group.act(group.inverse(h), pts)]];
          }),
        );
      });

      it('relativeCoordinates are left-invariant: coords(g·h, g·h′) = coords(h, h′)', async () => {
        await prop(
          fc.tuple(
            arbitraryElements(group, 1),
            arbitraryElements(group, n),
            arbitraryElements(group, n),
          ),
          ([g1, a, b]) =>
            near(() => {
              const g = elements(g1);
              const hOut = elements(a);
              const hIn = elements(b);
              const c0 = group.relativeCoordinates(hOut, hIn);
              const c1 = group.relativeCoordinates(group.compose(g, hOut), group.compose(g, hIn));
              if (group.kind === 'scale') return [[c1, c0]];
              // The angle coordinate is periodic: compare (ρ + 1)·π on the circle.
              const angle = (c: tf.Tensor) =>
                tf.mul(tf.add(tf.slice(c, [0, 0, 0], [n, n, 1]), 1), Math.PI);
              const d = tf.sub(angle(c1), angle(c0));
              const pairs: Pair[] = [
                [tf.sin(d), tf.zerosLike(d), 1e-4],
                [tf.cos(d), tf.onesLike(d), 1e-4],
              ];
              if (group.kind === 'rotation-scale') {
                pairs.push([
                  tf.slice(c1, [0, 0, 1], [n, n, 1]),
                  tf.slice(c0, [0, 0, 1], [n, n, 1]),
                ]);
              }
              return pairs;
            }),
        );
      });

      it('relativeCoordinates(h, h) is the identity coordinate', async () => {
        await near(() => {
          const h = elements(edgeFlat);
          const c = group.relativeCoordinates(h, h);
          const diag = tf.stack(
            Array.from({ length: m }, (_, i) => tf.slice(c, [i, i, 0], [1, 1, group.dof])),
          );
          const expected =
            group.kind === 'scale' ? [0] : group.kind === 'rotation' ? [-1] : [-1, 0];
          return [
            [
              tf.reshape(diag, [m, group.dof]),
              tf.broadcastTo(tf.tensor1d(expected), [m, group.dof]),
              1e-6,
            ],
          ];
        });
      });
    }

    it('gradients of exp, log and act match central finite differences', async () => {
      // Deterministic tangents with angles in [−1.3, 1.3]: a step never crosses the ±π branch cut.
      const tangents = Array.from(
        { length: 4 * group.dof },
        (_, i) => 1.3 * Math.sin(2.1 * i + 0.5),
      );
      const points = tf.tensor2d([0.3, -0.7, 1.1, 0.4, -0.2, 0.9, 0.5, 0.5], [4, 2]);
      const weights = (k: number) =>
        tf.tensor1d(Array.from({ length: k }, (_, i) => Math.sin(1.7 * i + 0.3)));
      const eps = 1e-2;
      const checkGrad = async (f: (v: tf.Tensor) => tf.Tensor, v0: number[], shape: number[]) => {
        // The analytic gradient and f at v0 ± eps·e_i for every i, read in one go.
        const [analytic, plus, minus] = tf.tidy(() => {
          const shifted = (sign: number) =>
            tf.stack(
              v0.map((_, i) => {
                const w = v0.slice();
                w[i]! += sign * eps;
                return f(tf.tensor(w, shape));
              }),
            );
          return [tf.grad(f)(tf.tensor(v0, shape)), shifted(1), shifted(-1)];
        });
        const [a, fPlus, fMinus] = await Promise.all([analytic.data(), plus.data(), minus.data()]);
        tf.dispose([analytic, plus, minus]);
        for (let i = 0; i < v0.length; i++) {
          const fd = (fPlus[i]! - fMinus[i]!) / (2 * eps);
          expect(Math.abs(a[i]! - fd)).toBeLessThanOrEqual(5e-3 * (1 + Math.abs(fd)));
        }
      };
      const shape = [4, group.dof];
      const wP = weights(4 * p);
      const w2 = weights(8);
      // exp: a weighted sum of the matrix entries (continuous, unlike raw angles at the 2π wrap).
      await checkGrad(
        (v) => tf.sum(tf.mul(tf.reshape(M(group.exp(v)), [-1]), weights(M(group.exp(v)).size))),
        tangents,
        shape,
      );
      // log∘exp is the identity on the principal branch, so its gradient is checked through log.
      await checkGrad(
        (v) => tf.sum(tf.mul(tf.reshape(group.log(group.exp(v)), [-1]), weights(4 * group.dof))),
        tangents,
        shape,
      );
      await checkGrad(
        (v) => tf.sum(tf.mul(tf.reshape(group.act(group.exp(v), points), [-1]), w2)),
        tangents,
        shape,
      );
      wP.dispose();
      w2.dispose();
      points.dispose();
    });
  });
}
