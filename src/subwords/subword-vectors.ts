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
   * @param wordRows The vocabulary words' own input rows, `words × dim`; undefined for a large loaded model, which keeps only the words' vectors (see {@link SubwordVectors.ownRowInto}).
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
    readonly wordRows: Float32Array | undefined,
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
    if (wordRows && wordRows.length % dim !== 0) {
      throw new UsageError(`word rows hold ${wordRows.length} values, not a multiple of ${dim}`);
    }
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
   * Turns the own row of a vocabulary word, at `out[at..]`, into the word's
   * vector: adds the word's `count` n-gram rows `rows[0..count)` and takes
   * the mean, in float32 and in fastText's order (`getWordVector`), in place.
   */
  meanInPlace(out: Float32Array, at: number, rows: Int32Array, count: number): void {
    const { dim, ngrams } = this;
    const { chunks, rowsPerChunk } = ngrams;
    for (let i = 0; i < count; i++) {
      const ngram = rows[i]!;
      const chunk = chunks[Math.floor(ngram / rowsPerChunk)]!;
      const from = (ngram % rowsPerChunk) * dim;
      // A float32 array rounds each sum: float32 adds, as fastText's.
      for (let k = 0; k < dim; k++) out[at + k] += chunk[from + k]!;
    }
    const scale = Math.fround(1 / (count + 1));
    for (let k = 0; k < dim; k++) out[at + k] *= scale;
  }

  /**
   * The vectors of the first `words.length` vocabulary words, `words × dim`.
   * @example
   * const vectors = sv.wordVectors(words);
   */
  wordVectors(words: readonly string[]): Float32Array {
    const { dim } = this;
    const out = this.wordRows!.slice(0, words.length * dim);
    for (let row = 0; row < words.length; row++) {
      const rows = ngramRows(words[row]!, this.params);
      this.meanInPlace(out, row * dim, rows, rows.length);
    }
    return out;
  }

  /**
   * The own row of vocabulary word `row` (spelt `word`, with vector
   * `vector`), written into `out`: the one kept, or for a model that keeps
   * only its words' vectors, the row that gives that vector, found from it
   * and the n-gram rows (equal to the row the model was read with within
   * float32 rounding).
   */
  ownRowInto(row: number, word: string, vector: Float32Array, out: Float32Array): void {
    const { dim, wordRows } = this;
    if (wordRows) {
      out.set(wordRows.subarray(row * dim, (row + 1) * dim));
      return;
    }
    const rows = ngramRows(word, this.params);
    const sum = new Float64Array(dim);
    for (let k = 0; k < dim; k++) sum[k] = vector[k]! * (rows.length + 1);
    for (const ngram of rows) {
      const values = this.ngrams.row(ngram);
      for (let k = 0; k < dim; k++) sum[k] = sum[k]! - values[k]!;
    }
    out.set(sum);
  }
}

/** `sum` times 1/count in float32, as fastText's `Vector::mul`. */
function scaleMean(sum: Float32Array, count: number): Float32Array {
  const scale = Math.fround(1 / count);
  for (let k = 0; k < sum.length; k++) sum[k] = Math.fround(sum[k]! * scale);
  return sum;
}
