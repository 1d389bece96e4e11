/**
 * gensim's KeyedVectors queries that compare words with each other rather
 * than search the vocabulary (`rank`, `closer_than`, `n_similarity`,
 * `distances`, `most_similar_to_given`), with gensim's semantics. They use
 * only KeyedVectors' public methods; `KeyedVectors` delegates to them.
 * Unlike gensim, an unknown word throws (gensim's `n_similarity` ignores it).
 */
import { UsageError } from '../errors.js';
import type { Neighbour } from './query-types.js';

/** The public methods of KeyedVectors these queries use (declared here, so this module does not import it). */
export interface ComparableVectors {
  readonly words: readonly string[];
  readonly dim: number;
  readonly size: number;
  indexOf(word: string): number;
  vector(word: string): Float32Array;
  isFiniteRow(row: number): boolean;
  similarity(a: string, b: string): number;
  similarityByIndex(a: number, b: number): number;
  nearestToVector(vector: ArrayLike<number>, topn: number): Neighbour[];
}
type KeyedVectors = ComparableVectors;

/** The row of a word, or a UsageError naming it. */
function rowOf(kv: KeyedVectors, word: string): number {
  const row = kv.indexOf(word);
  if (row < 0) throw new UsageError(`word '${word}' is not in the vocabulary`);
  return row;
}

/**
 * Cosine distances (1 − cosine similarity) from `from` (a word, or a vector
 * that need not be normalised) to each of `others`, or to every word of the
 * vocabulary in row order (itself included) when `others` is empty; as
 * gensim's `distances`. A word whose vector is zero, NaN or infinite is at
 * distance NaN.
 * @example
 * distances(kv, 'king', ['queen', 'apple']); // Float64Array [0.35, 0.9]
 */
export function distances(
  kv: KeyedVectors,
  from: string | ArrayLike<number>,
  others: readonly string[] = [],
): Float64Array {
  const rows = others.length > 0 ? others.map((w) => rowOf(kv, w)) : undefined;
  const count = rows ? rows.length : kv.size;
  const out = new Float64Array(count).fill(NaN);
  if (typeof from === 'string') {
    const a = rowOf(kv, from);
    const usable = (row: number): boolean => kv.isFiniteRow(row) && !isZero(kv, row);
    if (!usable(a)) return out;
    for (let i = 0; i < count; i++) {
      const row = rows ? rows[i]! : i;
      if (usable(row)) out[i] = 1 - kv.similarityByIndex(a, row);
    }
    return out;
  }
  if (from.length !== kv.dim)
    throw new UsageError(`the vector has ${from.length} values; the model's have ${kv.dim}`);
  // Every row, scored by the query kernel; a vector with NaN is near nothing, and all stay NaN.
  const similarity = new Float64Array(kv.size).fill(NaN);
  for (const { word, similarity: s } of kv.nearestToVector(from, kv.size))
    similarity[kv.indexOf(word)] = s;
  for (let i = 0; i < count; i++) out[i] = 1 - similarity[rows ? rows[i]! : i]!;
  return out;
}

function isZero(kv: KeyedVectors, row: number): boolean {
  return kv.vector(kv.words[row]!).every((x) => x === 0);
}

/**
 * The words closer to `a` than `b` is (a smaller cosine distance), in row
 * order (most frequent first), without `a`; as gensim's `closer_than`.
 * @example
 * closerThan(kv, 'king', 'queen'); // ['prince', 'throne']
 */
export function closerThan(kv: KeyedVectors, a: string, b: string): string[] {
  const self = rowOf(kv, a);
  const all = distances(kv, a);
  const limit = all[rowOf(kv, b)]!;
  const closer: string[] = [];
  for (let row = 0; row < all.length; row++) {
    if (row !== self && all[row]! < limit) closer.push(kv.words[row]!);
  }
  return closer;
}

/**
 * The rank of `b` among the words nearest to `a`: 1 + the number of words
 * closer to `a` than `b` is; as gensim's `rank`.
 * @example
 * rank(kv, 'king', 'queen'); // 3
 */
export function rank(kv: KeyedVectors, a: string, b: string): number {
  return closerThan(kv, a, b).length + 1;
}

/**
 * Cosine similarity of the means of two sets of words' raw vectors (not
 * normalised first), as gensim's `n_similarity`.
 * @throws UsageError if a set is empty or a word is unknown.
 * @example
 * nSimilarity(kv, ['sushi', 'shop'], ['japanese', 'restaurant']); // 0.72
 */
