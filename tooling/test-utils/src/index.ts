export { maxAbsDiff, relativeL2 } from './compare';
export {
  FIXTURE_DIR,
  type FixtureTensor,
  fixtureEntry,
  fixtureTensor,
  loadFixture,
  type ReferenceFixture,
} from './fixtures';
export { tolerance, type ToleranceKind } from './tolerance';
