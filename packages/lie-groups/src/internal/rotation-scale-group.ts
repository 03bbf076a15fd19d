import * as tf from '@tensorflow/tfjs-core';
import { type GroupGrid, resolveGroupGrid } from '../group-grid';
import type { SampleCount, SampleOptions, Subgroup } from '../lie-group';
import { linspaceF32, PI_F32, TWO_PI_F32 } from './float32';
import { unstackLast } from './unstack-last';

type Kind = Subgroup['kind'];

interface Parts {
  /** Angle θ `[...]`, or null for the pure scale group. */
  theta: tf.Tensor | null;
  /** Scale s > 0 `[...]`, or null for the pure rotation group. */
  scale: tf.Tensor | null;
}

/**
 * One implementation of the three subgroups of GL(2) used by the paper, which all act on R² as
 * `x ↦ s·R(θ)·x`: SO(2) (`[θ]`), R⁺ (`[s]`) and SO(2)×R⁺ (`[θ, s]`). Angles are kept in [0, 2π);
 * tangents are `[θ]`, `[ln s]` and `[θ, ln s]`.
 */
export class RotationScaleGroup implements Subgroup {
  readonly paramDim: number;
  readonly dof: number;

  constructor(
    readonly name: string,
    readonly kind: Kind,
    readonly maxScale: number,
  ) {
    this.paramDim = kind === 'rotation-scale' ? 2 : 1;
    this.dof = this.paramDim;
    if (kind !== 'rotation' && !(Number.isFinite(maxScale) && maxScale >= 1)) {
      throw new Error(`Error in ${name}: maxScale must be a finite number ≥ 1, got ${maxScale}`);
    }
  }

  private get hasRotation() {
    return this.kind !== 'scale';
  }

  private get hasScale() {
    return this.kind !== 'rotation';
  }

  private checkElement(op: string, h: tf.Tensor, arg = 'h') {
    const last = h.shape[h.rank - 1];
    if (h.rank < 1 || last !== this.paramDim) {
      throw new Error(
        `Error in ${this.name}.${op}: ${arg} must have a trailing axis of ${this.paramDim} (${this.paramNames()}), got shape [${h.shape}]`,
      );
    }
  }

  private paramNames() {
    return this.kind === 'rotation' ? 'θ' : this.kind === 'scale' ? 's' : 'θ, s';
  }

  private split(h: tf.Tensor): Parts {
    const parts = unstackLast(h);
    if (this.kind === 'rotation') return { theta: parts[0]!, scale: null };
    if (this.kind === 'scale') return { theta: null, scale: parts[0]! };
    return { theta: parts[0]!, scale: parts[1]! };
  }

  private join({ theta, scale }: Parts): tf.Tensor {
    const parts = [theta, scale].filter((p): p is tf.Tensor => p !== null);
    return tf.stack(parts, parts[0]!.rank);
  }

  private wrap(theta: tf.Tensor) {
    return tf.mod(theta, tf.scalar(TWO_PI_F32));
  }

  identity(batchShape: number[] = []): tf.Tensor {
    const id = this.kind === 'rotation' ? [0] : this.kind === 'scale' ? [1] : [0, 1];
    return tf.tidy(() => tf.broadcastTo(tf.tensor1d(id), [...batchShape, this.paramDim]));
  }

  compose(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
    this.checkElement('compose', a, 'a');
    this.checkElement('compose', b, 'b');
    return tf.tidy(() => {
      const pa = this.split(a);
      const pb = this.split(b);
      return this.join({
        theta: pa.theta && pb.theta ? this.wrap(tf.add(pa.theta, pb.theta)) : null,
        scale: pa.scale && pb.scale ? tf.mul(pa.scale, pb.scale) : null,
      });
    });
  }

  actOnH(g: tf.Tensor, h: tf.Tensor): tf.Tensor {
    return this.compose(g, h);
  }

  inverse(h: tf.Tensor): tf.Tensor {
    this.checkElement('inverse', h);
    return tf.tidy(() => {
      const p = this.split(h);
      return this.join({
        theta: p.theta ? this.wrap(tf.neg(p.theta)) : null,
        scale: p.scale ? tf.reciprocal(p.scale) : null,
      });
    });
  }

