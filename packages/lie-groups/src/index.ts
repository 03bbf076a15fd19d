import '#register-tfjs';

export { GROUP_NAMES, type GroupConfig, type GroupName, groupByName } from './group-by-name';
export { type GroupGrid, resolveGroupGrid } from './group-grid';
export { linspaceF32 } from './internal/float32';
export {
  type AffineGroup,
  type LieGroup,
  SAMPLING_METHODS,
  type SampleCount,
  type SampleOptions,
  type SamplingMethod,
  type Subgroup,
} from './lie-group';
export { R2xRplus } from './r2xrplus';
export { createRng, type Rng } from './random/rng';
export { Xoshiro128, type Xoshiro128State } from './random/xoshiro128';
export { rotate90 } from './rotate90';
export { Rplus, type ScaleGroupOptions } from './rplus';
export { SE2 } from './se2';
export { semidirectProduct } from './semidirect-product';
export { Sim2 } from './sim2';
export { SO2 } from './so2';
export { SO2xRplus } from './so2xrplus';
export { type TransformImagesOptions, transformImages } from './transform-images';
