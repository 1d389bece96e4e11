import { UsageError } from '../errors.js';

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

/** Options for {@link KeyedVectors.similarByVector}. */
export interface VectorQueryOptions {
  /** How many neighbours to return. Default 10; below 1 returns nothing. */
  topn?: number;
  /** Only the first `restrictVocab` words are candidates; undefined or 0 means all. */
  restrictVocab?: number;
  /** Row indices that must not be returned (e.g. the query words themselves). */
  exclude?: ReadonlySet<number>;
}

/**
 * Trained word vectors, apart from any trainer (gensim's `KeyedVectors`).
 *
 * Words are in frequency order, most frequent first; `restrictVocab` options
 * rely on that. `vectors` is exposed raw for speed: if you change it after
 * calling {@link KeyedVectors.unitVectors} (or anything that uses it), the
 * cached unit vectors are stale.
 */
export class KeyedVectors {
  readonly words: readonly string[];
  readonly dim: number;
  /** Row-major, `size × dim`. */
  readonly vectors: Float32Array;
  private readonly index: Map<string, number>;
  private unit: Float32Array | undefined;

  /**
   * @param words Distinct words, most frequent first.
   * @param vectors Row-major matrix of `words.length × dim` values.
   * @param dim Dimensions per vector.
   * @example
   * const kv = new KeyedVectors(['the', 'cat'], new Float32Array([1, 0, 0, 1]), 2);
   */
  constructor(words: string[], vectors: Float32Array, dim: number) {
    if (!Number.isInteger(dim) || dim < 1) {
      throw new UsageError(`vector dimension must be a positive integer, got ${dim}`);
    }
    if (vectors.length !== words.length * dim) {
      throw new UsageError(
        `expected ${words.length} × ${dim} = ${words.length * dim} vector values for ${words.length} words, got ${vectors.length}`,
      );
    }
    const index = new Map<string, number>();
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!;
      const previous = index.get(word);
      if (previous !== undefined) {
        throw new UsageError(`word '${word}' appears twice in the vocabulary (positions ${previous} and ${i})`);
      }
      index.set(word, i);
    }
    this.words = words;
    this.vectors = vectors;
    this.dim = dim;
    this.index = index;
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
    const row = this.requireIndex(word);
    return this.vectors.slice(row * this.dim, (row + 1) * this.dim);
  }

  /**
   * All vectors scaled to unit length (zero rows stay zero), computed on
   * first use and cached. Same layout as `vectors`. Do not modify.
   * @example
   * const unit = kv.unitVectors();
   * const catUnit = unit.subarray(kv.indexOf('cat') * kv.dim, (kv.indexOf('cat') + 1) * kv.dim);
   */
  unitVectors(): Float32Array {
    if (this.unit) return this.unit;
    const { vectors, dim } = this;
    const unit = new Float32Array(vectors.length);
    for (let base = 0; base < vectors.length; base += dim) {
      let squares = 0;
      for (let k = 0; k < dim; k++) {
        const v = vectors[base + k]!;
        squares += v * v;
      }
      if (squares === 0) continue;
      const inverse = 1 / Math.sqrt(squares);
      for (let k = 0; k < dim; k++) unit[base + k] = vectors[base + k]! * inverse;
    }
    this.unit = unit;
    return unit;
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
    const unit = this.unitVectors();
    const dim = this.dim;
    const baseA = a * dim;
    const baseB = b * dim;
    let dot = 0;
    for (let k = 0; k < dim; k++) dot += unit[baseA + k]! * unit[baseB + k]!;
    return dot;
  }

  /**
   * The words closest to the normalised mean of the positive words' unit
   * vectors minus the negative words' unit vectors (3CosAdd), excluding the
   * query words: gensim 4's `most_similar`.
   * @throws UsageError if a query word is unknown or there are no query words.
   * @example
   * kv.mostSimilar({ positive: ['king', 'woman'], negative: ['man'], topn: 1 });
   * // [{ word: 'queen', similarity: 0.71 }]
   */
  mostSimilar(query: SimilarityQuery): Neighbour[] {
    const positive = query.positive.map((w) => this.requireIndex(w));
    const negative = (query.negative ?? []).map((w) => this.requireIndex(w));
    if (positive.length + negative.length === 0) {
      throw new UsageError('most-similar needs at least one positive or negative word');
    }
    const topn = query.topn ?? 10;
    if (topn < 1) return [];
    const mean = this.meanOfUnitVectors(positive, negative);
    return this.similarByVector(mean, {
      topn,
      restrictVocab: query.restrictVocab,
      exclude: new Set([...positive, ...negative]),
    });
  }

  /**
   * Like {@link KeyedVectors.mostSimilar} but with 3CosMul (Levy & Goldberg):
   * each candidate scores the product of `(1 + cos) / 2` over positive words
   * divided by (the same product over negative words + 1e-6), as gensim 4's
   * `most_similar_cosmul`. Unlike gensim, which ignores it here,
   * `restrictVocab` is honoured.
   * @throws UsageError if a query word is unknown or there is no positive word.
   * @example
   * kv.mostSimilarCosmul({ positive: ['king', 'woman'], negative: ['man'], topn: 1 });
   */
  mostSimilarCosmul(query: SimilarityQuery): Neighbour[] {
    const positive = query.positive.map((w) => this.requireIndex(w));
    const negative = (query.negative ?? []).map((w) => this.requireIndex(w));
    if (positive.length === 0) {
      throw new UsageError('most-similar (3CosMul) needs at least one positive word');
    }
    const topn = query.topn ?? 10;
    if (topn < 1) return [];
    const unit = this.unitVectors();
    const dim = this.dim;
    const terms = [...positive, ...negative].map((row) => Float64Array.from(unit.subarray(row * dim, (row + 1) * dim)));
    const positiveCount = positive.length;
    const exclude = new Set([...positive, ...negative]);
    const end = this.candidateEnd(query.restrictVocab);
    const heap = new TopN(topn);
    for (let row = 0; row < end; row++) {
      const base = row * dim;
      let numerator = 1;
      let denominator = 1;
      for (let t = 0; t < terms.length; t++) {
        const term = terms[t]!;
        const shifted = (1 + dotRow(unit, base, term, dim)) / 2;
        if (t < positiveCount) numerator *= shifted;
        else denominator *= shifted;
      }
      const score = numerator / (denominator + 0.000001);
      if (heap.accepts(score, row) && !exclude.has(row)) heap.push(score, row);
    }
    return heap.sorted().map(({ score, row }) => ({ word: this.words[row]!, similarity: score }));
  }

  /**
   * The words whose vectors have the highest cosine similarity to `vector`
   * (which need not be normalised), best first.
   * @example
   * kv.similarByVector(kv.vector('cat'), { topn: 3 }); // 'cat' itself first
   */
  similarByVector(vector: ArrayLike<number>, options: VectorQueryOptions = {}): Neighbour[] {
    if (vector.length !== this.dim) {
      throw new UsageError(`query vector has ${vector.length} dimensions, expected ${this.dim}`);
    }
    const topn = options.topn ?? 10;
    if (topn < 1) return [];
    const query = Float64Array.from(vector);
    let squares = 0;
    for (let k = 0; k < query.length; k++) squares += query[k]! * query[k]!;
    if (squares > 0) {
      const inverse = 1 / Math.sqrt(squares);
      for (let k = 0; k < query.length; k++) query[k] = query[k]! * inverse;
    }
    const exclude = options.exclude ?? EMPTY_SET;
    const end = this.candidateEnd(options.restrictVocab);
    const unit = this.unitVectors();
    const dim = this.dim;
    const heap = new TopN(topn);
    for (let row = 0, base = 0; row < end; row++, base += dim) {
      const dot = dotRow(unit, base, query, dim);
      // The exclusion check is rare: only rows that would enter the heap get it.
      if (heap.accepts(dot, row) && !exclude.has(row)) heap.push(dot, row);
    }
    return heap.sorted().map(({ score, row }) => ({ word: this.words[row]!, similarity: score }));
  }

  /**
   * Mean of the unit vectors at `positive` rows (weight +1) and `negative`
   * rows (weight -1), divided by the total absolute weight, as gensim's
   * `get_mean_vector(pre_normalize=True)`; not normalised.
   * @example
   * const query = kv.meanOfUnitVectors([kv.indexOf('king'), kv.indexOf('woman')], [kv.indexOf('man')]);
   */
  meanOfUnitVectors(positive: readonly number[], negative: readonly number[]): Float64Array {
    const unit = this.unitVectors();
    const dim = this.dim;
    const mean = new Float64Array(dim);
    for (const [rows, weight] of [[positive, 1], [negative, -1]] as const) {
      for (const row of rows) {
        this.requireRow(row);
        const base = row * dim;
        for (let k = 0; k < dim; k++) mean[k] = mean[k]! + weight * unit[base + k]!;
      }
    }
    const total = positive.length + negative.length;
    if (total > 0) for (let k = 0; k < dim; k++) mean[k] = mean[k]! / total;
    return mean;
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

  private requireRow(row: number): void {
    if (!Number.isInteger(row) || row < 0 || row >= this.size) {
      throw new UsageError(`row ${row} is out of range 0..${this.size - 1}`);
    }
  }
}

