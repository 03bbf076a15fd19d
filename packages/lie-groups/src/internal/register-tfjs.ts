/**
 * @file tfjs-core's Node entry (`dist/tf-core.node.js`) registers neither gradients nor chained
 * ops. Every gcnn package that builds, trains or feeds models (kernel-nets, group-conv, models,
 * datasets, training, cli) depends on `@gcnn/lie-groups`, so registering both here, once, makes
 * `tf.grad` work for every gcnn op on every backend (backends and wasm-training only add
 * kernels). The deep imports are bundled by tsup (Node cannot load them unbundled) and register
 * into tfjs' global registries, shared with the main entry. See
 * docs/decisions/0003-tfjs-core-registration.md.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
