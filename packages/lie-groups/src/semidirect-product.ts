import * as tf from '@tensorflow/tfjs-core';
import { expm1OverZ } from './internal/expm1-over-z';
import { splitLast, unstackLast } from './internal/unstack-last';
import type { AffineGroup, Subgroup } from './lie-group';

/** The two halves of a `[2, ...]` tensor. */
function unstackFirst(x: tf.Tensor): tf.Tensor[] {
  const lead = x.shape.slice(1);
  return [0, 1].map((i) => tf.reshape(tf.slice(x, [i, ...lead.map(() => 0)], [1, ...lead]), lead));
}

/** (a + ib)(c + id) as (re, im). */
function complexMul(
  ar: tf.Tensor,
  ai: tf.Tensor,
  br: tf.Tensor,
  bi: tf.Tensor,
): [tf.Tensor, tf.Tensor] {
  return [tf.sub(tf.mul(ar, br), tf.mul(ai, bi)), tf.add(tf.mul(ar, bi), tf.mul(ai, br))];
}

/** V(z) = (e^z − 1)/z as (re, im). */
function vOf(a: tf.Tensor, b: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const [re, im] = unstackFirst(expm1OverZ(a, b));
  return [re!, im!];
}

/** How R²⋊H reads its elements: argument checks and the split `[t, h]`. */
interface Parts {
  name: string;
  subgroup: Subgroup;
  /** Throws unless `g` has a trailing axis of `dim`, naming the op and the argument. */
  check(op: string, g: tf.Tensor, arg: string, dim: number): void;
  /** `[..., 2 + paramDim]` → translation `[..., 2]` and subgroup element `[..., paramDim]`. */
  split(g: tf.Tensor): [tf.Tensor, tf.Tensor];
  /** z = (ln s, θ) of a subgroup tangent, as real and imaginary parts `[...]`. */
  complexOfTangent(omega: tf.Tensor): [tf.Tensor, tf.Tensor];
}

function partsOf(name: string, subgroup: Subgroup): Parts {
  return {
    name,
    subgroup,
    check(op, g, arg, dim) {
      if (g.rank < 1 || g.shape[g.rank - 1] !== dim) {
        throw new Error(
          `Error in ${name}.${op}: ${arg} must have a trailing axis of ${dim}, got shape [${g.shape}]`,
        );
      }
    },
    split(g) {
      const [t, h] = splitLast(g, [2, subgroup.paramDim]);
      return [t!, h!];
    },
    complexOfTangent(omega) {
      const parts = unstackLast(omega);
      const zero = tf.zerosLike(parts[0]!);
      if (subgroup.kind === 'rotation') return [zero, parts[0]!];
      if (subgroup.kind === 'scale') return [parts[0]!, zero];
      return [parts[1]!, parts[0]!];
    },
  };
}

/** identity, compose and inverse: `(t₁,h₁)(t₂,h₂) = (t₁ + h₁t₂, h₁h₂)`, `(t,h)⁻¹ = (−h⁻¹t, h⁻¹)`. */
function algebra({ subgroup, check, split }: Parts) {
  const p = 2 + subgroup.paramDim;
  return {
    identity(batchShape: number[] = []) {
      return tf.tidy(() =>
        tf.concat([tf.zeros([...batchShape, 2]), subgroup.identity(batchShape)], -1),
      );
    },
    compose(a: tf.Tensor, b: tf.Tensor) {
      check('compose', a, 'a', p);
      check('compose', b, 'b', p);
      return tf.tidy(() => {
        const [ta, ha] = split(a);
        const [tb, hb] = split(b);
        const t = tf.add(ta, subgroup.act(ha, tb));
        const h = subgroup.compose(ha, hb);
        return tf.concat([tf.broadcastTo(t, [...h.shape.slice(0, -1), 2]), h], -1);
      });
    },
    inverse(g: tf.Tensor) {
      check('inverse', g, 'g', p);
      return tf.tidy(() => {
        const [t, h] = split(g);
        return tf.concat([tf.neg(subgroup.inverseAct(h, t)), subgroup.inverse(h)], -1);
      });
    },
  };
}

