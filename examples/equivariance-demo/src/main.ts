/**
 * A tour of gcnn on the wasm backend: the app, not the library, picks the backend.
 * Run: `pnpm --filter @gcnn/example-equivariance-demo start`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { GroupConv2D, globalInvariantPool, LiftingConv2D } from '@gcnn/group-conv';
import { rotateGroupFeatures } from '@gcnn/group-conv/testing';
import { rotate90, SE2, Sim2 } from '@gcnn/lie-groups';

const fmt = (values: ArrayLike<number>, digits = 3) =>
  Array.from(values, (v) => v.toFixed(digits).padStart(digits + 4)).join('');

async function main() {
  tf.enableProdMode();
  await tf.setBackend('wasm');
  await tf.ready();
  console.log(
    `gcnn equivariance demo — tfjs ${tf.version_core} on the '${tf.getBackend()}' backend\n`,
  );

  // 1. Sampling H = SO(2)×R⁺ of Sim(2): 4 rotations × 3 scales, rotation-major.
  const sim2 = Sim2({ maxScale: 1.74 });
  const h = sim2.subgroup.sample([4, 3]);
  console.log('Sim(2) subgroup elements (θ [rad], s), discretized [4, 3]:');
  const rows = h.arraySync() as number[][];
  for (const [g, row] of rows.entries()) {
    console.log(`  g=${String(g).padStart(2)}  θ=${row[0]!.toFixed(4)}  s=${row[1]!.toFixed(4)}`);
  }
  h.dispose();

  // 2. A lifting layer on SE(2) with 8 rotations: its continuous kernel sampled for every element.
  const lifting = new LiftingConv2D({
    group: SE2,
    sampleCount: 8,
    inChannels: 1,
    outChannels: 4,
    kernelSize: 5,
    seed: 1,
  });
  const elements = SE2.subgroup.sample(8);
  const filter = lifting.sampleFilter(elements); // [k, k, Cin, G·Cout]
  console.log(
    '\nSE(2) lifting kernel of output channel 0 for θ = 0 and θ = π/2 (5×5, masked to the unit disk):',
  );
  const k0 = tf.tidy(() =>
    tf.reshape(tf.slice(tf.reshape(filter, [5, 5, 8, 4]), [0, 0, 0, 0], [5, 5, 1, 1]), [5, 5]),
  );
  const k2 = tf.tidy(() =>
    tf.reshape(tf.slice(tf.reshape(filter, [5, 5, 8, 4]), [0, 0, 2, 0], [5, 5, 1, 1]), [5, 5]),
  );
  const a = k0.arraySync() as number[][];
  const b = k2.arraySync() as number[][];
  for (let i = 0; i < 5; i++) console.log(`  ${fmt(a[i]!)}    ${fmt(b[i]!)}`);
  console.log('  (the right kernel is the left one rotated by 90°)');
  tf.dispose([filter, k0, k2, elements]);

  // 3. Equivariance: rotating the input rotates every feature map and shifts the group axis by N/4.
  const conv = new GroupConv2D({
    group: SE2,
    sampleCount: 8,
    implementation: 'separable',
    inChannels: 4,
    outChannels: 4,
    kernelSize: 5,
    seed: 2,
  });
  const x = tf.randomUniform([1, 15, 15, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  const { error, invariant } = tf.tidy(() => {
    const f = (img: tf.Tensor4D) => conv.apply(lifting.apply(img)).features;
    const y = f(x);
    const yRot = f(rotate90(x) as tf.Tensor4D);
    const expected = rotateGroupFeatures(y, 1, { nRotations: 8 });
    const err = tf.div(tf.norm(tf.sub(yRot, expected)), tf.norm(expected)).dataSync()[0]!;
    const inv = tf
      .div(
        tf.norm(tf.sub(globalInvariantPool(yRot), globalInvariantPool(y))),
        tf.norm(globalInvariantPool(y)),
      )
      .dataSync()[0]!;
    return { error: err, invariant: inv };
  });
  console.log('\nLifting → separable group conv on a random 15×15 image, input rotated by 90°:');
  console.log(
    `  ‖f(Rx) − R·f(x)‖/‖R·f(x)‖ = ${error.toExponential(2)}   (R·f = rotate maps + roll group axis by 2)`,
  );
  console.log(
    `  invariant features after global max pooling differ by ${invariant.toExponential(2)}`,
  );
  tf.dispose(x);
  conv.dispose();
  lifting.dispose();
  console.log(`\nLive tensors at exit: ${tf.memory().numTensors}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
