// A synthetic fastText model of any size, written by word2vec-ts's own
// saver: words `w0_x` … `w{N-1}_x` and `buckets` n-gram rows, every row a
// random combination of `rank` factors plus Gaussian noise (see
// synthetic-model.ts). The same seed gives the same file.
import { saveFastTextBin } from '../src/io/fasttext-bin-write.js';
import { RowChunks } from '../src/subwords/row-chunks.js';
import { SubwordKeyedVectors } from '../src/subwords/subword-keyed-vectors.js';
import { SubwordVectors } from '../src/subwords/subword-vectors.js';
import { SyntheticRows, syntheticWord, type SyntheticModelSpec } from './synthetic-model.js';

export interface SyntheticFastTextSpec extends SyntheticModelSpec {
  /** N-gram rows (fastText's -bucket). */
  buckets: number;
  minn: number;
  maxn: number;
}

/** A word outside the model's vocabulary that shares most n-grams with `syntheticWord(row)`. */
export function unseenWord(row: number): string {
  return `w${row}_z`;
}

/** Rows made at once. */
const BLOCK_ROWS = 8192;

/** Fills `rows` (`dim` values a row) from `source`, a block at a time. */
function fillAll(source: SyntheticRows, rows: Float32Array, dim: number): void {
  const count = rows.length / dim;
  for (let first = 0; first < count; first += BLOCK_ROWS) {
    const block = Math.min(BLOCK_ROWS, count - first);
    source.fill(rows.subarray(first * dim, (first + block) * dim), block);
  }
}

/** Writes the model to `path` as a fastText `.bin` file (with a zero output matrix, as the saver writes one). */
export async function writeSyntheticFastText(
  spec: SyntheticFastTextSpec,
  path: string,
): Promise<void> {
  const { words: size, buckets, dim, minn, maxn } = spec;
  const source = new SyntheticRows(spec);
  const own = new Float32Array(size * dim);
  fillAll(source, own, dim);
  const ngrams = new RowChunks(buckets, dim);
  for (const chunk of ngrams.chunks) fillAll(source, chunk, dim);
  const words = Array.from({ length: size }, (_, i) => syntheticWord(i));
  const counts = Float64Array.from({ length: size }, (_, i) => size - i);
  const subwords = new SubwordVectors({ minn, maxn, bucket: buckets }, dim, own, ngrams, counts);
  // The saver writes the own rows and the n-gram rows; the words' vectors (here the own rows) are not saved.
  await saveFastTextBin(new SubwordKeyedVectors(words, own, subwords), path);
}
