/**
 * @file Registers tfjs-core's gradients and chained ops from the app's own `@tensorflow/tfjs-core`
 * (its `dist/` modules, never a copy of them): tfjs-core's entry registers neither, and every gcnn
 * package that builds, trains or feeds models (kernel-nets, group-conv, models, datasets, training,
 * cli) depends on `@gcnn/lie-groups`, so this one import makes `tf.grad` work for every gcnn op
 * (backends and wasm-training only add kernels).
 * Bundlers (and Vite in the tests) load these ES modules as they are and share them with the app's
 * tfjs-core, so a bundle holds one `Tensor` class and one set of ops. Node cannot load them as
 * published; it gets `register-tfjs.node.ts` instead (the `#register-tfjs` import of package.json).
 * See docs/decisions/0003-tfjs-core-registration.md.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
