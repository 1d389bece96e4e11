/**
 * A subword (fastText-style) model in the native format: what its header
 * records of the n-grams, and the model made again from its blocks (the
 * words' own rows and the n-gram rows), whose vectors are those the model
 * had when it was saved, bit for bit.
 */
import type { RowChunks } from '../subwords/row-chunks.js';
import { SubwordKeyedVectors } from '../subwords/subword-keyed-vectors.js';
import { SubwordVectors } from '../subwords/subword-vectors.js';
import type { SubwordRecord } from './native-header.js';

/** The header's record of a model's n-gram options, and of fastText's settings when it has them. */
export function subwordRecord(subwords: SubwordVectors): SubwordRecord {
  const { minn, maxn, bucket } = subwords.params;
  return subwords.header
    ? { minn, maxn, bucket, fastText: { ...subwords.header } }
    : { minn, maxn, bucket };
}

/**
 * The model whose words are `words`, with own rows `ownRows` (`words × dim`)
 * and n-gram rows `ngrams`: each word's vector is made as training made it.
 * @throws UsageError if the words repeat.
 */
export function subwordKeyedVectors(
  words: string[],
  ownRows: Float32Array,
  ngrams: RowChunks,
  record: SubwordRecord,
  counts: Float64Array | undefined,
): SubwordKeyedVectors {
  const { minn, maxn, bucket, fastText } = record;
  const subwords = new SubwordVectors(
    { minn, maxn, bucket },
    ngrams.dim,
    ownRows,
    ngrams,
    counts,
    fastText,
  );
  return new SubwordKeyedVectors(words, subwords.wordVectors(words), subwords);
}
