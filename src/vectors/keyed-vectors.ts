import { UsageError } from '../errors.js';
import { quoteWord } from '../printable.js';
import { selectTopCosmul, type Scorer } from './scorer.js';
import { createScorer } from './wasm-scorer.js';
import { TopN } from './top-n.js';
import {
  checkTopn,
  type KeyedVectorsOptions,
  type Neighbour,
  type PreparedQuery,
  type SimilarityQuery,
  type VectorQuery,
  type VectorQueryOptions,
} from './query-types.js';
import { RowShards } from './row-shards.js';
import { compareCodePoints } from './code-point-order.js';
import { wordIndex } from './word-index.js';
import type { WordLookup } from './word-table.js';
import { normalizeInto, writeUnitRows } from './unit-rows.js';
import { GENSIM_COMPARISONS, type GensimComparisons } from './gensim-queries.js';

export type {
  KeyedVectorsOptions,
  Neighbour,
  SimilarityQuery,
  VectorQuery,
  VectorQueryOptions,
} from './query-types.js';

/**
 * Trained word vectors, apart from any trainer (gensim's `KeyedVectors`).
 *
 * Words are in frequency order, most frequent first; `restrictVocab` options
 * rely on that. Queries score the raw vectors, kept in the query kernel's
 * memory: a loaded model (see `loadVectors`) has them only there, and
 * {@link KeyedVectors.row} reads them in place; a model built from an array
 * keeps the array too, and the kernel copies it on the first query (if you
 * change the array after that, queries see the old values).
 */
export class KeyedVectors {
  readonly words: readonly string[];
  readonly dim: number;
  private array: Float32Array | undefined;
  private readonly shards: RowShards | undefined;
  private readonly index: WordLookup;
  private unit: Float32Array | undefined;
  private scorerInstance: Scorer | undefined;

  /**
   * @param words Distinct words, most frequent first.
   * @param vectors Row-major matrix of `words.length × dim` values, or rows already in the kernel's memories (as a loader gives).
   * @param dim Dimensions per vector.
   * @example
   * const kv = new KeyedVectors(['the', 'cat'], new Float32Array([1, 0, 0, 1]), 2);
   */
  constructor(
    words: string[],
    vectors: Float32Array | RowShards,
    dim: number,
    private readonly options: KeyedVectorsOptions = {},
  ) {
    const { shardRows } = options;
    if (shardRows !== undefined && !(Number.isInteger(shardRows) && shardRows >= 1)) {
      throw new UsageError(`shardRows must be a positive integer, got ${shardRows}`);
    }
    if (!Number.isInteger(dim) || dim < 1) {
      throw new UsageError(`vector dimension must be a positive integer, got ${dim}`);
    }
    const values = vectors instanceof RowShards ? vectors.size * vectors.dim : vectors.length;
    if (values !== words.length * dim || (vectors instanceof RowShards && vectors.dim !== dim)) {
      throw new UsageError(
        `expected ${words.length} × ${dim} = ${words.length * dim} vector values for ${words.length} words, got ${values}`,
      );
    }
    this.words = words;
    if (vectors instanceof RowShards) this.shards = vectors.finish();
    else this.array = vectors;
    this.dim = dim;
    this.index = wordIndex(words, options.index);
  }

  /**
   * The raw vectors, row-major, `size × dim`. For a loaded model, a copy of
   * the rows in the kernel's memory, made on first use (as large as the
   * model: prefer {@link KeyedVectors.row} or {@link KeyedVectors.vector}).
   * Do not modify.
   * @example
   * kv.vectors.length === kv.size * kv.dim; // true
   */
  get vectors(): Float32Array {
    this.array ??= this.shards!.toArray();
    return this.array;
  }

  /**
   * The raw vector at `row`, as a view (do not modify; see
   * {@link KeyedVectors.vector} for a copy).
   * @example
   * kv.row(kv.indexOf('cat')); // Float32Array [0, 1]
   */
  row(row: number): Float32Array {
    this.requireRow(row);
    if (this.array) return this.array.subarray(row * this.dim, (row + 1) * this.dim);
    return this.shards!.row(row);
  }

