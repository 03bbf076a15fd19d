import { defineConfig } from 'vite';

/**
 * The demo page. Workspace packages resolve to their TypeScript sources (the `@gcnn/source`
 * export condition), so neither `dev` nor `build` needs the packages built first.
 */
export default defineConfig({
  base: './',
  resolve: { conditions: ['@gcnn/source', 'module', 'browser', 'development|production'] },
  optimizeDeps: {
    include: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-core/dist/register_all_gradients.js',
      '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-webgl',
    ],
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
