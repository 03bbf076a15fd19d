export { maxAbsDiff, relativeL2 } from './compare';
export {
  FIXTURE_DIR,
  type FixtureTensor,
  fixtureEntry,
  fixtureTensor,
  loadFixture,
  type ReferenceFixture,
} from './fixtures';
export { type ToleranceKind, tolerance } from './tolerance';
