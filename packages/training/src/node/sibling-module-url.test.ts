import { describe, expect, it } from 'vitest';
import { siblingModuleUrl } from './sibling-module-url';

describe('siblingModuleUrl', () => {
  it('names the .ts source next to a source module and the built .js next to a built one', () => {
    expect(siblingModuleUrl('file:///p/src/node/trainer.ts', 'replica-worker').href).toBe(
      'file:///p/src/node/replica-worker.ts',
    );
    expect(siblingModuleUrl('file:///p/dist/node/index.js', 'replica-worker').href).toBe(
      'file:///p/dist/node/replica-worker.js',
    );
    expect(siblingModuleUrl('file:///p/dist/chunk-AB12.js', 'replica-model').href).toBe(
      'file:///p/dist/replica-model.js',
    );
  });
});
