import { defineLibraryConfig } from '../../tooling/tsup.base';

export default defineLibraryConfig({ index: 'src/index.ts' });
