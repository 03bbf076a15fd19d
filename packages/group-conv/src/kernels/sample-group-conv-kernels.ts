import { sampleKernelNet, scaleDistanceMask } from '@gcnn/kernel-nets';
import { Rplus, SO2 } from '@gcnn/lie-groups';
import * as tf from '@tensorflow/tfjs-core';
import type { Implementation } from '../implementation';
import { fullGroupKernel } from './full-group-kernel';
import type { KernelNet } from './kernel-net';
import { isReference, type KernelOptions, numRotations, numScales } from './kernel-options';
import { spatialKernel } from './spatial-kernel';
import { subgroupKernel } from './subgroup-kernel';

/** The learnable parts of a group conv: kernel nets by role, and the channel projection of the d-variants. */
export interface GroupConvParams {
  /** Non-separable kernel net (`nonseparable`, `dseparable`). */
  kernel?: KernelNet;
  /** Subgroup kernel net k^H (`separable`, `gseparable`, `dgseparable`). */
  kernelH?: KernelNet;
  /** Spatial kernel net k^{R²} (all separable variants). */
  kernelRn?: KernelNet;
  /** Rotation kernel net k^{SO2} ("+2d"). */
  kernelSO2?: KernelNet;
  /** Scale kernel net k^{R⁺} ("+2d"). */
  kernelRplus?: KernelNet;
  /** Channel projection `[Cin, Cout]` (`dseparable`, `dgseparable`). */
  projection?: tf.Tensor2D;
}

/** Sampled kernels of one group conv, ready for the matching op. */
export type GroupConvKernels =
  | { implementation: 'nonseparable' | 'gseparable'; filter: tf.Tensor4D }
  | { implementation: 'separable'; mixing: tf.Tensor2D; spatial: tf.Tensor4D }
  | { implementation: 'dseparable'; projection: tf.Tensor2D; filter: tf.Tensor4D }
  | {
      implementation: 'dgseparable';
      projection: tf.Tensor2D;
      mixing: tf.Tensor3D;
      spatial: tf.Tensor4D;
    }
  | {
      implementation: 'separable+2d';
      rotationMixing: tf.Tensor2D;
      scaleMixing: tf.Tensor3D;
      spatial: tf.Tensor4D;
    }
  | {
      implementation: 'gseparable+2d';
      rotationMixing: tf.Tensor3D;
      scaleMixing: tf.Tensor4D;
      spatial: tf.Tensor4D;
    };

function need<T>(value: T | undefined, implementation: string, name: string): T {
  if (value === undefined)
    throw new Error(`Error in sampleGroupConvKernels: '${implementation}' needs params.${name}`);
  return value;
}

/**
 * Subgroup kernel `[Gout, Gin, Cout·Cin]` → the matrix `[Gin·Cin, Gout·Cout]` that mixes a
 * flattened `[.., Gin·Cin]` feature map into `[.., Gout·Cout]` (both group-outer).
 */
function mixingMatrix(h: tf.Tensor3D, co: number, ci: number): tf.Tensor2D {
  const [gOut, gIn] = h.shape;
  return tf.reshape(tf.transpose(tf.reshape(h, [gOut, gIn, co, ci]), [1, 3, 0, 2]), [
    gIn * ci,
    gOut * co,
  ]);
}

/** Spatial kernel `[G, k², P]` → depthwise filter `[k, k, G·P, 1]` (channel g·P + p). */
function depthwiseFilter(values: tf.Tensor3D, k: number): tf.Tensor4D {
  const [g, , p] = values.shape;
  return tf.reshape(tf.transpose(tf.reshape(values, [g, k, k, p]), [1, 2, 0, 3]), [k, k, g * p, 1]);
}

/**
 * Samples the kernels of a group conv `[.., Gin, Cin] → [.., Gout, Cout]` for output elements
 * `hOut` and input elements `hIn` (`[G, paramDim]`), in the layouts the ops take. Everything the
 * factorisation avoids stays unmaterialised: the separable variants never build the
 * `[k, k, Gin·Cin, Gout·Cout]` kernel.
 */
