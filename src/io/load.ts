/**
 * Loading word vectors in any supported format, chosen from the file's
 * content and name.
 */
import type { KeyedVectors } from '../vectors/keyed-vectors.js';
import { checkLoadFormat, formatFromPath, type LoadFormat } from './file-format.js';
import { isFastTextBin } from './fasttext-bin-layout.js';
import { loadFastTextBin } from './fasttext-bin-read.js';
import { loadGlove } from './glove-format.js';
import { readInputFile, type LoadProgressListener } from './input-file.js';
import type { WarningListener } from './load-warnings.js';
import { loadNative } from './native-format.js';
import { isNativeMagic } from './native-header.js';
import { loadWord2Vec as readWord2Vec } from './word2vec-format.js';

export interface LoadVectorsOptions {
  /** Default: see {@link detectFormat}. */
  format?: LoadFormat;
  /** Load only the first `limit` vectors (the most frequent words). Default all. */
  limit?: number;
  /**
   * Told, one line each, of what loaded but not as stored (repeated words,
   * words that are not UTF-8) and of words with NaN or infinite values.
   * Default: process.emitWarning.
   */
  onWarning?: WarningListener;
  /** Told how far the load has got, after each read. */
  onProgress?: LoadProgressListener;
}

/** Bytes read to recognise a format. */
const SNIFF_BYTES = 1 << 16;

/** A value in a text file, as printf and numpy write them. */
const NUMBER = /^[+-]?(?:\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|nan|inf(?:inity)?)$/i;

/**
 * The format of an existing file: native if it starts with the native magic
 * (whatever its name), fastText if it starts as a fastText model does; else binary or native if the extension says so; else
 * by content: text if the first line is a header `<count> <dim>` (and, for a
 * name that does not say text, the line after it is a word and `dim`
 * numbers), GloVe if the first line is a word (not a number) and numbers and
 * the second (if any) a word and as many numbers, otherwise what the extension says,
 * or binary. A line longer than the 64 KiB read is judged by the numbers up
 * to where the read ends.
 * @throws InputError if the file cannot be read.
 * @example
 * await detectFormat('vectors'); // 'bin', 'txt', 'glove' or 'native'
 * await detectFormat('glove.6B.100d.txt'); // 'glove'
 */
export async function detectFormat(path: string): Promise<LoadFormat> {
  const head = await readInputFile(path, async (handle) => {
    const bytes = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(bytes, 0, SNIFF_BYTES, 0);
    return bytes.subarray(0, bytesRead);
  });
  if (isNativeMagic(head)) return 'native';
  if (isFastTextBin(head)) return 'fasttext';
  const byName = formatFromPath(path, undefined, undefined);
  if (byName === 'bin' || byName === 'native') return byName;
  const firstEnd = head.indexOf(0x0a);
  const first = lineFields(head, 0, firstEnd);
  const header = first.length === 2 && first.every((field) => /^\d+$/.test(field));
  if (firstEnd < 0) return isGloveStart(first) ? 'glove' : (byName ?? 'bin');
  if (header && byName === 'txt') return 'txt';
  const secondEnd = head.indexOf(0x0a, firstEnd + 1);
  const second = lineFields(head, firstEnd + 1, secondEnd);
  // A line longer than the bytes read (thousands of dimensions) is judged by the values read.
  const cut = secondEnd < 0 && head.length === SNIFF_BYTES;
  const fits = (fields: number): boolean =>
    isValuesLine(second) && (cut ? second.length <= fields : second.length === fields);
  if (header) return fits(Number(first[1]) + 1) ? 'txt' : 'bin';
  // GloVe: a word and numbers, and a second line (if any) as long; else a damaged header, which the word2vec loader names.
  const glove = isGloveStart(first) && (second.length === 0 || fits(first.length));
  return glove ? 'glove' : (byName ?? 'bin');
}

/**
 * The fields of the line `head[start..newline)` split at spaces and tabs;
 * a line the read cut (no newline in a full read) loses its last field,
 * which may be cut too.
 */
function lineFields(head: Buffer, start: number, newline: number): string[] {
  const cut = newline < 0 && head.length === SNIFF_BYTES;
  const fields = head
    .toString('latin1', start, newline < 0 ? head.length : newline)
    .trim()
    .split(/[ \t]+/)
    .filter((field) => field !== '');
  if (cut) fields.pop();
  return fields;
}

/** Whether `fields` are a word followed by at least one number. */
function isValuesLine(fields: readonly string[]): boolean {
  return fields.length > 1 && fields.slice(1).every((field) => NUMBER.test(field));
}

/**
 * Whether `fields` can start a GloVe file: a word followed by numbers, the
 * word not a number itself (a first line of numbers is more likely a
 * damaged word2vec header than a vector).
 */
function isGloveStart(fields: readonly string[]): boolean {
  return isValuesLine(fields) && !NUMBER.test(fields[0]!);
}

/**
 * Loads word vectors from a word2vec binary or text file (including
 * fastText's `.vec`), a fastText `.bin` model (whose queries take any word,
 * see {@link SubwordKeyedVectors}), a GloVe text file or a native model file.
 * @throws InputError naming the file and the line or byte offset if it is malformed.
 * @example
 * const kv = await loadVectors('wiki.en.vec', { limit: 200000 });
 * const glove = await loadVectors('glove.6B.100d.txt'); // GloVe, told by its content
 */
export async function loadVectors(
  path: string,
  options: LoadVectorsOptions = {},
): Promise<KeyedVectors> {
  const format = options.format ?? (await detectFormat(path));
  checkLoadFormat(format);
  const { limit, onWarning, onProgress } = options;
  if (format === 'native')
    return (await loadNative(path, { limit, onWarning, onProgress })).vectors;
  if (format === 'fasttext') return loadFastTextBin(path, { limit, onProgress });
  if (format === 'glove') return loadGlove(path, { limit, onWarning, onProgress });
  return readWord2Vec(path, { format, limit, onWarning, onProgress });
}

/**
 * Another name of {@link loadVectors}, for gensim's `load_word2vec_format`
 * users: it reads every format `loadVectors` reads (word2vec bin and txt,
 * fastText `.vec`, GloVe and native files), recognised the same way.
 * @example
 * const kv = await loadWord2Vec('GoogleNews-vectors-negative300.bin', { limit: 100000 });
 */
export const loadWord2Vec: typeof loadVectors = loadVectors;
