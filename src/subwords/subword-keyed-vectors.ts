/**
 * The word vectors of a subword (fastText) model: a KeyedVectors whose
 * queries also take words outside the vocabulary, each with the mean of its
 * n-gram rows. Queries of vocabulary words only are KeyedVectors' own.
 */
import { UsageError } from '../errors.js';
import { quoteWord } from '../printable.js';
import {
  KeyedVectors,
  type KeyedVectorsOptions,
  type Neighbour,
  type SimilarityQuery,
} from '../vectors/keyed-vectors.js';
import type { RowShards } from '../vectors/row-shards.js';
import { writeUnitRows } from '../vectors/unit-rows.js';
import type { SubwordVectors } from './subword-vectors.js';

export class SubwordKeyedVectors extends KeyedVectors {
  /**
   * @param words Distinct words, most frequent first.
   * @param vectors Their vectors (each the mean of its own row and its n-gram rows), `words × dim`, or already in the kernel's memories (as the loader gives them).
   * @param subwords The model's rows, which give vectors to other words.
   * @example
   * const kv = new SubwordKeyedVectors(words, subwords.wordVectors(words), subwords);
   * kv.mostSimilar({ positive: ['misspeled'] });
   */
  constructor(
    words: string[],
    vectors: Float32Array | RowShards,
    readonly subwords: SubwordVectors,
    options: KeyedVectorsOptions = {},
  ) {
    super(words, vectors, subwords.dim, options);
  }

  /**
   * The words' own input rows, `size × dim` (what training and the native
   * format keep): the model's, or for a large loaded fastText model, which
   * keeps only its words' vectors, found from them (see `SubwordVectors.ownRowInto`).
   * @example
   * const own = kv.ownRows(); // own.length === kv.size * kv.dim
   */
  ownRows(): Float32Array {
    const { size, dim, subwords } = this;
    const kept = subwords.wordRows;
    if (kept && kept.length >= size * dim) return kept.subarray(0, size * dim);
    const rows = new Float32Array(size * dim);
    for (let row = 0; row < size; row++)
      subwords.ownRowInto(row, this.words[row]!, this.row(row), rows.subarray(row * dim));
    return rows;
  }

  /**
   * Whether `word` has a vector: it is in the vocabulary or has n-grams.
   * @example
   * kv.hasVectorFor('unseen'); // true with minn 3 and maxn 6
   */
  hasVectorFor(word: string): boolean {
    return this.has(word) || this.subwords.hasVectorFor(word);
  }

  /**
   * The vector of any word: a copy of a vocabulary word's, or the mean of an
   * unseen word's n-gram rows.
   * @throws UsageError if the word is unseen and has no n-grams.
   */
  override vector(word: string): Float32Array {
    return this.has(word) ? super.vector(word) : this.subwords.vectorFor(word);
  }

  override similarity(a: string, b: string): number {
    if (this.has(a) && this.has(b)) return super.similarity(a, b);
    const unitA = this.queryUnit(a);
    const unitB = this.queryUnit(b);
    let dot = 0;
    for (let k = 0; k < this.dim; k++) dot += unitA[k]! * unitB[k]!;
    return dot;
  }

  override mostSimilar(query: SimilarityQuery): Neighbour[] {
    const words = [...query.positive, ...(query.negative ?? [])];
    if (words.every((word) => this.has(word))) return super.mostSimilar(query);
    const positive = query.positive.map((word) => this.queryUnit(word));
    const negative = (query.negative ?? []).map((word) => this.queryUnit(word));
    // As KeyedVectors.meanOfUnitVectors: summed in float64, divided by the number of words.
    const mean = new Float64Array(this.dim);
    for (const [units, weight] of [
      [positive, 1],
      [negative, -1],
    ] as const) {
      for (const unit of units)
        for (let k = 0; k < this.dim; k++) mean[k] = mean[k]! + weight * unit[k]!;
    }
    for (let k = 0; k < this.dim; k++) mean[k] = mean[k]! / words.length;
    const exclude = new Set(words.map((word) => this.indexOf(word)).filter((row) => row >= 0));
    return this.nearestToVector(mean, {
      topn: query.topn,
      restrictVocab: query.restrictVocab,
      exclude,
    });
  }

  override mostSimilarBatch(queries: readonly SimilarityQuery[]): Neighbour[][] {
    const known = (query: SimilarityQuery): boolean =>
      [...query.positive, ...(query.negative ?? [])].every((word) => this.has(word));
    if (queries.every(known)) return super.mostSimilarBatch(queries);
    return queries.map((query) => this.mostSimilar(query));
  }

  override rankByCentrality(words: readonly string[]): Neighbour[] {
    if (words.every((word) => this.has(word))) return super.rankByCentrality(words);
    const units = words.map((word) => this.queryUnit(word));
    const mean = new Float64Array(this.dim);
    for (const unit of units) for (let k = 0; k < this.dim; k++) mean[k] = mean[k]! + unit[k]!;
    let squares = 0;
    for (let k = 0; k < this.dim; k++) squares += mean[k]! * mean[k]!;
    const inverse = squares > 0 ? 1 / Math.sqrt(squares) : 1;
    const ranked = units.map((unit, i) => {
      let dot = 0;
      for (let k = 0; k < this.dim; k++) dot += unit[k]! * mean[k]! * inverse;
      return { word: words[i]!, similarity: dot };
    });
    return ranked.sort(
      (a, b) => b.similarity - a.similarity || (a.word < b.word ? 1 : a.word > b.word ? -1 : 0),
    );
  }

  /**
   * The unit vector of any word, as queries use it.
   * @throws UsageError if it has none, or holds NaN or an infinity.
   */
  queryUnit(word: string): Float32Array {
    const unit = new Float32Array(this.dim);
    const row = this.indexOf(word);
    if (row >= 0) {
      if (!this.isFiniteRow(row)) {
        throw new UsageError(
          `word ${quoteWord(word)} has NaN or infinite values, so it cannot be compared`,
        );
      }
      writeUnitRows(this.row(row), this.dim, 0, 1, unit, this.dim);
    } else {
      writeUnitRows(this.subwords.vectorFor(word), this.dim, 0, 1, unit, this.dim);
    }
    return unit;
  }
}
