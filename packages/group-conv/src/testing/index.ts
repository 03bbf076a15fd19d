/**
 * @file Published equivariance-testing helpers of `@gcnn/group-conv`: `checkEquivariance` for
 * users' own layers and models, exact group actions on feature maps, and smooth test images.
 */
export {
  type CheckEquivarianceOptions,
  checkEquivariance,
  type EquivarianceReport,
  type EquivariantFunction,
  type FeatureKind,
} from './check-equivariance';
export {
  type RotationScaleAxis,
  rollRotations,
  rotateGroupFeatures,
} from './rotate-group-features';
export { centralDisk, smoothImages } from './smooth-images';
