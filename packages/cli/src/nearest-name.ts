/** Levenshtein distance of two strings (insertions, deletions and substitutions cost 1). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(
        Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The candidate closest to `name`: by edit distance, where a candidate whose last dotted part is
 * `name`'s last part (`epochs` → `train.epochs`) counts as distance 1. Ties go to the earlier
 * candidate. Undefined when there are none.
 */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
  const last = (s: string) => s.slice(s.lastIndexOf('.') + 1);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = Math.min(
      editDistance(name.toLowerCase(), candidate.toLowerCase()),
      last(name) === last(candidate) && name !== candidate ? 1 : Number.POSITIVE_INFINITY,
    );
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}