/** exp and log: `exp(v, ω) = (V(z)·v, e^z)`, `log(t, h) = (t / V(z), log h)`. */
function expLog({ subgroup, check, split, complexOfTangent }: Parts) {
  return {
    exp(tangent: tf.Tensor) {
      check('exp', tangent, 'tangent', 2 + subgroup.dof);
      return tf.tidy(() => {
        const [v, omega] = splitLast(tangent, [2, subgroup.dof]) as [tf.Tensor, tf.Tensor];
        const [a, b] = complexOfTangent(omega);
        const [vr, vi] = vOf(a, b);
        const [x, y] = unstackLast(v) as [tf.Tensor, tf.Tensor];
        const [tx, ty] = complexMul(vr, vi, x, y);
        return tf.concat([tf.stack([tx, ty], -1), subgroup.exp(omega)], -1);
      });
    },
    log(g: tf.Tensor) {
      check('log', g, 'g', 2 + subgroup.paramDim);
      return tf.tidy(() => {
        const [t, h] = split(g);
        const omega = subgroup.log(h);
        const [a, b] = complexOfTangent(omega);
        const [vr, vi] = vOf(a, b);
        const [x, y] = unstackLast(t) as [tf.Tensor, tf.Tensor];
        // v = t / V(z) = t·conj(V)/|V|²; |V| ≥ 2/π·… > 0 on the principal branch.
        const n2 = tf.add(tf.square(vr), tf.square(vi));
        const [ur, ui] = complexMul(x, y, tf.div(vr, n2), tf.div(tf.neg(vi), n2));
        return tf.concat([tf.stack([ur, ui], -1), omega], -1);
      });
    },
  };
}

/** The homogeneous matrix `[[s·R(θ), t], [0, 1]]`, the action `x ↦ h·x + t` and its |det|. */
function actions({ subgroup, check, split }: Parts) {
  const p = 2 + subgroup.paramDim;
  return {
    matrix(g: tf.Tensor) {
      check('matrix', g, 'g', p);
      return tf.tidy(() => {
        const [t, h] = split(g);
        const m = subgroup.matrix(h);
        const top = tf.concat([m, tf.expandDims(t, -1)], -1);
        const bottom = tf.broadcastTo(tf.tensor1d([0, 0, 1]), [...t.shape.slice(0, -1), 1, 3]);
        return tf.concat([top, bottom], -2);
      });
    },
    act(g: tf.Tensor, points: tf.Tensor) {
      check('act', g, 'g', p);
      check('act', points, 'points', 2);
      return tf.tidy(() => {
        const [t, h] = split(g);
        return tf.add(subgroup.act(h, points), t);
      });
    },
    det(g: tf.Tensor) {
      check('det', g, 'g', p);
      return tf.tidy(() => subgroup.det(split(g)[1]));
    },
  };
}

/** The subgroup's testing elements, each with a translation from a small fixed set. */
function testingElements(subgroup: Subgroup): tf.Tensor {
  return tf.tidy(() => {
    const h = subgroup.testingElements();
    const n = h.shape[0]!;
    const t = tf.tensor2d(
      Array.from({ length: n }, (_, i) => [(i % 3) - 1, 0.5 * ((i % 4) - 1.5)]),
      [n, 2],
    );
    return tf.concat([t, h], -1);
  });
}

/**
 * The affine group R²⋊H for a subgroup H ⊂ GL(2) of rotations and/or dilations. Elements are
 * `[tx, ty, ...h]`, tangents `[vx, vy, ...ω]`. Product `(t₁,h₁)(t₂,h₂) = (t₁ + h₁t₂, h₁h₂)`.
 *
 * exp/log use that every such h is multiplication by a complex number e^z, z = ln s + iθ: then
 * `exp(v, ω) = (V(z)·v, e^z)` with `V(z) = (e^z − 1)/z` (a Taylor series near z = 0, so values
 * and gradients stay finite at the identity).
 */
export function semidirectProduct(name: string, subgroup: Subgroup): AffineGroup {
  const parts = partsOf(name, subgroup);
  return {
    name,
    subgroup,
    paramDim: 2 + subgroup.paramDim,
    dof: 2 + subgroup.dof,
    ...algebra(parts),
    ...expLog(parts),
    ...actions(parts),
    testingElements: () => testingElements(subgroup),
  };
}