export function nSimilarity(
  kv: KeyedVectors,
  ws1: readonly string[],
  ws2: readonly string[],
): number {
  if (ws1.length === 0 || ws2.length === 0)
    throw new UsageError('nSimilarity needs at least one word in each list');
  const m1 = unit(meanVector(kv, ws1));
  const m2 = unit(meanVector(kv, ws2));
  let dot = 0;
  for (let k = 0; k < kv.dim; k++) dot += m1[k]! * m2[k]!;
  return dot;
}

/** The mean of the words' raw vectors, as gensim's `get_mean_vector(pre_normalize=False)`. */
function meanVector(kv: KeyedVectors, words: readonly string[]): Float64Array {
  const mean = new Float64Array(kv.dim);
  for (const word of words) {
    rowOf(kv, word);
    const v = kv.vector(word);
    for (let k = 0; k < kv.dim; k++) mean[k]! += v[k]!;
  }
  for (let k = 0; k < kv.dim; k++) mean[k]! /= words.length;
  return mean;
}

/** `v` / |v|, or `v` itself when it is zero (gensim's `matutils.unitvec`). */
function unit(v: Float64Array): Float64Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  return norm > 0 ? v.map((x) => x / norm) : v;
}

/**
 * The word of `candidates` most similar to `word` (the first of equals), as
 * gensim's `most_similar_to_given`.
 * @throws UsageError if `candidates` is empty or a word is unknown.
 * @example
 * mostSimilarToGiven(kv, 'music', ['water', 'sound', 'backpack']); // 'sound'
 */
export function mostSimilarToGiven(
  kv: KeyedVectors,
  word: string,
  candidates: readonly string[],
): string {
  if (candidates.length === 0)
    throw new UsageError('mostSimilarToGiven needs at least one candidate');
  let best = 0;
  let bestSimilarity = -Infinity;
  candidates.forEach((candidate, i) => {
    const s = kv.similarity(word, candidate);
    // numpy's argmax: the first maximum, and a NaN wins as the maximum.
    if (Number.isNaN(s) ? !Number.isNaN(bestSimilarity) : s > bestSimilarity) {
      best = i;
      bestSimilarity = s;
    }
  });
  return candidates[best]!;
}

/** gensim's comparisons as methods of KeyedVectors; each calls the function of its name above. */
export interface GensimComparisons {
  /**
   * gensim's `rank`: 1 + the number of words closer to `a` than `b` is.
   * @example
   * kv.rank('king', 'queen'); // 3
   */
  rank(a: string, b: string): number;
  /**
   * gensim's `closer_than`: the words closer to `a` than `b` is, in row order, without `a`.
   * @example
   * kv.closerThan('king', 'queen'); // ['prince', 'throne']
   */
  closerThan(a: string, b: string): string[];
  /**
   * {@link GensimComparisons.closerThan} by gensim's older name, `words_closer_than`.
   * @example
   * kv.wordsCloserThan('king', 'queen');
   */
  wordsCloserThan(a: string, b: string): string[];
  /**
   * gensim's `n_similarity`: the cosine similarity of the two sets' mean (raw) vectors.
   * @throws UsageError if a set is empty or a word is unknown (gensim ignores unknown words).
   * @example
   * kv.nSimilarity(['sushi', 'shop'], ['japanese', 'restaurant']);
   */
  nSimilarity(ws1: readonly string[], ws2: readonly string[]): number;
  /**
   * gensim's `distances`: 1 − cosine similarity from a word or a vector to
   * `others`, or to every word in row order (itself included) when there are none.
   * @example
   * kv.distances('king', ['queen', 'apple']);
   */
  distances(from: string | ArrayLike<number>, others?: readonly string[]): Float64Array;
  /**
   * gensim's `most_similar_to_given`: the candidate most similar to `word`.
   * @example
   * kv.mostSimilarToGiven('music', ['water', 'sound', 'backpack']); // 'sound'
   */
  mostSimilarToGiven(word: string, candidates: readonly string[]): string;
}

/** The methods KeyedVectors' prototype receives. */
export const GENSIM_COMPARISONS: {
  [K in keyof GensimComparisons]: (
    this: ComparableVectors,
    ...args: Parameters<GensimComparisons[K]>
  ) => ReturnType<GensimComparisons[K]>;
} = {
  rank(a, b) {
    return rank(this, a, b);
  },
  closerThan(a, b) {
    return closerThan(this, a, b);
  },
  wordsCloserThan(a, b) {
    return closerThan(this, a, b);
  },
  nSimilarity(ws1, ws2) {
    return nSimilarity(this, ws1, ws2);
  },
  distances(from, others) {
    return distances(this, from, others);
  },
  mostSimilarToGiven(word, candidates) {
    return mostSimilarToGiven(this, word, candidates);
  },
};
