import { defineLibraryConfig } from '../../tooling/tsup.base';

// node/replica-worker: the entry of DataParallelTrainer's worker threads, loaded by URL next to
// node/index.js.
export default defineLibraryConfig({
  index: 'src/index.ts',
  'node/index': 'src/node/index.ts',
  'node/replica-worker': 'src/node/replica-worker.ts',
});
