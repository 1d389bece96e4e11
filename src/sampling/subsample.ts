/**
 * Subsampling of frequent words (word2vec.c's formula, as gensim uses it):
 * a word of count c is kept with probability (sqrt(c / t) + 1) * t / c, where
 * t = sample * total words, capped at 1.
 */
export function keepProbability(count: number, sample: number, totalWords: number): number {
  if (sample <= 0) return 1;
  const t = sample * totalWords;
  return Math.min(1, (Math.sqrt(count / t) + 1) * (t / count));
}

/** Keep thresholds as 32-bit integers: the kernel keeps a word when a uniform 32-bit number is <= its threshold. */
export function keepThresholds(
  counts: ArrayLike<number>,
  sample: number,
  totalWords: number,
): Uint32Array {
  const out = new Uint32Array(counts.length);
  for (let i = 0; i < counts.length; i++) {
    const p = keepProbability(counts[i], sample, totalWords);
    out[i] = p >= 1 ? 0xffffffff : Math.floor(p * 2 ** 32);
  }
  return out;
}
