import { defineLibraryConfig } from '../../tooling/tsup.base';

export default defineLibraryConfig(
  // replica-model: imported by URL by the worker threads of `gcnn train --workers <n>`.
  { index: 'src/index.ts', cli: 'src/cli.ts', 'replica-model': 'src/replica-model.ts' },
  { banner: { js: '' } },
);
