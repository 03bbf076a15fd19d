import { inject } from 'vitest';

/** The tfjs backends the test suites run on (one vitest project each). */
export type TestBackend = 'cpu' | 'wasm' | 'webgl' | 'webgpu';

declare module 'vitest' {
  export interface ProvidedContext {
    backend: TestBackend;
  }
}

/** The backend of the running suite, injected by its vitest project (usable at collection time). */
export function testBackend(): TestBackend {
  return inject('backend');
}