const EMPTY_SET: ReadonlySet<number> = new Set();

/**
 * `matrix[base..base+dim) · query`. Four independent sums let the CPU overlap
 * the additions instead of waiting on one long dependency chain (~3× faster).
 */
function dotRow(matrix: Float32Array, base: number, query: Float64Array, dim: number): number {
  let sum0 = 0;
  let sum1 = 0;
  let sum2 = 0;
  let sum3 = 0;
  const end = base + dim;
  let i = base;
  let k = 0;
  for (; i + 3 < end; i += 4, k += 4) {
    sum0 += matrix[i]! * query[k]!;
    sum1 += matrix[i + 1]! * query[k + 1]!;
    sum2 += matrix[i + 2]! * query[k + 2]!;
    sum3 += matrix[i + 3]! * query[k + 3]!;
  }
  for (; i < end; i++, k++) sum0 += matrix[i]! * query[k]!;
  return sum0 + sum1 + (sum2 + sum3);
}

/**
 * Keeps the n best (score, row) pairs in a binary min-heap, so selecting the
 * top n of N candidates costs O(N log n) instead of a full sort. Ties go to
 * the lower row (the more frequent word); NaN scores are never kept.
 */
class TopN {
  private readonly scores: Float64Array;
  private readonly rows: Int32Array;
  private length = 0;

