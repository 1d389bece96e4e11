/**
 * The n-gram rows of a subword (fastText) model and the vectors they give
 * any word: the mean of the word's own input row, if it has one, and the
 * rows of its character n-grams (fastText's `getWordVector`).
 */
import { UsageError } from '../errors.js';
import { quoteWord } from '../printable.js';
import { checkSubwordParams, ngramRows, type SubwordParams } from './ngrams.js';
import { RowChunks } from './row-chunks.js';

/**
 * What a model needs to give vectors to words outside its vocabulary; the
 * hook {@link KeyedVectors} queries go through.
 */
export interface OovVectors {
  /** Whether `word` (not in the vocabulary) has a vector: whether it has n-grams. */
  hasVectorFor(word: string): boolean;
  /**
   * The vector of a word outside the vocabulary.
   * @throws UsageError naming the word if it has no n-grams.
   */
  vectorFor(word: string): Float32Array;
}

/** What a fastText `.bin` file holds beyond the rows, kept to write one again. */
export interface FastTextHeader {
  epoch: number;
  window: number;
  minCount: number;
  negative: number;
  wordNgrams: number;
  /** fastText's loss_name: 1 hs, 2 ns, 3 softmax. */
  loss: number;
  /** fastText's model_name: 1 cbow, 2 sg. */
  model: number;
  lrUpdateRate: number;
  sample: number;
  /** Corpus tokens counted. */
  tokens: number;
}

export class SubwordVectors implements OovVectors {
  /**
   * @param params minn, maxn and bucket.
   * @param wordRows The vocabulary words' own input rows, `words × dim`.
   * @param ngrams The `bucket` n-gram rows.
   * @param counts The words' corpus counts, when known.
   * @param header fastText's training settings, when known.
   * @example
   * const sv = new SubwordVectors({ minn: 3, maxn: 6, bucket: 10 }, 2, new Float32Array(0), new RowChunks(10, 2));
   * sv.vectorFor('unseen');
   */
  constructor(
    readonly params: Readonly<SubwordParams>,
    readonly dim: number,
    readonly wordRows: Float32Array,
    readonly ngrams: RowChunks,
    readonly counts?: ArrayLike<number>,
    readonly header?: Readonly<FastTextHeader>,
  ) {
    checkSubwordParams(params);
    if (ngrams.rows !== params.bucket || ngrams.dim !== dim) {
      throw new UsageError(
        `expected ${params.bucket} n-gram rows of ${dim} values, got ${ngrams.rows} of ${ngrams.dim}`,
      );
    }
    if (wordRows.length % dim !== 0) {
      throw new UsageError(`word rows hold ${wordRows.length} values, not a multiple of ${dim}`);
    }
  }

  /** Number of words with their own row. */
  get wordCount(): number {
    return this.wordRows.length / this.dim;
  }

  hasVectorFor(word: string): boolean {
    return ngramRows(word, this.params).length > 0;
  }

  vectorFor(word: string): Float32Array {
    const rows = ngramRows(word, this.params);
    if (rows.length === 0) {
      throw new UsageError(
        `word ${quoteWord(word)} is not in the vocabulary and has no character n-grams of ${this.params.minn} to ${this.params.maxn} characters`,
      );
    }
    const sum = new Float32Array(this.dim);
    for (const row of rows) this.ngrams.addRowTo(row, sum);
    return scaleMean(sum, rows.length);
  }

  /**
   * The vector of vocabulary word `row` (spelt `word`): the mean of its own
   * row and its n-gram rows, written into `out` at `at`.
   */
  wordVectorInto(row: number, word: string, out: Float32Array, at: number): void {
    const { dim } = this;
    const sum = this.wordRows.slice(row * dim, (row + 1) * dim);
    const rows = ngramRows(word, this.params);
    for (const ngram of rows) this.ngrams.addRowTo(ngram, sum);
    out.set(scaleMean(sum, rows.length + 1), at);
  }

  /**
   * The vectors of the first `words.length` vocabulary words, `words × dim`.
   * @example
   * const vectors = sv.wordVectors(words);
   */
  wordVectors(words: readonly string[]): Float32Array {
    const out = new Float32Array(words.length * this.dim);
    for (let row = 0; row < words.length; row++) {
      this.wordVectorInto(row, words[row]!, out, row * this.dim);
    }
    return out;
  }
}

/** `sum` times 1/count in float32, as fastText's `Vector::mul`. */
function scaleMean(sum: Float32Array, count: number): Float32Array {
  const scale = Math.fround(1 / count);
  for (let k = 0; k < sum.length; k++) sum[k] = Math.fround(sum[k]! * scale);
  return sum;
}
