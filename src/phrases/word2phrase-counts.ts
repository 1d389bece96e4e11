// word2phrase.c keeps words and pairs in one table of strings, so the pair
// "new york" and the word "new_york" (in a second pass's text) share one
// count, and pairs longer than 59 bytes are cut to their first 59. These are
// the counts it would see.
import type { PairTable } from './pair-table.js';

/** word2phrase.c's MAX_STRING − 1: the longest pair string it keeps. */
const MAX_PAIR_BYTES = 59;

export interface MergedCounts {
  unigrams: Float64Array;
  /** The pairs whose count differs from their own, by slot. */
  pairs: Map<number, number>;
}

/** Each word's and each pair's count as word2phrase.c's one string table holds it. */
export function word2phraseCounts(
  words: readonly string[],
  unigrams: Float64Array,
  grams: PairTable,
): MergedCounts {
  const merged: MergedCounts = { unigrams: unigrams.slice(), pairs: new Map() };
  // Only strings with a '_' in a word, or cut ones, can be spelled two ways.
  const hasJoin = words.map((w) => w.includes('_'));
  const byteLength = words.map((w) => Buffer.byteLength(w));
  if (!hasJoin.includes(true) && 2 * Math.max(0, ...byteLength) + 1 <= MAX_PAIR_BYTES)
    return merged;
  const sharing = new Map<string, { word: number; grams: number[] }>();
  const entryOf = (s: string): { word: number; grams: number[] } => {
    let entry = sharing.get(s);
    if (!entry) sharing.set(s, (entry = { word: -1, grams: [] }));
    return entry;
  };
  for (const e of grams.slotList()) {
    const a = grams.first(e);
    const b = grams.second(e);
    const long = byteLength[a] + 1 + byteLength[b] > MAX_PAIR_BYTES;
    if (!hasJoin[a] && !hasJoin[b] && !long) continue;
    let s = `${words[a]}_${words[b]}`;
    if (long) s = Buffer.from(s).subarray(0, MAX_PAIR_BYTES).toString('latin1');
    else s = Buffer.from(s).toString('latin1');
    entryOf(s).grams.push(e);
  }
  const ids = new Map<string, number>();
  for (let id = 0; id < words.length; id++) if (hasJoin[id]) ids.set(words[id], id);
  for (const [word, id] of ids) {
    if (unigrams[id] === 0) continue;
    const s = Buffer.from(word).toString('latin1');
    const entry = sharing.get(s);
    if (entry) entry.word = id;
    else if (word.indexOf('_') === word.lastIndexOf('_')) {
      // A word with one '_' shares its count with the pair of two plain words it spells.
      sharing.set(s, { word: id, grams: [] });
    }
  }
  if (sharing.size === 0) return merged;
  // Pairs of two plain words that spell a word holding one '_'.
  const plain = new Map<string, number>();
  for (let id = 0; id < words.length; id++) if (!hasJoin[id]) plain.set(words[id], id);
  for (const [s, entry] of sharing) {
    if (entry.word < 0) continue;
    const word = words[entry.word];
    const cut = word.indexOf('_');
    if (cut !== word.lastIndexOf('_')) continue;
    const a = plain.get(word.slice(0, cut));
    const b = plain.get(word.slice(cut + 1));
    if (a === undefined || b === undefined) continue;
    const e = grams.find(a, b);
    if (e >= 0 && !entry.grams.includes(e)) entry.grams.push(e);
    void s;
  }
  for (const entry of sharing.values()) {
    if (entry.grams.length + (entry.word >= 0 ? 1 : 0) < 2) continue;
    let total = entry.word >= 0 ? unigrams[entry.word] : 0;
    for (const e of entry.grams) total += grams.count(e);
    if (entry.word >= 0) merged.unigrams[entry.word] = total;
    for (const e of entry.grams) merged.pairs.set(e, total);
  }
  return merged;
}
