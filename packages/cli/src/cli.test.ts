import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ONCE, packagesBuilt, useCliSandbox } from './cli.test-helpers';

const PKG = resolve(import.meta.dirname, '..');
// The child process runs the CLI from source with tsx; its dependencies resolve to their built
// dist (Node cannot load tfjs-core's extensionless registration modules from source).
const DEPS_BUILT = packagesBuilt(['training', 'models', 'datasets', 'wasm-training']);

const TINY = [
  '--limit-train',
  '64',
  '--limit-test',
  '32',
  '--batch-size',
  '16',
  '--epochs',
  '2',
  '--hidden-sizes',
  '4,4,8',
  '--num-group-elements',
  '4',
  '--kernel-size',
  '3',
  '--ck-net-hidden-size',
  '8',
  '--checkpoint-every',
  '2',
  '--print-interval',
  '1',
  '--sampling-method',
  'uniform',
  '--dropout',
  '0.1',
  '--preset',
  'se2-separable',
];

const README_COMMON = [
  '--model',
  'ckgresnet',
  '--hidden-sizes',
  '32,32,64',
  '--dataset',
  'mnist-rot',
  '--epochs',
  '300',
  '--learning-rate',
  '1e-4',
  '--optimizer',
  'adam',
  '--kernel-size',
  '7',
  '--stride',
  '1',
  '--dropout',
  '0',
  '--weight-decay',
  '1e-4',
  '--ck-net-num-hidden',
  '1',
  '--ck-net-hidden-size',
  '64',
  '--first-omega-0',
  '10',
  '--omega-0',
  '10',
  '--pooling',
  '--normalisation',
  'batchnorm',
  '--lr-schedule',
  'cosine',
  '--padding',
];
const README = {
  'SE2 uniform nonseparable': [
    '--group',
    'SE2',
    '--num-group-elements',
    '8',
    '--sampling-method',
    'uniform',
    '--implementation',
    'nonseparable',
  ],
  'SE2 discretise separable': [
    '--group',
    'SE2',
    '--num-group-elements',
    '8',
    '--sampling-method',
    'discretise',
    '--implementation',
    'separable',
  ],
  'Sim2 16,3 uniform separable+2d': [
    '--group',
    'Sim2',
    '--num-group-elements',
    '16,3',
    '--max-scale',
    '1.74',
    '--sampling-method',
    'uniform',
    '--implementation',
    'separable+2d',
  ],
};

const withoutTime = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const { time: _t, ...rest } = JSON.parse(l);
      return rest;
    });