  /**
   * Number of words.
   * @example
   * kv.size; // 2
   */
  get size(): number {
    return this.words.length;
  }

  /**
   * Row of `word`, or -1 if absent.
   * @example
   * kv.indexOf('cat'); // 1
   */
  indexOf(word: string): number {
    return this.index.get(word) ?? -1;
  }

  /**
   * Whether `word` is in the vocabulary.
   * @example
   * kv.has('dog'); // false
   */
  has(word: string): boolean {
    return this.index.has(word);
  }

  /**
   * A copy of the raw vector of `word`.
   * @throws UsageError if `word` is not in the vocabulary.
   * @example
   * kv.vector('cat'); // Float32Array [0, 1]
   */
  vector(word: string): Float32Array {
    return this.row(this.requireIndex(word)).slice();
  }

  /**
   * Whether every value of the vector at `row` is finite. A vector holding
   * NaN or an infinity has no direction: it is never a similarity candidate,
   * and querying its word is an error.
   * @example
   * kv.isFiniteRow(kv.indexOf('cat')); // true
   */
  isFiniteRow(row: number): boolean {
    // The kernel's inverse norm is NaN exactly when a value is NaN or infinite.
    if (this.shards) return !Number.isNaN(this.shards.inverseNorm(row));
    const values = this.row(row);
    let sum = 0;
    // Float32 values cannot add up to more than a double holds, so the sum is finite exactly when every value is.
    for (let k = 0; k < this.dim; k++) sum += values[k]!;
    return sum - sum === 0;
  }

  /**
   * The rows whose vectors hold NaN or an infinity, in order.
   * @example
   * kv.nonFiniteRows(); // [] for a well-trained model
   */
  nonFiniteRows(): number[] {
    const rows: number[] = [];
    for (let row = 0; row < this.size; row++) if (!this.isFiniteRow(row)) rows.push(row);
    return rows;
  }

  /**
   * All vectors scaled to unit length (zero rows stay zero, and rows holding
   * NaN or an infinity become all NaN, so they score NaN, which no search
   * keeps), computed on first use and cached. Same layout as `vectors`. Do not modify.
   * @example
   * const unit = kv.unitVectors();
   * const catUnit = unit.subarray(kv.indexOf('cat') * kv.dim, (kv.indexOf('cat') + 1) * kv.dim);
   */
  unitVectors(): Float32Array {
    if (this.unit) return this.unit;
    const dim = this.dim;
    const unit = new Float32Array(this.size * dim);
    if (this.array) writeUnitRows(this.array, dim, 0, this.size, unit, dim);
    else
      for (let row = 0; row < this.size; row++)
        writeUnitRows(this.row(row), dim, 0, 1, unit.subarray(row * dim), dim);
    this.unit = unit;
    return unit;
  }

  /**
   * Builds the query kernel's copies of the unit vectors now, rather than
   * on the first query (as a server does before it listens), and for a
   * large model starts building its filter.
   * @example
   * kv.prepareQueries();
   */
  prepareQueries(): void {
    this.scorer();
  }

  /**
   * Whether top-n queries use the int16 filter yet. For a large model it is
   * built on a worker thread from the first query (or
   * {@link KeyedVectors.prepareQueries}) on, and queries score every row
   * exactly until it is ready; for a smaller one, with the 17th query.
   * @example
   * while (!kv.queriesFiltered) await new Promise((resolve) => setTimeout(resolve, 100));
   */
  get queriesFiltered(): boolean {
    return this.scorerInstance?.filtering ?? false;
  }

  /**
   * Cosine similarity of two words (0 if either vector is zero).
   * @throws UsageError if either word is not in the vocabulary.
   * @example
   * kv.similarity('king', 'queen'); // e.g. 0.65
   */
  similarity(a: string, b: string): number {
    return this.similarityByIndex(this.requireIndex(a), this.requireIndex(b));
  }