  exp(tangent: tf.Tensor): tf.Tensor {
    this.checkElement('exp', tangent, 'tangent');
    return tf.tidy(() => {
      const p = this.split(tangent);
      return this.join({
        theta: p.theta ? this.wrap(p.theta) : null,
        scale: p.scale ? tf.exp(p.scale) : null,
      });
    });
  }

  log(h: tf.Tensor): tf.Tensor {
    this.checkElement('log', h);
    return tf.tidy(() => {
      const p = this.split(h);
      return this.join({
        theta: p.theta ? tf.atan2(tf.sin(p.theta), tf.cos(p.theta)) : null,
        scale: p.scale ? tf.log(p.scale) : null,
      });
    });
  }

  /** cos θ, sin θ and s, each `[...]` (constants where the group lacks a factor). */
  private cosSinScale(h: tf.Tensor) {
    const p = this.split(h);
    const shape = h.shape.slice(0, -1);
    return {
      cos: p.theta ? tf.cos(p.theta) : tf.ones(shape),
      sin: p.theta ? tf.sin(p.theta) : tf.zeros(shape),
      scale: p.scale ?? tf.ones(shape),
    };
  }

  matrix(h: tf.Tensor): tf.Tensor {
    this.checkElement('matrix', h);
    return tf.tidy(() => {
      const { cos, sin, scale } = this.cosSinScale(h);
      const c = tf.mul(scale, cos);
      const s = tf.mul(scale, sin);
      const r0 = tf.stack([c, tf.neg(s)], -1);
      const r1 = tf.stack([s, c], -1);
      return tf.stack([r0, r1], -2);
    });
  }

  private checkPoints(op: string, points: tf.Tensor) {
    if (points.rank < 1 || points.shape[points.rank - 1] !== 2) {
      throw new Error(
        `Error in ${this.name}.${op}: points must have a trailing axis of 2 (x, y), got shape [${points.shape}]`,
      );
    }
  }

  act(h: tf.Tensor, points: tf.Tensor): tf.Tensor {
    this.checkElement('act', h);
    this.checkPoints('act', points);
    return tf.tidy(() => {
      const { cos, sin, scale } = this.cosSinScale(h);
      const [x, y] = unstackLast(points) as [tf.Tensor, tf.Tensor];
      const nx = tf.mul(scale, tf.sub(tf.mul(cos, x), tf.mul(sin, y)));
      const ny = tf.mul(scale, tf.add(tf.mul(sin, x), tf.mul(cos, y)));
      return tf.stack([nx, ny], -1);
    });
  }

  inverseAct(h: tf.Tensor, points: tf.Tensor): tf.Tensor {
    this.checkElement('inverseAct', h);
    this.checkPoints('inverseAct', points);
    return tf.tidy(() => {
      const { cos, sin, scale } = this.cosSinScale(h);
      const [x, y] = unstackLast(points) as [tf.Tensor, tf.Tensor];
      // (1/s)·R(−θ)·x, in the reference's operation order for bitwise-close kernels.
      const nx = tf.div(tf.add(tf.mul(cos, x), tf.mul(sin, y)), scale);
      const ny = tf.div(tf.add(tf.mul(tf.neg(sin), x), tf.mul(cos, y)), scale);
      return tf.stack([nx, ny], -1);
    });
  }

  det(h: tf.Tensor): tf.Tensor {
    this.checkElement('det', h);
    return tf.tidy(() => {
      const p = this.split(h);
      return p.scale ? tf.square(p.scale) : tf.onesLike(p.theta!);
    });
  }

