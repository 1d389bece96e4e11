/**
 * Loading word vectors in any supported format, chosen from the file's
 * content and name.
 */
import type { KeyedVectors } from '../vectors/keyed-vectors.js';
import { checkFormat, formatFromPath, type FileFormat } from './file-format.js';
import { readInputFile } from './input-file.js';
import type { WarningListener } from './load-warnings.js';
import { loadNative } from './native-format.js';
import { isNativeMagic } from './native-header.js';
import { loadWord2Vec } from './word2vec-format.js';

export interface LoadVectorsOptions {
  /** Default: see {@link detectFormat}. */
  format?: FileFormat;
  /** Load only the first `limit` vectors (the most frequent words). Default all. */
  limit?: number;
  /**
   * Told, one line each, of what loaded but not as stored (repeated words,
   * words that are not UTF-8) and of words with NaN or infinite values.
   * Default: process.emitWarning.
   */
  onWarning?: WarningListener;
}

/** Bytes read to recognise a format. */
const SNIFF_BYTES = 1 << 16;

/**
 * The format of an existing file: native if it starts with the native magic
 * (whatever its name), else what the extension says, else a guess from the
 * first record: text if the line after the header is a word and `dim`
 * numbers (or, for a line longer than the 64 KiB read, a word and numbers
 * up to where the read ends), binary otherwise.
 * @throws InputError if the file cannot be read.
 * @example
 * await detectFormat('vectors'); // 'bin', 'txt' or 'native'
 */
export async function detectFormat(path: string): Promise<FileFormat> {
  const head = await readInputFile(path, async (handle) => {
    const bytes = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(bytes, 0, SNIFF_BYTES, 0);
    return bytes.subarray(0, bytesRead);
  });
  if (isNativeMagic(head)) return 'native';
  const byName = formatFromPath(path, undefined, undefined);
  if (byName) return byName;
  const headerEnd = head.indexOf(0x0a);
  const header = /^\s*(\d+)\s+(\d+)\s*$/.exec(head.toString('latin1', 0, Math.max(headerEnd, 0)));
  if (headerEnd < 0 || !header) return 'bin'; // the word2vec loader will say what is wrong
  const dim = Number(header[2]);
  const lineEnd = head.indexOf(0x0a, headerEnd + 1);
  // A first record longer than the bytes read (thousands of dimensions) is judged by the values read, the last of which may be cut.
  const cut = lineEnd < 0 && head.length === SNIFF_BYTES;
  const tokens = head
    .toString('latin1', headerEnd + 1, lineEnd < 0 ? head.length : lineEnd)
    .trim()
    .split(/[ \t]+/);
  if (cut) tokens.pop();
  const numeric =
    tokens.length > 1 &&
    tokens
      .slice(1)
      .every((token) =>
        /^[+-]?(?:\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|nan|inf(?:inity)?)$/i.test(token),
      );
  return numeric && (cut ? tokens.length <= dim + 1 : tokens.length === dim + 1) ? 'txt' : 'bin';
}

/**
 * Loads word vectors from a word2vec binary or text file (including
 * fastText's `.vec`) or a native model file.
 * @throws InputError naming the file and the line or byte offset if it is malformed.
 * @example
 * const kv = await loadVectors('wiki.en.vec', { limit: 200000 });
 */
export async function loadVectors(
  path: string,
  options: LoadVectorsOptions = {},
): Promise<KeyedVectors> {
  const format = options.format ?? (await detectFormat(path));
  checkFormat(format);
  const { limit, onWarning } = options;
  if (format === 'native') return (await loadNative(path, { limit, onWarning })).vectors;
  return loadWord2Vec(path, { format, limit, onWarning });
}
