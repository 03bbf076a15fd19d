export { maxAbsDiff, relativeL2 } from './compare';
export {
  FIXTURE_DIR,
  type FixtureTensor,
  fixtureElements,
  fixtureEntry,
  fixtureTensor,
  loadFixture,
  type ReferenceFixture,
} from './fixtures';
export { referenceSiren } from './reference-siren';
export { type ToleranceKind, tolerance } from './tolerance';