export function sampleGroupConvKernels(
  implementation: Implementation,
  params: GroupConvParams,
  hOut: tf.Tensor2D,
  hIn: tf.Tensor2D,
  inChannels: number,
  outChannels: number,
  options: KernelOptions,
): GroupConvKernels {
  const k = options.kernelSize;
  const [gOut, gIn] = [hOut.shape[0], hIn.shape[0]];
  const [ci, co] = [inChannels, outChannels];
  // Q4: the reference rotates one-subgroup spatial kernels by the input elements.
  const spatialElements = isReference(options) ? hIn : hOut;
  return tf.tidy(() => {
    switch (implementation) {
      case 'nonseparable': {
        const values = fullGroupKernel(
          hOut,
          hIn,
          need(params.kernel, implementation, 'kernel'),
          options,
        ); // [Gout, Gin, k², Co·Ci]
        const filter = tf.transpose(
          tf.reshape(values, [gOut, gIn, k, k, co, ci]),
          [2, 3, 1, 5, 0, 4],
        );
        return { implementation, filter: tf.reshape(filter, [k, k, gIn * ci, gOut * co]) };
      }
      case 'gseparable': {
        const h = subgroupKernel(
          hOut,
          hIn,
          need(params.kernelH, implementation, 'kernelH'),
          options,
        ); // [Gout, Gin, Co·Ci]
        const rn = spatialKernel(
          spatialElements,
          need(params.kernelRn, implementation, 'kernelRn'),
          options,
          'separable',
        ); // [Gout, k², Co·Ci]
        const hk = tf.reshape(mixingMatrix(h, co, ci), [1, 1, gIn, ci, gOut, co]);
        const rk = tf.reshape(tf.transpose(tf.reshape(rn, [gOut, k, k, co, ci]), [1, 2, 4, 0, 3]), [
          k,
          k,
          1,
          ci,
          gOut,
          co,
        ]);
        return { implementation, filter: tf.reshape(tf.mul(hk, rk), [k, k, gIn * ci, gOut * co]) };
      }
      case 'separable': {
        const h = subgroupKernel(
          hOut,
          hIn,
          need(params.kernelH, implementation, 'kernelH'),
          options,
        );
        const rn = spatialKernel(
          spatialElements,
          need(params.kernelRn, implementation, 'kernelRn'),
          options,
          'separable',
        ); // [Gout, k², Co]
        return { implementation, mixing: mixingMatrix(h, co, ci), spatial: depthwiseFilter(rn, k) };
      }
      case 'dseparable': {
        const values = fullGroupKernel(
          hOut,
          hIn,
          need(params.kernel, implementation, 'kernel'),
          options,
        ); // [Gout, Gin, k², Co]
        const filter = tf.transpose(tf.reshape(values, [gOut, gIn, k, k, co]), [2, 3, 1, 4, 0]); // [k, k, Gin, Co, Gout]
        return {
          implementation,
          projection: tf.clone(need(params.projection, implementation, 'projection')),
          filter: tf.reshape(filter, [k, k, gIn * co, gOut]),
        };
      }
      case 'dgseparable': {
        const h = subgroupKernel(
          hOut,
          hIn,
          need(params.kernelH, implementation, 'kernelH'),
          options,
        ); // [Gout, Gin, Co]
        const rn = spatialKernel(
          spatialElements,
          need(params.kernelRn, implementation, 'kernelRn'),
          options,
          'separable',
        );
        return {
          implementation,
          projection: tf.clone(need(params.projection, implementation, 'projection')),
          mixing: tf.transpose(h, [2, 1, 0]) as tf.Tensor3D,
          spatial: depthwiseFilter(rn, k),
        };
      }
      case 'separable+2d':
      case 'gseparable+2d': {
        const r = numRotations(options);
        const s = numScales(options);
        if (gOut !== r * s || gIn !== r * s) {
          throw new Error(
            `Error in sampleGroupConvKernels: '${implementation}' needs ${r}·${s} elements on both sides (sampleCount [${r}, ${s}]), got ${gIn} → ${gOut}`,
          );
        }
        const maxScale = options.group.subgroup.maxScale;
        // Rotations are column 0 of rows r·S, scales column 1 of rows 0…S−1 (rotation-major).
        const rot = (e: tf.Tensor2D) =>
          tf.reshape(tf.slice(tf.reshape(e, [r, s, 2]), [0, 0, 0], [r, 1, 1]), [
            r,
            1,
          ]) as tf.Tensor2D;
        const scl = (e: tf.Tensor2D) =>
          tf.reshape(tf.slice(tf.reshape(e, [r, s, 2]), [0, 0, 1], [1, s, 1]), [
            s,
            1,
          ]) as tf.Tensor2D;
        const so2 = sampleKernelNet(
          SO2.relativeCoordinates(rot(hOut), rot(hIn)),
          need(params.kernelSO2, implementation, 'kernelSO2').weights,
          params.kernelSO2!.config,
        ); // [R, R, Co·Ci]
        const lambda = Rplus({ maxScale }).relativeCoordinates(scl(hOut), scl(hIn)); // [S, S, 1]
        const rplusNet = need(params.kernelRplus, implementation, 'kernelRplus');
        const rplus = tf.mul(
          sampleKernelNet(lambda, rplusNet.weights, rplusNet.config),
          tf.expandDims(scaleDistanceMask(tf.squeeze(lambda, [2]), Math.log(maxScale) / s, 10), -1),
        ); // [S_out, S_in, P]
        const rn = spatialKernel(
          hOut,
          need(params.kernelRn, implementation, 'kernelRn'),
          options,
          'separable2d',
        );
        const so2k = tf.reshape(so2, [r, r, co, ci]); // [R_out, R_in, Co, Ci]
        if (implementation === 'separable+2d') {
          const rotationMixing = tf.reshape(tf.transpose(so2k, [1, 3, 0, 2]), [r * ci, r * co]);
          const scaleMixing = tf.transpose(tf.reshape(rplus, [s, s, co]), [2, 1, 0]) as tf.Tensor3D; // [Co, S_in, S_out]
          return { implementation, rotationMixing, scaleMixing, spatial: depthwiseFilter(rn, k) };
        }
        const rotationMixing = tf.reshape(tf.transpose(so2k, [3, 1, 0, 2]), [
          ci,
          r,
          r * co,
        ]) as tf.Tensor3D;
        const scaleMixing = tf.transpose(
          tf.reshape(rplus, [s, s, co, ci]),
          [2, 3, 1, 0],
        ) as tf.Tensor4D; // [Co, Ci, S_in, S_out]
        return { implementation, rotationMixing, scaleMixing, spatial: depthwiseFilter(rn, k) };
      }
    }
  }) as GroupConvKernels;
}
