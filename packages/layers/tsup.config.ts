import { defineLibraryConfig } from '../../tooling/tsup.base';

export default defineLibraryConfig(
  { index: 'src/index.ts' },
  { external: ['vitest', /^@tensorflow\/tfjs-(core|layers)$/, /^@gcnn\//] },
);
