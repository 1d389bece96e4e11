/**
 * The queries a KeyedVectors answers: their options and results, and the
 * form its search takes them in.
 */
import { UsageError } from '../errors.js';
import type { WordLookup } from './word-table.js';

/** One result of a nearest-neighbour query. */
export interface Neighbour {
  word: string;
  similarity: number;
}

/** A query for {@link KeyedVectors.mostSimilar} and {@link KeyedVectors.mostSimilarCosmul}. */
export interface SimilarityQuery {
  /** Words that pull the result towards them. */
  positive: readonly string[];
  /** Words that push the result away from them. Default none. */
  negative?: readonly string[];
  /** How many neighbours to return. Default 10; below 1 returns nothing. */
  topn?: number;
  /**
   * Only the first `restrictVocab` words (the most frequent ones) are candidates.
   * Undefined or 0 means all words, as in gensim.
   */
  restrictVocab?: number;
}

/** Options for {@link KeyedVectors.nearestToVector}. */
export interface VectorQueryOptions {
  /** How many neighbours to return. Default 10; below 1 returns nothing. */
  topn?: number;
  /** Only the first `restrictVocab` words are candidates; undefined or 0 means all. */
  restrictVocab?: number;
  /** Row indices that must not be returned (e.g. the query words themselves). */
  exclude?: ReadonlySet<number>;
}

/** One query of {@link KeyedVectors.nearestToVectorBatch}: a vector and its options. */
export interface VectorQuery extends VectorQueryOptions {
  /** Need not be normalised. */
  vector: ArrayLike<number>;
}

/** Options of a {@link KeyedVectors}. */
export interface KeyedVectorsOptions {
  /**
   * The most rows one instance of the query kernel holds; a larger model is
   * split into shards of this many rows. By default, as many as one
   * WebAssembly memory (4 GiB) holds, in shards of equal size. Answers do
   * not depend on it.
   */
  shardRows?: number;
  /**
   * The row of each word, if the caller has it (a loader builds it as it
   * reads): then the words are taken as distinct, and the index is not built
   * again.
   */
  index?: WordLookup;
}

/** A query reduced to what the search needs. */
export interface PreparedQuery {
  /** Not necessarily normalised. */
  vector: Float64Array;
  topn: number;
  /** Candidates are the rows before `end`. */
  end: number;
  exclude: ReadonlySet<number>;
}

/** The topn of a query: 10 by default, else an integer. */
export function checkTopn(topn: number | undefined): number {
  if (topn === undefined) return 10;
  if (!Number.isInteger(topn)) throw new UsageError(`topn must be an integer, got ${topn}`);
  return topn;
}
