export {
  FIXTURE_DIR,
  type FixtureTensor,
  fixtureElements,
  fixtureEntry,
  fixtureTensor,
  loadFixture,
  type ReferenceFixture,
} from '#fixtures';
export {
  loadTorchCheckpointExpected,
  loadTorchCheckpointFile,
  TORCH_CHECKPOINT_DIR,
  TORCH_CHECKPOINT_NAMES,
  type TorchCheckpointExpected,
} from '#torch-checkpoints';
export { maxAbsDiff, relativeL2 } from './compare';
export { knownGap } from './known-gaps';
export { referenceSiren } from './reference-siren';
export { type TestBackend, testBackend } from './test-backend';
export { testModelConfig } from './test-model-config';
export { type ToleranceKind, tolerance } from './tolerance';
