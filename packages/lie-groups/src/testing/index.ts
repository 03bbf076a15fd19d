/**
 * @file Published test helpers of `@gcnn/lie-groups` (needs `vitest` and `fast-check`): the
 * group-axiom conformance suite, fast-check arbitraries and curated edge cases.
 */
export {
  arbitraryElement,
  arbitraryElements,
  arbitraryPoints,
  arbitraryTangent,
  arbitraryTangents,
} from './arbitraries';
export { edgeCaseElements } from './edge-cases';
export { describeGroupAxioms, type GroupAxiomOptions } from './group-axioms';
