/**
 * fastText's character n-grams of a word and the rows they hash to
 * (fastText's dictionary.cc: `hash` and `computeSubwords`).
 */
import { UsageError } from '../errors.js';

/** Which n-grams a subword model uses, as fastText's `-minn`, `-maxn` and `-bucket`. */
export interface SubwordParams {
  /** Shortest n-gram, in characters. */
  minn: number;
  /** Longest n-gram, in characters; 0 means no n-grams. */
  maxn: number;
  /** Number of n-gram rows the hashes are reduced modulo. */
  bucket: number;
}

/** fastText's defaults when subwords are on. */
export const DEFAULT_SUBWORDS: Readonly<SubwordParams> = { minn: 3, maxn: 6, bucket: 2_000_000 };

/** fastText's end-of-sentence token, which has no n-grams. */
export const END_OF_SENTENCE = '</s>';

const BEGIN_OF_WORD = 0x3c; // '<'
const END_OF_WORD = 0x3e; // '>'

/**
 * Checks subword parameters: integers with 1 ≤ minn ≤ maxn (or maxn 0, no
 * n-grams) and a positive bucket count below 2^31 when there are n-grams.
 * @throws UsageError naming the parameter.
 */
export function checkSubwordParams(params: SubwordParams): void {
  const { minn, maxn, bucket } = params;
  for (const [name, value] of Object.entries({ minn, maxn, bucket })) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new UsageError(`${name} must be a non-negative integer, got ${value}`);
    }
  }
  if (maxn === 0) return;
  if (minn < 1 || minn > maxn) {
    throw new UsageError(`minn must be between 1 and maxn (${maxn}), got ${minn}`);
  }
  if (bucket < 1 || bucket > 0x7fffffff) {
    throw new UsageError(`bucket must be between 1 and 2147483647 with n-grams, got ${bucket}`);
  }
}

/**
 * fastText's 32-bit FNV-1a hash of `bytes[start..end)`, each byte sign
 * extended first as fastText's `int8_t` cast does (so bytes of 0x80 and
 * above, those of non-ASCII characters, differ from the textbook FNV-1a).
 * @example
 * fastTextHash(new TextEncoder().encode('<wh')); // an unsigned 32-bit integer
 */
export function fastTextHash(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = 2166136261;
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    h = Math.imul((h ^ (byte < 0x80 ? byte : byte | 0xffffff00)) >>> 0, 16777619) >>> 0;
  }
  return h;
}

/** The UTF-8 bytes of `<word>`. */
function delimitedBytes(word: string): Uint8Array {
  const inner = Buffer.from(word, 'utf8');
  const bytes = new Uint8Array(inner.length + 2);
  bytes[0] = BEGIN_OF_WORD;
  bytes.set(inner, 1);
  bytes[inner.length + 1] = END_OF_WORD;
  return bytes;
}

/**
 * Calls `visit(start, end)` for each n-gram of `bytes` (a word with its
 * `<` and `>`) in fastText's order: by start character, then by length from
 * 1 to maxn characters, lengths below minn left out, and so is a single
 * character at either end (`<` or `>` alone). Characters are UTF-8
 * sequences: a byte `10xxxxxx` continues the character before it.
 */
function forEachNgram(
  bytes: Uint8Array,
  minn: number,
  maxn: number,
  visit: (start: number, end: number) => void,
): void {
  const length = bytes.length;
  for (let i = 0; i < length; i++) {
    if ((bytes[i]! & 0xc0) === 0x80) continue;
    let j = i;
    for (let n = 1; j < length && n <= maxn; n++) {
      j++;
      while (j < length && (bytes[j]! & 0xc0) === 0x80) j++;
      if (n >= minn && !(n === 1 && (i === 0 || j === length))) visit(i, j);
    }
  }
}

/**
 * The n-gram rows (0 ≤ row < bucket) of `word`, in fastText's order,
 * repeated as often as they occur; none for `</s>` or when maxn is 0.
 * @example
 * ngramRows('where', { minn: 3, maxn: 6, bucket: 2000000 }); // Int32Array of 14 rows
 */
export function ngramRows(word: string, params: SubwordParams): Int32Array {
  if (params.maxn <= 0 || word === END_OF_SENTENCE) return new Int32Array(0);
  const bytes = delimitedBytes(word);
  const rows = new Int32Array(bytes.length * params.maxn);
  return rows.slice(0, ngramRowsInto(bytes, 0, bytes.length, params, rows));
}

/**
 * The n-gram rows of a word given as the bytes `bytes[start..end)` of
 * `<word>` (delimiters included), as {@link ngramRows} finds them, written
 * into `out` from 0 (room for `(end - start) × maxn` is enough); returns
 * how many. For a loader, which has the words' bytes: no string is made, and
 * each n-gram's hash goes on from the hash of the one before it.
 */
export function ngramRowsInto(
  bytes: Uint8Array,
  start: number,
  end: number,
  { minn, maxn, bucket }: SubwordParams,
  out: Int32Array,
): number {
  let count = 0;
  for (let i = start; i < end; i++) {
    if ((bytes[i]! & 0xc0) === 0x80) continue;
    let h = 2166136261;
    let j = i;
    for (let n = 1; j < end && n <= maxn; n++) {
      // One more character: its bytes extend the hash of the n-gram before.
      do {
        const byte = bytes[j++]!;
        h = Math.imul((h ^ (byte < 0x80 ? byte : byte | 0xffffff00)) >>> 0, 16777619) >>> 0;
      } while (j < end && (bytes[j]! & 0xc0) === 0x80);
      if (n >= minn && !(n === 1 && (i === start || j === end))) out[count++] = h % bucket;
    }
  }
  return count;
}

/**
 * The n-grams of `word` as strings, in the order of {@link ngramRows}
 * (fastText's `print-ngrams` lists the same).
 * @example
 * ngramStrings('ab', { minn: 1, maxn: 2, bucket: 10 }); // ['<a', 'a', 'ab', 'b', 'b>']
 */
export function ngramStrings(word: string, params: SubwordParams): string[] {
  const { minn, maxn } = params;
  if (maxn <= 0 || word === END_OF_SENTENCE) return [];
  const bytes = delimitedBytes(word);
  const ngrams: string[] = [];
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  forEachNgram(bytes, minn, maxn, (start, end) => ngrams.push(text.toString('utf8', start, end)));
  return ngrams;
}
