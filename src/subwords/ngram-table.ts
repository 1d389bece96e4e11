/**
 * Every vocabulary word's n-gram rows, as the training kernels read them:
 * one list after another (`rows`), word w's from `offsets[w]` to
 * `offsets[w + 1]`, each an input-row index (the n-gram rows follow the
 * words' rows, so n-gram bucket h is row `words + h`).
 */
import { UsageError } from '../errors.js';
import { ngramRows, type SubwordParams } from './ngrams.js';

export interface NgramTable {
  offsets: Int32Array;
  rows: Int32Array;
}

/**
 * The n-gram table of `words`.
 * @example
 * const { offsets, rows } = buildNgramTable(vocab.words, { minn: 3, maxn: 6, bucket: 2000000 });
 */
export function buildNgramTable(words: readonly string[], params: SubwordParams): NgramTable {
  const offsets = new Int32Array(words.length + 1);
  const lists: Int32Array[] = [];
  let total = 0;
  for (let w = 0; w < words.length; w++) {
    const list = ngramRows(words[w]!, params);
    lists.push(list);
    total += list.length;
    if (total > 0x7fffffff)
      throw new UsageError('the vocabulary has more n-grams than 2^31: lower maxn');
    offsets[w + 1] = total;
  }
  const rows = new Int32Array(total);
  for (let w = 0; w < words.length; w++) {
    const list = lists[w]!;
    for (let j = 0; j < list.length; j++) rows[offsets[w]! + j] = words.length + list[j]!;
  }
  return { offsets, rows };
}
