import { InputError, UsageError } from '../errors.js';
import type { KeyedVectors } from '../vectors/keyed-vectors.js';
import { scoresUnknownWords, subwordSimilarity } from '../subwords/oov-evaluation.js';
import { knownWordsFor, readEvaluationFile } from './known-words.js';
import { evaluationFile } from './standard-sets.js';

export interface WordPairOptions {
  /** Only the first (most frequent) `restrictVocab` words count as known. Default 300000. */
  restrictVocab?: number;
  /**
   * Compare words upper-cased; of several case variants of a word, the first
   * (most frequent) one's vector is used. Default true.
   */
  caseInsensitive?: boolean;
  /** Separates the two words and the score on each line. Default '\t'. */
  delimiter?: string;
  /**
   * Give a pair with an unknown word the similarity 0 and count it in the
   * correlations instead of skipping it, as gensim's `dummy4unknown`. Default false.
   */
  dummy4unknown?: boolean;
}

/** One pair of a word-pair file. */
export interface WordPair {
  /** 1-based line number in the file. */
  line: number;
  words: [string, string];
  /** The human score. */
  score: number;
  /** The model's cosine similarity (0 for an unknown word with `dummy4unknown`); absent for a skipped pair. */
  similarity?: number;
}

export interface WordPairResult {
  /** Pearson correlation of the model's cosine similarities with the human scores. */
  pearson: number;
  /** Spearman rank correlation (ties get their average rank), as scipy.stats.spearmanr. */
  spearman: number;
  /** skipped / (pairs + skipped), with `dummy4unknown` skipped / pairs: a fraction in 0..1 (gensim reports it ×100, as a percentage). */
  oovRatio: number;
  /** Pairs evaluated (with `dummy4unknown`, those with an unknown word too). */
  pairs: number;
  /** Pairs with a word outside the first `restrictVocab` words: skipped, or with `dummy4unknown` scored 0. */
  skipped: number;
  /** The pairs in the correlations, in file order, with the model's similarity. */
  scored: WordPair[];
  /** The pairs with an unknown word, in file order (with `dummy4unknown`, also in `scored`). */
  unknown: WordPair[];
  /** 1-based numbers of lines that are not comments and not `word1, word2, score` (ignored, as gensim does). */
  invalidLines: number[];
}

/**
 * Correlates `kv`'s cosine similarities with human similarity judgements
 * (e.g. WordSim-353), with the conventions of gensim 4's
 * `KeyedVectors.evaluate_word_pairs`: lines starting with '#' are comments,
 * other lines are `word1 <delimiter> word2 <delimiter> score`, and pairs with
 * a word outside the first `restrictVocab` words are skipped. `path` may
 * name a set shipped with the package: 'wordsim353' (see `datapath`).
 * @throws InputError if the file cannot be read or holds no pair with both words known.
 * @example
 * const { spearman, oovRatio } = await evaluateWordPairs(kv, 'wordsim353.tsv');
 */
