/**
 * The progress bar on a terminal of 40, 80 and 120 columns: no redraw is wider than the terminal
 * (so none wraps), the bar shrinks before anything else goes; plain lines when not a terminal; no
 * rate or ETA before a second of progress is measured (the first update used to read
 * "6285 step/s … eta 0s"). Time is faked (performance.now).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ONCE } from './cli.test-helpers';
import { ProgressBar, type ProgressStream } from './progress-bar';

/** A terminal (or a pipe) that records what is written. */
function stream(columns: number | undefined, isTTY = true): ProgressStream & { text: string } {
  return {
    text: '',
    isTTY,
    columns,
    write(t: string) {
      this.text += t;
      return true;
    },
  };
}

/** The lines as a terminal shows them: every `\r` redraw and every `\n` line, escape codes removed. */
const redraws = (text: string) =>
  text
    .replaceAll('\x1b[K', '')
    .split(/[\r\n]/)
    .filter((l) => l.length > 0);

const SUFFIX = 'lr 2.00e-03 loss 0.1234 245.1 img/s';

describe.skipIf(!ONCE)('ProgressBar', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** An epoch of 375 steps at 8 steps a second, redrawn after every step. */
  function runEpoch(out: ProgressStream, label = 'epoch 1/3') {
    const bar = new ProgressBar(out, label, 375, 'step');
    for (let step = 1; step <= 375; step++) {
      bar.update(step, SUFFIX);
      vi.advanceTimersByTime(125);
    }
    bar.finish(SUFFIX);
  }

  for (const columns of [40, 80, 120]) {
    it(`never draws a line wider than ${columns} columns`, () => {
      const out = stream(columns);
      runEpoch(out);
      runEpoch(out, 'evaluate epoch 1 on the 50,000 MNIST-rot test images');
      const lines = redraws(out.text);
      expect(lines.length).toBeGreaterThan(50);
      for (const line of lines) expect(Array.from(line).length).toBeLessThan(columns);
      // A label too long is cut; the counts and the ETA stay.
      expect(lines.at(-1)).toMatch(/^evaluate epoch 1 .*375\/375 100%.* eta 0s/);
      const last = lines.filter((l) => l.startsWith('epoch')).at(-1) as string;
      expect(last).toMatch(/^epoch 1\/3 .*375\/375 100%/);
      if (columns >= 80) expect(last).toMatch(/\[█+\]/);
      if (columns >= 120) expect(last).toContain(SUFFIX);
    });
  }

  it('shows the whole line, with a full-width bar, when there is room', () => {
    const out = stream(200);
    runEpoch(out);
    expect(redraws(out.text).at(-1)).toMatch(
      /^epoch 1\/3 \[█{24}\] 375\/375 100% 8\.0 step\/s elapsed 47s eta 0s lr 2\.00e-03 loss 0\.1234 245\.1 img\/s$/,
    );
  });

  it('writes plain lines (no bar, no carriage returns) when not a terminal', () => {
    const out = stream(undefined, false);
    runEpoch(out);
    expect(out.text).not.toContain('\r');
    const lines = out.text.trim().split('\n');
    // One line per 15 s of a 47 s epoch, and the last.
    expect(lines.length).toBe(4);
    for (const line of lines) expect(line).not.toMatch(/\[|█/);
  });

  it('shows no rate or ETA until a second of progress is measured, then the measured rate', () => {
    const out = stream(120);
    // The bar is created after its first step (as gcnn train's epoch bar): that step is not timed.
    const bar = new ProgressBar(out, 'epoch 1/1', 100, 'step');
    bar.update(1);
    expect(redraws(out.text).at(-1)).toMatch(/ 1\/100 1% … step\/s elapsed 0s eta …$/);
    vi.advanceTimersByTime(500);
    bar.update(5);
    expect(redraws(out.text).at(-1)).toMatch(/ … step\/s .*eta …$/);
    vi.advanceTimersByTime(1500);
    bar.update(11);
    // 10 steps in 2 s since the first update: 5 step/s, 89 steps left.
    expect(redraws(out.text).at(-1)).toMatch(/ 11\/100 11% 5\.0 step\/s elapsed 2s eta 18s$/);
  });
});
