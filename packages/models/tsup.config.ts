import { defineLibraryConfig } from '../../tooling/tsup.base';

export default defineLibraryConfig({ index: 'src/index.ts', 'node/index': 'src/node/index.ts' });
