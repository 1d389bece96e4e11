// How a phrase candidate is scored: gensim's two scorers and word2phrase.c's.
import { UsageError } from '../errors.js';

export type PhraseScoring = 'default' | 'npmi' | 'word2phrase';
export const SCORINGS: readonly PhraseScoring[] = ['default', 'npmi', 'word2phrase'];

/** What every candidate of a pass is scored with, beside its own counts. */
export interface CorpusCounts {
  /**
   * gensim's |vocabulary|: its vocabulary's size, that is, the distinct
   * non-connector words plus the distinct candidates counted.
   */
  vocabularySize: number;
  /** Every token read, connector words included. */
  totalWords: number;
  minCount: number;
}

/** gensim's original_scorer: (count(a b) − min_count) / (count(a) · count(b)) · |vocabulary|. */
export function defaultScore(a: number, b: number, ab: number, c: CorpusCounts): number {
  const denominator = a * b;
  if (denominator === 0) return -Infinity;
  return ((ab - c.minCount) / denominator) * c.vocabularySize;
}

/** gensim's npmi_scorer: ln(p(a b) / (p(a) p(b))) / −ln p(a b), −∞ below min_count. */
export function npmiScore(a: number, b: number, ab: number, c: CorpusCounts): number {
  if (ab < c.minCount) return -Infinity;
  const n = c.totalWords;
  const pa = a / n;
  const pb = b / n;
  const pab = ab / n;
  return Math.log(pab / (pa * pb)) / -Math.log(pab);
}

const f32 = Math.fround;

/**
 * word2phrase.c's score, in its single precision: (count(a b) − min_count)
 * / count(a) / count(b) · total words; 0 when any of the three is below
 * min_count (word2phrase keeps no such entry).
 */
export function word2phraseScore(a: number, b: number, ab: number, c: CorpusCounts): number {
  if (a < c.minCount || b < c.minCount || ab < c.minCount) return 0;
  return f32(f32(f32(f32(ab - c.minCount) / f32(a)) / f32(b)) * f32(c.totalWords));
}

export function scorerOf(
  scoring: PhraseScoring,
): (a: number, b: number, ab: number, c: CorpusCounts) => number {
  switch (scoring) {
    case 'default':
      return defaultScore;
    case 'npmi':
      return npmiScore;
    case 'word2phrase':
      return word2phraseScore;
  }
}

/** The threshold a score must exceed, as each scorer compares it (word2phrase in single precision). */
export function effectiveThreshold(scoring: PhraseScoring, threshold: number): number {
  return scoring === 'word2phrase' ? f32(threshold) : threshold;
}

/** Checks a threshold for a scoring, as gensim does: positive for `default`, within −1..1 for `npmi`. */
export function checkThreshold(scoring: PhraseScoring, threshold: number, name: string): void {
  if (!Number.isFinite(threshold))
    throw new UsageError(`${name} must be a finite number, got ${threshold}`);
  if (scoring === 'default' && threshold <= 0)
    throw new UsageError(`${name} must be positive with default scoring, got ${threshold}`);
  if (scoring === 'npmi' && (threshold < -1 || threshold > 1))
    throw new UsageError(`${name} must be between -1 and 1 with npmi scoring, got ${threshold}`);
}