  constructor(private readonly capacity: number) {
    this.scores = new Float64Array(capacity);
    this.rows = new Int32Array(capacity);
  }

  /** Whether (score, row) would be kept. Cheap, so callers test this before anything costly. */
  accepts(score: number, row: number): boolean {
    if (score !== score) return false;
    if (this.length < this.capacity) return true;
    const worst = this.scores[0]!;
    return score > worst || (score === worst && row < this.rows[0]!);
  }

  /** Adds a pair that {@link TopN.accepts} approved. */
  push(score: number, row: number): void {
    if (this.length < this.capacity) {
      let i = this.length++;
      // Sift up from the new leaf.
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.worse(score, row, this.scores[parent]!, this.rows[parent]!)) break;
        this.scores[i] = this.scores[parent]!;
        this.rows[i] = this.rows[parent]!;
        i = parent;
      }
      this.scores[i] = score;
      this.rows[i] = row;
      return;
    }
    // Replace the root (the worst kept) and sift down.
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.length) break;
      const right = left + 1;
      let child = left;
      if (right < this.length && this.worse(this.scores[right]!, this.rows[right]!, this.scores[left]!, this.rows[left]!)) {
        child = right;
      }
      if (!this.worse(this.scores[child]!, this.rows[child]!, score, row)) break;
      this.scores[i] = this.scores[child]!;
      this.rows[i] = this.rows[child]!;
      i = child;
    }
    this.scores[i] = score;
    this.rows[i] = row;
  }

  /** Kept pairs, best first. */
  sorted(): Array<{ score: number; row: number }> {
    const out: Array<{ score: number; row: number }> = [];
    for (let i = 0; i < this.length; i++) out.push({ score: this.scores[i]!, row: this.rows[i]! });
    return out.sort((x, y) => y.score - x.score || x.row - y.row);
  }

  private worse(scoreA: number, rowA: number, scoreB: number, rowB: number): boolean {
    return scoreA < scoreB || (scoreA === scoreB && rowA > rowB);
  }
}