export async function evaluateWordPairs(
  kv: KeyedVectors,
  path: string,
  options: WordPairOptions = {},
): Promise<WordPairResult> {
  const { known, fold, restrictVocab } = knownWordsFor(kv, options);
  const delimiter = options.delimiter ?? '\t';
  if (delimiter === '') throw new UsageError('the word-pair delimiter must not be empty');
  path = evaluationFile(path);
  const text = await readEvaluationFile(path);

  const human: number[] = [];
  const model: number[] = [];
  const invalidLines: number[] = [];
  const scored: WordPair[] = [];
  const unknown: WordPair[] = [];
  let skipped = 0;
  // Python's universal newlines, as gensim reads the file in text mode.
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#')) continue;
    const parts = line.split(delimiter);
    const score = parts.length === 3 ? parsePythonFloat(parts[2]!) : NaN;
    if (parts.length !== 3 || (score !== score && !/^\s*[+-]?nan\s*$/i.test(parts[2]!))) {
      invalidLines.push(i + 1);
      continue;
    }
    // Like gensim, the words are not trimmed: only the score may carry spaces.
    const rowA = known.get(fold(parts[0]!));
    const rowB = known.get(fold(parts[1]!));
    const pair: WordPair = { line: i + 1, words: [parts[0]!, parts[1]!], score };
    if (rowA === undefined || rowB === undefined) {
      // A subword model scores unknown words by their n-grams.
      const similarity = scoresUnknownWords(kv)
        ? subwordSimilarity(kv, known, fold, parts[0]!, parts[1]!)
        : undefined;
      if (similarity !== undefined) {
        pair.similarity = similarity;
        scored.push(pair);
        human.push(score);
        model.push(similarity);
        continue;
      }
      skipped++;
      unknown.push(pair);
      if (!options.dummy4unknown) continue;
    }
    pair.similarity =
      rowA === undefined || rowB === undefined ? 0 : kv.similarityByIndex(rowA, rowB);
    scored.push(pair);
    human.push(score);
    model.push(pair.similarity);
  }
  if (human.length === 0) {
    throw new InputError(
      `${path}: expected lines "word1${JSON.stringify(delimiter).slice(1, -1)}word2${JSON.stringify(delimiter).slice(1, -1)}score" ` +
        `with both words among the first ${restrictVocab} words of the model; found none ` +
        `(${skipped} pairs with unknown words, ${invalidLines.length} invalid lines)`,
    );
  }
  return {
    pearson: pearsonCorrelation(human, model),
    spearman: spearmanCorrelation(human, model),
    // gensim: with dummy4unknown the unknown pairs are among those scored.
    oovRatio: options.dummy4unknown ? skipped / human.length : skipped / (human.length + skipped),
    pairs: human.length,
    skipped,
    scored,
    unknown,
    invalidLines,
  };
}

/**
 * Pearson's r (NaN if either side is constant), as scipy.stats.pearsonr.
 * @example
 * pearsonCorrelation([1, 2, 3], [2, 4, 7]); // 0.9934
 */
export function pearsonCorrelation(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length)
    throw new UsageError(`cannot correlate ${x.length} values with ${y.length}`);
  const n = x.length;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i]!;
    meanY += y[i]!;
  }
  meanX /= n;
  meanY /= n;
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - meanX;
    const dy = y[i]! - meanY;
    xy += dx * dy;
    xx += dx * dx;
    yy += dy * dy;
  }
  if (xx === 0 || yy === 0) return NaN;
  const r = xy / Math.sqrt(xx * yy);
  return Math.max(-1, Math.min(1, r));
}

/**
 * Spearman's rank correlation: Pearson's r of the ranks, tied values sharing
 * their average rank, as scipy.stats.spearmanr.
 * @example
 * spearmanCorrelation([1, 2, 2, 3], [1, 3, 2, 4]); // 0.9487
 */
export function spearmanCorrelation(x: readonly number[], y: readonly number[]): number {
  if (x.some(Number.isNaN) || y.some(Number.isNaN)) return NaN;
  return pearsonCorrelation(averageRanks(x), averageRanks(y));
}

/**
 * 1-based ranks with ties averaged (scipy.stats.rankdata 'average').
 * @example
 * averageRanks([10, 20, 20, 5]); // [2, 3.5, 3.5, 1]
 */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
    // Positions start..end-1 hold equal values; ranks are 1-based.
    const rank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) ranks[order[i]!] = rank;
    start = end;
  }
  return ranks;
}

/** `float(text)` as Python reads it: surrounding whitespace, '_' between digits, inf and nan allowed. NaN if invalid. */
function parsePythonFloat(text: string): number {
  const trimmed = text.trim();
  if (
    /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/.test(
      trimmed,
    )
  ) {
    return Number(trimmed.replace(/_/g, ''));
  }
  if (/^[+-]?inf(?:inity)?$/i.test(trimmed)) return trimmed.startsWith('-') ? -Infinity : Infinity;
  return NaN;
}