  relativeCoordinates(hOut: tf.Tensor, hIn: tf.Tensor): tf.Tensor {
    this.checkElement('relativeCoordinates', hOut, 'hOut');
    this.checkElement('relativeCoordinates', hIn, 'hIn');
    if (hOut.rank !== 2 || hIn.rank !== 2) {
      throw new Error(
        `Error in ${this.name}.relativeCoordinates: hOut and hIn must be [G, ${this.paramDim}], got [${hOut.shape}] and [${hIn.shape}]`,
      );
    }
    return tf.tidy(() => {
      const po = this.split(hOut);
      const pi = this.split(hIn);
      const coords: tf.Tensor[] = [];
      if (po.theta && pi.theta) {
        const delta = this.wrap(tf.sub(tf.expandDims(pi.theta, 0), tf.expandDims(po.theta, 1)));
        coords.push(tf.sub(tf.div(delta, tf.scalar(PI_F32)), tf.scalar(1)));
      }
      if (po.scale && pi.scale) {
        coords.push(tf.log(tf.div(tf.expandDims(pi.scale, 0), tf.expandDims(po.scale, 1))));
      }
      return tf.stack(coords, -1);
    });
  }

  sample(count: SampleCount | GroupGrid, options: SampleOptions = {}): tf.Tensor2D {
    const method = options.method ?? 'discretize';
    if (method !== 'discretize' && method !== 'uniform') {
      throw new Error(
        `Error in ${this.name}.sample: method must be 'discretize' or 'uniform', got '${method}'`,
      );
    }
    if (method === 'uniform' && !options.rng) {
      throw new Error(
        `Error in ${this.name}.sample: method 'uniform' needs options.rng (e.g. createRng(seed))`,
      );
    }
    const { nRotations: nr, nScales: ns } = resolveGroupGrid(this, count, `${this.name}.sample`);
    const angles = this.hasRotation
      ? sampleAngles(nr, method === 'uniform' ? options.rng!.next() : null)
      : null;
    // Scales are always discretised for SO(2)×R⁺ (reference §2.3).
    const scaleOffset = this.kind === 'scale' && method === 'uniform' ? options.rng!.next() : null;
    const scales = this.hasScale ? sampleScales(ns, this.maxScale, scaleOffset) : null;
    const values = new Float32Array(nr * ns * this.paramDim);
    let i = 0;
    for (let r = 0; r < nr; r++) {
      for (let s = 0; s < ns; s++) {
        if (angles) values[i++] = angles[r]!;
        if (scales) values[i++] = scales[s]!;
      }
    }
    return tf.tensor2d(values, [nr * ns, this.paramDim]);
  }

  testingElements(): tf.Tensor {
    const angles = [0, Math.PI / 2, Math.PI, (3 * Math.PI) / 2, 0.3, 2.5, 5.9];
    const scales = [1, 0.5, 2, 1.37, this.maxScale];
    if (this.kind === 'rotation') return tf.tensor2d(angles, [angles.length, 1]);
    if (this.kind === 'scale') return tf.tensor2d(scales, [scales.length, 1]);
    const pairs = angles.flatMap((a, i) => [a, scales[i % scales.length]!]);
    return tf.tensor2d(pairs, [angles.length, 2]);
  }
}

/**
 * θ_k = 2πk/N (as `linspace(0, 2π(N−1)/N, N)`); with `u` ∈ [0, 1) the whole grid is rotated by
 * δ = u·2π(N−1)/N² and wrapped to [0, 2π) (the reference's `uniform`).
 */
function sampleAngles(n: number, u: number | null): Float32Array {
  const grid = linspaceF32(0, (2 * Math.PI * (n - 1)) / n, n);
  if (u === null) return grid;
  const delta = Math.fround((u * 2 * Math.PI * (n - 1)) / (n * n));
  return grid.map((t) => {
    const v = Math.fround(t + delta);
    return v >= TWO_PI_F32 ? Math.fround(v - TWO_PI_F32) : v;
  });
}

/**
 * s_k = exp(linspace(0, ln maxScale, N)), log-uniform in [1, maxScale]; with `u` ∈ [0, 1) the
 * log-grid is shifted by u·ln(maxScale)/N (the reference's `uniform`).
 */
function sampleScales(n: number, maxScale: number, u: number | null): Float32Array {
  const logMax = Math.log(maxScale);
  const grid = linspaceF32(0, logMax, n);
  const offset = u === null ? 0 : (u * logMax) / n;
  return grid.map((l) => Math.fround(Math.exp(Math.fround(l + offset))));
}
