import { describe, expect, it } from 'vitest';
import { replaceBetweenMarkers } from './write-results';

describe('replaceBetweenMarkers', () => {
  const doc =
    'intro\n<!-- bench:start -->\nold\n<!-- bench:end -->\n<!-- main-job:start -->\nold job\n<!-- main-job:end -->\nend\n';

  it('replaces only what lies between the named pair', () => {
    expect(replaceBetweenMarkers(doc, 'main-job', ['a', 'b'])).toBe(
      'intro\n<!-- bench:start -->\nold\n<!-- bench:end -->\n<!-- main-job:start -->\na\nb\n<!-- main-job:end -->\nend\n',
    );
  });

  it('throws when the pair is missing', () => {
    expect(() => replaceBetweenMarkers('no markers', 'bench', [])).toThrow(
      /lacks the <!-- bench:start --> … <!-- bench:end --> markers/,
    );
  });
});
