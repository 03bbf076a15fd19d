/**
 * How kernels are generated: `'gcnn'` (default) is the correct, equivariant mathematics;
 * `'reference'` reproduces the PyTorch reference's numerics, quirks included, so weights trained
 * with the reference give the same outputs (docs/decisions/0004-reference-deviations.md):
 *
 * - Q1 `Sim2GroupKernel` / `R2xRplusGroupKernel` (nonseparable, dseparable) read kernel tap
 *   (a, b) as (ℓ[a], ℓ[b]) instead of (ℓ[b], ℓ[a]) — Sim(2) loses rotation equivariance.
 * - Q2 the Sim(2) separable/gseparable/dgseparable scale-distance mask reads mis-indexed offsets.
 * - Q3 1×1 kernels of the scale groups sit at (−maxScale, −maxScale) instead of the origin.
 * - Q4 one-subgroup group convs swap input and output elements when building the kernel
 *   (visible only when the two element sets differ, e.g. `uniform` sampling).
 * - Q6 Sim(2) lifting, nonseparable and non-"+2d" separable kernels divide by s instead of
 *   |det| = s², and their scale-distance mask width is ln(maxScale)/G with G all sampled
 *   elements instead of ln(maxScale)/nScales.
 */
export type Compatibility = 'gcnn' | 'reference';

export const COMPATIBILITY_MODES: readonly Compatibility[] = ['gcnn', 'reference'];
