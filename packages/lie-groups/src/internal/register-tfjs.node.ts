/**
 * @file The Node variant of `register-tfjs.ts`: registers tfjs-core's gradients and chained ops from
 * the app's own `@tensorflow/tfjs-core`. Node cannot load those modules as published (ES modules with
 * extensionless relative imports in a package Node reads as CommonJS), so module hooks that apply
 * to files under `@tensorflow/tfjs-core/dist/` only ((`tfjs-core-esm-hooks.ts`)) are registered
 * first. See docs/decisions/0003-tfjs-core-registration.md.
 */
import * as nodeModule from 'node:module';

if (typeof nodeModule.register !== 'function') {
  throw new Error(
    `@gcnn/lie-groups needs Node >= 20.6 (module.register, to load tfjs-core's gradient registration); this is Node ${process.versions.node}`,
  );
}
nodeModule.register('./tfjs-core-esm-hooks.js', import.meta.url);
await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
await import('@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js');