  /**
   * Cosine similarity of the words at two rows.
   * @example
   * kv.similarityByIndex(0, 1);
   */
  similarityByIndex(a: number, b: number): number {
    this.requireRow(a);
    this.requireRow(b);
    const unitA = this.unitRow(a);
    const unitB = this.unitRow(b);
    let dot = 0;
    for (let k = 0; k < this.dim; k++) dot += unitA[k]! * unitB[k]!;
    return dot;
  }

  /**
   * The words closest to the normalised mean of the positive words' unit
   * vectors minus the negative words' unit vectors (3CosAdd), excluding the
   * query words: gensim 4's `most_similar`.
   * @throws UsageError if a query word is unknown or has NaN or infinite values, or there are no query words.
   * @example
   * kv.mostSimilar({ positive: ['king', 'woman'], negative: ['man'], topn: 1 });
   * // [{ word: 'queen', similarity: 0.71 }]
   */
  mostSimilar(query: SimilarityQuery): Neighbour[] {
    return this.search([this.prepare(query)])[0]!;
  }

  /**
   * Answers many {@link KeyedVectors.mostSimilar} queries in one pass over
   * the vocabulary: a block of rows is scored against every query while it
   * is in the cache (a matrix-times-matrix product), each query keeping its
   * own top-n. The results are exactly those of the single queries, in the
   * same order as `queries`; queries may differ in `topn` and `restrictVocab`.
   * @throws UsageError if any query is invalid (before any work is done).
   * @example
   * const [a, b] = kv.mostSimilarBatch([{ positive: ['king'] }, { positive: ['paris', 'germany'], negative: ['france'] }]);
   */
  mostSimilarBatch(queries: readonly SimilarityQuery[]): Neighbour[][] {
    return this.search(queries.map((query) => this.prepare(query)));
  }

  /**
   * Like {@link KeyedVectors.mostSimilar} but with 3CosMul (Levy & Goldberg):
   * each candidate scores the product of `(1 + cos) / 2` over positive words
   * divided by (the same product over negative words + 1e-6), as gensim 4's
   * `most_similar_cosmul`. Unlike gensim, which ignores it here,
   * `restrictVocab` is honoured.
   * @throws UsageError if a query word is unknown or has NaN or infinite values, or there is no positive word.
   * @example
   * kv.mostSimilarCosmul({ positive: ['king', 'woman'], negative: ['man'], topn: 1 });
   */
  mostSimilarCosmul(query: SimilarityQuery): Neighbour[] {
    const positive = query.positive.map((w) => this.requireQueryIndex(w));
    const negative = (query.negative ?? []).map((w) => this.requireQueryIndex(w));
    if (positive.length === 0) {
      throw new UsageError('most-similar (3CosMul) needs at least one positive word');
    }
    const topn = checkTopn(query.topn);
    const end = this.candidateEnd(query.restrictVocab);
    if (topn < 1 || end === 0) return [];
    const heap = new TopN(Math.min(topn, end));
    selectTopCosmul(this.scorer(), (row) => this.unitRow(row), positive, negative, end, heap);
    return this.neighbours(heap);
  }

  /**
   * The words whose vectors have the highest cosine similarity to `vector`
   * (which need not be normalised), best first; nothing is excluded unless
   * asked (gensim's `similar_by_vector`). A vector holding NaN or an infinity
   * is near nothing: the answer is empty.
   * @param topnOrOptions How many neighbours (default 10), or options.
   * @example
   * kv.nearestToVector(kv.vector('cat'), 3); // 'cat' itself first
   * kv.nearestToVector(v, { topn: 5, restrictVocab: 30000, exclude: new Set([kv.indexOf('cat')]) });
   */
  nearestToVector(
    vector: ArrayLike<number>,
    topnOrOptions: number | VectorQueryOptions = {},
  ): Neighbour[] {
    const options = typeof topnOrOptions === 'number' ? { topn: topnOrOptions } : topnOrOptions;
    return this.search([this.prepareVector(vector, options)])[0]!;
  }