describe.skipIf(!ONCE)('gcnn CLI', () => {
  const box = useCliSandbox('gcnn-cli-');

  it('fails fast on bad flags and values, naming the flag and what is allowed', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['train', '--group', 'SO3'], /--group must be one of SE2, R2xRplus, Sim2, got "SO3"/],
      [['train', '--epochs', 'ten'], /--epochs must be an integer, got "ten"/],
      [['train', '--batch-size', '0'], /--batch-size must be an integer ≥ 1/],
      [['train', '--frobnicate'], /unknown flag --frobnicate/],
      [
        ['train', '--sampling-method'],
        /--sampling-method needs a value \(one of discretize, uniform\)/,
      ],
      [
        ['train', '--backend', 'tpu'],
        /--backend must be one of wasm, cpu, webgpu, tensorflow, webgl/,
      ],
      [['train', '--nesterov'], /--momentum and --nesterov apply to --optimizer sgd only/],
      [
        ['train', '--group', 'Sim2', '--implementation', 'separable+2d'],
        /invalid model: .*maxScale/,
      ],
      [
        ['train', '--num-group-elements', '8,2'],
        /invalid model: Error in --num-group-elements: sampleCount \[nRotations, nScales\] is only for group 'Sim2'/,
      ],
      [
        ['train', '--group', 'Sim2', '--max-scale', '2', '--num-group-elements', '4,4,2'],
        /--num-group-elements: sampleCount must be a positive integer or \[nRotations, nScales\]/,
      ],
      [
        ['train', '--backend', 'tensorflow', '--max-steps', '1'],
        /needs @tensorflow\/tfjs-node-gpu .* or @tensorflow\/tfjs-node .*pnpm add @tensorflow\/tfjs-node@4.22.0/,
      ],
      [['evaluate'], /--checkpoint <run folder or checkpoint .json> is required/],
      [['fly'], /unknown command 'fly'/],
    ];
    for (const [argv, message] of cases) {
      const r = await box.run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
    const help = await box.run(['train', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--num-group-elements <n,n,…>\n\s+Sampled elements of H/);
    expect(help.out).toMatch(
      /--normalization, --normalisation <batchnorm\|instancenorm\|layernorm>/,
    );
  });

  for (const [name, flags] of Object.entries(README)) {
    it(`runs the README experiment '${name}' end to end (1 step, tiny subsets)`, async () => {
      const out = join(box.dir, name.replace(/\W+/g, '-'));
      const r = await box.run([
        'train',
        ...README_COMMON,
        ...flags,
        '--batch-size',
        '2',
        '--max-steps',
        '1',
        '--limit-train',
        '2',
        '--limit-test',
        '2',
        '--backend',
        'wasm',
        '--out',
        out,
      ]);
      expect(r.err).not.toMatch(/Error/);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/test accuracy \d+\.\d+% on 2 test images/);
      const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
      expect(config.train).toMatchObject({
        epochs: 300,
        learningRate: 1e-4,
        lrSchedule: { kind: 'cosine', epochs: 300 },
        optimizer: { name: 'adam', weightDecay: 1e-4 },
      });
      for (const f of [
        'metrics.jsonl',
        'curves.svg',
        'summary.svg',
        'summary.json',
        'checkpoints/last.json',
        'checkpoints/best.json',
      ]) {
        expect(existsSync(join(out, f)), f).toBe(true);
      }
    }, 120_000);
  }

  it('--config sets flags, the command line overrides them; evaluate and info read the run', async () => {
    const cfg = join(box.dir, 'cfg.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        'hidden-sizes': [4, 4, 8],
        kernelSize: 3,
        num_group_elements: '4',
        'ck-net-hidden-size': 8,
        epochs: 5,
      }),
    );
    const out = join(box.dir, 'cfg-run');
    const r = await box.run([
      'train',
      '--config',
      cfg,
      '--epochs',
      '1',
      '--preset',
      'se2-separable',
      '--limit-train',
      '16',
      '--limit-test',
      '8',
      '--batch-size',
      '8',
      '--backend',
      'cpu',
      '--out',
      out,
    ]);
    expect(r.code, r.err).toBe(0);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.model).toMatchObject({ hiddenSizes: [4, 4, 8], kernelSize: 3, sampleCount: 4 });
    expect(config.train.epochs).toBe(1);
    const ev = await box.run(['evaluate', '--checkpoint', out, '--backend', 'cpu']);
    expect(ev.code, ev.err).toBe(0);
    expect(ev.out).toMatch(/test accuracy \d+\.\d+% \(\d+\/8\), test loss \d/);
    const info = await box.run(['info', '--preset', 'se2-separable', '--backend', 'cpu']);
    expect(info.code, info.err).toBe(0);
    expect(info.out).toMatch(/trainable parameters: 755,370/); // reference §5.6: SE2 separable
    expect(info.out).toMatch(/lifting\s+\[1, 28, 28, 8, 32\]/);
    const bad = await box.run([
      'train',
      '--config',
      cfg,
      '--batch-size',
      '8',
      '--backend',
      'cpu',
      '--frob',
      '1',
    ]);
    expect(bad.code).toBe(2);
  }, 120_000);

  it.skipIf(!DEPS_BUILT)(
    'a run killed with SIGKILL mid-epoch resumes from its last checkpoint with the metrics of an uninterrupted run (needs the dependencies built: pnpm build)',
    async () => {
      const cli = (args: string[], extraEnv: Record<string, string> = {}): ChildProcess =>
        spawn(process.execPath, ['--import', 'tsx', join(PKG, 'src/cli.ts'), ...args], {
          cwd: PKG,
          env: { ...process.env, GCNN_CACHE_DIR: box.cache, ...extraEnv },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
      const done = (p: ChildProcess) =>
        new Promise<number | null>((ok) => {
          let err = '';
          p.stderr?.on('data', (d) => (err += d));
          p.on('exit', (code, signal) => {
            if (code !== 0 && signal !== 'SIGKILL') process.stderr.write(err);
            ok(code);
          });
        });
      const full = join(box.dir, 'full');
      const killed = join(box.dir, 'killed');
      const [a] = await Promise.all([
        done(cli(['train', ...TINY, '--backend', 'wasm', '--out', full])),
      ]);
      expect(a).toBe(0);
      const victim = cli(['train', ...TINY, '--backend', 'wasm', '--out', killed], {
        GCNN_STEP_DELAY_MS: '300',
      });
      const exited = done(victim);
      const metrics = join(killed, 'metrics.jsonl');
      // Kill after step 3 of epoch 1 (4 steps per epoch): the last checkpoint is the mid-epoch one of step 2.
      await new Promise<void>((ok) => {
        const t = setInterval(() => {
          if (existsSync(metrics) && readFileSync(metrics, 'utf8').includes('"step":3,')) {
            clearInterval(t);
            victim.kill('SIGKILL');
            ok();
          }
        }, 20);
      });
      await exited;
      const manifest = JSON.parse(readFileSync(join(killed, 'checkpoints/last.json'), 'utf8'));
      expect(manifest.progress).toMatchObject({ epoch: 0, nextBatch: 2, step: 2 });
      expect(await done(cli(['train', '--resume', killed]))).toBe(0);
      expect(withoutTime(metrics)).toEqual(withoutTime(join(full, 'metrics.jsonl')));
    },
    120_000,
  );
});
