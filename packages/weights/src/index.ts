/**
 * @file `@gcnn/weights`: the one weights codec of gcnn (model files, graph-model exports and
 * training checkpoints): named float32/int32 tensors ↔ bytes plus tf.io weight specs, checked
 * before allocation.
 */
export {
  type CodecContext,
  checkWeightSpecs,
  concatBytes,
  decodeWeights,
  encodeWeights,
  entriesFromSpecs,
  fail,
  type OffsetWeightEntry,
  sha256Hex,
  shapeSize,
  short,
  specsFromEntries,
  type WeightLimits,
  type WeightSpec,
} from './weights-codec';
