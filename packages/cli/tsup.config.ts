import { defineLibraryConfig } from '../../tooling/tsup.base';

export default defineLibraryConfig(
  { index: 'src/index.ts', cli: 'src/cli.ts' },
  { banner: { js: '' } },
);