  /**
   * {@link KeyedVectors.nearestToVector} for many vectors in one pass, like
   * {@link KeyedVectors.mostSimilarBatch}.
   * @example
   * const [first, second] = kv.nearestToVectorBatch([{ vector: v1 }, { vector: v2, topn: 3 }]);
   */
  nearestToVectorBatch(queries: readonly VectorQuery[]): Neighbour[][] {
    return this.search(queries.map((query) => this.prepareVector(query.vector, query)));
  }

  /**
   * Alias of {@link KeyedVectors.nearestToVector}, gensim's name.
   * @example
   * kv.similarByVector(kv.vector('cat'), { topn: 3 });
   */
  similarByVector(vector: ArrayLike<number>, options: VectorQueryOptions = {}): Neighbour[] {
    return this.nearestToVector(vector, options);
  }

  /**
   * The given words ranked by cosine similarity to the normalised mean of
   * their unit vectors, most central first; ties in descending word order
   * (gensim's `rank_by_centrality`).
   * @throws UsageError if `words` is empty, or a word is unknown (gensim ignores unknown words) or has NaN or infinite values.
   * @example
   * kv.rankByCentrality(['breakfast', 'cereal', 'dinner', 'lunch']);
   */
  rankByCentrality(words: readonly string[]): Neighbour[] {
    if (words.length === 0) throw new UsageError('need at least one word to rank');
    const rows = words.map((w) => this.requireQueryIndex(w));
    const mean = this.meanOfUnitVectors(rows, []);
    normalizeInto(mean, mean, 0);
    const ranked = rows.map((row, i) => {
      const unit = this.unitRow(row);
      let dot = 0;
      for (let k = 0; k < this.dim; k++) dot += unit[k]! * mean[k]!;
      return { word: words[i]!, similarity: dot };
    });
    // Python's sorted(zip(dists, words), reverse=True): by similarity, then by word (code points), both descending.
    return ranked.sort((a, b) => b.similarity - a.similarity || compareCodePoints(b.word, a.word));
  }

  /**
   * The word that fits least with the others: the one least similar to the
   * normalised mean of all their unit vectors (gensim's `doesnt_match`).
   * @throws UsageError if `words` is empty or a word is unknown (gensim ignores unknown words).
   * @example
   * kv.doesntMatch(['breakfast', 'cereal', 'dinner', 'lunch']); // 'cereal'
   */
  doesntMatch(words: readonly string[]): string {
    const ranked = this.rankByCentrality(words);
    return ranked[ranked.length - 1]!.word;
  }

  /**
   * Mean of the unit vectors at `positive` rows (weight +1) and `negative`
   * rows (weight -1), divided by the total absolute weight, as gensim's
   * `get_mean_vector(pre_normalize=True)`; not normalised.
   * @example
   * const query = kv.meanOfUnitVectors([kv.indexOf('king'), kv.indexOf('woman')], [kv.indexOf('man')]);
   */
  meanOfUnitVectors(positive: readonly number[], negative: readonly number[]): Float64Array {
    const dim = this.dim;
    const mean = new Float64Array(dim);
    const add = (row: number, weight: number): void => {
      this.requireRow(row);
      const unit = this.unitRow(row);
      for (let k = 0; k < dim; k++) mean[k] = mean[k]! + weight * unit[k]!;
    };
    for (const row of positive) add(row, 1);
    for (const row of negative) add(row, -1);
    const total = positive.length + negative.length;
    if (total > 0) for (let k = 0; k < dim; k++) mean[k] = mean[k]! / total;
    return mean;
  }

  /** Checks a word query and turns it into a query vector. */
  private prepare(query: SimilarityQuery): PreparedQuery {
    const positive = query.positive.map((w) => this.requireQueryIndex(w));
    const negative = (query.negative ?? []).map((w) => this.requireQueryIndex(w));
    if (positive.length + negative.length === 0) {
      throw new UsageError('most-similar needs at least one positive or negative word');
    }
    return {
      vector: this.meanOfUnitVectors(positive, negative),
      topn: checkTopn(query.topn),
      end: this.candidateEnd(query.restrictVocab),
      exclude: new Set([...positive, ...negative]),
    };
  }

