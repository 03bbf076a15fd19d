import { defineLibraryConfig } from '../../tooling/tsup.base';

export default defineLibraryConfig({
  index: 'src/index.ts',
  'testing/index': 'src/testing/index.ts',
  // The `#register-tfjs` variants (package.json `imports`) and the Node hooks they register.
  'internal/register-tfjs': 'src/internal/register-tfjs.ts',
  'internal/register-tfjs.node': 'src/internal/register-tfjs.node.ts',
  'internal/tfjs-core-esm-hooks': 'src/internal/tfjs-core-esm-hooks.ts',
});