  private prepareVector(vector: ArrayLike<number>, options: VectorQueryOptions): PreparedQuery {
    if (vector.length !== this.dim) {
      throw new UsageError(`query vector has ${vector.length} dimensions, expected ${this.dim}`);
    }
    return {
      vector: Float64Array.from(vector),
      topn: checkTopn(options.topn),
      end: this.candidateEnd(options.restrictVocab),
      exclude: options.exclude ?? EMPTY_SET,
    };
  }

  /** The top-n rows of every query by cosine similarity, in one blocked pass. */
  private search(queries: readonly PreparedQuery[]): Neighbour[][] {
    const results: Neighbour[][] = queries.map(() => []);
    // The scorer wants the queries whose candidates reach furthest first.
    const live = queries
      .map((_, i) => i)
      .filter((i) => queries[i]!.topn >= 1 && queries[i]!.end > 0);
    live.sort((a, b) => queries[b]!.end - queries[a]!.end || a - b);
    if (live.length === 0) return results;
    const dim = this.dim;
    const vectors = new Float32Array(live.length * dim);
    const ends = new Int32Array(live.length);
    const heaps: TopN[] = [];
    const excludes: Array<ReadonlySet<number>> = [];
    live.forEach((i, j) => {
      const query = queries[i]!;
      normalizeInto(query.vector, vectors, j * dim);
      ends[j] = query.end;
      heaps.push(new TopN(Math.min(query.topn, query.end)));
      excludes.push(query.exclude);
    });
    this.scorer().selectTop(vectors, ends, heaps, excludes);
    live.forEach((i, j) => (results[i] = this.neighbours(heaps[j]!)));
    return results;
  }

  private neighbours(heap: TopN): Neighbour[] {
    return heap.sorted().map(({ score, row }) => ({ word: this.words[row]!, similarity: score }));
  }

  private scorer(): Scorer {
    this.scorerInstance ??= createScorer(this.shards ?? this.array!, this.size, this.dim, 'wasm', {
      shardRows: this.options.shardRows,
    });
    return this.scorerInstance;
  }

  /** The unit vector of `row`: from the cache if there is one, else computed (with the same bits). */
  private unitRow(row: number): Float32Array {
    const dim = this.dim;
    if (this.unit) return this.unit.subarray(row * dim, (row + 1) * dim);
    const unit = new Float32Array(dim);
    writeUnitRows(this.row(row), dim, 0, 1, unit, dim);
    return unit;
  }

  private candidateEnd(restrictVocab: number | undefined): number {
    if (restrictVocab === undefined || restrictVocab === 0) return this.size;
    if (!Number.isInteger(restrictVocab) || restrictVocab < 0) {
      throw new UsageError(`restrictVocab must be a non-negative integer, got ${restrictVocab}`);
    }
    return Math.min(restrictVocab, this.size);
  }

  private requireIndex(word: string): number {
    const row = this.index.get(word);
    if (row === undefined) throw new UsageError(`word '${word}' is not in the vocabulary`);
    return row;
  }

  /** The row of a query word, which must have a direction to compare. */
  private requireQueryIndex(word: string): number {
    const row = this.requireIndex(word);
    if (!this.isFiniteRow(row))
      throw new UsageError(
        `word ${quoteWord(word)} has NaN or infinite values, so it cannot be compared`,
      );
    return row;
  }

  private requireRow(row: number): void {
    if (!Number.isInteger(row) || row < 0 || row >= this.size) {
      throw new UsageError(`row ${row} is out of range 0..${this.size - 1}`);
    }
  }
}

const EMPTY_SET: ReadonlySet<number> = new Set();

export interface KeyedVectors extends GensimComparisons {} // gensim's comparisons (rank, closerThan, ...)
Object.assign(KeyedVectors.prototype, GENSIM_COMPARISONS);
